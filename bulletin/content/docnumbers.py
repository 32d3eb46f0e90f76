"""文号 (document numbers): finding them in text in every usual spelling, and normalising them.

A 文号 is the issuing organ's code, the year in brackets and a serial number:
温委发〔2014〕27号. Sources and editors write the same number in many ways: other brackets
([2014], （2014）, 【2014】), full-width or half-width digits, spaces between the parts,
第27号. All of them normalise to one `DocNumber` and its canonical spelling.

Where the organ's code starts is not marked in running text (市委印发温委发〔2014〕27号): the
code is taken as the Chinese characters right before the bracket, cut after the last word
that cannot belong to a code (印发, 根据, 的 …) and to at most `MAX_ISSUER` characters; when
a held document's code ends the run, that code is used (see `citations`).

Pure: no Pelican, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ISSUER = 6  # 温政办发, 浙委办发, 温市监发: codes are short
FIRST_YEAR, LAST_YEAR = 1949, 2100
OPEN = "〔[［（(【〖"
CLOSE = "〕]］）)】〗"
SPACE = "[ \t\u3000]*"
DIGITS = "0-9０-９"

# The bracketed year and the serial number; the organ's code is looked for before it (a
# pattern starting with the code would try every Chinese character of a text as a start).
CORE_RE = re.compile(
    rf"[{re.escape(OPEN)}]{SPACE}(?P<year>[{DIGITS}]{{4}}){SPACE}[{re.escape(CLOSE)}]"
    rf"{SPACE}(?:第{SPACE})?(?P<serial>[{DIGITS}]{{1,5}}){SPACE}号"
)
ISSUER_BEFORE_RE = re.compile(rf"(?P<issuer>[\u4e00-\u9fff]{{1,{MAX_ISSUER + 4}}}){SPACE}$")
# Words that end the text before a code: a code never contains them.
BREAKS = (
    "印发", "下发", "转发", "根据", "依据", "按照", "贯彻", "落实", "执行", "参照", "对照",
    "文件", "精神", "通知", "意见", "规定", "办法", "以及", "和", "及", "与", "的", "了",
    "在", "按", "据", "即", "见", "是", "为", "将", "把", "由", "对",
)  # fmt: skip
BREAK_RE = re.compile("|".join(sorted(BREAKS, key=len, reverse=True)))
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass(frozen=True, order=True)
class DocNumber:
    """A 文号 as data: 温委发〔2014〕27号 is DocNumber("温委发", 2014, 27)."""

    issuer: str
    year: int
    serial: int

    def __str__(self) -> str:
        return f"{self.issuer}〔{self.year}〕{self.serial}号"

    @property
    def problem(self) -> str | None:
        """Why this number cannot exist, in Chinese (None: it can)."""
        if self.serial == 0:
            return "序号为0"
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            return f"年份{self.year}不可能"
        return None


@dataclass(frozen=True)
class NumberMatch:
    """A 文号 found in a text: where it is (code included) and what it says."""

    start: int
    end: int
    number: DocNumber
    leading_zero: bool = False  # 〔2014〕027号

    def text(self, source: str) -> str:
        return source[self.start : self.end]

    @property
    def problem(self) -> str | None:
        if self.leading_zero and self.number.serial:
            return "序号以0开头"
        return self.number.problem


def issuer_code(run: str, known: frozenset[str] = frozenset()) -> str:
    """The organ's code at the end of `run`, the Chinese characters before a 文号's bracket.

    The longest code of `known` that ends `run` wins; otherwise what follows the last word
    that cannot be part of a code, at most MAX_ISSUER characters.
    """
    for size in range(min(len(run), MAX_ISSUER + 4), 0, -1):
        if run[-size:] in known:
            return run[-size:]
    cut = 0
    for match in BREAK_RE.finditer(run):
        if match.end() < len(run):  # a code may itself end in 发, never in a whole break word
            cut = match.end()
    code = run[cut:]
    return code[-MAX_ISSUER:]


def find_numbers(text: str, known: frozenset[str] = frozenset()) -> list[NumberMatch]:
    """Every 文号 in `text`, in order, with its span starting at the organ's code."""
    found = []
    for match in CORE_RE.finditer(text):
        before = ISSUER_BEFORE_RE.search(
            text, max(0, match.start() - MAX_ISSUER - 8), match.start()
        )
        if before is None:
            continue
        run = before.group("issuer")
        code = issuer_code(run, known)
        start = before.start("issuer") + len(run) - len(code)
        serial = match.group("serial").translate(FULL_WIDTH_DIGITS)
        number = DocNumber(code, int(match.group("year").translate(FULL_WIDTH_DIGITS)), int(serial))
        found.append(NumberMatch(start, match.end(), number, serial.startswith("0")))
    return found


def parse(text: str, known: frozenset[str] = frozenset()) -> DocNumber | None:
    """The 文号 that `text` is, whole (surrounding spaces allowed); None if it is not one."""
    text = text.strip()
    found = find_numbers(text, known)
    if len(found) == 1 and found[0].end == len(text):
        return found[0].number
    return None
