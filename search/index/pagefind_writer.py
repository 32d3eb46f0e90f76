"""Pagefind 1.5.2's index of the whole archive, written from the shards' word indexes.

The files are Pagefind's own (`pagefind/src/index/mod.rs`), so that Pagefind's script reads
them as it reads a bundle it wrote (tests/test_search_index.py asks it):

- the word index in chunks of gzip'd CBOR, words in byte order, each
  ``[word, [[page difference, locations, []], …], []]``: a word's pages are numbered by the
  difference from the page before, and its locations on a page are runs, each a weight mark
  ``-(weight + 1)`` and then the positions of that weight, each the difference from the one
  before in its run (from 0); cut as Pagefind cuts them, after 20,000 entries, and before
  any word of 20,000 entries or more, which gets a chunk of its own (温州's 449 KB had been
  loaded by every query for a word beside it, at 100,000 items);
- a file per filter, ``[name, [[value, pages], …]]``, values sorted;
- the metadata: the version, each page's id and word count, the chunks (first and last
  word, cut to the shortest prefixes that tell a chunk from the next), the filters and sort
  orders (none: the date order is a file of the archive's own).

The shards are taken in order, their pages one after the other, so the index is the one
index of all their documents, whatever the shards: the same bytes for one shard or many.
Memory is bounded: the words are encoded in blocks of about `BLOCK` locations, gathered from
every shard's arrays (read from disk a slice at a time, `search.index.shards`), sorted and
encoded with NumPy.
Pure: shard indexes in, files out.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from search.analysis.rules import FILLER
from search.index.impact import block_ranges, impact_order
from search.index.pagefind_format import compress, write_cbor, write_data
from search.index.shards import ShardIndex

CHUNK_SIZE = 20_000  # Pagefind's: a chunk is cut once its words' entries reach this
BLOCK = 200_000  # locations encoded at once: arrays this size stay in the allocator's reach
HASH_DIGITS = 7  # of an index or filter file's name, as Pagefind names them
META_DIGITS = 13
IMPACT_DIR = "impact"  # the commonest words' blocks (search.index.impact), beside index/

ARRAY, TEXT = 4, 3  # CBOR major types
_WIDTHS = np.array([0, 1, 2, 4], np.int64)  # argument bytes by class: <24, <2⁸, <2¹⁶, <2³²


def cbor_head(major: int, argument: int) -> bytes:
    """The head of a CBOR item: its major type and argument, in the fewest bytes."""
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * width):
            return bytes([major << 5 | info]) + argument.to_bytes(width, "big")
    raise ValueError(argument)


def cbor_heads(major: np.ndarray, argument: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CBOR heads of items (`major` types, `argument`s below 2³²) one after the other,
    as `cbor_head` writes each; and where each ends."""
    argument = argument.astype(np.uint32, copy=False)
    size_class = (
        (argument >= 24).view(np.int8)
        + (argument >= 256).view(np.int8)
        + (argument >= 65536).view(np.int8)
    )
    size = 1 + _WIDTHS[size_class]
    ends = np.cumsum(size)
    at = ends - size
    out = np.empty(int(ends[-1]) if len(ends) else 0, np.uint8)
    info = np.where(size_class == 0, argument, 23 + size_class).astype(np.uint8)
    out[at] = (major.astype(np.uint8) << 5) | info
    one = np.flatnonzero(size_class == 1)
    out[at[one] + 1] = argument[one]
    two = np.flatnonzero(size_class == 2)
    value, where = argument[two], at[two]
    out[where + 1] = value >> 8
    out[where + 2] = value & 255
    four = np.flatnonzero(size_class == 3)
    value, where = argument[four], at[four]
    for byte in range(4):
        out[where + 1 + byte] = (value >> (8 * (3 - byte))) & 255
    return out, ends


