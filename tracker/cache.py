"""A Redis cache that degrades instead of failing when Redis is unreachable.

Redis holds only what can be lost: the API's throttle counters. When it cannot be reached, each
cache call is answered by a local-memory cache in the process instead (so throttling goes on, per
worker process rather than shared), one warning is logged per ``WARNING_INTERVAL`` seconds (not an
error per request, and no mail), and Redis is tried again every ``RETRY_SECONDS`` seconds: once it
answers, the shared counters are used again, with nothing to restart.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("tracker.availability")

_METHODS = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear")


class FailoverRedisCache(RedisCache):
    """Django's Redis cache, with a per-process fallback while Redis is unreachable.

    Extra ``OPTIONS`` (taken out before the rest reach the Redis client): ``RETRY_SECONDS``
    (default 5) how long to use the fallback before trying Redis again, ``WARNING_INTERVAL``
    (default 60) the least time between two warnings."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        self.warning_interval = float(options.pop("WARNING_INTERVAL", 60))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self.fallback = LocMemCache(f"failover-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._lock = threading.Lock()
        self._down_until = 0.0  # time.monotonic() before which Redis is not tried
        self._degraded = False
        self._last_warning = None

    def _redis_failed(self, error):
        now = time.monotonic()
        with self._lock:
            self._down_until = now + self.retry_seconds
            self._degraded = True
            if self._last_warning is not None and now - self._last_warning < self.warning_interval:
                return
            self._last_warning = now
        logger.warning(
            "Redis cache unreachable (%s: %s): throttle counts are kept per worker process until it answers "
            "again (retried every %g s; this warning at most every %g s).",
            type(error).__name__,
            error,
            self.retry_seconds,
            self.warning_interval,
        )

    def _redis_answered(self):
        with self._lock:
            if not self._degraded:
                return
            self._degraded = False
        logger.warning("Redis cache reachable again: throttle counts are shared again.")

    def is_shared(self):
        """Whether calls go to Redis (shared by every worker) rather than to this process's fallback."""
        return time.monotonic() >= self._down_until

    def _call(self, name, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except RedisError as error:
            self._redis_failed(error)
            return getattr(self.fallback, name)(*args, **kwargs)
        if self._degraded:
            self._redis_answered()
        return result


def _failover(name):
    def method(self, *args, **kwargs):
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``{name}`` on Redis, or on the per-process fallback while Redis is unreachable."
    return method


for _name in _METHODS:
    setattr(FailoverRedisCache, _name, _failover(_name))
