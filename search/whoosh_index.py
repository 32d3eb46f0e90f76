"""The Whoosh index behind `invoke search`: ranked, filtered, exact for names and 文号.

Two things work together:

- **Recall** is exact and complete: every document keeps its text as a string of normalised
  tokens (each Chinese character, each Latin run; see `search.text`), and a query term
  matches a document when its tokens occur there consecutively. A name such as 孔海龙 is
  found wherever it is written, however a segmenter would cut it.
- **Ranking** is Whoosh's BM25F over words cut by rjieba (title words weigh three times
  body words); documents whose title contains every term come first.

When no document contains the terms exactly, the word query alone answers, marked inexact.
Whoosh distribution: `whoosh-reloaded` (see the README for why).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import rjieba
from whoosh import fields, formats, index, query, scoring
from whoosh.system import pack_uint

from search.documents import SearchDoc
from search.text import normalize, phrase_string, query_terms, token_string

TITLE_BOOST = 3.0


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
    """Words of normalised text cut by rjieba; punctuation and spaces dropped."""
    return [w for w in rjieba.cut(normalize(text)) if w[:1].isalnum()]


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
    tokens=fields.STORED,  # the token string of title + text, for exact matching
    title_tokens=fields.STORED,
    body=_words_field(),
    headline=_words_field(TITLE_BOOST),
)


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
        "tokens": token_string(doc.title + "\n" + doc.text),
        "title_tokens": token_string(doc.title),
        "body": analysed.body,
        "headline": analysed.title,
    }


def build_index(
    docs: list[SearchDoc],
    directory: Path,
    analysed: list[Analysed] | None = None,
    procs: int = 1,
) -> None:
    """Write a fresh index of `docs` to `directory` (replacing what is there).

    With `procs` > 1 Whoosh indexes in that many processes (each writes a segment).
    """
    analysed = analysed or analyse(docs)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    ix = index.create_in(str(directory), SCHEMA)
    writer = ix.writer(procs=procs, limitmb=256, multisegment=procs > 1)
    for doc, words_of in zip(docs, analysed, strict=True):
        writer.add_document(**_document(doc, words_of))
    writer.commit()


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
    """Where the term's tokens occur consecutively (punctuation between them allowed)."""
    pattern = r"[^0-9a-z\u3400-\u9fff]*".join(re.escape(t) for t in term)
    match = re.search(pattern, normalized)
    return match.span() if match else None


def search(
    directory: Path,
    text: str,
    filters: Filters | None = None,
    sort: str = "relevance",
    limit: int | None = 20,
) -> tuple[list[Hit], int]:
    """Ranked hits for `text` and the total number of matching documents."""
    terms = query_terms(text)
    ix = index.open_dir(str(directory))
    filter_query = (filters or Filters()).query()
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        allowed = None
        if filter_query is not None:
            allowed = {hit.docnum for hit in searcher.search(filter_query, limit=None)}
        exact: set[int] = set()
        if terms:
            phrases = [phrase_string(t) for t in terms]
            for docnum, stored in enumerate(_stored(searcher)):
                if allowed is not None and docnum not in allowed:
                    continue
                if all(p in stored["tokens"] for p in phrases):
                    exact.add(docnum)
        elif allowed is not None:
            exact = set(allowed)
        else:
            exact = set(range(searcher.doc_count_all()))
        word_query = _word_query(terms)
        scores: dict[int, float] = {}
        matched_exactly = bool(exact) or not terms
        if word_query is not None:
            restrict = exact if matched_exactly else allowed
            results = searcher.search(
                word_query, limit=None, filter=restrict if restrict is not None else None
            )
            scores = {hit.docnum: hit.score for hit in results}
        candidates = exact if matched_exactly else set(scores)
        hits = []
        for docnum in candidates:
            stored = searcher.stored_fields(docnum)
            in_title = bool(terms) and all(
                phrase_string(t) in stored["title_tokens"] for t in terms
            )
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
                    exact=matched_exactly,
                    in_title=in_title,
                    excerpt=excerpt,
                    highlights=spans,
                )
            )
    if sort == "date":
        hits.sort(key=lambda h: (h.date, h.url), reverse=True)
    else:
        hits.sort(key=lambda h: (not h.in_title, -h.score, _negated_date(h.date), h.url))
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
