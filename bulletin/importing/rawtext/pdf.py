"""A PDF's text layer (read with pdfplumber), in reading order, without page furniture.

Characters are grouped into the lines they are printed on. A page set in two columns (a
gutter that many lines leave empty at the same place) is read column by column, each band
of columns before the full-width text below it. The first and last line of a page that stand
apart from the text (in the margins) and come back on other pages, or are a page number, are
page furniture: taken out by position and reported. Each line keeps what the page shows of
it: its indentation (as full-width spaces in the kept text), whether it fills its column,
whether it is set larger or bold (a title). Radicals a text layer may hold for ideographs
(⻢ for 马) are put back (`radicals`).

A PDF without a text layer (a scan) cannot be read: the message says how to convert it.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from bulletin.importing.rawtext.lines import DEBRIS_RE
from bulletin.importing.rawtext.pages import Dropped
from bulletin.importing.rawtext.radicals import ideographs
from bulletin.importing.rawtext.result import Unreadable
from bulletin.importing.rawtext.sources import SourceText

NO_TEXT = (
    "这个 PDF 没有文字层（多半是扫描件或图片），无法读取文字：请用 WPS 或 Adobe Acrobat 的"
    "“文字识别（OCR）”把它转成可以选中文字的 PDF 或 Word 文件，核对识别结果后再导入；"
    "也可以向发文单位索要 Word 原件"
)
DIGITS_RE = re.compile(r"\d+")
CID_RE = re.compile(r"\(cid:\d+\)")  # pdfminer's text for a glyph it cannot map


@dataclass
class _Line:
    """A printed line: its characters in order and where it stands."""

    chars: list[dict]
    page: int

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"]

    @property
    def x1(self) -> float:
        return self.chars[-1]["x1"]

    @property
    def top(self) -> float:
        return min(c["top"] for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c["bottom"] for c in self.chars)

    @property
    def size(self) -> float:
        return median(c["size"] for c in self.chars)

    @property
    def bold(self) -> bool:
        return all("bold" in c["fontname"].lower() for c in self.chars if c["text"].strip())

    @property
    def text(self) -> str:
        """The line's characters; a space where the PDF has one, or a gap wide as one between
        Latin letters or digits."""
        out = ""
        previous = None
        for char in self.chars:
            text = char["text"]
            if text.isspace():
                out += " "
            elif previous is not None and not previous["text"].isspace():
                gap = char["x0"] - previous["x1"]
                latin = previous["text"].isascii() and text.isascii()
                if gap > char["size"] * (0.15 if latin else 0.5):
                    out += " "
            out += "" if text.isspace() else text
            previous = char
        return ideographs(" ".join(out.split()))


@contextmanager
def _quiet() -> Iterator[None]:
    """pdfminer logs a warning for each odd font descriptor; the editor needs none of them."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


MAX_PAGES = 300  # the longest bulletin prints on a dozen pages


def read_pdf(data: bytes) -> SourceText:
    """The text of a PDF's text layer, a line per printed line, furniture taken out."""
    import pdfplumber  # imported when a PDF is read

    with _quiet():
        try:
            pdf = pdfplumber.open(io.BytesIO(data))
        except Exception as exc:  # damaged or encrypted: say so, never a traceback
            raise Unreadable(
                f"无法打开这个 PDF（{type(exc).__name__}）：如有密码保护，请先解除；"
                "或用 PDF 阅读器“另存为”一份再试"
            ) from None
        with pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise Unreadable(
                    f"这个 PDF 有 {len(pdf.pages)} 页，超过 {MAX_PAGES} 页，不像是一期简报或一份文件："
                    "请确认选对了文件；确是原文的，请分成几个文件再导入"
                )
            pages = [_page_lines(page.chars, number) for number, page in enumerate(pdf.pages, 1)]
    if not any(pages):
        raise Unreadable(NO_TEXT)
    unknown = [line for page in pages for line in page if CID_RE.search(line.text)]
    if unknown:  # a glyph whose font does not say which character it is
        where = "；".join(f"第{line.page}页“{line.text[:30]}”" for line in unknown[:5])
        raise Unreadable(
            f"这个 PDF 有 {len(unknown)} 行含有无法识别的字符（字体没有给出对应的文字，显示为"
            f"(cid:…)）：{where}。请向发文单位索要 Word 原件，或用 OCR 转换后核对再导入"
        )
    furniture = _furniture(pages)
    body = [[line for line in page if id(line) not in furniture] for page in pages]
    sizes = Counter(round(line.size, 1) for page in body for line in page)
    text_size = sizes.most_common(1)[0][0] if sizes else 0
    lines: list[str] = []
    headings: set[int] = set()
    fills: dict[int, bool] = {}
    for page in body:
        parts = _columns(page)
        edges = {}  # each column's edges on the page: where most lines start, most reach
        for side in {side for side, _ in parts}:
            lines_of = [line for each, column in parts if each == side for line in column]
            starts = Counter(round(line.x0) for line in lines_of)
            most = max(starts.values())
            left = min(x for x, count in starts.items() if count == most)  # ties: the margin
            edges[side] = (left, sorted(line.x1 for line in lines_of)[int(len(lines_of) * 0.8)])
        for side, column in parts:
            left, right = edges[side]
            for line in column:
                size = line.size
                indent = max(0, round((line.x0 - left) / size))  # an overhang counts none
                lines.append("\u3000" * indent + line.text)
                number = len(lines)
                # A wrapped line ends at the column's edge (a character or two short, where
                # 。 may not start the next line); a right-aligned one starts far from its
                # left, a centred one (a title) stands as far from both.
                before, after = line.x0 - left, right - line.x1
                centred = before > size * 0.6 and abs(before - after) < size * 0.6
                fills[number] = not centred and after < size * 2.2 and before < size * 2.5
                if line.bold or size >= text_size * 1.12:
                    headings.add(number)
    dropped = tuple(
        Dropped(0, line.text, f"第{line.page}页的{furniture[id(line)]}（按位置）")
        for page in pages
        for line in page
        if id(line) in furniture
    )
    return SourceText(
        "\n".join(lines) + "\n",
        label="PDF 文字层",
        headings=frozenset(headings),
        fills=fills,
        dropped=dropped,
    )


