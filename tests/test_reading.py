"""What a reader sees on a phone: numbered lists, breadcrumbs and the footer at 360 px.

Measured in Chromium. A list's number (its ::marker) is not in the DOM, so it is found in a
screenshot of the strip left of each entry (tests/pixels.py).
"""

from __future__ import annotations

import pytest
from pixels import ink_box

from browsing import new_reader

pytestmark = pytest.mark.browser

LISTS = ["", "bulletins/2014-01/", "bulletins/2014-07-13/", "bulletins/2014-10/"]

ENTRIES = """() => [...document.querySelectorAll('.headline-list > li')].map(li => {
  const list = li.parentElement.getBoundingClientRect();
  const box = li.getBoundingClientRect();
  const lines = [];
  const walker = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    lines.push(...[...range.getClientRects()].filter(r => r.width > 0));
  }
  const first = lines.reduce((a, r) => (r.top < a.top ? r : a), lines[0]);
  return {
    title: li.textContent.trim().slice(0, 12),
    list_left: list.left,
    left: box.left, top: box.top + window.scrollY, height: box.height,
    first_top: first.top + window.scrollY, first_bottom: first.bottom + window.scrollY,
    lines: new Set(lines.map(r => Math.round(r.top))).size,
  };
})"""


@pytest.mark.parametrize("reader", ["normal", "large-type"])
@pytest.mark.parametrize("path", LISTS, ids=["home", "2014-01", "2014-07-13", "2014-10"])
def test_each_number_sits_on_its_titles_first_line_inside_the_list(
    browser, site, site_url, path, reader
):
    """At 360 px: the number and the first line of a wrapped title share a line box, and
    numbers of two digits (10., 11.) do not hang out of the list into the margin."""
    with new_reader(browser, site, "phone", reader) as r:
        r.page.goto(f"{site_url}/{path}")
        entries = r.page.evaluate(ENTRIES)
        assert entries
        wrapped = 0
        for entry in entries:
            shot = r.page.screenshot(
                full_page=True,
                clip={"x": 0, "y": entry["top"], "width": entry["left"], "height": entry["height"]},
            )
            ink = ink_box(shot)
            assert ink is not None, f"no number beside {entry['title']}"
            left, top, _, bottom = ink
            middle = entry["top"] + (top + bottom) / 2
            assert entry["first_top"] <= middle <= entry["first_bottom"], (entry, ink)
            assert left >= entry["list_left"] - 0.5, f"{entry['title']}: number hangs out, {ink}"
            wrapped += entry["lines"] > 1
        if path == "bulletins/2014-10/":
            assert wrapped, "no wrapped title was measured"


GAPS = """() => {
  const out = [];
  let previous = null;
  for (const li of document.querySelectorAll('.breadcrumbs li')) {
    const range = document.createRange();
    range.selectNodeContents(li.querySelector('a') || li);
    const rects = [...range.getClientRects()].filter(r => r.width > 0);
    if (previous && Math.abs(previous.top - rects[0].top) < 2)
      out.push(Math.round(rects[0].left - previous.right));
    previous = rects[rects.length - 1];
  }
  return out;
}"""


SEPARATORS = """() => {
  // Each › (a ::before of its item): the space before it and after it, to the labels' text.
  const out = [];
  const canvas = document.createElement('canvas').getContext('2d');
  let previous = null;
  for (const li of document.querySelectorAll('.breadcrumbs li')) {
    const range = document.createRange();
    range.selectNodeContents(li.querySelector('a') || li);
    const rects = [...range.getClientRects()].filter(r => r.width > 0);
    const sep = getComputedStyle(li, '::before');
    if (previous && sep.content.includes('›') && Math.abs(previous.top - rects[0].top) < 2) {
      canvas.font = `${sep.fontSize} ${sep.fontFamily}`;
      const left = li.getBoundingClientRect().left + parseFloat(getComputedStyle(li).paddingLeft)
        + parseFloat(sep.marginLeft);
      const right = left + canvas.measureText('›').width;
      out.push([Math.round(left - previous.right), Math.round(rects[0].left - right)]);
    }
    previous = rects[rects.length - 1];
  }
  return out;
}"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_each_breadcrumb_separator_sits_in_the_middle_of_its_gap(browser, site, site_url, size):
    with new_reader(browser, site, size) as r:
        r.page.goto(f"{site_url}/policies/wenweifa-2014-27/")
        seps = r.page.evaluate(SEPARATORS)
        assert seps and all(abs(before - after) <= 2 for before, after in seps), seps


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize(
    "path",
    [
        "bulletins/2014-10/kong-hailong-ducha-kaifaqu-zhongdianxiangmu/",
        "counties/pingyang/",
        "archive/2014/",
        "topics/wenshang-huigui/",
        "bulletins/2014-07-13/",
    ],
)
def test_breadcrumb_gaps_are_equal(browser, site, site_url, path, size):
    with new_reader(browser, site, size) as r:
        r.page.goto(f"{site_url}/{path}")
        if size == "phone" and r.page.locator("article.item").count():
            # A phone leaves an item's breadcrumbs out (its issue is linked above its title).
            assert not r.page.locator(".breadcrumbs").is_visible()
            return
        gaps = r.page.evaluate(GAPS)
        # A phone leaves the current page's name (the h1 below) to screen readers: one gap fewer.
        assert len(gaps) >= (2 if size == "desktop" else 1), gaps
        assert max(gaps) - min(gaps) <= 1, gaps


STRAY = """() => {
  const out = [];
  const footer = document.querySelector('.site-footer');
  const walker = document.createTreeWalker(footer, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    for (let i = text.indexOf('·'); i >= 0; i = text.indexOf('·', i + 1)) {
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + 1);
      const dot = range.getBoundingClientRect();
      const line = [...footer.querySelectorAll('a')].map(a => a.getBoundingClientRect())
        .filter(r => Math.abs(r.top + r.height / 2 - (dot.top + dot.height / 2)) < r.height / 2);
      const before = line.some(r => r.right <= dot.left + 1);
      const after = line.some(r => r.left >= dot.right - 1);
      if (!(before && after)) out.push(text.trim());
    }
  }
  for (const e of footer.querySelectorAll('*')) {
    for (const pseudo of ['::before', '::after'])
      if (getComputedStyle(e, pseudo).content.includes('·')) out.push(e.tagName + pseudo);
  }
  return out;
}"""


@pytest.mark.parametrize("reader", ["normal", "large-type"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_no_separator_in_the_footer_stands_alone(browser, site, site_url, size, reader):
    with new_reader(browser, site, size, reader) as r:
        r.page.goto(f"{site_url}/bulletins/2014-07-13/")
        assert r.page.evaluate(STRAY) == []
        links = r.page.locator(".site-footer a").count()
        assert links >= 4
