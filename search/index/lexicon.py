"""The lexicon of 您是不是要找, made at build time: the archive's own names, and how its
characters read.

Readers type with a pinyin input method and pick the wrong character: 孔海隆 for 孔海龙,
瓯江口新去 for 瓯江口新区. When a query finds little, each of its terms is compared with this
lexicon (`search.query.suggest`): proper nouns (people, places, organisations: rjieba's
nr/ns/nt/nz), the county and topic names, reporting units, titles and 文号, each with the
number of documents that contain it; and the readings (toneless pinyin) of every character
of GB 2312 and of the archive.

Written twice, for the two that compare: split by length for the search page
(`search/suggest/<n>.json`, `search/suggest/pinyin.json`, and `MOST_FILE`), whole beside
the Whoosh index for `invoke search` (`SUGGEST_FILE`).
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import rjieba
from pypinyin import Style, pinyin

from search.analysis.documents import SearchDoc
from search.analysis.rules import SUGGEST_MAX_TOKENS, SUGGEST_MIN_TOKENS
from search.analysis.tokens import HAN_RE, normalize, tokens

PROPER_TAGS = {"nr", "nrfg", "nrt", "ns", "nt", "nz"}
FREQUENT_DOCUMENTS = 2  # a term in this many documents or more is in the lexicon
FREQUENT_TERMS = 20_000  # at most, the commonest
SUGGEST_DIR = "search/suggest"  # in the site
SUGGEST_FILE = "suggest.json"  # beside the Whoosh index, for the command line
# In the site: number of tokens → the most documents an entry of that length is in, so that
# the search page loads only the lexicons that can offer something (search-core.js).
MOST_FILE = "most.json"

Entry = tuple[str, int]  # as written, documents that contain it


def gb2312(common_only: bool = False) -> list[str]:
    """The characters of GB 2312: both levels, or level 1 alone (the 3,755 common ones)."""
    chars = []
    for high in range(0xB0, 0xD8 if common_only else 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


@lru_cache(maxsize=65536)
def readings(char: str) -> tuple[str, ...]:
    """Toneless pinyin readings of one character (several for a polyphone)."""
    if not HAN_RE.match(char):
        return ()
    return tuple(sorted(set(pinyin(char, style=Style.NORMAL, heteronym=True)[0])))


def reading_table(extra_chars: Iterable[str]) -> dict[str, str]:
    """Syllable → the characters that read so: GB 2312 and the archive's own characters."""
    table: dict[str, list[str]] = {}
    for char in sorted(set(gb2312()) | {c for c in extra_chars if HAN_RE.match(c)}):
        for syllable in readings(char):
            if syllable.isascii() and syllable.isalpha():
                table.setdefault(syllable, []).append(char)
    return {s: "".join(chars) for s, chars in sorted(table.items())}


def proper_names(text: str) -> list[str]:
    """Words tagged as proper nouns, and runs of them joined: rjieba cuts 孔海龙 into 孔/nr
    and 海龙/nz, and a reader types the whole name."""
    return tagged_terms(text)[0]


def tagged_terms(text: str) -> tuple[list[str], list[str]]:
    """The proper names of `text` (`proper_names`), and its terms: each word of two
    characters or more and each two words side by side (rjieba cuts 招商专员 into 招商/专员
    and 陈一新 into 陈/一新, and a reader types them whole)."""
    names: list[str] = []
    run: list[str] = []
    words: list[str] = []
    for word, tag in [*rjieba.tag(text), ("", "")]:
        word = word.strip()
        words.append(word if word[:1].isalnum() else "")
        if tag in PROPER_TAGS and word:
            run.append(word)
            continue
        if len(run) > 1:
            names.append("".join(run))
        names += [w for w in run if len(w) >= 2]
        run = []
    terms = [w for w in words if len(w) >= 2]
    terms += [a + b for a, b in itertools.pairwise(words) if a and b]
    return names, terms


DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[（(]\d{4}[〕\]）)]第?\d+号")


