"""The page types every reader-experience test visits, and how a test opens them as a reader.

`PAGE_TYPES` is the one table the accessibility, layout and weight tests iterate over: a
new kind of page (the search page with results, say) is one more entry here.

Readers: `normal`; `large-type` (the site's 大字版, switched on as the header button does, by
the stored preference); `text-200` (the browser's own text size at 200%: Chromium's default
font size set to 32 px through the DevTools protocol, as a reader who enlarges text in the
browser's settings gets it; the site sizes everything in rem, so the whole page follows).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pelican.settings import read_settings
from playwright.sync_api import Error as PlaywrightError

from sitecheck import ROOT


def screenshot(page: Any, path: Path, **options: Any) -> None:
    """`page.screenshot`, taken once more if Chromium could not capture it: seen once in a
    full run, on a tall page with the machine under load ("Unable to capture screenshot")."""
    try:
        page.screenshot(path=path, **options)
    except PlaywrightError as error:
        if "Unable to capture screenshot" not in str(error):
            raise
        page.screenshot(path=path, **options)


LARGE_TYPE_KEY = "wzArchive.largeType"  # the localStorage key theme/static/js/reader.js uses
# "phone-740": the first screen issue #28 measures, a phone's height less the browser's bars.
SIZES = {"phone": (360, 800), "phone-740": (360, 740), "desktop": (1280, 800)}
READERS = ("normal", "large-type", "text-200")


@dataclass(frozen=True)
class PageType:
    path: str  # site-relative URL, may carry a query string
    ready: str | None = None  # a selector to wait for before checking (content drawn by JS)


PAGE_TYPES = {
    "home": PageType(""),
    "issue": PageType("bulletins/2014-01/"),
    "bulletins": PageType("bulletins/"),  # a list of one kind of document
    "item": PageType("bulletins/2014-10/kong-hailong-ducha-kaifaqu-zhongdianxiangmu/"),
    "policy": PageType("policies/wenweifa-2014-27/"),
    "speech": PageType("speeches/2014-05-29-chen-yixin/"),
    "county-index": PageType("counties/"),
    "county": PageType("counties/pingyang/"),
    "topic": PageType("topics/wenshang-huigui/"),
    "archive": PageType("archive/2014/"),
    # The 404 page lives at /404.html; the test server does not serve it for unknown paths.
    "404": PageType("404.html"),
    "search": PageType(
        "search/?q=温商回归&county=瑞安市", ready="#search-results[data-state=done] .search-result"
    ),
}


def site_origin() -> str:
    """The absolute address the build writes into pages (canonical links, the 404 page)."""
    return read_settings(str(ROOT / "pelicanconf.py"))["SITEURL"].rstrip("/")


def serve_site_origin(context, site: Path) -> None:
    """Answer requests for the build's own absolute address from the built site.

    Pages name the configured SITEURL (canonical links, print footers); should a page load
    anything from it, in the tests that address is the built directory. (The 404 page links
    root-relatively: its assets must be same-origin under the Content-Security-Policy.)
    """
    origin = site_origin()

    def fulfil(route) -> None:
        path = urlsplit(route.request.url).path.lstrip("/")
        target = site / path
        if path == "" or path.endswith("/"):
            target = target / "index.html"
        if target.is_file():
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            route.fulfill(path=str(target), content_type=content_type)
        else:
            route.fulfill(status=404, body="")

    context.route(origin + "/**", fulfil)


@dataclass
class Reader:
    """A browser context and its page, as one kind of reader at one screen size."""

    context: Any
    page: Any
    text_size: int | None = None  # the browser's default font size, when not 16 px
    cdp: Any = field(default=None, repr=False)

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc) -> None:
        self.context.close()

    def set_text_size(self, pixels: int) -> None:
        """The browser's default font size (Chromium: settings → appearance → font size)."""
        if self.cdp is None:
            self.cdp = self.context.new_cdp_session(self.page)
            self.cdp.send("Page.enable")
        self.cdp.send("Page.setFontSizes", {"fontSizes": {"standard": pixels, "fixed": pixels}})
        self.text_size = pixels

    def open(self, site_url: str, name: str):
        """Go to a page type and wait until it is ready to be checked."""
        page_type = PAGE_TYPES[name]
        response = self.page.goto(f"{site_url}/{page_type.path}")
        if page_type.ready:
            self.page.wait_for_selector(page_type.ready)
        return response

    def screenshot(self, path: Path) -> None:
        """The whole page, as this reader sees it.

        Playwright's full_page mode resizes the viewport through the protocol, which resets
        the browser's text size; growing the viewport to the page's height keeps it.
        """
        if self.text_size is None:
            screenshot(self.page, path, full_page=True)
            return
        viewport = self.page.viewport_size
        height = self.page.evaluate("document.documentElement.scrollHeight")
        self.page.set_viewport_size({"width": viewport["width"], "height": height})
        self.set_text_size(self.text_size)
        screenshot(self.page, path)
        self.page.set_viewport_size(viewport)
        self.set_text_size(self.text_size)


def new_reader(
    browser, site: Path, size: str = "desktop", reader: str = "normal", **options
) -> Reader:
    """Open a browser context as `reader` (see READERS) on a screen of `size` (see SIZES)."""
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", **options
    )
    serve_site_origin(context, site)
    if reader == "large-type":
        store = f"localStorage.setItem({LARGE_TYPE_KEY!r}, '1')"
        context.add_init_script(f"try {{ {store} }} catch (e) {{}}")  # about:blank has none
    result = Reader(context, context.new_page())
    if reader == "text-200":
        result.set_text_size(32)
    return result