def _page_lines(chars: list[dict], page: int) -> list[_Line]:
    """A page's characters as printed lines, top to bottom (segments of a row apart when a
    wide gap, a column gutter, separates them)."""
    rows: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if rows and abs(char["top"] - rows[-1][0]["top"]) <= char["size"] * 0.5:
            rows[-1].append(char)
        else:
            rows.append([char])
    lines: list[_Line] = []
    for row in rows:
        row = sorted(row, key=lambda c: c["x0"])
        while row and row[-1]["text"].isspace():
            row.pop()
        while row and row[0]["text"].isspace():
            row.pop(0)
        if not row:
            continue
        segment = [row[0]]
        visible = row[0]  # the last character that is not a space
        for char in row[1:]:
            if char["text"].isspace():
                segment.append(char)
                continue
            if char["x0"] - visible["x1"] > char["size"] * 1.5:  # a gutter: another column
                while segment[-1]["text"].isspace():
                    segment.pop()
                lines.append(_Line(segment, page))
                segment = []
            segment.append(char)
            visible = char
        lines.append(_Line(segment, page))
    return lines


def _furniture(pages: list[list[_Line]]) -> dict[int, str]:
    """The first and last lines of pages that stand apart from the text and are a page
    number, come back on another page (the same words, numbers aside) or are set smaller
    than the text: line → 页眉/页脚."""
    candidates: list[tuple[_Line, str]] = []
    all_gaps = [b[0].top - a[0].bottom for page in pages for a, b in pairwise(_rows(page))]
    usual = median(all_gaps) if all_gaps else 0  # between the lines of the text, on any page
    for page in pages:
        rows = _rows(page)
        if len(rows) < 2:
            continue
        gaps = [b[0].top - a[0].bottom for a, b in pairwise(rows)]
        if gaps[0] > usual + rows[0][0].size:
            candidates += [(line, "页眉") for line in rows[0]]
        if gaps[-1] > usual + rows[-1][0].size:
            candidates += [(line, "页脚") for line in rows[-1]]
    pages_of: dict[str, set[int]] = {}
    for line, _ in candidates:
        pages_of.setdefault(DIGITS_RE.sub("#", line.text), set()).add(line.page)
    sizes = Counter(round(line.size, 1) for page in pages for line in page)
    small = sizes.most_common(1)[0][0] * 0.9 if sizes else 0  # set smaller than the text
    return {
        id(line): where
        for line, where in candidates
        if DEBRIS_RE.match(line.text)
        or len(pages_of[DIGITS_RE.sub("#", line.text)]) >= 2
        or line.size < small
    }


def _rows(page: list[_Line]) -> list[list[_Line]]:
    """The page's lines grouped by the row they stand on."""
    rows: list[list[_Line]] = []
    for line in page:
        if rows and abs(line.top - rows[-1][0].top) <= line.size * 0.5:
            rows[-1].append(line)
        else:
            rows.append([line])
    return rows


def _columns(page: list[_Line]) -> list[tuple[str, list[_Line]]]:
    """The page's lines in reading order, each group with its column (full, left, right): a
    band set in two columns is read left column first; lines across the gutter (full width)
    stand between bands."""
    if not page:
        return []
    gutter = _gutter(page)
    if gutter is None:
        return [("full", page)]
    out: list[tuple[str, list[_Line]]] = []
    left: list[_Line] = []
    right: list[_Line] = []
    for line in page:
        if line.x1 <= gutter:
            left.append(line)
        elif line.x0 >= gutter:
            right.append(line)
        else:  # full width: the columns above it end here
            out += [(side, part) for side, part in (("left", left), ("right", right)) if part]
            left, right = [], []
            out.append(("full", [line]))
    out += [(side, part) for side, part in (("left", left), ("right", right)) if part]
    return out


def _gutter(page: list[_Line]) -> float | None:
    """The x of a strip down the middle of the page that few lines cross and that has lines
    on both sides of it: the gutter between two columns."""
    left = min(line.x0 for line in page)
    right = max(line.x1 for line in page)
    best: tuple[int, float] | None = None
    x = left + (right - left) * 0.3
    while x < left + (right - left) * 0.7:
        crossing = sum(1 for line in page if line.x0 < x < line.x1)
        if best is None or crossing < best[0]:
            best = (crossing, x)
        x += 2
    if best is None:
        return None
    crossing, x = best
    side_by_side = sum(
        1
        for row in _rows(page)
        if any(line.x1 <= x for line in row) and any(line.x0 >= x for line in row)
    )
    if crossing > len(page) * 0.4 or not side_by_side:
        return None
    return x
