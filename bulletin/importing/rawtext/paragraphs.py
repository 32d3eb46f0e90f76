"""Paragraphs from lines, joined by the sentence at any wrap width, and the layout that tells.

A PDF wraps every paragraph at the width of its column; text copied out of Word may break a
sentence in the middle (出席签约仪式并 / 讲话). The rule is the sentence's: a line that does
not end a sentence (no 。！？；：… and no closing quote or bracket) runs on into the next line.
A line that does end a sentence may still have been wrapped, when it fills the whole width:
then the layout decides, by what marks a new paragraph in this text: an indented first line
(首行缩进), a blank line between paragraphs. Where the layout says nothing, or contradicts
the sentence, the importer does not guess: the lines stay apart and a question is asked.

`Layout` is measured once per document (`measure`), from all its lines; `join` turns one
region's lines (an item's body, an editor's note, a policy's text) into paragraphs and says
which raw lines it joined.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import pairwise

from bulletin.importing.rawtext.lines import (
    ISSUE_NUMBER_RE,
    MASTHEAD_DATE_RE,
    MASTHEAD_NAME_RE,
    TRAILING_UNIT_RE,
    Line,
    closes,
    ends_sentence,
    is_structural,
    is_unit,
    md_paragraph,
    width,
)

CN_NUM = "一二三四五六七八九十"
SECTION_HEADING_RE = re.compile(rf"^[{CN_NUM}]+、[^。]{{1,30}}$")
SUBSECTION_HEADING_RE = re.compile(rf"^[（(][{CN_NUM}]+[)）][^。]{{1,30}}。?$")
# A number or Latin word is never broken, nor the space between it and the next character.
LATIN_RE = re.compile(r"^[A-Za-z0-9.%+\-/@&']+(?: \S)?")
NUMBERED_RE = re.compile(rf"^(?:[{CN_NUM}]+、|[（(][{CN_NUM}]+[)）]|\d{{1,3}}[．.](?!\d))")
SLACK = 4  # display columns a wrapped line may fall short of its width: a character carried
# over with the 。 or ， that may not start a line, and the “ that may not end one


@dataclass(frozen=True)
class Layout:
    """How a raw text is laid out, measured from its lines."""

    width: int | None = None  # the width its paragraphs were wrapped at, if they were
    base_indent: int = 0  # the indentation every line has
    indents: bool = False  # a paragraph's first line is indented (首行缩进)
    blanks: bool = False  # a blank line stands between paragraphs

    def full(self, line: Line, following: Line | None = None) -> bool:
        """Whether a line fills the width, as a line that was wrapped does: nearly, or so
        that the number or Latin word `following` opens with could not fit on it."""
        if line.fills is not None:
            return line.fills
        if self.width is None:
            return False
        used = width(line.text)
        word = LATIN_RE.match(following.text) if following is not None else None
        return used >= self.width - SLACK or bool(word and used + width(word.group(0)) > self.width)

    def indented(self, line: Line) -> bool:
        return line.indent - self.base_indent >= 2

    def starts_paragraph(self, line: Line) -> bool | None:
        """Whether the layout marks `line` as a paragraph's first line (None: it cannot tell).

        Where the layout says nothing (no indentation, no blank lines, a page break), a line
        that opens with a part's number (三、 （二） 5．) starts a paragraph."""
        if self.indents:
            return self.indented(line)
        if self.blanks and line.blank_before is not None:
            return line.blank_before
        return True if NUMBERED_RE.match(line.text) else None


def _is_text(line: Line) -> bool:
    """A line of running text: not a line with a role of its own, the masthead's, or one set
    as a heading (a title centred and larger, in Word or a PDF)."""
    text = line.text
    masthead = (
        MASTHEAD_NAME_RE.match(text) or ISSUE_NUMBER_RE.match(text) or MASTHEAD_DATE_RE.match(text)
    )
    return bool(text) and not (line.cells or line.heading or is_structural(text) or masthead)


