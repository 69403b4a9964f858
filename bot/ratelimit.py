"""Per-user sliding-window rate limit (DT_RATE_LIMIT_MESSAGES per DT_RATE_LIMIT_WINDOW_S).

Kept in memory on purpose: a restart gives everybody a fresh window, which is harmless, and the
hot path needs no database round trip. Users are notified once per window when they exceed the
limit; further messages in the same window are dropped silently, so a flood never turns into a
flood of notices.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    """What to do with one incoming message."""

    ALLOW = "allow"
    NOTIFY = "notify"
    DROP = "drop"


class _Window:
    __slots__ = ("notified", "stamps")

    def __init__(self) -> None:
        self.stamps: deque[float] = deque()
        self.notified = False


class RateLimiter:
    """At most ``limit`` accepted messages per user within any ``window_s`` seconds."""

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_users: int = 100_000,
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._max_users = max_users
        self._windows: OrderedDict[int, _Window] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, user_id: int) -> Verdict:
        """Count one message of ``user_id`` and say whether to process it."""
        now = self._clock()
        with self._lock:
            window = self._windows.get(user_id)
            if window is None:
                window = self._windows[user_id] = _Window()
            self._windows.move_to_end(user_id)
            while window.stamps and window.stamps[0] <= now - self.window_s:
                window.stamps.popleft()
            if len(window.stamps) < self.limit:
                window.stamps.append(now)
                window.notified = False
                self._evict()
                return Verdict.ALLOW
            if window.notified:
                return Verdict.DROP
            window.notified = True
            return Verdict.NOTIFY

    def retry_in(self, user_id: int) -> float:
        """Seconds until ``user_id`` may send again (0 when allowed now)."""
        with self._lock:
            window = self._windows.get(user_id)
            if window is None or len(window.stamps) < self.limit:
                return 0.0
            return max(0.0, window.stamps[0] + self.window_s - self._clock())

    def _evict(self) -> None:
        while len(self._windows) > self._max_users:
            self._windows.popitem(last=False)
