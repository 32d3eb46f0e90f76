"""A policy document's or a speech's raw text → `Policy` or `Speech`.

Policies open with the 文号 (温委发〔2014〕27号), the issuing bodies, the title and the
recipients line ending in ：; speeches with 附件N：, the title lines, the ——subtitle naming
speaker and occasion, and the date in brackets. Both bodies number their parts: 一、 sections
become ``##`` headings, （一） subsections ``###`` when they stand alone on a line.
"""

from __future__ import annotations

import re

from bulletin.dates import PartialDate, find_full_date
from bulletin.model import DateInfo, Policy, Speech
from bulletin.rawtext.lines import Line, is_title_like, md_paragraph, unwrap
from bulletin.rawtext.result import ImportResult
from bulletin.slugs import doc_number_slug, pinyin_slug
from bulletin.taxonomy import Taxonomy, suggest_counties, suggest_topics

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


def body_markdown(lines: list[Line]) -> str:
    blocks: list[str] = []
    for line in lines:
        text = line.text
        if not text:
            continue
        if SECTION_HEADING_RE.match(text):
            blocks.append("## " + md_paragraph(text))
        elif SUBSECTION_HEADING_RE.match(text):
            blocks.append("### " + md_paragraph(text))
        else:
            blocks.append(md_paragraph(text))
    return "\n\n".join(blocks)


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
    rest = [line for line in unwrap(lines)[0] if line.text]
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
    policy.body = body_markdown(rest)
    policy.date = _stated_or_given(None, date, result, "成文日期")
    policy.slug = (
        doc_number_slug(policy.doc_number) if policy.doc_number else pinyin_slug(policy.title)
    )
    _suggest(policy, "\n".join(line.text for line in rest), taxonomies, result)
    return result


def import_speech(
    lines: list[Line], source: str, taxonomies: dict[str, Taxonomy], date: PartialDate | None
) -> ImportResult:
    speech = Speech(title="", slug="", path="", source=source)
    result = ImportResult(document=speech, kind="speech")
    rest = [line for line in unwrap(lines)[0] if line.text]
    if rest and ATTACHMENT_RE.match(rest[0].text):
        speech.attachment = rest.pop(0).text
    title_lines: list[str] = []
    while rest and not SUBTITLE_RE.match(rest[0].text) and len(title_lines) < 4:
        if not is_title_like(rest[0].text):
            break
        title_lines.append(rest.pop(0).text)
    speech.title = " ".join(title_lines)
    stated: PartialDate | None = None
    subtitle = SUBTITLE_RE.match(rest[0].text) if rest else None
    if subtitle:
        speech.subtitle = rest.pop(0).text
        who = SPEAKER_RE.match(subtitle.group("text"))
        if who:
            speech.speaker, speech.occasion = who.group("speaker"), who.group("occasion")
    if not speech.speaker:
        result.attention.append("未能从副标题识别讲话人和场合，请填写 speaker 和 occasion")
    if rest and DATE_LINE_RE.match(rest[0].text):
        stated = find_full_date(rest.pop(0).text)
    speech.date = _stated_or_given(stated, date, result, "讲话日期")
    speech.body = body_markdown(rest)
    if speech.date.value and speech.speaker:
        speech.slug = f"{speech.date.value.iso}-{pinyin_slug(speech.speaker)}"
    else:
        speech.slug = pinyin_slug(speech.title)
    _suggest(speech, "\n".join(line.text for line in rest), taxonomies, result)
    return result
