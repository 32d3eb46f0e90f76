"""Matching a term against a document's word positions (the rules are in
`search.analysis.rules`).

Pure functions on plain data, mirrored line for line by theme/static/js/search-core.js
(`matchTerm`, `pageTier`): the command line and the search page decide a match the same
way, which tests/test_search_conformance.py checks case by case.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import combinations, pairwise

from search.analysis.rules import (
    GAP_MAX_RUNS,
    GAP_MAX_SKIPPED,
    GAP_MIN_TOKENS,
    TIER_EXACT,
    TIER_GAP,
    TIER_TITLE,
    TITLE_SLOTS,
)
from search.analysis.tokens import pair_words, unit_code

Positions = Mapping[str, set[int]]


def term_words(term: list[str]) -> list[str]:
    """The index words a term is looked up by: its pair words, or one token's code (a prefix)."""
    if len(term) == 1:
        return [unit_code(term[0])]
    return pair_words(term)[:-1]  # the last pair word is the term's END, not the text's


def _run_starts(words: list[str], first: int, last: int, positions: Positions) -> list[int]:
    """Positions where the pair words first..last occur consecutively."""
    starts = positions.get(words[first], set())
    return sorted(
        x
        for x in starts
        if all(x + k - first in positions.get(words[k], ()) for k in range(first + 1, last + 1))
    )


def break_sets(pairs: int) -> Iterator[tuple[int, ...]]:
    """Which pair words a gap match leaves out: 1 to GAP_MAX_RUNS − 1 of them, never the
    first or the last, never two side by side (every run keeps two tokens at least)."""
    for count in range(1, GAP_MAX_RUNS):
        for chosen in combinations(range(1, pairs - 1), count):
            if all(b - a > 1 for a, b in pairwise(chosen)):
                yield chosen


def runs_of(pairs: int, breaks: tuple[int, ...]) -> list[tuple[int, int]]:
    """The runs of pair words (first, last) between the left-out ones."""
    bounds, start = [], 0
    for b in breaks:
        bounds.append((start, b - 1))
        start = b + 1
    bounds.append((start, pairs - 1))
    return bounds


def gap_fits(words: list[str], runs: list[tuple[int, int]], positions: Positions) -> bool:
    """The runs occur in order with at most GAP_MAX_SKIPPED tokens between them in all.

    For each place of the first run, each later run is placed as early as it can be, which
    skips the fewest tokens."""
    later = [_run_starts(words, a, b, positions) for a, b in runs[1:]]
    first_a, first_b = runs[0]
    for x in _run_starts(words, first_a, first_b, positions):
        end = x + first_b - first_a + 1  # position of the run's last token
        skipped = 0
        for (a, b), starts in zip(runs[1:], later, strict=True):
            y = next((s for s in starts if s > end), None)
            if y is None:
                break
            skipped += y - end - 1
            if skipped > GAP_MAX_SKIPPED:
                break
            end = y + b - a + 1
        else:
            return True
    return False


def match_term(term: list[str], positions: Positions) -> int | None:
    """TIER_EXACT, TIER_GAP or None for a term of two tokens or more.

    `positions` maps each of the term's pair words to where it occurs in the document."""
    words = term_words(term)
    pairs = len(words)
    if _run_starts(words, 0, pairs - 1, positions):
        return TIER_EXACT
    if len(term) < GAP_MIN_TOKENS:
        return None
    for breaks in break_sets(pairs):
        if gap_fits(words, runs_of(pairs, breaks), positions):
            return TIER_GAP
    return None


def in_title(term: list[str], positions: Positions) -> bool:
    """The term occurs exactly among the first TITLE_SLOTS words (the title's).

    For a one-token term, `positions` holds the positions of the words that begin with its
    code, under that code."""
    words = term_words(term)
    limit = TITLE_SLOTS - len(words)  # the run's first word, so that its last is in the title
    return any(x <= limit for x in _run_starts(words, 0, len(words) - 1, positions))


def could_gap_match(term: list[str], present: set[str]) -> bool:
    """Whether a document holding the pair words `present` can match the term at all: the
    first and last pair words and all but GAP_MAX_RUNS − 1 of the others must be there."""
    words = term_words(term)
    if len(term) < GAP_MIN_TOKENS:
        return all(w in present for w in words)
    have = sum(w in present for w in words)
    return words[0] in present and words[-1] in present and have >= len(words) - GAP_MAX_RUNS + 1


def positions_of(words: list[str]) -> dict[str, set[int]]:
    """Each word of a document's word list → where it occurs."""
    positions: dict[str, set[int]] = {}
    for at, word in enumerate(words):
        positions.setdefault(word, set()).add(at)
    return positions


def document_tier(terms: list[list[str]], words: str) -> int | None:
    """How well a document (its space-separated index words) answers the terms: TIER_TITLE,
    TIER_EXACT, TIER_GAP, or None when some term does not match (see `search.analysis.rules`)."""
    padded = f" {words} "
    tier = TIER_EXACT
    positions = None
    for term in terms:
        looked_up = term_words(term)
        if len(term) == 1:
            if f" {looked_up[0]}" not in padded:  # a word that begins with the token
                return None
            continue
        if f" {' '.join(looked_up)} " in padded:
            continue
        present = {w for w in looked_up if f" {w} " in padded}
        if not could_gap_match(term, present):
            return None
        if positions is None:
            positions = positions_of(words.split())
        found = match_term(term, positions)
        if found is None:
            return None
        tier = max(tier, found)
    if tier == TIER_EXACT and terms and all_in_title(terms, words):
        return TIER_TITLE
    return tier


def all_in_title(terms: list[list[str]], words: str) -> bool:
    """Every term occurs exactly in the title (among the first TITLE_SLOTS words)."""
    title = words.split(" ", TITLE_SLOTS)[:TITLE_SLOTS]
    for term in terms:
        looked_up = term_words(term)
        if len(term) == 1:
            positions = {
                looked_up[0]: {i for i, w in enumerate(title) if w.startswith(looked_up[0])}
            }
        else:
            positions = positions_of(title)
        if not in_title(term, positions):
            return False
    return True
