"""A shard's word index, in arrays: every word of its documents, with the pages and the
positions where it occurs, exactly as Pagefind 1.5.2 indexes the same documents.

What Pagefind would be given for a document is `document_html`: one block per segment of
`search.analysis.documents.document_segments` (the title, weighted, the filler, then each
paragraph's pair words) and a filter element per filter value. Pagefind numbers the
words of a page in order and counts a full stop after every block that has words, so:

- a word's **position** is its index among the page's words plus the number of non-empty
  blocks before its own;
- a page's **word count** (which ranking reads) is its words plus its non-empty blocks;
- a word's **weight** is 240 in the title (``data-pagefind-weight="10"``, in Pagefind's
  24ths) and 24 elsewhere.

`tests/test_pagefind_index.py` checks all of this against Pagefind itself, run over those
HTML documents. Pure: no Pelican, no files but `save` and `load`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.analysis.documents import SearchDoc, document_segments, filter_values

DEFAULT_WEIGHT = 24  # Pagefind's weight of a word outside any data-pagefind-weight
TITLE_WEIGHT = 240  # data-pagefind-weight="10"
META_FILE = "shard.json"
# The per-word arrays (read whole) and the per-location arrays (read a slice at a time, see
# `locations`), stored raw: `locations` reads the slice it needs from the file, rather than
# mapping the file (a mapped file's pages count as the process's memory once read: 450 MB
# at 100,000 items).
PER_WORD = {"starts": np.int64, "entries": np.int64}
PER_LOCATION = {"page": np.int32, "weight": np.uint8, "position": np.uint32}


@dataclass
class ShardIndex:
    """The index of one shard. Locations are sorted by (word, page, weight, position): the
    order in which Pagefind writes them."""

    key: str  # what the shard's documents hash to (its cache key; its page ids' tag)
    urls: list[str]  # its pages, in order
    lengths: list[int]  # each page's word count, as Pagefind counts it
    filters: dict[str, dict[str, list[int]]]  # filter → value → pages
    words: list[str]  # the vocabulary, sorted
    starts: np.ndarray  # int64, len(words) + 1: word k's locations are starts[k]:starts[k+1]
    # int64 per word: Pagefind's measure of a word's size when it cuts chunks (one per page,
    # one per weight mark and one per position; see `search.index.pagefind_writer`)
    entries: np.ndarray
    # per location, or None in a shard loaded from disk (see `locations`)
    page: np.ndarray | None  # int32: the page, within the shard
    weight: np.ndarray | None  # uint8
    position: np.ndarray | None  # uint32
    directory: Path | None = None  # where it was loaded from

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for name, dtype in {**PER_WORD, **PER_LOCATION}.items():
            np.asarray(getattr(self, name), dtype).tofile(directory / f"{name}.bin")
        meta = {
            "key": self.key,
            "urls": self.urls,
            "lengths": self.lengths,
            "filters": self.filters,
            "words": self.words,
        }
        (directory / META_FILE).write_text(
            json.dumps(meta, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )

    @classmethod
    def load(cls, directory: Path) -> ShardIndex:
        """The shard saved in `directory`, but its locations (read by `locations`)."""
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        words = {name: np.fromfile(directory / f"{name}.bin", t) for name, t in PER_WORD.items()}
        return cls(**meta, **words, page=None, weight=None, position=None, directory=directory)

    def locations(self, a: int, b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pages, weights and positions of locations a..b-1."""
        if self.directory is None:
            return self.page[a:b], self.weight[a:b], self.position[a:b]
        out = []
        for name, dtype in PER_LOCATION.items():
            size = np.dtype(dtype).itemsize
            with (self.directory / f"{name}.bin").open("rb") as file:
                file.seek(a * size)
                out.append(np.frombuffer(file.read((b - a) * size), dtype))
        return out[0], out[1], out[2]


