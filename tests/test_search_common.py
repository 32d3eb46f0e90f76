"""A query of the archive's commonest words answers from their best pages first
(search/impact.py, ArchiveIndex.best) exactly as from all of their positions.

At 100,000 items 温商回归 is three words on half the pages each: all their positions are
about 900 KB of gzip for a page of ten results. The index also holds each such word's pages
best first, in blocks; the search page reads blocks until no page it has not read can rank
above the results it shows. Here one generated archive (bench/corpus.py) is built twice:
as it is, where no word is that common, and with the threshold of a common word and the
first block made small, so that many words are read block by block, a few pages at a time.
Queries drawn from the archive's own text (runs of its tokens, two runs together, within a
county) must show the same results, page after page, in the same order, with the same
count once every result is shown; and a query of common words must not load their chunks.
"""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import random
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest

from search.analysis.tokens import normalize, tokens
from search.index.impact import block_ranges, word_scores
from search.index.pagefind_format import read_cbor
from search.index.shards import TITLE_WEIGHT
from search.query.matching import term_words

SEED = 20261203
ITEMS = 600
RUNS = 24
PAGES_COMPARED = 4  # pages of ten results read on both sites, per query


def _build(work: Path, name: str, chunk_size: int | None, first_block: int | None) -> Path:
    import search.index.impact
    import search.index.pagefind_writer
    from bulletin.build.sitebuild import render_site
    from sitecheck import ROOT

    saved = search.index.pagefind_writer.CHUNK_SIZE, search.index.impact.FIRST_BLOCK
    if chunk_size:  # the search worker is forked: it sees these
        search.index.pagefind_writer.CHUNK_SIZE, search.index.impact.FIRST_BLOCK = (
            chunk_size,
            first_block,
        )
    try:
        overrides = {"PATH": str(work / "content"), "SEARCH_SHARD_SIZE": 200,
                     "SEARCH_WHOOSH_PATH": "", "SEARCH_SHARD_CACHE": ""}  # fmt: skip
        render_site(str(ROOT / "pelicanconf.py"), work / name, overrides)
    finally:
        search.index.pagefind_writer.CHUNK_SIZE, search.index.impact.FIRST_BLOCK = saved
    return work / name


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> tuple[Path, Path]:
    """The same generated archive: indexed as it is, and with common words of 600 entries
    or more, read 8 pages at first."""
    from bench.corpus import make_corpus
    from sitecheck import ROOT

    work = tmp_path_factory.mktemp("common")
    make_corpus(work / "content", ITEMS)
    for kind in ("policies", "speeches", "raw"):
        shutil.copytree(ROOT / "content" / kind, work / "content" / kind, dirs_exist_ok=True)
    return _build(work, "plain", None, None), _build(work, "common", 600, 8)


def _table(site: Path) -> dict:
    return json.loads((site / "search/index.json").read_text(encoding="utf-8"))


def _entries(path: Path) -> dict[int, list]:
    """A word's entries (one chunk's word, or a block) by page number."""
    out, page = {}, 0
    for difference, locations, _ in path:
        page += difference
        out[page] = locations
    return out


def _weights(locations: list[int]) -> tuple[int, bool]:
    """The sum of a page's weights of a word, and whether it is in the title."""
    weight, total, titled = 24, 0, False
    for x in locations:
        if x < 0:
            weight = -x - 1
        else:
            total += weight
            titled = titled or weight >= TITLE_WEIGHT
    return total, titled


def test_a_common_word_s_blocks_hold_its_pages_best_first(sites):
    _, site = sites
    table = _table(site)
    assert len(table["common"]) >= 20, "the corpus should have many common words"
    lengths = np.asarray(table["lengths"], np.int64)
    average = float(lengths.sum()) / len(lengths)
    for word, file, pages, titled in table["common"]:
        (only,) = read_cbor(site / "pagefind/index" / f"{file}.pf_index")[0]
        assert only[0] == word
        chunk = _entries(only[1])
        assert len(chunk) == pages
        sums = {page: _weights(at) for page, at in chunk.items()}
        scores = dict(
            zip(
                chunk,
                word_scores(
                    np.array([s for s, _ in sums.values()], float),
                    lengths[list(chunk)],
                    len(lengths),
                    average,
                    pages,
                ),
                strict=True,
            )
        )
        for kind, expected in (("m", set(chunk)), ("t", {p for p, s in sums.items() if s[1]})):
            assert len(expected) == (pages if kind == "m" else titled)
            seen, floor = set(), np.inf
            for j in range(len(block_ranges(len(expected), table["firstBlock"]))):
                block = _entries(read_cbor(site / f"pagefind/impact/{file}.{kind}{j}.pf_index"))
                assert all(block[p] == chunk[p] for p in block), (word, kind, j)
                assert not seen & set(block)
                assert max(scores[p] for p in block) <= floor, (word, kind, j)  # best first
                floor = min(scores[p] for p in block)
                seen |= set(block)
            assert seen == expected, (word, kind)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def urls(sites) -> Iterator[tuple[str, str]]:
    servers = []
    for site in sites:
        handler = functools.partial(_Quiet, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    yield tuple(f"http://127.0.0.1:{s.server_address[1]}" for s in servers)
    for server in servers:
        server.shutdown()


def queries(site: Path) -> list[str]:
    """Runs of two to six tokens of the archive's own text, alone, two together, and a
    few of the archive's names and phrases."""
    rng = random.Random(SEED)
    texts = []
    for record in sorted((site / "search/docs").glob("*.json")):
        data = json.loads(record.read_text(encoding="utf-8"))
        texts.append(data["title"] + "\n" + data["text"])
    runs = []
    while len(runs) < RUNS:
        text = rng.choice(texts)
        cut = tokens(text)
        size = rng.randint(2, 6)
        if len(cut) <= size:
            continue
        start = rng.randrange(len(cut) - size)
        if all(len(t) == 1 for t in cut[start : start + size]):  # Han characters, as typed
            runs.append("".join(cut[start : start + size]))
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(runs)][:8]
    return ["温商回归", "瓯江口新区", "温州商会", "孔海龙", *runs, *pairs]


