"""A result's excerpt: the window of its text where most of the query's terms meet, every
occurrence of a term in it marked.

The one rule of the search page (`excerpt` in theme/static/js/search-core.js) and of
`invoke search`; tests/test_search_conformance.py holds the two to the same pieces. Lengths
and places are counted in characters (code points), never inside one.

- Where a term occurs (`occurrences`): its tokens one after the other in the folded text,
  with only non-tokens between them (温委发〔2014〕27号 for 温委发2014 27号), or, if it never
  occurs so, as a gap match has them, with up to twice GAP_MAX_SKIPPED characters between.
- The window (`excerpt`): `width` characters, from a third of it before an occurrence: the
  one that holds the most different terms, then the most occurrences, then the earliest;
  widened so that it never starts or ends inside a Latin word or number (a name such as
  "Thomas Lee" is not shown as "omas Lee"); "…" where text is left out. Every occurrence
  wholly inside it is marked.
"""

from __future__ import annotations

import itertools
import re

from search.analysis.rules import EXCERPT_OCCURRENCES, GAP_MAX_SKIPPED, HAN, LATIN_WORD, SPACE
from search.analysis.tokens import BLANK_RE, fold_query

Occurrence = tuple[int, int, int]  # start, end, the term's number
Piece = tuple[str, bool]  # text, and whether it is a match

LINE_BREAKS_RE = re.compile(f"[{SPACE}]*\n+[{SPACE}]*")
WORD_RE = re.compile(f"[{LATIN_WORD}]")
BETWEEN = (f"[^0-9a-z{HAN}]*", f"[\\s\\S]{{0,{2 * GAP_MAX_SKIPPED}}}?")


def occurrences(text: str, terms: list[list[str]], folds: dict[str, str]) -> list[Occurrence]:
    """Every occurrence of each term in `text`, as (start, end, term), in order of place."""
    folded: list[str] = []
    origin: list[int] = []  # for each character of the folded text, where it came from
    for at, ch in enumerate(text):
        f = fold_query(ch, folds)
        folded.append(f)
        origin += [at] * len(f)
    origin.append(len(text))
    flat = "".join(folded)
    found: list[Occurrence] = []
    for number, term in enumerate(terms):
        for between in BETWEEN:
            pattern = re.compile(between.join(map(re.escape, term)))
            matches = [
                m.span() for m in itertools.islice(pattern.finditer(flat), EXCERPT_OCCURRENCES)
            ]
            if matches:
                found += [(origin[a], origin[b - 1] + 1, number) for a, b in matches]
                break
    return sorted(found)


def best_window(found: list[Occurrence], width: int) -> int:
    """Where the window begins: a third of it before the occurrence whose window holds the
    most different terms, then the most occurrences, then the earliest."""
    best, begin = (-1, -1), 0
    for start, _, _ in found:
        b = max(0, start - width // 3)
        inside = [term for s, e, term in found if s >= b and e <= b + width]
        score = (len(set(inside)), len(inside))
        if score > best:
            best, begin = score, b
    return begin


def excerpt(text: str, terms: list[list[str]], folds: dict[str, str], width: int) -> list[Piece]:
    """The excerpt of `text` for the query's `terms`, as pieces of text, matches marked."""
    flat = LINE_BREAKS_RE.sub(" ", text)
    found = occurrences(flat, terms, folds)

    def inside(i: int) -> bool:  # between two characters of one Latin word or number
        return 0 < i < len(flat) and bool(WORD_RE.match(flat[i - 1]) and WORD_RE.match(flat[i]))

    begin = best_window(found, width)
    while inside(begin):
        begin -= 1
    while begin < len(flat) and flat[begin] == " ":
        begin += 1
    end = min(len(flat), begin + width)
    while end > begin + 1 and inside(end):
        end -= 1
    while end > begin + 1 and flat[end - 1] == " ":
        end -= 1
    pieces: list[Piece] = [("…", False)] if begin > 0 else []
    at = begin
    for start, stop, _ in found:
        if start < at or stop > end:
            continue  # outside the window, or overlapping a mark before it
        pieces += [(flat[at:start], False), (flat[start:stop], True)]
        at = stop
    pieces.append((flat[at:end], False))
    if not BLANK_RE.fullmatch(flat[end:]):
        pieces.append(("…", False))
    return [(piece, marked) for piece, marked in pieces if piece]
