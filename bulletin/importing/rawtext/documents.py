"""A policy document's or a speech's raw text → `Policy` or `Speech`.

Policies open with the 文号 (温委发〔2014〕27号), the issuing bodies, the title and the
recipients line ending in ：; speeches with 附件N：, the title lines, the ——subtitle naming
speaker and occasion, and the date in brackets. Both bodies number their parts: 一、 sections
become ``##`` headings, （一） subsections ``###`` when they stand alone on a line.
"""

from __future__ import annotations

import re

from bulletin.content.content_format import question_comment
from bulletin.content.dates import PartialDate, find_full_date
from bulletin.content.model import DateInfo, Policy, Speech
from bulletin.content.slugs import doc_number_slug, pinyin_slug
from bulletin.content.taxonomy import Taxonomy, suggest_counties, suggest_topics
from bulletin.importing.rawtext.lines import Line, is_title_like, md_paragraph
from bulletin.importing.rawtext.pages import drop_page_furniture
from bulletin.importing.rawtext.paragraphs import (
    SECTION_HEADING_RE,
    SUBSECTION_HEADING_RE,
    Layout,
    blocks,
    glue,
    join,
    measure,
)
from bulletin.importing.rawtext.result import ImportResult, Question, quote

DOC_NUMBER_RE = re.compile(r"^[\u4e00-\u9fff]{1,10}[〔\[［][12]\d{3}[〕\]］]\s*\d+\s*号$")
SUBTITLE_RE = re.compile(r"^[—－-]{2}(?P<text>.+)$")
SPEAKER_RE = re.compile(
    r"^(?P<speaker>[\u4e00-\u9fff]{2,4})同志在(?P<occasion>.+?)上的(?:讲话|致辞|报告)"
)
DATE_LINE_RE = re.compile(r"^[（(]\s*(?P<date>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*[)）]$")
ISSUER_RE = re.compile(r"(委|政府|委员会|办公室|办公厅|厅|局|院|部|会)$")
ATTACHMENT_RE = re.compile(r"^附件\s*\d*\s*[：:]?$")


def _prepared(lines: list[Line], result: ImportResult) -> tuple[list[Line], Layout]:
    """The lines without page furniture (reported), blank ones left out, and their layout."""
    kept, dropped = drop_page_furniture(lines)
    result.dropped = dropped
    return [line for line in kept if line.text], measure(kept)


def body_markdown(lines: list[Line], layout: Layout, result: ImportResult) -> str:
    """The document's text: paragraphs joined by the sentence, 一、 ``##``, （一） ``###``."""
    joined = join(lines, layout)
    result.joins += joined.joins
    asked = {line.number: (tail, line, why) for tail, line, why in joined.doubts}
    out: list[str] = []
    for paragraph, block in zip(joined.paragraphs, blocks(joined.paragraphs), strict=False):
        if paragraph.number in asked:
            tail, line, why = asked[paragraph.number]
            question = Question(why, quote(tail, line), ("body", 0, line.number))
            result.questions.append(question)
            out.append(question_comment(question.text))
        if paragraph.cells:
            out.append(block)
        elif SECTION_HEADING_RE.match(paragraph.text):
            out.append("## " + md_paragraph(paragraph.text))
        elif SUBSECTION_HEADING_RE.match(paragraph.text):
            out.append("### " + md_paragraph(paragraph.text))
        else:
            out.append(md_paragraph(paragraph.text))
    return "\n\n".join(out)


def _wrapped_into(lines: list[Line], layout: Layout, separator: str = "") -> str:
    """Lines of a heading joined: a wrapped line runs straight on, a phrase break is `separator`."""
    text = ""
    for previous, line in zip([None, *lines], lines, strict=False):
        if previous is None:
            text = line.text
        elif layout.full(previous):
            text += glue(text, line.text) + line.text
        else:
            text += separator + line.text
    return text


def _stated_or_given(
    stated: PartialDate | None, given: PartialDate | None, result: ImportResult, what: str
) -> DateInfo:
    if stated is not None:
        return DateInfo(stated)
    if given is not None:
        return DateInfo(given, inferred=given.day is None)
    result.attention.append(f"原文未注明{what}：date 留空；如已知，用 --date 指定")
    return DateInfo(None)


