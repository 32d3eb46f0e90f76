"""A bulletin issue's raw text → an `Issue` with its items.

A bulletin is printed in this order, and read in it: the masthead (the bulletin's name, 第N期,
the editing office with 编 and the date, on one line or several); possibly the distribution
block already on the first page; the contents list (● …) and the 【编者按】, in either order;
the items (a title, possibly broken over lines; the body; the reporting unit （…） at the
end, or none), grouped under section headers such as 各地动态; the distribution block
报：/送：/发： (possibly wrapped) with the print date on its own line before or after it.

The page furniture is taken out first (`pages`), the layout measured (`paragraphs`). With a
contents list, the items are split where its headlines stand as titles (`headlines`); without
one, a title is a short line with no closing punctuation after the end of an item, and where
the text does not make that certain the importer asks (`Question`). What fits nowhere is kept
in the issue's `fragments`, and asked about unless it is part of the printed imprint.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bulletin.content.content_format import question_comment
from bulletin.content.dates import (
    PartialDate,
    find_full_date,
    first_sentence_month_day,
    leading_month_day,
    month_day_in_issue,
)
from bulletin.content.model import DateInfo, Issue, Item
from bulletin.content.slugs import pinyin_slug, unique_slug
from bulletin.content.taxonomy import Taxonomy, suggest_counties, suggest_topics
from bulletin.importing.rawtext.headlines import (
    MAX_CONTINUATION,
    Headline,
    may_hold_title,
    read_list,
)
from bulletin.importing.rawtext.lines import (
    CONTENTS_LABEL_RE,
    DISTRIBUTION_RE,
    EDITED_BY_RE,
    EDITOR_NOTE_RE,
    HEADLINE_RE,
    ISSUE_NUMBER_RE,
    MASTHEAD_DATE_RE,
    MASTHEAD_NAME_NUMBER_RE,
    MASTHEAD_NAME_RE,
    NUMBERED_HEADLINE_RE,
    OFFICE_RE,
    ORG_SUFFIX_RE,
    PRINT_DATE_RE,
    SECTION_RE,
    TRAILING_UNIT_RE,
    Line,
    closes,
    ends_sentence,
    is_structural,
    is_title_like,
    is_unit,
    short,
)
from bulletin.importing.rawtext.pages import Dropped, drop_page_furniture
from bulletin.importing.rawtext.paragraphs import (
    Joined,
    Layout,
    blocks,
    glue,
    is_heading,
    join,
    measure,
)
from bulletin.importing.rawtext.result import ImportResult, Question, quote

YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
IMPRINT_RE = re.compile(
    r"^(?P<office>[\u4e00-\u9fff（）()]{2,30}?)(?P<by>编印|编|主办|印发)?"
    r"(?P<date>\d{4}年\d{1,2}月\d{1,2}日)?$"
)
MAX_TITLE_CHARS = 60
STRONG, WEAK = "strong", "weak"  # what closed the text before a line: a unit, a sentence


@dataclass
class _Draft:
    """An item while it is being read."""

    title_lines: list[Line]
    section: str | None
    body: list[Line] = field(default_factory=list)
    unit: Line | None = None
    doubt: str | None = None  # why the title is not certain
    headline: str | None = None  # the contents list's text of the title


class IssueReader:
    """Reads one bulletin issue; see the module docstring for the order it expects."""

    def __init__(self, lines: list[Line], result: ImportResult):
        self.layout: Layout = measure(lines)
        self.lines = [line for line in lines if line.text]
        self.result = result
        self.styled = any(line.heading for line in self.lines)  # Word: titles are styled
        self.masthead: list[str] = []
        self.number: str | None = None
        self.print_date: PartialDate | None = None
        self.headlines: list[str] = []
        self.note: list[Line] = []
        self.drafts: list[_Draft] = []
        self.section: str | None = None
        self.distribution: list[list[str]] = []
        self.fragments: list[str] = []
        self.fragment_questions: list[Question] = []
        self.numbered = False  # the contents list numbers its headlines (1．…) under 本期目录

    # --- helpers ------------------------------------------------------------------------------

    def ask(self, question: Question) -> None:
        self.result.questions.append(question)

    def keep_fragment(self, line: Line, why: str | None) -> None:
        """Keep text that fits nowhere; `why`: the question to ask (None: it is imprint)."""
        self.fragments.append(line.text)
        if why:
            decide = (
                f"{line.span}“{short(line.text)}”{why}：它属于哪一条（移入该条正文），还是"
                "原文中的零星文字（保留在 fragments 中）？"
            )
            self.fragment_questions.append(
                Question(decide, quote(line), ("issue", f"fragments/{len(self.fragments) - 1}"))
            )

    # --- reading ------------------------------------------------------------------------------

    def read(self) -> None:
        start = self.read_masthead(0)
        start = self.read_top_block(start)
        end = self.find_tail(start)
        bullets = self.contents_list(start, end)
        if (
            bullets
            and bullets[0] > start
            and CONTENTS_LABEL_RE.match(self.lines[bullets[0] - 1].text)
        ):
            label = self.lines.pop(bullets[0] - 1)  # the list's own heading, shown by the site
            self.result.dropped.append(Dropped(label.number, label.text, "要目的标题"))
            end -= 1
            bullets = [i - 1 for i in bullets]
        note_at = next(
            (i for i in range(start, end) if EDITOR_NOTE_RE.match(self.lines[i].text)), None
        )
        has_note = note_at is not None
        if note_at is not None and (not bullets or note_at < bullets[0]):
            for line in self.lines[start:note_at]:
                self.keep_fragment(line, "出现在【编者按】之前")
            self.note_opening(note_at)
            start = note_at + 1
            note_at = None
            if bullets:  # the note stands before the contents list
                self.note += self.lines[start : bullets[0]]
                start = bullets[0]
        if bullets:
            self.read_with_list(start, end, bullets, note_at)
        else:
            self.read_by_shape(self.lines[start:end], note=has_note)
        self.read_tail(end)

    def contents_list(self, start: int, end: int) -> list[int]:
        """The ● lines of the contents list: the first group of them, a few lines apart (or
        numbered lines, 1．…, right under a 本期目录 label)."""
        bullets: list[int] = []
        label = next(
            (
                i
                for i in range(start, min(end, start + 12))
                if CONTENTS_LABEL_RE.match(self.lines[i].text)
            ),
            None,
        )
        if (
            label is not None
            and label + 1 < end
            and NUMBERED_HEADLINE_RE.match(self.lines[label + 1].text)
        ):
            self.numbered = True
        for i in range(start, end):
            if self.is_headline(self.lines[i].text):
                if bullets and i - bullets[-1] > MAX_CONTINUATION + 1:
                    break
                bullets.append(i)
            elif bullets and not may_hold_title(self.lines[i]):
                break
        return bullets

    def is_headline(self, text: str) -> bool:
        return bool(HEADLINE_RE.match(text) or (self.numbered and NUMBERED_HEADLINE_RE.match(text)))

    def note_opening(self, index: int) -> None:
        rest = EDITOR_NOTE_RE.match(self.lines[index].text).group("rest")
        line = self.lines[index]
        if rest:
            self.note.append(Line(line.number, rest, line.last, line.indent, line.blank_before))

    def read_masthead(self, start: int) -> int:
        """The bulletin's name, 第N期 and the office with 编 and the date, before anything."""
        i = start
        while i < len(self.lines):
            text = self.lines[i].text
            combined = MASTHEAD_NAME_NUMBER_RE.match(text)
            if ISSUE_NUMBER_RE.match(text):
                self.number = text
                self.masthead.append(text)
            elif combined and not self.masthead:
                self.number = re.sub(r"\s+", "", combined.group("number"))
                self.masthead.append(text)
            elif MASTHEAD_NAME_RE.match(text) and not self.masthead:
                self.masthead.append(text)
            elif MASTHEAD_DATE_RE.match(text) or (PRINT_DATE_RE.match(text) and self.masthead):
                self.print_date = find_full_date(text)
                self.masthead.append(text)
            else:
                taken = self.imprint_at(i)
                if not taken:
                    break
                i += taken
                continue
            i += 1
        return i

    def imprint_at(self, i: int) -> int:
        """The masthead's imprint broken over lines (温州市…办公室 / 编 / 2014年9月5日):
        joined into one masthead line; returns how many lines it took (0: none here)."""
        parts: list[Line] = []
        for line in self.lines[i : i + 4]:
            if HEADLINE_RE.match(line.text) or EDITOR_NOTE_RE.match(line.text):
                break
            parts.append(line)
            spelled = "".join(p.text.replace(" ", "") for p in parts)
            found = IMPRINT_RE.match(spelled)
            if len(parts) > 1 and found and found.group("by") and found.group("date"):
                office = found.group("office")
                if not (OFFICE_RE.match(office) or OFFICE_RE.match(office + found.group("by"))):
                    return 0
                self.masthead.append(f"{office}{found.group('by')} {found.group('date')}")
                self.print_date = find_full_date(found.group("date"))
                return len(parts)
        return 0

    def read_top_block(self, start: int) -> int:
        """报/送/发 printed under the masthead, before the contents."""
        i = start
        while i < len(self.lines) and DISTRIBUTION_RE.match(self.lines[i].text):
            label = DISTRIBUTION_RE.match(self.lines[i].text)
            self.distribution.append([label.group("label"), label.group("rest")])
            i += 1
            while i < len(self.lines) and self.continues_distribution(
                self.lines[i - 1], self.lines[i]
            ):
                self.distribution[-1][1] += self.lines[i].text
                i += 1
        if i > start and i < len(self.lines) and PRINT_DATE_RE.match(self.lines[i].text):
            self.print_date = self.print_date or find_full_date(self.lines[i].text)
            if self.print_date != find_full_date(self.lines[i].text):
                self.keep_fragment(self.lines[i], "与刊头的日期不同")
            else:
                self.masthead.append(self.lines[i].text)
            i += 1
        return i

    def find_tail(self, start: int) -> int:
        """Where the distribution block (or, without one, the closing print date) begins."""
        end = len(self.lines)
        labels = [i for i in range(start, end) if DISTRIBUTION_RE.match(self.lines[i].text)]
        tail = labels[-1] if labels else end  # the block that ends the issue: its first label
        while (
            labels
            and tail > start
            and (DISTRIBUTION_RE.match(self.lines[tail - 1].text) or self.runs_on_label(tail - 1))
        ):
            tail -= 1
        while tail < end and not DISTRIBUTION_RE.match(self.lines[tail].text) and labels:
            tail += 1  # (a continuation line above the block's first label cannot start it)
        while tail > start and self.is_imprint(self.lines[tail - 1].text):
            tail -= 1
        return tail

    @staticmethod
    def is_imprint(text: str) -> bool:
        return bool(
            PRINT_DATE_RE.match(text)
            or MASTHEAD_DATE_RE.match(text)
            or EDITED_BY_RE.match(text)
            or (OFFICE_RE.match(text) and text.endswith(("编", "编印", "印发")))
        )

    def read_tail(self, start: int) -> None:
        tail = self.lines[start:]
        for index, line in enumerate(tail):
            text = line.text
            following = tail[index + 1].text if index + 1 < len(tail) else ""
            label = DISTRIBUTION_RE.match(text)
            if label:
                self.distribution.append([label.group("label"), label.group("rest")])
            elif PRINT_DATE_RE.match(text) or MASTHEAD_DATE_RE.match(text):
                date = find_full_date(text)
                if self.print_date is None and PRINT_DATE_RE.match(text):
                    self.print_date = date
                elif date != self.print_date:
                    self.keep_fragment(line, "是另一个日期")
                # else: the print date of the masthead, printed again at the foot (印发)
            elif self.is_imprint(text) or (
                OFFICE_RE.match(text)
                and (self.is_imprint(following) or not self.distribution)
                and not self.runs_on(tail[index - 1], line)
            ):
                self.keep_fragment(line, None)  # the office that printed it: 温州市…办公室 / 编
            elif self.distribution and index and self.continues_distribution(tail[index - 1], line):
                self.distribution[-1][1] += text  # the block wraps over lines
            else:
                self.keep_fragment(line, "在分送范围之后")

    def runs_on_label(self, index: int) -> bool:
        """Whether line `index` continues a distribution line above it (wrapped, maybe over
        many lines in a narrow column)."""
        for back in range(index - 1, max(index - 20, -1), -1):
            if DISTRIBUTION_RE.match(self.lines[back].text):
                return all(
                    self.continues_distribution(self.lines[k], self.lines[k + 1])
                    for k in range(back, index)
                )
        return False

    def continues_distribution(self, previous: Line, line: Line) -> bool:
        """A distribution line wrapped onto `line`: the line above fills the width or breaks
        after a separator, or `line` is a list of names or a short end of one (商中心)."""
        text = line.text
        if "。" in text or is_structural(text) or self.is_headline(text) or self.is_imprint(text):
            return False
        if ends_sentence(previous.text):
            return False
        listed = any(mark in text for mark in "、，,；") and not is_title_like(text)
        short_end = len(text) <= 8 and bool(ORG_SUFFIX_RE.search(text))
        return self.runs_on(previous, line) or listed or short_end

    def runs_on(self, previous: Line, line: Line) -> bool:
        """Whether a distribution line wraps onto `line`: it fills the width, or breaks
        after a separator."""
        return self.layout.full(previous, line) or previous.text[-1:] in "、，,；"

    # --- items with a contents list -----------------------------------------------------------

    def read_with_list(self, start: int, end: int, bullets: list[int], note_at: int | None) -> None:
        """Items split where the contents list's headlines stand as titles; `note_at`: a
        【编者按】 printed after the list."""
        first, last = bullets[0], bullets[-1]
        for line in self.lines[start:first]:
            self.keep_fragment(line, "出现在本期要目之前")
        headlines: list[Headline] = []
        for line in self.lines[first : last + 1]:
            if self.is_headline(line.text):
                headlines.append(Headline([line]))
            elif SECTION_RE.match(line.text):
                self.keep_fragment(line, None)  # a group label within the list
            else:
                headlines[-1].lines.append(line)
        after: list[Line] = []
        if note_at is not None:  # lines before the note can only continue the last headline
            headlines[-1].lines += self.lines[last + 1 : note_at]
            self.note_opening(note_at)
            region = self.note + self.lines[note_at + 1 : end]
            self.note = []
        else:
            region = self.lines[last + 1 : end]
            for line in region:
                if not may_hold_title(line) or SECTION_RE.match(line.text):
                    break
                after.append(line)
        headlines, titles, taken = read_list(headlines, after, region, note_at is not None)
        self.headlines = [h.text for h in headlines]
        region = region[taken:]
        for line in region[: titles[0].start]:
            if SECTION_RE.match(line.text):
                self.section = SECTION_RE.match(line.text).group("name")
            elif note_at is not None:
                self.note.append(line)
        bounds = [*[t.start for t in titles[1:]], len(region)]
        for headline, title, stop in zip(headlines, titles, bounds, strict=True):
            draft = _Draft(region[title.start : title.end], self.section, headline=headline.text)
            self.drafts.append(draft)
            for line in region[title.end : stop]:
                if SECTION_RE.match(line.text) and not self.after_text(region, line, stop):
                    self.section = SECTION_RE.match(line.text).group("name")  # heads the next item
                else:
                    draft.body.append(line)
        for draft in list(self.drafts):
            self.split_off_unit(draft)

    @staticmethod
    def after_text(region: list[Line], line: Line, stop: int) -> bool:
        """Whether text follows `line` before the next title (it is then no section header)."""
        index = region.index(line)
        return any(may_hold_title(other) for other in region[index + 1 : stop])

    def split_off_unit(self, draft: _Draft) -> None:
        """The unit line ends an item; what follows it in a listed item is asked about."""
        units = [i for i, line in enumerate(draft.body) if is_unit(line.text)]
        if not units:
            return
        index = units[-1]
        leftover = draft.body[index + 1 :]
        draft.unit, draft.body = draft.body[index], draft.body[:index]
        if leftover:
            position = self.drafts.index(draft) + 1
            before = len(self.drafts)
            self.read_by_shape(leftover, note=False, closure=STRONG, insert_at=position)
            for added in self.drafts[position : position + len(self.drafts) - before]:
                added.doubt = (
                    f"{_span(added.title_lines)}“{short(_joined(added.title_lines), 30)}”不在"
                    "本期要目中，却像一条信息的标题：它是要目漏列的一条（保留为新的一条），"
                    "还是上一条的一部分？"
                )

    # --- items without a contents list --------------------------------------------------------

    def read_by_shape(
        self, region: list[Line], note: bool, closure: str | None = STRONG, insert_at=None
    ) -> None:
        """Items told apart by their shape: a title is a short line with no closing
        punctuation where the text before it has ended (a unit, a finished paragraph).
        `note`: the region opens with the editor's note; `insert_at`: where new items go."""
        current: _Draft | None = None
        position = len(self.drafts) if insert_at is None else insert_at
        i = 0
        while i < len(region):
            line = region[i]
            following = region[i + 1] if i + 1 < len(region) else None
            if SECTION_RE.match(line.text) and following and self.may_be_title(following):
                self.section = SECTION_RE.match(line.text).group("name")
                closure = STRONG
                i += 1
                continue
            if is_unit(line.text) and current is not None and current.unit is None:
                current.unit = line
                closure = STRONG
                i += 1
                continue
            # the note is followed by the items: a title may start after any finished paragraph
            found = self.title_at(region, i, STRONG if note and closure else closure)
            if found is not None:
                taken, doubt = found
                current = _Draft(region[i : i + taken], self.section, doubt=doubt)
                self.drafts.insert(position, current)
                position += 1
                note = False
                closure = None
                i += taken
                continue
            if current is None and note:
                self.note.append(line)
            elif current is None:
                self.keep_fragment(line, "出现在第一条信息之前")
            elif current.unit is not None:
                self.keep_fragment(line, "出现在报送单位之后、下一条标题之前")
            else:
                current.body.append(line)
            if current is not None and _ends_with_unit(_joined(current.body[-4:])):
                closure = STRONG
            elif closes(line.text):  # (a full line may run on: a title cannot, see title_at)
                closure = WEAK
            else:
                closure = None
            i += 1

    def title_at(
        self, region: list[Line], i: int, closure: str | None
    ) -> tuple[int, str | None] | None:
        """A title starting at `i`: how many lines it takes and why it is unsure (None: sure)."""
        line = region[i]
        if closure is None or not self.may_be_title(line):
            return None
        run: list[Line] = []
        for other in region[i : i + 8]:
            if not self.may_be_title(other) or (run and other.heading != run[0].heading):
                break
            run.append(other)
            if _ends_with_unit(_joined(run)):
                return None  # a paragraph wrapped with its unit: （开发区商 / 务局）
        rest = region[i + len(run)] if i + len(run) < len(region) else None
        if rest is None or not may_hold_title(rest) or SECTION_RE.match(rest.text):
            return None  # no body follows: not a title
        dated = leading_month_day(rest.text) is not None
        layout = self.layout
        if self.styled:
            if not line.heading:
                return None
            taken, boundary = len(run), True
        elif layout.width is None:  # unwrapped: a title broken by phrase is short lines
            taken = len(run)
            phrases = all(len(other.text) <= 24 for other in run) and len(_joined(run)) <= 50
            boundary = len(run) == 1 or dated or (phrases and len(run) <= 3)
        else:
            following = [*region[i + 1 : i + len(run) + 1], None]
            short_lines = [n for n, other in enumerate(run) if not layout.full(other, following[n])]
            if not short_lines:
                if closure != STRONG and not dated:
                    return None  # a wrapped paragraph, not a title
                taken, boundary = len(run), dated
            else:
                taken = short_lines[-1] + 1
                boundary = taken == len(run) or not dated
        body_start = region[i + taken] if i + taken < len(region) else rest
        sure_start = closure == STRONG or leading_month_day(body_start.text) is not None
        title = _joined(run[:taken])
        most = 8 if self.styled else 4  # a styled title may wrap in a narrow column
        if boundary and sure_start and len(title) <= MAX_TITLE_CHARS and taken <= most:
            return taken, None
        return taken, (
            f"{_span(run[:taken])}“{short(title, 30)}”被当作一条信息的标题，但原文没有"
            "本期要目可以对照，版式也不能确定：它是不是标题？标题是否完整（有没有少了或多了一行）？"
        )

    def may_be_title(self, line: Line) -> bool:
        """A line that may be (part of) an item's title: short, not ending a sentence, no
        numbered heading; a section header's name too, where no title follows it."""
        return (
            may_hold_title(line)
            and is_title_like(line.text)
            and not is_heading(line, self.layout)
            and not TRAILING_UNIT_RE.match(line.text)
        )

    # --- building the issue -------------------------------------------------------------------

    def issue(
        self, taxonomies: dict[str, Taxonomy], given_date: PartialDate | None, number: str | None
    ) -> Issue:
        date = self.issue_date(given_date)
        if number and self.number and number != self.number:
            self.result.attention.append(
                f"原文期号为“{self.number}”，与 --number {number} 不同，已采用 --number"
            )
        number = number or self.number
        items = self.items(date.value, taxonomies)
        joined = join(self.note, self.layout)
        self.result.joins += joined.joins
        note_blocks = self.with_doubts(blocks(joined.paragraphs), joined, 0)
        issue = Issue(
            title="",
            slug=date.value.iso if date.value else "undated",
            path="",
            date=date,
            number=number,
            masthead=self.masthead,
            headlines=self.headlines,
            editor_note="\n\n".join(note_blocks) or None,
            distribution=[(label, text) for label, text in self.distribution],
            fragments=self.fragments,
            items=items,
        )
        issue.title = issue.display_title
        front = self.result.notes.setdefault(0, {})
        for question in self.fragment_questions:
            self.ask(question)
            front[question.where[1]] = f"待定：{question.text}"
        if number is None:
            self.result.attention.append(
                "原文未注明期号：number 留空；如已知期号，用 --number 指定"
            )
        return issue

    def issue_date(self, given: PartialDate | None) -> DateInfo:
        if self.print_date is not None:
            if given is not None and given != self.print_date:
                self.result.attention.append(
                    f"原文印发日期为{self.print_date.zh}，与 --date {given.iso} 不同，已采用原文日期"
                )
            return DateInfo(self.print_date)
        if given is not None and given.day is not None:
            return DateInfo(given)
        month_days = [
            md for d in self.drafts if d.body and (md := leading_month_day(d.body[0].text))
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
            self.result.attention.append(
                "原文没有印发日期，也无法从内容推断：请用 --date YYYY-MM-DD 指定"
            )
            return DateInfo(None)
        latest = _latest(month_days)
        year = years.most_common(1)[0][0]
        self.result.attention.append(
            f"原文没有印发日期：按所载最晚活动日期（{latest[0]}月{latest[1]}日）推断为"
            f"{year}年{latest[0]}月，年份取正文最常提到的年份；如有误，用 --date YYYY-MM 指定"
        )
        basis = f"原文未注明印发日期；据所载活动日期{span}推断"
        return DateInfo(PartialDate(year, latest[0]), inferred=True, basis=basis)

    def with_doubts(self, texts: list[str], joined: Joined, item: int) -> list[str]:
        """Markdown blocks with the questions about them written just above."""
        out = []
        asked = {line.number: (tail, line, why) for tail, line, why in joined.doubts}
        for paragraph, text in zip(joined.paragraphs, texts, strict=False):
            if paragraph.number in asked:
                tail, line, why = asked[paragraph.number]
                question = Question(why, quote(tail, line), ("body", item, line.number))
                self.ask(question)
                out.append(question_comment(question.text))
            out.append(text)
        out += texts[len(joined.paragraphs) :]
        return out

    def items(self, issue_date: PartialDate | None, taxonomies: dict[str, Taxonomy]) -> list[Item]:
        items: list[Item] = []
        for number, draft in enumerate(self.drafts, start=1):
            title = _joined(draft.title_lines)
            if draft.headline and title.replace(" ", "") == draft.headline.replace(" ", ""):
                title = draft.headline  # the one-line print keeps the space a wrap dropped
            item = Item(title=title, slug="", path="", number=number, section=draft.section)
            notes = self.result.notes.setdefault(number, {})
            if draft.doubt is None:
                item.slug = unique_slug(pinyin_slug(title), (i.slug for i in items))
            else:  # a title the importer is unsure of gives no permanent URL
                question = Question(
                    draft.doubt + "核对后填写网址名 slug（小写拼音）",
                    quote(*draft.title_lines),
                    ("item", number, "slug"),
                )
                self.ask(question)
                notes["slug"] = f"待定：{question.text}"
            joined = join(draft.body, self.layout)
            self.result.joins += joined.joins
            paragraphs = joined.paragraphs
            unit = draft.unit.text if draft.unit else None
            if unit is None and len(paragraphs) > 1 and is_unit(paragraphs[-1].text):
                unit = paragraphs.pop().text  # a unit that was wrapped onto two lines
            if unit is None and paragraphs:
                trailing = TRAILING_UNIT_RE.match(paragraphs[-1].text)
                if trailing and is_unit(trailing.group("unit")):
                    paragraphs[-1].text = trailing.group("body").strip()
                    unit = trailing.group("unit")
            item.body = "\n\n".join(self.with_doubts(blocks(paragraphs), joined, number))
            item.unit = unit
            if len(draft.title_lines) > 1:
                first, last = draft.title_lines[0].number, draft.title_lines[-1].last
                self.result.joins.append((first, last))
            first_paragraph = paragraphs[0].text if paragraphs else ""
            month_day = leading_month_day(first_paragraph)
            if month_day is None and (month_day := first_sentence_month_day(first_paragraph)):
                question = Question(
                    f"第{number}条的日期取自正文首句中的“{month_day[0]}月{month_day[1]}日”："
                    "这是活动日期吗？",
                    quote(paragraphs[0]),
                    ("item", number, "date"),
                )
                if issue_date is not None:
                    self.ask(question)
                    notes["date"] = f"待定：{question.text}"
            if month_day and issue_date is not None:
                item.date = DateInfo(month_day_in_issue(*month_day, issue_date))
            elif month_day is None:
                notes["date"] = "待核：正文开头没有日期"
            if not unit:
                notes["unit"] = "待核：原文未注明报送单位"
            if not paragraphs:
                self.result.attention.append(f"第{number}条“{short(title)}”没有正文，请核对")
            body = "\n".join(p.text for p in paragraphs)
            counties = suggest_counties(taxonomies["counties"], title, body, unit)
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


def _ends_with_unit(text: str) -> bool:
    """Whether text ends with its reporting unit: …建设。（区域发展处）"""
    trailing = TRAILING_UNIT_RE.match(text)
    return bool(trailing and is_unit(trailing.group("unit")))


def _joined(lines: list[Line]) -> str:
    text = ""
    for line in lines:
        text += glue(text, line.text) + line.text
    return text


def _span(lines: list[Line]) -> str:
    if not lines:
        return ""
    first, last = lines[0].number, lines[-1].last
    return f"第{first}行" if first == last else f"第{first}–{last}行"


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
    lines, dropped = drop_page_furniture(lines)
    result.dropped = dropped
    reader = IssueReader(lines, result)
    reader.read()
    issue = reader.issue(taxonomies, date, number)
    issue.source = source
    result.document = issue
    result.joins.sort()
    result.dropped.sort(key=lambda dropped: dropped.number)
    return result
