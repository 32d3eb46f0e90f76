"""Every committed document, printed again in many layouts, imports back to itself.

The layout generator (tests/layouts.py) lays each document out as editors receive it, from a
seed: wrapped at a random width or not, indented, with blank lines or not, headlines and
titles broken over lines, page numbers and running headers, the 编者按 and the print date
moved, CRLF, five encodings; and as Word and PDF files. Whatever the layout, the import must
give the committed document back (titles, slugs, dates, units, sections, paragraphs,
distribution, masthead, fragments), suggest the same counties and topics as the import of
its own raw text, and ask no question that import does not ask.

``IMPORT_LAYOUTS=2000 pytest tests/test_import_layouts.py`` runs more seeds per document
(default 40); a failure names its seed, and ``test-results/layouts/`` keeps the file it read.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from bulletin.content_format import read_file
from bulletin.dates import PartialDate
from bulletin.importer import decode
from bulletin.model import Document, Issue
from bulletin.rawtext import ImportResult, import_text
from bulletin.taxonomy import load_taxonomies
from layouts import Variant

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
ARTIFACTS = ROOT / "test-results" / "layouts"
COUNT = int(os.environ.get("IMPORT_LAYOUTS", "40"))

# Each document → its committed file and raw text, and what the editor told invoke import.
DOCUMENTS = {
    "2014-01": (CONTENT / "bulletins/2014-01.md", CONTENT / "raw/2014-01-jianbao.txt", {}),
    "2014-10": (
        CONTENT / "bulletins/2014-10.md",
        CONTENT / "raw/2014-10-jianbao.txt",
        {"date": PartialDate(2014, 10)},
    ),
    "2014-07-13": (
        CONTENT / "bulletins/2014-07-13.md",
        CONTENT / "raw/2014-07-13-jianbao.txt",
        {},
    ),
    "speech": (
        CONTENT / "speeches/2014-05-29-chen-yixin.md",
        CONTENT / "raw/2014-05-29-chen-yixin-jianghua.txt",
        {},
    ),
    "policy": (
        CONTENT / "policies/wenweifa-2014-27.md",
        CONTENT / "raw/wenweifa-2014-27-zhengce.txt",
        {"date": PartialDate(2014, 5)},
    ),
    **{path.stem: (path, path.with_suffix(".txt"), {}) for path in sorted(FIXTURES.glob("*.md"))},
}
REVIEWED = {"counties", "topics"}  # suggested by the importer, settled by editors


@cache
def taxonomies():
    return load_taxonomies(CONTENT)


@cache
def committed(name: str) -> Document:
    path, _, _ = DOCUMENTS[name]
    document, problems = read_file(path, path.parent.parent)
    assert document is not None, problems
    return document


def facts(document: Document, reviewed: bool) -> dict:
    """What an import must get right; `reviewed`: the suggested counties and topics too."""
    skip = {"html", "toc", "url", "field_lines", "path", "source", "line", "issue", "related"}
    skip |= set() if reviewed else REVIEWED

    def of(thing) -> dict:
        out = {k: v for k, v in vars(thing).items() if k not in skip | {"items", "date"}}
        out["date"] = (thing.date.value, thing.date.inferred)
        return out

    found = of(document)
    if isinstance(document, Issue):
        found["items"] = [of(item) for item in document.items]
    return found


def questions(result: ImportResult) -> list[tuple]:
    """The questions an import asks, by what they are about (not by line numbers)."""
    return sorted(q.where[:2] if q.where[0] == "body" else q.where for q in result.questions)


@cache
def baseline(name: str) -> ImportResult:
    """The import of the document's own raw text."""
    _, raw, options = DOCUMENTS[name]
    text, _ = decode(raw.read_bytes())
    return import_text(text, source="", taxonomies=taxonomies(), **options)


def check(name: str, result: ImportResult, read: bytes, suffix: str, variant: Variant) -> None:
    expected = facts(committed(name), reviewed=False)
    got = facts(result.document, reviewed=False)
    suggested = {k: facts(baseline(name).document, True).get(k) for k in ("items", *REVIEWED)}
    if got != expected or questions(result) != questions(baseline(name)):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{name}-{variant.seed}{suffix}").write_bytes(read)
    assert got == expected, f"{variant}: the import differs from {name}"
    assert questions(result) == questions(baseline(name)), f"{variant}: {result.questions}"
    for key in REVIEWED:
        if isinstance(result.document, Issue):
            assert [getattr(i, key) for i in result.document.items] == [
                i[key] for i in suggested["items"]
            ], variant
        else:
            assert getattr(result.document, key) == suggested[key], variant


def test_the_baselines_are_the_committed_documents():
    """Importing each document's own raw text gives the committed document."""
    for name in DOCUMENTS:
        assert facts(baseline(name).document, False) == facts(committed(name), False), name


@pytest.mark.parametrize("seed", range(COUNT))
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_a_text_layout_imports_back(name: str, seed: int):
    variant = Variant(seed)
    data = variant.text_bytes(committed(name))
    text, _ = decode(data)
    _, _, options = DOCUMENTS[name]
    result = import_text(text, source="", taxonomies=taxonomies(), **options)
    check(name, result, data, ".txt", variant)
