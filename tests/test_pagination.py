"""Long lists in pages: the real content built with 3 entries per page, as if it were large.

Every list keeps its entries, in order, over its pages; pages link each other (上一页,
numbers, 下一页) at stable URLs listed in the sitemap; the published tree passes the
publish verifier; the pager works and fits a 360 px phone in Chromium.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulletin.build.sitebuild import build_site
from sitecheck import CONTENT, ROOT, parse
from webhost import free_port

PER_PAGE = 3


@pytest.fixture(scope="module")
def origin() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def paged(tmp_path_factory, origin) -> Path:
    """The real content published (verified) with 3 entries per page."""
    target = tmp_path_factory.mktemp("paged") / "site"
    build_site(
        str(ROOT / "publishconf.py"),
        target,
        overrides={"SITEURL": origin, "BULLETIN_PER_PAGE": PER_PAGE},
        content=CONTENT,
        publish=True,  # raises VerificationFailed if the verifier refuses the tree
    )
    return target.resolve()


def pages_of(site: Path, url: str) -> list[Path]:
    out = [site / url / "index.html"]
    n = 2
    while (site / url / "page" / str(n) / "index.html").is_file():
        out.append(site / url / "page" / str(n) / "index.html")
        n += 1
    return out


def doc_links(page: Path, xpath: str = "//ol[@class='doc-list']/li/a") -> list[str]:
    return [a.get("href").rstrip("/").rsplit("/", 2)[-2:] for a in parse(page).xpath(xpath)]


ISSUE_LINKS = "//ol[@class='issue-list']//a"
LISTS = ["topics/wenshang-huigui/", "topics/yidi-shanghui/", "policies/", "speeches/"]


@pytest.mark.parametrize("url", LISTS)
def test_a_list_keeps_its_entries_in_order_over_its_pages(paged, site, url):
    pages = pages_of(paged, url)
    whole = doc_links(site / url / "index.html")
    assert [link for page in pages for link in doc_links(page)] == whole
    assert all(len(doc_links(page)) <= PER_PAGE for page in pages)
    if len(whole) > PER_PAGE:
        assert len(pages) == -(-len(whole) // PER_PAGE)


def test_issues_count_with_their_headlines(paged, site):
    pages = pages_of(paged, "bulletins/")
    assert len(pages) > 1
    whole = doc_links(site / "bulletins" / "index.html", ISSUE_LINKS)
    assert [link for page in pages for link in doc_links(page, ISSUE_LINKS)] == whole
    for page in pages:  # an issue heavier than a page gets a page of its own
        assert len(parse(page).xpath("//ol[@class='issue-list']/li")) == 1
    year = pages_of(paged, "archive/2014/")
    assert len(year) > 1


def test_pages_link_each_other_and_are_in_the_sitemap(paged, origin):
    pages = pages_of(paged, "topics/wenshang-huigui/")
    assert len(pages) >= 3
    sitemap = (paged / "sitemap.xml").read_text(encoding="utf-8")
    for n, page in enumerate(pages, start=1):
        doc = parse(page)
        url = "topics/wenshang-huigui/" + (f"page/{n}/" if n > 1 else "")
        assert f"<loc>{origin}/{url}</loc>" in sitemap
        assert doc.find(".//link[@rel='canonical']").get("href") == f"{origin}/{url}"
        title = doc.findtext(".//title")
        assert (f"（第{n}页）" in title) == (n > 1)
        nav = doc.xpath("//nav[@class='pager']")[0]
        assert nav.get("aria-label") == "分页"
        assert f"第 {n} 页，共 {len(pages)} 页" in nav.text_content()
        steps = {a.text_content(): a.get("href") for a in nav.xpath(".//a[@class='pager-step']")}
        assert ("上一页" in steps) == (n > 1)
        assert ("下一页" in steps) == (n < len(pages))
        if n < len(pages):
            assert steps["下一页"].endswith(f"topics/wenshang-huigui/page/{n + 1}/")
        assert nav.xpath(".//*[@aria-current='page']")[0].text_content() == str(n)
    # A short list has no pager.
    assert not parse(paged / "index.html").xpath("//nav[@class='pager']")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def paged_url(paged, origin) -> Iterator[str]:
    port = int(origin.rsplit(":", 1)[1])
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(_Quiet, directory=str(paged))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield origin
    server.shutdown()


@pytest.mark.browser
def test_the_pager_on_a_phone(browser, paged, paged_url, artifacts):
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(paged_url + "/topics/wenshang-huigui/")
        page.get_by_role("link", name="下一页").click()
        page.wait_for_url("**/topics/wenshang-huigui/page/2/")
        page.get_by_role("link", name="第 3 页").click()
        page.wait_for_url("**/topics/wenshang-huigui/page/3/")
        page.get_by_role("link", name="上一页").click()
        page.wait_for_url("**/topics/wenshang-huigui/page/2/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        sizes = page.eval_on_selector_all(
            "nav.pager a",
            "els => els.map(e => { const r = e.getBoundingClientRect();"
            " return [e.textContent, r.width, r.height]; })",
        )
        assert sizes and all(w >= 44 and h >= 44 for _, w, h in sizes), sizes
        page.locator("nav.pager").screenshot(path=str(artifacts / "pager-360.png"))
        page.get_by_role("link", name="第 1 页").click()
        page.wait_for_url("**/topics/wenshang-huigui/")
    finally:
        context.close()