def lexicon(docs: list[SearchDoc], names: Iterable[str] = ()) -> list[Entry]:
    """Names, places, units, titles and 文号 of the archive, and its frequent terms, with
    document counts, most documents first.

    `names`: more names to offer (the taxonomies' names and aliases), counted where found.
    A term (`tagged_terms`) is offered when FREQUENT_DOCUMENTS documents or more hold it,
    the FREQUENT_TERMS commonest at most (so that the files the search page loads stay
    small whatever the archive's size)."""
    found: Counter[str] = Counter({name: 0 for name in names})
    terms: Counter[str] = Counter()
    tagged: dict[str, tuple[list[str], list[str]]] = {}  # each distinct paragraph once
    for doc in docs:
        named: set[str] = {doc.title, *doc.counties, *doc.topics}
        if doc.context:
            named.add(doc.context)
        if doc.extra.get("unit"):
            named.update(doc.extra["unit"].split("、"))
        held: set[str] = set()
        for paragraph in f"{doc.title}\n\n{doc.text}".split("\n\n"):
            if paragraph not in tagged:
                proper, frequent = tagged_terms(paragraph)
                tagged[paragraph] = (proper + DOC_NUMBER_RE.findall(paragraph), frequent)
            named.update(tagged[paragraph][0])
            held.update(tagged[paragraph][1])
        found.update(named)
        terms.update(held - named)
    frequent = sorted(
        ((term, n) for term, n in terms.items() if n >= FREQUENT_DOCUMENTS and term not in found),
        key=lambda e: (-e[1], e[0]),
    )
    for term, n in frequent[:FREQUENT_TERMS]:
        found[term] = n
    return sorted(
        ((name, n) for name, n in found.items() if _fits(name)), key=lambda e: (-e[1], e[0])
    )


def _fits(name: str) -> bool:
    return SUGGEST_MIN_TOKENS <= len(tokens(normalize(name))) <= SUGGEST_MAX_TOKENS


@dataclass(frozen=True)
class Lexicon:
    """The lexicon's entries and the readings of their characters, to be written."""

    entries: list[Entry]
    table: dict


def made_lexicon(docs: list[SearchDoc], names: Iterable[str] = ()) -> Lexicon:
    """The lexicon of `docs` (see `lexicon`) and its reading table: the work of it, which a
    build does while its search workers still run and writes once they are done."""
    entries = lexicon(docs, names)
    return Lexicon(entries, reading_table(ch for name, _ in entries for ch in normalize(name)))


def write_lexicon(made: Lexicon, site: Path | None, index_dir: Path | None) -> None:
    """The lexicon and reading table, split by length for the site, whole for the CLI."""
    entries, table = made.entries, made.table
    if site is not None:
        directory = site / SUGGEST_DIR
        directory.mkdir(parents=True, exist_ok=True)
        groups = by_length(entries)
        for length, group in groups.items():
            (directory / f"{length}.json").write_text(_json(group), encoding="utf-8")
        (directory / MOST_FILE).write_text(_json(most_documents(groups)), encoding="utf-8")
        (directory / "pinyin.json").write_text(_json(table), encoding="utf-8")
    if index_dir is not None:
        data = {"entries": entries, "pinyin": table}
        (index_dir / SUGGEST_FILE).write_text(_json(data), encoding="utf-8")


def by_length(entries: list[Entry]) -> dict[int, list[Entry]]:
    """The entries by their number of tokens, in their order: as the search page loads them
    (`search/suggest/<n>.json`) and as both sides look them up."""
    grouped: dict[int, list[Entry]] = {}
    for name, count in entries:
        grouped.setdefault(len(tokens(normalize(name))), []).append((name, count))
    return grouped


def most_documents(groups: dict[int, list[Entry]]) -> dict[str, int]:
    """Number of tokens → the most documents an entry of that length is in (`MOST_FILE`)."""
    return {str(length): group[0][1] for length, group in sorted(groups.items())}


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
