"""The search page by keyboard and by eye (issue #28), in Chromium on the real content.

- After Enter on 显示更多结果, focus is on the first new result (the button may be gone) and
  the status says which results are shown; the next Tab stays among the results.
- Arrow keys on a closed filter change nothing: no search, no new URL; a filter chosen from
  its list still searches.
- Every term of a query of several words is marked in a result's excerpt wherever the
  excerpt's width can hold them all: for 温商 回乡 考察 and for queries generated from the
  content (the page's excerpt is the command line's, tests/test_search_conformance.py).
- The no-result message mentions filters only when one is set.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from queries import generate

from browsing import screenshot
from search.analysis.tokens import query_terms
from search.index.whoosh_writer import load_folds
from search.query.excerpt import LINE_BREAKS_RE, occurrences
from sitecheck import content_search_docs

pytestmark = pytest.mark.browser

WIDTH = 90  # the page's excerpt (search.js EXCERPT_WIDTH)


def wait_done(page, query: str) -> None:
    page.wait_for_function(
        "q => { const l = document.getElementById('search-results');"
        " const s = document.getElementById('search-suggest');"
        " return l.dataset.query === q && l.dataset.state === 'done'"
        " && s.dataset.state !== 'loading'; }",
        arg=query,
    )


def search(page, query: str) -> None:
    page.fill("#q", query)
    page.press("#q", "Enter")
    wait_done(page, query)


def test_more_results_by_keyboard_move_focus_to_the_first_new_one(page, site_url, artifacts):
    page.goto(f"{site_url}/search/")
    search(page, "温州")
    assert page.locator(".search-result").count() == 10 and page.is_visible("#search-more")
    page.focus("#search-more")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.search-result').length > 10")
    page.wait_for_function(
        "() => document.getElementById('search-results').dataset.state === 'done'"
    )
    focused = page.evaluate(
        "() => { const a = document.activeElement; const li = a.closest('.search-result');"
        " return [a.tagName, li ? li.dataset.rank : null]; }"
    )
    assert focused == ["A", "11"]
    shown = page.locator(".search-result").count()
    assert f"已显示第 11–{shown} 条" in page.inner_text("#search-status")
    screenshot(page, artifacts / "search-more-focus.png")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#search-results')")


def test_arrow_keys_on_a_closed_filter_do_nothing(page, site_url):
    page.goto(f"{site_url}/search/?q=温州")
    wait_done(page, "温州")
    page.click("#search-options summary")
    page.evaluate("() => { document.querySelector('.search-result').dataset.probe = 'kept'; }")
    url = page.url
    page.focus("#f-county")
    for key in ["ArrowDown", "ArrowDown", "ArrowUp", "End", "ArrowRight", "PageDown"]:
        page.keyboard.press(key)
    assert page.eval_on_selector("#f-county", "s => s.value") == ""
    assert page.url == url
    assert page.evaluate("() => document.querySelector('.search-result').dataset.probe") == "kept"
    page.select_option("#f-county", "瑞安市")  # chosen from the list: it searches
    page.wait_for_function("() => location.search.includes('county=')")
    wait_done(page, "温州")
    assert page.evaluate("() => document.querySelector('.search-result').dataset.probe") is None


def test_no_result_mentions_filters_only_when_one_is_set(page, site_url):
    page.goto(f"{site_url}/search/")
    search(page, "不存在的词语组合")
    status = page.inner_text("#search-status")
    assert "没有找到结果" in status and "筛选" not in status
    page.goto(f"{site_url}/search/?q=不存在的词语组合&kind=讲话")
    wait_done(page, "不存在的词语组合")
    assert "减少筛选条件" in page.inner_text("#search-status")


def excerpts(page) -> list[tuple[str, list[str]]]:
    """Each result's URL path and the texts of its excerpt's marks."""
    return page.eval_on_selector_all(
        ".search-result",
        """items => items.map(li => [new URL(li.querySelector('a').href).pathname.slice(1),
            [...li.querySelectorAll('.excerpt mark')].map(m => m.textContent)])""",
    )


def all_fit(text: str, terms: list[list[str]], folds: dict[str, str]) -> bool:
    """Whether some window of WIDTH characters (from a third before an occurrence, as the
    excerpt places it) holds an occurrence of every term."""
    flat = LINE_BREAKS_RE.sub(" ", text)
    found = occurrences(flat, terms, folds)
    for start, _, _ in found:
        b = max(0, start - WIDTH // 3)
        if {t for s, e, t in found if s >= b and e <= b + WIDTH} == set(range(len(terms))):
            return True
    return False


def marked_terms(marks: list[str], terms: list[list[str]], folds: dict[str, str]) -> set[int]:
    return {t for mark in marks for _, _, t in occurrences(mark, terms, folds)}


def test_every_term_is_marked_where_the_excerpt_can_hold_them(page, site_url, site):
    folds = load_folds(site.with_name(site.name + ".whoosh"))
    archive, docs = content_search_docs()
    texts = {doc.url: doc.text for doc in docs}
    rng = random.Random(28)
    words = [q.text for q in generate(archive, per_doc=2) if q.kind == "words"]
    queries = ["温商 回乡 考察", *rng.sample(words, min(60, len(words)))]
    page.goto(f"{site_url}/search/")
    checked, failures = 0, []
    for query in queries:
        terms = query_terms(query, folds)
        search(page, query)
        for url, marks in excerpts(page):
            if len(terms) < 2 or not all_fit(texts[url], terms, folds):
                continue
            checked += 1
            if marked_terms(marks, terms, folds) != set(range(len(terms))):
                failures.append(f"{query} → {url}: {marks}")
    assert checked >= 20, checked
    assert not failures, "\n".join(failures)


def test_the_reported_query_marks_all_three_words(page, site_url, artifacts: Path):
    page.goto(f"{site_url}/search/")
    search(page, "温商 回乡 考察")
    results = excerpts(page)
    complete = [marks for _, marks in results if {"温商", "回乡", "考察"} <= set(marks)]
    assert len(complete) * 2 > len(results), results  # most snippets, where one marked one word
    screenshot(page, artifacts / "search-three-words.png", full_page=True)
