"""What editors are told about mentions and policies' validity fields (`invoke check`)."""

from __future__ import annotations

import os
from pathlib import Path

from bulletin.content.model import Document, Policy
from bulletin.content.problems import Problem
from bulletin.relations.references import STATUSES, References

# --- for editors ----------------------------------------------------------------------


def reference_problems(
    self: References, content: Path | None = None, starts: dict | None = None
) -> list[Problem]:
    """What `invoke check` reports about mentions and validity, with file lines
    (`starts`: where bodies start, kept by a preview between readings)."""
    problems: list[Problem] = []
    lines = _BodyStarts(content, {} if starts is None else starts)
    for found in self.found:
        mention, document = found.mention, found.document
        if not (mention.candidates or mention.suggestion or mention.problem):
            continue  # nothing to say: most mentions
        line = lines.line(document, found.line)
        if mention.status == "ambiguous":
            names = "、".join(f"{self.documents[k].title}（/{k}）" for k in mention.candidates)
            problems.append(
                Problem(
                    document.path,
                    line,
                    f"“{mention.text}”同时对应本库的 {len(mention.candidates)} 份文件：{names}",
                    "在提及处的原文中找出所指文件；改正其中一份文件的标题或文号，使之可以区分",
                )
            )
        elif mention.suggestion:
            problems.append(
                Problem(
                    document.path,
                    line,
                    f"“{mention.text}”与本库文件《{mention.suggestion}》只差一个字，未加链接",
                    f"是不是《{mention.suggestion}》？核对原文：原文如此则保留，页面标为本库未收录",
                    "warning",
                )
            )
        elif mention.problem:
            problems.append(
                Problem(
                    document.path,
                    line,
                    f"文号“{mention.text}”不可能存在（{mention.problem}）",
                    "核对原文；原文如此则保留，页面标为本库未收录",
                    "warning",
                )
            )
    for document in self.documents.values():
        if isinstance(document, Policy) or getattr(document, "interprets", None):
            problems += _field_problems(self, document)
    return problems


def _field_problems(refs: References, document: Document) -> list[Problem]:
    problems = []
    if isinstance(document, Policy):
        if document.status is not None and document.status not in STATUSES:
            problems.append(
                Problem(
                    document.path,
                    1,
                    f"效力状态（status）“{document.status}”无法识别",
                    f"写 {'、'.join(STATUSES)} 之一；原文未说明时写 null",
                )
            )
        if (document.status_date or document.replaced_by) and not document.status:
            problems.append(
                Problem(
                    document.path,
                    1,
                    "填写了 status_date 或 replaced_by，却没有效力状态（status）",
                    f"补上 status（{'、'.join(STATUSES)}）",
                )
            )
    interprets = getattr(document, "interprets", None)
    if interprets and document.url not in refs.interprets:
        problems.append(
            Problem(
                document.path,
                document.line,
                f"解读对象（interprets）“{interprets}”不是本库的政策文件",
                "写本库所收政策文件的文号或完整标题",
            )
        )
    return problems


class _BodyStarts:
    """The file line where a document's body starts (for problems' line numbers)."""

    def __init__(self, content: Path | None, starts: dict[tuple, int | None]):
        self.content = content
        self.starts = starts
        self.files: dict[str, list[str]] = {}
        self.stats: dict[str, tuple[int, int] | None] = {}  # path → size, mtime

    def line(self, document: Document, index: int) -> int:
        body = getattr(document, "body", "")
        if self.content is None or not body:
            return document.line
        path = os.path.join(self.content, document.path)
        if path not in self.stats:
            try:
                stat = os.stat(path)
                self.stats[path] = (stat.st_size, stat.st_mtime_ns)
            except OSError:
                self.stats[path] = None
        stat = self.stats[path]
        if stat is None:
            return document.line
        first = body.split("\n", 1)[0]
        key = (path, *stat, document.line, first)
        if key not in self.starts:
            self.starts[key] = self._start(document, Path(path), first)
        start = self.starts[key]
        return document.line if start is None else start + index

    def _start(self, document: Document, path: Path, first: str) -> int | None:
        lines = self.files.get(document.path)
        if lines is None:
            lines = self.files[document.path] = path.read_text(encoding="utf-8").splitlines()
        for number in range(document.line - 1, len(lines)):
            if lines[number].rstrip() == first:
                return number + 1
        return None
