"""The search page and `invoke search` follow one set of query rules, case for case.

The rules are written twice, in Python (search/analysis, search/query) for the command line
and in JavaScript (theme/static/js/search-core.js) for the page. This test generates a
table of cases at test time, from the real content and from generators of what is rare
in it, answers each with the Python side, runs the same cases through search-core.js
under Node (tests/search_core.mjs) and fails with every case whose answers differ:

- **terms**: a query's terms as typed, its tokens, and the words each term is looked up by
  (Latin runs longer than LATIN_RUN, compatibility ideographs U+F900–FAFF, full-width
  digits and letters, traditional script, mixed scripts, punctuation inside terms, every
  kind of space, characters from everywhere);
- **refusal**: what is refused, and what is said before the rules are loaded;
- **tier**: the tier at which a document answers the terms (title, exact, with gaps, none),
  the Python side from the words the Whoosh index keeps, the page from the positions the
  browser index gives (the shard index, `search.index.shards`), with gaps at and beyond
  GAP_MAX_SKIPPED, across paragraphs and beside a title of 64 tokens;
- **excerpt**: the excerpt's pieces and marks;
- **suggest**: 您是不是要找, from the real content's lexicon and reading table.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import time
import unicodedata
from collections.abc import Iterator

import opencc
import pytest
from queries import generate

from search.analysis.documents import SearchDoc
from search.analysis.folds import corpus_folds
from search.analysis.rules import GAP_MAX_SKIPPED, LATIN_RUN, TITLE_SLOTS, rules_json
from search.analysis.tokens import normalize, query_parts, query_terms, tokens
from search.index.lexicon import by_length, lexicon, most_documents, reading_table
from search.index.shards import index_shard
from search.query.cli import refusal
from search.query.excerpt import excerpt
from search.query.matching import document_tier, term_words
from search.query.suggest import sounds_of, suggestions
from search.query.whoosh_search import Filters
from sitecheck import ROOT, content_search_docs

RUNNER = ROOT / "tests" / "search_core.mjs"
SEED = 20261207
# Spaces between terms, and characters that look like them but are not (for either side).
SPACES = [" ", "\u3000", "\t", "\n", "\xa0", "\u2003", "\u202f", "\ufeff", "\u2028"]
NOT_SPACES = ["\x1c", "\x1f", "\x85", "\u200b", "\u180e", "_", "·", "、", "，"]
PUNCTUATION = "〔〕[]（）()-—·、，。：:/《》“”'’.!?#@&+*%"
FULL_WIDTH = {
    ch: chr(ord(ch) + 0xFEE0)
    for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
}
COMPATIBILITY = [
    chr(c) for c in range(0xF900, 0xFB00) if unicodedata.category(chr(c)) != "Cn"
]  # U+F900–FAFF, as assigned
ELSEWHERE = [
    "Σ", "ß", "İ", "ǅ", "Å", "ﬁ", "²", "½", "①", "㈱", "㍻", "ｶ", "ﾞ", "é", "ё", "Ω",
    "𠮷", "😀", "𝐀", "ℌ", "™", "¨", "¯", "´", "̈", "\u0301", "\u00ad", "\ufffd", "丷", "龥",
    "〇", "ヶ", "ー", "々", "ㄅ", "가", "\u3400", "\u4dbf", "\u9fff", "\u9ffc",
]  # fmt: skip


def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.skip("Node.js is not installed (make test installs it)")
    return found


class Cases:
    """The table: every case with the Python side's answer."""

    def __init__(self, docs: list[SearchDoc], names: list[str]):
        self.docs = docs
        self.folds = corpus_folds(docs)
        entries = lexicon(docs, names)
        self.lexicons = by_length(entries)
        self.table = reading_table(ch for name, _ in entries for ch in normalize(name))
        self.sounds = sounds_of(self.table)
        self.rows: list[tuple[list, object, str]] = []  # case, Python's answer, where from

    def terms(self, query: str, source: str) -> None:
        terms = query_terms(query, self.folds)
        answer = [query_parts(query, self.folds), terms, [term_words(t) for t in terms]]
        self.rows.append((["terms", query], answer, source))

    def refusal(self, query: str, filtered: bool, source: str) -> None:
        filters = Filters(kind="item" if filtered else None)
        before = refusal(query, [["a"]], filters)  # before the rules: only "nothing at all"
        answer = [before, refusal(query, query_terms(query, self.folds), filters)]
        self.rows.append((["refusal", query, filtered], answer, source))

    def tier(self, doc: SearchDoc, query: str, source: str) -> None:
        terms = query_terms(query, self.folds)
        if not terms:
            return
        shard = index_shard([doc])
        positions: dict[str, list[int]] = {}
        for looked_up in {w for t in terms for w in term_words(t)}:
            found: set[int] = set()
            for k, word in enumerate(shard.words):
                if word.startswith(looked_up):  # as the page looks a word up: its extensions
                    found.update(shard.position[shard.starts[k] : shard.starts[k + 1]].tolist())
            if found:
                positions[looked_up] = sorted(found)
        answer = document_tier(terms, doc.words)
        self.rows.append((["tier", terms, positions], answer, source))

    def excerpt(self, text: str, query: str, width: int, source: str) -> None:
        terms = query_terms(query, self.folds)
        pieces = [list(p) for p in excerpt(text, terms, self.folds, width)]
        self.rows.append((["excerpt", text, terms, width], pieces, source))

    def suggest(self, query: str, found: int, source: str) -> None:
        answer = suggestions(query, self.folds, self.lexicons, self.sounds, found)
        self.rows.append((["suggest", query, found], answer, source))

    def data(self) -> dict:
        return {
            "rules": json.loads(rules_json()),
            "folds": self.folds,
            "lexicons": {str(n): entries for n, entries in self.lexicons.items()},
            "most": most_documents(self.lexicons),
            "pinyin": self.table,
            "cases": [case for case, _, _ in self.rows],
        }


