"""Raw text of a bulletin, policy or speech (exported from Word or a PDF) → model objects.

The importer's logic, with no file or Pelican access: `import_text` takes the decoded text
and returns the document plus what the editor must look at. It never drops text silently:
page numbers (— 11 —) are the only text it discards, and it reports them; every other line
ends up in the document, in its metadata, or among the issue's `fragments`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from bulletin.dates import (
    PartialDate,
    find_full_date,
    first_sentence_month_day,
    leading_month_day,
    month_day_in_issue,
)
from bulletin.model import DateInfo, Document, Issue, Item, Policy, Speech
from bulletin.slugs import doc_number_slug, pinyin_slug, unique_slug
from bulletin.taxonomy import Taxonomy, suggest_counties, suggest_topics

# --- line classes ------------------------------------------------------------------------------

DEBRIS_RE = re.compile(r"^[—\-－–―─]+\s*\d{1,3}\s*[—\-－–―─]+$")
HEADLINE_RE = re.compile(r"^[●•◆■▲★]\s*(?P<text>.+)$")
EDITOR_NOTE_RE = re.compile(r"^[【\[]\s*编者按\s*[】\]][：:]?\s*(?P<rest>.*)$")
DISTRIBUTION_RE = re.compile(r"^(?P<label>抄报|抄送|报|送|发)\s*[：:]\s*(?P<rest>.*)$")
PRINT_DATE_RE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
UNIT_BODY = (
    r"[^（）()。；;：:！？!?]{2,40}?(?:[（(][^（）()]{1,20}[)）][^（）()。；;：:！？!?]{0,20})?"
)
UNIT_RE = re.compile(rf"^[（(](?P<units>{UNIT_BODY})[)）]$")
TRAILING_UNIT_RE = re.compile(rf"^(?P<body>.*?[。！？”\"])\s*(?P<unit>[（(]{UNIT_BODY}[)）])$")
ORG_SUFFIX_RE = re.compile(
    r"(处|办|局|委|会|室|中心|组|部|厅|院|所|公司|集团|馆|站|队|科|社|政府|区|县|市)$"
)
SECTION_RE = re.compile(
    r"^[\u4e00-\u9fff]{2,6}(?:动态|简讯|要闻|快讯|交流|信息|之窗|聚焦|专栏|传真)$"
)
SENTENCE_END = "。！？；…：:!?;"
CLOSERS = "”’\"'）)」』】"
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")

# Policy and speech structure
DOC_NUMBER_RE = re.compile(r"^[\u4e00-\u9fff]{1,10}[〔\[［][12]\d{3}[〕\]］]\s*\d+\s*号$")
CN_NUM = "一二三四五六七八九十"
SECTION_HEADING_RE = re.compile(rf"^[{CN_NUM}]+、[^。]{{1,30}}$")
SUBSECTION_HEADING_RE = re.compile(rf"^[（(][{CN_NUM}]+[)）][^。]{{1,30}}。?$")
SUBTITLE_RE = re.compile(r"^[—－-]{2}(?P<text>.+)$")
SPEAKER_RE = re.compile(
    r"^(?P<speaker>[\u4e00-\u9fff]{2,4})同志在(?P<occasion>.+?)上的(?:讲话|致辞|报告)"
)
DATE_LINE_RE = re.compile(r"^[（(]\s*(?P<date>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*[)）]$")
ISSUER_RE = re.compile(r"(委|政府|委员会|办公室|办公厅|厅|局|院|部|会)$")
ATTACHMENT_RE = re.compile(r"^附件\s*\d*\s*[：:]?$")

# Full-width punctuation: a space next to it is layout, never meaning.
CJK_PUNCT = (
    r"\u3001-\u3003\u3008-\u3011\u3014-\u301f\uff01-\uff0f\uff1a-\uff1f\u2018-\u201f\u2014\u2026"
)
SPACE_RE = re.compile(r"[ \t\u3000\u00a0\u2002\u2003]+")
PUNCT_SPACE_RE = re.compile(rf"(?<=[{CJK_PUNCT}]) | (?=[{CJK_PUNCT}])")


def clean_line(line: str) -> str:
    """Trim a line, fold runs of spaces into one and drop spaces next to full-width punctuation.

    Single spaces between words stay: they separate phrases in titles (打造时尚之都 再创温州辉煌)
    and Latin words (Thomas lee Renger).
    """
    line = SPACE_RE.sub(" ", line.replace("\ufeff", "")).strip()
    return PUNCT_SPACE_RE.sub("", line)


def ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence (。 or ！ … possibly followed by a closing quote)."""
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def is_unit(text: str) -> bool:
    """A reporting-unit line such as （联络指导处） or （泰顺县协作办、鹿城区经合办）."""
    match = UNIT_RE.match(text)
    if not match:
        return False
    units = re.split(r"[、，,]", match.group("units"))
    return all(ORG_SUFFIX_RE.search(re.sub(r"[（(].*?[)）]", "", u).strip()) for u in units)


