"""Text is text, tried as an attacker would: the injection corpus (tests/injection.py) built
once, every page opened in Chromium with traps set, and every file the build writes read.

The corpus puts 74 hostile payloads into every text field of every kind of document (issue,
item, policy, speech, county, topic) and 25 hostile Markdown snippets into every body. It is
built with the content check that refuses ``<script>``, ``on…=`` and ``javascript:`` in
content files switched off, and opened with the Content-Security-Policy switched off: the
escaping must hold on its own, without the layers before and after it.

In every page, each marked payload must come out whole, as written, in one piece of text or
one attribute value (a payload parsed as markup would be cut into elements), JSON-LD
included; no element or attribute our templates and sanitiser do not write may appear; no
link may lead to script; and nothing may run: no dialog, no `window.__xss`, no navigation,
no popup, no request to another host, no page error.
"""

from __future__ import annotations

import csv
import functools
import http.server
import json
import re
import threading
from collections import defaultdict
from pathlib import Path
from unittest import mock

import lxml.etree
import lxml.html
import pytest

import bulletin.checks.checks
from bulletin.build.sitebuild import render_site
from bulletin.content.render import ALLOWED_TAGS
from bulletin.relations.opendata import FORMULA_STARTS, from_csv_row
from injection import (
    GROUPS,
    PAYLOADS,
    SEARCH_WORD,
    corpus_documents,
    field_text,
    whole_payloads,
    write_corpus,
)
from sitecheck import ROOT, html_pages, url_of

# The tags our templates, the sanitiser, the charts and the search page write.
TEMPLATE_TAG_RE = re.compile(r"<([a-z][a-z0-9]*)")
CHART_TAGS = {"svg", "title", "desc", "line", "rect", "text"}  # bulletin/site/charts.py
SCRIPT_TAGS = {"a", "li", "mark", "p", "span"}  # theme/static/js/search.js
EXCERPTS = ".search-result > p:not(.doc-meta)"  # windows of a result's text, cut anywhere

# Set before any page script: a trap for script that runs, whatever it calls.
TRAPS = """
window.__fired = [];
Object.defineProperty(window, "__xss", {
  set(value) { window.__fired.push("window.__xss = " + value); }, get() { return undefined; },
});
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  window[name] = (...args) => { window.__fired.push(name + "(" + args.join(" ") + ")"); };
}
"""

