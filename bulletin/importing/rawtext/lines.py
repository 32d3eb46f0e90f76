"""Lines of raw text: cleaning, what kind of line each is, and how it was laid out.

Raw texts come from Word or PDF files or text copied out of them: indented with full-width
spaces, with layout spaces inside lines, page numbers between pages and, from PDFs, every
paragraph wrapped at the width of the page. These helpers make lines comparable without
changing a word of the text; each `Line` keeps what its layout said (its indentation, whether
a blank line stood before it, a Word style that marks it as a heading, a table row's cells).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from bulletin.content.dates import leading_month_day

DEBRIS_RE = re.compile(
    r"^(?:[—\-－–―─]+\s*\d{1,3}\s*[—\-－–―─]+"  # — 11 —  /  - 2 -
    r"|第\s*\d{1,3}\s*页(?:\s*[，,]?\s*共\s*\d{1,3}\s*页)?"  # 第 3 页 / 第3页 共8页
    r"|\d{1,3}\s*/\s*\d{1,3}"  # 3/8
    r"|\d{1,3})$"  # a bare page number
)
HEADLINE_RE = re.compile(r"^[●•◆■▲★]\s*(?P<text>.+)$")
CONTENTS_LABEL_RE = re.compile(r"^[【\[［]?\s*(?:本期要目|本期目录|要目|目录)\s*[】\]］]?$")
# Under such a label a contents list may be numbered instead: 1．洞头区召开…
NUMBERED_HEADLINE_RE = re.compile(r"^\d{1,2}\s*[．.、]\s*(?P<text>\S.*)$")
EDITOR_NOTE_RE = re.compile(r"^[【\[［]\s*编者按\s*[】\]］][：:]?\s*(?P<rest>.*)$")
DISTRIBUTION_RE = re.compile(r"^(?P<label>抄报|抄送|报|送|发)\s*[：:]\s*(?P<rest>.*)$")
# The print date on a line of its own, as printed after the distribution block or above it:
# 2014年7月13日, 2014年12月8日印发.
PRINT_DATE_RE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:印发|编印|印)?$")
UNIT_BODY = (
    r"[^（）()。；;：:！？!?]{2,40}?(?:[（(][^（）()]{1,20}[)）][^（）()。；;：:！？!?]{0,20})?"
)
UNIT_RE = re.compile(rf"^[（(](?P<units>{UNIT_BODY})[)）]$")
TRAILING_UNIT_RE = re.compile(
    rf"^(?P<body>.*?[。！？.!?”\"）)])\s*(?P<unit>[（(]{UNIT_BODY}[)）])$"
)
ORG_SUFFIX_RE = re.compile(
    r"(处|办|局|委|会|室|中心|组|部|厅|院|所|公司|集团|馆|站|队|科|社|政府|区|县|市)$"
)
SECTION_RE = re.compile(
    r"^[【\[［〔]?(?P<name>[\u4e00-\u9fff]{2,6}(?:动态|简讯|要闻|快讯|交流|信息|之窗|聚焦|专栏|传真|专报))"
    r"[】\]］〕]?$"
)  # a section header; the brackets around it are decoration, as ● before a headline
# Masthead: the bulletin's name, its issue number, the editing office with the print date.
MASTHEAD_NAME_RE = re.compile(r"^[\u4e00-\u9fff（）()]{2,16}(?:简报|专报|快报|通讯)$")
# The name with the issue number on one line: 经济合作交流简报（2015年第3期）
MASTHEAD_NAME_NUMBER_RE = re.compile(
    r"^(?P<name>[\u4e00-\u9fff]{2,16}(?:简报|专报|快报|通讯))\s*[（(]?\s*"
    r"(?P<number>(?:\d{4}\s*年\s*)?第\s*[0-9一二三四五六七八九十百]+\s*期)\s*[)）]?$"
)
ISSUE_NUMBER_RE = re.compile(
    r"^(?:\d{4}\s*年\s*)?第\s*[0-9一二三四五六七八九十百]+\s*期"
    r"(?:\s*[（(]\s*总第\s*\d+\s*期\s*[)）])?$"
)
MASTHEAD_DATE_RE = re.compile(
    r"^.{0,30}(?:编|印|主办|编印|办公室)\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$"
)
# The masthead's imprint broken over lines: the office, the word 编, the date apart.
OFFICE_RE = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,30}(?:办公室|办|局|委员会|委|政府|中心)(?:编|编印|主办|印发)?$"
)
EDITED_BY_RE = re.compile(r"^(?:编|编印|主办|印发)$")
SENTENCE_END = "。！？；…：:!?;."
CLOSERS = "”’\"'）)」』】》〉"

# Full-width punctuation: a space next to it is layout, never meaning.
CJK_PUNCT = (
    r"\u3001-\u3003\u3008-\u3011\u3014-\u301f\uff01-\uff0f\uff1a-\uff1f\u2018-\u201f\u2014\u2026"
)
SPACE_RE = re.compile(r"[ \t\u3000\u00a0\u2002\u2003\f\v]+")
PUNCT_SPACE_RE = re.compile(rf"(?<=[{CJK_PUNCT}]) | (?=[{CJK_PUNCT}])")
LEADING_SPACE_RE = re.compile(r"^[ \t\u3000\u00a0\u2002\u2003\f\v\ufeff]*")


@dataclass
class Line:
    number: int  # 1-based line number in the raw text
    text: str  # cleaned
    last: int = 0  # last raw line, when lines were joined
    indent: int = 0  # display width of the white space the raw line opened with
    blank_before: bool | None = False  # a blank line stood before it (None: a page break)
    heading: bool = False  # a Word paragraph styled as a heading, or bold throughout
    cells: tuple[str, ...] = ()  # a table row's cells (a Word table; tab-separated text)
    fills: bool | None = None  # whether it fills its column's width (a PDF's; else measured)
    soft: bool = False  # it follows a line break within a paragraph (Word's Shift+Enter)

    def __post_init__(self) -> None:
        self.last = self.last or self.number

    @property
    def span(self) -> str:
        """第12行, 第12–13行: where the line stands in the raw text, for editors."""
        if self.last != self.number:
            return f"第{self.number}–{self.last}行"
        return f"第{self.number}行"


def clean_line(line: str) -> str:
    """Trim a line, fold runs of spaces into one and drop spaces next to full-width punctuation.

    Single spaces between words stay: they separate phrases in titles (打造时尚之都 再创温州辉煌)
    and Latin words (Thomas lee Renger).
    """
    line = SPACE_RE.sub(" ", line.replace("\ufeff", "")).strip()
    return PUNCT_SPACE_RE.sub("", line)


def _cells(raw: str) -> tuple[str, ...]:
    """A tab-separated row's cells, when the line holds at least two."""
    if "\t" not in raw.strip():
        return ()
    cells = tuple(clean_line(cell) for cell in raw.strip().split("\t"))
    return cells if sum(1 for cell in cells if cell) >= 2 else ()


