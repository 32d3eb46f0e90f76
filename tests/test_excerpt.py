"""Search result excerpts start and end between words or characters, never inside a name.

Runs `excerpt()` and the functions it uses, taken from theme/static/js/search.js as they are,
in Chromium on generated texts.
"""

from __future__ import annotations

import random
import re

import pytest

from search.analysis.rules import rules_json
from sitecheck import ROOT

pytestmark = pytest.mark.browser

SEARCH_JS = (ROOT / "theme" / "static" / "js" / "search.js").read_text(encoding="utf-8")


def js_function(name: str) -> str:
    """The source of a top-level function of search.js (braces counted)."""
    start = SEARCH_JS.index(f"function {name}(")
    depth, at = 0, SEARCH_JS.index("{", start)
    while True:
        char = SEARCH_JS[at]
        depth += {"{": 1, "}": -1}.get(char, 0)
        at += 1
        if depth == 0:
            return SEARCH_JS[start:at]


def js_const(name: str) -> str:
    return re.search(rf"^const {name} = .*;$", SEARCH_JS, re.M).group(0)


HARNESS = "\n".join(
    [
        js_const("HAN"),
        "let folds = {};",
        f"let rules = {rules_json()};",
        *(js_function(n) for n in ("fold", "spans", "excerpt")),
        "window.cut = (text, terms) => excerpt(text, terms).textContent;",
    ]
)

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
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><meta charset=utf-8><body></body>")
        page.add_script_tag(content=HARNESS)
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
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><meta charset=utf-8><body></body>")
        page.add_script_tag(content=HARNESS)
        text = "温州" * 20 + " Thomas Lee Renger 出席签约仪式，" + "投资" * 40
        shown = page.evaluate("([t, q]) => cut(t, q)", [text, [list("签约")]])
        assert "Thomas Lee Renger" in shown or "Renger" not in shown, shown
        assert not re.search(r"…[a-z]", shown), shown
    finally:
        page.close()
