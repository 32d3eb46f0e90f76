"""Verification before publishing (bulletin/build/verify.py): each reason to refuse a built tree.

Each test damages a copy of the real published site the way a faulty theme, plugin or tool
could, and checks that verification names that problem (kind and file), and only it.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bulletin.build.sitebuild import expected_in_site
from bulletin.build.verify import Expected, SiteProblem, verify_site
from bulletin.checks.checks import read_archive
from sitecheck import CONTENT, ROOT, html_pages

ITEM = "bulletins/2014-10/kong-hailong-ducha-kaifaqu-zhongdianxiangmu/"


@pytest.fixture(scope="module")
def expected() -> Expected:
    archive, _ = read_archive(CONTENT)
    assert archive is not None
    return expected_in_site(archive, {"THEME": str(ROOT / "theme")})


@pytest.fixture
def tree(published: Path, tmp_path: Path) -> Path:
    """A private copy of the published site, to damage."""
    return Path(shutil.copytree(published.resolve(), tmp_path / "site"))


@pytest.fixture
def site_url(publish_port: int) -> str:
    return f"http://127.0.0.1:{publish_port}"


def kinds(problems: list[SiteProblem]) -> set[tuple[str, str]]:
    return {(p.kind, p.where) for p in problems}


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_the_published_site_passes(published, site_url, expected):
    assert len(expected.pages) > 40 and len(expected.searchable) == 25
    theme = [p for p in (ROOT / "theme" / "static").rglob("*") if p.is_file()]
    assert expected.theme is not None and len(expected.theme) == len(theme)  # every file
    assert verify_site(published, site_url, expected) == []


def test_the_development_build_passes_too(site, expected):
    """Relative links (pelicanconf.py) resolve the same way as absolute ones."""
    assert verify_site(site, "http://localhost:8000", expected) == []


def test_a_broken_internal_link(tree, site_url, expected):
    shutil.rmtree(tree / "bulletins/2014-07-13")  # an issue and its items
    problems = verify_site(tree, site_url, expected)
    assert ("broken-link", "archive/2014/index.html") in kinds(problems)
    assert ("missing-page", "bulletins/2014-07-13/") in kinds(problems)
    broken = next(p for p in problems if p.where == "archive/2014/index.html")
    assert str(broken) == f"链接失效 — archive/2014/index.html：{site_url}/bulletins/2014-07-13/"


def test_a_link_to_a_missing_anchor(tree, site_url, expected):
    edit(tree / ITEM / "index.html", 'href="#main"', 'href="#no-such-part"')
    problems = verify_site(tree, site_url, expected)
    assert kinds(problems) == {("broken-link", ITEM + "index.html")}
    assert "#no-such-part" in problems[0].detail


def test_a_missing_asset(tree, site_url, expected):
    (tree / "theme/css/site.css").unlink()
    problems = verify_site(tree, site_url, replace(expected, theme=None))  # theme: see below
    assert {p.kind for p in problems} == {"missing-asset"}
    assert len(problems) == sum(1 for _ in tree.rglob("*.html"))  # every page links it


def test_an_asset_from_another_host(tree, site_url, expected):
    page = tree / ITEM / "index.html"
    edit(page, "</head>", '<script src="https://cdn.example.net/x.js"></script></head>')
    edit(page, "</main>", '<img src="//images.example.net/a.png" alt=""></main>')
    problems = verify_site(tree, site_url, expected)
    assert [(p.kind, p.detail) for p in problems] == [
        ("foreign-asset", "//images.example.net/a.png"),
        ("foreign-asset", "https://cdn.example.net/x.js"),
    ]


def test_a_missing_asset_of_the_stylesheet(tree, site_url, expected):
    edit(tree / "theme/css/site.css", "body", 'body { background: url("../img/paper.png") }\nbody')
    found = verify_site(tree, site_url, replace(expected, theme=None))  # theme: see below
    assert kinds(found) == {("missing-asset", "theme/css/site.css")}


def test_a_page_without_a_title(tree, site_url, expected):
    page = tree / ITEM / "index.html"
    text = page.read_text(encoding="utf-8")
    start, end = text.index("<title>"), text.index("</title>") + len("</title>")
    page.write_text(text[:start] + "<title> </title>" + text[end:], encoding="utf-8")
    assert kinds(verify_site(tree, site_url, expected)) == {("no-title", ITEM + "index.html")}


def test_a_page_without_lang(tree, site_url, expected):
    edit(tree / "404.html", '<html lang="zh-CN">', "<html>")
    edit(tree / "archive/index.html", '<html lang="zh-CN">', '<html lang="en">')
    problems = verify_site(tree, site_url, expected)
    assert kinds(problems) == {("no-lang", "404.html"), ("no-lang", "archive/index.html")}


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<img src="/theme/favicon.svg" alt="" onerror="alert(1)">',
        '<a href=" JavaScript:alert(1)">x</a>',
        "<svg><a xlink:href='javascript:alert(1)'>x</a></svg>",
    ],
)
def test_a_page_that_would_run_script(tree, site_url, expected, html):
    edit(tree / ITEM / "index.html", "</main>", html + "</main>")
    assert kinds(verify_site(tree, site_url, expected)) == {("script", ITEM + "index.html")}


def test_data_blocks_are_not_script(published):
    """The published pages carry JSON-LD (and pass verification, above): data, not script."""
    pages = list(published.rglob("*.html"))
    assert any('type="application/ld+json"' in p.read_text(encoding="utf-8") for p in pages)


@pytest.mark.parametrize(
    "damage",
    ["entry", "meta", "wasm", "table", "chunk", "fewer-pages", "query", "text"],
)
def test_a_missing_or_incomplete_search_index(tree, site_url, expected, damage):
    bundle = tree / "pagefind"
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    if damage == "entry":
        (bundle / "pagefind-entry.json").unlink()
    elif damage == "meta":
        next(bundle.glob("pagefind.*.pf_meta")).unlink()
    elif damage == "wasm":
        (bundle / "wasm.unknown.pagefind").unlink()
    elif damage == "table":
        (tree / "search/index.json").unlink()
    elif damage == "chunk":
        next((bundle / "index").glob("*.pf_index")).unlink()
    elif damage == "fewer-pages":
        entry["languages"]["zh-cn"]["page_count"] -= 1
        (bundle / "pagefind-entry.json").write_text(json.dumps(entry), encoding="utf-8")
    elif damage == "query":
        (tree / "search/query.json").unlink()
    elif damage == "text":
        next((tree / "search/docs").glob("*.json")).unlink()
    problems = verify_site(tree, site_url, expected)
    assert problems and {p.kind for p in problems} == {"no-search-index"}, problems


def test_a_document_missing_from_the_output(tree, site_url, expected):
    item = tree / ITEM / "index.html"
    item.unlink()
    item.with_name("index.html.gz").unlink()
    problems = verify_site(tree, site_url, expected)
    assert ("missing-page", ITEM) in kinds(problems)
    assert {p.kind for p in problems} == {"missing-page", "broken-link"}  # and links to it


def test_a_missing_term_page_is_missing_content(tree, site_url, expected):
    shutil.rmtree(tree / "counties/pingyang")
    assert ("missing-page", "counties/pingyang/") in kinds(verify_site(tree, site_url, expected))


PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>t</title>
<link rel="stylesheet" href="{css}"></head><body id="top"><main>{body}</main></body></html>"""


