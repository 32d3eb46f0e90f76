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

from bulletin.content.model import Document
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


FIELDS: dict[str, dict] = {
    "id": _text(
        "文件标识：文件在本站的路径，稳定不变，如 policies/wenweifa-2014-27", pattern=ID_PATTERN
    ),
    "kind": {"type": "string", "description": "类别", "enum": ["简报", "政策文件", "讲话"]},
    "title": _text("标题，按原文", minLength=1),
    "url": _text("文件页面在正式网站上的地址", pattern=r"^https?://[^\s]+/$"),
    "date": _text(
        "日期（YYYY、YYYY-MM 或 YYYY-MM-DD）；原文未注明且无法推断时为空", pattern=DATE_PATTERN
    ),
    "date_inferred": {"type": "boolean", "description": "日期是否为推断（原文未注明）"},
    "counties": {"type": "array", "description": "区县（规范名称）", "items": {"type": "string"}},
    "topics": {"type": "array", "description": "主题", "items": {"type": "string"}},
    "issue": _text("简报条目所在的一期简报；其他类别为空"),
    "unit": _text("简报条目的报送单位，按原文；其他类别或原文未注明时为空"),
    "doc_number": _text("政策文件的文号；其他类别为空"),
    "status": {
        "type": "string",
        "description": f"政策文件的效力状态；原文未说明时为“{UNSTATED}”；其他类别为空",
        "enum": ["", *STATUSES, UNSTATED],
    },
    "status_date": _text("效力状态的起始日期；未注明时为空", pattern=DATE_PATTERN),
    "replaced_by": _text("替代或修改该政策文件的文件：本库收录的写其 id，否则按原文写文号或标题"),
    "interprets": _text("本文件是哪份政策文件的解读（其 id）；不是解读时为空"),
    "cites": _ids("本文件提及（引用）的本库文件的 id，按首次提及的顺序"),
    "cited_by": _ids("提及（引用）本文件的本库文件的 id，新的在前；解读列在最后"),
    "cites_not_held": {
        "type": "array",
        "description": "本文件提及、本库未收录的文件（标题和/或文号，按原文）",
        "items": {"type": "string", "minLength": 1},
    },
    "source": _text("原始文本在本站的路径（raw/…）"),
}

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
        "properties": FIELDS,
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
        kind = FIELDS.get(key, {}).get("type")
        if kind == "array":
            record[key] = value.split(LIST_SEPARATOR) if value else []
        elif kind == "boolean":
            record[key] = {"true": True, "false": False}.get(value, value)
        else:
            record[key] = value
    return record