def latin_run(rng: random.Random, low: int = 1, high: int = 3 * LATIN_RUN + 5) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    run = "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))
    if rng.random() < 0.3:
        run = run.upper()
    if rng.random() < 0.2:
        run = "".join(FULL_WIDTH.get(ch, ch) for ch in run)
    return run


def snippet(rng: random.Random, text: str, low: int = 1, high: int = 12) -> str:
    if not text:
        return ""
    size = rng.randint(low, high)
    start = rng.randrange(max(1, len(text) - size))
    return text[start : start + size]


def generated_queries(
    rng: random.Random, texts: list[str], names: list[str]
) -> Iterator[tuple[str, str]]:
    """(query, what made it), from every generator."""
    converters = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk")]
    for _ in range(150):
        yield snippet(rng, rng.choice(texts)), "content"
    for _ in range(100):
        yield rng.choice(converters).convert(snippet(rng, rng.choice(texts), 2, 10)), "traditional"
    for _ in range(120):
        yield latin_run(rng, LATIN_RUN - 2, 3 * LATIN_RUN + 5), "long Latin run"
    for _ in range(60):
        han = snippet(rng, rng.choice(texts), 1, 4)
        yield f"{han}{latin_run(rng, LATIN_RUN, 80)}{han}", "Latin run inside Han"
    for _ in range(80):
        base = list(snippet(rng, rng.choice(texts), 2, 6))
        for _ in range(rng.randint(1, 2)):
            base.insert(rng.randint(0, len(base)), rng.choice(COMPATIBILITY))
        yield "".join(base), "compatibility ideographs"
    for _ in range(60):
        yield (
            "".join(
                FULL_WIDTH.get(ch, ch) for ch in f"{latin_run(rng, 1, 8)}{rng.randint(0, 99999)}"
            ),
            "full-width",
        )
    for _ in range(100):
        parts = [
            snippet(rng, rng.choice(texts), 1, 4),
            latin_run(rng, 1, 6),
            str(rng.randint(0, 3000)),
        ]
        rng.shuffle(parts)
        yield rng.choice(PUNCTUATION).join(parts), "mixed scripts, punctuation inside"
    for _ in range(60):
        number = f"温委发{rng.choice(['〔', '[', '（', '('])}{rng.randint(2000, 2030)}{rng.choice(['〕', ']', '）', ')'])}{rng.choice(['', '第'])}{rng.randint(1, 99)}号"
        yield number, "文号"
    for _ in range(100):
        words = [
            rng.choice(names)
            if names and rng.random() < 0.5
            else snippet(rng, rng.choice(texts), 1, 5)
            for _ in range(rng.randint(2, 4))
        ]
        yield "".join(w + rng.choice(SPACES + NOT_SPACES) for w in words), "spaces"
    for _ in range(100):
        chars = [
            rng.choice(ELSEWHERE + COMPATIBILITY[:5] + list(PUNCTUATION))
            for _ in range(rng.randint(1, 6))
        ]
        yield (
            "".join(chars) + rng.choice(["", snippet(rng, rng.choice(texts), 1, 3)]),
            "characters from everywhere",
        )
    for _ in range(20):
        yield (
            "".join(rng.choice(SPACES + NOT_SPACES) for _ in range(rng.randint(0, 4))),
            "spaces only",
        )
    yield "温" * 65, "too long"
    yield " ".join(["温州"] * 33), "too long in terms"