# The page's own check: payloads whole in every text node and attribute (excerpts aside) and
# in the JSON-LD; no element or attribute that no template writes; no link to script.
CHECK_PAGE = """
({payloads, tags, excerpts}) => {
  const problems = [], seen = {text: [], attr: [], jsonld: []};
  const name = (el) => el.localName + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className ? "." + el.className.split(" ")[0] : "");
  function scan(where, text, kind) {
    for (const m of text.matchAll(/⟦(\\d+)⟧/g)) {
      const from = m.index + m[0].length, end = text.indexOf(`⟦/${m[1]}⟧`, from);
      if (end < 0) {
        problems.push(`${where}: payload ${m[1]} is not whole: ${JSON.stringify(text.slice(m.index, m.index + 120))}`);
      } else if (text.slice(from, end) !== payloads[m[1]]) {
        problems.push(`${where}: payload ${m[1]} reads ${JSON.stringify(text.slice(from, end))}`);
      } else seen[kind].push(Number(m[1]));
    }
    for (const m of text.matchAll(/⟦\\/(\\d+)⟧/g)) {
      if (!text.slice(0, m.index).includes(`⟦${m[1]}⟧`)) {
        problems.push(`${where}: payload ${m[1]} is cut: ${JSON.stringify(text.slice(Math.max(0, m.index - 120), m.index))}`);
      }
    }
  }
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (!parent || parent.closest("script, style") || parent.closest(excerpts)) continue;
    scan(name(parent), node.data, "text");
  }
  for (const el of document.querySelectorAll("*")) {
    if (!tags.includes(el.localName)) problems.push(`element no template writes: ${el.outerHTML.slice(0, 120)}`);
    for (const a of el.attributes) {
      scan(`${name(el)}@${a.name}`, a.value, "attr");
      if (el === document.documentElement && a.name === "style") continue;  // reader.js: print footer
      if (/^(on|style$|srcdoc$|formaction$|background$|dynsrc$|lowsrc$|autofocus$|contenteditable$|xlink:)/i.test(a.name)) {
        problems.push(`attribute no template writes: ${a.name} on ${name(el)}`);
      }
    }
  }
  const ours = [
    'head > meta[charset]', 'head > meta[http-equiv="Content-Security-Policy"]',
    'head > meta[name="viewport"]', 'head > meta[name="description"]',
    'head > link[rel="canonical"]', 'head > link[rel="icon"]', 'head > link[rel="stylesheet"]',
    'head > link[rel="alternate"]', 'head > script[src$="/theme/js/reader.js"]',
    'head > script[type="application/ld+json"]', 'body > script[type="module"][src$="/theme/js/search.js"]',
  ];
  for (const el of document.querySelectorAll("meta, link, script, base, form, input, button, select, noscript, svg, img, details")) {
    const allowed = ours.some((s) => el.matches(s)) ||
      el.matches("form.site-search, form#search-form, form :is(input, button, select)") ||
      el.matches("figure.chart > svg, #search-status > noscript, button.copy-cite, button.text-size-toggle, button#search-more") ||
      el.matches("nav.toc details, details.chart-data, details.search-options, details.site-menu") ||
      el.matches(":is(.doc-body, .editor-note) img");
    if (!allowed) problems.push(`element out of place: ${el.outerHTML.slice(0, 120)}`);
  }
  for (const a of document.querySelectorAll("a[href]")) {
    if (!["http:", "https:", "mailto:"].includes(a.protocol)) problems.push(`link to ${a.href.slice(0, 80)}`);
  }
  for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
    if (/<\\/script|<!--/i.test(s.textContent)) problems.push("JSON-LD holds </script or <!--");
    const walk = (v) => typeof v === "string" ? scan("json-ld", v, "jsonld")
      : v && typeof v === "object" ? Object.values(v).forEach(walk) : null;
    try { walk(JSON.parse(s.textContent)); } catch (e) { problems.push("JSON-LD: " + e); }
  }
  for (const toc of document.querySelectorAll(".toc a")) {
    if (/[\\x02\\x03]|wzxhzdk/.test(toc.textContent)) problems.push(`TOC label ${JSON.stringify(toc.textContent)}`);
  }
  return {problems, seen, fired: window.__fired, h1: document.querySelector("main h1")?.innerText};
}
"""


def _kind(url: str) -> str | None:
    """Which kind of document or term a corpus page is of."""
    for pattern, kind in (
        (r"bulletins/\d{4}-\d\d-\d\d/$", "issue"),
        (r"bulletins/\d{4}-\d\d-\d\d/zhuru-\d-\d/$", "item"),
        (r"policies/zhuru-zhengce-\d/$", "policy"),
        (r"speeches/zhuru-jianghua-\d/$", "speech"),
        (r"counties/zhuru-counties-\d/$", "county"),
        (r"topics/zhuru-topics-\d/$", "topic"),
    ):
        if re.fullmatch(pattern, url):
            return kind
    return None