def encode_pages(
    word: np.ndarray, page: np.ndarray, weight: np.ndarray, position: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bytes]:
    """The CBOR of each word's pages, for locations sorted by (word, page, weight,
    position): ``[page difference, locations, []]`` for each of its pages, one after the
    other. Return the words, each one's count of pages, where its bytes begin and end, and
    the bytes."""
    n = len(word)
    if n == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty, b""
    new_page = np.ones(n, bool)
    new_page[1:] = (word[1:] != word[:-1]) | (page[1:] != page[:-1])
    new_run = new_page.copy()
    new_run[1:] |= weight[1:] != weight[:-1]
    group = np.cumsum(new_page) - 1  # each location's (word, page)
    run = np.cumsum(new_run) - 1
    firsts = np.flatnonzero(new_page)  # each group's first location
    groups = len(firsts)
    runs = np.bincount(group[new_run], minlength=groups)
    coded = np.diff(np.append(firsts, n)) + runs  # a group's locations array: marks, positions
    items = 4 + coded  # its array head, difference, locations head, …, and the empty list
    begin = np.cumsum(items) - items
    major = np.zeros(int(begin[-1] + items[-1]), np.uint8)
    argument = np.zeros(len(major), np.int64)
    major[begin] = ARRAY
    argument[begin] = 3
    group_word, group_page = word[firsts], page[firsts].astype(np.int64)
    difference = group_page.copy()
    same = np.zeros(groups, bool)
    same[1:] = group_word[1:] == group_word[:-1]
    difference[1:][same[1:]] = (group_page[1:] - group_page[:-1])[same[1:]]
    argument[begin + 1] = difference
    major[begin + 2] = ARRAY
    argument[begin + 2] = coded
    major[begin + items - 1] = ARRAY  # argument 0: the empty list
    first_run = np.cumsum(runs) - runs
    slot = begin[group] + 3 + (np.arange(n) - firsts[group]) + (run - first_run[group]) + 1
    before = np.zeros(n, np.int64)
    before[1:] = position[:-1]
    argument[slot] = np.where(new_run, position, position.astype(np.int64) - before)
    marks = slot[new_run] - 1
    major[marks] = 1  # a negative integer, -1 - argument: -(weight + 1)
    argument[marks] = weight[new_run]
    out, ends = cbor_heads(major, argument)
    word_first = np.flatnonzero(np.concatenate([[True], group_word[1:] != group_word[:-1]]))
    word_last = np.append(word_first[1:], groups) - 1
    starts = ends[begin[word_first]] - 1  # a group begins with its one-byte array head
    stops = ends[begin[word_last] + items[word_last] - 1]
    return group_word[word_first], word_last - word_first + 1, starts, stops, out.tobytes()


def _prefixes(a: str, b: str) -> tuple[str, str]:
    """The shortest prefixes that tell the last word of a chunk from the first of the next."""
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return a[: common + 1], b[: common + 1]


def plan_chunks(entries: np.ndarray) -> list[tuple[int, int]]:
    """Pagefind's chunks of words with these entries, as [first, last) word ranges."""
    chunks: list[tuple[int, int]] = []
    first, size = 0, 0
    for k, count in enumerate(entries.tolist()):
        if k > first and count >= CHUNK_SIZE:
            chunks.append((first, k))  # a word this common gets a chunk of its own
            first, size = k, 0
        size += count
        if size >= CHUNK_SIZE:
            chunks.append((first, k + 1))
            first, size = k + 1, 0
    if first < len(entries):
        chunks.append((first, len(entries)))
    return chunks


