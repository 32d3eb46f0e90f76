"""Long lists in pages of at most 100 entries, with stable URLs.

A list page at ``topics/wenshang-huigui/`` continues at ``topics/wenshang-huigui/page/2/``,
``…/page/3/`` and so on. Entries are counted as a reader sees them: a document is one entry;
an issue shown with its headlines is one entry plus one per headline, so a page of issues
also stays short. Pages are filled in order, newest first, so adding the newest document
moves at most one entry from each page to the next. Pure: no Pelican import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

PER_PAGE = 100
T = TypeVar("T")


def page_url(base_url: str, number: int) -> str:
    """The site-relative URL of page `number` (from 1) of the list at `base_url`."""
    return base_url if number == 1 else f"{base_url}page/{number}/"


def page_numbers(current: int, count: int, around: int = 2) -> list[int | None]:
    """Which page numbers a pager shows: the first, the last, and `around` on each side of
    the current one; None where numbers are left out (shown as …)."""
    shown = sorted({1, count, *range(max(1, current - around), min(count, current + around) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - (out[-1] or 0) == 2:
            out.append(number - 1)  # a gap of one page: show it rather than …
        elif out and number - (out[-1] or 0) > 2:
            out.append(None)
        out.append(number)
    return out


@dataclass(frozen=True)
class Pager:
    """Where one page of a list stands among its pages, for the template's pager."""

    number: int
    count: int
    base_url: str

    def url(self, number: int) -> str:
        return page_url(self.base_url, number)

    @property
    def previous_url(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.count else None

    @property
    def links(self) -> list[tuple[int | None, str | None]]:
        return [(n, self.url(n) if n else None) for n in page_numbers(self.number, self.count)]


@dataclass
class Page(Generic[T]):
    url: str
    pager: Pager
    entries: list[T] = field(default_factory=list)


def paginate(
    entries: Sequence[T],
    base_url: str,
    weight: Callable[[T], int] = lambda entry: 1,
    limit: int = PER_PAGE,
) -> list[Page[T]]:
    """Split `entries` in order into pages of at most `limit` entries (by `weight`).

    An entry heavier than `limit` gets a page of its own. An empty list is one empty page,
    so the list's URL always exists.
    """
    chunks: list[list[T]] = [[]]
    used = 0
    for entry in entries:
        size = weight(entry)
        if chunks[-1] and used + size > limit:
            chunks.append([])
            used = 0
        chunks[-1].append(entry)
        used += size
    count = len(chunks)
    return [
        Page(page_url(base_url, n), Pager(n, count, base_url), chunk)
        for n, chunk in enumerate(chunks, start=1)
    ]
