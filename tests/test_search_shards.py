"""The search index built in shards answers as one index does.

The session's site (tests/sitecheck.py) indexes the real content in shards of 10 documents,
written as one index (search/pagefind_index.py). Here the same content is also indexed as
one shard. The two must hold the same words at the same positions of the same documents,
the same filters and the same date order (the very same index files: the shards' pages are
numbered one after the other); and in Chromium every query must find the same documents in
the same tiers, sorted by date in the same order.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.analysis.documents import SearchDoc
from search.index.bundle import shard_docs
from search.index.pagefind_format import read_cbor
from search.index.records import RECORDS_DIR
from sitecheck import build_into


def test_shards_are_cut_oldest_first():
    docs = [
        SearchDoc(url=f"d{i}/", kind="item", title="t", text="x", date=f"20{i:02d}")
        for i in range(25)
    ]
    shards = shard_docs(list(reversed(docs)), 10)
    assert [len(s) for s in shards] == [10, 10, 5]
    assert [d.url for s in shards for d in s] == [d.url for d in docs]
    assert shard_docs([], 10) == [[]]


def index_by_url(site: Path) -> dict:
    """What a site's search bundle holds, with pages named by URL instead of number (the
    URL of a page id is in its record)."""
    bundle = site / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    info = next(iter(entry["languages"].values()))
    meta = read_cbor(bundle / f"pagefind.{info['hash']}.pf_meta")
    urls = []
    for page_id, word_count in meta[1]:
        record = json.loads((site / RECORDS_DIR / f"{page_id}.json").read_text(encoding="utf-8"))
        urls.append(("/" + record["url"], page_id, word_count))
    words: dict[str, dict] = {}
    previous_to = ""
    for first, last, digest in meta[2]:
        assert previous_to < first  # chunks in order, as the browser looks them up
        previous_to = last
        for word, pages, *_ in read_cbor(bundle / "index" / f"{digest}.pf_index")[0]:
            assert first <= word[: len(first)] and word[: len(last)] <= last
            number, postings = 0, []
            for page in pages:  # numbered by the difference from the page before
                number += page[0]
                postings.append((urls[number][0], page[1]))
            words[word] = sorted(postings)
    filters = {}
    for name, digest in meta[3]:
        _, values = read_cbor(bundle / "filter" / f"{digest}.pf_filter")
        filters[name] = {v: sorted(urls[p][0] for p in pages) for v, pages in values}
    sorts = {name: [urls[p][0] for p in order] for name, order in meta[4]}
    return {
        "pages": sorted((url, count) for url, _, count in urls),
        "ids": {page_id: url for url, page_id, _ in urls},
        "page_count": info["page_count"],
        "words": words,
        "filters": filters,
        "sorts": sorts,
        "version": meta[0],
    }


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


def test_the_index_of_shards_is_the_index_of_one(site: Path, single: Path):
    merged, whole = index_by_url(site), index_by_url(single)
    assert merged["page_count"] == whole["page_count"] == 25
    for key in ("pages", "filters", "sorts", "version"):
        assert merged[key] == whole[key], key
    assert merged["words"].keys() == whole["words"].keys()
    assert [w for w in whole["words"] if merged["words"][w] != whole["words"][w]] == []
    # The same files: only the pages' ids (in the metadata and the table) tell them apart.
    for name in ("index", "filter"):
        assert files(site / "pagefind" / name) == files(single / "pagefind" / name), name
    # The date order, put together from the shards, is the same documents in the same order.
    order = "search/order.json"
    assert [merged["ids"][i] for i in json.loads((site / order).read_text())] == [
        whole["ids"][i] for i in json.loads((single / order).read_text())
    ]
    # Each result's record is there, named by its page's id, and nothing else.
    for built, index in ((site, merged), (single, whole)):
        records = {p.stem for p in (built / RECORDS_DIR).iterdir()}
        assert records == index["ids"].keys()


def test_shards_from_the_cache_and_small_blocks_give_the_same_index(tmp_path, site, monkeypatch):
    """A build that takes every shard from the cache, and one that encodes the words a few
    at a time, write the same files as the session's site."""
    import search.index.pagefind_writer

    cache = tmp_path / "cache"
    first = build_into(tmp_path / "first", SEARCH_SHARD_CACHE=str(cache))
    assert len([p for p in cache.iterdir() if not p.name.startswith("assets-")]) == 3
    monkeypatch.setattr(
        search.index.pagefind_writer, "BLOCK", 50
    )  # the worker is forked: it sees it
    again = build_into(tmp_path / "again", SEARCH_SHARD_CACHE=str(cache))
    for built in (first, again):
        for name in ("index", "filter"):
            assert files(built / "pagefind" / name) == files(site / "pagefind" / name)
        assert files(built / "pagefind") == files(site / "pagefind")
        assert (built / "search/index.json").read_bytes() == (
            site / "search/index.json"
        ).read_bytes()


