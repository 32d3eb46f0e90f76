"""A Word file's text (.docx, read with python-docx), in reading order.

Each paragraph is a line (a line break within one starts another, marked as part of the same
paragraph, which the importer joins again); a paragraph in a heading
style, bold throughout, or centred and short is marked as a heading; a table's rows are lines
with their cells apart (tab-separated in the kept text), which the importer writes as a
Markdown table; text boxes (a masthead is often one) are read where they stand. Page headers
and footers are not the document's text: they are named in the import report.

An old Word file (.doc) cannot be read: the message says how to convert it.
"""

from __future__ import annotations

import io
import zipfile

from bulletin.importing.rawtext.result import Unreadable
from bulletin.importing.rawtext.sources import SourceText

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an old .doc (or .wps) file
HEADING_STYLES = ("heading", "title", "标题")
CONVERT_DOC = (
    "这是旧版 Word 文件（.doc），无法直接读取：请用 Word 或 WPS 打开，“另存为”Word 文档"
    "（.docx），再导入另存的文件"
)


def is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _refuse_a_bomb(data: bytes) -> None:
    """Raise Unreadable if the file's parts unpack to more than MAX_UNPACKED_BYTES (as their
    headers say: Python's zipfile never unpacks more than a part's header says)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # python-docx says it cannot read it
    if unpacked > MAX_UNPACKED_BYTES:
        raise Unreadable(
            f"这个 Word 文件解压后有 {unpacked // (1024 * 1024)} MB，超过 "
            f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB，不像是一期简报或一份文件：请确认选对了文件；"
            "文件中若有很大的图片，请删去图片后另存一份再导入"
        )


def is_old_word(data: bytes) -> bool:
    return data.startswith(OLE_MAGIC)


# What a .docx may hold unpacked: its parts are read whole (python-docx), so a small file
# that unpacks to gigabytes (a "zip bomb") would take the machine's memory. The largest
# bulletin's unpacks to well under 1 MB; pictures count too.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024


def read_docx(data: bytes) -> SourceText:
    """The text of a .docx file, a line per paragraph, headings and table rows marked."""
    from docx import Document  # python-docx, imported when a Word file is read
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _refuse_a_bomb(data)
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # a damaged file: say so, never a traceback
        raise Unreadable(
            f"无法读取这个 Word 文件（{type(exc).__name__}）：请用 Word 或 WPS 打开后另存为 .docx 再试"
        ) from None
    lines: list[str] = []
    headings: set[int] = set()
    soft: set[int] = set()
    fallback = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            for box in child.iter(qn("w:txbxContent")):
                if any(parent.tag == fallback for parent in box.iterancestors()):
                    continue  # the same box again, for old readers
                lines += [Paragraph(p, document).text for p in box.iter(qn("w:p"))]
            paragraph = Paragraph(child, document)
            heading = _is_heading(paragraph)
            for index, part in enumerate(paragraph.text.replace("\t", " ").split("\n")):
                lines.append(part)
                if heading and part.strip():
                    headings.add(len(lines))
                if index:
                    soft.add(len(lines))
        elif child.tag == qn("w:tbl"):
            for row in Table(child, document).rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is listed once per column
                        continue
                    seen.add(id(cell._tc))
                    cells.append(" ".join(cell.text.split()))
                lines.append("\t".join(cells) if any(cells) else "")
    notes = []
    for section in document.sections:
        for part, name in ((section.header, "页眉"), (section.footer, "页脚")):
            text = " ".join(p.text.strip() for p in part.paragraphs if p.text.strip())
            if text and f"{name}“{text}”" not in notes:
                notes.append(f"{name}“{text}”")
    return SourceText(
        "\n".join(lines) + "\n",
        label="Word 文档（.docx）",
        headings=frozenset(headings),
        soft=frozenset(soft),
        notes=tuple(f"Word 文件的{note}不是正文，未导入" for note in notes),
    )


def _is_heading(paragraph) -> bool:
    """A heading style, bold throughout, or a short centred line."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    style = paragraph.style
    name = (style.name or "").lower() if style is not None else ""
    if name.startswith(HEADING_STYLES):
        return True
    text = paragraph.text.strip()
    if not text:
        return False
    runs = [run for run in paragraph.runs if run.text.strip()]
    style_bold = bool(style is not None and style.font.bold)
    if runs and all(run.bold or (run.bold is None and style_bold) for run in runs):
        return True
    centred = paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
    return centred and len(text) <= 40
