"""The open data: the metadata of every item, policy and speech as JSON and CSV.

`/data/documents.json` is a list of records; `/data/documents.csv` has the same records, one
row each, with the same columns: lists joined by ``；`` and booleans written ``true`` or
``false`` (`csv_row`, read back by `from_csv_row`). `/data/documents.schema.json` (`SCHEMA`,
JSON Schema 2020-12) describes one record; docs/readers.md documents each field. URLs are the
published site's, whatever build wrote the files.

The JSON holds every value exactly as the content has it. The CSV is made safe to open in a
spreadsheet (`csv_cell`): every cell is quoted, and a cell beginning with a character that
makes a spreadsheet read it as a formula gets a leading ``'``.

Pure: no Pelican.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from bulletin.content.model import Document, Item, Policy, Speech
from bulletin.relations.archive import Archive
from bulletin.relations.references import STATUSES, UNSTATED

LIST_SEPARATOR = "；"
# OWASP, "CSV Injection": a spreadsheet reads a cell beginning with one of these as a formula
# (=HYPERLINK(…), =cmd|…, @SUM(…)). Such a cell is written with a single quote before it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
ID_PATTERN = r"^[a-z0-9]+(?:[/-][a-z0-9]+)*$"
DATE_PATTERN = r"^(?:[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?)?$"


def _text(description: str, **extra) -> dict:
    return {"type": "string", "description": description, **extra}


def _ids(description: str) -> dict:
    return {
        "type": "array",
        "description": description,
        "items": {"type": "string", "pattern": ID_PATTERN},
        "uniqueItems": True,
    }


@dataclass(frozen=True)
class Field:
    """One column of the open data: its JSON Schema, and its value for a document."""

    schema: dict
    value: Callable[[Document, Archive, str], object]  # (document, archive, site URL)


def _item(document: Document) -> Item | None:
    return document if isinstance(document, Item) and document.issue else None


def _policy(document: Document) -> Policy | None:
    return document if isinstance(document, Policy) else None


def _date(document: Document, archive: Archive, site: str) -> str:
    date = document.date.value
    return date.iso if date else ""


def _replaced_by(document: Document, archive: Archive, site: str) -> str:
    if not isinstance(document, Policy):
        return ""
    successor = archive.references.replaced_by.get(document.url)
    return document_id(successor) if successor else document.replaced_by or ""


def _cited_by(document: Document, archive: Archive, site: str) -> list[str]:
    refs = archive.references
    return [document_id(b.document) for b in refs.backlinks(document.url)] + [
        document_id(d) for d in refs.interpreted_by(document.url)
    ]


def _interprets(document: Document, archive: Archive, site: str) -> str:
    interpreted = archive.references.interprets.get(document.url)
    return document_id(interpreted) if interpreted is not None else ""


def _source(document: Document, archive: Archive, site: str) -> str:
    if isinstance(document, (Policy, Speech)):
        return document.source or ""
    item = _item(document)
    return item.issue.source or "" if item else ""


# The one definition of the open data's fields: the schema, the JSON, the CSV's columns and
# their order all come from here (a new field is one entry).
FIELDS: dict[str, Field] = {
    "id": Field(
        _text(
            "文件标识：文件在本站的路径，稳定不变，如 policies/wenweifa-2014-27", pattern=ID_PATTERN
        ),
        lambda d, a, site: document_id(d),
    ),
    "kind": Field(
        {"type": "string", "description": "类别", "enum": ["简报", "政策文件", "讲话"]},
        lambda d, a, site: d.kind_label,
    ),
    "title": Field(_text("标题，按原文", minLength=1), lambda d, a, site: d.title),
    "url": Field(
        _text("文件页面在正式网站上的地址", pattern=r"^https?://[^\s]+/$"),
        lambda d, a, site: site + "/" + d.url,
    ),
    "date": Field(
        _text(
            "日期（YYYY、YYYY-MM 或 YYYY-MM-DD）；原文未注明且无法推断时为空", pattern=DATE_PATTERN
        ),
        _date,
    ),
    "date_inferred": Field(
        {"type": "boolean", "description": "日期是否为推断（原文未注明）"},
        lambda d, a, site: d.date.inferred,
    ),
    "counties": Field(
        {"type": "array", "description": "区县（规范名称）", "items": {"type": "string"}},
        lambda d, a, site: [t.name for t in a.terms_of(d, "counties")],
    ),
    "topics": Field(
        {"type": "array", "description": "主题", "items": {"type": "string"}},
        lambda d, a, site: [t.name for t in a.terms_of(d, "topics")],
    ),
    "issue": Field(
        _text("简报条目所在的一期简报；其他类别为空"),
        lambda d, a, site: item.issue.title if (item := _item(d)) else "",
    ),
    "unit": Field(
        _text("简报条目的报送单位，按原文；其他类别或原文未注明时为空"),
        lambda d, a, site: (item.unit or "") if (item := _item(d)) else "",
    ),
    "doc_number": Field(
        _text("政策文件的文号；其他类别为空"),
        lambda d, a, site: (policy.doc_number or "") if (policy := _policy(d)) else "",
    ),
    "status": Field(
        {
            "type": "string",
            "description": f"政策文件的效力状态；原文未说明时为“{UNSTATED}”；其他类别为空",
            "enum": ["", *STATUSES, UNSTATED],
        },
        lambda d, a, site: (policy.status or UNSTATED) if (policy := _policy(d)) else "",
    ),
    "status_date": Field(
        _text("效力状态的起始日期；未注明时为空", pattern=DATE_PATTERN),
        lambda d, a, site: (
            policy.status_date.iso if (policy := _policy(d)) and policy.status_date else ""
        ),
    ),
    "replaced_by": Field(
        _text("替代或修改该政策文件的文件：本库收录的写其 id，否则按原文写文号或标题"),
        _replaced_by,
    ),
    "interprets": Field(_text("本文件是哪份政策文件的解读（其 id）；不是解读时为空"), _interprets),
    "cites": Field(
        _ids("本文件提及（引用）的本库文件的 id，按首次提及的顺序"),
        lambda d, a, site: [document_id(c) for c in a.references.cited(d.url)],
    ),
    "cited_by": Field(_ids("提及（引用）本文件的本库文件的 id，新的在前；解读列在最后"), _cited_by),
    "cites_not_held": Field(
        {
            "type": "array",
            "description": "本文件提及、本库未收录的文件（标题和/或文号，按原文）",
            "items": {"type": "string", "minLength": 1},
        },
        lambda d, a, site: [entry.text for entry in a.references.not_held(d.url)],
    ),
    "source": Field(_text("原始文本在本站的路径（raw/…）"), _source),
}


def records(archive: Archive, site: str) -> list[dict]:
    """One record per item, policy and speech (`archive.documents`' order), as
    /data/documents.schema.json describes it; `site`: the published site's address."""
    return [
        {name: field.value(document, archive, site) for name, field in FIELDS.items()}
        for document in archive.documents
    ]


SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "温州经济合作文献档案：文件元数据（/data/documents.json）",
    "description": "每篇简报条目、政策文件和讲话一条记录，新的在前。"
    f"同名的 CSV（/data/documents.csv）列相同，列表以“{LIST_SEPARATOR}”连接，布尔值写 true/false；"
    "为防止电子表格把内容当作公式执行，CSV 每个单元格都加引号，以 = + - @、制表符、回车或单引号"
    f"开头的单元格前面另加一个单引号（{TEXT_MARK}），读取时去掉这一个单引号即得原值。"
    "JSON 中的值与原文完全一致，不作此处理。",
    "type": "array",
    "items": {
        "type": "object",
        "properties": {name: field.schema for name, field in FIELDS.items()},
        "required": list(FIELDS),
        "additionalProperties": False,
    },
}


