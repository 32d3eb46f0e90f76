"""Lines of raw text: cleaning, what kind of line each is, and undoing hard line wraps.

Raw texts come from Word or PDF exports: indented with full-width spaces, with layout spaces
inside lines, page numbers between pages and, from PDFs, every paragraph wrapped at a fixed
width. These helpers make lines comparable without changing a word of the text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from bulletin.dates import leading_month_day

DEBRIS_RE = re.compile(
    r"^(?:[—\-－–―─]+\s*\d{1,3}\s*[—\-－–―─]+"  # — 11 —  /  - 2 -
    r"|第\s*\d{1,3}\s*页(?:\s*[，,]?\s*共\s*\d{1,3}\s*页)?"  # 第 3 页 / 第3页 共8页
    r"|\d{1,3}\s*/\s*\d{1,3}"  # 3/8
    r"|\d{1,3})$"  # a bare page number
)
HEADLINE_RE = re.compile(r"^[●•◆■▲★]\s*(?P<text>.+)$")
EDITOR_NOTE_RE = re.compile(r"^[【\[［]\s*编者按\s*[】\]］][：:]?\s*(?P<rest>.*)$")
DISTRIBUTION_RE = re.compile(r"^(?P<label>抄报|抄送|报|送|发)\s*[：:]\s*(?P<rest>.*)$")
PRINT_DATE_RE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
UNIT_BODY = (
    r"[^（）()。；;：:！？!?]{2,40}?(?:[（(][^（）()]{1,20}[)）][^（）()。；;：:！？!?]{0,20})?"
)
UNIT_RE = re.compile(rf"^[（(](?P<units>{UNIT_BODY})[)）]$")
TRAILING_UNIT_RE = re.compile(rf"^(?P<body>.*?[。！？.!?”\"])\s*(?P<unit>[（(]{UNIT_BODY}[)）])$")
ORG_SUFFIX_RE = re.compile(
    r"(处|办|局|委|会|室|中心|组|部|厅|院|所|公司|集团|馆|站|队|科|社|政府|区|县|市)$"
)
SECTION_RE = re.compile(
    r"^[\u4e00-\u9fff]{2,6}(?:动态|简讯|要闻|快讯|交流|信息|之窗|聚焦|专栏|传真|专报)$"
)
# Masthead: the bulletin's name, its issue number, the editing office with the print date.
MASTHEAD_NAME_RE = re.compile(r"^[\u4e00-\u9fff（）()]{2,16}(?:简报|专报|快报|通讯)$")
ISSUE_NUMBER_RE = re.compile(
    r"^(?:\d{4}\s*年\s*)?第\s*[0-9一二三四五六七八九十百]+\s*期"
    r"(?:\s*[（(]\s*总第\s*\d+\s*期\s*[)）])?$"
)
MASTHEAD_DATE_RE = re.compile(
    r"^.{0,30}(?:编|印|主办|编印|办公室)\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$"
)
SENTENCE_END = "。！？；…：:!?;."
CLOSERS = "”’\"'）)」』】"

# Full-width punctuation: a space next to it is layout, never meaning.
CJK_PUNCT = (
    r"\u3001-\u3003\u3008-\u3011\u3014-\u301f\uff01-\uff0f\uff1a-\uff1f\u2018-\u201f\u2014\u2026"
)
SPACE_RE = re.compile(r"[ \t\u3000\u00a0\u2002\u2003\f\v]+")
PUNCT_SPACE_RE = re.compile(rf"(?<=[{CJK_PUNCT}]) | (?=[{CJK_PUNCT}])")


@dataclass
class Line:
    number: int  # 1-based line number in the raw text
    text: str  # cleaned
    last: int = 0  # last raw line, when wrapped lines were joined

    def __post_init__(self) -> None:
        self.last = self.last or self.number


def clean_line(line: str) -> str:
    """Trim a line, fold runs of spaces into one and drop spaces next to full-width punctuation.

    Single spaces between words stay: they separate phrases in titles (打造时尚之都 再创温州辉煌)
    and Latin words (Thomas lee Renger).
    """
    line = SPACE_RE.sub(" ", line.replace("\ufeff", "")).strip()
    return PUNCT_SPACE_RE.sub("", line)


def split_lines(text: str) -> list[Line]:
    """The raw text as cleaned lines, numbered as in the file."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [Line(i + 1, clean_line(raw)) for i, raw in enumerate(text.split("\n"))]


def width(text: str) -> int:
    """Display width: Chinese characters and full-width forms count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


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


def wrap_width(lines: list[Line]) -> int | None:
    """The width a PDF export wrapped its paragraphs at, if it did.

    In wrapped text many lines have (nearly) the same display width, do not end a sentence
    and run straight on into the next line. Word exports keep a paragraph on one line.
    """
    texts = [line.text for line in lines]
    long = [t for t in texts if width(t) >= 20]
    if len(long) < 6:
        return None
    counts = Counter(width(t) for t in long)
    best = max(counts, key=lambda w: (sum(counts[v] for v in range(w - 2, w + 1)), w))
    if best < 30:
        return None
    runs_on = sum(
        1
        for text, following in pairwise(texts)
        if best - 2 <= width(text) <= best
        and following
        and not ends_sentence(text)
        and not is_structural(text)
    )
    return best if runs_on >= 4 and runs_on >= len(long) * 0.3 else None


def unwrap(lines: list[Line]) -> tuple[list[Line], int | None]:
    """Join paragraphs that a PDF export wrapped at a fixed width; return lines and width."""
    limit = wrap_width(lines)
    if limit is None:
        return lines, None
    joined: list[Line] = []
    tail = ""  # the last raw line of joined[-1]: only a full-width line wraps
    for line in lines:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and tail
            and line.text
            and width(tail) >= limit - 2
            and not ends_sentence(tail)
            and not is_structural(previous.text)
            and not is_structural(line.text)
            and previous.last == line.number - 1
        ):
            glue = " " if tail[-1].isascii() and line.text[0].isascii() else ""
            previous.text = previous.text + glue + line.text
            previous.last = line.number
        else:
            joined.append(Line(line.number, line.text))
        tail = line.text
    return joined, limit


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
