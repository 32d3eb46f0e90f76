"""A bulletin issue's raw text → an `Issue` with its items.

The text is read top to bottom, one line at a time, in the order a bulletin is printed:
masthead (name, 第N期, editing office and date), the ● headline list, the 【编者按】,
the items (title, possibly broken over lines; body; the reporting unit （…） at the end),
section headers such as 各地动态, the distribution block 报：/送：/发： (possibly wrapped),
and the print date. What fits nowhere is kept in the issue's `fragments` and reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bulletin.dates import (
    PartialDate,
    find_full_date,
    first_sentence_month_day,
    leading_month_day,
    month_day_in_issue,
)
from bulletin.model import DateInfo, Issue, Item
from bulletin.rawtext.lines import (
    DEBRIS_RE,
    DISTRIBUTION_RE,
    EDITOR_NOTE_RE,
    HEADLINE_RE,
    ISSUE_NUMBER_RE,
    MASTHEAD_DATE_RE,
    MASTHEAD_NAME_RE,
    PRINT_DATE_RE,
    SECTION_RE,
    TRAILING_UNIT_RE,
    Line,
    ends_sentence,
    is_title_like,
    is_unit,
    key,
    md_paragraph,
    short,
    unwrap,
)
from bulletin.rawtext.result import ImportResult
from bulletin.slugs import pinyin_slug, unique_slug
from bulletin.taxonomy import Taxonomy, suggest_counties, suggest_topics

YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")


@dataclass
class _Draft:
    """An item while it is being read."""

    title_lines: list[Line]
    section: str | None
    paragraphs: list[str] = field(default_factory=list)
    unit: str | None = None


class IssueParser:
    """Reads one bulletin issue; see the module docstring for the order it expects."""

    def __init__(self, lines: list[Line], result: ImportResult):
        self.lines = lines
        self.result = result
        self.state = "start"  # start → headlines → note → items → distribution → end
        self.masthead: list[str] = []
        self.number: str | None = None
        self.print_date: PartialDate | None = None
        self.headlines: list[str] = []
        self.headline_keys: set[str] = set()
        self.note: list[str] = []
        self.drafts: list[_Draft] = []
        self.section: str | None = None
        self.pending: list[Line] = []  # title-like lines waiting for a body line
        self.distribution: list[list[str]] = []
        self.fragments: list[str] = []

    # --- helpers ------------------------------------------------------------------------------

    @property
    def current(self) -> _Draft | None:
        return self.drafts[-1] if self.drafts else None

    def attention(self, message: str) -> None:
        self.result.attention.append(message)

    def keep_fragment(self, line: Line, why: str) -> None:
        self.fragments.append(line.text)
        self.attention(f"第{line.number}行“{short(line.text)}”{why}，已保留在 fragments 中")

    def place_text(self, line: Line) -> None:
        """A body line: it belongs to the editor's note, the current item, or nowhere."""
        draft = self.current
        if self.state == "note" and draft is None:
            self.note.append(line.text)
        elif draft is not None and draft.unit is None:
            draft.paragraphs.append(line.text)
        elif draft is not None:
            self.keep_fragment(line, "出现在报送单位之后、下一条标题之前，无法归入条目")
        else:
            self.keep_fragment(line, "出现在第一条之前，无法归入条目")

    def flush_pending(self) -> None:
        """Title-like lines that no body followed: keep them as text where they stand."""
        pending, self.pending = self.pending, []
        for line in pending:
            self.place_text(line)

    def could_continue_title(self, text: str) -> bool:
        if not self.headline_keys:
            return len(self.pending) < 3
        joined = key("".join(p.text for p in self.pending) + text)
        return any(h.startswith(joined) for h in self.headline_keys) or len(self.pending) < 2

    def set_unit(self, unit: str, line: Line) -> None:
        draft = self.current
        assert draft is not None
        if draft.unit is not None:
            draft.paragraphs.append(unit)
            self.attention(f"第{line.number}行：条目已有报送单位，这一行“{unit}”保留为正文，请核对")
        else:
            draft.unit = unit

    # --- reading ------------------------------------------------------------------------------

    def read(self) -> None:
        for line in self.lines:
            if not line.text:
                continue
            if DEBRIS_RE.match(line.text):
                self.result.dropped.append((line.number, line.text))
            elif self.state in ("distribution", "end"):
                self.read_tail(line)
            else:
                self.read_line(line)
        self.flush_pending()

    def read_tail(self, line: Line) -> None:
        text = line.text
        label = DISTRIBUTION_RE.match(text)
        if self.state == "distribution" and label:
            self.distribution.append([label.group("label"), label.group("rest")])
        elif PRINT_DATE_RE.match(text) and self.print_date is None:
            self.print_date = find_full_date(text)
            self.state = "end"
        elif (
            self.state == "distribution"
            and self.distribution
            and not ends_sentence(self.distribution[-1][1])
        ):
            self.distribution[-1][1] += text  # the block wraps over lines
        else:
            self.state = "end"
            self.keep_fragment(line, "在分送范围之后")

    def read_line(self, line: Line) -> None:
        text = line.text
        if self.state == "start" and not self.drafts and self.read_masthead(line):
            return
        headline = HEADLINE_RE.match(text)
        if headline and self.state in ("start", "headlines"):
            self.headlines.append(headline.group("text").strip())
            self.headline_keys.add(key(headline.group("text")))
            self.state = "headlines"
            return
        note = EDITOR_NOTE_RE.match(text)
        if note and self.state in ("start", "headlines"):
            self.state = "note"
            if note.group("rest"):
                self.note.append(note.group("rest"))
            return
        label = DISTRIBUTION_RE.match(text)
        if label and (self.drafts or self.state != "start"):
            self.flush_pending()
            self.distribution.append([label.group("label"), label.group("rest")])
            self.state = "distribution"
            return
        if PRINT_DATE_RE.match(text) and self.print_date is None and self.drafts:
            self.flush_pending()
            self.print_date = find_full_date(text)
            self.state = "end"
            return
        if SECTION_RE.match(text):
            self.flush_pending()
            self.section = text
            return
        if is_unit(text) and self.current is not None and not self.pending:
            self.set_unit(text, line)
            return
        if is_title_like(text) and self.could_continue_title(text):
            self.pending.append(line)
            return
        # A body line: pending title lines open a new item.
        if self.pending:
            self.state = "items"
            self.drafts.append(_Draft(self.pending, self.section))
            self.pending = []
        elif self.state in ("start", "headlines"):
            self.state = "items"
            self.drafts.append(_Draft([line], self.section))
            self.attention(f"第{line.number}行：未找到条目标题，已把这一行当作标题，请核对")
            return
        trailing = TRAILING_UNIT_RE.match(text)
        if trailing and is_unit(trailing.group("unit")) and self.current is not None:
            self.place_text(Line(line.number, trailing.group("body").strip()))
            self.set_unit(trailing.group("unit"), line)
            return
        self.place_text(line)

    def read_masthead(self, line: Line) -> bool:
        """The bulletin's name, 第N期 and the editing office with the date, before anything."""
        text = line.text
        if ISSUE_NUMBER_RE.match(text):
            self.number = text
        elif MASTHEAD_DATE_RE.match(text) or (PRINT_DATE_RE.match(text) and self.masthead):
            self.print_date = find_full_date(text)
        elif not (MASTHEAD_NAME_RE.match(text) and not self.masthead):
            return False
        self.masthead.append(text)
        return True

    # --- building the issue -------------------------------------------------------------------

    def issue(
        self, taxonomies: dict[str, Taxonomy], given_date: PartialDate | None, number: str | None
    ) -> Issue:
        date = self.issue_date(given_date)
        if number and self.number and number != self.number:
            self.attention(f"原文期号为“{self.number}”，与 --number {number} 不同，已采用 --number")
        number = number or self.number
        items = self.items(date.value, taxonomies)
        issue = Issue(
            title="",
            slug=date.value.iso if date.value else "undated",
            path="",
            date=date,
            number=number,
            masthead=self.masthead,
            headlines=self.headlines,
            editor_note="\n\n".join(md_paragraph(p) for p in self.note) or None,
            distribution=[(label, text) for label, text in self.distribution],
            fragments=self.fragments,
            items=items,
        )
        issue.title = issue.display_title
        titles = {key(item.title) for item in items}
        for headline in self.headlines:
            if key(headline) not in titles:
                self.attention(f"提要“{short(headline)}”没有对应的条目标题，请核对")
        if number is None:
            self.attention("原文未注明期号：number 留空；如已知期号，用 --number 指定")
        return issue

    def issue_date(self, given: PartialDate | None) -> DateInfo:
        if self.print_date is not None:
            if given is not None and given != self.print_date:
                self.attention(
                    f"原文印发日期为{self.print_date.zh}，与 --date {given.iso} 不同，已采用原文日期"
                )
            return DateInfo(self.print_date)
        if given is not None and given.day is not None:
            return DateInfo(given)
        month_days = [
            md for d in self.drafts if d.paragraphs and (md := leading_month_day(d.paragraphs[0]))
        ]
        span = ""
        if month_days:
            first, last = _earliest(month_days), _latest(month_days)
            span = f"（{first[0]}月{first[1]}日至{last[0]}月{last[1]}日）"
        if given is not None:  # a year or year-month the editor knows, not printed
            basis = f"原文未注明印发日期；据所载活动日期{span}推断，年月经编辑确认"
            return DateInfo(given, inferred=True, basis=basis)
        text = "\n".join(line.text for line in self.lines)
        years = Counter(int(y) for y in YEAR_RE.findall(text))
        if not month_days or not years:
            self.attention("原文没有印发日期，也无法从内容推断：请用 --date YYYY-MM-DD 指定")
            return DateInfo(None)
        latest = _latest(month_days)
        year = years.most_common(1)[0][0]
        self.attention(
            f"原文没有印发日期：按所载最晚活动日期（{latest[0]}月{latest[1]}日）推断为"
            f"{year}年{latest[0]}月，年份取正文最常提到的年份；如有误，用 --date YYYY-MM 指定"
        )
        basis = f"原文未注明印发日期；据所载活动日期{span}推断"
        return DateInfo(PartialDate(year, latest[0]), inferred=True, basis=basis)

    def items(self, issue_date: PartialDate | None, taxonomies: dict[str, Taxonomy]) -> list[Item]:
        items: list[Item] = []
        for number, draft in enumerate(self.drafts, start=1):
            title = "".join(line.text for line in draft.title_lines)
            item = Item(title=title, slug="", path="", number=number, section=draft.section)
            item.slug = unique_slug(pinyin_slug(title), (i.slug for i in items))
            item.body = "\n\n".join(md_paragraph(p) for p in draft.paragraphs)
            item.unit = draft.unit
            notes = self.result.notes.setdefault(number, {})
            if len(draft.title_lines) > 1:
                first, last = draft.title_lines[0].number, draft.title_lines[-1].last
                self.attention(f"第{number}条：标题由原文第{first}–{last}行合并为“{title}”")
            first_paragraph = draft.paragraphs[0] if draft.paragraphs else ""
            month_day = leading_month_day(first_paragraph)
            if month_day is None and (month_day := first_sentence_month_day(first_paragraph)):
                notes["date"] = f"待核：取自正文首句中的“{month_day[0]}月{month_day[1]}日”"
            if month_day and issue_date is not None:
                item.date = DateInfo(month_day_in_issue(*month_day, issue_date))
            elif month_day is None:
                notes["date"] = "待核：正文开头没有日期"
            if not draft.unit:
                notes["unit"] = "待核：原文未注明报送单位"
            if not draft.paragraphs:
                self.attention(f"第{number}条“{short(title)}”没有正文，请核对标题是否被拆开")
            body = "\n".join(draft.paragraphs)
            counties = suggest_counties(taxonomies["counties"], title, body, draft.unit)
            topics = suggest_topics(taxonomies["topics"], title, body)
            item.counties = [name for name, _ in counties]
            item.topics = [name for name, _ in topics]
            notes["counties"] = "建议，请核对：" + (
                "；".join(r for _, r in counties) if counties else "未发现区县"
            )
            notes["topics"] = "建议，请核对：" + (
                "；".join(f"{n}（{r}）" for n, r in topics) if topics else "未找到"
            )
            items.append(item)
        return items


def _order(month_days: list[tuple[int, int]]):
    """Sort key reading Nov/Dec as last year when January/February also occur."""
    wraps = any(m <= 2 for m, _ in month_days) and any(m >= 11 for m, _ in month_days)
    return lambda md: (md[0] - 12 if wraps and md[0] >= 11 else md[0], md[1])


def _latest(month_days: list[tuple[int, int]]) -> tuple[int, int]:
    return max(month_days, key=_order(month_days))


def _earliest(month_days: list[tuple[int, int]]) -> tuple[int, int]:
    return min(month_days, key=_order(month_days))


def import_issue(
    lines: list[Line],
    source: str,
    taxonomies: dict[str, Taxonomy],
    date: PartialDate | None,
    number: str | None,
) -> ImportResult:
    result = ImportResult(document=Issue(title="", slug="", path=""), kind="bulletin")
    lines, wrapped_at = unwrap(lines)
    if wrapped_at:
        result.attention.append(
            f"原文按固定宽度（约{wrapped_at // 2}字）折行，已把折行拼回段落，请核对分段"
        )
    parser = IssueParser(lines, result)
    parser.read()
    issue = parser.issue(taxonomies, date, number)
    issue.source = source
    result.document = issue
    return result
