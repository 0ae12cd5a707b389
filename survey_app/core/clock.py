"""The one clock: now in UTC, moments from the database, and days and times as the
organisation's clock shows them (``KLANKBORD_TIMEZONE``)."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones: always aware."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def aware_or_none(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else aware(moment)


def local_now(timezone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.now(timezone)


def local_today(timezone: dt.tzinfo) -> dt.date:
    return local_now(timezone).date()


def local_day(moment: dt.datetime, timezone: dt.tzinfo) -> dt.date:
    """The day ``moment`` falls on by the organisation's clock."""
    return aware(moment).astimezone(timezone).date()


def day_start(day: dt.date, timezone: dt.tzinfo) -> dt.datetime:
    """00:00 of ``day`` on the organisation's clock, as a UTC moment."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone).astimezone(dt.UTC)


def local_date(moment: dt.datetime, timezone: dt.tzinfo, end: bool = False) -> str:
    """``28-11-2026``; with ``end`` the day before an exclusive end moment (a wave that
    closes at 00:00 on the 15th closes at the end of the 14th)."""
    local = aware(moment).astimezone(timezone) - (
        dt.timedelta(seconds=1) if end else dt.timedelta()
    )
    return local.strftime("%d-%m-%Y")


def local_time(moment: dt.datetime, timezone: dt.tzinfo) -> str:
    """``14:05``."""
    return aware(moment).astimezone(timezone).strftime("%H:%M")


def local_moment(moment: dt.datetime | None, timezone: dt.tzinfo, seconds: bool = False) -> str:
    """``28-11-2026 14:05`` (with ``:07`` seconds when asked); "" for no moment."""
    if moment is None:
        return ""
    return (
        aware(moment)
        .astimezone(timezone)
        .strftime("%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M")
    )
