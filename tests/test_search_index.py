"""The search page's reading of the index (theme/static/js/search-index.js) answers as
Pagefind's own search of the same bundle does.

The search page no longer asks Pagefind: Pagefind's search takes time in the square of the
pages found. Its own script still ships in the bundle, so here both read the session's
site (the real content, indexed in shards and merged) in Chromium, on cases drawn at random
from what the index holds (seeded, so a failure reproduces):

- words of the index, and words made of two of its codes that may not be there: the same
  documents, at the same positions;
- the first code of a word (a query of one character or number), which stands for every
  word beginning with it: at least what Pagefind finds (Pagefind reads only the first chunk
  that may hold such words; ours reads all of them);
- words of the index, and runs of tokens from the documents' own text cut into pair words
  as the search page cuts them, alone or two together: the same documents, with scores in the same proportion to
  Pagefind's (to 1e-4: Pagefind 1.5.2 multiplies the BM25 scores of its source by one
  factor, 1.8 here), so in Pagefind's order wherever the scores differ;
- the same words within a county or a topic (Pagefind's filters).
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from search.pagefind_files import read_cbor
from search.text import tokens, unit_code

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


@pytest.mark.browser
def test_the_index_answers_as_pagefind_does(browser, site, site_url, measurements):
    drawn = cases(site)
    # bypass_csp: the site's policy no longer allows WebAssembly, which Pagefind's script
    # (the reference here, not part of any page) needs.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(site_url + "/")
    answers = page.evaluate(DRIVER, [site_url, drawn])
    context.close()
    wider = found = ranked = 0
    ratios: list[float] = []
    for case, answer in zip(drawn, answers, strict=True):
        theirs, ours = dict(answer["theirs"]), dict(answer["ours"])
        label = (case["kind"], case["words"], case.get("filters"))
        if case["kind"] == "prefix":
            assert all(ours.get(i) == at for i, at in theirs.items()), label
            wider += len(ours) > len(theirs)
        elif case["kind"] == "word":
            assert ours == theirs, label
            found += bool(ours)
        else:
            assert set(ours) == set(theirs), label
            for i, score in theirs.items():  # Pagefind 1.5.2 scales every score by one factor
                ratios.append(score / ours[i])
                assert score / ours[i] == pytest.approx(ratios[0], rel=1e-4), (label, i)
            order = [i for i, _ in answer["ours"]]
            for (a, sa), (b, sb) in zip(answer["theirs"], answer["theirs"][1:], strict=False):
                if sa - sb > 1e-4 * sa:
                    assert order.index(a) < order.index(b), (label, a, b)
            ranked += len(ours) > 1
    measurements.append(
        f"index vs Pagefind: {len(drawn)} cases; {found} words found; {ranked} ranked lists;"
        f" {wider} one-code terms where Pagefind (one chunk) found fewer;"
        f" Pagefind's scores are {ratios[0]:.4f} × ours"
    )
    assert found >= WORDS // 2 and ranked >= 10
