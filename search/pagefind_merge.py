"""Merge Pagefind bundles indexed apart (shards) into one bundle, as one run would write it.

Pagefind holds the whole index in memory while it writes it (about 0.27 MB per document of
this archive), so the build indexes bounded shards in separate runs and merges them here,
streaming: one index chunk per shard in memory at a time. The merged bundle has the same
structure as Pagefind's own (`pagefind/src/index/mod.rs` of Pagefind 1.5):

- the metadata: the version, the pages (fragment id and word count) in shard order, the
  index chunks (first and last word, cut to the shortest distinguishing prefixes), the
  filters and the sort orders;
- the word index in chunks: words in byte order, each with its pages and positions (a
  word's pages are numbered by their difference from the page before; the first page of
  a shard is shifted by the pages of the shards before it), cut after 20,000 entries as
  Pagefind cuts them;
- filters with their values' pages shifted likewise, and each sort order (the archive's
  index has none: its date order is a file of its own) the shards' orders one after the
  other, so the shards must be given in that order;
- the fragments, unchanged: a result's id and its positions (`words`) are those of its
  shard's run, under new names (`page_ids`): short, and unique across the shards.

Ranking reads each page's word count and the number of pages from the metadata, so the
merged index ranks as one index of all the documents does. Pure: files in, files out.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import json
import multiprocessing
from collections.abc import Iterator
from pathlib import Path

from search.pagefind_files import link_or_copy, read_cbor, read_meta, write_cbor
from search.text import base36

CHUNK_SIZE = 20_000  # Pagefind's: positions + 1 per page, summed over a chunk's words
PARALLEL_FROM = 2_000  # pages: below this, one process merges faster than two start
INDEX_FILES = ("pagefind-entry.json", "fragment", "index", "filter")
SUFFIX = ".pf_fragment"


def _words(bundle: Path, chunks: list) -> Iterator[list]:
    for _, _, digest in chunks:
        yield from read_cbor(bundle / "index" / f"{digest}.pf_index")[0]


def _tagged(words: Iterator[list], index: int) -> Iterator[tuple[list, int]]:
    for word in words:
        yield word, index


def _prefixes(a: str, b: str) -> tuple[str, str]:
    """The shortest prefixes that tell the last word of a chunk from the first of the next."""
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return a[: common + 1], b[: common + 1]


def merge_bundles(
    shards: list[Path], out: Path, procs: int = 1, ids: list[dict[str, str]] | None = None
) -> None:
    """Merge the Pagefind bundles `shards` (in sort order) into a new bundle at `out`,
    in `procs` processes (each merging a range of the words). `ids`: the shards'
    `page_ids`, when the caller has them already."""
    entries = [json.loads((s / "pagefind-entry.json").read_text(encoding="utf-8")) for s in shards]
    languages = sorted(entries[0]["languages"])
    if any(sorted(e["languages"]) != languages for e in entries):
        raise ValueError("shards of different languages")
    out.mkdir(parents=True)
    for item in shards[0].iterdir():  # Pagefind's script, worker and WebAssembly
        if item.is_file() and item.name != "pagefind-entry.json" and item.suffix != ".pf_meta":
            link_or_copy(item, out / item.name)
    for name in ("fragment", "index", "filter"):
        (out / name).mkdir()
    ids = page_ids(shards) if ids is None else ids
    for shard, renamed in zip(shards, ids, strict=True):
        for fragment in sorted((shard / "fragment").iterdir()):
            page_id = fragment.name.removesuffix(SUFFIX)
            target = out / "fragment" / f"{renamed.get(page_id, page_id)}{SUFFIX}"
            link_or_copy(fragment, target)
    entry = dict(entries[0])
    entry["languages"] = {}
    for language in languages:
        infos = [e["languages"][language] for e in entries]
        metas = [
            read_cbor(s / f"pagefind.{info['hash']}.pf_meta")
            for s, info in zip(shards, infos, strict=True)
        ]
        for meta, renamed in zip(metas, ids, strict=True):
            meta[1] = [[renamed.get(page_id, page_id), *rest] for page_id, *rest in meta[1]]
        meta = _merge_language(shards, metas, out, language, procs)
        digest = write_cbor(out, language, ".pf_meta", meta, 13)
        (out / f"{digest}.pf_meta").rename(out / f"pagefind.{digest}.pf_meta")
        entry["languages"][language] = {**infos[0], "hash": digest, "page_count": len(meta[1])}
    (out / "pagefind-entry.json").write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


TAG_DIGITS = 6  # hex digits of a shard's tag: the start of its metadata's content hash


def page_ids(shards: list[Path]) -> list[dict[str, str]]:
    """For each shard, its pages' ids in the merged bundle: Pagefind's id → ``<tag>-<n>``.

    Pagefind names a page by a hash of its content (``zh-cn_`` and 7 hex digits), which
    neither compresses nor is unique across the runs of 100,000 documents' shards. Here a
    page is named by its shard's tag, the first hex digits of the hash Pagefind gives the
    shard's metadata (so a name never stands for other content, and a browser's cached
    record stays right), and its place in the shard in base 36. The table of pages the
    search page loads first (`page_table`) then holds one tag per shard instead of an id
    per page: 102,000 page ids were 730 KB of gzip at 100,000 items. Two shards whose tags
    would be the same get longer ones."""
    tags: list[str] = []
    ids = []
    for shard in shards:
        entry = json.loads((shard / "pagefind-entry.json").read_text(encoding="utf-8"))
        digest = next(iter(entry["languages"].values()))["hash"].rpartition("_")[2]
        digits = TAG_DIGITS
        while digest[:digits] in tags and digits < len(digest):
            digits += 1
        tag, copy = digest[:digits], 2
        while tag in tags:  # the same metadata twice: the same pages indexed twice
            tag, copy = f"{digest}{copy}", copy + 1
        tags.append(tag)
        pages = read_meta(shard)[1]
        ids.append({page[0]: f"{tag}-{base36(n)}" for n, page in enumerate(pages)})
    return ids


def _ranges(chunk_lists: list[list], count: int) -> list[tuple[str | None, str | None]]:
    """`count` ranges of words [lo, hi) (None: unbounded) holding about as many chunks."""
    starts = sorted(first for chunks in chunk_lists for first, _, _ in chunks[1:])
    pivots = sorted(
        {starts[len(starts) * k // count] for k in range(1, count)} if starts else set()
    )
    edges: list[str | None] = [None, *pivots, None]
    return list(itertools.pairwise(edges))


def _overlapping(chunks: list, lo: str | None, hi: str | None) -> list:
    """The chunks that may hold words in [lo, hi): chunk i holds words in [from_i, from_i+1)."""
    out = []
    for i, chunk in enumerate(chunks):
        following = chunks[i + 1][0] if i + 1 < len(chunks) else None
        if (hi is None or chunk[0] < hi) and (lo is None or following is None or following > lo):
            out.append(chunk)
    return out


def _merge_words(job: tuple) -> list[list]:
    """Merge the words in [lo, hi) of every shard into chunk files in `directory`; return
    the chunks' first and last words and names.

    Without the cyclic garbage collector: decoding a chunk makes tens of thousands of lists,
    and each collection walked every list the merge holds (61 s instead of 37 s for 10,000
    documents in one process). Nothing here makes a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _merged_words(job)
    finally:
        if enabled:
            gc.enable()


