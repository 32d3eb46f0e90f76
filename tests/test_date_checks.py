"""Dates that disagree: an item after its issue was printed or long before it, an issue date
unlike its masthead, its raw source or its URL, a date in the future."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bulletin.checks.checks import check_content
from bulletin.checks.date_checks import check_dates, printed_dates, slug_date
from bulletin.content.content_format import read_document
from bulletin.content.dates import PartialDate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "content"


def check_fixture(tmp_path: Path, name: str, raw: dict[str, str] | None = None) -> list[str]:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "taxonomy", content / "taxonomy")
    (content / "bulletins").mkdir()
    shutil.copy(FIXTURES / name, content / "bulletins" / name)
    for path, text in (raw or {}).items():
        (content / path).parent.mkdir(parents=True, exist_ok=True)
        (content / path).write_text(text, encoding="utf-8")
    return [str(p) for p in check_content(content)]


def test_the_reported_case_an_issue_dated_before_its_items_and_its_masthead(tmp_path):
    """Printed 2014-11-20 (masthead, slug) but dated 2014-11-02; items of 11-12 and 11-14."""
    name = "issue_date_before_its_items.md"
    reported = check_fixture(tmp_path, name)
    assert (
        f"bulletins/{name}:5: 错误：印发日期 date: 2014-11-02 与刊头所写的"
        "“温州市经济合作交流办公室编 2014年11月20日”（2014-11-20）不一致"
    ) in "\n".join(reported)
    assert any(
        r.startswith(f"bulletins/{name}:17: 错误：")
        and "2014-11-12 晚于本期印发日期 2014-11-02" in r
        for r in reported
    ), reported
    assert any(r.startswith(f"bulletins/{name}:29: 错误：") and "2014-11-14" in r for r in reported)
    assert any(
        r.startswith(f"bulletins/{name}:5: 警告：") and "网址名 2014-11-20" in r for r in reported
    )


def test_an_item_dated_a_year_after_its_issue_is_an_error(tmp_path):
    name = "item_date_after_print_date.md"
    reported = check_fixture(tmp_path, name)
    assert reported == [
        f"bulletins/{name}:17: 错误：条目“苍南县组团赴上海开展招商推介活动”的日期 2015-11-12 "
        "晚于本期印发日期 2014-11-20 — 核对条目日期的年份和月份（简报不会报道印发之后的事），"
        "也核对本期的 date"
    ]


def test_an_item_dated_a_year_before_its_issue_is_a_warning(tmp_path):
    name = "item_date_long_before.md"
    reported = check_fixture(tmp_path, name)
    assert len(reported) == 1
    assert reported[0].startswith(f"bulletins/{name}:29: 警告：")
    assert "2013-11-14 比本期印发日期 2014-11-20 早 371 天" in reported[0]


def test_an_issue_date_unlike_its_raw_source_is_an_error(tmp_path):
    name = "item_date_after_print_date.md"
    text = (FIXTURES / name).read_text(encoding="utf-8")
    text = text.replace("date: 2015-11-12", "date: 2014-11-12").replace(
        "  - 温州市经济合作交流办公室编 2014年11月20日\n", ""
    )
    text = text.replace("source: null", "source: raw/2014-11-20-jianbao.txt")
    raw = "经济合作交流简报\n第11期\n\n● 苍南县……\n\n报：省经合办\n2014年11月21日\n"
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "taxonomy", content / "taxonomy")
    (content / "bulletins").mkdir()
    (content / "bulletins" / "2014-11-20.md").write_text(text, encoding="utf-8")
    (content / "raw").mkdir()
    (content / "raw" / "2014-11-20-jianbao.txt").write_text(raw, encoding="gb18030")
    reported = [str(p) for p in check_content(content)]
    assert reported == [
        "bulletins/2014-11-20.md:5: 错误：印发日期 date: 2014-11-20 与原始文本 "
        "raw/2014-11-20-jianbao.txt 所印的 2014年11月21日（2014-11-21）不一致 — "
        "照原文改正 date（条目日期也一并核对）"
    ]


ISSUE = """---
kind: bulletin
slug: {slug}
number: null
date: {date}
date_inferred: {inferred}
source: null
masthead: [{masthead}]
---

## 条目

```item
slug: tiaomu
date: {item}
unit: （联络指导处）
counties: []
topics: [温商回归]
```

正文。
"""


def problems(today: dt.date = dt.date(2026, 1, 1), **fields: str) -> list[tuple[int, str, str]]:
    values = {"slug": "2014-07-13", "date": "2014-07-13", "inferred": "null", "masthead": "",
              "item": "2014-07-11", **fields}  # fmt: skip
    issue, found = read_document(ISSUE.format(**values), "bulletins/x.md")
    assert found == [] and issue is not None
    return [
        (p.line, p.severity, p.message) for p in check_dates([issue], [], lambda s: None, today)
    ]


def test_a_consistent_issue_has_no_date_problem():
    assert problems() == []
    assert problems(item="2014-07-13") == []  # the day it was printed
    assert problems(slug="2014-07", date="null", inferred="2014-07", item="2014-06-30") == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"item": "2014-07-14"}, (15, "error", "2014-07-14 晚于本期印发日期 2014-07-13")),
        ({"item": "2014-03-01"}, (15, "warning", "早 134 天")),
        (
            {"date": "null", "inferred": "2014-07", "slug": "2014-07", "item": "2014-08-02"},
            (15, "warning", "2014-08-02 晚于本期推断日期 2014-07"),
        ),
        ({"slug": "2014-07-31"}, (5, "warning", "本期网址名 2014-07-31 中的日期 2014-07-31")),
        ({"masthead": "经合办编 2014年7月31日"}, (5, "error", "与刊头所写的")),
        (
            {"date": "null", "inferred": "2014-07", "slug": "2014-07", "masthead": "2014年7月31日"},
            (6, "warning", "却填的是推断日期"),
        ),
        (
            {
                "date": "null",
                "inferred": "2014-06",
                "slug": "2014-06",
                "masthead": "2014年7月31日",
                "item": "2014-06-11",
            },
            (6, "error", "推断日期 date_inferred: 2014-06 与刊头"),
        ),
        ({"date": "null", "masthead": "2014年7月31日"}, (5, "warning", "没有填日期")),
        ({"date": "2041-07-13", "slug": "2041-07-13"}, (5, "error", "在今天（2026-01-01）之后")),
    ],
)
def test_each_disagreement_names_the_line_and_both_values(fields, expected):
    line, severity, text = expected
    found = problems(**fields)
    assert any(p[0] == line and p[1] == severity and text in p[2] for p in found), found


def test_slug_and_printed_dates():
    assert slug_date("2014-07-13") == PartialDate(2014, 7, 13)
    assert slug_date("2014-01") == PartialDate(2014, 1)
    assert slug_date("2014-05-29-chen-yixin") == PartialDate(2014, 5, 29)
    assert slug_date("wenweifa-2014-27") is None
    assert slug_date("2014-13-01") is None
    raw = "温州市经济合作交流办公室编 2014年7月13日\n正文 2014年6月1日 在文中。\n2014年7月13日\n"
    assert printed_dates(raw) == [PartialDate(2014, 7, 13)]


def test_the_real_content_has_no_date_disagreement():
    reported = [p for p in check_content(ROOT / "content") if "日期" in p.message]
    assert reported == []
