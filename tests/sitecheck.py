"""Helpers for tests that read the built site as a reader's browser would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

from bulletin.build.sitebuild import render_site

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
WHITESPACE_RE = re.compile(r"\s+")
SHARDED = 10  # documents per Pagefind shard in test builds


def squash(text: str) -> str:
    """Remove all whitespace: how text is compared between a source and a page."""
    return WHITESPACE_RE.sub("", text)


def html_pages(site: Path) -> Iterator[Path]:
    yield from sorted(site.rglob("*.html"))


def url_of(site: Path, page: Path) -> str:
    """The site-relative URL a page is served at (``bulletins/2014-01/``)."""
    rel = page.relative_to(site).as_posix()
    return rel[: -len("index.html")] if rel.endswith("index.html") else rel


def parse(page: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(page.read_bytes())


def main_text(page: Path) -> str:
    """The text a reader sees in a page's main region."""
    main = parse(page).find(".//main")
    return main.text_content() if main is not None else ""


def target_file(site: Path, url: str) -> Path | None:
    """The file a site-relative URL resolves to, or None."""
    path = site / unquote(url)
    if url == "" or url.endswith("/"):
        path = path / "index.html"
    return path if path.is_file() else None


def internal_links(site: Path, page: Path, base: str = "http://site.test/"):
    """(attribute value, resolved site-relative URL, fragment) of every internal href/src."""
    doc = parse(page)
    page_url = urljoin(base, url_of(site, page))
    for element in doc.iter():
        for attribute in ("href", "src"):
            value = element.get(attribute)
            if value is None or (element.tag == "link" and element.get("rel") == "canonical"):
                continue
            absolute = urljoin(page_url, value)
            parts = urlsplit(absolute)
            if absolute.startswith(base):
                yield value, parts.path[1:], parts.fragment


def build_into(path: Path, settings: str = "pelicanconf.py", **overrides) -> Path:
    """Build the real content into `path` with Pelican and the plugin; fail on errors.

    The Whoosh index goes beside it, to `path` + ``.whoosh``. The Pagefind index is built in
    shards of SHARDED documents (three for the real content), so that every search test
    runs on a merged index, as a large archive's search page does.
    """
    overrides.setdefault("SEARCH_WHOOSH_PATH", str(path.with_name(path.name + ".whoosh")))
    overrides.setdefault("SEARCH_SHARD_SIZE", SHARDED)
    render_site(str(ROOT / settings), path, overrides)
    return path


def content_search_docs():
    """The real content's archive and its search records (rendered without a build)."""
    from bulletin.content.render import render_markdown
    from bulletin.content.taxonomy import load_taxonomies
    from bulletin.relations.archive import build_archive, read_content
    from bulletin.site.search_records import search_docs

    documents, _ = read_content(CONTENT)
    archive = build_archive(documents, load_taxonomies(CONTENT))
    for document in archive.documents:
        document.html = render_markdown(getattr(document, "body", "")).html
    return archive, search_docs(archive)
