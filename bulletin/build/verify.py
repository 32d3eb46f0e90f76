"""Check a built site before it is published: complete pages, working links, a search index.

Pure: works on a directory tree and on what the archive says must be in it, and returns the
problems found (an empty list means the tree may go live). `sitebuild.build_site` calls it
between rendering and the swap, so a tree with a problem never replaces the served site.

What is checked, in one pass over the files:

- every HTML page has a non-empty ``<title>`` and ``<html lang>`` (the archive's language);
- every internal link (``a``/``area``, ``link rel=canonical|alternate``, a form's action)
  resolves to a file of the tree, and its ``#fragment`` to an id of the target page;
- every asset a page or stylesheet loads (scripts, stylesheets, icons, images, CSS
  ``url()``) is a file of the tree and comes from the site itself, never from another host;
- no page runs script other than our own files: no inline script (JSON-LD data blocks
  aside), no ``on…`` event handler attribute, no ``javascript:`` URL;
- the in-browser search index is there (Pagefind's entry file, its metadata, script and
  WebAssembly, the traditional→simplified map, the search page's table of it), holds every
  searchable document, and each has its record;
- every page the archive expects (each issue, item, policy, speech, county, topic and year)
  was written;
- no page is cut short: each ends with ``</html>`` and has a ``<main>`` with something in it;
- every JSON file parses, and every XML file (feeds, sitemap) parses as XML;
- the theme's files (``theme/``) are the theme's static files, byte for byte, and no other;
- under ``raw/`` only the raw text types of `bulletin.content.raw_names.RAW_SUFFIXES`, and no
  symlink anywhere in the tree.

Pages are parsed with lxml (libxml2's HTML parser), one pass over each tree; links are
resolved once per distinct URL. The 10,000-item benchmark archive (10,560 pages, 157 MB of
HTML) verifies in about 10 s, against more than 50 s with the standard library's parser.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from bulletin.content.raw_names import RAW_DIR, RAW_SUFFIXES
from search.analysis.tokens import base36
from search.index.bundle import QUERY_FILE
from search.index.impact import block_ranges
from search.index.merge import BUNDLE_DIR, TABLE_FILE
from search.index.pagefind_writer import IMPACT_DIR
from search.index.records import RECORDS_DIR

# Elements whose URL attribute is something the browser loads with the page.
ASSET_ATTRIBUTES = {
    ("script", "src"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
}
# Elements whose URL attribute is a link a reader follows (or a machine reads on request).
LINK_ATTRIBUTES = {("a", "href"), ("area", "href"), ("form", "action")}
LINK_RELS = {"canonical", "alternate", "next", "prev", "license", "author", "help", "search"}
CSS_URL_RE = re.compile(rb"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""")
CSS_IMPORT_RE = re.compile(rb"""@import\s+(?:"([^"]*)"|'([^']*)')""")
SCRIPT_SCHEMES = ("javascript:", "vbscript:")
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}

LABELS = {
    "no-title": "页面缺少标题",
    "no-lang": "页面缺少语言标记",
    "broken-link": "链接失效",
    "missing-asset": "资源文件缺失",
    "foreign-asset": "从外站加载资源",
    "script": "页面含有可执行脚本",
    "no-search-index": "搜索索引缺失",
    "missing-page": "内容缺页",
    "cut-short": "页面不完整",
    "bad-data": "数据文件无法解析",
    "theme-changed": "主题文件与构建的不一致",
    "raw-type": "原始文本目录中有不允许发布的文件",
    "symlink": "网站中有符号链接",
}


@dataclass(frozen=True, order=True)
class SiteProblem:
    """One reason not to publish a tree: what (`kind`), where (a file of the tree), detail."""

    kind: str
    where: str
    detail: str = ""

    def __str__(self) -> str:
        detail = f"：{self.detail}" if self.detail else ""
        return f"{LABELS[self.kind]} — {self.where}{detail}"


@dataclass(frozen=True)
class Expected:
    """What the archive says must be in the tree.

    `pages`: site-relative URLs of the pages that must exist (``bulletins/2014-01/``);
    `searchable`: URLs of the documents the search index must hold.
    """

    pages: tuple[str, ...] = ()
    searchable: tuple[str, ...] = ()
    theme: Mapping[str, str] | None = None  # site path → SHA-256 of each theme file


