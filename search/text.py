"""Text normalisation and tokens shared by the Pagefind and Whoosh indexes and their queries.

The whole design rests on one rule: the index and the query are cut into tokens the same
way, so what a reader types is found wherever it occurs. Chinese text is cut into single
characters, which no segmenter can cut differently, and a multi-character term is searched
as a phrase of consecutive tokens. Latin letters and digits stay whole (2014, a-378 → a,
378); punctuation and spaces between tokens do not count, so 温委发〔2014〕27号 is found as
温委发2014 27号 too. Traditional characters are mapped to simplified ones first, character
by character, so 溫商回歸 finds 温商回归. For Pagefind, tokens are written as Latin codes of
token pairs (see `pair_words`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache

import opencc

from search.rules import FILLER, TITLE_SLOTS

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RE = re.compile(f"[{HAN}]")
TOKEN_RE = re.compile(f"[{HAN}]|[0-9a-z]+")
LONG_RUN_RE = re.compile("[0-9a-z]{36}")
WHITESPACE_RE = re.compile(r"\s+")
# Traditional → simplified; the regional configurations add Taiwan and Hong Kong variants.
T2S_CONFIGS = ("t2s", "tw2s", "hk2s")


@lru_cache(maxsize=1)
def _converters() -> tuple[opencc.OpenCC, ...]:
    return tuple(opencc.OpenCC(config) for config in T2S_CONFIGS)


def to_simplified(text: str) -> str:
    """Traditional → simplified, character by character (as the browser does it)."""
    converted = text
    for converter in _converters():
        converted = converter.convert(converted)
    return converted


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    """str.translate table: width folding (NFKC), traditional → simplified, lower case.

    Built once per process for the Basic Multilingual Plane; each character is converted on
    its own, so the mapping never depends on its neighbours and the browser can repeat it.
    """
    table: dict[int, str] = {}
    han = re.compile(f"[{HAN}]")
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        if han.search(folded):
            folded = "".join(to_simplified(c) if han.match(c) else c for c in folded)
        folded = folded.lower()
        if folded != ch:
            table[code] = folded
    return table


def normalize(text: str) -> str:
    """Width-folded, simplified and lower-cased: the form both indexes and queries take."""
    return text.translate(_table())


def tokens(text: str) -> list[str]:
    """The searchable tokens of normalised text: each Han character, each Latin run.

    Latin runs are cut every 35 characters, so that their length fits one base-36 digit
    (see `unit_code`)."""
    out = TOKEN_RE.findall(text)
    if LONG_RUN_RE.search(text):
        out = [t[i : i + 35] for t in out for i in range(0, len(t), 35)]
    if "第" not in text:  # (the common case, and the loops above and below are the cost)
        return out
    # 文号 are written with and without 第 (温委发〔2014〕第27号): 第 before a number and 号
    # is not a token, so both spellings are the same tokens.
    return [
        t
        for i, t in enumerate(out)
        if not (t == "第" and i + 2 < len(out) and out[i + 1].isdigit() and out[i + 2] == "号")
    ]


def base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


@lru_cache(maxsize=1 << 16)  # a few thousand distinct tokens make up millions of words
def unit_code(token: str) -> str:
    """A token as a Latin code: 温 → h<3 base-36 digits of its code point>, 2014 → l42014.

    Han characters after normalisation lie in U+3400–U+9FFF, always three base-36 digits;
    a Latin run carries its length, so one code never runs into the next.
    """
    if HAN_RE.match(token):
        return "h" + base36(ord(token))
    return "l" + base36(len(token)) + token


END = "e"  # the code after the last token of a text


def pair_words(units: list[str]) -> list[str]:
    """One word per token: its code followed by the next token's (温委发 → h温h委 h委h发 h发e).

    A term of n tokens is then the exact phrase of its n − 1 pairs, and a single token is a
    prefix of the words that begin with it. Pairs are rarer than single characters, so a
    query loads far less of the index than with one word per character.
    """
    codes = list(map(unit_code, units))
    following = codes[1:]
    following.append(END)
    return list(map(str.__add__, codes, following))


def spaced(text: str) -> str:
    """What Pagefind indexes for `text`: its pair words separated by spaces.

    Codes are Latin words, which neither Pagefind's index-time segmenter nor the browser's
    query-time one can cut differently; punctuation is left out (温委发〔2014〕27号 and
    温委发2014 27号 give the same words).
    """
    return " ".join(pair_words(tokens(normalize(text))))


def query_terms(query: str, folds: dict[str, str] | None = None) -> list[list[str]]:
    """A reader's query as terms (split on spaces), each a list of tokens.

    With `folds` (the build's `fold_map`), characters are folded as the browser folds them."""
    folded = fold_query(query, folds) if folds else normalize(query)
    terms = [tokens(part) for part in folded.split()]
    return [t for t in terms if t]


# OpenCC's simplified → traditional conversions, Taiwan and Hong Kong forms included. Run
# over the archive's own text, they give the traditional characters a reader can type for
# its words, including those OpenCC only chooses in context (了解 → 瞭解, 家具 → 傢俱).
S2T_CONFIGS = ("s2t", "s2tw", "s2hk", "s2twp", "s2hkp")


def fold_map(corpus: str | Iterable[str], batch: int = 1 << 20) -> dict[str, str]:
    """Traditional and variant characters → the simplified characters of the corpus (a
    text, or its lines).

    Two sources, both OpenCC: every character that its character table maps to a simplified
    character the corpus uses (臺 → 台, 裏 → 里, 溫 → 温), and every character that its
    phrase-aware conversions of the corpus's own text write for one of the corpus's
    characters (瞭 for the 了 of 了解). A character that the corpus itself uses is never
    folded into another. Shipped to the browser and to the command line, so that a query
    typed in traditional script is folded the same way by both before it is searched.

    The lines are converted about `batch` characters at a time (at 100,000 items the whole
    text at once, and its five conversions, held 330 MB).
    """
    used: set[str] = set()
    seen: Counter[tuple[str, str]] = Counter()
    converters = [opencc.OpenCC(config) for config in S2T_CONFIGS]
    for block in _batches(corpus.splitlines() if isinstance(corpus, str) else corpus, batch):
        lines = normalize(block).splitlines()
        text = "\n".join(lines)
        used.update(HAN_RE.findall(text))
        for converter in converters:
            for line, converted in zip(lines, converter.convert(text).split("\n"), strict=True):
                if len(converted) != len(line):
                    continue  # a vocabulary change (s2twp: 软件 → 軟體 is fine, 鼠标 → 滑鼠 not)
                for simplified, variant in zip(line, converted, strict=True):
                    # (a Han character of the text is one the corpus uses)
                    if variant != simplified and HAN_RE.match(simplified) and HAN_RE.match(variant):
                        seen[(variant, simplified)] += 1
    mapping = {
        chr(code): target
        for code, target in _table().items()
        if HAN_RE.match(chr(code)) and len(target) == 1 and target in used
    }
    for (variant, simplified), _ in sorted(seen.items(), key=lambda kv: (-kv[1], kv[0])):
        if variant not in used and variant not in mapping:
            mapping[variant] = simplified
    return dict(sorted(mapping.items()))


def _batches(lines: Iterable[str], size: int) -> Iterator[str]:
    """The lines joined into texts of about `size` characters."""
    block: list[str] = []
    length = 0
    for line in lines:
        block.append(line)
        length += len(line) + 1
        if length >= size:
            yield "\n".join(block)
            block, length = [], 0
    if block:
        yield "\n".join(block)


def fold_query(query: str, folds: dict[str, str]) -> str:
    """A query as the browser folds it: normalised, then mapped with the shipped fold map."""
    return "".join(folds.get(ch, ch) for ch in normalize(query))


def document_segments(title: str, text: str) -> list[list[str]]:
    """What Pagefind indexes for a document, one list of words per paragraph it is given.

    The title's pair words, filler words up to position `TITLE_SLOTS` (so that a word is in
    the title when its position is below that), then each paragraph's pair words.
    Concatenated (`document_words`), a word's index is the position Pagefind reports for it:
    the search page reads those positions, and the command line keeps the same list, so
    both see the same document (see `search.rules`).
    """
    title_words = pair_words(tokens(normalize(title)))
    segments = [title_words, [FILLER] * max(0, TITLE_SLOTS - len(title_words))]
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            segments.append(pair_words(tokens(normalize(paragraph))))
    return segments


def document_words(title: str, text: str) -> list[str]:
    return [word for segment in document_segments(title, text) for word in segment]