def split_lines(text: str) -> list[Line]:
    """The raw text as cleaned lines (blank ones too), numbered as in the file."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = []
    for i, raw in enumerate(text.split("\n")):
        cleaned = clean_line(raw)
        indent = width(LEADING_SPACE_RE.match(raw).group(0).replace("\t", "    ")) if cleaned else 0
        lines.append(Line(i + 1, cleaned, indent=indent, cells=_cells(raw)))
    return lines


def width(text: str) -> int:
    """Display width: Chinese characters and full-width forms count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence (。 or ！ … possibly followed by a closing quote)."""
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def closes(text: str) -> bool:
    """Whether a line ends where a paragraph may end: a sentence, a closing quote or bracket."""
    return ends_sentence(text) or (bool(text) and text[-1] in CLOSERS)


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


def is_structural(text: str) -> bool:
    """A line with a role of its own, never the continuation of a wrapped paragraph."""
    return bool(
        not text
        or DEBRIS_RE.match(text)
        or HEADLINE_RE.match(text)
        or EDITOR_NOTE_RE.match(text)
        or DISTRIBUTION_RE.match(text)
        or PRINT_DATE_RE.match(text)
        or SECTION_RE.match(text)
        or is_unit(text)
    )


# --- Markdown escaping -----------------------------------------------------------------------

_INLINE_ESCAPES = str.maketrans({"\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_",
                                 "[": "\\[", "]": "\\]", "<": "&lt;"})  # fmt: skip
# A paragraph Markdown would read as a heading, quote, list or rule: its first character is
# escaped (`*` and `_` always are). A numbered list's number cannot be: its dot is.
_BLOCK_START_RE = re.compile(r"^(#|>|[+-]\s|-{3,}\s*$)")
_ORDERED_START_RE = re.compile(r"^(\d+)([.)]\s)")


def md_paragraph(text: str) -> str:
    """Escape one paragraph (or a heading's text) of plain text so Markdown shows it as
    written.

    An ``&`` that would start an entity is escaped before ``<`` becomes ``&lt;``: the other
    way round, the ``&lt;`` just made was escaped again and readers saw ``&lt;``."""
    text = re.sub(r"&(?=#|\w+;)", "&amp;", text)
    text = text.translate(_INLINE_ESCAPES)
    if text.endswith("#"):  # a heading would drop it, as its closing hashes
        text = text[:-1] + "\\#"
    if _BLOCK_START_RE.match(text):
        text = "\\" + text
    return _ORDERED_START_RE.sub(r"\1\\\2", text)


@functools.lru_cache(maxsize=1 << 18)  # more than the titles of 100,000 items
def key(text: str) -> str:
    """Text without spaces and punctuation, for matching a title to its headline."""
    return "".join(filter(str.isalnum, text))


def short(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[:n] + "…"
