"""The Whoosh index in several segments answers as the index in one segment does.

The build writes a new segment whenever the writer's pool of postings is nearly full
(`search.whoosh_index.build_index`), so that nothing spills to disk: 100,000 documents make
about ten. Ranking must not change with that, so the same documents of the real content are
indexed in one segment and in many (a pool of 100 KB), and queries generated from the content
(`tests/queries.py`: traditional-script titles, shuffled words, phrases with gaps, names with
a homophone, 文号 spellings), plus filters and the date order, must give the same hits, in
the same order, with the same scores.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from queries import generate
from whoosh import index

from search.index.whoosh_writer import build_index
from search.query.whoosh_search import Filters, search
from sitecheck import content_search_docs


@pytest.fixture(scope="module")
def indexes(tmp_path_factory) -> tuple[Path, Path, list]:
    archive, docs = content_search_docs()
    root = tmp_path_factory.mktemp("whoosh")
    build_index(docs, root / "one")
    build_index(docs, root / "many", pool_mb=0.1)
    return root / "one", root / "many", generate(archive)


def _segments(directory: Path) -> int:
    with index.open_dir(str(directory)).reader() as reader:
        return len(list(reader.leaf_readers()))


def _answer(directory: Path, text: str, **kwargs) -> list[tuple]:
    hits, total = search(directory, text, limit=None, **kwargs)
    assert total == len(hits)
    return [(h.url, h.tier, round(h.score, 9), h.excerpt) for h in hits]


def test_the_index_is_written_in_segments_when_the_pool_is_small(indexes):
    one, many, _ = indexes
    assert _segments(one) == 1
    assert _segments(many) >= 5


def test_an_index_in_segments_ranks_every_generated_query_as_one_index(indexes):
    one, many, queries = indexes
    assert len(queries) > 100
    answered = 0
    for query in queries:
        expected = _answer(one, query.text)
        assert _answer(many, query.text) == expected, query
        answered += bool(expected)
    assert answered > len(queries) // 2


def test_an_index_in_segments_filters_and_sorts_as_one_index(indexes):
    one, many, queries = indexes
    for query in queries[::7]:
        for kwargs in (
            {"filters": Filters(kind="item")},
            {"filters": Filters(year="2014")},
            {"sort": "date"},
        ):
            assert _answer(many, query.text, **kwargs) == _answer(one, query.text, **kwargs)


def test_a_committed_segments_pool_of_postings_is_freed_at_once(indexes, tmp_path):
    """Without the cyclic collector: Whoosh's writers are kept by reference cycles until the
    collector runs, and each held its whole pool of postings (4.9 GB at 100,000 documents,
    in a build's process where old objects are seldom collected)."""
    import gc

    from whoosh.writing import PostingPool

    _, docs = content_search_docs()
    gc.collect()
    gc.disable()
    try:
        build_index(docs, tmp_path / "many", pool_mb=0.1)
        alive = [o for o in gc.get_objects() if isinstance(o, PostingPool)]
    finally:
        gc.enable()
    assert _segments(tmp_path / "many") >= 5
    assert alive == []
