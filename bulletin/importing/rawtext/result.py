"""What an import returns: the document, what was taken out or joined, and what is undecided."""

from __future__ import annotations

from dataclasses import dataclass, field

from bulletin.content.model import Document
from bulletin.importing.rawtext.lines import Line, short
from bulletin.importing.rawtext.pages import Dropped


@dataclass(frozen=True)
class Question:
    """Something the importer could not settle from the text: an editor decides.

    `where` says where it is written into the file: ``("issue", key)`` after a front-matter
    key, ``("item", n, field)`` after a field of item `n`'s metadata, ``("body", n, line)``
    above the paragraph of item `n` (0: the policy's or speech's text) that starts at raw
    line `line`.
    """

    decide: str  # what to decide, in Chinese
    lines: tuple[tuple[int, str], ...]  # the raw lines concerned: (number, text)
    where: tuple

    @property
    def text(self) -> str:
        """The question as written into the file: what to decide｜原文 第N行：…｜第M行：…"""
        quoted = [f"第{number}行：{short(text, 40)}" for number, text in self.lines]
        return "｜".join([self.decide, *(["原文 " + quoted[0], *quoted[1:]] if quoted else [])])


def quote(*lines: Line) -> tuple[tuple[int, str], ...]:
    """The raw lines a question names."""
    return tuple((line.number, line.text) for line in lines)


@dataclass
class ImportResult:
    document: Document
    kind: str
    notes: dict[int, dict[str, str]] = field(default_factory=dict)  # item → field → note
    attention: list[str] = field(default_factory=list)  # what the editor should look at
    dropped: list[Dropped] = field(default_factory=list)  # lines taken out (page furniture)
    joins: list[tuple[int, int]] = field(default_factory=list)  # raw line spans joined
    questions: list[Question] = field(default_factory=list)  # doubts: errors until settled


class Unreadable(Exception):
    """The text cannot be read without guessing; the message (Chinese) names the lines."""
