"""The Whoosh index behind `invoke search`: ranked, filtered, exact for names and 文号.

Two things work together:

- **Recall** follows `search.rules`, the definition the search page follows too: every
  document keeps the words Pagefind indexes for it (`search.text.document_words`), and a
  query term matches where its tokens occur consecutively, or with short gaps. A name such
  as 孔海龙 is found wherever it is written, however a segmenter would cut it. The query is
  folded with the build's fold map (traditional and variant characters), stored beside the
  index, exactly as the browser folds it.
- **Ranking**, within the tiers of `search.rules` (title, exact, with gaps), is Whoosh's
  BM25F over words cut by rjieba (title words weigh three times body words).
Whoosh distribution: `whoosh-reloaded` (see the README for why).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sys
import weakref
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import rjieba
from whoosh import fields, formats, index, query, scoring
from whoosh.system import pack_uint

from search.documents import SearchDoc
from search.matching import could_gap_match, in_title, match_term, term_words
from search.rules import GAP_MAX_SKIPPED, TIER_EXACT, TIER_GAP, TIER_TITLE, TITLE_SLOTS
from search.text import fold_map, normalize, query_terms

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


def words(text: str) -> list[str]:
    """Words of normalised text cut by rjieba; punctuation and spaces dropped.

    Interned: an archive repeats a small vocabulary millions of times, and a word held once
    rather than once per use saves ~80 bytes an occurrence (250 MB of 540 at 10,000 items).
    """
    return [sys.intern(w) for w in rjieba.cut(normalize(text)) if w[:1].isalnum()]


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


def corpus_folds(docs: list[SearchDoc]) -> dict[str, str]:
    """The fold map of the documents' text (each distinct line once)."""
    lines = dict.fromkeys(line for doc in docs for line in f"{doc.title}\n{doc.text}".splitlines())
    return fold_map(lines)


@dataclass(frozen=True)
class Analysed:
    """A record's words, cut once and used by the index and by related items."""

    title: list[str]
    body: list[str]


def analyse(docs: list[SearchDoc]) -> list[Analysed]:
    return [Analysed(words(doc.title), words(doc.text)) for doc in docs]


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


def _segment_writer(ix, pool_mb: float):
    """A writer of one segment, reading lengths once (`_Lengths`; referring to the writer
    weakly, so as to add no reference cycle of ours)."""
    writer = ix.writer(limitmb=pool_mb)
    itself, per_document_reader = weakref.ref(writer), type(writer).per_document_reader
    writer.per_document_reader = lambda: _Lengths(per_document_reader(itself()))
    return writer


@dataclass
class Hit:
    url: str
    title: str
    kind: str
    date: str
    date_display: str
    counties: list[str]
    topics: list[str]
    context: str
    score: float
    exact: bool
    in_title: bool
    excerpt: str = ""
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans in excerpt
    tier: int = TIER_EXACT  # see search.rules

    def as_json(self, site_url: str = "") -> dict:
        return {
            "title": self.title,
            "url": f"{site_url.rstrip('/')}/{self.url}" if site_url else self.url,
            "date": self.date,
            "date_display": self.date_display,
            "kind": {"item": "简报", "policy": "政策文件", "speech": "讲话"}[self.kind],
            "counties": self.counties,
            "topics": self.topics,
            "context": self.context,
            "score": round(self.score, 4),
            "exact": self.exact,
            "excerpt": self.excerpt,
        }


@dataclass
class Filters:
    kind: str | None = None  # item, policy or speech
    county: str | None = None
    topic: str | None = None
    year: str | None = None

    def query(self) -> query.Query | None:
        parts = [
            query.Term(name, value)
            for name, value in (
                ("kind", self.kind),
                ("county", self.county),
                ("topic", self.topic),
                ("year", self.year),
            )
            if value
        ]
        return query.And(parts) if parts else None


def _excerpt(text: str, terms: list[list[str]], width: int = 60) -> tuple[str, list]:
    """A window of the original text around the first match, with match spans."""
    normalized = normalize(text)
    if len(normalized) != len(text):  # width folding changed lengths: match on the original
        normalized = text
    spans: list[tuple[int, int]] = []
    for term in terms:
        span = _find_tokens(normalized, term)
        if span is not None:
            spans.append(span)
    spans = [s for s in spans if s[1] > s[0]]
    if not spans:
        return text[:width].replace("\n", " "), []
    first = min(s[0] for s in spans)
    begin = max(0, first - width // 3)
    end = min(len(text), begin + width)
    window = text[begin:end].replace("\n", " ")
    inside = [(a - begin, b - begin) for a, b in spans if a >= begin and b <= end]
    prefix = "…" if begin > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix)
    return prefix + window + suffix, [(a + shift, b + shift) for a, b in inside]