def _merged_words(job: tuple) -> list[list]:
    shards, chunk_lists, offsets, directory, language, lo, hi = job
    directory.mkdir()
    streams = [
        _tagged(_words(shard, _overlapping(chunks, lo, hi)), index)
        for index, (shard, chunks) in enumerate(zip(shards, chunk_lists, strict=True))
    ]
    chunks: list[list] = []
    chunk: list[list] = []
    size = 0
    current: list | None = None

    def flush() -> None:
        nonlocal chunk, size
        if chunk:
            digest = write_cbor(directory, language, ".pf_index", [chunk], 7)
            chunks.append([chunk[0][0], chunk[-1][0], digest])
        chunk, size = [], 0

    def finish(word: list) -> None:
        nonlocal size
        entries = sum(len(page[1]) + 1 for page in word[1])
        if chunk and entries >= CHUNK_SIZE:
            # A word this common (温州: 589,000 entries, 449 KB at 100,000 items) gets a
            # chunk of its own: a query for a rare word beside it loads only its own.
            flush()
        chunk.append(word)
        size += entries
        if size >= CHUNK_SIZE:
            flush()

    last = 0  # the page number of the current word's last page so far
    for word, index in heapq.merge(*streams, key=lambda pair: pair[0][0].encode()):
        if (lo is not None and word[0] < lo) or (hi is not None and word[0] >= hi):
            continue
        # A word's pages are numbered by the difference from the page before it: of a
        # shard's pages, only the first one's difference changes (from the shard's first
        # page, shifted by the pages of the shards before, to the last page so far).
        pages = word[1]
        new = current is None or current[0] != word[0]
        before = 0 if new else last
        if pages:
            last = offsets[index] + sum(page[0] for page in pages)
            pages[0][0] += offsets[index] - before
        else:
            last = before
        if new:
            if current is not None:
                finish(current)
            current = word  # decoded for this merge alone: changed in place
        else:
            current[1].extend(pages)
            for extra, more in zip(current[2:], word[2:], strict=False):
                extra.extend(more)
    if current is not None:
        finish(current)
    flush()
    return chunks


