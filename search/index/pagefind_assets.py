"""Pagefind's script, worker, WebAssembly and entry file, which the bundle ships beside the
index it did not write (Pagefind's own search of that index is the reference of
tests/test_search_index.py).

They come from one Pagefind run over a page of one word, kept in the shard cache, one per
Pagefind version.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from search.index.links import link_or_copy
from search.index.pagefind_format import LANGUAGE, PAGEFIND_VERSION

ASSETS = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
ENTRY = "pagefind-entry.json"
CACHED = f"assets-{PAGEFIND_VERSION}"  # their folder's name in the cache


def pagefind_assets(cache: Path | None) -> Path:
    """The folder of Pagefind's assets, from a Pagefind run over one page of one word (kept
    in `cache`)."""
    if cache is not None:
        kept = cache / CACHED
        if (kept / ENTRY).is_file():
            os.utime(kept)
            return kept
    work = Path(tempfile.mkdtemp(prefix="pagefind-assets-"))
    page = work / "site" / "index.html"
    page.parent.mkdir()
    page.write_text(
        f'<!doctype html><html lang="{LANGUAGE}"><body><main data-pagefind-body>'
        "<p>zz</p></main></body></html>",
        encoding="utf-8",
    )
    bundle = work / "bundle"
    run = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(page.parent), "--output-path",
         str(bundle), "--silent"],
        capture_output=True, text=True,
    )  # fmt: skip
    if run.returncode != 0 or not (bundle / ENTRY).is_file():
        raise RuntimeError(f"Pagefind failed ({run.returncode}): {run.stdout}{run.stderr}")
    assets = work / "assets"
    assets.mkdir()
    for item in bundle.iterdir():
        if item.name in ASSETS or (item.name.startswith("wasm.") and item.suffix == ".pagefind"):
            item.rename(assets / item.name)
    if cache is None:
        return assets
    cache.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # another build may have stored it first
        assets.rename(cache / CACHED)
    shutil.rmtree(work, ignore_errors=True)
    return cache / CACHED


def place_assets(bundle: Path, cache: Path | None, digest: str, pages: int) -> None:
    """Pagefind's assets in `bundle`, its entry file naming the metadata `digest` (the
    metadata's file, pagefind.<digest>.pf_meta) of `pages` pages."""
    assets = pagefind_assets(cache)
    for item in assets.iterdir():
        if item.name != ENTRY:
            link_or_copy(item, bundle / item.name)
    entry = json.loads((assets / ENTRY).read_text(encoding="utf-8"))
    (info,) = entry["languages"].values()
    entry["languages"] = {LANGUAGE: {**info, "hash": digest, "page_count": pages}}
    (bundle / ENTRY).write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
