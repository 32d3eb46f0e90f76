"""The Whoosh index behind `invoke search`, written at build time (read by
`search.query.whoosh_search`).

Every document keeps, stored, the words Pagefind indexes for it (`SearchDoc.words`), which
matching reads (`search.query.matching`), and, indexed, the words rjieba cuts of its title
and body (`search.analysis.segmentation`), which BM25F ranks by (title words weigh three
times body words). Beside the index: the fold map (`FOLDS_FILE`), with which a query is
folded as the search page folds it.
Whoosh distribution: `whoosh-reloaded` (see the README for why).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from whoosh import fields, formats, index
from whoosh.system import pack_uint
from whoosh.writing import SegmentWriter

from search.analysis.documents import SearchDoc
from search.analysis.folds import corpus_folds
from search.analysis.segmentation import Analysed, analyse

TITLE_BOOST = 3.0
FOLDS_FILE = "folds.json"  # the fold map, as the search page gets it
POOL_MB = 512  # postings kept in memory while indexing (see `build_index`)


class CountedWords(formats.Frequency):
    """Frequency postings from a ready list of words (no per-token analyzer pass: fast)."""

    def word_values(self, value, analyzer, **kwargs):
        boost = self.field_boost
        return ((w, n, n * boost, pack_uint(n)) for w, n in Counter(value).items())


def _words_field(boost: float = 1.0) -> fields.TEXT:
    field_type = fields.TEXT(phrase=False)
    field_type.format = CountedWords(field_boost=boost)
    return field_type


SCHEMA = fields.Schema(
    url=fields.ID(stored=True, unique=True),
    kind=fields.ID(stored=True),
    year=fields.ID(stored=True),
    date=fields.ID(stored=True, sortable=True),
    county=fields.KEYWORD(stored=True, commas=True, lowercase=False),
    topic=fields.KEYWORD(stored=True, commas=True, lowercase=False),
    title=fields.STORED,
    date_display=fields.STORED,
    context=fields.STORED,
    text=fields.STORED,
    words=fields.STORED,  # the words Pagefind indexes, space-separated: what matching reads
    body=_words_field(),
    headline=_words_field(TITLE_BOOST),
)


def _document(doc: SearchDoc, analysed: Analysed) -> dict:
    return {
        "url": doc.url,
        "kind": doc.kind,
        "year": doc.year,
        "date": doc.date,
        "county": ",".join(doc.counties),
        "topic": ",".join(doc.topics),
        "title": doc.title,
        "date_display": doc.date_display,
        "context": doc.context,
        "text": doc.text,
        "words": doc.words,
        "body": analysed.body,
        "headline": analysed.title,
    }


class _Lengths:
    """The per-document reader Whoosh's writer hands to its postings writer, with each
    field's document lengths read once into a list: Whoosh reads a posting's document
    length back from the column file for every posting (1.8 M reads at 10,000 documents,
    16 s of a 78 s profile)."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self.lengths: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self.lengths.get(fieldname)
        if lengths is None:
            read = self.reader.doc_field_length
            count = self.reader.doc_count_all()
            lengths = self.lengths[fieldname] = [read(d, fieldname, default) for d in range(count)]
        return lengths[docnum]

    def close(self) -> None:
        self.reader.close()


def write_folds(directory: Path, folds: dict[str, str]) -> None:
    """The fold map beside the index: `search` folds a query with it, as the browser does."""
    (directory / FOLDS_FILE).write_text(
        json.dumps(folds, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )


def build_index(
    docs: list[SearchDoc],
    directory: Path,
    analysed: list[Analysed] | None = None,
    procs: int = 1,
    folds: dict[str, str] | bool | None = None,
    pool_mb: float = POOL_MB,
) -> None:
    """Write a fresh index of `docs` to `directory` (replacing what is there).

    With `procs` > 1 Whoosh indexes in that many processes (each writes a segment). With
    one, it writes a segment per `pool_mb` of postings.
    """
    analysed = analysed or analyse(docs)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    ix = index.create_in(str(directory), SCHEMA)
    if folds is not False:  # False: the caller writes them later (`write_folds`)
        write_folds(directory, corpus_folds(docs) if folds is None else folds)
    # Each writer process pools postings up to `limitmb` (Whoosh's estimate, about 190 bytes
    # a posting, close to the real size) before spilling them to disk, where every posting
    # is pickled and read back one by one: at 10,000 documents (1.8 M postings) spilling
    # took 50 s and no spill 22 s, for 70 MB more memory. `pool_mb` in all, whatever the
    # number of processes.
    if procs > 1:
        writer = ix.writer(procs=procs, limitmb=pool_mb / procs, multisegment=True)
        for doc, words_of in zip(docs, analysed, strict=True):
            writer.add_document(**_document(doc, words_of))
        writer.commit()
        return
    # One writer: a segment is committed (unmerged) whenever the pool is about to spill, and
    # the next documents go to a new one. Ranking reads the whole index's statistics
    # (BM25F's document frequencies and average lengths), so it does not change.
    writer = None
    for doc, words_of in zip(docs, analysed, strict=True):
        if writer is None:
            writer = _segment_writer(ix, pool_mb)
        writer.add_document(**_document(doc, words_of))
        if writer.pool.currentsize > writer.pool.limit * SEGMENT_FULL:
            _commit(writer)
            writer = None
    if writer is not None:
        _commit(writer)


def _commit(writer) -> None:
    """Commit a segment, unmerged, and let its pool of postings go now: a writer is kept by
    reference cycles of Whoosh's own (frames of an exception it catches while setting up)
    until the cyclic collector next looks at old objects, which in a build's process can be
    never (at 100,000 documents, 4.9 GB of spent pools)."""
    writer.commit(merge=False)
    writer.pool = None


SEGMENT_FULL = 0.9  # of the pool, when a segment is closed (the rest: a long document's)


class _SegmentWriter(SegmentWriter):
    """Whoosh's writer of one segment, reading document lengths once (`_Lengths`)."""

    def per_document_reader(self):
        return _Lengths(super().per_document_reader())


def _segment_writer(ix, pool_mb: float) -> _SegmentWriter:
    """A writer of one segment (what ``ix.writer(limitmb=…)`` makes for one process)."""
    return _SegmentWriter(ix, limitmb=pool_mb)


def load_folds(directory: Path) -> dict[str, str]:
    """The fold map `write_folds` wrote beside the index (none if it is not there)."""
    path = directory / FOLDS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
