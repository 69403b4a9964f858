"""Per-user sliding-window rate limit (DT_RATE_LIMIT_MESSAGES per DT_RATE_LIMIT_WINDOW_S).

Kept in memory on purpose: a restart gives everybody a fresh window, which is harmless, and the
hot path needs no database round trip. Users are notified once per window when they exceed the
limit; further messages in the same window are dropped silently, so a flood never turns into a
flood of notices. Events may weigh less than a message (``cost``): the Telegram adapter counts a
button press as half a message against the same budget.
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
    __slots__ = ("notified", "stamps", "used")

    def __init__(self) -> None:
        self.stamps: deque[tuple[float, float]] = deque()
        self.used = 0.0
        self.notified = False

    def expire(self, before: float) -> None:
        while self.stamps and self.stamps[0][0] <= before:
            self.used -= self.stamps.popleft()[1]
        if not self.stamps:
            self.used = 0.0


class RateLimiter:
    """At most ``limit`` accepted messages (or their weight in cheaper events) per user within any
    ``window_s`` seconds."""

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

    def check(self, user_id: int, cost: float = 1.0) -> Verdict:
        """Count one event of ``user_id`` (a message costs 1) and say whether to process it."""
        now = self._clock()
        with self._lock:
            window = self._windows.get(user_id)
            if window is None:
                window = self._windows[user_id] = _Window()
            self._windows.move_to_end(user_id)
            window.expire(now - self.window_s)
            if window.used + cost <= self.limit + 1e-9:
                window.stamps.append((now, cost))
                window.used += cost
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
            if window is None or window.used + 1.0 <= self.limit + 1e-9 or not window.stamps:
                return 0.0
            return max(0.0, window.stamps[0][0] + self.window_s - self._clock())

    def _evict(self) -> None:
        while len(self._windows) > self._max_users:
            self._windows.popitem(last=False)
