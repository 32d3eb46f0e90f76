"""Benchmarks on a synthetic archive built from the seeds' text (see corpus.py).

    python -m bench.run --items 10000        (or: invoke bench --items 10000)

Measures, on the same corpus:
- our build: pages alone (Pelican + the archive plugin, related items included), then the
  search indexes: Whoosh (word cutting + indexing, both cores) and Pagefind (time, the
  Pagefind process's peak memory, bundle size);
- a rebuild after one file changes (the build is always a full one: Pelican has no
  incremental mode, and the archive's cross-references make partial rebuilds unsafe);
- plain Pelican on the same items as ordinary articles, with its default theme;
- the first query's network payload in headless Chromium, raw and as a gzip-serving host
  sends it, for a name, a place, a 文号 and a common phrase;
- a query on the command line (Whoosh);
- what documents citing documents cost: finding and resolving every mention
  (`references`), and rendering with mentions wrapped in links against rendering without
  (``--linking-only`` measures this alone).

Results are printed as a table and written to bench/.data/results-<items>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.corpus import ROOT, make_corpus

DATA = ROOT / "bench" / ".data"
QUERIES = ["孔海龙", "瓯江口新区", "温委发〔2014〕27号", "温商回归"]
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
COMPRESSIBLE = {".js", ".json", ".txt", ".html", ".css", ".svg", ".xml"}


def _timed(label: str, results: dict, function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    results[label] = round(time.perf_counter() - started, 2)
    print(f"  {label}: {results[label]} s", flush=True)
    return value


def _in_subprocess(code: str) -> tuple[float, float]:
    """Run Python code in a fresh interpreter; return (seconds, peak memory in MB)."""
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise RuntimeError(run.stdout + run.stderr)
    peak = float(run.stdout.strip().splitlines()[-1])
    return round(seconds, 2), round(peak, 1)


def our_build(content: Path, output: Path, indexes: bool) -> tuple[float, float]:
    code = f"""
import resource
from bulletin.sitebuild import render_site
render_site("pelicanconf.py", __import__("pathlib").Path({str(output)!r}),
            {{"PATH": {str(content)!r}, "SEARCH_INDEXES": {indexes!r},
              "SEARCH_WHOOSH_PATH": {str(output) + ".whoosh"!r}}})
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    return _in_subprocess(code)


def plain_pelican(content: Path, work: Path) -> tuple[float, float]:
    """The same items as plain Pelican articles, built with Pelican's default theme."""
    from bulletin.archive import read_content

    documents, _ = read_content(content)
    articles = work / "content"
    if articles.exists():
        shutil.rmtree(articles)
    articles.mkdir(parents=True)
    n = 0
    for issue in documents:
        for item in getattr(issue, "items", []):
            n += 1
            date = (item.sort_date or issue.date.value).first_day
            (articles / f"{n:05d}.md").write_text(
                f"Title: {item.title}\nDate: {date.isoformat()}\nSlug: item-{n:05d}\n"
                f"Category: 简报\nTags: {', '.join(item.topics)}\n\n{item.body}\n",
                encoding="utf-8",
            )
    settings = work / "plainconf.py"
    settings.write_text(
        'SITENAME = "plain"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "Asia/Shanghai"\n'
        'DEFAULT_LANG = "zh"\nFEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\n'
        "TRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\n"
        "DEFAULT_PAGINATION = 20\nCACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\n",
        encoding="utf-8",
    )
    code = f"""
import resource, logging
logging.disable(logging.WARNING)
from pelican import Pelican
from pelican.settings import read_settings
settings = read_settings({str(settings)!r}, override={{"OUTPUT_PATH": {str(work / "output")!r}}})
Pelican(settings).run()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    return _in_subprocess(code)


def index_times(content: Path, output: Path, results: dict) -> None:
    """Whoosh (word cutting + indexing) and Pagefind on the archive's records."""
    from bulletin.archive import build_archive, read_content
    from bulletin.render import render_markdown
    from bulletin.search_records import search_docs
    from bulletin.taxonomy import load_taxonomies
    from search.pagefind_bundle import write_bundle
    from search.related import related
    from search.whoosh_index import analyse, build_index, corpus_folds

    documents, _ = read_content(content)
    archive = build_archive(documents, load_taxonomies(content))
    for document in archive.documents:
        document.html = render_markdown(getattr(document, "body", "")).html
    docs = search_docs(archive)
    analysed = _timed("word cutting (rjieba)", results, analyse, docs)
    _timed("related items", results, related, docs, analysed)
    whoosh = output.with_name("whoosh-bench")
    _timed("Whoosh indexing (2 processes)", results, build_index, docs, whoosh, analysed, 2)
    results["Whoosh index size MB"] = round(_size(whoosh) / 1e6, 1)
    results["Whoosh total (cutting + indexing) s"] = round(
        results["word cutting (rjieba)"] + results["Whoosh indexing (2 processes)"], 2
    )
    folds = _timed("fold map (OpenCC)", results, corpus_folds, docs)
    stats = write_bundle(docs, output, output.with_name("pagefind-docs"), folds)
    results["Pagefind s"] = round(stats.seconds, 2)
    results["Pagefind peak memory MB"] = round(stats.peak_rss_mb)
    results["Pagefind bundle MB"] = round(stats.bytes / 1e6, 1)
    print(f"  Pagefind: {stats.seconds:.1f} s, peak {stats.peak_rss_mb:.0f} MB", flush=True)
    from search.whoosh_index import search

    started = time.perf_counter()
    search(whoosh, "孔海龙")
    results["CLI query s"] = round(time.perf_counter() - started, 2)


