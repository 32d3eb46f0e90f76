"""Page furniture in a raw text: page numbers and the running headers and footers of each page.

A text copied out of a paged document carries, between the pages, the page number (— 3 —,
第 3 页, 3/8) and often a running header or footer (the bulletin's name, 第12期 第3页). They
are not the document's text: `drop_page_furniture` takes them out and says which lines it
took and why, so the import report can list every one. A line counts as a running header or
footer only when it stands at a page break and comes back at page breaks (or names the page
number itself); a line of the document that merely repeats (a reporting unit) is kept.
Blank lines at a page break say nothing about paragraphs: the line after a break does not
know whether a blank line stood before it (`Line.blank_before` is None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bulletin.importing.rawtext.lines import (
    DEBRIS_RE,
    DISTRIBUTION_RE,
    HEADLINE_RE,
    ISSUE_NUMBER_RE,
    MASTHEAD_NAME_RE,
    Line,
    ends_sentence,
    is_unit,
)

PAGE_WORD_RE = re.compile(
    r"第\s*\d{1,3}\s*页|[—\-－–―─]\s*\d{1,3}\s*[—\-－–―─]|\d{1,3}\s*/\s*\d{1,3}"
)
DIGITS_RE = re.compile(r"\d+")
NEAR = 2  # a running header or footer is among the first or last lines of a page


@dataclass(frozen=True)
class Dropped:
    """A line taken out of the text: its number, its text, and why (in Chinese)."""

    number: int
    text: str
    why: str


def _shape(text: str) -> str:
    """A line with its numbers blanked: the same header on every page has the same shape."""
    return DIGITS_RE.sub("#", text.replace(" ", ""))


def _may_be_furniture(text: str) -> bool:
    """Headers and footers are short labels: never a unit, a 报/送/发 line, a headline or the
    end of a sentence (a wrapped paragraph's last word, 。 alone, may well repeat)."""
    return not (
        len(text) < 4
        or ends_sentence(text)
        or is_unit(text)
        or DISTRIBUTION_RE.match(text)
        or HEADLINE_RE.match(text)
    )


def drop_page_furniture(lines: list[Line]) -> tuple[list[Line], list[Dropped]]:
    """The lines without page numbers and running headers and footers, and what was dropped.

    Blank lines are kept (as lines with empty text) so that paragraphs separated by blank
    lines can still be told apart; see `Line.blank_before`.
    """
    text_lines = [line for line in lines if line.text]
    count = len(text_lines)
    breaks = [i for i, line in enumerate(text_lines) if DEBRIS_RE.match(line.text)]
    near_break: set[int] = set()
    for i in breaks:
        near_break.update(range(max(0, i - NEAR), min(count, i + NEAR + 1)))
    near_break.difference_update(breaks)
    edges = near_break | set(range(min(NEAR, count)))  # the top of the first page too
    first_page = breaks[0] if breaks else count
    shapes: dict[str, list[int]] = {}
    for i, line in enumerate(text_lines):
        shapes.setdefault(_shape(line.text), []).append(i)
    dropped: dict[int, Dropped] = {}
    for i in breaks:
        line = text_lines[i]
        dropped[line.number] = Dropped(line.number, line.text, "页码")
    for i in sorted(edges):
        line = text_lines[i]
        if not _may_be_furniture(line.text):
            continue
        places = shapes[_shape(line.text)]
        masthead = bool(MASTHEAD_NAME_RE.match(line.text) or ISSUE_NUMBER_RE.match(line.text))
        at_breaks = [place for place in places if place in near_break]
        everywhere = len(places) >= 2 and all(place in edges for place in places)
        if i in near_break:  # at a page break, and at another one or the top of the first page
            repeated = len(at_breaks) >= 2 or everywhere
        else:  # at the top of the first page, and at page breaks only
            repeated = bool(at_breaks) and all(place in edges for place in places)
            repeated = repeated and not (masthead and i == places[0])  # the masthead itself
        names_page = bool(PAGE_WORD_RE.search(line.text)) and len(line.text) <= 40
        header = i in near_break and i > first_page and _after_break(i, breaks)
        echoes_masthead = header and _masthead_like(line.text)
        if repeated or names_page or echoes_masthead:
            why = "页眉" if i not in near_break or _after_break(i, breaks) else "页脚"
            dropped[line.number] = Dropped(line.number, line.text, why)
    kept: list[Line] = []
    blank = False
    at_break = False
    for line in lines:
        if line.number in dropped:
            at_break = True
            continue
        if not line.text:
            blank = True
            kept.append(line)
            continue
        line.blank_before = None if at_break else blank
        blank = at_break = False
        kept.append(line)
    return kept, sorted(dropped.values(), key=lambda d: d.number)


def _after_break(i: int, breaks: list[int]) -> bool:
    """Whether text line `i` follows a page number more closely than it precedes one."""
    before = min((i - b for b in breaks if b < i), default=10**9)
    after = min((b - i for b in breaks if b > i), default=10**9)
    return before <= after


def _masthead_like(text: str) -> bool:
    """The bulletin's name or issue number, or both on one line: a running header."""
    parts = text.split(" ")
    return all(MASTHEAD_NAME_RE.match(p) or ISSUE_NUMBER_RE.match(p) for p in parts)
