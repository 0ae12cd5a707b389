"""Fixed-window rate limits in the database, so every worker process counts together."""

from __future__ import annotations

import random
import time

from survey_app.core.hashing import keyed_hash
from survey_app.tables.identity import RateCounter

# Rows of windows older than this are removed now and then.
_KEEP_SECONDS = 24 * 3600


def client_key(secret: str, kind: str, client: str) -> str:
    """A counter key for a client address; the address itself is not stored."""
    return f"{kind}:{keyed_hash(secret, client)}"


def _window(window_seconds: int, now: float | None) -> int:
    moment = time.time() if now is None else now
    return int(moment // window_seconds) * window_seconds


async def hits(key: str, window_seconds: int, now: float | None = None) -> int:
    """How often ``key`` was counted in the current window.

    Read on every survey link a respondent opens: written out, like `count`, because
    Piccolo's query building costs more CPU than the database's answer.
    """
    rows = await RateCounter.raw(
        "SELECT hits FROM rate_counter WHERE key = {} AND window_start = {}",
        key,
        _window(window_seconds, now),
    )
    return rows[0]["hits"] if rows else 0


async def count(key: str, window_seconds: int, now: float | None = None) -> int:
    """Count one hit for ``key`` and return the hits in the current window, this one included.

    One atomic statement: concurrent workers never lose a hit.
    """
    window = _window(window_seconds, now)
    rows = await RateCounter.raw(
        "INSERT INTO rate_counter (key, window_start, hits) VALUES ({}, {}, 1) "
        "ON CONFLICT (key) DO UPDATE SET "
        "hits = CASE WHEN rate_counter.window_start = excluded.window_start "
        "THEN rate_counter.hits + 1 ELSE 1 END, "
        "window_start = excluded.window_start "
        "RETURNING hits",
        key,
        window,
    )
    if random.random() < 0.01:
        await RateCounter.delete().where(RateCounter.window_start < window - _KEEP_SECONDS)
    return rows[0]["hits"]


async def release(key: str, window_seconds: int, now: float | None = None) -> None:
    """Give back one hit of the current window (an attempt that turned out to be fine)."""
    await RateCounter.update({RateCounter.hits: RateCounter.hits - 1}).where(
        (RateCounter.key == key)
        & (RateCounter.window_start == _window(window_seconds, now))
        & (RateCounter.hits > 0)
    )


def retry_after(window_seconds: int, now: float | None = None) -> int:
    """Seconds until the current window ends."""
    moment = time.time() if now is None else now
    return max(1, int(_window(window_seconds, moment) + window_seconds - moment) + 1)
