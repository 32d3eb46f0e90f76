"""The in-browser search bundle: Pagefind (extended build) over our own search documents.

Pagefind indexes one small HTML document per record, written to a work directory that is
not published: the title (weighted), filters, sort keys and the text, spaced so that every
Chinese character is a word of its own (see `search.text`). The bundle is written into the
site; the browser's search script spaces the reader's query the same way.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gzip
import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from search.documents import SearchDoc
from search.pagefind_files import SIGNATURE, link_or_copy, read_cbor, read_meta, write_cbor
from search.pagefind_merge import merge_bundles, page_ids
from search.rules import rules_json

BUNDLE_DIR = "pagefind"
# What the search page needs before its first search: the rules of a match (search.rules)
# and the fold map (search.text.fold_map), the same two that `invoke search` uses.
QUERY_FILE = "search/query.json"
# One JSON file per record at search/docs/<Pagefind page id>.json: its URL, what a result
# shows, and the text as written for its excerpt. Named by Pagefind's id, the search page
# reads it instead of Pagefind's own fragment, which holds only the coded index words.
RECORDS_DIR = "search/docs"
ORDER_FILE = "search/order.json"  # page ids, newest first (as `invoke search --sort date`)
# What the search page loads before its first query (theme/static/js/search-index.js): the
# bundle's pages (one tag and count per shard, and each page's word count), its word chunks
# and its filter files. See `page_table`.
TABLE_FILE = "search/index.json"


# The index is built in shards of at most SHARD_SIZE documents, each by its own Pagefind
# run, so Pagefind's memory is bounded by the shard, not the archive; the shards are then
# merged into one bundle (search/pagefind_merge.py), as one run would have written it.
# Documents are ordered oldest first and cut in order, so a new document touches only the
# newest shard, and a shard whose documents did not change is taken from the cache.
SHARD_SIZE = 1000
# Shards before they are merged, numbered oldest first (00000, 00001, …).
PARTS_DIR = "pagefind-parts"


@dataclass
class BundleStats:
    records: int
    seconds: float
    peak_rss_mb: float  # of the largest Pagefind process
    bytes: int  # size of the bundle on disk
    shards: int = 1
    indexed: int = 1  # shards Pagefind indexed in this build (the rest came from the cache)
    concurrent_peak_mb: float = 0.0  # the Pagefind processes that ran side by side, summed


def shard_docs(docs: list[SearchDoc], size: int = SHARD_SIZE) -> list[list[SearchDoc]]:
    """The documents in shards of at most `size`, oldest first; never none."""
    ordered = sorted(docs, key=lambda doc: (doc.date, doc.url))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)] or [[]]


def document_html(doc: SearchDoc) -> str:
    """The HTML Pagefind indexes for one record: its words and filters only.

    No sort key: Pagefind would add every page's sort position to the metadata that every
    first search loads (about 22 KB gzip at 10,000 documents); the date order is a file of
    its own (`ORDER_FILE`), loaded only to sort by date.

    No metadata: Pagefind would index metadata values as words (whole titles, dates…), which
    bloats the index and adds false prefix matches. What a result shows comes from the
    record's JSON file instead (see `record_json`).
    """
    esc = html.escape
    parts = [
        '<!doctype html><html lang="zh-cn"><head><meta charset="utf-8"></head><body>',
        "<main data-pagefind-body>",
        f'<span data-pagefind-filter="kind:{esc(doc.kind_label)}"></span>',
    ]
    if doc.year:
        parts.append(f'<span data-pagefind-filter="year:{doc.year}"></span>')
    parts += [f'<span data-pagefind-filter="county:{esc(c)}"></span>' for c in doc.counties]
    parts += [f'<span data-pagefind-filter="topic:{esc(t)}"></span>' for t in doc.topics]
    if doc.extra.get("status"):  # a policy's validity (效力状态)
        parts.append(f'<span data-pagefind-filter="status:{esc(doc.extra["status"])}"></span>')
    title, filler, *paragraphs = doc.segments
    parts.append(f'<p data-pagefind-weight="10">{title}</p>')
    parts.append(f"<p>{filler}</p>")
    parts += [f"<p>{words}</p>" for words in paragraphs]
    parts.append("</main></body></html>")
    return "".join(parts)


def record_json(doc: SearchDoc) -> str:
    """What the search page shows of a result, with the text as written for its excerpt."""
    record = {
        "url": doc.url,
        "title": doc.title,
        "kind": doc.kind_name,
        "date": doc.date_display,
        "context": doc.context,
        "counties": "、".join(doc.counties),
        "text": doc.text,
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def _pagefind_command() -> list[str]:
    return [sys.executable, "-m", "pagefind"]


def _pagefind_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return "-"


def _run_pagefind(pages: Path, bundle: Path) -> float:
    """Index the documents under `pages` into `bundle`; return Pagefind's peak memory (MB)."""
    log = pages.with_name(pages.name + ".log")
    with log.open("w+") as out:
        process = subprocess.Popen(
            [*_pagefind_command(), "--site", str(pages), "--output-path", str(bundle), "--silent"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)  # this child's own peak memory
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    log.unlink()
    if process.returncode != 0 or not (bundle / "pagefind-entry.json").is_file():
        raise RuntimeError(f"Pagefind failed ({process.returncode}): {output}")
    for extra in [*bundle.glob("pagefind-*ui*"), *bundle.glob("pagefind-highlight*")]:
        extra.unlink()  # the stock UIs and highlighter: the site has its own search page
    _canonical_filters(bundle)
    return usage.ru_maxrss / 1024


def _index_shard(
    pages: list[tuple[SearchDoc, str]],
    key: str,
    work: Path,
    cache: Path | None,
    slot: contextlib.AbstractContextManager,
):
    """One shard's bundle: from the cache, or by a Pagefind run, in `slot` (its documents
    are written out before: while another shard's run has the slot). Return (path, peak
    MB)."""
    if cache is not None and (cache / key / "pagefind-entry.json").is_file():
        os.utime(cache / key)  # used: kept by the next clean-up
        return cache / key, 0.0
    site = work / f"pages-{key}"
    for doc, page in pages:
        path = site / doc.url / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    bundle = work / f"bundle-{key}"
    with slot:
        peak = _run_pagefind(site, bundle)
    shutil.rmtree(site)
    if cache is None:
        return bundle, peak
    cache.mkdir(parents=True, exist_ok=True)
    try:
        bundle.rename(cache / key)  # atomic; another build may have stored it first
    except OSError:
        return bundle, peak
    return cache / key, peak


def _shard_pages(shard: list[SearchDoc]) -> tuple[list[tuple[SearchDoc, str]], str]:
    """The pages Pagefind indexes for a shard's documents, and the shard's cache key (the
    hash of Pagefind's version and the pages)."""
    pages = [(doc, document_html(doc)) for doc in shard]
    digest = hashlib.sha256(f"pagefind {_pagefind_version()}\0".encode())
    for doc, page in pages:
        digest.update(f"{doc.url}\0{page}\0".encode())
    return pages, digest.hexdigest()[:32]


def _clean_cache(cache: Path, used: set[str], keep_seconds: float = 86400.0) -> None:
    """Remove cached shards neither used now nor in the last day."""
    now = time.time()
    for entry in cache.iterdir() if cache.is_dir() else []:
        if entry.name not in used and now - entry.stat().st_mtime > keep_seconds:
            shutil.rmtree(entry, ignore_errors=True)


class Done(Protocol):
    """Set when other work (the page rendering beside the search worker) is over, such
    as a `multiprocessing.Event`."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class _Slots:
    """How many Pagefind processes may run side by side: `procs`, or one fewer until
    `others_done` is set; the last slot opens as soon as it is."""

    def __init__(self, procs: int, others_done: Done | None):
        narrow = others_done is not None and procs > 1 and not others_done.is_set()
        self.semaphore = threading.Semaphore(procs - 1 if narrow else procs)
        self.closed = threading.Event()
        self.watcher = None
        if narrow:
            self.watcher = threading.Thread(target=self._widen, args=(others_done,), daemon=True)
            self.watcher.start()

    def _widen(self, others_done: Done) -> None:
        while not self.closed.is_set():
            if others_done.wait(0.2):
                self.semaphore.release()
                return

    def __enter__(self) -> None:
        self.semaphore.acquire()

    def __exit__(self, *exc) -> None:
        self.semaphore.release()

    def close(self) -> None:
        self.closed.set()
        if self.watcher is not None:
            self.watcher.join()


def write_bundle(
    docs: list[SearchDoc],
    site: Path,
    work: Path,
    folds: dict[str, str],
    shard_size: int = SHARD_SIZE,
    procs: int = 2,
    cache: Path | None = None,
    part: tuple[int, int] | None = None,
    others_done: Done | None = None,
    merging: Callable[[], None] | None = None,
) -> BundleStats:
    """Index `docs` into `site`/pagefind in shards, using `work` for the search documents.

    Shards run `procs` Pagefind processes side by side (one fewer until `others_done` is
    set: other work of the machine is over, see `Done`). `merging` is called as the merge
    begins: the merge runs in processes of its own, and this process only waits for them.
    With a `cache` directory, a shard whose documents are unchanged since an earlier build
    is linked from there rather than indexed again (named by the hash of Pagefind's version
    and the shard's documents).

    As `part` (k, n) of a site built in parts (bulletin/parts.py), index only the shards
    numbered k modulo n and leave them unmerged in `site`/pagefind-parts/ (`merge_parts`
    merges them once the parts are put together); part 0 writes the search rules.
    """
    started = time.perf_counter()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shards = shard_docs(docs, shard_size)
    mine = [i for i in range(len(shards)) if part is None or i % part[1] == part[0]]
    slots = _Slots(max(1, procs), others_done)
    parts = site / PARTS_DIR
    if parts.exists():
        shutil.rmtree(parts)
    parts.mkdir(parents=True)

    def index(i: int):
        # A shard's documents are written out as its turn comes (the first Pagefind run
        # starts at once, and only the shards running hold their pages in memory); its
        # records, once it is indexed, while the next shard's run goes on. Each shard's
        # records stay apart: page ids may collide across shards.
        pages, key = _shard_pages(shards[i])
        path, peak = _index_shard(pages, key, work=work, cache=cache, slot=slots)
        order = _write_records(shards[i], path, parts / f"{i:05d}.records")
        (parts / f"{i:05d}.order.json").write_text(json.dumps(order), encoding="utf-8")
        return path, peak, key

    with concurrent.futures.ThreadPoolExecutor(max(1, procs)) as pool:
        built = list(pool.map(index, mine))
    slots.close()
    peaks = sorted((peak for _, peak, _ in built if peak), reverse=True)
    for number, (path, _, _) in zip(mine, built, strict=True):
        shutil.copytree(path, parts / f"{number:05d}", copy_function=link_or_copy)
    if cache is not None:  # keep the other parts' shards too
        others = [_shard_pages(shards[i])[1] for i in range(len(shards)) if i not in mine]
        _clean_cache(cache, {key for _, _, key in built} | set(others))
    if part is None or part[0] == 0:
        query = site / QUERY_FILE
        query.parent.mkdir(parents=True, exist_ok=True)
        folds_json = json.dumps(folds, ensure_ascii=False, separators=(",", ":"))
        query.write_text(f'{{"rules":{rules_json()},"fold":{folds_json}}}', encoding="utf-8")
    if part is not None:
        return BundleStats(len(docs), time.perf_counter() - started, peaks[0] if peaks else 0.0,
                           0, len(shards), len(peaks), sum(peaks[: max(1, procs)]))  # fmt: skip
    if merging is not None:
        merging()
    merge_parts(site, procs)
    bundle = site / BUNDLE_DIR
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return BundleStats(
        records=len(docs),
        seconds=time.perf_counter() - started,
        peak_rss_mb=peaks[0] if peaks else 0.0,
        bytes=size,
        shards=len(shards),
        indexed=len(peaks),
        concurrent_peak_mb=sum(peaks[: max(1, procs)]),
    )


def merge_parts(site: Path, procs: int = 2) -> None:
    """Merge the shards in `site`/pagefind-parts/ (in their order) into `site`/pagefind,
    their records into `RECORDS_DIR` and their documents' ids into the date order
    (`ORDER_FILE`), each under the id the merged bundle gives it (`page_ids`), and write
    the search page's table of the bundle (`TABLE_FILE`)."""
    work = site / PARTS_DIR
    parts = sorted(p for p in work.iterdir() if p.is_dir() and p.name.isdigit())
    directory = site / RECORDS_DIR
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    dated = []
    ids = page_ids(parts)
    for shard, renamed in zip(parts, ids, strict=True):
        records = work / f"{shard.name}.records"
        for date, url, page_id in json.loads(
            (work / f"{shard.name}.order.json").read_text(encoding="utf-8")
        ):
            new = renamed.get(page_id, page_id)
            (records / f"{page_id}.json").replace(directory / f"{new}.json")
            dated.append([date, url, new])
    order = [page_id for _, _, page_id in sorted(dated, reverse=True)]
    (site / ORDER_FILE).write_text(json.dumps(order), encoding="utf-8")
    bundle = site / BUNDLE_DIR
    if bundle.exists():
        shutil.rmtree(bundle)
    merge_bundles(parts, bundle, procs, ids)  # one part too: its pages get their short ids
    (site / TABLE_FILE).write_text(page_table(bundle), encoding="utf-8")
    shutil.rmtree(work)


def page_table(bundle: Path) -> str:
    """The search page's table of the merged bundle, as JSON: where the bundle is, its
    pages as [tag, count] per shard (a page's id is ``<tag>-<n in base 36>``, see
    `page_ids`), each page's word count (for ranking), its word chunks [first word, last
    word, file] and its filters [name, file]. About a fifth of Pagefind's own metadata,
    which lists every page's id."""
    meta = read_meta(bundle)
    shards: list[list] = []
    for page_id, _ in meta[1]:
        tag, _, number = page_id.rpartition("-")
        if not shards or shards[-1][0] != tag:
            shards.append([tag, 0])
        if int(number, 36) != shards[-1][1]:
            raise ValueError(f"page {page_id} out of its shard's order")
        shards[-1][1] += 1
    table = {
        "bundle": f"{BUNDLE_DIR}/",
        "shards": shards,
        "lengths": [count for _, count in meta[1]],
        "chunks": meta[2],
        "filters": meta[3],
    }
    return json.dumps(table, ensure_ascii=False, separators=(",", ":"))


def _write_records(docs: list[SearchDoc], bundle: Path, directory: Path) -> list[list[str]]:
    """A record file per Pagefind page, named by the page's id (its fragment's name); return
    [date, URL, id] of each, for the date order."""
    directory.mkdir(parents=True, exist_ok=True)
    by_url = {"/" + doc.url: doc for doc in docs}  # Pagefind's URLs start at the site root
    dated = []
    for fragment in sorted((bundle / "fragment").glob("*.pf_fragment")):
        raw = gzip.decompress(fragment.read_bytes())
        url = json.loads(raw[len(SIGNATURE) :])["url"]
        page_id = fragment.name.removesuffix(".pf_fragment")
        doc = by_url[url]
        (directory / f"{page_id}.json").write_text(record_json(doc), encoding="utf-8")
        dated.append([doc.date, doc.url, page_id])
    return dated


def _canonical_filters(bundle: Path) -> None:
    """Make Pagefind's filter files deterministic.

    Pagefind writes each filter's values in hash-map order, which changes from run to run
    (and with it the file names, the metadata file and the entry file). Sort the values,
    rename the files by their content, and rewrite the references.
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = read_cbor(meta_path)
        filters = []
        for name, digest in meta[3]:
            path = bundle / "filter" / f"{digest}.pf_filter"
            filter_name, values = read_cbor(path)
            path.unlink()
            values = sorted(([v, sorted(pages)] for v, pages in values), key=lambda v: v[0])
            filters.append(
                [name, write_cbor(path.parent, language, ".pf_filter", [filter_name, values], 7)]
            )
        meta[3] = sorted(filters)
        meta_path.unlink()
        info["hash"] = write_cbor(bundle, language, ".pf_meta", meta, 13)
        # _write_cbor names it <hash>.pf_meta; Pagefind expects pagefind.<hash>.pf_meta
        (bundle / f"{info['hash']}.pf_meta").rename(bundle / f"pagefind.{info['hash']}.pf_meta")
    entry_path.write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
