"""The search index built in shards answers as one index does.

The session's site (tests/sitecheck.py) indexes the real content in shards of 10 documents:
three Pagefind runs, merged into one bundle (search/pagefind_merge.py). Here the same
content is also indexed by one Pagefind run. The merged index must hold the same words at
the same positions of the same documents, the same filters and the same date order; and
in Chromium every query must find the same documents in the same tiers, sorted by date in
the same order.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.documents import SearchDoc
from search.pagefind_bundle import shard_docs
from search.pagefind_files import SIGNATURE, read_cbor
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


def index_by_url(bundle: Path) -> dict:
    """What a Pagefind bundle holds, with pages named by URL instead of number."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    info = next(iter(entry["languages"].values()))
    meta = read_cbor(bundle / f"pagefind.{info['hash']}.pf_meta")
    urls = []
    for page_id, word_count in meta[1]:
        raw = gzip.decompress((bundle / "fragment" / f"{page_id}.pf_fragment").read_bytes())
        urls.append((json.loads(raw[len(SIGNATURE) :])["url"], page_id, word_count))
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


def test_the_merged_index_holds_what_one_index_holds(site: Path, single: Path):
    merged, whole = index_by_url(site / "pagefind"), index_by_url(single / "pagefind")
    assert merged["page_count"] == whole["page_count"] == 25
    for key in ("pages", "filters", "sorts", "version"):
        assert merged[key] == whole[key], key
    assert merged["words"].keys() == whole["words"].keys()
    assert [w for w in whole["words"] if merged["words"][w] != whole["words"][w]] == []
    # The date order, put together from the shards, is the same documents in the same order.
    order = "search/order.json"
    assert [merged["ids"][i] for i in json.loads((site / order).read_text())] == [
        whole["ids"][i] for i in json.loads((single / order).read_text())
    ]
    # Each result's record is there, named by its page's id.
    for built, index in ((site, merged), (single, whole)):
        records = {p.stem: p for p in (built / "search" / "docs").iterdir()}
        assert records.keys() == index["ids"].keys()
        for page_id, url in index["ids"].items():
            assert "/" + json.loads(records[page_id].read_text())["url"] == url


def test_merging_in_two_processes_gives_the_same_index(tmp_path, site: Path, monkeypatch):
    import search.pagefind_merge

    monkeypatch.setattr(search.pagefind_merge, "PARALLEL_FROM", 0)  # two ranges of words
    out = build_into(tmp_path / "output", SEARCH_PAGEFIND_PROCS=2, SEARCH_SHARD_CACHE="")
    assert index_by_url(out / "pagefind") == index_by_url(site / "pagefind")


def test_pages_of_two_shards_with_the_same_id_keep_apart(tmp_path, site: Path):
    """Merged pages are named by their shard's tag (from its content hash) and place.
    Merging a bundle with itself makes two shards with the same tag: each page keeps
    apart, under a name of its own, with its own fragment."""
    from search.pagefind_merge import merge_bundles

    bundle = site / "pagefind"
    merge_bundles([bundle, bundle], tmp_path / "twice")
    once, twice = index_by_url(bundle), index_by_url(tmp_path / "twice")
    assert twice["page_count"] == 2 * once["page_count"]
    entry = json.loads((tmp_path / "twice" / "pagefind-entry.json").read_text(encoding="utf-8"))
    (info,) = entry["languages"].values()
    meta = read_cbor(tmp_path / "twice" / f"pagefind.{info['hash']}.pf_meta")
    ids = [page_id for page_id, _ in meta[1]]
    assert len(set(ids)) == len(ids)
    fragments = tmp_path / "twice" / "fragment"
    assert sorted(ids) == sorted(p.name.removesuffix(".pf_fragment") for p in fragments.iterdir())
    half = len(ids) // 2
    for page_id, first, second in zip(once["ids"], ids[:half], ids[half:], strict=True):
        original = (bundle / "fragment" / f"{page_id}.pf_fragment").read_bytes()
        assert (fragments / f"{first}.pf_fragment").read_bytes() == original
        assert (fragments / f"{second}.pf_fragment").read_bytes() == original
    # Every word is on the same pages as before, each page now twice.
    assert {w: sorted(p * 2) for w, p in once["words"].items()} == {
        w: sorted(p) for w, p in twice["words"].items()
    }


def test_records_of_pages_with_the_same_id_keep_apart(tmp_path, site: Path):
    """Each shard's result records and date order follow its pages' ids in the merged
    bundle: the record of the second shard's copy of a page is its own, not the first
    shard's (at 30,000 items two records were missing and two results showed another's
    record, when ids were Pagefind's hashes)."""
    import shutil

    from search.pagefind_bundle import ORDER_FILE, PARTS_DIR, RECORDS_DIR, merge_parts

    ids = sorted(
        p.name.removesuffix(".pf_fragment") for p in (site / "pagefind/fragment").iterdir()
    )
    work = tmp_path / "site" / PARTS_DIR
    for number, who in enumerate(["first", "second"]):  # the same pages twice
        shard = work / f"{number:05d}"
        shutil.copytree(site / "pagefind", shard)
        (records := work / f"{shard.name}.records").mkdir()
        for page_id in ids:
            (records / f"{page_id}.json").write_text(json.dumps([who, page_id]), encoding="utf-8")
        order = [[f"2014-0{number + 1}-01", f"{who}/{page_id}/", page_id] for page_id in ids]
        (work / f"{shard.name}.order.json").write_text(json.dumps(order), encoding="utf-8")
    merge_parts(tmp_path / "site")
    merged = tmp_path / "site"
    fragments = {
        p.name.removesuffix(".pf_fragment") for p in (merged / "pagefind/fragment").iterdir()
    }
    records = {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (merged / RECORDS_DIR).iterdir()
    }
    assert set(records) == fragments and len(fragments) == 2 * len(ids)
    index = index_by_url(merged / "pagefind")  # pages in shard order
    new_ids = list(index["ids"])
    assert sorted(records[i][1] for i in new_ids[: len(ids)]) == ids
    assert {records[i][0] for i in new_ids[: len(ids)]} == {"first"}
    assert sorted(records[i][1] for i in new_ids[len(ids) :]) == ids
    assert {records[i][0] for i in new_ids[len(ids) :]} == {"second"}
    before = index_by_url(site / "pagefind")["ids"]
    for page_id in new_ids:  # each record is the one of the page its fragment holds
        assert index["ids"][page_id] == before[records[page_id][1]]
    order = json.loads((merged / ORDER_FILE).read_text(encoding="utf-8"))
    assert sorted(order) == sorted(fragments) and not (merged / PARTS_DIR).exists()


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
