"""Date checks a careful proof-reader makes: dates that disagree with each other.

Each date is valid on its own (that is checked when a file is read); these checks compare
them: an item dated after its issue was printed, or long before; an issue date that differs
from the date printed in its masthead or its raw source; a URL (slug) whose date differs
from the date; a date in the future. Errors where the dates cannot both be right, warnings
where it is merely unusual. Each problem names the file, the line of the date, and both
values.

Pure logic: the raw source's text is passed in by the caller (`read_source`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

from bulletin.content.dates import PartialDate, find_full_date
from bulletin.content.model import Document, Issue, Policy, Speech
from bulletin.content.problems import Problem
from bulletin.importing.rawtext.lines import MASTHEAD_DATE_RE, PRINT_DATE_RE

# An item reported more than this long before its issue was printed is unusual (most
# bulletins report the past weeks; 12月30日 in a January issue is a few days before).
FAR_BEFORE_DAYS = 92
SLUG_DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?(?=-|$)")


def _ranges_overlap(a: PartialDate, b: PartialDate) -> bool:
    return a.first_day <= b.last_day and b.first_day <= a.last_day


def _date_line(document: Document) -> int:
    key = "date_inferred" if document.date.inferred else "date"
    return document.line_of(key)


def slug_date(slug: str) -> PartialDate | None:
    """The date a slug starts with (``2014-07-13``, ``2014-01``, ``2014-05-29-chen-yixin``)."""
    match = SLUG_DATE_RE.match(slug)
    if not match:
        return None
    try:
        return PartialDate(*(int(g) for g in match.groups() if g))
    except ValueError:
        return None


def printed_dates(raw_text: str) -> list[PartialDate]:
    """The print dates a raw bulletin states on lines of their own (masthead or end)."""
    dates = []
    for line in raw_text.splitlines():
        text = line.strip()
        if PRINT_DATE_RE.match(text) or MASTHEAD_DATE_RE.match(text):
            date = find_full_date(text)
            if date is not None and date not in dates:
                dates.append(date)
    return dates


def check_dates(
    issues: list[Issue],
    others: list[Policy | Speech],
    read_source: Callable[[str], str | None],
    today: dt.date | None = None,
) -> Iterator[Problem]:
    """Every date disagreement in the archive; `read_source(path)` gives a raw source's text."""
    today = today or dt.date.today()
    for document in (*issues, *others):
        yield from check_document_dates(document, read_source, today)


def check_document_dates(
    document: Issue | Policy | Speech, read_source: Callable[[str], str | None], today: dt.date
) -> Iterator[Problem]:
    """The date disagreements of one file's document (an issue's: with its items')."""
    if isinstance(document, Issue):
        yield from _check_issue(document, read_source)
        for each in (document, *document.items):
            yield from _check_future(each, today)
    else:
        yield from _check_slug(document, "网址名")
        yield from _check_future(document, today)


def _check_future(document: Document, today: dt.date) -> Iterator[Problem]:
    date = document.date.value
    if date is not None and date.first_day > today:
        yield Problem(
            document.path,
            _date_line(document),
            f"日期 {date.iso} 在今天（{today.isoformat()}）之后",
            "核对年份是否写错（如把 2014 写成 2041）",
        )


def _check_slug(document: Document, what: str) -> Iterator[Problem]:
    date, from_slug = document.date.value, slug_date(document.slug)
    if date is None or from_slug is None or _ranges_overlap(date, from_slug):
        return
    yield Problem(
        document.path,
        _date_line(document),
        f"日期 {date.iso} 与{what} {document.slug} 中的日期 {from_slug.iso} 不一致",
        "核对日期是否写错；网址名发布后不要再改，尚未发布的可把 slug 改成与日期一致",
        "warning",
    )


def _check_issue(issue: Issue, read_source: Callable[[str], str | None]) -> Iterator[Problem]:
    date = issue.date.value
    line = _date_line(issue)
    stated: list[tuple[str, PartialDate]] = []
    for text in issue.masthead:
        found = find_full_date(text)
        if found is not None:
            stated.append((f"刊头所写的“{text}”", found))
    raw = read_source(issue.source) if issue.source else None
    if raw:
        for found in printed_dates(raw):
            if all(found != seen for _, seen in stated):
                stated.append((f"原始文本 {issue.source} 所印的 {found.zh}", found))
    for where, printed in stated:
        if date is None:
            yield Problem(
                issue.path,
                line,
                f"这期简报没有填日期，但{where}写明了印发日期",
                f"照原文填 date: {printed.iso}",
                "warning",
            )
        elif not issue.date.inferred and date != printed:
            yield Problem(
                issue.path,
                line,
                f"印发日期 date: {date.iso} 与{where}（{printed.iso}）不一致",
                "照原文改正 date（条目日期也一并核对）",
            )
        elif issue.date.inferred and not _ranges_overlap(date, printed):
            yield Problem(
                issue.path,
                line,
                f"推断日期 date_inferred: {date.iso} 与{where}（{printed.iso}）不一致",
                f"原文写明了日期：删去 date_inferred 和 date_basis，填 date: {printed.iso}",
            )
        elif issue.date.inferred:
            yield Problem(
                issue.path,
                line,
                f"{where}写明了印发日期，却填的是推断日期 date_inferred: {date.iso}",
                f"原文写明了日期：删去 date_inferred 和 date_basis，填 date: {printed.iso}",
                "warning",
            )
    yield from _check_slug(issue, "本期网址名")
    if date is None:
        return
    label = "推断日期" if issue.date.inferred else "印发日期"
    for item in issue.items:
        when = item.date.value
        if when is None:
            continue
        where = item.line_of("date")
        if when.first_day > date.last_day:
            yield Problem(
                item.path,
                where,
                f"条目“{item.title}”的日期 {when.iso} 晚于本期{label} {date.iso}",
                "核对条目日期的年份和月份，或改正本期的 date_inferred"
                if issue.date.inferred
                else "核对条目日期的年份和月份（简报不会报道印发之后的事），也核对本期的 date",
                "warning" if issue.date.inferred else "error",
            )
        elif (date.first_day - when.last_day).days > FAR_BEFORE_DAYS:
            days = (date.first_day - when.last_day).days
            yield Problem(
                item.path,
                where,
                f"条目“{item.title}”的日期 {when.iso} 比本期{label} {date.iso} 早 {days} 天",
                "核对年份和月份（1月简报里的“12月30日”是上一年）；原文确实如此的可不改",
                "warning",
            )