def theme_files(theme: Path, static_dir: str = "theme", paths: Iterable[str] = ("static",)):
    """What the build copies of a theme (Pelican's THEME_STATIC_DIR, THEME_STATIC_PATHS):
    site path → SHA-256 of the bytes, for `Expected.theme`."""
    found = {}
    for name in paths:
        source = theme / name
        for path in sorted(source.rglob("*")) if source.is_dir() else []:
            if path.is_file():
                site_path = f"{static_dir}/{path.relative_to(source).as_posix()}"
                found[site_path] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@dataclass
class _Page:
    """What one HTML page says about itself and where it points."""

    lang: str | None = None
    title: str = ""
    main: bool = False  # a <main> element with some text in it
    complete: bool = False  # the bytes end with </html>
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # each thing found that would run script


_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
URL_ATTRIBUTES = {"href", "xlink:href", "src", "action", "formaction", "data", "poster"}


def scan_page(html: bytes) -> _Page:
    """Parse one page (UTF-8 bytes) into what verification needs, in one pass."""
    page = _Page()
    page.complete = html[-64:].rstrip().lower().endswith(b"</html>")
    root = etree.fromstring(html, _PARSER) if html.strip() else None
    if root is None:
        return page
    page.lang = root.get("lang")
    for element in root.iter():
        tag = element.tag
        if tag == "title" and not page.title:
            page.title = "".join(element.itertext())
        elif tag == "main" and not page.main:
            page.main = any(text.strip() for text in element.itertext())
        elif tag == "script" and element.get("src") is None:
            kind = (element.get("type") or "").strip().lower()
            if kind not in DATA_SCRIPT_TYPES and (element.text or "").strip():
                page.scripts.append(f"<script>{element.text.strip()[:40]}")
        for name, value in element.items():
            if name == "id":
                page.ids.add(value)
            elif name.startswith("on"):
                page.scripts.append(f"<{tag} {name}=…>")
            elif name in URL_ATTRIBUTES:
                if value.strip().lower().startswith(SCRIPT_SCHEMES):
                    page.scripts.append(f"<{tag} {name}={value[:40]}>")
                elif (tag, name) in LINK_ATTRIBUTES:
                    page.links.append(value)
                elif (tag, name) in ASSET_ATTRIBUTES:
                    page.assets.append(value)
                elif tag == "link" and name == "href":
                    rels = set((element.get("rel") or "").lower().split())
                    (page.links if rels & LINK_RELS else page.assets).append(value)
    return page


def _files(site: Path) -> tuple[set[str], list[str]]:
    """Every file of the tree, and every symlink in it, as site-relative POSIX paths."""
    found: set[str] = set()
    links: list[str] = []
    pending = [("", site)]
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_symlink():
                    links.append(prefix + entry.name)
                elif entry.is_dir():
                    pending.append((f"{prefix}{entry.name}/", Path(entry.path)))
                else:
                    found.add(prefix + entry.name)
    return found, sorted(links)


def page_url(path: str) -> str:
    """The URL a file is served at: ``a/index.html`` → ``a/``."""
    return path[: -len("index.html")] if path.endswith("index.html") else path


class _Resolver:
    """Turns the URLs written in the tree into site-relative file paths."""

    def __init__(self, site_url: str, files: set[str]):
        base = urlsplit(site_url.rstrip("/") + "/")
        self.origin = (base.scheme, base.netloc)
        self.base_path = base.path
        self.root = f"{base.scheme}://{base.netloc}{base.path}"
        self.files = files

    def absolute(self, path: str) -> str:
        return self.root + page_url(path)

    def resolve(self, base: str, value: str) -> tuple[str, str, str] | None:
        """(site-relative path, fragment, host) of a URL; None when not loaded over HTTP.

        `host` is empty for a URL of the site, else the other host. The site's own absolute
        URLs (what a publish build writes) take a fast path: urljoin is slow at 10,000 pages.
        """
        value = value.strip()
        if value.startswith(self.root) and not value.startswith(("./", "../"), len(self.root)):
            rest = value[len(self.root) :]
        else:
            absolute = urljoin(base, value)
            parts = urlsplit(absolute)
            if parts.scheme not in ("http", "https"):
                return None
            if (parts.scheme, parts.netloc) != self.origin or not parts.path.startswith(
                self.base_path
            ):
                return "", "", parts.netloc or absolute
            rest = absolute[len(self.root) :]
        rest, _, fragment = rest.partition("#")
        path = rest.partition("?")[0]
        return (unquote(path) if "%" in path else path), fragment, ""

    def target(self, path: str) -> str | None:
        """The file a site-relative path is served from, or None."""
        if path == "" or path.endswith("/"):
            candidate = path + "index.html"
        elif path in self.files:
            return path
        else:
            candidate = path + "/index.html"  # a web server redirects a directory to "dir/"
        return candidate if candidate in self.files else None


