"""Related documents for every item page, computed at build time.

Key words by TF-IDF (rjieba words, as in the Whoosh index), compared through an inverted
index of each document's key words; sharing a county or topic adds to the score, so related
items prefer the same places and subjects. Deterministic: ties go to the newer document
(`docs` are given newest first). A document is never related to itself.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable

from search.analysis.documents import SearchDoc
from search.analysis.segmentation import Analysed, analyse

KEY_WORDS = 8  # per document
COMMON = 0.25  # a word in more than this share of documents is not a key word
POSTINGS = 40  # per key word, the documents where it weighs most: bounds the work
MINIMUM = 3  # related documents shown at least, where the archive has them
SHARED_TERM = 0.3  # score for each shared county or topic


def related(
    docs: list[SearchDoc],
    analysed: list[Analysed] | None = None,
    count: int = 5,
    interrupt: Callable[[], None] | None = None,
) -> dict[str, list[str]]:
    """URL → the URLs of up to `count` related documents, best first. `interrupt`, if
    given, is called every 1,000 documents and may raise to stop."""
    n = len(docs)
    analysed = analysed or analyse(docs)
    document_frequency: Counter[str] = Counter()
    for a in analysed:
        document_frequency.update({*a.title, *a.body})
    limit = max(10, int(n * COMMON))
    # The inverse document frequency of each word that may be a key word, worked out once.
    idf = {
        w: math.log(n / df)
        for w, df in document_frequency.items()
        if len(w) > 1 and 1 < df <= limit
    }
    keys: list[dict[str, float]] = []
    for a in analysed:  # each bag of words in turn: all of them at once would take 10 KB each
        bag = Counter(a.title * 3 + a.body)
        weights = {w: (1 + math.log(c)) * idf[w] for w, c in bag.items() if w in idf}
        top = sorted(weights.items(), key=lambda wc: (-wc[1], wc[0]))[:KEY_WORDS]
        norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
        keys.append({w: v / norm for w, v in top})
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, key in enumerate(keys):
        for w, v in key.items():
            postings[w].append((i, v))
    for w, entries in postings.items():
        if len(entries) > POSTINGS:
            postings[w] = sorted(entries, key=lambda e: (-e[1], e[0]))[:POSTINGS]
    terms = [{*(f"c:{c}" for c in d.counties), *(f"t:{t}" for t in d.topics)} for d in docs]
    by_term: dict[str, list[int]] = defaultdict(list)
    for i, ts in enumerate(terms):
        for t in ts:
            by_term[t].append(i)
    by_context: dict[str, list[int]] = defaultdict(list)
    for i, d in enumerate(docs):
        by_context[d.context].append(i)
    result: dict[str, list[str]] = {}
    for i, doc in enumerate(docs):
        if interrupt is not None and i % 1000 == 0:
            interrupt()
        scores: dict[int, float] = defaultdict(float)
        for w, v in keys[i].items():
            for j, u in postings[w]:
                scores[j] += v * u
        scores.pop(i, None)
        # The best by words, then the shared counties and topics decide among them.
        shortlist = heapq.nlargest(4 * count, scores.items(), key=lambda js: (js[1], -js[0]))
        ranked = {j: s + SHARED_TERM * len(terms[i] & terms[j]) for j, s in shortlist}
        if len(ranked) < count:  # few shared words: neighbours by county and topic
            for t in sorted(terms[i]):
                for j in by_term[t][:POSTINGS]:
                    if j != i and j not in ranked:
                        ranked[j] = SHARED_TERM * len(terms[i] & terms[j])
        # `docs` come newest first: on equal scores the lower index is the newer document.
        best = [
            j for j, s in heapq.nsmallest(count, ranked.items(), key=lambda js: (-js[1], js[0]))
        ]
        best = [j for j in best if ranked[j] > 0]
        if len(best) < MINIMUM:  # still too few: the nearest documents of the same issue
            same = sorted(
                (j for j in by_context[doc.context] if j != i and j not in best),
                key=lambda j: (abs(j - i), j),
            )
            best += same[: MINIMUM - len(best)]
        result[doc.url] = [docs[j].url for j in best]
    return result