def test_a_site_below_a_path(tmp_path):
    """A site at https://owner.github.io/archive: the rest of the host is not the site."""
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "theme.css").write_text("body {}", encoding="utf-8")
    (site / "index.html").write_text(
        PAGE.format(
            css="/archive/theme.css",
            body='<a href="/archive/a/#top">a</a> <a href="a/">a</a> <a href="/elsewhere/">x</a>'
            ' <a href="https://other.example/">o</a> <a href="mailto:x@example.org">m</a>',
        ),
        encoding="utf-8",
    )
    (site / "a/index.html").write_text(
        PAGE.format(
            css="/theme.css", body='<a href="../#nowhere">up</a> <a href="/archive/b">b</a>'
        ),
        encoding="utf-8",
    )
    problems = verify_site(site, "https://owner.github.io/archive/", Expected(pages=("a/", "")))
    assert [(p.kind, p.where, p.detail) for p in problems] == [
        ("broken-link", "a/index.html", "../#nowhere（目标页没有 #nowhere）"),
        ("broken-link", "a/index.html", "/archive/b"),
        ("foreign-asset", "a/index.html", "/theme.css"),  # outside the site's path
        ("no-search-index", "pagefind/pagefind-entry.json", "没有 Pagefind 索引"),
    ]


# --- what a reader would see broken (issue #25) -----------------------------------------------


