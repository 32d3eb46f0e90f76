"""Accessibility in real Chromium: axe-core on every page type, keyboard use and large type.

axe-core (npm, pinned in package-lock.json) is injected into each page and run with the
WCAG 2.0/2.1 A and AA rules plus its best practices (landmarks, one h1, heading order,
skip link…); any violation fails the test with axe's own explanation.
"""

from __future__ import annotations

import json
import re

import pytest

from browsing import PAGE_TYPES, new_reader
from sitecheck import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# (screen size, reader): the desktop as most people see it, and a phone in large type, which
# changes colours and layout the most.
AXE_READERS = [("desktop", "normal"), ("phone", "large-type")]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make test`, which runs `npm ci`")
    return AXE.read_text(encoding="utf-8")


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)


@pytest.mark.parametrize(("size", "reader"), AXE_READERS, ids=["-".join(r) for r in AXE_READERS])
@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_axe_finds_no_violation(browser, site, site_url, axe_source, name, size, reader):
    # bypass_csp: axe is our test tool, not part of the page, and must run under any policy.
    with new_reader(browser, site, size, reader, bypass_csp=True) as r:
        response = r.open(site_url, name)
        assert response.status == 200
        r.page.evaluate(axe_source)
        result = r.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
    assert result["violations"] == [], _describe(result["violations"])
    assert result["passes"], "axe checked nothing"


@pytest.mark.parametrize("name", ["home", "issue", "policy", "county-index"])
def test_every_tab_stop_shows_a_visible_focus_ring(browser, site, site_url, name):
    """Tab through the page: each focused control gets a ring of 2 px or more that contrasts."""
    with new_reader(browser, site, "desktop") as r:
        r.open(site_url, name)
        seen: list[str] = []
        for _ in range(60):
            r.page.keyboard.press("Tab")
            focus = r.page.evaluate(
                """() => {
                  const e = document.activeElement;
                  if (!e || e === document.body) return null;
                  const s = getComputedStyle(e);
                  return {tag: e.tagName, text: (e.textContent || '').trim().slice(0, 20),
                          style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                          color: s.outlineColor, visible: e.getClientRects().length > 0};
                }"""
            )
            if focus is None:
                break
            label = f"{focus['tag']} {focus['text']}"
            if label in seen:
                break
            seen.append(label)
            assert focus["visible"], label
            assert focus["style"] != "none" and focus["width"] >= 2, label
            assert _contrast(focus["color"], "rgb(255, 255, 255)") >= 3, label
        assert len(seen) >= 10, seen


def _luminance(css_color: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"\d+", css_color)[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def _contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_large_type_is_a_button_that_is_remembered_across_pages(browser, site, site_url):
    with new_reader(browser, site, "phone") as r:
        page = r.page
        r.open(site_url, "item")
        button = page.get_by_role("button", name="大字版")
        assert button.get_attribute("aria-pressed") == "false"
        size_before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        button.focus()
        page.keyboard.press("Enter")  # a keyboard user switches it on
        assert button.get_attribute("aria-pressed") == "true"
        size_after = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert size_after >= 1.25 * size_before

        # Another page, reached by a link: large type from the first paint, button pressed.
        page.get_by_role("link", name="温州经济技术开发区").first.click()
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.classList.contains('large-type')")
        assert page.get_by_role("button", name="大字版").get_attribute("aria-pressed") == "true"

        page.get_by_role("button", name="大字版").press("Space")  # and off again
        page.reload()
        assert not page.evaluate("document.documentElement.classList.contains('large-type')")


def test_large_type_is_applied_before_the_first_paint(browser, site, site_url):
    """The stored choice is applied by a script in <head>: no flash of small text."""
    with new_reader(browser, site, "phone", "large-type") as r:
        r.page.add_init_script(
            """new MutationObserver((records, observer) => {
                 if (document.body) {
                   window.__classAtBody = document.documentElement.className;
                   observer.disconnect();
                 }
               }).observe(document, {childList: true, subtree: true});"""
        )
        r.open(site_url, "policy")
        assert "large-type" in r.page.evaluate("window.__classAtBody")


@pytest.mark.parametrize("reader", ["normal", "large-type"])
def test_body_text_line_spacing_is_at_least_1_5(browser, site, site_url, reader):
    with new_reader(browser, site, "phone", reader) as r:
        r.open(site_url, "policy")
        ratios = r.page.evaluate(
            """() => [...document.querySelectorAll('main p, main li')].map(e => {
                 const s = getComputedStyle(e);
                 return parseFloat(s.lineHeight) / parseFloat(s.fontSize);
               })"""
        )
    assert ratios and min(ratios) >= 1.5, min(ratios)


def test_without_javascript_no_control_is_shown_that_would_do_nothing(browser, site, site_url):
    with new_reader(browser, site, "phone", java_script_enabled=False) as r:
        r.open(site_url, "item")
        assert r.page.get_by_role("button", name="大字版").count() == 0


def test_axe_checked_what_matters(browser, site, site_url, axe_source, artifacts):
    """The rules this archive relies on did run, and passed (kept in test-results/ for CI)."""
    with new_reader(browser, site, "desktop", bypass_csp=True) as r:
        r.open(site_url, "county-index")
        r.page.evaluate(axe_source)
        result = r.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
    passed = sorted(rule["id"] for rule in result["passes"])
    expected = {"color-contrast", "html-has-lang", "landmark-one-main", "page-has-heading-one",
                "heading-order", "bypass", "region", "svg-img-alt", "document-title"}  # fmt: skip
    assert expected <= set(passed), expected - set(passed)
    report = {"axe-core": result["testEngine"]["version"], "page": "counties/", "passes": passed}
    (artifacts / "axe-passes.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
