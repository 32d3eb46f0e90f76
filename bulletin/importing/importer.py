"""`invoke import`: a received file → Markdown file under ``content/``, with a report for editors.

File handling only; the parsing is in `rawtext`. A text file is decoded (UTF-8 with or without
BOM, GB18030/GBK, UTF-16); a Word file (.docx) and a PDF's text layer are read by
`rawtext.word` and `rawtext.pdf`. The text that was read is kept under ``content/raw/`` for
provenance (a text file as received when it is UTF-8). Nothing is overwritten without
``force``.
"""

from __future__ import annotations

import codecs
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from bulletin.content.content_files import MAX_FILE_BYTES
from bulletin.content.content_format import format_document
from bulletin.content.dates import PartialDate
from bulletin.content.model import Issue
from bulletin.content.paths import UnsafePath, inside
from bulletin.content.raw_names import RAW_DIR, free_raw_name, raw_name_problem
from bulletin.content.raw_names import raw_name as default_raw_name
from bulletin.content.taxonomy import load_taxonomies
from bulletin.importing.rawtext import ImportResult, Unreadable, import_text
from bulletin.importing.rawtext.pdf import read_pdf
from bulletin.importing.rawtext.sources import SourceText
from bulletin.importing.rawtext.word import (
    CONVERT_DOC,
    OLE_MAGIC,
    is_docx,
    is_old_word,
    read_docx,
)

KIND_DIRS = {"bulletin": "bulletins", "policy": "policies", "speech": "speeches"}
ENCODING_LABELS = {"utf_8": "UTF-8", "utf-8": "UTF-8", "gb18030": "GB18030"}