def _template_tags() -> list[str]:
    found = {"html", "head", "body", "tbody"}
    for template in (ROOT / "theme" / "templates").rglob("*.html"):
        found |= set(TEMPLATE_TAG_RE.findall(template.read_text("utf-8")))
    return sorted(found | ALLOWED_TAGS | CHART_TAGS | SCRIPT_TAGS)


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory) -> Path:
    """The corpus, built (search indexes included) with the content check for script in
    content files switched off."""
    base = tmp_path_factory.mktemp("corpus")
    content = write_corpus(base / "content")
    with mock.patch.object(bulletin.checks.checks, "_html_problems", lambda path, text: ()):
        render_site(
            str(ROOT / "pelicanconf.py"),
            base / "output",
            {"PATH": str(content), "SEARCH_WHOOSH_PATH": str(base / "whoosh")},
        )
    return base / "output"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def corpus_url(corpus_site: Path):
    handler = functools.partial(_Quiet, directory=str(corpus_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def trapped(browser, corpus_url):
    """A page without the Content-Security-Policy, whose every trap is recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.add_init_script(TRAPS)
    events: list[str] = []

    def request(route):
        if route.request.url.startswith(corpus_url + "/"):
            route.continue_()
        else:
            events.append(f"request to {route.request.url}")
            route.abort()

    context.route("**/*", request)
    page = context.new_page()
    context.on("page", lambda popup: events.append(f"popup {popup.url}"))
    page.on("dialog", lambda dialog: (events.append(f"dialog {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: events.append(f"page error {error}"))
    page.on(
        "framenavigated",
        lambda frame: (
            events.append(f"navigation to {frame.url}")
            if frame != page.main_frame or not frame.url.startswith(page.expected)
            else None
        ),
    )
    page.events = events
    yield page
    context.close()


def _visit(page, url: str) -> dict:
    page.expected = url
    page.goto(url, wait_until="load")
    page.wait_for_timeout(30)  # what runs just after load: autofocus, ontoggle, animations
    payloads = {str(n): p for n, p in enumerate(PAYLOADS)}
    return page.evaluate(CHECK_PAGE, {"payloads": payloads, "tags": _template_tags(),
                                      "excerpts": EXCERPTS})  # fmt: skip


@pytest.mark.browser
def test_every_page_shows_every_payload_as_written_and_runs_nothing(
    trapped, corpus_site: Path, corpus_url: str
):
    problems: list[str] = []
    seen: dict[str, set[int]] = defaultdict(set)
    attributes: set[int] = set()
    json_ld: set[int] = set()
    pages = [url_of(corpus_site, page) for page in html_pages(corpus_site)]
    for url in pages:
        result = _visit(trapped, f"{corpus_url}/{url}")
        problems += [f"/{url}: {p}" for p in result["problems"] + result["fired"] + trapped.events]
        trapped.events.clear()
        kind = _kind(url)
        if kind:
            seen[kind] |= set(result["seen"]["text"])
            group = int(re.search(r"zhuru-\D*(\d)", url).group(1)) if kind != "issue" else None
            if group is not None and field_text(group) not in (result["h1"] or ""):
                problems.append(f"/{url}: the heading does not read {field_text(group)!r}")
        attributes |= set(result["seen"]["attr"])
        json_ld |= set(result["seen"]["jsonld"])
    assert problems == [], "\n".join(problems[:40])
    everything = set(range(len(PAYLOADS)))
    assert len(pages) > 60
    for kind in ("issue", "item", "policy", "speech", "county", "topic"):
        assert seen[kind] == everything, (kind, everything - seen[kind])
    assert attributes == everything and json_ld == everything


@pytest.mark.browser
def test_search_results_show_the_payloads_as_written_and_run_nothing(trapped, corpus_url: str):
    trapped.expected = f"{corpus_url}/search/"
    trapped.goto(f"{corpus_url}/search/?q={SEARCH_WORD}")
    trapped.wait_for_selector("#search-results[data-state=done] .search-result")
    while trapped.locator("#search-more").is_visible():
        trapped.click("#search-more")
        trapped.wait_for_timeout(100)
    payloads = {str(n): p for n, p in enumerate(PAYLOADS)}
    result = trapped.evaluate(
        CHECK_PAGE, {"payloads": payloads, "tags": _template_tags(), "excerpts": EXCERPTS}
    )
    assert result["problems"] + result["fired"] + trapped.events == []
    titles = trapped.eval_on_selector_all("a.doc-title", "as => as.map(a => a.textContent)")
    expected = sorted(d.title for d in corpus_documents()[1:] if d.kind != "bulletin")
    expected += [item.title for d in corpus_documents() if d.kind == "bulletin" for item in d.items]
    assert sorted(titles) == sorted(expected)


# --- the files beside the pages --------------------------------------------------------------


def _expect_whole(text: str, where: str, problems: list[str]) -> set[int]:
    found, seen = whole_payloads(text, where)
    problems += found
    return seen


def test_feeds_carry_titles_and_summaries_as_written(corpus_site: Path):
    problems: list[str] = []
    seen: set[int] = set()
    feeds = sorted((corpus_site / "feeds").rglob("*.atom.xml"))
    assert len(feeds) == 1 + 2 * GROUPS
    atom = "{http://www.w3.org/2005/Atom}"
    for feed in feeds:
        root = lxml.etree.parse(str(feed)).getroot()
        where = feed.relative_to(corpus_site).as_posix()
        seen |= _expect_whole(root.findtext(f"{atom}title"), where, problems)
        for entry in root.iter(f"{atom}entry"):
            seen |= _expect_whole(entry.findtext(f"{atom}title"), f"{where} title", problems)
            summary = entry.find(f"{atom}summary")
            if summary is not None:  # HTML: a reader shows its text
                assert summary.get("type") == "html"
                text = lxml.html.fragment_fromstring(summary.text, create_parent="div")
                if text.find(".//*") is not None:
                    problems.append(f"{where}: summary holds elements {summary.text[:80]!r}")
                seen |= _expect_whole(text.text_content(), f"{where} summary", problems)
            for category in entry.iter(f"{atom}category"):
                seen |= _expect_whole(category.get("term"), f"{where} category", problems)
    assert problems == [], "\n".join(problems[:20])
    assert seen == set(range(len(PAYLOADS)))


def test_open_data_json_keeps_values_exactly_and_csv_opens_safely(corpus_site: Path):
    records = json.loads((corpus_site / "data/documents.json").read_text("utf-8"))
    by_id = {record["id"]: record for record in records}
    documents = {d.slug: d for d in corpus_documents() if d.kind != "bulletin"}
    items = {i.slug: i for d in corpus_documents() if d.kind == "bulletin" for i in d.items}
    for slug, item in items.items():
        record = by_id[f"bulletins/{item.date.value.iso}/{slug}"]
        assert (record["title"], record["unit"]) == (item.title, item.unit)
        assert record["counties"] == item.counties and record["topics"] == item.topics
        assert item.unit in record["issue"]  # the title holds its number
    for slug, policy in documents.items():
        record = by_id[f"{'policies' if policy.kind == 'policy' else 'speeches'}/{slug}"]
        assert record["title"] == policy.title
        if policy.kind == "policy" and slug.startswith("zhuru"):
            assert (record["doc_number"], record["replaced_by"]) == (
                policy.doc_number, policy.replaced_by,
            )  # fmt: skip
    raw = (corpus_site / "data/documents.csv").read_text("utf-8-sig")
    rows = list(csv.reader(raw.splitlines()))
    header, cells = rows[0], [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    values = [v for record in records for v in record.values() if isinstance(v, str)]
    assert sum(value.startswith(FORMULA_STARTS) for value in values) >= 4 * GROUPS  # titles too
    assert all(line.startswith('"') for line in raw.splitlines())  # every cell quoted
    read_back = [from_csv_row(dict(zip(header, row, strict=True))) for row in rows[1:]]
    assert read_back == records


def test_search_records_and_sitemap_keep_the_text(corpus_site: Path):
    problems: list[str] = []
    seen: set[int] = set()
    records = sorted((corpus_site / "search" / "docs").glob("*.json"))
    assert records
    for path in records:
        record = json.loads(path.read_text("utf-8"))
        for key in ("title", "context", "counties", "text"):
            seen |= _expect_whole(record[key], f"{path.name} {key}", problems)
    assert problems == [], "\n".join(problems[:20])
    assert seen == set(range(len(PAYLOADS)))
    sitemap = lxml.etree.parse(str(corpus_site / "sitemap.xml")).getroot()
    assert len(sitemap) == len(list(html_pages(corpus_site))) - 1  # all but the 404 page
