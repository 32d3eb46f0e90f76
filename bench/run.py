"""Benchmarks on a synthetic archive built from the seeds' text (see corpus.py).

    python -m bench.run --items 10000 [--json]      (or: invoke bench --items 10000 --json)

Measures, on the same corpus and in the same run (so ratios hold on a noisy machine):
- plain Pelican on the same items as ordinary articles, with its default theme;
- our build: pages only, then the whole build (`invoke build`: pages and search indexes);
- the same build again with nothing changed, and a publish (verify and .gz included);
- the live preview: `invoke serve` on the built archive, the time until it answers (it
  serves the built site at once) and until its own first build is done; then from saving an
  edited item, and a new issue, until the served page shows it, and until every other page
  the save changed is made again (`…_settled_s`: the preview does that in the background);
- the peak memory of each build's whole process tree (the build and every process it
  starts, such as Pagefind), the largest HTML page, and the first query's network payload
  in headless Chromium, gzip as a host serves it, for a name, a place, a 文号 and a phrase;
- what documents citing documents cost: finding and resolving every mention
  (`references`), and rendering with mentions wrapped in links against rendering without
  (``--linking-only`` measures this alone).

Progress goes to stderr; the results are written to bench/.data/results-<items>.json and,
with --json, printed to stdout as one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import gzip
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench.corpus import ROOT, make_corpus
from bench.measure import Measured, run_measured

DATA = ROOT / "bench" / ".data"
QUERIES = ["孔海龙", "瓯江口新区", "温委发〔2014〕27号", "温商回归"]
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
COMPRESSIBLE = {".js", ".json", ".txt", ".html", ".css", ".svg", ".xml"}
PREVIEW_TIMEOUT = 3600.0  # seconds to wait for the preview to show a change
QUERY_TIMEOUT = 120.0  # seconds to wait for a first query's results in Chromium
REST_DONE = "后台更新完成"  # what `invoke serve` prints when an update's background step ends
FIRST_DONE = "已重建"  # what `invoke serve` prints when a whole build is done


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _timed(label: str, results: dict, function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    results[label] = round(time.perf_counter() - started, 2)
    print(f"  {label}: {results[label]} s", flush=True)
    return value


def _python(code: str, cwd: Path = ROOT) -> Measured:
    return run_measured([sys.executable, "-c", code], cwd)


def pages_only(content: Path, output: Path) -> Measured:
    """Our pages alone (Pelican + the archive plugin, related items included)."""
    return _python(f"""
from pathlib import Path
from bulletin.build.sitebuild import render_site
render_site("pelicanconf.py", Path({str(output)!r}),
            {{"PATH": {str(content)!r}, "SEARCH_INDEXES": False}})
""")


def build(content: Path, target: Path, publish: bool = False) -> Measured:
    """The build `invoke build` (or, with `publish`, `invoke publish`) runs, into `target`."""
    settings = "publishconf.py" if publish else "pelicanconf.py"
    overrides = {"SEARCH_WHOOSH_PATH": "" if publish else str(target) + ".search"}
    if publish:
        overrides["SITEURL"] = "https://archive.example.org"
    return _python(f"""
from pathlib import Path
from bulletin.build.sitebuild import build_site
result = build_site({settings!r}, Path({str(target)!r}), overrides={overrides!r},
                    content=Path({str(content)!r}), publish={publish!r})
