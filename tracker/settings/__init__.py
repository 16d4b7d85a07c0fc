"""Settings package: ``base`` holds everything; production differs by environment variables only."""

from .base import *  # noqa: F403
