"""您是不是要找 beyond names (issue #28): the archive's frequent terms too, and offered when a
homophone or one-character variant is in many more documents than the query found.

Typos are generated at test time from the lexicon the build wrote: for a sample of its
terms and names, one character replaced by another that reads the same (pypinyin,
toneless) or, in a term of three characters or more, by any other character; kept only
where the typo is in no document and is no entry itself. The original must be offered, by
`invoke search` for every typo and by the search page, the same list, for a sample
(tests/test_search_conformance.py holds the two to the same answers for many more).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from nouns import compact, texts
from pypinyin import Style, pinyin

from search.analysis.documents import SearchDoc
from search.analysis.rules import SUGGEST_RATIO
from search.index.lexicon import SUGGEST_FILE, gb2312, made_lexicon, write_lexicon
from search.index.whoosh_writer import build_index
from search.query.cli import run
from search.query.suggest import suggest
from search.query.whoosh_search import search
from sitecheck import content_search_docs

SAMPLE = 120  # typos asked of the command line
HAN = re.compile("[\u4e00-\u9fff]+")
IN_BROWSER = 15  # of them, asked of the search page too


@pytest.fixture(scope="module")
def whoosh(site: Path) -> Path:
    return site.with_name(site.name + ".whoosh")


@pytest.fixture(scope="module")
def typos(whoosh) -> list[tuple[str, str]]:
    """(typo, the entry it was made from)."""
    entries = json.loads((whoosh / SUGGEST_FILE).read_text(encoding="utf-8"))["entries"]
    names = {name for name, _ in entries}
    archive, _ = content_search_docs()
    corpus = compact("\n".join(text for _, text in texts(archive)))
    by_sound: dict[str, list[str]] = {}
    for ch in gb2312(common_only=True):
        for reading in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]:
            by_sound.setdefault(reading, []).append(ch)
    rng = random.Random(2028)
    made: list[tuple[str, str]] = []
    # what a pinyin input method types: Chinese characters only
    candidates = [name for name, _ in entries if 2 <= len(name) <= 8 and HAN.fullmatch(name)]
    rng.shuffle(candidates)
    for name in candidates:
        if len(made) == SAMPLE:
            break
        at = rng.randrange(len(name))
        readings = pinyin(name[at], style=Style.NORMAL, heteronym=True)[0]
        pool = [c for r in readings for c in by_sound.get(r, [])]
        if len(name) >= 3 and rng.random() < 0.3:
            pool = list("温州商会回归项目投资发展区县市建设工作")
        choices = [c for c in pool if c != name[at]]
        if not choices:
            continue
        typo = name[:at] + rng.choice(choices) + name[at + 1 :]
        if typo in names or compact(typo) in corpus:
            continue
        made.append((typo, name))
    assert len(made) == SAMPLE
    return made


def test_typos_of_terms_and_names_offer_the_original_on_the_command_line(whoosh, typos):
    missed = []
    for typo, meant in typos:
        found = len(search(whoosh, typo, limit=None)[0])
        if meant not in suggest(whoosh, typo, found):
            missed.append(f"{typo} → {meant}: {suggest(whoosh, typo, found)}")
    assert not missed, "\n".join(missed)


@pytest.mark.browser
def test_the_search_page_offers_what_the_command_line_does(page, site_url, whoosh, typos):
    page.goto(f"{site_url}/search/")
    for typo, meant in [*typos[:IN_BROWSER], ("招商专圆", "招商专员"), ("陈一心", "陈一新")]:
        page.fill("#q", typo)
        page.press("#q", "Enter")
        page.wait_for_function(
            "q => { const l = document.getElementById('search-results');"
            " const s = document.getElementById('search-suggest');"
            " return l.dataset.query === q && l.dataset.state === 'done'"
            " && s.dataset.state === 'done'; }",
            arg=typo,
        )
        offered = page.eval_on_selector_all("#search-suggest a", "a => a.map(x => x.textContent)")
        found = len(search(whoosh, typo, limit=None)[0])
        assert meant in offered and offered == suggest(whoosh, typo, found), (typo, offered)


def test_the_reported_terms_are_offered(whoosh):
    assert "您是不是要找：招商专员" in run(whoosh, "招商专圆")  # a term, not a proper noun
    assert "您是不是要找：陈一新" in run(whoosh, "陈一心")


def test_a_variant_many_times_commoner_is_offered_even_when_the_query_finds_some(tmp_path):
    def docs(common: int, rare: int) -> list[SearchDoc]:
        made = [
            SearchDoc(url=f"a/{n}/", kind="item", title=f"第{n}次会议", text="陈一新书记讲话。")
            for n in range(common)
        ]
        made += [
            SearchDoc(url=f"b/{n}/", kind="item", title=f"来信{n}", text="陈一心同志来信。")
            for n in range(rare)
        ]
        return made

    common = 30
    for rare, offered in [(2, True), (common // SUGGEST_RATIO, True), (common // SUGGEST_RATIO + 1, False)]:  # fmt: skip
        index = tmp_path / f"rare-{rare}"
        archive = docs(common, rare)
        build_index(archive, index)
        write_lexicon(made_lexicon(archive), None, index)
        assert len(search(index, "陈一心", limit=None)[0]) == rare
        assert ("陈一新" in suggest(index, "陈一心", rare)) == offered, rare