class _Words:
    """The shards' vocabularies as one: each shard's words as numbers of the whole."""

    def __init__(self, shards: list[ShardIndex]):
        self.words = sorted(set().union(*(s.words for s in shards)))
        number = {w: k for k, w in enumerate(self.words)}
        self.maps = [np.array([number[w] for w in s.words], np.int64) for s in shards]
        self.entries = np.zeros(len(self.words), np.int64)
        self.locations = np.zeros(len(self.words), np.int64)
        for shard, mapped in zip(shards, self.maps, strict=True):
            np.add.at(self.entries, mapped, np.asarray(shard.entries))
            np.add.at(self.locations, mapped, np.diff(np.asarray(shard.starts)))

    def gather(self, shards: list[ShardIndex], offsets: list[int], lo: int, hi: int):
        """The locations of words lo..hi-1 of every shard, pages numbered in the whole,
        sorted by (word, page, weight, position)."""
        parts = []
        for shard, mapped, offset in zip(shards, self.maps, offsets, strict=True):
            a, b = np.searchsorted(mapped, [lo, hi])
            if a == b:
                continue
            starts = shard.starts[a : b + 1]
            page, weight, position = shard.locations(int(starts[0]), int(starts[-1]))
            parts.append(
                (np.repeat(mapped[a:b], np.diff(starts)), page + np.int64(offset), weight, position)
            )
        word, page, weight, position = (np.concatenate(p) for p in zip(*parts, strict=True))
        # The shards' pages are in order and each shard's locations sorted: a stable sort by
        # word alone sorts them all.
        order = np.argsort(word, kind="stable")
        return word[order], page[order], weight[order], position[order]


def _chunk_cbor(words: list[str], found, chunk: tuple[int, int]) -> bytes:
    """The CBOR of one chunk: ``[[word, pages, []], …]`` in a one-element array."""
    numbers, counts, starts, stops, data = found
    pieces = [cbor_head(ARRAY, 1), cbor_head(ARRAY, chunk[1] - chunk[0])]
    for k in range(chunk[0], chunk[1]):
        i = k - int(numbers[0])
        assert int(numbers[i]) == k
        text = words[k].encode()
        pieces += [
            b"\x83",
            cbor_head(TEXT, len(text)),
            text,
            cbor_head(ARRAY, int(counts[i])),
            data[starts[i] : stops[i]],
            b"\x80",
        ]
    return b"".join(pieces)


def _blocks(chunks: list[tuple[int, int]], locations: np.ndarray) -> Iterator[list]:
    """The chunks in runs of about BLOCK locations (a chunk is never split)."""
    cumulative = np.concatenate([[0], np.cumsum(locations)])
    block: list[tuple[int, int]] = []
    for chunk in chunks:
        if block and cumulative[chunk[1]] - cumulative[block[0][0]] > BLOCK:
            yield block
            block = []
        block.append(chunk)
    if block:
        yield block


def _impact_blocks(
    arrays, lengths: np.ndarray, average: float
) -> tuple[list[tuple[str, bytes]], list[int]]:
    """One common word's blocks (`search.index.impact`), from its locations `arrays` (word,
    page, weight, position): ``m<j>`` of all its pages, ``t<j>`` of those with it in the
    title, each the word's entries in its chunk for the block's pages, in page order:
    ``[[page difference, locations, []], …]``, written as ``<chunk>.<m|t><j>.pf_index``.
    Return each block's name and CBOR, and how many pages are in each of the two lists."""
    _, page, weight, position = arrays
    ordered, titled = impact_order(page, weight, lengths, average)
    blocks = []
    for kind, pages in (("m", ordered), ("t", titled)):
        if not len(pages):
            continue
        # Each location's block: its page's place in the list, then the block holding it. The
        # blocks are encoded in one pass, as if each were a word (numbered by its block).
        firsts = np.array([a for a, _ in block_ranges(len(pages))], np.int64)
        block_of = np.full(int(page.max()) + 1, -1, np.int64)
        block_of[pages] = np.searchsorted(firsts, np.arange(len(pages)), side="right") - 1
        block = block_of[page]
        kept = np.flatnonzero(block >= 0)
        kept = kept[np.argsort(block[kept], kind="stable")]  # by block, then as they were
        numbers, counts, starts, stops, data = encode_pages(
            block[kept], page[kept], weight[kept], position[kept]
        )
        for j, count, start, stop in zip(numbers, counts, starts, stops, strict=True):
            cbor = cbor_head(ARRAY, int(count)) + data[start:stop]
            blocks.append((f"{kind}{j}", cbor))
    return blocks, [len(ordered), len(titled)]