def is_title_like(text: str) -> bool:
    """A short line with no closing punctuation that does not open with a date: a title."""
    return (
        len(text) <= 40
        and not ends_sentence(text)
        and leading_month_day(text) is None
        and not text.startswith(("一是", "二是", "三是", "（注", "(注"))
    )


# --- Markdown escaping -----------------------------------------------------------------------

_INLINE_ESCAPES = str.maketrans({"\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_",
                                 "[": "\\[", "]": "\\]", "<": "&lt;"})  # fmt: skip
_BLOCK_START_RE = re.compile(r"^(#|>|[+-]\s|\d+[.)]\s|[-=_*]{3,}\s*$)")


def md_paragraph(text: str) -> str:
    """Escape one paragraph of plain text so Markdown shows it as written."""
    text = text.translate(_INLINE_ESCAPES)
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    if _BLOCK_START_RE.match(text):
        text = "\\" + text
    return text


# --- results ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    document: Document
    kind: str
    notes: dict[int, dict[str, str]] = field(default_factory=dict)  # item → field → note
    attention: list[str] = field(default_factory=list)  # what the editor must check
    dropped: list[tuple[int, str]] = field(default_factory=list)  # (line, text) discarded


@dataclass
class _Line:
    number: int
    text: str


def _lines(text: str) -> list[_Line]:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [_Line(i + 1, clean_line(raw)) for i, raw in enumerate(text.split("\n"))]


def detect_kind(text: str) -> str:
    lines = [clean_line(line) for line in text.splitlines() if line.strip()][:12]
    if any(DOC_NUMBER_RE.match(line) for line in lines[:3]):
        return "policy"
    if any(SUBTITLE_RE.match(line) and "讲话" in line for line in lines):
        return "speech"
    return "bulletin"


def import_text(
    text: str,
    *,
    source: str,
    taxonomies: dict[str, Taxonomy],
    kind: str | None = None,
    date: PartialDate | None = None,
    number: str | None = None,
) -> ImportResult:
    """Turn raw text into a document. `date` and `number` are what the editor knows."""
    kind = kind or detect_kind(text)
    if kind == "policy":
        return _import_policy(_lines(text), source, taxonomies, date)
    if kind == "speech":
        return _import_speech(_lines(text), source, taxonomies, date)
    return _import_bulletin(_lines(text), source, taxonomies, date, number)


# --- bulletin --------------------------------------------------------------------------------


@dataclass
class _Draft:
    title_lines: list[_Line] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    unit: str | None = None
    section: str | None = None
    first_line: int = 0


