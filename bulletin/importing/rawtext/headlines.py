"""The contents list (● …) and the item titles, each read by the other.

A bulletin lists its headlines and then prints each item under its title. Either may be
broken over lines, and where the list ends and the first title begins is not marked. So
the list is not read alone: a headline is whatever joins into the text of a title printed
further on, in the same order, and a title is where a headline's text stands on lines of its
own. When the two cannot be matched the import stops with both raw lines named: a title is
never invented and an item never split where the text does not say so.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bulletin.importing.rawtext.lines import (
    DISTRIBUTION_RE,
    EDITOR_NOTE_RE,
    HEADLINE_RE,
    NUMBERED_HEADLINE_RE,
    SECTION_RE,
    Line,
    closes,
    is_unit,
    key,
    short,
)
from bulletin.importing.rawtext.paragraphs import glue
from bulletin.importing.rawtext.result import Unreadable

MAX_TITLE_LINES = 6
MAX_CONTINUATION = 4  # lines after the last ● that may still belong to it


@dataclass
class Headline:
    """One entry of the contents list: the ● line and the lines it was wrapped onto."""

    lines: list[Line]

    @property
    def text(self) -> str:
        first = HEADLINE_RE.match(self.lines[0].text) or NUMBERED_HEADLINE_RE.match(
            self.lines[0].text
        )
        parts = [first.group("text").strip() if first else self.lines[0].text]
        parts += [line.text for line in self.lines[1:]]
        text = parts[0]
        for part in parts[1:]:
            text += glue(text, part) + part
        return text

    @property
    def key(self) -> str:
        return key(self.text)

    def quoted(self) -> str:
        return "、".join(f"{line.span}“{short(line.text, 30)}”" for line in self.lines)


@dataclass(frozen=True)
class Title:
    """Where a headline's title stands: lines ``start``..``end - 1`` of the region."""

    start: int
    end: int


def may_hold_title(line: Line) -> bool:
    """A line that can be (part of) an item's title."""
    text = line.text
    return bool(
        text
        and not line.cells
        and not HEADLINE_RE.match(text)
        and not EDITOR_NOTE_RE.match(text)
        and not DISTRIBUTION_RE.match(text)
        and not is_unit(text)
    )


def _opens_block(region: list[Line], index: int) -> bool:
    """Whether a title may start at `index`: at the start, or after what closes a block."""
    if index == 0:
        return True
    before = region[index - 1]
    return (
        not may_hold_title(before)
        or closes(before.text)
        or before.heading
        or bool(SECTION_RE.match(before.text))
    )


def find_title(region: list[Line], start: int, wanted: str) -> Title | None:
    """The first place from `start` where whole lines spell the key `wanted`."""
    for first in range(start, len(region)):
        if not may_hold_title(region[first]) or not _opens_block(region, first):
            continue
        spelled = ""
        for last in range(first, min(first + MAX_TITLE_LINES, len(region))):
            if not may_hold_title(region[last]):
                break
            spelled += key(region[last].text)
            if spelled == wanted:
                end = last + 1  # and what only closes it, wrapped onto a line of its own: ”
                while (
                    end < len(region) and len(region[end].text) <= 2 and not key(region[end].text)
                ):
                    end += 1
                return Title(first, end)
            if not wanted.startswith(spelled):
                break
    return None


def match(headlines: list[Headline], region: list[Line]) -> list[Title] | None:
    """Each headline's title in `region`, in order; None if one is missing."""
    titles: list[Title] = []
    start = 0
    for headline in headlines:
        found = find_title(region, start, headline.key)
        if found is None:
            return None
        titles.append(found)
        start = found.end
    return titles


def read_list(
    headlines: list[Headline], after: list[Line], region: list[Line], note: bool
) -> tuple[list[Headline], list[Title], int]:
    """Settle how far the last headline runs and where each title stands.

    `after` are the lines between the last ● line and the next line with a role of its own
    (they may continue the last headline, or already be the first item's title); `region`
    is everything from those lines on. Returns the headlines, their titles in `region`, and
    how many lines of `after` belonged to the last headline. Without an editor's note in
    between, the first title must follow the list directly: a reading that leaves lines in
    between unplaced is not taken.
    """
    for taken in range(min(len(after), MAX_CONTINUATION) + 1):
        last = Headline(headlines[-1].lines + after[:taken])
        candidate = [*headlines[:-1], last]
        titles = match(candidate, region[taken:])
        if titles is None:
            continue
        orphans = [
            line
            for line in region[taken : taken + titles[0].start]
            if may_hold_title(line) and not SECTION_RE.match(line.text)
        ]
        if orphans and not note:
            continue
        return candidate, titles, taken
    raise Unreadable(_mismatch(headlines, after, region))


def _mismatch(headlines: list[Headline], after: list[Line], region: list[Line]) -> str:
    """Which headline has no title, and the nearest title-like lines, for the editor: read
    as far as the best reading of the list's end gets."""
    readings = []
    for taken in range(min(len(after), MAX_CONTINUATION) + 1):
        candidate = [*headlines[:-1], Headline(headlines[-1].lines + after[:taken])]
        readings.append((_matched(candidate, region[taken:]), candidate, region[taken:]))
    count, headlines, region = max(readings, key=lambda reading: reading[0][0])
    matched, start = count
    if matched == len(headlines):  # every title found, but text stands before the first
        first = find_title(region, 0, headlines[0].key)
        stray = [line for line in region[: first.start if first else 0] if may_hold_title(line)]
        lines = "、".join(f"{line.span}“{short(line.text, 30)}”" for line in stray[:3])
        return (
            f"本期要目之后、第一条标题之前有放不进去的文字：{lines}。它是要目最后一条折行的"
            "部分，还是正文？请对照印刷件核对原文后重新导入"
        )
    headline = headlines[matched]
    stop = len(region)
    for later in headlines[matched + 1 :]:
        other = find_title(region, start, later.key)
        if other is not None:
            stop = other.start
            break
    near = _nearest(headline.text, region[start:stop])
    where = (
        f"最接近的标题行是{near.span}“{short(near.text, 30)}”"
        if near is not None
        else f"在第{region[start].number}行之后没有找到它"
        if start < len(region)
        else "正文中没有找到它"
    )
    return (
        f"本期要目第{matched + 1}条 {headline.quoted()} 与正文中的条目标题对不上：{where}。"
        "要目与标题应一字不差（标点、空格除外）。请对照印刷件核对这两处：如是复制时"
        "断行、丢字或多字，改正原文后重新导入；如印刷件本身两处不同，请手工录入这期"
        "（invoke new），不要让导入程序猜测条目从哪里分开"
    )


def _matched(headlines: list[Headline], region: list[Line]) -> tuple[int, int]:
    """How many headlines, in order, have their title in `region`, and where the next search
    would start."""
    start = 0
    for number, headline in enumerate(headlines):
        found = find_title(region, start, headline.key)
        if found is None:
            return number, start
        start = found.end
    return len(headlines), start


def _nearest(text: str, lines: list[Line]) -> Line | None:
    best, best_ratio = None, 0.5
    for line in lines:
        if not may_hold_title(line) or len(line.text) > 60:
            continue
        ratio = difflib.SequenceMatcher(None, key(text), key(line.text)).ratio()
        if ratio > best_ratio:
            best, best_ratio = line, ratio
    return best
