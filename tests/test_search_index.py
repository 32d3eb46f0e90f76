"""The search page's reading of the index (theme/static/js/search-index.js) answers as
Pagefind's own search of the same bundle does.

The search page no longer asks Pagefind: Pagefind's search takes time in the square of the
pages found. Its own script still ships in the bundle, so here both read the session's
site (the real content, indexed in shards and merged) in Chromium, on cases drawn at random
from what the index holds (seeded, so a failure reproduces):

- words of the index, and words made of two of its codes that may not be there: the same
  documents, at the same positions;
- the first code of a word (a query of one character or number), which stands for every
  word beginning with it: at least what Pagefind finds, page by page and position by
  position (Pagefind reads only the first chunk that may hold such words; ours reads all);
- words of the index, and runs of tokens from the documents' own text cut into pair words
  as the search page cuts them, alone or two together: the same documents, with scores in the same proportion to
  Pagefind's (to 1e-4: Pagefind 1.5.2 multiplies the BM25 scores of its source by one
  factor, 1.8 here), so in Pagefind's order wherever the scores differ;
- the same words within a county or a topic (Pagefind's filters).
"""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import random
import shutil
import threading
from pathlib import Path

import pytest

from search.analysis.tokens import tokens, unit_code
from search.index.pagefind_format import read_cbor

SEED = 20261202
WORDS = 80
PREFIXES = 30
RUNS = 40

DRIVER = """async ([base, cases]) => {
  const pf = await import(base + "/pagefind/pagefind.js");
  await pf.options({ baseUrl: "/", noWorker: true });
  const { ArchiveIndex } = await import(base + "/theme/js/search-index.js");
  const index = await ArchiveIndex.open(new URL(base + "/"));
  const out = [];
  for (const c of cases) {
    const filters = c.filters || {};
    if (c.kind === "rank") {
      const theirs = (await pf.search(c.words.join(" "), { filters })).results.map((r) => [r.id, r.score]);
      out.push({ theirs, ours: await index.scores(c.words, filters) });
    } else {
      const theirs = (await pf.search(c.words[0], { filters })).results.map((r) => [r.id, [...r.words].sort((a, b) => a - b)]);
      const found = (await index.lookUp(c.words, filters)).get(c.words[0]);
      const ours = [...found].map(([id, at]) => [id, [...at].sort((a, b) => a - b)]);
      out.push({ theirs, ours });
    }
  }
  return out;
}"""


def bundle_words(site: Path) -> list[str]:
    table = json.loads((site / "search/index.json").read_text(encoding="utf-8"))
    words = []
    for _, _, file in table["chunks"]:
        words += [w[0] for w in read_cbor(site / "pagefind/index" / f"{file}.pf_index")[0]]
    return words


def first_code(word: str) -> str:
    if word.startswith("h"):
        return word[:4]
    length = int(word[1], 36)
    return word[: 2 + length]


def filter_values(site: Path) -> list[dict[str, str]]:
    table = json.loads((site / "search/index.json").read_text(encoding="utf-8"))
    out = []
    for name, file in table["filters"]:
        if name in ("county", "topic"):
            _, values = read_cbor(site / "pagefind/filter" / f"{file}.pf_filter")
            out += [{name: value} for value, _ in values]
    return out


def cases(site: Path) -> list[dict]:
    rng = random.Random(SEED)
    words = bundle_words(site)
    chosen = rng.sample(words, min(WORDS, len(words)))
    made = []
    for _ in range(10):  # two codes of the index, perhaps never side by side
        a, b = rng.sample(chosen, 2)
        made.append(first_code(a) + first_code(b))
    out = [{"kind": "word", "words": [w]} for w in chosen + made]
    out += [{"kind": "prefix", "words": [first_code(w)]} for w in rng.sample(chosen, PREFIXES)]
    texts = []
    for record in sorted((site / "search/docs").glob("*.json")):
        data = json.loads(record.read_text(encoding="utf-8"))
        texts.append(tokens(data["title"] + "\n" + data["text"]))
    runs = []
    for _ in range(RUNS):
        text = rng.choice(texts)
        size = rng.randint(2, 4)
        start = rng.randrange(max(1, len(text) - size))
        run = text[start : start + size]
        codes = [unit_code(t) for t in run]
        if len(codes) >= 2:  # the pair words of the term, as the search page cuts it
            runs.append([a + b for a, b in itertools.pairwise(codes)])
    out += [{"kind": "rank", "words": sorted(set(r))} for r in runs]
    out += [{"kind": "rank", "words": [w]} for w in chosen[:20]]
    out += [{"kind": "rank", "words": sorted(set(a + b))} for a, b in itertools.pairwise(runs)][:10]
    for value in rng.sample(filter_values(site), 6):
        out.append({"kind": "word", "words": [rng.choice(chosen)], "filters": value})
        out.append({"kind": "rank", "words": sorted(set(rng.choice(runs))), "filters": value})
    return out