def verify_site(
    site: Path, site_url: str, expected: Expected, lang: str = "zh-CN"
) -> list[SiteProblem]:
    """Every reason not to publish the tree at `site`, to be served at `site_url`; sorted."""
    files, links = _files(site)
    resolver = _Resolver(site_url, files)
    problems: list[SiteProblem] = [SiteProblem("symlink", path) for path in links]
    pages: dict[str, _Page] = {}
    fragments: list[tuple[str, str, str, str]] = []  # (page, value, target, fragment)

    # (target file or None, fragment, other host) of each URL, by the URL and, when it is
    # relative, the page it is on: most links (navigation, theme files) repeat on every page.
    seen: dict[tuple[str, str], tuple[str | None, str, str] | None] = {}

    def check(path: str, value: str, kind: str, base: str) -> None:
        key = ("" if value.startswith(resolver.root) else base, value)
        if key not in seen:
            resolved = resolver.resolve(base, value)
            seen[key] = resolved and (resolver.target(resolved[0]), *resolved[1:])
        found = seen[key]
        if found is None:
            return
        target, fragment, host = found
        if host:
            if kind == "missing-asset":
                problems.append(SiteProblem("foreign-asset", path, value))
        elif target is None:
            problems.append(SiteProblem(kind, path, value))
        elif fragment and kind == "broken-link" and target.endswith(".html"):
            fragments.append((path, value, target, fragment))

    for path in sorted(files):
        if path.endswith(".html"):
            page = pages[path] = scan_page((site / path).read_bytes())
            if not page.complete:
                problems.append(SiteProblem("cut-short", path, "没有以 </html> 结尾"))
            if not page.main:
                problems.append(SiteProblem("cut-short", path, "没有 <main> 正文"))
            if not page.title.strip():
                problems.append(SiteProblem("no-title", path))
            if page.lang != lang:
                problems.append(SiteProblem("no-lang", path, f"lang={page.lang!r}，应为 {lang}"))
            problems += [SiteProblem("script", path, s) for s in page.scripts]
            base = resolver.absolute(path)
            for value in page.links:
                check(path, value, "broken-link", base)
            for value in page.assets:
                check(path, value, "missing-asset", base)
        elif path.endswith(".css"):
            base = resolver.absolute(path)
            for match in [*CSS_URL_RE.finditer((site / path).read_bytes()),
                          *CSS_IMPORT_RE.finditer((site / path).read_bytes())]:  # fmt: skip
                value = next(g for g in match.groups() if g is not None).decode()
                if value and not value.startswith("#"):
                    check(path, value, "missing-asset", base)
        elif path.endswith((".json", ".xml")):
            problems += _check_data(site, path)
    for path, value, target, fragment in fragments:
        if fragment not in pages[target].ids:
            problems.append(SiteProblem("broken-link", path, f"{value}（目标页没有 #{fragment}）"))
    problems += _check_search(site, files, expected.searchable)
    if expected.theme is not None:
        problems += _check_theme(site, files, expected.theme)
    problems += [
        SiteProblem("raw-type", path, f"只发布 {'、'.join(RAW_SUFFIXES)} 文件")
        for path in files
        if path.startswith(f"{RAW_DIR}/") and not path.removesuffix(".gz").endswith(RAW_SUFFIXES)
    ]
    for url in expected.pages:
        if resolver.target(url) is None:
            problems.append(SiteProblem("missing-page", url))
    return sorted(set(problems))


_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _check_data(site: Path, path: str) -> list[SiteProblem]:
    """A JSON file that does not parse as JSON, or an XML file (a feed, the sitemap) that
    does not parse as XML: a reader's program would get nothing from it."""
    data = (site / path).read_bytes()
    try:
        if path.endswith(".json"):
            json.loads(data)
        else:
            etree.fromstring(data, _XML_PARSER)
    except (ValueError, etree.XMLSyntaxError) as exc:
        return [SiteProblem("bad-data", path, type(exc).__name__)]
    return []


