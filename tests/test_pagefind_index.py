"""The archive's own writer of Pagefind's index writes what Pagefind itself writes.

The build does not run Pagefind over its search documents: `search.index.shards` and
`search.index.pagefind_writer` write Pagefind 1.5.2's index from the words the archive already has.
Here Pagefind is run, as the reference, over the HTML documents it would have been given
(`search.index.shards.document_html`): the real content's records, and records made at
random (seeded) from the content's text with what is rare in it: titles with no searchable
character or of more than 64 tokens (so no filler), paragraphs of punctuation alone, long
Latin runs, numbers, 第N号, traditional script, empty texts, repeated words. Both indexes
must hold the same pages with the same word counts, every word on the same pages with the
same locations, written the same way (weights, runs, differences), and the same filters,
whatever the shards the documents are cut into.
"""

from __future__ import annotations

import gzip
import itertools
import json
import random
import subprocess
import sys
from pathlib import Path

import cbor2
import numpy as np
import pytest

from search.analysis.documents import SearchDoc
from search.analysis.tokens import to_simplified
from search.index.bundle import shard_docs
from search.index.pagefind_format import LANGUAGE, SIGNATURE, read_cbor, read_meta
from search.index.pagefind_writer import cbor_heads, encode_pages, write_index
from search.index.shards import document_html, index_shard
from sitecheck import content_search_docs

SEED = 20261202


def pagefind_run(docs: list[SearchDoc], work: Path) -> Path:
    """Pagefind's own bundle of the documents' HTML."""
    site = work / "site"
    for doc in docs:
        path = site / doc.url / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document_html(doc), encoding="utf-8")
    bundle = work / "pagefind"
    subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(bundle),
         "--silent"],
        check=True,
    )  # fmt: skip
    return bundle


def ours(docs: list[SearchDoc], out: Path, cuts: list[int]) -> tuple[Path, list[str]]:
    """Our index of the documents, cut into shards at `cuts`; and its pages' URLs."""
    edges = [0, *cuts, len(docs)]
    pairs = enumerate(itertools.pairwise(edges))
    shards = [index_shard(docs[a:b], f"{k:06x}") for k, (a, b) in pairs]
    urls = ["/" + url for shard in shards for url in shard.urls]
    out.mkdir(parents=True)
    write_index(shards, out, [f"p-{n}" for n in range(len(urls))], "1.5.2", LANGUAGE)
    return out, urls


def by_url(bundle: Path, urls: list[str]) -> dict:
    """What a bundle holds, its pages named by URL: pages and word counts, each word's pages
    with their locations as written, the filters."""
    meta = read_cbor(next(bundle.glob("pagefind.*.pf_meta")))
    words: dict[str, list] = {}
    for _, _, digest in meta[2]:
        for word, pages, extra in read_cbor(bundle / "index" / f"{digest}.pf_index")[0]:
            assert extra == []
            number, postings = 0, []
            for difference, locations, meta_locations in pages:
                number += difference
                assert meta_locations == []
                postings.append((urls[number], locations))
            words[word] = sorted(postings)
    filters = {}
    for name, digest in meta[3]:
        _, values = read_cbor(bundle / "filter" / f"{digest}.pf_filter")
        filters[name] = {value: sorted(urls[p] for p in pages) for value, pages in values}
    return {
        "version": meta[0],
        "pages": sorted((urls[n], count) for n, (_, count) in enumerate(meta[1])),
        "words": words,
        "filters": filters,
    }


def pagefind_urls(bundle: Path) -> list[str]:
    out = []
    for page_id, _ in read_meta(bundle)[1]:
        raw = gzip.decompress((bundle / "fragment" / f"{page_id}.pf_fragment").read_bytes())
        out.append(json.loads(raw[len(SIGNATURE) :])["url"])
    return out


def compare(docs: list[SearchDoc], tmp: Path, cuts: list[int]) -> None:
    reference = pagefind_run(docs, tmp / "reference")
    theirs = by_url(reference, pagefind_urls(reference))
    mine = by_url(*ours(docs, tmp / "ours", cuts))
    assert mine["version"] == theirs["version"]
    assert mine["pages"] == theirs["pages"]
    assert mine["filters"] == theirs["filters"]
    assert mine["words"].keys() == theirs["words"].keys()
    assert [w for w in theirs["words"] if mine["words"][w] != theirs["words"][w]] == []