def _merge_language(
    shards: list[Path], metas: list[list], out: Path, language: str, procs: int
) -> list:
    offsets, pages = [], []
    for meta in metas:
        offsets.append(len(pages))
        pages += meta[1]
    # Filters: each value's pages, shifted.
    filters: dict[str, dict[str, list[int]]] = {}
    for shard, meta, offset in zip(shards, metas, offsets, strict=True):
        for name, digest in meta[3]:
            _, values = read_cbor(shard / "filter" / f"{digest}.pf_filter")
            merged = filters.setdefault(name, {})
            for value, value_pages in values:
                merged.setdefault(value, []).extend(p + offset for p in value_pages)
    filter_meta = []
    for name, values in sorted(filters.items()):
        packed = [[value, sorted(values[value])] for value in sorted(values)]
        filter_meta.append(
            [name, write_cbor(out / "filter", language, ".pf_filter", [name, packed], 7)]
        )
    # Sort orders: one shard's after another's.
    sorts: dict[str, list[int]] = {}
    for meta, offset in zip(metas, offsets, strict=True):
        for name, order in meta[4]:
            sorts.setdefault(name, []).extend(p + offset for p in order)
    # Words: a k-way merge of the shards' sorted chunks, re-cut as Pagefind cuts them; the
    # words split into `procs` ranges merged side by side.
    chunk_lists = [meta[2] for meta in metas]
    bounds = _ranges(chunk_lists, procs if len(pages) >= PARALLEL_FROM else 1)
    jobs = [
        (shards, chunk_lists, offsets, out / f"index.{k}", language, lo, hi)
        for k, (lo, hi) in enumerate(bounds)
    ]
    if len(jobs) == 1:
        results = [_merge_words(jobs[0])]
    else:
        # Spawned, not forked: a fork would carry the whole build's memory into each worker.
        context = multiprocessing.get_context("spawn")
        with context.Pool(len(jobs)) as pool:
            results = pool.map(_merge_words, jobs)
    chunks = []
    for job, found in zip(jobs, results, strict=True):
        for first, last, digest in found:
            source = job[3] / f"{digest}.pf_index"
            target = out / "index" / source.name
            if target.exists() and target.read_bytes() != source.read_bytes():
                digest = write_cbor(out / "index", language, ".pf_index", read_cbor(source), 7)
                source.unlink()
            else:
                source.replace(target)
            chunks.append([first, last, digest])
        job[3].rmdir()
    for i in range(len(chunks) - 1):
        chunks[i][1], chunks[i + 1][0] = _prefixes(chunks[i][1], chunks[i + 1][0])
    sort_meta = [[name, order] for name, order in sorted(sorts.items())]
    return [metas[0][0], pages, chunks, filter_meta, sort_meta, *metas[0][5:]]
