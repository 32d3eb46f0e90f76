"""Raw text of a bulletin, policy or speech (exported from Word or a PDF) → model objects.

The importer's logic, with no file or Pelican access: `import_text` takes the decoded text
and returns the document plus what the editor must look at. It never drops text silently:
page numbers and running headers and footers are the only text it discards, and it reports
each (`pages`); every other line ends up in the document, in its metadata, or among the
issue's `fragments`. Every join of lines is reported; every doubt becomes a `Question`,
written into the file for `invoke check` to report until an editor settles it.
"""

from __future__ import annotations

from bulletin.content.dates import PartialDate
from bulletin.content.taxonomy import Taxonomy
from bulletin.importing.rawtext.documents import (
    DOC_NUMBER_RE,
    SUBTITLE_RE,
    import_policy,
    import_speech,
)
from bulletin.importing.rawtext.issue import import_issue
from bulletin.importing.rawtext.lines import DEBRIS_RE, HEADLINE_RE, clean_line
from bulletin.importing.rawtext.result import ImportResult, Question, Unreadable
from bulletin.importing.rawtext.sources import SourceText

__all__ = [
    "DEBRIS_RE",
    "HEADLINE_RE",
    "ImportResult",
    "Question",
    "Unreadable",
    "detect_kind",
    "import_text",
]


def detect_kind(text: str) -> str:
    """bulletin, policy or speech, from the first lines of a raw text."""
    lines = [clean_line(line) for line in text.splitlines() if line.strip()][:12]
    if any(DOC_NUMBER_RE.match(line) for line in lines[:3]):
        return "policy"
    for line, following in zip(lines, [*lines[1:], ""], strict=True):
        if SUBTITLE_RE.match(line) and "讲话" in line + following:  # the subtitle may wrap
            return "speech"
    return "bulletin"


def import_text(
    text: str | SourceText,
    *,
    source: str,
    taxonomies: dict[str, Taxonomy],
    kind: str | None = None,
    date: PartialDate | None = None,
    number: str | None = None,
) -> ImportResult:
    """Turn raw text (or a file's text as read) into a document. `date` and `number` are
    what the editor knows."""
    read = text if isinstance(text, SourceText) else SourceText(text)
    kind = kind or detect_kind(read.text)
    lines = read.lines()
    if kind == "policy":
        result = import_policy(lines, source, taxonomies, date)
    elif kind == "speech":
        result = import_speech(lines, source, taxonomies, date)
    else:
        result = import_issue(lines, source, taxonomies, date, number)
    result.dropped = sorted([*read.dropped, *result.dropped], key=lambda d: d.number)
    result.attention = [*read.notes, *result.attention]
    return result
