"""Reading and writing the content file format."""

from pathlib import Path

from bulletin.content.content_format import format_document, read_document, read_file

CONTENT = Path(__file__).resolve().parent.parent / "content"

ISSUE = """---
kind: bulletin
slug: 2014-07-13
number: 第5期
date: 2014-07-13
source: raw/x.txt
distribution:
  报: 省经合办
---

## 第一条标题

```item
slug: diyi
date: 2014-07-11
unit: （联络指导处）
counties: [平阳]
topics: []
```

7月11日，正文。

# 各地动态

## 第二条

```item
slug: dier
date: null
unit: null
counties: []
topics: [温商回归]
```

正文二。
"""


def test_an_issue_file_reads_into_an_issue_with_items():
    issue, problems = read_document(ISSUE, "bulletins/2014-07-13.md")
    assert problems == []
    assert (issue.slug, issue.number, issue.date.value.iso) == ("2014-07-13", "第5期", "2014-07-13")
    assert [i.title for i in issue.items] == ["第一条标题", "第二条"]
    first, second = issue.items
    assert (first.line, first.unit, first.units, first.counties) == (
        11,
        "（联络指导处）",
        ["联络指导处"],
        ["平阳"],
    )
    assert (first.section, second.section) == (None, "各地动态")
    assert first.body == "7月11日，正文。"
    assert second.date.value is None and second.sort_date == issue.date.value
    assert issue.distribution == [("报", "省经合办")]


def test_writing_and_reading_back_gives_the_same_documents():
    for path in sorted(CONTENT.glob("*/*.md")):
        document, problems = read_file(path, CONTENT)
        assert not problems, problems
        again, _ = read_document(format_document(document), document.path)
        assert again == document, path
        if hasattr(document, "items"):
            assert [(i.title, i.body, i.unit, i.date) for i in again.items] == [
                (i.title, i.body, i.unit, i.date) for i in document.items
            ]


def test_problems_name_the_line():
    text = ISSUE.replace("date: 2014-07-11", "date: 2014-02-30").replace("slug: dier", "slug: Dier")
    _, problems = read_document(text, "bulletins/x.md")
    messages = {(p.line, p.message) for p in problems}
    assert (15, "日期“2014-02-30”无效") in messages
    assert any(line == 28 and "网址名" in message for line, message in messages)


def test_malformed_yaml_is_reported_with_its_line():
    text = ISSUE.replace("number: 第5期", "number: [第5期")
    document, problems = read_document(text, "bulletins/x.md")
    assert document is None
    assert [(p.line, p.message) for p in problems] == [(4, "方括号“[”没有配对的“]”")]
