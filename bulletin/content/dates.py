"""Dates as the documents state them: sometimes only a year and month, sometimes inferred.

A `PartialDate` keeps the precision the source gives. Chinese month-day dates inside a
bulletin item (``12月30日``) take their year from the issue: a month later than the issue's
month belongs to the previous year (12月30日 in a January 2014 issue is 2013-12-30).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# The archive holds documents of the People's Republic's Wenzhou: none is dated earlier (a
# date before it is a typing slip, 1014 for 2014). Reading a file refuses such dates.
EARLIEST_YEAR = 1949
ISO_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
ZH_FULL_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
MONTH_DAY_RE = re.compile(r"^(\d{1,2})月(\d{1,2})日")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not dt.MINYEAR <= self.year <= dt.MAXYEAR:
            raise ValueError(f"year {self.year} out of range")
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} out of range")
        if self.day is not None:
            dt.date(self.year, self.month or 1, self.day)  # raises ValueError if invalid

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Parse ``2014``, ``2014-01`` or ``2014-01-30`` (or a date object)."""
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, int) and not isinstance(value, bool):
            return cls(value)
        match = ISO_RE.match(str(value).strip())
        if not match:
            raise ValueError(f"not a date: {value!r}")
        year, month, day = (int(g) if g else None for g in match.groups())
        return cls(year, month, day)  # type: ignore[arg-type]

    @property
    def iso(self) -> str:
        parts = [f"{self.year:04d}"]
        if self.month is not None:
            parts.append(f"{self.month:02d}")
        if self.day is not None:
            parts.append(f"{self.day:02d}")
        return "-".join(parts)

    @property
    def zh(self) -> str:
        text = f"{self.year}年"
        if self.month is not None:
            text += f"{self.month}月"
        if self.day is not None:
            text += f"{self.day}日"
        return text

    @property
    def first_day(self) -> dt.date:
        """The earliest day the date can mean; used for sorting and feeds."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        """The latest day the date can mean."""
        if self.day is not None:
            return self.first_day
        if self.month is None:
            return dt.date(self.year, 12, 31)
        next_month = dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return next_month - dt.timedelta(days=1)

    def __str__(self) -> str:
        return self.iso


def month_day_in_issue(month: int, day: int, issue: PartialDate) -> PartialDate:
    """The full date of a month-day mentioned in an issue dated `issue`."""
    year = issue.year
    if issue.month is not None and month > issue.month:
        year -= 1
    return PartialDate(year, month, day)


def leading_month_day(text: str) -> tuple[int, int] | None:
    """The month and day a news paragraph opens with (``10月23日，…``), if any."""
    match = MONTH_DAY_RE.match(text.strip())
    if not match:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return month, day


def first_sentence_month_day(text: str) -> tuple[int, int] | None:
    """A month-day in the first sentence of a paragraph (``…于10月23日在我市召开。``)."""
    sentence = re.split(r"[。！？]", text.strip(), maxsplit=1)[0]
    match = re.search(r"(?<!\d)(\d{1,2})月(\d{1,2})日", sentence)
    if not match or "今年" in sentence[: match.start()][-4:]:
        return None
    month, day = int(match.group(1)), int(match.group(2))
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


def find_full_date(text: str) -> PartialDate | None:
    """The first ``2014年7月13日``-style date in `text`."""
    match = ZH_FULL_RE.search(text)
    if not match:
        return None
    try:
        return PartialDate(*(int(g) for g in match.groups()))
    except ValueError:
        return None
