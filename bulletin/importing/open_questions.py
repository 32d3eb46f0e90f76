"""An importer's open questions left in a content file, reported as errors until settled.

`invoke import` writes what it could not decide from the text where it belongs in the file:
``# 待定：…`` after a metadata field, ``<!-- 待定：… -->`` above a paragraph (the marker is
defined in `content_format`). Each reads ``what to decide｜原文 第12行：…｜第13行：…``. An
editor settles one by correcting the file and deleting the marker, or by writing 已定 for
待定 where the importer's reading was right. Until then `invoke check` reports it as an error
at its line, a `Problem` whose `question` holds what to decide and the raw lines apart.
"""

from __future__ import annotations

from bulletin.content.content_format import QUESTION_RE
from bulletin.content.problems import OpenQuestion, Problem

HINT = "对照原文决定后改好这一处，再删去这条“待定”注释；导入的读法没错时，把“待定”改为“已定”"


def parse(text: str) -> OpenQuestion:
    """A marker's text → what to decide and the raw lines it quotes."""
    decide, *raw = text.split("｜")
    if raw:
        raw[0] = raw[0].removeprefix("原文").strip()
    return OpenQuestion(decide.strip(), tuple(part.strip() for part in raw if part.strip()))


def open_questions(path: str, text: str) -> list[Problem]:
    """The open questions in one content file's text, in file order."""
    if "待定" not in text:  # every marker holds it: most files need no line looked at
        return []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = QUESTION_RE.search(line)
        if found is None:
            continue
        question = parse(found.group("text"))
        quoted = f"（原文 {'；'.join(question.raw)}）" if question.raw else ""
        problems.append(
            Problem(
                path, number, f"导入时未能确定：{question.decide}{quoted}", HINT, "error", question
            )
        )
    return problems
