"""The search index in shards answers as one index does.

The session's site (tests/sitecheck.py) indexes the real content in shards of 10 documents
(three Pagefind runs, merged by the search page). Here the same content is also indexed as
one: every query must find the same documents in the same tiers, title matches first, and
sorted by date in the same order.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.documents import SearchDoc
from search.pagefind_bundle import shard_docs, shard_paths
from sitecheck import build_into


def test_shards_are_cut_oldest_first_and_the_newest_is_the_primary():
    docs = [
        SearchDoc(url=f"d{i}/", kind="item", title="t", text="x", date=f"20{i:02d}")
        for i in range(25)
    ]
    shards = shard_docs(list(reversed(docs)), 10)
    assert [len(s) for s in shards] == [10, 10, 5]
    assert [d.url for s in shards for d in s] == [d.url for d in docs]
    assert shard_paths(3) == ["pagefind/shard-1", "pagefind/shard-2", "pagefind"]
    assert shard_docs([], 10) == [[]]


def test_the_site_is_indexed_in_shards_with_unique_record_ids(site: Path):
    query = json.loads((site / "search" / "query.json").read_text(encoding="utf-8"))
    assert query["shards"] == ["pagefind/shard-2/", "pagefind/shard-1/"]
    ids = []
    for bundle in ("pagefind", "pagefind/shard-1", "pagefind/shard-2"):
        entry = json.loads((site / bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert sum(lang["page_count"] for lang in entry["languages"].values()) > 0
        ids += [f.stem for f in (site / bundle / "fragment").glob("*.pf_fragment")]
        if bundle != "pagefind":  # merged shards load the primary's script and WebAssembly
            assert not list((site / bundle).glob("*.js")) and not list(
                (site / bundle).glob("wasm.*")
            )
    assert len(ids) == len(set(ids)) == 25
    assert sorted(f"{i}.json" for i in ids) == sorted(
        p.name for p in (site / "search" / "docs").iterdir()
    )


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
