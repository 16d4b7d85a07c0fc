"""Test settings: only speed-ups on top of ``base``; behaviour is the same as in production."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
