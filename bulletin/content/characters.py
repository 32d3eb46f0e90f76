"""Which characters content may hold: invisible ones that break files, lines or names are refused.

Content comes from editors' keyboards, from text pasted out of Word and PDF files, and from
pull requests anyone can open; none of it is trusted. Two sets of characters are refused,
each reported at its line and column with its code point, so that an editor can find what
no editor shows:

- `FORBIDDEN`, anywhere in a content file: control characters (C0 but tab, line feed and
  carriage return; DEL; C1), which no document's text holds and which break terminals and
  XML; the Unicode line and paragraph separators U+2028/U+2029 (Python's `splitlines` ends a
  line there and editors do not, so every line number after them would be wrong); a byte
  order mark U+FEFF anywhere but at the very start; lone surrogates (a YAML escape can write
  one; no UTF-8 file holds one); the noncharacters U+FDD0–U+FDEF, U+FFFE, U+FFFF; and the
  direction embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069, which make a
  line show in another order than its characters (“Trojan Source”: a body could show a sum
  or a date other than the one a reviewer of the file reads, and search finds); no Chinese
  document holds one.
- `INVISIBLE`, in metadata and headings (titles, names, 文号, slugs, units), where they would
  make two spellings that look the same differ (平阳​县 is not 平阳县, a slug or a 文号 no
  longer matches): Unicode's default-ignorable characters — zero-width spaces and joiners,
  the soft hyphen, word joiners, direction marks and overrides, Hangul fillers, tag
  characters. Variation selectors are allowed: a person's name may need one for its glyph.
  In a body they are kept as written: they change no name there.

The archive publishes documents as they are, so nothing is removed silently: a refused
character is for the editor to delete. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FORBIDDEN_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069]"
)
INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f]"
)
ANY_REFUSED_RE = re.compile(f"{FORBIDDEN_RE.pattern}|{INVISIBLE_RE.pattern}")
LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")  # how editors, and str.splitlines here, count lines
SHOWN_PER_FILE = 10  # a binary file pasted in has thousands: the first few say enough

NAMES = {
    "\x00": "空字符（NUL）",
    "\u00ad": "软连字符",
    "\u200b": "零宽空格",
    "\u200c": "零宽不连接符",
    "\u200d": "零宽连接符",
    "\u2028": "行分隔符",
    "\u2029": "段分隔符",
    "\u2060": "零宽不换行符",
    "\ufeff": "字节顺序标记（BOM）",
}
DIRECTION = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Refused:
    """A refused character: its line (1-based), column (1-based, in characters) and itself."""

    line: int
    column: int
    char: str

    @property
    def name(self) -> str:
        """The character as an editor can look it up: what it is and its code point."""
        code = f"U+{ord(self.char):04X}"
        if self.char in NAMES:
            return f"{NAMES[self.char]} {code}"
        if self.char in DIRECTION:
            return f"文字方向控制符 {code}"
        if "\ud800" <= self.char <= "\udfff":
            return f"孤立的代理码位 {code}"
        if FORBIDDEN_RE.match(self.char) and ord(self.char) > 0x9F:
            return f"非字符 {code}"
        if FORBIDDEN_RE.match(self.char):
            return f"控制字符 {code}"
        return f"看不见的格式字符 {code}"

    @property
    def message(self) -> str:
        return f"第{self.column}个字符处有看不见的字符：{self.name}"

    hint = "删去这个字符（多半是从别处复制来的）；编辑器里打开“显示不可见字符”可以看到它"


def refused_in(text: str, invisible_too: bool = False, first_line: int = 1) -> list[Refused]:
    """The refused characters of `text`, the first of each line, at most SHOWN_PER_FILE.

    `invisible_too`: refuse `INVISIBLE` as well (metadata, headings). Lines are counted as
    editors count them (CR LF, CR or LF ends a line) from `first_line`. Linear in the text."""
    pattern = ANY_REFUSED_RE if invisible_too else FORBIDDEN_RE
    found: list[Refused] = []
    line, line_start, at = first_line, 0, 0
    while len(found) < SHOWN_PER_FILE:
        match = pattern.search(text, at)
        if match is None:
            break
        for end_of_line in LINE_BREAK_RE.finditer(text, at, match.start()):
            line, line_start = line + 1, end_of_line.end()
        found.append(Refused(line, match.start() - line_start + 1, match.group()))
        following = LINE_BREAK_RE.search(text, match.end())  # on to the next line
        if following is None:
            break
        line, line_start, at = line + 1, following.end(), following.end()
    return found


def has_invisible(text: str) -> bool:
    """Whether `text` holds any refused character, invisible ones included."""
    return FORBIDDEN_RE.search(text) is not None or INVISIBLE_RE.search(text) is not None
