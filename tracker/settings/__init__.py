"""Settings package: ``base`` is the settings module (development and production alike, chosen by
environment variables); ``test`` adds test speed-ups.

Nothing is imported here on purpose: importing ``tracker.settings.test`` must not evaluate ``base``
before the test module has put its test-only SECRET_KEY and ALLOWED_HOSTS in place, since ``base``
refuses to start in production mode without them.
"""