def write_index(
    shards: list[ShardIndex], out: Path, ids: list[str], version: str, language: str
) -> tuple[list, str, list]:
    """Write the word index, filters and metadata of `shards` (in order) into the bundle
    directory `out`, the pages named `ids`; return the metadata, its file's hash and the
    commonest words, each [word, its chunk, its pages, its pages with it in the title],
    whose blocks (`search.index.impact`) are in `out`/impact/<chunk>.<m|t><j>.pf_index."""
    offsets = list(np.cumsum([0] + [len(s.urls) for s in shards[:-1]]).tolist())
    lengths = [n for s in shards for n in s.lengths]
    if len(ids) != len(lengths):
        raise ValueError(f"{len(ids)} page ids for {len(lengths)} pages")
    for name in ("index", "filter", IMPACT_DIR):
        (out / name).mkdir(parents=True, exist_ok=True)
    vocabulary = _Words(shards)
    words = vocabulary.words
    chunks = plan_chunks(vocabulary.entries)
    chunk_meta: list[list] = []
    common: list[list] = []
    page_lengths = np.asarray(lengths, np.int64)
    average = float(page_lengths.sum()) / max(1, len(lengths))
    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # zlib lets go of the GIL
        for block in _blocks(chunks, vocabulary.locations):
            lo, hi = block[0][0], block[-1][1]
            gathered = vocabulary.gather(shards, offsets, lo, hi)
            found = encode_pages(*gathered)
            cbors = [_chunk_cbor(words, found, chunk) for chunk in block]
            for chunk, cbor, data in zip(block, cbors, pool.map(compress, cbors), strict=True):
                k = chunk[0]
                # a common word (the title's filler is never looked up)
                common_word = (
                    chunk[1] - k == 1 and vocabulary.entries[k] >= CHUNK_SIZE and words[k] != FILLER
                )
                if common_word:
                    a, b = np.searchsorted(gathered[0], [k, k + 1])
                    arrays = [x[a:b] for x in gathered]
                    blocks, counts = _impact_blocks(arrays, page_lengths, average)
                digest = write_data(out / "index", language, ".pf_index", cbor, HASH_DIGITS, data)
                chunk_meta.append([words[chunk[0]], words[chunk[1] - 1], digest])
                if common_word:
                    packed = pool.map(compress, [block_cbor for _, block_cbor in blocks])
                    for (name, _), block_data in zip(blocks, packed, strict=True):
                        (out / IMPACT_DIR / f"{digest}.{name}.pf_index").write_bytes(block_data)
                    common.append([words[k], digest, *counts])
    for i in range(len(chunk_meta) - 1):
        chunk_meta[i][1], chunk_meta[i + 1][0] = _prefixes(chunk_meta[i][1], chunk_meta[i + 1][0])
    filters: dict[str, dict[str, list[int]]] = {}
    for shard, offset in zip(shards, offsets, strict=True):
        for name, values in shard.filters.items():
            merged = filters.setdefault(name, {})
            for value, pages in values.items():
                merged.setdefault(value, []).extend(p + offset for p in pages)
    filter_meta = []
    for name, values in sorted(filters.items()):
        packed = [[value, values[value]] for value in sorted(values)]
        digest = write_cbor(out / "filter", language, ".pf_filter", [name, packed], HASH_DIGITS)
        filter_meta.append([name, digest])
    pages = [[page_id, n] for page_id, n in zip(ids, lengths, strict=True)]
    meta = [version, pages, chunk_meta, filter_meta, [], []]
    digest = write_cbor(out, language, ".pf_meta", meta, META_DIGITS)
    # Pagefind names the metadata pagefind.<hash>.pf_meta
    (out / f"{digest}.pf_meta").rename(out / f"pagefind.{digest}.pf_meta")
    return meta, digest, common
