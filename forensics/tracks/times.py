"""Time values from files and case files, and how they relate to the event window.

A time without a UTC offset ("naive", as EXIF wrote it before 2.31) cannot be placed on the
absolute timeline: it is compared as if any real offset (UTC-12 to UTC+14) might apply, so it
is called inside/before/after the window only when every offset agrees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

MIN_OFFSET = timedelta(hours=-12)
MAX_OFFSET = timedelta(hours=14)

_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"\s*(Z|[+\-]\d{2}:?\d{2})?)?\s*$")
_EXIF = re.compile(r"^\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")


@dataclass(frozen=True)
class TimeValue:
    """A point in time as a file states it: ``dt`` is aware when ``has_offset``.

    ``date_only`` values (a day without a time) stand for the whole day.
    """

    dt: datetime
    has_offset: bool
    date_only: bool = False

    def iso(self) -> str:
        if self.date_only:
            return self.dt.date().isoformat()
        return self.dt.isoformat(timespec="seconds")

    def earliest_utc(self) -> datetime:
        """The earliest absolute instant this value can mean."""
        if self.has_offset:
            return self.dt.astimezone(timezone.utc)
        base = self.dt.replace(tzinfo=timezone.utc)
        return base - MAX_OFFSET

    def latest_utc(self) -> datetime:
        """The latest absolute instant this value can mean."""
        if self.has_offset:
            end = self.dt + (timedelta(days=1) - timedelta(seconds=1) if self.date_only
                             else timedelta(0))
            return end.astimezone(timezone.utc)
        base = self.dt.replace(tzinfo=timezone.utc)
        if self.date_only:
            base += timedelta(days=1) - timedelta(seconds=1)
        return base - MIN_OFFSET

    def utc_iso(self) -> str | None:
        """The absolute instant in UTC (ISO), or ``None`` when it is not fixed."""
        if not self.has_offset or self.date_only:
            return None
        return self.dt.astimezone(timezone.utc).isoformat(timespec="seconds")


def parse_time(value: object) -> TimeValue | None:
    """ISO 8601 / EXIF ``YYYY:MM:DD HH:MM:SS`` strings, dates and datetimes -> TimeValue.

    ``None`` when the value is not a time, or when it lies so close to the ends of the
    calendar (0001-01-01, 9999-12-31) that the instants it may mean cannot be computed.
    """
    tv = read_time(value)
    if tv is None:
        return None
    try:
        tv.earliest_utc()
        tv.latest_utc()
    except OverflowError:
        return None
    return tv


def read_time(value: object) -> TimeValue | None:
    """:func:`parse_time` without the calendar-ends check (for readers that explain that
    case themselves)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return TimeValue(value, value.tzinfo is not None and value.utcoffset() is not None)
    if isinstance(value, date):
        return TimeValue(datetime(value.year, value.month, value.day), False, date_only=True)
    text = str(value).strip()
    m = _ISO.match(text)
    try:
        if m:
            y, mo, d, hh, mi, ss, frac, off = m.groups()
            if hh is None:
                return TimeValue(datetime(int(y), int(mo), int(d)), False, date_only=True)
            micro = int((frac or "0")[:6].ljust(6, "0"))
            tz = None
            if off == "Z":
                tz = timezone.utc
            elif off:
                sign = -1 if off[0] == "-" else 1
                digits = off[1:].replace(":", "")
                delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
                if delta > timedelta(hours=14):
                    return None
                tz = timezone(sign * delta)
            dt = datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0), micro,
                          tzinfo=tz)
            return TimeValue(dt, tz is not None)
        m = _EXIF.match(text)
        if m:
            y, mo, d, hh, mi, ss = (int(g) for g in m.groups())
            return TimeValue(datetime(y, mo, d, hh, mi, ss), False)
    except ValueError:
        return None
    return None


@dataclass(frozen=True)
class Window:
    """The claimed event window (both ends aware)."""

    start: datetime
    end: datetime

    def relation(self, value: TimeValue) -> str:
        """``before`` / ``inside`` / ``after`` the window, or ``unknown`` when the value's
        possible instants (naive: any offset; date: the whole day) straddle a boundary."""
        lo, hi = value.earliest_utc(), value.latest_utc()
        start, end = self.start.astimezone(timezone.utc), self.end.astimezone(timezone.utc)
        if hi < start:
            return "before"
        if lo > end:
            return "after"
        if lo >= start and hi <= end:
            return "inside"
        return "unknown"

    def margin_hours(self, value: TimeValue) -> float:
        """Signed hours outside the window (negative: before start; 0 inside or unknown)."""
        rel = self.relation(value)
        if rel == "before":
            return -(self.start - value.latest_utc()).total_seconds() / 3600.0
        if rel == "after":
            return (value.earliest_utc() - self.end).total_seconds() / 3600.0
        return 0.0


def human_delta(hours: float) -> str:
    """``-1779.5`` -> ``"74 days before"``; ``3.2`` -> ``"3.2 h after"``."""
    side = "before" if hours < 0 else "after"
    h = abs(hours)
    if h >= 48 * 365:
        return f"{h / 24 / 365.25:.1f} years {side}"
    if h >= 48:
        return f"{h / 24:.0f} days {side}"
    return f"{h:.1f} h {side}"