class ImportRefused(Exception):
    """The import would lose or overwrite something; the message says what to do."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode a raw text file; return (text, encoding name)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding), encoding.upper().replace("-SIG", "（带BOM）")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: newlines, digits and ASCII punctuation carry a zero byte,
        # at odd offsets in little-endian text and at even ones in big-endian text.
        head = data[:4096]
        big = head[0::2].count(b"\x00") > head[1::2].count(b"\x00")
        encoding = "utf-16-be" if big else "utf-16-le"
        try:
            return data.decode(encoding), encoding.upper()
        except UnicodeDecodeError:
            pass
    try:  # the Chinese Windows encodings; GB18030 is a superset of GBK and GB2312
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ImportRefused("无法识别文件编码：请在编辑器中另存为 UTF-8 后重试")
    return str(best), best.encoding.upper()


def read_source(source: Path, data: bytes) -> SourceText:
    """A received file's text: a Word file's or a PDF's as read, a text file's decoded."""
    try:
        if is_old_word(data) or source.suffix.lower() in (".doc", ".wps"):
            raise Unreadable(CONVERT_DOC)
        suffix = source.suffix.lower()
        if is_docx(data) or suffix == ".docx":
            return read_docx(data)
        if data.startswith(b"%PDF") or suffix == ".pdf":
            return read_pdf(data)
    except Unreadable as exc:
        raise ImportRefused(f"{source}：{exc}") from None
    text, encoding = decode(data)
    return SourceText(text, label=encoding)


# A received Word file or PDF (scans of seals and signatures included) is at most this big;
# a bigger one is not the bulletin or document it claims to be, and reading it would take
# the editor's machine's memory (python-docx and pdfplumber read a file whole).
MAX_RECEIVED_BYTES = 20 * 1024 * 1024


def _received_bytes(source: Path) -> bytes:
    """The bytes of a received file, refused with the editor's message if it is not a file,
    or too big to be one document (a text file: as big as a content file may be)."""
    try:  # never waits on a FIFO: opened without blocking, then it must be a regular file
        descriptor = os.open(source, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise ImportRefused(f"{source}：不是普通文件，无法导入")
            data = handle.read(MAX_RECEIVED_BYTES + 1)
    except OSError as exc:
        raise ImportRefused(f"{source}：无法读取（{exc.strerror or type(exc).__name__}）") from None
    binary = data.startswith((b"PK", b"%PDF", OLE_MAGIC))
    limit = MAX_RECEIVED_BYTES if binary else MAX_FILE_BYTES
    if len(data) > limit:
        raise ImportRefused(
            f"{source}：文件太大（超过 {limit // (1024 * 1024)} MB），不像是一期简报或一份文件的原文"
            "——请确认选对了文件；确是原文的，请把它分成几个文件再导入"
        )
    return data


@dataclass
class ImportOutcome:
    path: Path  # the Markdown file written
    raw_path: Path  # the copy of the raw source
    result: ImportResult
    encoding: str


def import_file(
    source: Path,
    content: Path,
    *,
    kind: str | None = None,
    date: PartialDate | None = None,
    number: str | None = None,
    force: bool = False,
    output: Path | None = None,
) -> ImportOutcome:
    """Import `source` into the content directory `content` (or write to `output`)."""
    data = _received_bytes(source)
    read = read_source(source, data)
    text, encoding = read.text, read.label
    if not text.strip():
        raise ImportRefused(f"{source}：文件是空的，没有可导入的内容")
    raw_dir = content / "raw"
    try:
        result = import_text(
            read,
            source="",  # named below, after the document it holds
            taxonomies=load_taxonomies(content),
            kind=kind,
            date=date,
            number=number,
        )
    except Unreadable as exc:
        raise ImportRefused(f"{source}：{exc}") from None
    document = result.document
    raw_name = free_raw_name(
        default_raw_name(document.slug, result.kind),
        data if encoding == "UTF-8" else text.encode("utf-8"),
        raw_dir,
    )
    document.source = f"raw/{raw_name}"
    folder = KIND_DIRS[result.kind]
    try:  # written only inside content/raw/ and content/<kind>/, whatever the slug holds
        reason = raw_name_problem(raw_name)
        if reason is not None:
            raise UnsafePath(reason)
        inside(inside(content, RAW_DIR), raw_name)
        if output is None:
            inside(inside(content, folder), f"{document.slug}.md")
    except UnsafePath as exc:
        raise ImportRefused(f"导入的文件不能写到内容目录之外：{exc}") from None
    raw_path = raw_dir / raw_name
    target = output or content / folder / f"{document.slug}.md"
    if target.exists() and not force:
        raise ImportRefused(f"{target} 已存在：如确要覆盖，加 --force；或先改名/删除原文件")
    target.parent.mkdir(parents=True, exist_ok=True)
    raw_dir.mkdir(parents=True, exist_ok=True)
    if not raw_path.exists():
        if encoding == "UTF-8":
            shutil.copyfile(source, raw_path)
        else:  # keep the source readable in the archive: store it as UTF-8
            raw_path.write_text(text, encoding="utf-8")
    tmp = target.with_suffix(".md.tmp")
    tmp.write_text(format_document(document, result.notes), encoding="utf-8")
    tmp.replace(target)
    return ImportOutcome(target, raw_path, result, encoding)


def summary(outcome: ImportOutcome, root: Path | None = None) -> str:
    """A short Chinese summary of an import for the editor."""
    result = outcome.result
    document = result.document
    shown = outcome.path.relative_to(root) if root else outcome.path
    lines = [f"已写入 {shown}（读取的原文：{outcome.encoding}）"]
    if isinstance(document, Issue):
        lines.append(
            f"简报：日期 {document.date.display}，期号 {document.number_display}，"
            f"共 {len(document.items)} 条"
        )
        for item in document.items:
            date = item.date.display if item.date.known else "日期待核"
            unit = item.unit or "单位未注明"
            tags = "、".join(item.counties + item.topics) or "无建议"
            lines.append(f"  {item.number:>2}. {item.title}｜{date}｜{unit}｜建议：{tags}")
    else:
        lines.append(f"{document.kind_label}：{document.title}（{document.date.display}）")
    if result.dropped:
        lines.append(f"已去掉的页码、页眉页脚（{len(result.dropped)} 行）：")
        lines += [f"  - 第{d.number}行 {d.why}：“{d.text}”" for d in result.dropped]
    if result.joins:
        spans = "、".join(f"{a}–{b}" for a, b in result.joins)
        lines.append(f"已把断行合并（{len(result.joins)} 处，原文行号）：{spans}")
    if result.attention:
        lines.append("需要编辑核对：")
        lines += [f"  - {note}" for note in result.attention]
    if result.questions:
        lines.append(
            f"导入时没有把握、须由编辑决定的地方（{len(result.questions)} 处，已写入文件，"
            "标为“待定”；invoke check 会把每一处报为错误，直到改好并删去“待定”注释）："
        )
        lines += [f"  - {question.text}" for question in result.questions]
    lines.append(
        "文件中标有“建议”“待核”的注释请核对后删除；“待定”的地方必须改好，然后运行 invoke check。"
    )
    return "\n".join(lines)