def compare(browser, site: Path, url: str) -> str:
    """Ask Pagefind's script and ours the cases drawn from `site` (served at `url`); assert
    they agree; return what was compared."""
    drawn = cases(site)
    # bypass_csp: the site's policy no longer allows WebAssembly, which Pagefind's script
    # (the reference here, not part of any page) needs.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(url + "/")
    answers = page.evaluate(DRIVER, [url, drawn])
    context.close()
    wider = found = ranked = 0
    ratios: list[float] = []
    for case, answer in zip(drawn, answers, strict=True):
        theirs, ours = dict(answer["theirs"]), dict(answer["ours"])
        label = (case["kind"], case["words"], case.get("filters"))
        if case["kind"] == "prefix":
            # Pagefind reads one chunk of the words beginning with the code: on a page, at
            # most the positions we find (all of them where the words are in one chunk).
            assert all(set(at) <= set(ours.get(i, ())) for i, at in theirs.items()), label
            wider += ours != theirs
        elif case["kind"] == "word":
            assert ours == theirs, label
            found += bool(ours)
        else:
            assert set(ours) == set(theirs), label
            for i, score in theirs.items():  # Pagefind 1.5.2 scales every score by one factor
                ratios.append(score / ours[i])
                assert score / ours[i] == pytest.approx(ratios[0], rel=1e-4), (label, i)
            order = [i for i, _ in answer["ours"]]
            for (a, sa), (b, sb) in itertools.pairwise(answer["theirs"]):
                if sa - sb > 1e-4 * sa:
                    assert order.index(a) < order.index(b), (label, a, b)
            ranked += len(ours) > 1
    assert found >= WORDS // 2 and ranked >= 10
    return (
        f"{len(drawn)} cases; {found} words found; {ranked} ranked lists;"
        f" {wider} one-code terms where Pagefind (one chunk) found fewer;"
        f" Pagefind's scores are {ratios[0]:.4f} × ours"
    )


@pytest.mark.browser
def test_the_index_answers_as_pagefind_does(browser, site, site_url, measurements):
    measurements.append(f"index vs Pagefind, the real content: {compare(browser, site, site_url)}")


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory) -> Path:
    """A generated archive of 1,000 items (bench/corpus.py), in shards of 250, its index cut
    into chunks of 2,000 entries: many chunks, and common words in chunks of their own, as
    at 100,000 items with Pagefind's 20,000."""
    import search.index.pagefind_writer
    from bench.corpus import make_corpus
    from bulletin.build.sitebuild import render_site
    from sitecheck import ROOT

    work = tmp_path_factory.mktemp("corpus")
    make_corpus(work / "content", 1000)
    for kind in ("policies", "speeches", "raw"):
        shutil.copytree(ROOT / "content" / kind, work / "content" / kind, dirs_exist_ok=True)
    chunk_size = search.index.pagefind_writer.CHUNK_SIZE
    search.index.pagefind_writer.CHUNK_SIZE = 2_000  # the search worker is forked: it sees this
    try:
        overrides = {"PATH": str(work / "content"), "SEARCH_SHARD_SIZE": 250,
                     "SEARCH_WHOOSH_PATH": "", "SEARCH_SHARD_CACHE": ""}  # fmt: skip
        render_site(str(ROOT / "pelicanconf.py"), work / "site", overrides)
    finally:
        search.index.pagefind_writer.CHUNK_SIZE = chunk_size
    return work / "site"


@pytest.mark.browser
def test_the_index_of_a_larger_archive_answers_as_pagefind_does(browser, corpus_site, measurements):
    handler = functools.partial(_Quiet, directory=str(corpus_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        said = compare(browser, corpus_site, url)
    finally:
        server.shutdown()
    table = json.loads((corpus_site / "search/index.json").read_text(encoding="utf-8"))
    assert len(table["shards"]) >= 4 and len(table["chunks"]) > 20
    common = 0  # words of 2,000 entries or more: each alone in its chunk
    for _, _, file in table["chunks"]:
        words = read_cbor(corpus_site / "pagefind/index" / f"{file}.pf_index")[0]
        sizes = [sum(len(page[1]) + 1 for page in word[1]) for word in words]
        if max(sizes) >= 2_000:
            assert len(words) == 1, [w[0] for w in words]
            common += 1
    assert common >= 5
    measurements.append(
        f"index vs Pagefind, 1,000 generated items ({len(table['chunks'])} chunks,"
        f" {common} of a common word alone): {said}"
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
