"""A source's text as read, with what its file's layout said about the lines.

A text file is only its text. A Word file also says which paragraphs are headings (a heading
style, bold throughout, centred) and which lines a paragraph was broken into; a PDF says which lines fill their column and which page
furniture it took out by position. `SourceText.lines` gives the numbered `Line`s with those
hints; the text itself is what is kept under ``content/raw/``, so every line of it can be
found again on the site.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bulletin.importing.rawtext.lines import Line, split_lines
from bulletin.importing.rawtext.pages import Dropped


@dataclass(frozen=True)
class SourceText:
    text: str
    label: str = "文本"  # what was read, for the import report: 文本, Word 文档, PDF 文字层
    headings: frozenset[int] = frozenset()  # line numbers styled as headings (Word)
    fills: Mapping[int, bool] = field(default_factory=dict)  # line → fills its column (PDF)
    soft: frozenset[int] = frozenset()  # lines after a line break within a paragraph (Word)
    dropped: tuple[Dropped, ...] = ()  # taken out before the text was kept (PDF furniture)
    notes: tuple[str, ...] = ()  # what the reader reports (Word headers not imported)

    def lines(self) -> list[Line]:
        lines = split_lines(self.text)
        for line in lines:
            line.heading = line.number in self.headings and bool(line.text)
            line.fills = self.fills.get(line.number)
            line.soft = line.number in self.soft
        return lines
