"""Every committed document, printed again in many layouts, imports back to itself.

The layout generator (tests/layouts.py) lays each document out as editors receive it, from a
seed: wrapped at a random width or not, indented, with blank lines or not, headlines and
titles broken over lines, page numbers and running headers, the 编者按 and the print date
moved, CRLF, five encodings; and as Word and PDF files. Whatever the layout, the import must
give the committed document back (titles, slugs, dates, units, sections, paragraphs,
distribution, masthead, fragments), suggest the same counties and topics as the import of
its own raw text, and ask no question that import does not ask.

``IMPORT_LAYOUTS=2000 pytest tests/test_import_layouts.py`` runs more seeds per document
(default 40 text layouts, an eighth as many Word files and as many PDFs); a failure
names its seed, and ``test-results/layouts/`` keeps the file it read.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest

from bulletin.content.content_format import read_file
from bulletin.content.dates import PartialDate
from bulletin.content.model import Document, Issue
from bulletin.content.taxonomy import load_taxonomies
from bulletin.importing.importer import decode, read_source
from bulletin.importing.rawtext import ImportResult, import_text
from layouts import Variant, plain

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
ARTIFACTS = ROOT / "test-results" / "layouts"
COUNT = int(os.environ.get("IMPORT_LAYOUTS", "40"))  # text layouts per document
WORD_COUNT = max(1, COUNT // 8)
PDF_COUNT = max(1, COUNT // 8)

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
REVIEWED = {"counties", "topics"}
SPACE_BY_CHINESE_RE = re.compile(
    r"(?<=[\u4e00-\u9fff]) | (?=[\u4e00-\u9fff])"
)  # suggested by the importer, settled by editors


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
    skip.add("unit_absent")  # an editor's record, once the source was checked: no import's
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


def _no_space_by_chinese(value):
    """A PDF's text layer has no space at the end of a line: one beside a Chinese character
    (10.5 亿元) is lost where the line broke, in any PDF. Compared without them."""
    if isinstance(value, str):
        return SPACE_BY_CHINESE_RE.sub("", value)
    if isinstance(value, dict):
        return {k: v if k == "slug" else _no_space_by_chinese(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_no_space_by_chinese(v) for v in value)
    return value


def shown(document: Document) -> str:
    """Everything an imported document holds as text, whitespace removed."""
    parts: list[str] = []
    if isinstance(document, Issue):
        parts += [*document.masthead, *document.headlines, *plain(document.editor_note or "")]
        for item in document.items:
            parts += [item.section or "", item.title, *plain(item.body), item.unit or ""]
        parts += [f"{label}：{text}" for label, text in document.distribution]
        parts += [*document.fragments, document.date.value.zh if document.date.value else ""]
    else:
        for key in ("doc_number", "title", "recipients", "subtitle", "attachment"):
            parts.append(getattr(document, key, None) or "")
        parts += [*getattr(document, "issuers", []), *plain(document.body)]
        parts.append(f"（{document.date.value.zh}）" if document.date.value else "")
    return "".join("".join(parts).split())


def lost_lines(text: str, result: ImportResult) -> list[str]:
    """Lines of the text read that the document does not hold and no report names."""
    held = shown(result.document).replace(":", "：")
    dropped = {"".join(d.text.split()) for d in result.dropped}
    lost = []
    for line in text.splitlines():
        core = "".join(line.split()).replace(":", "：")
        core = re.sub(r"^[●•◆■▲★]|^【编者按】|^[【\[]|[】\]]$|(?<=日)(?:印发|编印|印)$", "", core)
        core = core.removesuffix("：")  # the recipients' line ends with its colon
        if core and core not in dropped and core not in held:
            lost.append(line)
    return lost


def check(
    name: str, result: ImportResult, read: bytes, suffix: str, variant: Variant, text: str = ""
) -> None:
    expected = facts(committed(name), reviewed=False)
    got = facts(result.document, reviewed=False)
    if suffix == ".pdf":
        expected, got = _no_space_by_chinese(expected), _no_space_by_chinese(got)
    suggested = {k: facts(baseline(name).document, True).get(k) for k in ("items", *REVIEWED)}
    if got != expected or questions(result) != questions(baseline(name)):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{name}-{variant.seed}{suffix}").write_bytes(read)
    assert got == expected, f"{variant}: the import differs from {name}"
    assert lost_lines(text, result) == [], f"{variant}: lines of the text read are lost"
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
    check(name, result, data, ".txt", variant, text)


def _imported(name: str, path: Path, data: bytes) -> tuple[ImportResult, str]:
    """The import of a Word or PDF file, and the text read from it (kept under raw/)."""
    path.write_bytes(data)
    _, _, options = DOCUMENTS[name]
    read = read_source(path, data)
    return import_text(read, source="", taxonomies=taxonomies(), **options), read.text


@pytest.mark.parametrize("seed", range(1000, 1000 + WORD_COUNT))
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_a_word_file_imports_back(name: str, seed: int, tmp_path: Path):
    """Written with python-docx: a paragraph per block, titles bold or in a heading style,
    centred masthead, a line break within a paragraph now and then, a page header."""
    variant = Variant(seed)
    data = variant.docx_bytes(committed(name))
    result, text = _imported(name, tmp_path / "received.docx", data)
    check(name, result, data, ".docx", variant, text)


@pytest.mark.parametrize("seed", range(2000, 2000 + PDF_COUNT))
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_a_pdf_imports_back(name: str, seed: int, tmp_path: Path):
    """Printed to PDF (reportlab, a Chinese CID font): wrapped by the font's widths, first
    lines indented, titles centred and larger, two columns at times, a running header and
    page numbers in the margins. (Chromium's PDFs would do, but their text layer maps a
    glyph shared by two characters to one of them, 户 to 戶, so no import could match.)"""
    variant = Variant(seed)
    data = variant.pdf_bytes(committed(name))
    result, text = _imported(name, tmp_path / "received.pdf", data)
    check(name, result, data, ".pdf", variant, text)
