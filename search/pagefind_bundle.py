"""The in-browser search bundle: Pagefind (extended build) over our own search documents.

Pagefind indexes one small HTML document per record, written to a work directory that is
not published: the title (weighted), filters, sort keys and the text, spaced so that every
Chinese character is a word of its own (see `search.text`). The bundle is written into the
site; the browser's search script spaces the reader's query the same way.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cbor2

from search.documents import SearchDoc
from search.rules import rules_json
from search.text import document_segments

BUNDLE_DIR = "pagefind"
# What the search page needs before its first search: the rules of a match (search.rules)
# and the fold map (search.text.fold_map), the same two that `invoke search` uses.
QUERY_FILE = "search/query.json"
# One JSON file per record at search/docs/<Pagefind page id>.json: its URL, what a result
# shows, and the text as written for its excerpt. Named by Pagefind's id, the search page
# reads it instead of Pagefind's own fragment, which holds only the coded index words.
RECORDS_DIR = "search/docs"
ORDER_FILE = "search/order.json"  # Pagefind page ids, newest first (as `invoke search --sort date`)


@dataclass
class BundleStats:
    records: int
    seconds: float
    peak_rss_mb: float  # of the Pagefind process
    bytes: int  # size of the bundle on disk


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
    title, filler, *paragraphs = document_segments(doc.title, doc.text)
    parts.append(f'<p data-pagefind-weight="10">{" ".join(title)}</p>')
    parts.append(f"<p>{' '.join(filler)}</p>")
    parts += [f"<p>{' '.join(words)}</p>" for words in paragraphs]
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


def write_bundle(
    docs: list[SearchDoc], site: Path, work: Path, folds: dict[str, str]
) -> BundleStats:
    """Index `docs` into `site`/pagefind, using `work` for the search documents."""
    started = time.perf_counter()
    if work.exists():
        shutil.rmtree(work)
    for doc in docs:
        path = work / doc.url / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document_html(doc), encoding="utf-8")
    bundle = site / BUNDLE_DIR
    if bundle.exists():
        shutil.rmtree(bundle)
    log = work.with_name(work.name + ".log")
    with log.open("w+") as out:
        process = subprocess.Popen(
            [*_pagefind_command(), "--site", str(work), "--output-path", str(bundle), "--silent"],
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
    _write_records(docs, bundle, site)
    query = site / QUERY_FILE
    query.parent.mkdir(parents=True, exist_ok=True)
    folds_json = json.dumps(folds, ensure_ascii=False, separators=(",", ":"))
    query.write_text(f'{{"rules":{rules_json()},"fold":{folds_json}}}', encoding="utf-8")
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return BundleStats(
        records=len(docs),
        seconds=time.perf_counter() - started,
        peak_rss_mb=usage.ru_maxrss / 1024,
        bytes=size,
    )


SIGNATURE = b"pagefind_dcd"


def _write_records(docs: list[SearchDoc], bundle: Path, site: Path) -> None:
    """A record file per Pagefind page, named by the page's id (its fragment's name), and
    the ids in date order."""
    directory = site / RECORDS_DIR
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    by_url = {"/" + doc.url: doc for doc in docs}  # Pagefind's URLs start at the site root
    ids = {}
    for fragment in sorted((bundle / "fragment").glob("*.pf_fragment")):
        raw = gzip.decompress(fragment.read_bytes())
        url = json.loads(raw[len(SIGNATURE) :])["url"]
        page_id = fragment.name.removesuffix(".pf_fragment")
        (directory / f"{page_id}.json").write_text(record_json(by_url[url]), encoding="utf-8")
        ids[url] = page_id
    newest = sorted(docs, key=lambda d: (d.date, d.url), reverse=True)
    order = [ids["/" + doc.url] for doc in newest]
    (site / ORDER_FILE).write_text(json.dumps(order), encoding="utf-8")


def _read_cbor(path: Path):
    raw = gzip.decompress(path.read_bytes())
    assert raw.startswith(SIGNATURE), path
    return cbor2.loads(raw[len(SIGNATURE) :])


def _write_cbor(directory: Path, prefix: str, suffix: str, value, digits: int) -> str:
    """Write a Pagefind data file named by the hash of its content; return the hash."""
    raw = SIGNATURE + cbor2.dumps(value, canonical=True)
    digest = f"{prefix}_{hashlib.sha256(raw).hexdigest()[:digits]}"
    (directory / f"{digest}{suffix}").write_bytes(gzip.compress(raw, mtime=0))
    return digest


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
        meta = _read_cbor(meta_path)
        filters = []
        for name, digest in meta[3]:
            path = bundle / "filter" / f"{digest}.pf_filter"
            filter_name, values = _read_cbor(path)
            path.unlink()
            values = sorted(([v, sorted(pages)] for v, pages in values), key=lambda v: v[0])
            filters.append(
                [name, _write_cbor(path.parent, language, ".pf_filter", [filter_name, values], 7)]
            )
        meta[3] = sorted(filters)
        meta_path.unlink()
        info["hash"] = _write_cbor(bundle, language, ".pf_meta", meta, 13)
        # _write_cbor names it <hash>.pf_meta; Pagefind expects pagefind.<hash>.pf_meta
        (bundle / f"{info['hash']}.pf_meta").rename(bundle / f"pagefind.{info['hash']}.pf_meta")
    entry_path.write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