def homophone_typos(rng: random.Random, cases: Cases, count: int) -> Iterator[str]:
    """Lexicon names with one character replaced by another that reads the same, or by any
    character (one off)."""
    names = [name for group in cases.lexicons.values() for name, _ in group]
    by_sound: dict[str, list[str]] = {}
    for syllable, chars in cases.table.items():
        by_sound[syllable] = list(chars)
    for _ in range(count):
        name = list(rng.choice(names))
        at = rng.randrange(len(name))
        syllables = sorted(cases.sounds.get(name[at], set()))
        if syllables and rng.random() < 0.7:
            name[at] = rng.choice(by_sound[rng.choice(syllables)])
        else:
            name[at] = rng.choice("温州商会回归项目投资发展区县市")
        yield "".join(name)


def synthetic_doc(rng: random.Random, n: int) -> SearchDoc:
    """A document of few distinct characters, so that terms match often, with gaps: a
    title of 0 to 70 tokens, then paragraphs."""
    alphabet = "温州商会回归"

    def run(low: int, high: int) -> str:
        return "".join(
            rng.choice(alphabet)
            if rng.random() < 0.9
            else rng.choice(["、", "（", "）", "ab", "12"])
            for _ in range(rng.randint(low, high))
        )

    title_size = rng.choice(
        [0, 3, 10, TITLE_SLOTS - 8, TITLE_SLOTS - 1, TITLE_SLOTS, TITLE_SLOTS + 6]
    )
    paragraphs = [run(1, 30) for _ in range(rng.randint(1, 5))]
    return SearchDoc(
        url=f"t/{n}/", kind="item", title=run(title_size, title_size), text="\n\n".join(paragraphs)
    )


def gap_query(rng: random.Random, doc: SearchDoc) -> str:
    """A stretch of the document's tokens with asides left out: at, within and beyond the
    gap matching's limits, and across paragraphs."""
    body = tokens(normalize(f"{doc.title}\n\n{doc.text}"))
    if len(body) < 6:
        return "".join(body) or "温州"
    start = rng.randrange(len(body) - 4)
    stretch = body[start : start + rng.randint(4, 4 + 2 * GAP_MAX_SKIPPED + 8)]
    kept = list(stretch)
    for _ in range(rng.randint(0, 2)):
        if len(kept) > 5:
            a = rng.randrange(2, len(kept) - 2)
            del kept[a : a + rng.randint(1, GAP_MAX_SKIPPED + 2)]
    term = "".join(kept[:12])
    if rng.random() < 0.3:
        return f"{term} {rng.choice(['温州', '商会', '回', 'ab', '归温'])}"
    return term


@pytest.fixture(scope="module")
def table() -> Cases:
    archive, docs = content_search_docs()
    names = [s for t in archive.taxonomies.values() for term in t for s in term.spellings]
    cases = Cases(docs, names)
    rng = random.Random(SEED)
    texts = [doc.text for doc in docs if doc.text] + [doc.title for doc in docs]
    lexicon_names = [name for group in cases.lexicons.values() for name, _ in group]
    generated = list(generated_queries(rng, texts, lexicon_names))
    real = [(q.text, f"queries.{q.kind}") for q in generate(archive, per_doc=1)]
    for query, source in generated + real:
        cases.terms(query, source)
    for query, source in rng.sample(generated + real, 250):
        cases.refusal(query, rng.random() < 0.3, source)
    for query, source in real[:150]:
        cases.tier(rng.choice(docs), query, source)
    by_url = {doc.url: doc for doc in docs}
    for q in generate(archive, per_doc=1):
        if q.url in by_url:
            cases.tier(by_url[q.url], q.text, f"queries.{q.kind}")
    for n in range(500):
        doc = synthetic_doc(rng, n)
        cases.tier(doc, gap_query(rng, doc), "synthetic gaps")
    for _ in range(400):
        doc = rng.choice(docs)
        query, source = rng.choice(
            [(snippet(rng, doc.text, 2, 6), "content"), *rng.sample(generated, 1)]
        )
        text = (
            doc.text
            if rng.random() < 0.7
            else f"{doc.text}\n\n{query} Thomas Lee 𠮷 {latin_run(rng)}"
        )
        cases.excerpt(text, query, rng.choice([60, 90]), source)
    found = [0, 0, 0, 1, 2, 3, 4, 5, 10, len(docs)]  # documents the query found
    for query in homophone_typos(rng, cases, 300):
        cases.suggest(query, rng.choice(found), "typo of a lexicon name")
    for q in generate(archive, per_doc=1):
        if q.kind == "homophone":
            cases.suggest(q.text, rng.choice(found), "queries.homophone")
    for query, source in rng.sample(generated, 100):
        cases.suggest(query, rng.choice(found), source)
    return cases


