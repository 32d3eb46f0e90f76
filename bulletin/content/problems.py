"""Problems found in content, reported to editors as ``file:line: what is wrong — what to do``."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]
# A problem is one line of output: a line break or control character quoted from content
# (a value such as "a\nb") is shown escaped, so no content can add or forge a line.
UNPRINTABLE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class OpenQuestion:
    """What an importer left for an editor to decide (see bulletin/importing/open_questions.py)."""

    decide: str  # what to decide, in Chinese
    raw: tuple[str, ...]  # the raw lines concerned, as quoted: 第12行：…


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str  # what is wrong, in Chinese
    hint: str  # what to do, in Chinese
    severity: Severity = "error"
    # Set on the problems that are an importer's open questions, for callers that show them
    # apart (a preview panel): `[p for p in problems if p.question]`.
    question: OpenQuestion | None = field(default=None, compare=False)

    def __str__(self) -> str:
        label = "错误" if self.severity == "error" else "警告"
        text = f"{self.path}:{self.line}: {label}：{self.message} — {self.hint}"
        return UNPRINTABLE_RE.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


class ContentError(Exception):
    """Raised when content cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def located(problem: Problem, content: Path) -> str:
    """A problem with its file path as an editor can open it from where they are.

    Relative to the working directory when the content is below it (so ``file:line`` is
    clickable in a terminal), absolute otherwise.
    """
    return f"{shown_directory(content)}/{problem}"


def shown_directory(content: Path) -> str:
    """The content directory as problems name it: relative to the working directory when
    it is below it, absolute otherwise."""
    directory = content.resolve()
    if directory.is_relative_to(Path.cwd()):
        directory = Path(os.path.relpath(directory))
    return directory.as_posix()
