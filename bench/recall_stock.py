"""Recall of stock Pagefind on the archive, for comparison with ours.

    python -m bench.recall_stock

Builds the real content, indexes the built pages with stock Pagefind (extended build,
lang zh-CN, no preparation of the text), and searches every proper noun the search tests
use (tests/nouns.py) through Pagefind's JavaScript API in headless Chromium, as typed. A
noun counts as found when a result is one of the documents that contain it; the document
recall is the share of those documents returned, averaged over the nouns.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bench.corpus import ROOT
from bulletin.build.sitebuild import render_site
from bulletin.content.taxonomy import load_taxonomies
from bulletin.relations.archive import build_archive, read_content

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def search_all(site: Path, queries: list[str]) -> dict[str, set[str]]:
    """Result URLs (site-relative) per query, through Pagefind's JavaScript API."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    found: dict[str, set[str]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            # The site's policy allows no WebAssembly or worker (its own search page runs
            # neither); stock Pagefind needs both.
            page = browser.new_page(bypass_csp=True)
            page.goto(base + "/404.html")
            for query in queries:
                urls = page.evaluate(
                    """async (q) => { const pf = await import('/pagefind/pagefind.js');
                    const s = await pf.search(q);
                    return Promise.all(s.results.map(async r => (await r.data()).url)); }""",
                    query,
                )
                found[query] = {u.lstrip("/") for u in urls}
            browser.close()
    finally:
        server.shutdown()
    return found


def main() -> None:
    sys.path.insert(0, str(ROOT / "tests"))  # the search tests' list of proper nouns
    from nouns import documents_containing, proper_nouns

    documents, _ = read_content(ROOT / "content")
    archive = build_archive(documents, load_taxonomies(ROOT / "content"))
    nouns = {}
    for noun in proper_nouns(archive):
        anywhere, _ = documents_containing(archive, noun)
        if anywhere:
            nouns[noun] = anywhere
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        render_site(
            str(ROOT / "pelicanconf.py"),
            site,
            {"SEARCH_WHOOSH_PATH": str(Path(tmp) / "whoosh")},
        )
        shutil.rmtree(site / "pagefind")
        subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"], check=True
        )
        results = search_all(site, list(nouns))
    hit = sum(bool(results[n] & docs) for n, docs in nouns.items())
    share = sum(len(results[n] & docs) / len(docs) for n, docs in nouns.items()) / len(nouns)
    complete = sum(docs <= results[n] for n, docs in nouns.items())
    missed = sorted(n for n, docs in nouns.items() if not results[n] & docs)
    print(f"stock Pagefind 1.5.2: {hit}/{len(nouns)} proper nouns found ({hit / len(nouns):.0%})")
    print(f"document recall averaged over nouns: {share:.0%}")
    print(f"nouns with every containing document returned: {complete}/{len(nouns)}")
    print("not found:", "、".join(missed))


if __name__ == "__main__":
    main()
