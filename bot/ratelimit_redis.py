"""The per-user rate limit shared by all replicas, in Redis (used when DT_REDIS_URL is set).

Same interface and the same rule as ``bot.ratelimit.RateLimiter`` (at most ``limit`` accepted
messages per user within any ``window_s`` seconds, a button press counting half; one notice per
window, then silence), but
counted in Redis, so that a user's messages spread over several replicas share one window. Each
check is one Lua script run atomically in Redis on Redis's own clock (the replicas' clocks may
differ): a sorted set of the accepted messages' times per user plus a "notified" flag.

Redis unreachable: messages are allowed (a rate limit must not take the service down) and the
outage is logged once until Redis answers again. The check runs on the bot's event loop, so after
a failure Redis is not asked again for ``PAUSE_S`` (each attempt could block up to the timeout).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from bot.ratelimit import Verdict

log = logging.getLogger(__name__)

# Each accepted event is a member "<ms>-<random>-<cost>" scored by its time; a window is full
# when the costs of its members add up past the limit (a button press costs less than a message).
_USED = """
local function used(key)
  local total = 0
  for _, member in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    total = total + tonumber(string.match(member, '-([%d.]+)$') or '1')
  end
  return total
end
"""

# KEYS: the user's accepted events, the user's "notified" flag.
# ARGV: limit, window in ms, a unique member suffix, cost. Returns 0 allow, 1 notify, 2 drop.
_CHECK = (
    _USED
    + """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if used(KEYS[1]) + cost <= tonumber(ARGV[1]) + 1e-9 then
  redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[3] .. '-' .. ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  redis.call('DEL', KEYS[2])
  return 0
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', window) then
  return 1
end
return 2
"""
)

# KEYS: the user's accepted events. ARGV: limit, window in ms. Returns ms until a message fits.
_RETRY_IN = (
    _USED
    + """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if used(KEYS[1]) + 1 <= tonumber(ARGV[1]) + 1e-9 then
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(0, tonumber(first[2]) + window - now)
"""
)

_VERDICTS = (Verdict.ALLOW, Verdict.NOTIFY, Verdict.DROP)
PAUSE_S = 5.0
TIMEOUT_S = 0.5


class RedisRateLimiter:
    """At most ``limit`` accepted messages per user within any ``window_s`` seconds, in Redis."""

    def __init__(
        self, client: Any, limit: int, window_s: float, *, prefix: str = "dt:ratelimit"
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit = limit
        self.window_s = window_s
        self._client = client
        self._prefix = prefix
        self._window_ms = max(1, round(window_s * 1000))
        self._check = client.register_script(_CHECK)
        self._retry_in = client.register_script(_RETRY_IN)
        self._down = False
        self._paused_until = 0.0

    @classmethod
    def from_url(
        cls, url: str, limit: int, window_s: float, *, prefix: str = "dt:ratelimit"
    ) -> RedisRateLimiter:
        """A limiter on the Redis at ``url`` (short timeouts: the check is on the hot path)."""
        import redis

        client = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S
        )
        return cls(client, limit, window_s, prefix=prefix)

    def check(self, user_id: int, cost: float = 1.0) -> Verdict:
        """Count one event of ``user_id`` (a message costs 1) and say whether to process it."""
        stamps = f"{self._prefix}:{user_id}"
        result = self._run(
            self._check,
            [stamps, f"{stamps}:notified"],
            [self.limit, self._window_ms, secrets.token_hex(6), f"{cost:g}"],
        )
        return Verdict.ALLOW if result is None else _VERDICTS[int(result)]

    def retry_in(self, user_id: int) -> float:
        """Seconds until ``user_id`` may send again (0 when allowed now)."""
        result = self._run(
            self._retry_in, [f"{self._prefix}:{user_id}"], [self.limit, self._window_ms]
        )
        return 0.0 if result is None else int(result) / 1000

    def ping(self) -> bool:
        """Whether Redis answers (the readiness check)."""
        import redis

        try:
            return bool(self._client.ping())
        except redis.RedisError:
            return False

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def _run(self, script: Any, keys: list[str], args: list[Any]) -> Any:
        import redis

        if self._down and time.monotonic() < self._paused_until:
            return None
        try:
            result = script(keys=keys, args=args)
        except redis.RedisError as exc:
            if not self._down:
                log.warning(
                    "rate limit: Redis unreachable (%s), allowing messages", type(exc).__name__
                )
            self._down = True
            self._paused_until = time.monotonic() + PAUSE_S
            return None
        if self._down:
            log.info("rate limit: Redis reachable again")
            self._down = False
        return result