def test_the_real_content_is_indexed_as_pagefind_indexes_it(tmp_path):
    _, docs = content_search_docs()
    ordered = [d for shard in shard_docs(docs, 10**9) for d in shard]
    compare(ordered, tmp_path, [10, 11])


def odd_docs(docs: list[SearchDoc], count: int) -> list[SearchDoc]:
    """Records made of the content's text, with what is rare in it."""
    rng = random.Random(SEED)
    texts = [d.text for d in docs if d.text]
    paragraphs = [p for t in texts for p in t.split("\n\n") if p.strip()]
    odd = [
        "——", "……", "（）", "·", "2014", "第27号", "温委发〔2014〕第27号", "a-378 B.C.",
        "x" * 80 + " 2024年", "溫商回歸 臺灣", "ＡＢＣ１２３", "温温温温温温", "",
    ]  # fmt: skip
    out = []
    for n in range(count):
        title = rng.choice(
            [rng.choice(paragraphs)[:30], rng.choice(odd), rng.choice(paragraphs)[:200], ""]
        )
        body = [rng.choice(paragraphs + odd) for _ in range(rng.randint(0, 6))]
        if rng.random() < 0.2:
            body = [to_simplified(p) if rng.random() < 0.5 else p for p in body]
        base = rng.choice(docs)
        out.append(
            SearchDoc(
                url=f"odd/{n:04d}/",
                kind=base.kind,
                title=title,
                text="\n\n".join(body),
                date=base.date,
                counties=base.counties,
                topics=base.topics,
                extra=base.extra,
                filed_year=rng.choice(["", base.filed_year, "2003"]),
            )
        )
    return out


def test_odd_documents_are_indexed_as_pagefind_indexes_them(tmp_path):
    _, docs = content_search_docs()
    compare(odd_docs(docs, 150), tmp_path, [1, 2, 70])


def test_no_document(tmp_path):
    out, urls = ours([], tmp_path / "ours", [])
    assert by_url(out, urls) == {"version": "1.5.2", "pages": [], "words": {}, "filters": {}}


@pytest.mark.parametrize("seed", range(5))
def test_the_encoding_is_cbor_as_pagefind_writes_it(seed):
    """The vectorised encoder writes the bytes of canonical CBOR (what Pagefind writes,
    and cbor2 with canonical=True), argument sizes of every width included."""
    rng = np.random.default_rng(seed)
    n = 3000
    majors = rng.choice([0, 1, 4], n).astype(np.uint8)
    scale = rng.choice([20, 200, 60_000, 4_000_000_000], n)
    values = (rng.random(n) * scale).astype(np.int64)
    out, ends = cbor_heads(majors, values)
    pieces = []
    for m, v in zip(majors.tolist(), values.tolist(), strict=True):
        if m == 1:
            pieces.append(cbor2.dumps(-1 - v))
        else:  # an integer's head, and an array's: the same argument, another major type
            integer = cbor2.dumps(v)
            pieces.append(bytes([m << 5 | integer[0] & 31]) + integer[1:])
    assert out.tobytes() == b"".join(pieces)
    assert ends[-1] == len(out)


def test_pages_are_encoded_as_cbor2_encodes_them():
    """Each word's pages, ``[difference, locations, []]`` each, as cbor2 writes them."""
    rng = np.random.default_rng(SEED)
    rows = sorted(
        {
            (int(w), int(p), int(t), int(x))
            for w, p, t, x in zip(
                rng.integers(0, 40, 5000), rng.integers(0, 300, 5000),
                rng.choice([24, 240], 5000), rng.integers(0, 70_000, 5000), strict=True,
            )
        }
    )  # fmt: skip
    word, page, weight, position = (np.array(c) for c in zip(*rows, strict=True))
    numbers, counts, starts, stops, data = encode_pages(
        word, page, weight.astype(np.uint8), position.astype(np.uint32)
    )
    for k, number in enumerate(numbers.tolist()):
        mine = [r for r in rows if r[0] == number]
        pages, last, previous = [], None, 0
        for _, p, t, x in mine:
            if p != last:
                pages.append([p - (previous if pages else 0), [], []])
                last, previous, run = p, p, None
            if t != run:
                pages[-1][1].append(-(t + 1))
                run, before = t, 0
            pages[-1][1].append(x - before)
            before = x
        expected = cbor2.dumps(pages, canonical=True)
        head = cbor2.dumps([0] * len(pages))[: -len(pages) or None]
        assert int(counts[k]) == len(pages)
        assert head + data[starts[k] : stops[k]] == expected