print("skipped" if result.skipped else "built", result.path)
""")


def plain_pelican(content: Path, work: Path) -> Measured:
    """The same items as plain Pelican articles, built with Pelican's default theme."""
    from bulletin.relations.archive import read_content

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
            (articles / f"{n:06d}.md").write_text(
                f"Title: {item.title}\nDate: {date.isoformat()}\nSlug: item-{n:06d}\n"
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
    return _python(f"""
import logging
logging.disable(logging.WARNING)
from pelican import Pelican
from pelican.settings import read_settings
settings = read_settings({str(settings)!r}, override={{"OUTPUT_PATH": {str(work / "output")!r}}})
Pelican(settings).run()
""")


def linking_cost(content: Path, results: dict) -> None:
    """Mentions → links and backlinks: the cross-references, and rendering with links."""
    from bulletin.content.model import Issue, Policy, Speech
    from bulletin.content.render import render_markdown
    from bulletin.content.taxonomy import load_taxonomies
    from bulletin.relations.archive import build_archive, read_content
    from bulletin.relations.reference_problems import reference_problems

    documents, _ = read_content(content)
    archive = build_archive(documents, load_taxonomies(content))
    refs = _timed(
        "cross-references (find + resolve every mention)", results, lambda: archive.references
    )
    _timed("check problems of mentions", results, reference_problems, refs, content)
    texts = [d for d in archive.pages if not isinstance(d, Issue)]

    def render(links: bool) -> None:
        for document in texts:
            structure = isinstance(document, (Policy, Speech))
            found = refs.links(document.url) if links else None
            render_markdown(getattr(document, "body", ""), structure, found)

    # The machine is shared and noisy: alternate the two, three times each, keep the best CPU
    # time; and time the link-wrapping step itself, inside the renderer.
    from bulletin.content import render as renderer

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_until(predicate, timeout: float = PREVIEW_TIMEOUT) -> float:
    """Seconds until `predicate()` holds (polled every 50 ms); RuntimeError on timeout."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if predicate():
            return round(time.perf_counter() - started, 2)
        time.sleep(0.05)
    raise RuntimeError("the preview did not show the change in time")


def preview_times(content: Path, output: Path) -> dict[str, float]:
    """Against a running `invoke serve`: save → the served page shows the change."""
    from bench.corpus import edited_issue, next_issue

    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log = output.with_name(output.name + ".log")
    command = [
        sys.executable, "-m", "invoke", "serve", "--port", str(port), "--host", "127.0.0.1",
        "--content", str(content), "--output", str(output),
    ]  # fmt: skip
    out = log.open("w")
    server = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    def settled(count: int) -> bool:  # the preview's background step said it is done
        return log.read_text(encoding="utf-8").count(REST_DONE) >= count

    try:
        started = time.perf_counter()
        served = _wait_until(lambda: _fetch(base) is not None)
        # The site built before is served at once; edits are taken once the preview's own
        # first build (a whole one) is done.
        _wait_until(lambda: FIRST_DONE in log.read_text(encoding="utf-8"))
        ready = round(time.perf_counter() - started, 2)
        issue_file = sorted((content / "bulletins").glob("*.md"))[-1]
        text, url, marker = edited_issue(issue_file)
        time.sleep(1.0)  # the watcher compares modification times
        started = time.perf_counter()
        issue_file.write_text(text, encoding="utf-8")
        edit = _wait_until(lambda: marker in (_fetch(base + url) or ""))
        _wait_until(lambda: settled(1))
        edit_rest = round(time.perf_counter() - started, 2)
        path, text, url, title = next_issue(content)
        time.sleep(1.0)
        started = time.perf_counter()
        path.write_text(text, encoding="utf-8")
        add = _wait_until(lambda: title in (_fetch(base + url) or ""))
        _wait_until(lambda: settled(2))
        add_rest = round(time.perf_counter() - started, 2)
    finally:
        server.terminate()
        server.wait(timeout=30)
        out.close()
    return {
        "preview_served_s": served,  # `invoke serve` started → the site answers
        "preview_ready_s": ready,  # → its first build is done: edits are shown from then on
        "preview_edit_item_s": edit,
        "preview_add_issue_s": add,
        # until every other page the save changed is made again (in the background)
        "preview_edit_item_settled_s": edit_rest,
        "preview_add_issue_settled_s": add_rest,
    }


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def first_query_payload(site: Path) -> dict:
    """Bytes a first search moves: raw, and with gzip for text as a real host serves it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
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
                try:
                    page.wait_for_function(
                        "q => { const l = document.getElementById('search-results');"
                        " return l.dataset.query === q && l.dataset.state === 'done'; }",
                        arg=query,
                        timeout=QUERY_TIMEOUT * 1000,
                    )
                except PlaywrightTimeout:  # recorded, not fatal: the other steps still count
                    out[query] = {"timed_out_s": QUERY_TIMEOUT, "requests": len(urls)}
                    say(f"  first query {query}: no answer in {QUERY_TIMEOUT} s")
                    context.close()
                    continue
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
                out[query] = {
                    "requests": len(urls),
                    "raw_kb": round(raw / 1024),
                    "gzip_kb": round(gz / 1024),
                    "status": page.inner_text("#search-status"),
                }
                say(f"  first query {query}: {out[query]}")
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return out


def _step(results: dict, key: str, measured: Measured, peaks: dict) -> Measured:
    results[key] = measured.seconds
    peaks[key.removesuffix("_s")] = measured.peak_rss_mb
    say(f"  {key}: {measured.seconds} s, peak {measured.peak_rss_mb} MB")
    _save(results)
    return measured


def _save(results: dict) -> None:
    """Write the results so far: a step that fails late keeps the earlier ones."""
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / f"results-{results['items']}.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--skip-plain", action="store_true", help="skip plain Pelican")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--work", type=Path, help="work directory (default bench/.data/N)")
    parser.add_argument(
        "--linking-only", action="store_true", help="measure only what cross-references cost"
    )
    args = parser.parse_args(argv)
    work = args.work or DATA / str(args.items)
    content = work / "content"
    say(f"Corpus of {args.items} items in {work}")
    if work.exists():
        shutil.rmtree(work)
    make_corpus(content, args.items)
    for kind in ("policies", "speeches"):  # the real policy and speech, for 文号 queries
        shutil.copytree(ROOT / "content" / kind, content / kind, dirs_exist_ok=True)
    shutil.copytree(ROOT / "content" / "raw", content / "raw")
    results: dict = {"items": args.items, "date": dt.date.today().isoformat()}
    if args.linking_only:
        with contextlib.redirect_stdout(sys.stderr):
            linking_cost(content, results)
        (DATA / f"linking-{args.items}.json").write_text(
            json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return results
    peaks: dict[str, float] = {}
    if not args.skip_plain:
        _step(results, "plain_pelican_s", plain_pelican(content, work / "plain"), peaks)
    _step(results, "full_build_s", pages_only(content, work / "pages"), peaks)
    site = work / "site"
    _step(results, "full_build_with_search_s", build(content, site), peaks)
    noop = _step(results, "noop_build_s", build(content, site), peaks)
    results["noop_build_skipped"] = noop.output.strip().startswith("skipped")
    _step(results, "publish_s", build(content, work / "public", publish=True), peaks)
    results["peak_rss_mb"] = max(
        peaks[k] for k in ("full_build", "full_build_with_search", "publish") if k in peaks
    )
    results["peak_rss_mb_by_step"] = peaks
    if "plain_pelican_s" in results:
        results["ratio_with_search_to_plain"] = round(
            results["full_build_with_search_s"] / results["plain_pelican_s"], 2
        )
    html = list(site.resolve().rglob("*.html"))
    results["pages"] = len(html)
    largest = max(html, key=lambda p: p.stat().st_size)
    results["largest_html_kb"] = round(largest.stat().st_size / 1024, 1)
    results["largest_html"] = largest.relative_to(site.resolve()).as_posix()
    results["site_mb"] = round(_size(site.resolve()) / 1e6, 1)
    results["first_query"] = first_query_payload(site.resolve())
    results["first_query_gzip_kb"] = {
        q: v.get("gzip_kb") for q, v in results["first_query"].items()
    }  # None: no answer in QUERY_TIMEOUT
    _save(results)
    # The preview serves the site built above: its first build finds nothing changed.
    times = preview_times(content, site)
    results.update(times)
    say(f"  preview: {times}")
    with contextlib.redirect_stdout(sys.stderr):  # stdout holds the JSON alone
        linking_cost(content, results)
    _save(results)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    return results


if __name__ == "__main__":
    main()