def shown(page, base: str, query: str, county: str = "") -> dict:
    """The results of a query, up to PAGES_COMPARED pages of them, and the status."""
    page.goto(f"{base}/search/?q={quote(query)}{'&county=' + quote(county) if county else ''}")
    page.wait_for_function(
        "() => document.getElementById('search-results').dataset.state === 'done'"
    )
    for _ in range(PAGES_COMPARED - 1):
        if not page.locator("#search-more").is_visible():
            break
        count = page.locator(".search-result").count()
        page.click("#search-more")
        page.wait_for_function(
            "n => document.querySelectorAll('.search-result').length > n"
            " && document.getElementById('search-results').dataset.state === 'done'",
            arg=count,
        )
    results = page.eval_on_selector_all(
        ".search-result",
        "items => items.map(li => [new URL(li.querySelector('a').href).pathname,"
        " Number(li.dataset.tier)])",
    )
    return {
        "status": page.inner_text("#search-status"),
        "results": results,
        "all": not page.locator("#search-more").is_visible(),
    }


@pytest.mark.browser
def test_common_words_answer_as_all_their_positions_do(browser, sites, urls, measurements):
    plain_url, common_url = urls
    context = browser.new_context()
    page = context.new_page()
    asked = queries(sites[0])
    cases = [(q, "") for q in asked] + [(q, "鹿城区") for q in asked[:6]]
    settled_early = 0
    for query, county in cases:
        whole = shown(page, plain_url, query, county)
        lazy = shown(page, common_url, query, county)
        assert lazy["results"] == whole["results"], (query, county)
        if "条以上结果" in lazy["status"]:  # shown before every result was known
            assert not lazy["all"] and len(lazy["results"]) < len(whole["results"]) + 1
            settled_early += 1
        else:
            assert lazy["status"] == whole["status"], (query, county)
    context.close()
    assert settled_early >= 5, "too few queries were answered from blocks"
    measurements.append(
        f"common words (blocks of 8 pages first): {len(cases)} queries, the same results page"
        f" after page; {settled_early} shown before every result was known"
    )


@pytest.mark.browser
def test_a_query_of_common_words_does_not_load_their_chunks(browser, sites, urls):
    _, site = sites
    _, common_url = urls
    table = _table(site)
    chunk_of = {word: file for word, file, _, _ in table["common"]}
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{common_url}/search/")
    page.wait_for_function(
        "() => document.getElementById('search-results').dataset.state === 'done'"
    )
    requested: list[str] = []
    page.on("requestfinished", lambda r: requested.append(r.url))
    page.fill("#q", "温商回归")
    page.press("#q", "Enter")
    page.wait_for_function(
        "() => { const l = document.getElementById('search-results');"
        " return l.dataset.query === '温商回归' && l.dataset.state === 'done'; }"
    )
    common = [w for w in term_words(tokens(normalize("温商回归"))) if w in chunk_of]
    assert common, "温商回归's words should be common in this archive"
    loaded_chunks = {u.rsplit("/", 1)[-1] for u in requested if "/pagefind/index/" in u}
    assert not {f"{chunk_of[w]}.pf_index" for w in common} & loaded_chunks
    assert any("/pagefind/impact/" in u for u in requested)
    assert page.locator(".search-result").count() == 10
    context.close()


def test_the_publish_check_knows_the_blocks(sites):
    """The verifier (bulletin/build/verify.py) passes the index with its blocks, with every
    document counted, and names a block that is missing."""
    from bulletin.build.verify import _check_table, _files

    _, site = sites
    files, _ = _files(site)
    pages = len(_table(site)["lengths"])
    assert _check_table(site, files, pages) == []
    word, file, *_ = _table(site)["common"][0]
    gone = f"pagefind/impact/{file}.m0.pf_index"
    assert gone in files
    problems = _check_table(site, files - {gone}, pages)
    assert [p.where for p in problems] == [gone], word
    assert _check_table(site, files, pages + 1)  # a document the index does not hold