def document_html(doc: SearchDoc) -> str:
    """The HTML Pagefind indexes for one record: its words and filters only.

    No sort key: Pagefind would add every page's sort position to the metadata that every
    first search loads (about 22 KB gzip at 10,000 documents); the date order is a file of
    its own (`search.index.records.ORDER_FILE`), loaded only to sort by date.

    No metadata: Pagefind would index metadata values as words (whole titles, dates…), which
    bloats the index and adds false prefix matches. What a result shows comes from the
    record's JSON file instead (see `search.index.records.record_json`).

    The build does not run Pagefind over these documents: `index_shard` indexes the same
    words as Pagefind would (tests/test_pagefind_index.py compares the two).
    """
    parts = [
        '<!doctype html><html lang="zh-cn"><head><meta charset="utf-8"></head><body>',
        "<main data-pagefind-body>",
    ]
    parts += [
        f'<span data-pagefind-filter="{name}:{html.escape(value)}"></span>'
        for name, value in filter_values(doc)
    ]
    title, filler, *paragraphs = doc.segments
    parts.append(f'<p data-pagefind-weight="10">{title}</p>')
    parts.append(f"<p>{filler}</p>")
    parts += [f"<p>{words}</p>" for words in paragraphs]
    parts.append("</main></body></html>")
    return "".join(parts)


def index_shard(docs: Iterable[SearchDoc], key: str = "") -> ShardIndex:
    """The index of `docs`, in their order."""
    vocabulary: dict[str, int] = {}
    number = vocabulary.setdefault
    ids: list[int] = []
    positions: list[int] = []
    counts: list[int] = []  # words per page
    titles: list[int] = []  # title words per page
    urls: list[str] = []
    lengths: list[int] = []
    filters: dict[str, dict[str, list[int]]] = {}
    before = 0  # locations before this page
    for page, doc in enumerate(docs):
        urls.append(doc.url)
        at = 0
        title = 0
        for segment, words in enumerate(document_segments(doc.title, doc.text)):
            if not words:
                continue  # an empty block: no words, and no full stop after it
            ids += [number(word, len(vocabulary)) for word in words]
            positions += range(at, at + len(words))
            at += len(words) + 1
            if segment == 0:
                title = len(words)
        counts.append(len(positions) - before)
        before = len(positions)
        titles.append(title)
        lengths.append(at)
        for name, value in filter_values(doc):
            filters.setdefault(name, {}).setdefault(value, []).append(page)
    words = sorted(vocabulary)
    rank = np.empty(len(words), np.int64)
    rank[[vocabulary[w] for w in words]] = np.arange(len(words))
    word = rank[np.asarray(ids, np.int64)]
    pages = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)  # each location's page's first
    in_title = (np.arange(len(word)) - first) < np.repeat(np.asarray(titles, np.int64), counts)
    # A stable sort by (word, page, weight) keeps each page's positions in order; the
    # title's weight (240) comes after the default (24), as Pagefind writes them.
    order = np.argsort((word * max(1, len(counts)) + pages) * 2 + in_title, kind="stable")
    word, pages, in_title = word[order], pages[order], in_title[order]
    position = np.asarray(positions, np.uint32)[order]
    weight = np.where(in_title, TITLE_WEIGHT, DEFAULT_WEIGHT).astype(np.uint8)
    starts = np.searchsorted(word, np.arange(len(words) + 1)).astype(np.int64)
    return ShardIndex(
        key=key,
        urls=urls,
        lengths=lengths,
        filters={name: dict(sorted(values.items())) for name, values in sorted(filters.items())},
        words=words,
        starts=starts,
        entries=_entries(word, pages, weight, len(words)),
        page=pages.astype(np.int32),
        weight=weight,
        position=position,
    )


def _entries(word: np.ndarray, page: np.ndarray, weight: np.ndarray, count: int) -> np.ndarray:
    """Per word: its pages, weight marks and positions, counted (Pagefind cuts chunks by
    this sum)."""
    if not len(word):
        return np.zeros(count, np.int64)
    new_page = np.ones(len(word), bool)
    new_page[1:] = (word[1:] != word[:-1]) | (page[1:] != page[:-1])
    new_run = new_page.copy()
    new_run[1:] |= weight[1:] != weight[:-1]
    per_location = 1 + new_run + new_page  # the position, its mark if it starts a run, its page
    return np.bincount(word, weights=per_location, minlength=count).astype(np.int64)
