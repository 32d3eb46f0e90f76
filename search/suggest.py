"""您是不是要找: the archive's own names that read like what the reader typed.

Readers type with a pinyin input method and pick the wrong character: 孔海隆 for 孔海龙,
瓯江口新去 for 瓯江口新区. When a query finds little, each of its terms is compared with a
lexicon made at build time from the archive: proper nouns (people, places, organisations:
rjieba's nr/ns/nt/nz), the county and topic names, reporting units, titles and 文号.

An entry is offered for a term of the same number of tokens when it differs from the term
and every differing token is a Chinese character that shares a reading with the typed one
(toneless pinyin, every reading of a polyphone), or when exactly one token differs and the
term has three tokens or more. Entries that only sound alike come before those one
character off; then the entries found in more documents.

The browser (`theme/static/js/search.js`) runs the same comparison on the same data: the
lexicon split by length (`search/suggest/<n>.json`) and the readings of every character of
GB 2312 and of the archive (`search/suggest/pinyin.json`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import rjieba
from pypinyin import Style, pinyin

from search.documents import SearchDoc
from search.rules import SUGGEST_LIMIT, SUGGEST_MAX_TOKENS, SUGGEST_MIN_TOKENS
from search.text import HAN_RE, normalize, tokens

PROPER_TAGS = {"nr", "nrfg", "nrt", "ns", "nt", "nz"}
SUGGEST_DIR = "search/suggest"  # in the site; the command line keeps suggest.json by its index

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
    names: list[str] = []
    run: list[str] = []
    for word, tag in [*rjieba.tag(text), ("", "")]:
        if tag in PROPER_TAGS and word.strip():
            run.append(word.strip())
            continue
        if len(run) > 1:
            names.append("".join(run))
        names += [w for w in run if len(w) >= 2]
        run = []
    return names


DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[（(]\d{4}[〕\]）)]第?\d+号")


def lexicon(docs: list[SearchDoc], names: Iterable[str] = ()) -> list[Entry]:
    """Names, places, units, terms, titles and 文号 of the archive, with document counts.

    `names`: more names to offer (the taxonomies' names and aliases), counted where found."""
    found: Counter[str] = Counter({name: 0 for name in names})
    tagged: dict[str, list[str]] = {}  # each distinct paragraph is tagged once
    for doc in docs:
        names: set[str] = {doc.title, *doc.counties, *doc.topics}
        if doc.context:
            names.add(doc.context)
        if doc.extra.get("unit"):
            names.update(doc.extra["unit"].split("、"))
        for paragraph in f"{doc.title}\n\n{doc.text}".split("\n\n"):
            if paragraph not in tagged:
                tagged[paragraph] = proper_names(paragraph) + DOC_NUMBER_RE.findall(paragraph)
            names.update(tagged[paragraph])
        for name in names:
            found[name] += 1
    return sorted(
        ((name, n) for name, n in found.items() if _fits(name)), key=lambda e: (-e[1], e[0])
    )


def _fits(name: str) -> bool:
    return SUGGEST_MIN_TOKENS <= len(tokens(normalize(name))) <= SUGGEST_MAX_TOKENS


def write_lexicon(
    docs: list[SearchDoc], site: Path | None, index_dir: Path | None, names: Iterable[str] = ()
) -> None:
    """The lexicon and reading table, split by length for the site, whole for the CLI."""
    entries = lexicon(docs, names)
    table = reading_table(ch for name, _ in entries for ch in normalize(name))
    if site is not None:
        directory = site / SUGGEST_DIR
        directory.mkdir(parents=True, exist_ok=True)
        by_length: dict[int, list[Entry]] = {}
        for name, count in entries:
            by_length.setdefault(len(tokens(normalize(name))), []).append((name, count))
        for length, group in by_length.items():
            (directory / f"{length}.json").write_text(_json(group), encoding="utf-8")
        (directory / "pinyin.json").write_text(_json(table), encoding="utf-8")
    if index_dir is not None:
        data = {"entries": entries, "pinyin": table}
        (index_dir / "suggest.json").write_text(_json(data), encoding="utf-8")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sounds(table: dict[str, str]) -> dict[str, set[str]]:
    sounds: dict[str, set[str]] = {}
    for syllable, chars in table.items():
        for char in chars:
            sounds.setdefault(char, set()).add(syllable)
    return sounds


def compare(term: list[str], entry: list[str], sounds: dict[str, set[str]]) -> int | None:
    """0 when the entry reads like the term, 1 when one token is off, None otherwise."""
    if len(entry) != len(term) or entry == term:
        return None
    differing = [(a, b) for a, b in zip(term, entry, strict=True) if a != b]
    alike = all(sounds.get(a, set()) & sounds.get(b, set()) for a, b in differing)
    if alike:
        return 0
    return 1 if len(differing) == 1 and len(term) >= 3 else None


def suggestions(
    terms: list[list[str]], entries: list[Entry], table: dict[str, str]
) -> list[tuple[int, str]]:
    """(term index, entry) pairs, best first, at most SUGGEST_LIMIT."""
    sounds = _sounds(table)
    ranked = []
    for at, term in enumerate(terms):
        if not SUGGEST_MIN_TOKENS <= len(term) <= SUGGEST_MAX_TOKENS:
            continue
        for order, (name, count) in enumerate(entries):
            entry = tokens(normalize(name))
            distance = compare(term, entry, sounds)
            if distance is not None:
                ranked.append((distance, -count, order, at, name))
    ranked.sort()
    out: list[tuple[int, str]] = []
    for *_, at, name in ranked:
        if (at, name) not in out:
            out.append((at, name))
    return out[:SUGGEST_LIMIT]


def suggested_queries(terms: list[list[str]], raw_terms: list[str], index_dir: Path) -> list[str]:
    """The queries to offer: the reader's terms with one replaced by a lexicon entry."""
    path = index_dir / "suggest.json"
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = [(name, count) for name, count in data["entries"]]
    offered = []
    for at, name in suggestions(terms, entries, data["pinyin"]):
        offered.append(" ".join(name if k == at else t for k, t in enumerate(raw_terms)))
    return offered
