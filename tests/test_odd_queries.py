"""Odd queries (``(((``, ``AND``, ``*``, only punctuation, empty, very long) get the same
answer from `invoke search` as from the search page: the same sentence, or the same
documents. Neither side parses a query language, and neither hangs on a long query."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from search.analysis.rules import MAX_QUERY_TOKENS
from search.query.cli import UsageError, run
from search.query.whoosh_search import search

ROOT = Path(__file__).resolve().parent.parent
LONG = "温州市委市政府高度重视温商回归工作" * 8  # 136 tokens
ODD = [
    "(((", ")))", "AND", "OR 温商", "温商 AND", "NOT 温商", "温商 -回归", "温商 *", "*", "?",
    "温?", "温*", "(温商)", '"温商回归"', "，。！", "、", "　", "", "   ", "\\", "[a-z]", ".*",
    "温" * MAX_QUERY_TOKENS, "温" * (MAX_QUERY_TOKENS + 1), LONG, "<b>温商</b>",
]  # fmt: skip


@pytest.fixture(scope="module")
def whoosh(site: Path) -> Path:
    return site.with_name(site.name + ".whoosh")


def cli_answer(whoosh: Path, query: str) -> tuple[str | None, set[str]]:
    """What `invoke search` says instead of results (None: it searched), and the URLs found."""
    try:
        run(whoosh, query, limit=1000)
    except UsageError as refused:
        return str(refused), set()
    hits, _ = search(whoosh, query, limit=None)
    return None, {hit.url for hit in hits}


def page_answer(page, query: str) -> tuple[str | None, set[str]]:
    """What the search page says instead of results (None: it searched), and the URLs found."""
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_function(
        "q => { const l = document.getElementById('search-results');"
        " return l.dataset.query === q && l.dataset.state === 'done'; }",
        arg=query.strip(),
    )
    while page.is_visible("#search-more"):
        page.click("#search-more")
        page.wait_for_function(
            "() => document.getElementById('search-results').dataset.state === 'done'"
        )
    status = page.inner_text("#search-status")
    urls = page.eval_on_selector_all(
        ".search-result a.doc-title",
        "links => links.map(a => new URL(a.href).pathname.replace(/^\\//, ''))",
    )
    searched = "结果" in status
    return (None if searched else status), set(urls)


@pytest.mark.browser
def test_odd_queries_answer_alike_on_the_page_and_the_command_line(page, site_url, whoosh):
    page.goto(f"{site_url}/search/")
    for query in ODD:
        started = time.monotonic()
        cli = cli_answer(whoosh, query)
        assert time.monotonic() - started < 5, query
        assert page_answer(page, query) == cli, query


def test_no_query_language_and_no_hang(whoosh):
    assert cli_answer(whoosh, "(((") == ("请输入要搜索的文字。", set())
    assert cli_answer(whoosh, "")[0] == "输入关键词，或选择区县、主题、年份浏览。"
    assert "太长" in (cli_answer(whoosh, LONG)[0] or "")
    both = cli_answer(whoosh, "温商 回归")[1]
    assert cli_answer(whoosh, "温商 AND 回归") == (None, set())  # AND is a word: not found
    assert both and cli_answer(whoosh, "(温商) 回归")[1] == both  # brackets are punctuation
    started = time.monotonic()
    worst = "温" * MAX_QUERY_TOKENS  # every pair word there, never in one run
    search(whoosh, worst, limit=None)
    assert time.monotonic() - started < 5


def test_invoke_search_says_it_in_chinese_and_exits_1(whoosh):
    for query in ("(((", LONG):
        out = subprocess.run(
            [sys.executable, "-m", "invoke", "search", query, "--index", str(whoosh)],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert out.returncode == 1 and "Traceback" not in out.stderr, out
        assert "请输入要搜索的文字" in out.stderr or "太长" in out.stderr
