"""How a document's kind, date and issue are written for readers: one form, used everywhere.

- A kind has one name: 简报 (an issue or one of its items), 政策文件, 讲话.
- A date is written with its status: as printed (2014年7月11日), inferred (2014年1月（推断）),
  or not stated (日期未注明). An issue's date is its print date: 2014年7月13日印发,
  2014年1月印发（推断）, 印发日期未注明.
- An item is placed by its issue's number and print date, without the word 简报 again
  (the kind already says it): 简报 · 日期未注明 · 2014年7月13日印发.

Pure: used by the templates (as Jinja globals), the search records and the feeds.
"""

from __future__ import annotations

from bulletin.content.model import KIND_LABELS, DateInfo, Document, Issue, Item


def kind_label(document: Document) -> str:
    return KIND_LABELS[document.kind]


def date_label(date: DateInfo, unknown: str = "日期未注明") -> str:
    """A date with its status: 2014年7月11日, 2014年1月（推断）, or `unknown`."""
    if date.value is None:
        return unknown
    return date.value.zh + ("（推断）" if date.inferred else "")


def printed_label(issue: Issue) -> str:
    """An issue's print date: 2014年7月13日印发, 2014年1月印发（推断）, 印发日期未注明."""
    if issue.date.value is None:
        return "印发日期未注明"
    if issue.date.inferred:
        return f"{issue.date.value.zh}印发（推断）"
    return f"{issue.date.value.zh}印发"


def issue_label(issue: Issue) -> str:
    """Which issue, without the word 简报: 第12期，2014年9月5日印发 / 2014年7月13日印发."""
    printed = printed_label(issue)
    return f"{issue.number_display}，{printed}" if issue.number else printed


def source_label(document: Document) -> str:
    """Where a document comes from, beside its kind and date: an item's issue, a 文号."""
    if isinstance(document, Item) and document.issue is not None:
        return issue_label(document.issue)
    return getattr(document, "doc_number", None) or ""