def test_pages_of_two_shards_with_the_same_content_keep_apart(tmp_path):
    """Pages are named by their shard's tag (the start of its key) and place. The same
    shard twice gets two tags: each page keeps apart, under a name of its own, and every
    word is on each page twice."""
    from search.index.pagefind_writer import write_index
    from search.index.records import shard_tags
    from search.index.shards import index_shard
    from sitecheck import content_search_docs

    _, docs = content_search_docs()
    shard = index_shard(docs[:12], "0123456789abcdef")
    tags = shard_tags([shard.key, shard.key])
    assert tags[0] != tags[1]
    ids = [f"{tag}-{n}" for tag in tags for n in range(12)]
    meta, _, _ = write_index([shard, shard], tmp_path / "twice", ids, "1.5.2", "zh-cn")
    write_index([shard], tmp_path / "once", ids[:12], "1.5.2", "zh-cn")
    assert [page_id for page_id, _ in meta[1]] == ids

    def postings(bundle: Path) -> dict[str, list[int]]:
        out = {}
        meta = read_cbor(next(bundle.glob("pagefind.*.pf_meta")))
        for _, _, digest in meta[2]:
            for word, pages, _ in read_cbor(bundle / "index" / f"{digest}.pf_index")[0]:
                number, found = 0, []
                for page in pages:
                    number += page[0]
                    found.append(number % 12)
                out[word] = sorted(found)
        return out

    once, twice = postings(tmp_path / "once"), postings(tmp_path / "twice")
    assert {w: sorted(p * 2) for w, p in once.items()} == twice


def test_records_of_pages_with_the_same_content_keep_apart(tmp_path, site: Path):
    """Each shard's result records and date order follow its pages' ids: the record of the
    second copy of a shard is its own, not the first's (at 30,000 items two records were
    missing and two results showed another's record, when ids were Pagefind's hashes)."""
    import shutil

    from search.index.merge import PARTS_DIR, merge_parts
    from search.index.records import ORDER_FILE
    from search.index.shards import index_shard
    from sitecheck import content_search_docs

    _, docs = content_search_docs()
    shard = index_shard(docs[:7], "fedcba9876543210")
    work = tmp_path / "site" / PARTS_DIR
    for number, who in enumerate(["first", "second"]):  # the same pages twice
        shard.save(work / f"{number:05d}")
        (records := work / f"{number:05d}.records").mkdir()
        for n, url in enumerate(shard.urls):
            (records / f"{n}.json").write_text(json.dumps({"url": url, "who": who}), "utf-8")
        order = [[f"2014-0{number + 1}-01", url] for url in shard.urls]
        (work / f"{number:05d}.order.json").write_text(json.dumps(order), encoding="utf-8")
    merge_parts(tmp_path / "site")
    merged = tmp_path / "site"
    index = index_by_url(merged)  # pages in shard order
    new_ids = list(index["ids"])
    records = {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (merged / RECORDS_DIR).iterdir()
    }
    assert set(records) == set(new_ids) and len(new_ids) == 14
    assert [records[i]["who"] for i in new_ids] == ["first"] * 7 + ["second"] * 7
    assert [records[i]["url"] for i in new_ids] == shard.urls * 2
    order = json.loads((merged / ORDER_FILE).read_text(encoding="utf-8"))
    assert set(order[:7]) == set(new_ids[7:]) and set(order[7:]) == set(new_ids[:7])  # newest first
    assert not (merged / PARTS_DIR).exists()
    shutil.rmtree(merged)


@pytest.fixture(scope="module")
def single(tmp_path_factory) -> Path:
    """The real content with its search index built in one piece."""
    return build_into(tmp_path_factory.mktemp("single") / "output", SEARCH_SHARD_SIZE=100_000)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def single_url(single: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(single))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def every_result(page, base: str, query: str, sort: str = "") -> dict:
    """All results of a query on the search page (every page of them), with their tier."""
    from urllib.parse import quote

    page.goto(f"{base}/search/?q={quote(query)}{'&sort=' + sort if sort else ''}")
    page.wait_for_function(
        "() => document.getElementById('search-results').dataset.state === 'done'"
    )
    while page.locator("#search-more").is_visible():
        shown = page.locator(".search-result").count()
        page.click("#search-more")
        page.wait_for_function(
            "n => document.querySelectorAll('.search-result').length > n", arg=shown
        )
    results = page.eval_on_selector_all(
        ".search-result",
        """items => items.map(li => [
            new URL(li.querySelector('a').href).pathname.replace(/^\\//, ''),
            Number(li.dataset.tier)])""",
    )
    return {"status": page.inner_text("#search-status"), "results": results}


QUERIES = [
    "孔海龙", "瓯江口新区", "温委发〔2014〕27号", "温商回归", "温州", "商会", "溫商回歸",
    "会长培训班", "温州台州商会", "招商 项目", "平阳", "2014", "陈一新", "经济合作",
]  # fmt: skip


@pytest.mark.browser
@pytest.mark.parametrize("sort", ["", "date"])
def test_a_query_answers_the_same_from_shards_and_from_one_index(page, site_url, single_url, sort):
    differences = []
    answered = 0
    for query in QUERIES:
        sharded = every_result(page, site_url, query, sort)
        whole = every_result(page, single_url, query, sort)
        answered += bool(whole["results"])
        same = (
            sharded["results"] == whole["results"]
            if sort  # by date: the same order
            else sorted(sharded["results"]) == sorted(whole["results"])
        )
        if sharded["status"] != whole["status"] or not same:
            differences.append((query, sharded, whole))
        if not sort:  # the tiers come in order: title matches, exact, with gaps
            tiers = [tier for _, tier in sharded["results"]]
            assert tiers == sorted(tiers), query
    assert differences == []
    assert answered >= len(QUERIES) - 2
