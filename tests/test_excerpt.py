"""Search result excerpts start and end between words or characters, never inside a name.

Runs `excerpt()` of theme/static/js/search-core.js, the module the search page imports, in
Chromium on generated texts (tests/test_search_conformance.py holds `invoke search`'s
excerpts to the same pieces).
"""

from __future__ import annotations

import random
import re

import pytest

from search.analysis.rules import rules_json
from sitecheck import ROOT

pytestmark = pytest.mark.browser

CORE_JS = (ROOT / "theme" / "static" / "js" / "search-core.js").read_text(encoding="utf-8")
HARNESS = (
    CORE_JS
    + f"\nconst core = new SearchCore({rules_json()}, {{}});\n"
    + "window.cut = (text, terms) => core.excerpt(text, terms, 90).map(([p]) => p).join('');\n"
)


def open_harness(browser):
    page = browser.new_page()
    page.set_content("<!doctype html><meta charset=utf-8><body></body>")
    page.add_script_tag(content=HARNESS, type="module")
    page.wait_for_function("typeof window.cut === 'function'")
    return page


NAMES = ["Thomas Lee Renger", "Wenzhou", "Hollywood", "2014", "B2B", "Zhejiang-Fujian"]
HAN = "温州商会回归项目投资协议签约园区企业发展合作交流经济"


def generated_texts(count: int) -> list[tuple[str, list[list[str]]]]:
    rng = random.Random(12)
    cases = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(20, 60)):
            if rng.random() < 0.3:
                parts.append(f" {rng.choice(NAMES)} ")
            else:
                parts.append("".join(rng.choice(HAN) for _ in range(rng.randint(1, 8))))
            if rng.random() < 0.2:
                parts.append("𠮷")  # outside the BMP: a surrogate pair in JavaScript
        term = rng.choice(["投资", "合作", "温州"])
        cases.append(("".join(parts), [list(term)]))
    cases.append(("温州" * 20 + " Thomas Lee Renger 出席签约仪式，" + "投资" * 40, [list("签约")]))
    return cases


WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f'’-]")


def test_excerpts_cut_only_between_words_and_characters(browser):
    page = open_harness(browser)
    try:
        for text, terms in generated_texts(300):
            shown = page.evaluate("([t, q]) => cut(t, q)", [text, terms])
            body = shown.removeprefix("…").removesuffix("…")
            start = text.find(body)
            assert start >= 0, (text, shown)
            end = start + len(body)
            for at in (start, end):
                if 0 < at < len(text):
                    assert not (WORD.match(text[at - 1]) and WORD.match(text[at])), shown
                    assert not 0xDC00 <= ord(text[at]) <= 0xDFFF
            assert "\ufffd" not in shown
            assert body == body.strip(), shown
    finally:
        page.close()


def test_the_reported_name_is_not_cut(browser):
    page = open_harness(browser)
    try:
        text = "温州" * 20 + " Thomas Lee Renger 出席签约仪式，" + "投资" * 40
        shown = page.evaluate("([t, q]) => cut(t, q)", [text, [list("签约")]])
        assert "Thomas Lee Renger" in shown or "Renger" not in shown, shown
        assert not re.search(r"…[a-z]", shown), shown
    finally:
        page.close()