def linking_cost(content: Path, results: dict) -> None:
    """Mentions → links and backlinks: the cross-references, and rendering with links."""
    from bulletin.archive import build_archive, read_content
    from bulletin.model import Issue, Policy, Speech
    from bulletin.render import render_markdown
    from bulletin.taxonomy import load_taxonomies

    documents, _ = read_content(content)
    archive = build_archive(documents, load_taxonomies(content))
    refs = _timed(
        "cross-references (find + resolve every mention)", results, lambda: archive.references
    )
    _timed("check problems of mentions", results, refs.problems, content)
    texts = [d for d in archive.pages if not isinstance(d, Issue)]

    def render(links: bool) -> None:
        for document in texts:
            structure = isinstance(document, (Policy, Speech))
            found = refs.links(document.url) if links else None
            render_markdown(getattr(document, "body", ""), structure, found)

    # The machine is shared and noisy: alternate the two, three times each, keep the best CPU
    # time; and time the link-wrapping step itself, inside the renderer.
    from bulletin import render as renderer

    wrap = renderer._MentionLinks.run
    spent = [0.0]

    def timed_wrap(self, root) -> None:
        started = time.process_time()
        wrap(self, root)
        spent[0] += time.process_time() - started

    renderer._MentionLinks.run = timed_wrap
    wrapping = float("inf")
    for label, links in [("without", False), ("with", True)] * 3:
        started, spent[0] = time.process_time(), 0.0
        render(links)
        key = f"render bodies {label} links (CPU) s"
        results[key] = round(min(results.get(key, float("inf")), time.process_time() - started), 2)
        if links:
            wrapping = min(wrapping, spent[0])
    renderer._MentionLinks.run = wrap
    results["wrapping mentions in links, inside rendering (CPU) s"] = round(wrapping, 2)
    for key in [k for k in results if k.startswith(("render bodies", "wrapping"))]:
        print(f"  {key}: {results[key]}", flush=True)
    cost = results["cross-references (find + resolve every mention)"] + wrapping
    results["linking cost s"] = round(cost, 2)
    results["documents"] = len(texts)
    results["policies"] = len(archive.policies)
    results["citations of held documents"] = sum(len(c) for c in refs.cites.values())
    results["mentions of documents not held"] = sum(len(m) for m in refs.missing.values())
    print(f"  linking cost: {results['linking cost s']} s", flush=True)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def first_query_payload(site: Path) -> dict:
    """Bytes a first search moves: raw, and with gzip for text as a real host serves it."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    out = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS
            )
            for query in QUERIES:
                context = browser.new_context()
                page = context.new_page()
                page.goto(base + "/search/")
                page.wait_for_function(
                    "document.getElementById('search-results').dataset.state === 'done'"
                )
                urls: list[str] = []
                page.on("requestfinished", lambda r, urls=urls: urls.append(r.url))
                page.fill("#q", query)
                page.press("#q", "Enter")
                page.wait_for_function(
                    "q => { const l = document.getElementById('search-results');"
                    " return l.dataset.query === q && l.dataset.state === 'done'; }",
                    arg=query,
                )
                raw = gz = 0
                for url in urls:
                    path = site / url.removeprefix(base + "/").split("?")[0]
                    data = path.read_bytes() if path.is_file() else b""
                    raw += len(data)
                    gz += (
                        len(gzip.compress(data, 6, mtime=0))
                        if path.suffix in COMPRESSIBLE
                        else len(data)
                    )
                results = page.inner_text("#search-status")
                out[query] = {
                    "requests": len(urls),
                    "raw KB": round(raw / 1024),
                    "gzip KB": round(gz / 1024),
                    "status": results,
                }
                print(f"  first query {query}: {out[query]}", flush=True)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--skip-plain", action="store_true", help="skip plain Pelican")
    parser.add_argument(
        "--linking-only", action="store_true", help="measure only what cross-references cost"
    )
    args = parser.parse_args(argv)
    work = DATA / str(args.items)
    content = work / "content"
    print(f"Corpus of {args.items} items in {work}", flush=True)
    make_corpus(content, args.items)
    for kind in ("policies", "speeches"):  # the real policy and speech, for 文号 queries
        shutil.copytree(ROOT / "content" / kind, content / kind, dirs_exist_ok=True)
    shutil.copytree(ROOT / "content" / "raw", content / "raw")
    results: dict = {"items": args.items, "date": dt.date.today().isoformat()}
    if args.linking_only:
        linking_cost(content, results)
        (DATA / f"linking-{args.items}.json").write_text(
            json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return results
    seconds, peak = our_build(content, work / "pages", indexes=False)
    results["our build, pages only s"], results["our build, pages only peak MB"] = seconds, peak
    print(f"  our build, pages only: {seconds} s, {peak} MB", flush=True)
    seconds, peak = our_build(content, work / "site", indexes=True)
    results["our build, with search indexes s"], results["our build, with search peak MB"] = (
        seconds,
        peak,
    )
    print(f"  our build with search: {seconds} s, {peak} MB", flush=True)
    (content / "bulletins" / sorted(p.name for p in (content / "bulletins").iterdir())[0]).touch()
    seconds, _ = our_build(content, work / "site2", indexes=True)
    results["rebuild after one change s"] = seconds
    results["site size MB"] = round(_size(work / "site") / 1e6, 1)
    index_times(content, work / "indexes" / "site", results)
    linking_cost(content, results)
    if not args.skip_plain:
        seconds, peak = plain_pelican(content, work / "plain")
        results["plain Pelican s"], results["plain Pelican peak MB"] = seconds, peak
        print(f"  plain Pelican: {seconds} s, {peak} MB", flush=True)
    results["first query"] = first_query_payload(work / "site")
    (DATA / f"results-{args.items}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(json.dumps(results, ensure_ascii=False, indent=1))
    return results


if __name__ == "__main__":
    main()