def test_every_page_cut_short_anywhere_is_refused(tree, site_url, expected):
    """Each HTML page of the real site, cut at a random byte (a full disk, a killed copy):
    every one is named, whatever else the cut breaks."""
    generator = random.Random(25)
    cut = []
    for page in html_pages(tree):
        data = page.read_bytes()
        page.write_bytes(data[: generator.randrange(len(data) // 4, len(data) - 8)])
        cut.append(page.relative_to(tree).as_posix())
    found = kinds(verify_site(tree, site_url, expected))
    assert len(cut) > 60
    assert [path for path in cut if ("cut-short", path) not in found] == []


def test_a_page_whose_main_content_is_gone(tree, site_url, expected):
    page = tree / ITEM / "index.html"
    html = page.read_text(encoding="utf-8")
    start, end = html.index("<main"), html.index("</main>")
    page.write_text(html[: html.index(">", start) + 1] + "\n " + html[end:], encoding="utf-8")
    found = verify_site(tree, site_url, expected)
    assert ("cut-short", f"{ITEM}index.html") in kinds(found)
    assert {p.kind for p in found} <= {"cut-short", "broken-link"}  # the links it held


def test_every_json_and_xml_file_that_does_not_parse_is_refused(tree, site_url, expected):
    """Every JSON file (open data, search tables and records) and XML file (feeds,
    sitemap) of the real site, cut in half: every one is named."""
    damaged = []
    for path in sorted(tree.rglob("*")):
        if path.suffix in (".json", ".xml") and path.is_file():
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
            damaged.append(path.relative_to(tree).as_posix())
    found = kinds(verify_site(tree, site_url, expected))
    assert {"sitemap.xml", "feeds/all.atom.xml", "data/documents.json"} <= set(damaged)
    assert [path for path in damaged if ("bad-data", path) not in found] == []


def test_xml_with_an_entity_bomb_is_refused_without_expanding_it(tree, site_url, expected):
    bomb = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    (tree / "sitemap.xml").write_text(bomb + "]><r>&i;</r>", encoding="utf-8")
    started = time.perf_counter()
    found = verify_site(tree, site_url, expected)  # parsed without expanding: no gigabytes
    assert time.perf_counter() - started < 30
    assert {p.kind for p in found} <= {"bad-data"}


@pytest.mark.parametrize(
    "damage, where",
    [
        (
            lambda t: (t / "theme/js/search.js").open("a").write("\nfetch('//evil')"),
            "theme/js/search.js",
        ),
        (lambda t: (t / "theme/js/extra.js").write_text("alert(1)"), "theme/js/extra.js"),
        (lambda t: (t / "theme/css/site.css").write_text("body{}"), "theme/css/site.css"),
        (lambda t: (t / "theme/favicon.svg").unlink(), "theme/favicon.svg"),
    ],
    ids=["script appended", "script added", "stylesheet replaced", "icon removed"],
)
def test_theme_files_that_differ_from_the_ones_built(tree, site_url, expected, damage, where):
    damage(tree)
    found = verify_site(tree, site_url, expected)
    assert ("theme-changed", where) in kinds(found)
    assert {p.kind for p in found} <= {"theme-changed", "missing-asset"}


@pytest.mark.parametrize("name", ["x.svg", "x.js", "x.html", "y.txt.svg", "Z.TXT", "noext"])
def test_a_raw_file_of_a_type_not_allowed(tree, site_url, expected, name):
    (tree / "raw" / name).write_text('<svg onload="alert(1)"/>', encoding="utf-8")
    found = kinds(verify_site(tree, site_url, expected))
    assert ("raw-type", f"raw/{name}") in found
    assert {kind for kind, where in found if where != f"raw/{name}"} == set()


def test_a_symlink_anywhere_in_the_tree(tree, site_url, expected):
    (tree / "raw" / "passwd.txt").symlink_to("/etc/passwd")
    (tree / "bulletins" / "elsewhere").symlink_to("/etc")
    assert kinds(verify_site(tree, site_url, expected)) == {
        ("symlink", "raw/passwd.txt"),
        ("symlink", "bulletins/elsewhere"),
    }
    assert os.path.islink(tree / "raw" / "passwd.txt")