def _find_tokens(normalized: str, term: list[str]) -> tuple[int, int] | None:
    """Where the term's tokens occur consecutively (punctuation between them allowed), or
    else in order with a short gap, as a gap match has them."""
    for between in (r"[^0-9a-z\u3400-\u9fff]*", f".{{0,{2 * GAP_MAX_SKIPPED}}}?"):
        match = re.search(between.join(re.escape(t) for t in term), normalized, re.S)
        if match:
            return match.span()
    return None


def _positions(words: list[str]) -> dict[str, set[int]]:
    positions: dict[str, set[int]] = {}
    for at, word in enumerate(words):
        positions.setdefault(word, set()).add(at)
    return positions


def document_tier(terms: list[list[str]], words: str) -> int | None:
    """How well a document (its space-separated index words) answers the terms: TIER_EXACT,
    TIER_GAP, or None when some term does not match (see `search.rules`)."""
    padded = f" {words} "
    tier = TIER_EXACT
    positions = None
    for term in terms:
        looked_up = term_words(term)
        if len(term) == 1:
            if f" {looked_up[0]}" not in padded:  # a word that begins with the token
                return None
            continue
        if f" {' '.join(looked_up)} " in padded:
            continue
        present = {w for w in looked_up if f" {w} " in padded}
        if not could_gap_match(term, present):
            return None
        if positions is None:
            positions = _positions(words.split())
        found = match_term(term, positions)
        if found is None:
            return None
        tier = max(tier, found)
    return tier


def all_in_title(terms: list[list[str]], words: str) -> bool:
    """Every term occurs exactly in the title (among the first TITLE_SLOTS words)."""
    title = words.split(" ", TITLE_SLOTS)[:TITLE_SLOTS]
    for term in terms:
        looked_up = term_words(term)
        if len(term) == 1:
            positions = {
                looked_up[0]: {i for i, w in enumerate(title) if w.startswith(looked_up[0])}
            }
        else:
            positions = _positions(title)
        if not in_title(term, positions):
            return False
    return True


def load_folds(directory: Path) -> dict[str, str]:
    path = directory / FOLDS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def search(
    directory: Path,
    text: str,
    filters: Filters | None = None,
    sort: str = "relevance",
    limit: int | None = 20,
) -> tuple[list[Hit], int]:
    """Ranked hits for `text` and the total number of matching documents."""
    terms = query_terms(text, load_folds(directory))
    ix = index.open_dir(str(directory))
    filter_query = (filters or Filters()).query()
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        allowed = None
        if filter_query is not None:
            allowed = {hit.docnum for hit in searcher.search(filter_query, limit=None)}
        tiers: dict[int, int] = {}
        for docnum, stored in enumerate(_stored(searcher)):
            if allowed is not None and docnum not in allowed:
                continue
            if not terms:
                tiers[docnum] = TIER_EXACT
                continue
            tier = document_tier(terms, stored["words"])
            if tier is not None:
                if tier == TIER_EXACT and all_in_title(terms, stored["words"]):
                    tier = TIER_TITLE
                tiers[docnum] = tier
        word_query = _word_query(terms)
        scores: dict[int, float] = {}
        if word_query is not None and tiers:
            results = searcher.search(word_query, limit=None, filter=set(tiers))
            scores = {hit.docnum: hit.score for hit in results}
        hits = []
        for docnum, tier in tiers.items():
            stored = searcher.stored_fields(docnum)
            excerpt, spans = _excerpt(stored["text"], terms)
            hits.append(
                Hit(
                    url=stored["url"],
                    title=stored["title"],
                    kind=stored["kind"],
                    date=stored["date"],
                    date_display=stored["date_display"],
                    counties=[c for c in stored["county"].split(",") if c],
                    topics=[t for t in stored["topic"].split(",") if t],
                    context=stored["context"],
                    score=scores.get(docnum, 0.0),
                    exact=tier != TIER_GAP,
                    in_title=tier == TIER_TITLE,
                    excerpt=excerpt,
                    highlights=spans,
                    tier=tier,
                )
            )
    if sort == "date":
        hits.sort(key=lambda h: (h.date, h.url), reverse=True)
    else:
        hits.sort(key=lambda h: (h.tier, -h.score, _negated_date(h.date), h.url))
    total = len(hits)
    return (hits[:limit] if limit else hits), total


def _negated_date(date: str) -> int:
    """Newer first among equal scores."""
    if not date:
        return 0
    year, month, day = ([*map(int, date.split("-")), 1, 1])[:3]
    return -dt.date(year, month, day).toordinal()


def _stored(searcher):
    """Every document's stored fields, in document-number order."""
    reader = searcher.reader()
    return (reader.stored_fields(docnum) for docnum in range(reader.doc_count_all()))


def _word_query(terms: list[list[str]]) -> query.Query | None:
    wanted: list[str] = []
    for term in terms:
        for word in words("".join(term)):
            if word not in wanted:
                wanted.append(word)
    if not wanted:
        return None
    parts = [query.Term(name, w) for w in wanted for name in ("body", "headline")]
    return query.Or(parts)
