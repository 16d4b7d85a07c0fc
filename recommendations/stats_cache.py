"""The public's counts (``stats/``, ``stats/timeline/``) kept in the cache between writes.

Every anonymous visitor (and the dashboard, which calls the API in process as one) asks for the
same few counts, and at 100,000 recommendations the timeline alone is a second of database work.
So the public's answers are kept in the cache (``API_STATS_CACHE_SECONDS``), under a key made of:

- the **generation** of the published data: a number in the cache that the service layer moves
  on with every write (``published_data_changed``, called by ``services``, ``bulk``, the clusters
  and the demo data), in the transaction and again once it commits. A key of an earlier
  generation is never read again, so no picture from before a publish, unpublish, archive or
  status change is served once the write has returned;
- today's date (overdue counts and the timeline's default range move with it), the language (the
  labels are translated), the path and the query string.

Only clients who see what the public sees are served from it or fill it: a reviewer's answer
(drafts included, ``querysets.sees_drafts``) is always computed afresh and never stored.

The cache must be shared by every process that writes or answers: Redis (``REDIS_URL``). Without
it ``API_STATS_CACHE_SECONDS`` defaults to 0 (off), since another worker's local memory would not
see a generation moved here; and while ``FailoverRedisCache`` runs on its per-process fallback
(Redis unreachable), nothing is read from it or stored.
"""

import datetime
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from .querysets import sees_drafts

GENERATION_KEY = "stats:generation"


def enabled():
    if settings.API_STATS_CACHE_SECONDS <= 0:
        return False
    # FailoverRedisCache on its per-process fallback: another worker would not see a new generation.
    shared = getattr(cache, "is_shared", None)
    return shared() if shared else True


def _new_generation():
    # Unique even if the counter was evicted or Redis emptied: never a number used before.
    return time.time_ns()


def generation():
    current = cache.get(GENERATION_KEY)
    if current is None:
        current = _new_generation()
        if not cache.add(GENERATION_KEY, current, timeout=None):
            current = cache.get(GENERATION_KEY, current)
    return current


def _bump():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there (evicted, or never read): start a fresh one
        cache.set(GENERATION_KEY, _new_generation(), timeout=None)


def published_data_changed():
    """Forget every cached count: called by each write that may change what the public sees.

    Moved on now (the same process reads its own writes at once) and again after the commit: a
    count computed by another request between the two, from the data before the commit, was
    stored under the first new generation, which the second leaves behind."""
    if settings.API_STATS_CACHE_SECONDS <= 0:
        return
    _bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(func is _bump for _, func, _ in connection.run_on_commit):
        transaction.on_commit(_bump)


def key(request):
    query = sorted(request.query_params.lists())
    text = f"{request.path}?{query}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"stats:{generation()}:{datetime.date.today().isoformat()}:{translation.get_language()}:{digest}"


def cached(request, compute):
    """``compute()``'s answer to ``request``, from the cache when the client sees only what the
    public sees; a client who sees drafts always gets it computed."""
    if sees_drafts(request.user) or not enabled():
        return compute()
    cache_key = key(request)
    found = cache.get(cache_key)
    if found is not None:
        return found
    data = compute()
    cache.set(cache_key, data, timeout=settings.API_STATS_CACHE_SECONDS)
    return data
