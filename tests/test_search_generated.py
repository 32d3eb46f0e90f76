"""Search against queries generated from the content (see queries.py), in Chromium and on
the command line: recall per class of query, and the two agreeing document for document.

The size is set by SEARCH_QUERIES_PER_DOC (default 2 of each random class per document);
the seed is fixed, so a failure reproduces. The report is written to
test-results/search-generated.txt.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from queries import CLASSES, generate

from bulletin.content.taxonomy import load_taxonomies
from bulletin.relations.archive import build_archive, read_content
from search.query.suggest import suggest
from search.query.whoosh_search import search
from sitecheck import CONTENT

PER_DOC = int(os.environ.get("SEARCH_QUERIES_PER_DOC", "2"))
RECALL = 0.99


@pytest.fixture(scope="module")
def queries():
    documents, _ = read_content(CONTENT)
    archive = build_archive(documents, load_taxonomies(CONTENT))
    generated = generate(archive, per_doc=PER_DOC)
    counts = Counter(q.kind for q in generated)
    assert all(counts[kind] >= 5 for kind in CLASSES), counts
    return generated


def browser_answer(page, query: str) -> tuple[set[str], list[str]]:
    """Every result the search page lists for `query` (all pages of it), and its suggestions."""
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_function(
        "q => { const l = document.getElementById('search-results');"
        " const s = document.getElementById('search-suggest');"
        " return l.dataset.query === q && l.dataset.state === 'done'"
        " && s.dataset.state !== 'loading'; }",
        arg=query,
    )
    while page.is_visible("#search-more"):
        page.click("#search-more")
        page.wait_for_function("document.getElementById('search-results').dataset.state === 'done'")
    urls = page.eval_on_selector_all(
        ".search-result a.doc-title",
        "links => links.map(a => new URL(a.href).pathname.replace(/^\\//, ''))",
    )
    offered = page.eval_on_selector_all(
        "#search-suggest a", "links => links.map(a => a.textContent)"
    )
    return set(urls), offered


@pytest.mark.browser
def test_generated_queries_in_the_browser_and_on_the_command_line(
    page, site_url, site, queries, artifacts
):
    whoosh = site.with_name(site.name + ".whoosh")
    page.goto(f"{site_url}/search/")
    found = {kind: [0, 0] for kind in CLASSES}  # browser, CLI
    failures: list[str] = []
    disagreements: list[str] = []
    for query in queries:
        hits, _ = search(whoosh, query.text, limit=None)
        cli = {h.url for h in hits}
        browser, offered = browser_answer(page, query.text)
        if query.kind == "homophone":
            cli_offered = suggest(whoosh, query.text, len(hits))
            cli_ok = query.expect in cli_offered
            browser_ok = query.expect in offered
            if offered != cli_offered:
                disagreements.append(f"{query.text}: 建议 {offered} ≠ {cli_offered}")
        else:
            cli_ok, browser_ok = query.url in cli, query.url in browser
        if browser != cli:
            disagreements.append(f"{query.text}: {sorted(browser ^ cli)}")
        found[query.kind][0] += browser_ok
        found[query.kind][1] += cli_ok
        if not (browser_ok and cli_ok):
            failures.append(
                f"[{query.kind}] {query.text} → {query.expect or query.url}"
                f" (browser {browser_ok}, CLI {cli_ok})"
            )
    totals = Counter(q.kind for q in queries)
    lines = [f"{'class':<12}{'queries':>8}{'browser':>10}{'CLI':>10}"]
    for kind in CLASSES:
        b, c = found[kind]
        lines.append(
            f"{kind:<12}{totals[kind]:>8}{b / totals[kind]:>10.1%}{c / totals[kind]:>10.1%}"
        )
    agreement = 1 - len(disagreements) / len(queries)
    lines.append(f"browser/CLI agreement: {agreement:.1%} of {len(queries)} queries")
    report = "\n".join([*lines, "", "failures:", *failures, "", "disagreements:", *disagreements])
    (artifacts / "search-generated.txt").write_text(report + "\n", encoding="utf-8")
    print(report)
    assert disagreements == []
    for kind in CLASSES:
        assert found[kind][0] / totals[kind] >= RECALL, report
        assert found[kind][1] / totals[kind] >= RECALL, report
