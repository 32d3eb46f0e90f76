"""The commonest words' pages in the order of what they add to a page's score, in blocks.

A query of common words (温商回归 at 100,000 items: three words on half the pages each)
would load every position of those words, about 900 KB of gzip, to rank pages of which the
reader sees ten. For each word of `search.index.pagefind_writer.CHUNK_SIZE` entries or more (the
words that get a Pagefind chunk of their own), the index also holds its pages ordered by the word's own part of
Pagefind's score (`word_scores`, best first), cut into blocks of `FIRST_BLOCK` pages, then
twice as many each time, every block holding those pages' positions (the entries of
Pagefind's chunk, for those pages only); and the same for the pages with the word in their
title. The search page reads blocks best first until no page it has not read can rank above
the results it shows (theme/static/js/search-index.js `best`), and the whole chunk only when
the reader asks for more than those blocks can settle.

Pure: arrays in, the blocks' pages out.
"""

from __future__ import annotations

import math

import numpy as np

from search.index.shards import TITLE_WEIGHT

FIRST_BLOCK = 128  # pages in a word's first block; each next block holds twice as many
# Pagefind's ranking weights (pagefind_core_search RankingWeights::default), as in
# search-index.js
TERM_SATURATION, PAGE_LENGTH, TERM_FREQUENCY, TERM_SIMILARITY = 1.4, 0.75, 1.0, 1.0


def length_bonus(differential: int) -> float:
    base = math.exp((-0.5 * differential**2) / 2**2)
    return math.exp(base * TERM_SIMILARITY) / math.exp(TERM_SIMILARITY)


def word_scores(
    weighted: np.ndarray, lengths: np.ndarray, total_pages: int, average: float, pages_with: int
) -> np.ndarray:
    """A word's part of Pagefind's score on each of its pages (search-index.js `bm25`, the
    word matched whole): `weighted`, the sum of its weights on the page (in 24ths)."""
    k1, b = TERM_SATURATION, PAGE_LENGTH
    w = weighted / 24 * length_bonus(1)
    idf = math.log((total_pages - pages_with + 0.5) / (pages_with + 0.5) + 1.0)
    tf = ((k1 + 1.0) * w) / (k1 * (1.0 - b + b * (lengths / average)) + w)
    raw = np.minimum(w / (average / 5.0), k1 + 1.0)
    return idf * ((1.0 - TERM_FREQUENCY) * raw + TERM_FREQUENCY * tf)


def block_ranges(count: int, first: int | None = None) -> list[tuple[int, int]]:
    """The blocks of a list of `count` pages, as [a, b) places in it, the first of `first`
    pages (FIRST_BLOCK)."""
    out, a, size = [], 0, first or FIRST_BLOCK
    while a < count:
        out.append((a, min(count, a + size)))
        a, size = a + size, size * 2
    return out


def impact_order(
    page: np.ndarray, weight: np.ndarray, lengths: np.ndarray, average: float
) -> tuple[np.ndarray, np.ndarray]:
    """For one word's locations (sorted by page): its pages best first, and those of them
    with the word in the title, best first."""
    pages, first = np.unique(page, return_index=True)
    weighted = np.add.reduceat(weight.astype(np.float64), first)
    titled = np.maximum.reduceat(weight, first) >= TITLE_WEIGHT
    scores = word_scores(weighted, lengths[pages], len(lengths), average, len(pages))
    order = np.lexsort((pages, -scores))
    return pages[order], pages[order][titled[order]]
