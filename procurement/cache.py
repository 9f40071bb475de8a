"""The Django cache on Redis, degrading to this process's memory while Redis is unreachable.

What the cache holds is never the record: API throttle histories, allauth's login rate limits,
opening progress, the sweep's ETA markers. Django's RedisCache raises on a lost connection, which
made every throttled API request a 500 during a Redis outage (docs/architecture.md §9). Here each
operation falls back to a per-process LocMemCache instead, so rate limits keep working per process
(looser, never absent) and nothing fails; after a failure Redis is left alone for
`RETRY_SECONDS`, so an outage costs one connect timeout per process, not one per cache call.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _failing_over(name: str):
    def method(self, *args, **kwargs):
        if not self._redis_suspended():
            try:
                return getattr(super(FailoverRedisCache, self), name)(*args, **kwargs)
            except _UNREACHABLE as exc:
                self._suspend(exc)
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


class FailoverRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache(f"failover-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._suspended_until = 0.0
        self._lock = threading.Lock()

    def _redis_suspended(self) -> bool:
        return time.monotonic() < self._suspended_until

    def _suspend(self, exc: Exception) -> None:
        with self._lock:
            if not self._redis_suspended():
                logger.warning(
                    "Cache: Redis unreachable (%s); this process uses its own memory for %ss.",
                    type(exc).__name__,
                    RETRY_SECONDS,
                )
            self._suspended_until = time.monotonic() + RETRY_SECONDS

    @property
    def degraded(self) -> bool:
        """Whether this process is currently serving the cache from its own memory."""
        return self._redis_suspended()

    add = _failing_over("add")
    get = _failing_over("get")
    set = _failing_over("set")
    touch = _failing_over("touch")
    delete = _failing_over("delete")
    get_many = _failing_over("get_many")
    has_key = _failing_over("has_key")
    incr = _failing_over("incr")
    set_many = _failing_over("set_many")
    delete_many = _failing_over("delete_many")
    clear = _failing_over("clear")
