"""The tracker's models, as one import path (``recommendations.models``); being split by domain."""

from .recommendations import *  # noqa: F403
from .recommendations import Job  # noqa: F401