def test_the_table_covers_what_it_must(table):
    kinds = {case[0] for case, _, _ in table.rows}
    assert kinds == {"terms", "refusal", "tier", "excerpt", "suggest"}
    assert len(table.rows) >= 2000
    sources = {source for _, _, source in table.rows}
    for needed in ("long Latin run", "compatibility ideographs", "full-width", "traditional",
                   "mixed scripts, punctuation inside", "synthetic gaps", "typo of a lexicon name"):  # fmt: skip
        assert needed in sources, needed
    tiers = [answer for case, answer, _ in table.rows if case[0] == "tier"]
    assert {0, 1, 2, None} <= set(tiers), "every tier, and no match"
    long_runs = [
        c
        for c, a, _ in table.rows
        if c[0] == "terms" and any(len(t) > 1 and len(t[0]) == LATIN_RUN for t in a[1])
    ]
    assert long_runs, "Latin runs cut at LATIN_RUN"
    assert any(a for c, a, _ in table.rows if c[0] == "suggest"), "some suggestions offered"


def test_the_search_page_answers_as_python_does(table, tmp_path):
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps(table.data(), ensure_ascii=False), encoding="utf-8")
    started = time.perf_counter()
    run = subprocess.run(
        [node(), str(RUNNER), str(cases)], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    answers = json.loads(run.stdout)
    seconds = time.perf_counter() - started
    assert len(answers) == len(table.rows)
    differing = []
    for (case, expected, source), got in zip(table.rows, answers, strict=True):
        if json.loads(json.dumps(expected, ensure_ascii=False)) != got:
            differing.append(f"{case[0]} ({source}): {json.dumps(case[1:], ensure_ascii=False)[:300]}\n"
                             f"    Python: {json.dumps(expected, ensure_ascii=False)[:300]}\n"
                             f"    page:   {json.dumps(got, ensure_ascii=False)[:300]}")  # fmt: skip
    assert not differing, (
        f"{len(differing)} of {len(table.rows)} cases differ (Node ran them in {seconds:.1f} s):\n"
        + "\n".join(differing[:25])
    )


def test_the_browser_index_reads_with_the_weights_the_python_side_writes_and_ranks_by():
    """search-index.js holds Pagefind's ranking weights and the word weights our writer
    writes as constants of its own (the site's files stay as built): they must be the
    Python side's (search/index/shards.py, search/index/impact.py), number for number."""
    import re

    from search.index import impact, shards

    script = (ROOT / "theme" / "static" / "js" / "search-index.js").read_text(encoding="utf-8")

    def constant(name: str) -> str:
        found = re.search(rf"^const {name} = ([^;]+);", script, re.MULTILINE)
        assert found, name
        return found.group(1)

    assert int(constant("DEFAULT_WEIGHT")) == shards.DEFAULT_WEIGHT
    assert int(constant("TITLE_WEIGHT")) == shards.TITLE_WEIGHT
    ranking = dict(re.findall(r"(\w+): ([\d.]+)", constant("RANKING")))
    assert {k: float(v) for k, v in ranking.items()} == {
        "termSimilarity": impact.TERM_SIMILARITY,
        "pageLength": impact.PAGE_LENGTH,
        "termSaturation": impact.TERM_SATURATION,
        "termFrequency": impact.TERM_FREQUENCY,
    }