def measure(lines: list[Line]) -> Layout:
    """The layout of a whole text (its blank lines already marked on the lines after them)."""
    present = [line for line in lines if line.text]
    text = [line for line in present if _is_text(line)]
    pairs = [(a, b) for a, b in pairwise(present) if _is_text(a) and _is_text(b)]
    runs_on = [a for a, b in pairs if not closes(a.text)]
    wrap = _wrap_width(text, runs_on)
    layout = Layout(width=wrap)
    continuations = [b for a, b in pairs if not closes(a.text) and layout.full(a, b)]
    # A paragraph's first line follows the end of a sentence and closes or runs on itself (a
    # title does neither); after a line that does not fill the width, it surely starts one.
    following = {id(a): b for a, b in pairs}
    body_after_end = [
        (a, b)
        for a, b in pairs
        if closes(a.text) and (ends_sentence(b.text) or layout.full(b, following.get(id(b))))
    ]
    starts = [b for a, b in body_after_end if not layout.full(a, b)]
    indents = Counter(line.indent for line in continuations or text)
    base = (indents.most_common(1)[0][0] if continuations else min(indents)) if indents else 0
    layout = Layout(width=wrap, base_indent=base)
    # Indentation marks paragraphs when wrapped lines never have it and paragraphs' first
    # lines do (where every paragraph ends with a full line, any that has it tells).
    marked = (
        _share(starts, layout.indented) >= 0.6
        if starts
        else any(layout.indented(b) for _, b in body_after_end)
    )
    blank = _share(starts, lambda line: bool(line.blank_before))
    return Layout(
        width=wrap,
        base_indent=base,
        indents=len(continuations) >= 2
        and _share(continuations, layout.indented) <= 0.1
        and marked,
        blanks=blank >= 0.6 and _share(continuations, lambda line: bool(line.blank_before)) <= 0.1,
    )


def _share(lines: list[Line], test) -> float:
    return sum(1 for line in lines if test(line)) / len(lines) if lines else 0.0


