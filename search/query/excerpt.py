"""A result's excerpt: a window of its text around the first match, the matches marked.

The one rule of the search page (`excerpt` in theme/static/js/search-core.js) and of
`invoke search`; tests/test_search_conformance.py holds the two to the same pieces. Lengths
and places are counted in characters (code points), never inside one.

- Where a term occurs (`spans`): its tokens one after the other in the folded text, with
  only non-tokens between them (温委发〔2014〕27号 for 温委发2014 27号), or else, as a gap
  match has them, with up to twice GAP_MAX_SKIPPED characters between.
- The window (`excerpt`): `width` characters from a third of it before the first match,
  widened so that it never starts or ends inside a Latin word or number (a name such as
  "Thomas Lee" is not shown as "omas Lee"); "…" where text is left out.
"""

from __future__ import annotations

import re

from search.analysis.rules import GAP_MAX_SKIPPED, HAN, SPACE
from search.analysis.tokens import BLANK_RE, fold_query

Span = tuple[int, int]
Piece = tuple[str, bool]  # text, and whether it is a match

LINE_BREAKS_RE = re.compile(f"[{SPACE}]*\n+[{SPACE}]*")
WORD_RE = re.compile("[0-9A-Za-z\u00c0-\u024f'’-]")
BETWEEN = (f"[^0-9a-z{HAN}]*", f"[\\s\\S]{{0,{2 * GAP_MAX_SKIPPED}}}?")


def spans(text: str, terms: list[list[str]], folds: dict[str, str]) -> list[Span]:
    """Where each term occurs first in `text`, as [start, end) places, in order."""
    folded: list[str] = []
    origin: list[int] = []  # for each character of the folded text, where it came from
    for at, ch in enumerate(text):
        f = fold_query(ch, folds)
        folded.append(f)
        origin += [at] * len(f)
    origin.append(len(text))
    flat = "".join(folded)
    found = []
    for term in terms:
        for between in BETWEEN:
            match = re.search(between.join(map(re.escape, term)), flat)
            if match:
                found.append((origin[match.start()], origin[match.end() - 1] + 1))
                break
    return sorted(found)


def excerpt(text: str, terms: list[list[str]], folds: dict[str, str], width: int) -> list[Piece]:
    """The excerpt of `text` for the query's `terms`, as pieces of text, matches marked."""
    flat = LINE_BREAKS_RE.sub(" ", text)
    marks = spans(flat, terms, folds)

    def inside(i: int) -> bool:  # between two characters of one Latin word or number
        return 0 < i < len(flat) and bool(WORD_RE.match(flat[i - 1]) and WORD_RE.match(flat[i]))

    begin = max(0, marks[0][0] - width // 3) if marks else 0
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
    for start, stop in marks:
        if start < at or stop > end:
            continue
        pieces += [(flat[at:start], False), (flat[start:stop], True)]
        at = stop
    pieces.append((flat[at:end], False))
    if not BLANK_RE.fullmatch(flat[end:]):
        pieces.append(("…", False))
    return [(piece, marked) for piece, marked in pieces if piece]