def _suggest(document, text: str, taxonomies: dict[str, Taxonomy], result: ImportResult) -> None:
    document.counties = [
        n for n, _ in suggest_counties(taxonomies["counties"], document.title, text, None)
    ]
    document.topics = [n for n, _ in suggest_topics(taxonomies["topics"], document.title, text)]
    result.attention.append("区县与主题为自动建议，请核对 counties 和 topics")


def import_policy(
    lines: list[Line], source: str, taxonomies: dict[str, Taxonomy], date: PartialDate | None
) -> ImportResult:
    policy = Policy(title="", slug="", path="", source=source)
    result = ImportResult(document=policy, kind="policy")
    rest, layout = _prepared(lines, result)
    if rest and DOC_NUMBER_RE.match(rest[0].text):
        policy.doc_number = re.sub(r"\s+", "", rest.pop(0).text)
    else:
        result.attention.append("未找到文号（如 温委发〔2014〕27号），请在 doc_number 中填写")
    parts = rest[0].text.split(" ") if rest else []
    if len(parts) > 1 and all(ISSUER_RE.search(p) for p in parts):
        policy.issuers = parts
        rest.pop(0)
    ends = next((i for i, line in enumerate(rest[:8]) if line.text.endswith(("：", ":"))), None)
    if ends is None:
        title_lines = [line for line in rest[:3] if is_title_like(line.text)][:1]
        rest = rest[len(title_lines) :]
        result.attention.append("未找到主送机关（以“：”结尾的一行），请核对 recipients")
    else:
        first = ends  # the recipients line may have been wrapped: full lines before it
        while first > 1 and layout.full(rest[first - 1]):
            first -= 1
        title_lines, recipients, rest = rest[:first], rest[first : ends + 1], rest[ends + 1 :]
        policy.recipients = _wrapped_into(recipients, layout).rstrip("：:")
    policy.title = _wrapped_into(title_lines, layout)
    policy.body = body_markdown(rest, layout, result)
    policy.date = _stated_or_given(None, date, result, "成文日期")
    policy.slug = (
        doc_number_slug(policy.doc_number) if policy.doc_number else pinyin_slug(policy.title)
    )
    _suggest(policy, policy.body, taxonomies, result)
    return result


def import_speech(
    lines: list[Line], source: str, taxonomies: dict[str, Taxonomy], date: PartialDate | None
) -> ImportResult:
    speech = Speech(title="", slug="", path="", source=source)
    result = ImportResult(document=speech, kind="speech")
    rest, layout = _prepared(lines, result)
    if rest and ATTACHMENT_RE.match(rest[0].text):
        speech.attachment = rest.pop(0).text
    title_lines: list[Line] = []
    while rest and not SUBTITLE_RE.match(rest[0].text) and len(title_lines) < 6:
        if not is_title_like(rest[0].text):
            break
        title_lines.append(rest.pop(0))
    speech.title = _wrapped_into(title_lines, layout, " ")
    stated: PartialDate | None = None
    if rest and SUBTITLE_RE.match(rest[0].text):
        subtitle = [rest.pop(0)]
        while rest and layout.full(subtitle[-1]) and not DATE_LINE_RE.match(rest[0].text):
            subtitle.append(rest.pop(0))
        speech.subtitle = _wrapped_into(subtitle, layout)
        who = SPEAKER_RE.match(SUBTITLE_RE.match(speech.subtitle).group("text"))
        if who:
            speech.speaker, speech.occasion = who.group("speaker"), who.group("occasion")
    if not speech.speaker:
        result.attention.append("未能从副标题识别讲话人和场合，请填写 speaker 和 occasion")
    if rest and DATE_LINE_RE.match(rest[0].text):
        stated = find_full_date(rest.pop(0).text)
    speech.date = _stated_or_given(stated, date, result, "讲话日期")
    speech.body = body_markdown(rest, layout, result)
    if speech.date.value and speech.speaker:
        speech.slug = f"{speech.date.value.iso}-{pinyin_slug(speech.speaker)}"
    else:
        speech.slug = pinyin_slug(speech.title)
    _suggest(speech, speech.body, taxonomies, result)
    return result