def _import_bulletin(
    lines: list[_Line],
    source: str,
    taxonomies: dict[str, Taxonomy],
    date: PartialDate | None,
    number: str | None,
) -> ImportResult:
    result = ImportResult(document=Issue(title="", slug="", path=""), kind="bulletin")
    headlines: list[str] = []
    note_paragraphs: list[str] = []
    distribution: list[list[str]] = []
    fragments: list[str] = []
    print_date: PartialDate | None = None
    drafts: list[_Draft] = []
    section: str | None = None
    state = "start"  # start → headlines → note → items → distribution → end
    pending_titles: list[_Line] = []

    def current() -> _Draft | None:
        return drafts[-1] if drafts else None

    def start_item(title_lines: list[_Line]) -> None:
        drafts.append(_Draft(title_lines=title_lines, section=section,
                             first_line=title_lines[0].number))  # fmt: skip

    def flush_titles_as_text() -> None:
        # Title-like lines that were not followed by a body: keep them as text.
        nonlocal pending_titles
        for line in pending_titles:
            place_text(line)
        pending_titles = []

    def place_text(line: _Line) -> None:
        draft = current()
        if state == "note" and draft is None:
            note_paragraphs.append(line.text)
        elif draft is not None and draft.unit is None:
            draft.paragraphs.append(line.text)
        else:
            fragments.append(line.text)
            result.attention.append(
                f"第{line.number}行“{_short(line.text)}”无法归入条目，已保留在 fragments 中"
            )

    headline_keys = set()
    for line in lines:
        text = line.text
        if not text:
            continue
        if DEBRIS_RE.match(text):
            result.dropped.append((line.number, text))
            continue
        if state in ("distribution", "end"):
            label = DISTRIBUTION_RE.match(text)
            if state == "distribution" and label:
                distribution.append([label.group("label"), label.group("rest")])
            elif PRINT_DATE_RE.match(text) and print_date is None:
                print_date = find_full_date(text)
                state = "end"
            elif (
                state == "distribution" and distribution and not ends_sentence(distribution[-1][1])
            ):
                distribution[-1][1] += text
            else:
                state = "end"
                fragments.append(text)
                result.attention.append(
                    f"第{line.number}行“{_short(text)}”在分送范围之后，已保留在 fragments 中"
                )
            continue
        headline = HEADLINE_RE.match(text)
        if headline and state in ("start", "headlines"):
            headlines.append(headline.group("text").strip())
            headline_keys.add(_key(headline.group("text")))
            state = "headlines"
            continue
        note = EDITOR_NOTE_RE.match(text)
        if note and state in ("start", "headlines"):
            state = "note"
            if note.group("rest"):
                note_paragraphs.append(note.group("rest"))
            continue
        label = DISTRIBUTION_RE.match(text)
        if (label and state != "start") or (label and drafts):
            flush_titles_as_text()
            distribution.append([label.group("label"), label.group("rest")])
            state = "distribution"
            continue
        if PRINT_DATE_RE.match(text) and print_date is None:
            flush_titles_as_text()
            print_date = find_full_date(text)
            state = "end"
            continue
        if SECTION_RE.match(text):
            flush_titles_as_text()
            section = text
            continue
        if is_unit(text) and current() is not None and not pending_titles:
            _set_unit(current(), text, line, result)
            continue
        trailing = TRAILING_UNIT_RE.match(text)
        if (
            trailing
            and is_unit(trailing.group("unit"))
            and current() is not None
            and not pending_titles
        ):
            current().paragraphs.append(trailing.group("body").strip())
            _set_unit(current(), trailing.group("unit"), line, result)
            continue
        if is_title_like(text) and _could_start_item(text, pending_titles, headline_keys):
            pending_titles.append(line)
            continue
        # A body line. Pending title lines open a new item.
        if pending_titles:
            state = "items"
            start_item(pending_titles)
            pending_titles = []
        elif state in ("start", "headlines"):
            state = "items"
            start_item([line])
            result.attention.append(
                f"第{line.number}行：未找到条目标题，已把这一行当作标题，请核对"
            )
            continue
        place_text(line)
    flush_titles_as_text()

    issue_date = _issue_date(print_date, date, drafts, lines, result)
    items = _build_items(drafts, issue_date.value, taxonomies, result)
    issue = Issue(
        title="",
        slug=_issue_slug(issue_date),
        path="",
        date=issue_date,
        number=number,
        headlines=headlines,
        editor_note="\n\n".join(md_paragraph(p) for p in note_paragraphs) or None,
        distribution=[(label, text) for label, text in distribution],
        fragments=fragments,
        source=source,
        items=items,
    )
    issue.title = issue.display_title
    result.document = issue
    _check_headlines(issue, result)
    if number is None:
        result.attention.append("原文未注明期号：number 留空；如已知期号，用 --number 指定")
    return result


def _key(text: str) -> str:
    """Text without spaces and punctuation, for matching a title to its headline."""
    return "".join(ch for ch in text if ch.isalnum())


