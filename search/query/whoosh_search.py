"""`invoke search`'s search: the Whoosh index the build wrote, queried by the search page's
rules.

- **Recall** follows `search.analysis.rules`, the definition the search page follows too:
  every document keeps the words Pagefind indexes for it, and a query term matches where
  its tokens occur consecutively, or with short gaps (`search.query.matching`). A name such
  as 孔海龙 is found wherever it is written, however a segmenter would cut it. The query is
  folded with the build's fold map (traditional and variant characters), stored beside the
  index, exactly as the browser folds it.
- **Ranking**, within the tiers (title, exact, with gaps), is Whoosh's BM25F over words
  cut by rjieba (`search.analysis.segmentation`; title words weigh three times body words).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index, query, scoring

from search.analysis.documents import KIND_NAMES
from search.analysis.rules import TIER_EXACT, TIER_GAP, TIER_TITLE
from search.analysis.segmentation import segment
from search.analysis.tokens import query_terms
from search.index.whoosh_writer import load_folds
from search.query.excerpt import excerpt
from search.query.matching import document_tier

EXCERPT_WIDTH = 60  # characters of a result's excerpt on the command line


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
    tier: int = TIER_EXACT  # see search.analysis.rules

    def as_json(self, site_url: str = "") -> dict:
        return {
            "title": self.title,
            "url": f"{site_url.rstrip('/')}/{self.url}" if site_url else self.url,
            "date": self.date,
            "date_display": self.date_display,
            "kind": KIND_NAMES[self.kind],
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


def _excerpt(text: str, terms: list[list[str]], folds: dict[str, str]) -> tuple[str, list]:
    """The excerpt as the search page cuts it (`search.query.excerpt`), as text and the
    places of its matches."""
    shown, spans = "", []
    for piece, marked in excerpt(text, terms, folds, EXCERPT_WIDTH):
        if marked:
            spans.append((len(shown), len(shown) + len(piece)))
        shown += piece
    return shown, spans


def search(
    directory: Path,
    text: str,
    filters: Filters | None = None,
    sort: str = "relevance",
    limit: int | None = 20,
) -> tuple[list[Hit], int]:
    """Ranked hits for `text` and the total number of matching documents."""
    folds = load_folds(directory)
    terms = query_terms(text, folds)
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
                tiers[docnum] = tier
        word_query = _word_query(terms)
        scores: dict[int, float] = {}
        if word_query is not None and tiers:
            results = searcher.search(word_query, limit=None, filter=set(tiers))
            scores = {hit.docnum: hit.score for hit in results}
        found = []  # each hit, with its text
        for docnum, tier in tiers.items():
            stored = searcher.stored_fields(docnum)
            hit = Hit(
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
                tier=tier,
            )
            found.append((hit, stored["text"]))
    if sort == "date":
        found.sort(key=lambda ht: (ht[0].date, ht[0].url), reverse=True)
    else:
        found.sort(key=lambda ht: (ht[0].tier, -ht[0].score, _negated_date(ht[0].date), ht[0].url))
    shown = found[:limit] if limit else found
    for hit, text in shown:  # excerpts of the hits shown only
        hit.excerpt, hit.highlights = _excerpt(text, terms, folds)
    return [hit for hit, _ in shown], len(found)


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
        for word in segment("".join(term)):
            if word not in wanted:
                wanted.append(word)
    if not wanted:
        return None
    parts = [query.Term(name, w) for w in wanted for name in ("body", "headline")]
    return query.Or(parts)