def document_id(document: Document) -> str:
    """A document's identifier: its site path without the slashes at the ends (stable)."""
    return document.url.strip("/")


def schema_json() -> str:
    return json.dumps(SCHEMA, ensure_ascii=False, indent=1) + "\n"


def csv_cell(text: str) -> str:
    """A CSV cell no spreadsheet reads as a formula, as OWASP's CSV-injection guidance says: a
    text beginning with = + - @, a tab or a carriage return gets a single quote before it.
    So does one beginning with a single quote, so that `from_csv_cell` takes off exactly
    the one added. (Written by the CSV writer with every cell quoted: a `;` or `,` in a text
    never starts a cell of its own, whatever separator a spreadsheet assumes.)

    Not defusedcsv (PyPI): it leaves tabs and carriage returns alone and rewrites every ``|``
    of a cell it marks, so the text would no longer be the document's."""
    return TEXT_MARK + text if text.startswith((*FORMULA_STARTS, TEXT_MARK)) else text


def from_csv_cell(cell: str) -> str:
    """The text `csv_cell` was given."""
    return cell.removeprefix(TEXT_MARK)


def csv_row(record: dict) -> dict[str, str]:
    """A record as a CSV row: lists joined, booleans written out, every cell `csv_cell`."""
    row = {}
    for key, value in record.items():
        if isinstance(value, list):
            value = LIST_SEPARATOR.join(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        row[key] = csv_cell(value)
    return row


def from_csv_row(row: dict[str, str]) -> dict:
    """A CSV row read back as a record, typed as the schema says."""
    record: dict = {}
    for key, cell in row.items():
        value = from_csv_cell(cell)
        kind = FIELDS[key].schema.get("type") if key in FIELDS else None
        if kind == "array":
            record[key] = value.split(LIST_SEPARATOR) if value else []
        elif kind == "boolean":
            record[key] = {"true": True, "false": False}.get(value, value)
        else:
            record[key] = value
    return record