def _short(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _could_start_item(text: str, pending: list[_Line], headline_keys: set[str]) -> bool:
    """Whether a title-like line can be (part of) a title given the lines pending before it."""
    if not headline_keys:
        return len(pending) < 3
    joined = _key("".join(p.text for p in pending) + text)
    return any(h.startswith(joined) for h in headline_keys) or len(pending) < 2


def _set_unit(draft: _Draft, unit: str, line: _Line, result: ImportResult) -> None:
    if draft.unit is not None:
        draft.paragraphs.append(unit)
        result.attention.append(
            f"第{line.number}行：条目已有报送单位，这一行“{unit}”保留为正文，请核对"
        )
        return
    draft.unit = unit


def _issue_date(
    print_date: PartialDate | None,
    given: PartialDate | None,
    drafts: list[_Draft],
    lines: list[_Line],
    result: ImportResult,
) -> DateInfo:
    if print_date is not None:
        if given is not None and given != print_date:
            result.attention.append(
                f"原文印发日期为{print_date.zh}，与 --date {given.iso} 不同，已采用原文日期"
            )
        return DateInfo(print_date)
    if given is not None and given.day is not None:
        return DateInfo(given)
    month_days = [md for d in drafts if d.paragraphs and (md := leading_month_day(d.paragraphs[0]))]
    span = ""
    if month_days:
        first, last = _earliest_month_day(month_days), _latest_month_day(month_days)
        span = f"（{first[0]}月{first[1]}日至{last[0]}月{last[1]}日）"
    if given is not None:  # year or year-month known to the editor, not printed
        basis = f"原文未注明印发日期；据所载活动日期{span}推断，年月经编辑确认"
        return DateInfo(given, inferred=True, basis=basis)
    years = Counter(int(y) for y in YEAR_RE.findall("\n".join(line.text for line in lines)))
    if not month_days or not years:
        result.attention.append("原文没有印发日期，也无法从内容推断：请用 --date YYYY-MM-DD 指定")
        return DateInfo(None)
    latest = _latest_month_day(month_days)
    year = years.most_common(1)[0][0]
    result.attention.append(
        f"原文没有印发日期：按所载最晚活动日期（{latest[0]}月{latest[1]}日）推断为{year}年{latest[0]}月，"
        f"年份取正文最常提到的年份；如有误，用 --date YYYY-MM 指定"
    )
    basis = f"原文未注明印发日期；据所载活动日期{span}推断"
    return DateInfo(PartialDate(year, latest[0]), inferred=True, basis=basis)


def _month_day_order(month_days: list[tuple[int, int]]):
    """Sort key reading Nov/Dec as last year when January/February also occur."""
    wraps = any(m <= 2 for m, _ in month_days) and any(m >= 11 for m, _ in month_days)
    return lambda md: (md[0] - 12 if wraps and md[0] >= 11 else md[0], md[1])


def _latest_month_day(month_days: list[tuple[int, int]]) -> tuple[int, int]:
    return max(month_days, key=_month_day_order(month_days))


def _earliest_month_day(month_days: list[tuple[int, int]]) -> tuple[int, int]:
    return min(month_days, key=_month_day_order(month_days))


def _issue_slug(date: DateInfo) -> str:
    return date.value.iso if date.value else "undated"


def _build_items(
    drafts: list[_Draft],
    issue_date: PartialDate | None,
    taxonomies: dict[str, Taxonomy],
    result: ImportResult,
) -> list[Item]:
    items: list[Item] = []
    for number, draft in enumerate(drafts, start=1):
        title = "".join(line.text for line in draft.title_lines)
        notes: dict[str, str] = {}
        item = Item(title=title, slug="", path="", number=number, section=draft.section)
        item.slug = unique_slug(pinyin_slug(title), (i.slug for i in items))
        item.body = "\n\n".join(md_paragraph(p) for p in draft.paragraphs)
        item.unit = draft.unit
        if len(draft.title_lines) > 1:
            result.attention.append(
                f"第{number}条：标题由原文第{draft.title_lines[0].number}–{draft.title_lines[-1].number}行合并为“{title}”"
            )
        first = draft.paragraphs[0] if draft.paragraphs else ""
        month_day = leading_month_day(first)
        if month_day is None and (month_day := first_sentence_month_day(first)):
            notes["date"] = f"待核：取自正文首句中的“{month_day[0]}月{month_day[1]}日”"
        if month_day and issue_date is not None:
            item.date = DateInfo(month_day_in_issue(*month_day, issue_date))
        elif month_day is None:
            notes["date"] = "待核：正文开头没有日期"
        if not draft.unit:
            notes["unit"] = "待核：原文未注明报送单位"
        if not draft.paragraphs:
            result.attention.append(f"第{number}条“{_short(title)}”没有正文，请核对标题是否被拆开")
        text = "\n".join(draft.paragraphs)
        counties = suggest_counties(taxonomies["counties"], title, text, draft.unit)
        topics = suggest_topics(taxonomies["topics"], title, text)
        item.counties = [name for name, _ in counties]
        item.topics = [name for name, _ in topics]
        notes["counties"] = "建议，请核对：" + (
            "；".join(r for _, r in counties) if counties else "未发现区县"
        )
        notes["topics"] = "建议，请核对：" + (
            "；".join(f"{n}（{r}）" for n, r in topics) if topics else "未找到"
        )
        result.notes[number] = notes
        items.append(item)
    return items


def _check_headlines(issue: Issue, result: ImportResult) -> None:
    titles = {_key(item.title) for item in issue.items}
    for headline in issue.headlines:
        if _key(headline) not in titles:
            result.attention.append(f"提要“{_short(headline)}”没有对应的条目标题，请核对")


# --- policy and speech -----------------------------------------------------------------------


def _body_markdown(lines: list[_Line], heading_levels: bool = True) -> str:
    blocks: list[str] = []
    for line in lines:
        text = line.text
        if not text:
            continue
        if heading_levels and SECTION_HEADING_RE.match(text):
            blocks.append("## " + md_paragraph(text).lstrip("\\"))
        elif heading_levels and SUBSECTION_HEADING_RE.match(text):
            blocks.append("### " + md_paragraph(text))
        else:
            blocks.append(md_paragraph(text))
    return "\n\n".join(blocks)


def _import_policy(
    lines: list[_Line], source: str, taxonomies: dict[str, Taxonomy], date: PartialDate | None
) -> ImportResult:
    policy = Policy(title="", slug="", path="", source=source)
    result = ImportResult(document=policy, kind="policy")
    rest = [line for line in lines if line.text]
    if rest and DOC_NUMBER_RE.match(rest[0].text):
        policy.doc_number = re.sub(r"\s+", "", rest.pop(0).text)
    else:
        result.attention.append("未找到文号（如 温委发〔2014〕27号），请在 doc_number 中填写")
    title_lines: list[str] = []
    while rest and not rest[0].text.endswith(("：", ":")):
        line = rest.pop(0)
        parts = line.text.split(" ")
        if (
            not title_lines
            and not policy.issuers
            and len(parts) > 1
            and all(ISSUER_RE.search(p) for p in parts)
        ):
            policy.issuers = parts
            continue
        title_lines.append(line.text)
        if len(title_lines) >= 3:
            break
    policy.title = "".join(title_lines)
    if rest and rest[0].text.endswith(("：", ":")):
        policy.recipients = rest.pop(0).text.rstrip("：:")
    else:
        result.attention.append("未找到主送机关（以“：”结尾的一行），请核对 recipients")
    policy.body = _body_markdown(rest)
    policy.date = _stated_or_given(None, date, result, "成文日期")
    policy.slug = (
        doc_number_slug(policy.doc_number) if policy.doc_number else pinyin_slug(policy.title)
    )
    text = "\n".join(line.text for line in rest)
    policy.counties = [
        n for n, _ in suggest_counties(taxonomies["counties"], policy.title, text, None)
    ]
    policy.topics = [n for n, _ in suggest_topics(taxonomies["topics"], policy.title, text)]
    result.attention.append("区县与主题为自动建议，请核对 counties 和 topics")
    return result


def _stated_or_given(
    stated: PartialDate | None, given: PartialDate | None, result: ImportResult, what: str
) -> DateInfo:
    if stated is not None:
        return DateInfo(stated)
    if given is not None:
        return DateInfo(given, inferred=given.day is None)
    result.attention.append(f"原文未注明{what}：date 留空；如已知，用 --date 指定")
    return DateInfo(None)


def _import_speech(
    lines: list[_Line], source: str, taxonomies: dict[str, Taxonomy], date: PartialDate | None
) -> ImportResult:
    speech = Speech(title="", slug="", path="", source=source)
    result = ImportResult(document=speech, kind="speech")
    rest = [line for line in lines if line.text]
    if rest and ATTACHMENT_RE.match(rest[0].text):
        speech.attachment = rest.pop(0).text
    title_lines: list[str] = []
    while rest and not SUBTITLE_RE.match(rest[0].text) and len(title_lines) < 4:
        if not is_title_like(rest[0].text):
            break
        title_lines.append(rest.pop(0).text)
    speech.title = " ".join(title_lines)
    stated: PartialDate | None = None
    if rest and SUBTITLE_RE.match(rest[0].text):
        speech.subtitle = rest.pop(0).text
        who = SPEAKER_RE.match(SUBTITLE_RE.match(speech.subtitle).group("text"))
        if who:
            speech.speaker, speech.occasion = who.group("speaker"), who.group("occasion")
    if not speech.speaker:
        result.attention.append("未能从副标题识别讲话人和场合，请填写 speaker 和 occasion")
    if rest and DATE_LINE_RE.match(rest[0].text):
        stated = find_full_date(rest.pop(0).text)
    speech.date = _stated_or_given(stated, date, result, "讲话日期")
    speech.body = _body_markdown(rest)
    if speech.date.value and speech.speaker:
        speech.slug = f"{speech.date.value.iso}-{pinyin_slug(speech.speaker)}"
    else:
        speech.slug = pinyin_slug(speech.title)
    text = "\n".join(line.text for line in rest)
    speech.counties = [
        n for n, _ in suggest_counties(taxonomies["counties"], speech.title, text, None)
    ]
    speech.topics = [n for n, _ in suggest_topics(taxonomies["topics"], speech.title, text)]
    result.attention.append("区县与主题为自动建议，请核对 counties 和 topics")
    return result
