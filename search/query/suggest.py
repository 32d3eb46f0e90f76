"""您是不是要找: queries with one term replaced by a name or term of the archive that reads
alike.

Each term of a query is compared with the lexicon the build made (`search.index.lexicon`).
An entry reads like a term of the same number of tokens when it differs from the term and
every differing token is a Chinese character that shares a reading with the typed one
(toneless pinyin, every reading of a polyphone), or when exactly one token differs and the
term has three tokens or more. It is offered when the query found fewer than SUGGEST_BELOW
documents, or when the entry is in SUGGEST_RATIO times as many documents as the query found
(陈一心 for 陈一新, even though 陈一心 finds a few). Entries that only sound alike come
before those one character off; then the entries found in more documents; then by name.

The search page (`suggestions` in theme/static/js/search-core.js) runs the same comparison
on the same data; tests/test_search_conformance.py holds the two to the same answers.
"""

from __future__ import annotations

import json
from pathlib import Path

from search.analysis.rules import (
    SUGGEST_BELOW,
    SUGGEST_LIMIT,
    SUGGEST_MAX_TOKENS,
    SUGGEST_MIN_TOKENS,
    SUGGEST_RATIO,
)
from search.analysis.tokens import fold_query, query_parts, tokens
from search.index.lexicon import SUGGEST_FILE, Entry, by_length
from search.index.whoosh_writer import load_folds


def sounds_of(table: dict[str, str]) -> dict[str, set[str]]:
    """Character → its readings, from the reading table (syllable → characters)."""
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
    if all(sounds.get(a, set()) & sounds.get(b, set()) for a, b in differing):
        return 0
    return 1 if len(differing) == 1 and len(term) >= 3 else None


def suggestions(
    query: str,
    folds: dict[str, str],
    lexicons: dict[int, list[Entry]],
    sounds: dict[str, set[str]],
    found: int,
) -> list[str]:
    """The queries to offer for `query`, which found `found` documents, best first, at most
    SUGGEST_LIMIT: the reader's terms, as typed, with one replaced by a lexicon entry.
    `lexicons`: the lexicon by number of tokens (`search.index.lexicon.by_length`), most
    documents first; `sounds`: `sounds_of` its reading table."""
    least = 0 if found < SUGGEST_BELOW else SUGGEST_RATIO * found  # documents an entry needs
    raw = query_parts(query, folds)
    ranked = []
    for at, part in enumerate(raw):
        term = tokens(fold_query(part, folds))
        if not SUGGEST_MIN_TOKENS <= len(term) <= SUGGEST_MAX_TOKENS:
            continue
        for name, count in lexicons.get(len(term), []):
            if count < least:
                break  # (most documents first: none after it has enough)
            distance = compare(term, tokens(fold_query(name, folds)), sounds)
            if distance is not None:
                ranked.append((distance, -count, name, at))
    ranked.sort()
    offered: list[str] = []
    for _, _, name, at in ranked:
        suggested = " ".join(name if k == at else part for k, part in enumerate(raw))
        if suggested not in offered:
            offered.append(suggested)
    return offered[:SUGGEST_LIMIT]


def suggest(
    index_dir: Path, query: str, found: int = 0, folds: dict[str, str] | None = None
) -> list[str]:
    """`suggestions` for `query`, which found `found` documents, from the lexicon and fold
    map beside the Whoosh index (none if it has no lexicon; `folds`: the fold map, if
    already read)."""
    path = index_dir / SUGGEST_FILE
    if not path.is_file():
        return []
    folds = load_folds(index_dir) if folds is None else folds
    data = json.loads(path.read_text(encoding="utf-8"))
    lexicons = by_length([(name, count) for name, count in data["entries"]])
    return suggestions(query, folds, lexicons, sounds_of(data["pinyin"]), found)
