"""Tokens: how text and queries are cut, and the codes the browser index writes them as.

The whole design rests on one rule: the index and the query are cut into tokens the same
way, so what a reader types is found wherever it occurs. Chinese text is cut into single
characters, which no segmenter can cut differently, and a multi-character term is searched
as a phrase of consecutive tokens. Latin letters and digits stay whole (2014, a-378 → a,
378; a run longer than `LATIN_RUN` is cut into pieces of that length); punctuation and
spaces between tokens do not count, so 温委发〔2014〕27号 is found as 温委发2014 27号 too.
Traditional characters are mapped to simplified ones first, character by character, so
溫商回歸 finds 温商回归. For Pagefind, tokens are written as Latin codes of token pairs (see
`pair_words`).

A query is cut by the same rules on the search page (theme/static/js/search-core.js), which
reads the character classes and numbers below from `search.analysis.rules.rules_json`;
tests/test_search_conformance.py holds the two to the same answers.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

from search.analysis.rules import HAN, LATIN_RUN, SPACE

HAN_RE = re.compile(f"[{HAN}]")
TOKEN_RE = re.compile(f"[{HAN}]|[0-9a-z]+")
LONG_RUN_RE = re.compile(f"[0-9a-z]{{{LATIN_RUN + 1}}}")
SPACE_RE = re.compile(f"[{SPACE}]+")
BLANK_RE = re.compile(f"[{SPACE}]*")  # (fullmatch: nothing but spaces)
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
def normalize_table() -> dict[int, str]:
    """str.translate table: width folding (NFKC), traditional → simplified, lower case.

    Built once per process for the Basic Multilingual Plane; each character is converted on
    its own, so the mapping never depends on its neighbours and the browser can repeat it.
    """
    table: dict[int, str] = {}
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        folded = unicodedata.normalize("NFKC", ch)
        if HAN_RE.search(folded):
            folded = "".join(to_simplified(c) if HAN_RE.match(c) else c for c in folded)
        folded = folded.lower()
        if folded != ch:
            table[code] = folded
    return table


def normalize(text: str) -> str:
    """Width-folded, simplified and lower-cased: the form both indexes and queries take."""
    return text.translate(normalize_table())


def tokens(text: str) -> list[str]:
    """The searchable tokens of normalised text: each Han character, each Latin run.

    Latin runs are cut every LATIN_RUN characters, so that their length fits one base-36
    digit (see `unit_code`)."""
    out = TOKEN_RE.findall(text)
    if LONG_RUN_RE.search(text):
        out = [t[i : i + LATIN_RUN] for t in out for i in range(0, len(t), LATIN_RUN)]
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


def query_parts(query: str, folds: dict[str, str]) -> list[str]:
    """A query's terms as typed: its parts between spaces that hold a token."""
    return [part for part in SPACE_RE.split(query) if tokens(fold_query(part, folds))]


def query_terms(query: str, folds: dict[str, str] | None = None) -> list[list[str]]:
    """A reader's query as terms (its parts between spaces), each a list of tokens.

    With `folds` (the build's fold map, `search.analysis.folds.fold_map`), characters are
    folded as the search page folds them (`fold_query`); without, as the index's text is
    (`normalize`)."""
    fold = (lambda part: fold_query(part, folds)) if folds else normalize
    terms = [tokens(fold(part)) for part in SPACE_RE.split(query)]
    return [t for t in terms if t]


def fold_query(query: str, folds: dict[str, str]) -> str:
    """A query as the search page folds it: each character width-folded (NFKC) and lower-cased,
    then mapped by the fold map. The index's text is `normalize`d instead, which also turns
    every traditional character into its simplified one: the fold map holds those of them
    that the archive uses, so what a query can find is the same."""
    seen: dict[str, str] = {}
    out = []
    for ch in query:
        folded = seen.get(ch)
        if folded is None:
            lowered = unicodedata.normalize("NFKC", ch).lower()
            folded = seen[ch] = "".join(folds.get(c, c) for c in lowered)
        out.append(folded)
    return "".join(out)
