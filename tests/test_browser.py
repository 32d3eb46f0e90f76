"""A reader in headless Chromium: phone and desktop, clicking through the archive."""

from __future__ import annotations

import pytest

from browsing import screenshot

pytestmark = pytest.mark.browser

SIZES = {"phone": (360, 800), "desktop": (1280, 800)}
PAGES = {
    "home": "",
    "issue": "bulletins/2014-01/",
    "item": "bulletins/2014-10/kong-hailong-ducha-kaifaqu-zhongdianxiangmu/",
    "policy": "policies/wenweifa-2014-27/",
    "speech": "speeches/2014-05-29-chen-yixin/",
    "counties": "counties/",
    "county": "counties/pingyang/",
    "topic": "topics/wenshang-huigui/",
    "archive": "archive/2014/",
}


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_fits_the_screen_and_renders_chinese(browser, site_url, artifacts, name, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    try:
        response = page.goto(f"{site_url}/{PAGES[name]}")
        assert response.status == 200
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        assert page.locator("h1").count() == 1
        screenshot(page, artifacts / f"{name}-{size}.png", full_page=True)
    finally:
        context.close()


def test_reader_goes_from_home_to_an_item_and_its_county(page, site_url):
    page.goto(site_url + "/")
    latest = page.locator(".latest .headline-list a").nth(5)
    title = latest.inner_text()
    latest.click()
    assert page.locator("h1").inner_text() == title
    assert page.locator(".doc-facts").get_by_text("（开发区商务局）").count() == 0  # shown as name
    assert "开发区商务局" in page.locator(".doc-facts").inner_text()
    page.get_by_role("link", name="温州经济技术开发区").first.click()
    assert page.locator("h1").inner_text() == "温州经济技术开发区"
    assert page.get_by_role("link", name=title).count() == 1
    page.get_by_role("link", name=title).click()
    next_title = page.locator(".prev-next .next a").inner_text()
    page.locator(".prev-next .next a").click()
    assert page.locator("h1").inner_text() == next_title


def test_policy_toc_jumps_to_a_clause(page, site_url):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(site_url + "/policies/wenweifa-2014-27/")
    page.locator(".toc summary").click()  # folded on a phone
    page.locator(".toc a[href='#clause-12']").click()
    assert page.url.endswith("#clause-12")
    clause = page.locator("#clause-12")
    assert clause.inner_text().startswith("12．建立温商回归重点项目服务员制度")
    top = clause.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < 200


def test_skip_link_is_the_first_tab_stop(page, site_url):
    page.goto(site_url + "/bulletins/2014-07-13/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