def _check_theme(site: Path, files: set[str], theme: Mapping[str, str]) -> list[SiteProblem]:
    """The theme's files as built (`theme`), byte for byte, and no other under theme/
    (their .gz siblings aside)."""
    problems = []
    for path, digest in sorted(theme.items()):
        if path not in files:
            problems.append(SiteProblem("theme-changed", path, "缺少这个文件"))
        elif hashlib.sha256((site / path).read_bytes()).hexdigest() != digest:
            problems.append(SiteProblem("theme-changed", path, "内容与主题中的不同"))
    folders = {path.split("/", 1)[0] + "/" for path in theme}
    problems += [
        SiteProblem("theme-changed", path, "主题中没有这个文件")
        for path in sorted(files)
        if path.startswith(tuple(folders)) and path.removesuffix(".gz") not in theme
    ]
    return problems


def _check_table(site: Path, files: set[str], pages: int) -> list[SiteProblem]:
    """The search page's table of the bundle (TABLE_FILE): its pages, and the word chunks
    and filter files it names, there."""
    if TABLE_FILE not in files:
        return []
    try:
        table = json.loads((site / TABLE_FILE).read_text(encoding="utf-8"))
        counted = sum(count for _, count in table["shards"])
        ids = [f"{tag}-{base36(n)}" for tag, count in table["shards"] for n in range(count)]
        named = [f"index/{file}.pf_index" for _, _, file in table["chunks"]]
        named += [f"filter/{file}.pf_filter" for _, file in table["filters"]]
        for _, file, with_word, titled in table.get("common", []):  # search.index.impact's blocks
            for kind, count in (("m", with_word), ("t", titled)):
                named += [
                    f"{IMPACT_DIR}/{file}.{kind}{j}.pf_index"
                    for j in range(len(block_ranges(count, table["firstBlock"])))
                ]
        bundle = str(table["bundle"]).rstrip("/")
    except (ValueError, KeyError, TypeError):
        return [SiteProblem("no-search-index", TABLE_FILE, "搜索索引表无法读取")]
    problems = []
    if counted != pages or len(table["lengths"]) != pages:
        problems.append(
            SiteProblem("no-search-index", TABLE_FILE, f"索引表含 {counted} 篇，应为 {pages} 篇")
        )
    problems += [
        SiteProblem("no-search-index", f"{bundle}/{name}", "索引表所列文件缺失")
        for name in named
        if f"{bundle}/{name}" not in files
    ]
    problems += [
        SiteProblem("no-search-index", f"{RECORDS_DIR}/{page_id}.json", "搜索结果记录缺失")
        for page_id in ids
        if f"{RECORDS_DIR}/{page_id}.json" not in files
    ]
    return problems


def _check_search(site: Path, files: set[str], searchable: Iterable[str]) -> list[SiteProblem]:
    entry_path = f"{BUNDLE_DIR}/pagefind-entry.json"
    if entry_path not in files:
        return [SiteProblem("no-search-index", entry_path, "没有 Pagefind 索引")]
    problems = []
    try:
        entry = json.loads((site / entry_path).read_text(encoding="utf-8"))
        languages = dict(entry["languages"])
    except (ValueError, KeyError, TypeError):
        return [SiteProblem("no-search-index", entry_path, "入口文件无法读取")]
    searchable = list(searchable)
    pages = 0
    for language, info in sorted(languages.items()):
        meta = f"{BUNDLE_DIR}/pagefind.{info.get('hash')}.pf_meta"
        if meta not in files:
            problems.append(SiteProblem("no-search-index", meta, f"{language} 的索引元数据缺失"))
        wasm = f"{BUNDLE_DIR}/wasm.{info.get('wasm') or 'unknown'}.pagefind"
        if wasm not in files:
            problems.append(SiteProblem("no-search-index", wasm, "WebAssembly 文件缺失"))
        pages += int(info.get("page_count") or 0)
    if pages != len(searchable):
        problems.append(
            SiteProblem(
                "no-search-index", entry_path, f"索引含 {pages} 篇，应为 {len(searchable)} 篇"
            )
        )
    for required in (QUERY_FILE, TABLE_FILE):
        if required not in files:
            problems.append(SiteProblem("no-search-index", required))
    problems += _check_table(site, files, len(searchable))
    return problems