def _wrap_width(text: list[Line], runs_on: list[Line]) -> int | None:
    """The width lines were wrapped at: most lines that run on are (nearly) that wide, and
    hardly any line is wider."""
    widths = [width(line.text) for line in runs_on if width(line.text) >= 16]
    if len(widths) < 3:
        return None
    counts = Counter(widths)
    best = max(counts, key=lambda w: (sum(counts[v] for v in range(w - SLACK + 1, w + 1)), w))
    near = sum(counts[v] for v in range(best - SLACK + 1, best + 1))
    if near < max(3, len(widths) // 2):
        return None
    wider = sum(1 for line in text if width(line.text) > best + 2)
    return best if wider <= len(text) * 0.05 else None


@dataclass
class Joined:
    """One region's paragraphs: each a `Line` spanning the raw lines it was joined from."""

    paragraphs: list[Line] = field(default_factory=list)
    joins: list[tuple[int, int]] = field(default_factory=list)  # raw line spans joined
    doubts: list[tuple[Line, Line, str]] = field(default_factory=list)  # lines, what to decide


def is_heading(line: Line, layout: Layout) -> bool:
    """A numbered heading on a line of its own (一、…, （一）…), not a wrapped line."""
    text = line.text
    return bool(
        (SECTION_HEADING_RE.match(text) or SUBSECTION_HEADING_RE.match(text))
        and not layout.full(line)
    )


def _wrapped_heading(paragraph: Line, tail: Line, line: Line, layout: Layout) -> bool:
    """A numbered heading, perhaps wrapped in a narrow column (二、温商回归工 / 作的目标与任务),
    ends where a line of it does not fill the width or the next line starts a paragraph."""
    text = paragraph.text
    numbered = SECTION_HEADING_RE.match(text) or SUBSECTION_HEADING_RE.match(text)
    return bool(numbered) and (not layout.full(tail) or layout.starts_paragraph(line) is True)


def glue(left: str, right: str) -> str:
    """What stands between two wrapped parts: a space between Latin words, else nothing (a
    number broken over two lines is one number)."""
    latin = left and right and left[-1].isascii() and left[-1].isalpha()
    return " " if latin and right[0].isascii() and right[0].isalpha() else ""


def join(lines: list[Line], layout: Layout) -> Joined:
    """Paragraphs of one region, in order; table rows stay rows (see `blocks`)."""
    joined = Joined()
    tail: Line | None = None  # the last raw line of the paragraph being built
    for line in lines:
        if not line.text:
            continue
        current = joined.paragraphs[-1] if joined.paragraphs else None
        decision = (
            _continues(tail, line, layout, current) if current is not None and tail else False
        )
        if isinstance(decision, str):
            joined.doubts.append((tail, line, decision))
            decision = False
        if decision and current is not None:
            current.text += glue(current.text, line.text) + line.text
            current.last = line.last
        else:
            joined.paragraphs.append(replace(line))
        tail = line
    for paragraph in joined.paragraphs:
        if paragraph.last != paragraph.number:
            joined.joins.append((paragraph.number, paragraph.last))
    return joined


def _continues(tail: Line, line: Line, layout: Layout, paragraph: Line) -> bool | str:
    """Whether `line` continues `paragraph`, whose last raw line is `tail`; a str: a doubt."""
    if tail.cells or line.cells or tail.heading or line.heading:
        return False
    if is_structural(line.text):
        return False
    if line.soft:  # the file says so: a line break within a paragraph
        return True
    # a reporting unit wrapped over the two lines: （泰顺县协作办、鹿 / 城区经合办）
    unit = TRAILING_UNIT_RE.match(paragraph.text + line.text)
    if unit and unit.start("unit") < len(paragraph.text) and is_unit(unit.group("unit")):
        return True
    if is_unit(tail.text + line.text):
        return True
    if is_heading(tail, layout) or _wrapped_heading(paragraph, tail, line, layout):
        return False
    if is_heading(line, layout) and closes(tail.text):
        return False
    starts = layout.starts_paragraph(line)
    if not closes(tail.text):
        if starts:
            return (
                f"{tail.span}“…{tail.text[-12:]}”没有句末标点，下一行却另起一段："
                "两行是同一段（合并），还是各成一段？"
            )
        return True
    if layout.full(tail, line):
        if starts is None:
            return (
                f"{tail.span}以句末标点结尾且写满一行，原文没有缩进或空行表明分段："
                f"下一行“{line.text[:12]}…”是另起一段，还是接着上一段？"
            )
        return not starts
    return False


def blocks(paragraphs: list[Line]) -> list[str]:
    """Markdown blocks of paragraphs: text escaped, consecutive table rows as one table."""
    out: list[str] = []
    rows: list[tuple[str, ...]] = []
    for paragraph in [*paragraphs, None]:
        if paragraph is not None and paragraph.cells:
            rows.append(paragraph.cells)
            continue
        if rows:
            out.append(table_markdown(rows) if len(rows) > 1 else md_paragraph(" ".join(rows[0])))
            rows = []
        if paragraph is not None:
            out.append(md_paragraph(paragraph.text))
    return out


def table_markdown(rows: list[tuple[str, ...]]) -> str:
    """A Markdown table; the first row is its header, every cell's text escaped."""
    columns = max(len(row) for row in rows)

    def cell(text: str) -> str:
        return md_paragraph(text).replace("|", "\\|") if text else " "

    def line(row: tuple[str, ...]) -> str:
        cells = [*row, *[""] * (columns - len(row))]
        return "| " + " | ".join(cell(c) for c in cells) + " |"

    return "\n".join([line(rows[0]), "| " + " | ".join(["---"] * columns) + " |"]
                     + [line(row) for row in rows[1:]])  # fmt: skip
