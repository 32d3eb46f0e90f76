"""The real content, built: fidelity, pages, taxonomies, anchors, links and determinism."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

from bulletin.content.taxonomy import load_taxonomies
from bulletin.importing.rawtext import DEBRIS_RE, HEADLINE_RE
from bulletin.relations.archive import build_archive, read_content
from sitecheck import (
    CONTENT,
    build_into,
    internal_links,
    main_text,
    parse,
    squash,
    target_file,
    url_of,
)

PAGES_OF_SOURCES = {
    "2014-01-jianbao.txt": "bulletins/2014-01/index.html",
    "2014-10-jianbao.txt": "bulletins/2014-10/index.html",
    "2014-07-13-jianbao.txt": "bulletins/2014-07-13/index.html",
    "2014-05-29-chen-yixin-jianghua.txt": "speeches/2014-05-29-chen-yixin/index.html",
    "wenweifa-2014-27-zhengce.txt": "policies/wenweifa-2014-27/index.html",
}


@pytest.fixture(scope="module")
def archive():
    documents, problems = read_content(CONTENT)
    assert not [p for p in problems if p.severity == "error"]
    return build_archive(documents, load_taxonomies(CONTENT))


@pytest.mark.parametrize("source", sorted(PAGES_OF_SOURCES))
def test_every_paragraph_of_the_raw_source_is_on_its_page(site: Path, source: str):
    text = squash(main_text(site / PAGES_OF_SOURCES[source]))
    raw = (CONTENT / "raw" / source).read_text(encoding="utf-8")
    missing = []
    for line in raw.splitlines():
        paragraph = squash(line)
        if not paragraph or DEBRIS_RE.match(paragraph) or HEADLINE_RE.match(paragraph):
            continue
        if paragraph not in text:
            missing.append(paragraph)
    assert missing == []


def test_the_raw_sources_are_published_unchanged(site: Path):
    for source in PAGES_OF_SOURCES:
        assert (site / "raw" / source).read_bytes() == (CONTENT / "raw" / source).read_bytes()


def test_each_of_the_23_items_has_its_own_page(site: Path, archive):
    item_pages = sorted(site.glob("bulletins/*/*/index.html"))
    assert len(item_pages) == 23
    assert [len(i.items) for i in archive.issues] == [6, 6, 11]
    titles = {squash(parse(p).findtext(".//h1")) for p in item_pages}
    assert titles == {squash(item.title) for item in archive.items}


def test_item_page_links_to_its_issue_and_neighbours(site: Path, archive):
    items = archive.items
    for index, item in enumerate(items):
        page = site / item.url / "index.html"
        hrefs = {url for _, url, _ in internal_links(site, page)}
        assert item.issue.url in hrefs
        if index > 0:
            assert items[index - 1].url in hrefs
        if index + 1 < len(items):
            assert items[index + 1].url in hrefs
        doc = parse(page)
        if item.unit:
            assert doc.xpath("string(//p[@class='unit'])") == item.unit


@pytest.mark.parametrize("key", ["counties", "topics"])
def test_each_term_page_lists_exactly_the_documents_tagged_with_it(site: Path, archive, key):
    taxonomy = archive.taxonomies[key]
    for term in taxonomy:
        expected = {
            d.url
            for d in [*archive.items, *archive.policies, *archive.speeches]
            if any(taxonomy.resolve(n) == term for n in getattr(d, key))
        }
        page = site / key / term.slug / "index.html"
        listed = [url for _, url, _ in internal_links(site, page) if url != ""]
        doc_links = {
            url for url in listed
            if any(url == d.url for d in archive.pages)
        }  # fmt: skip
        assert doc_links == expected, term.name
        shown = parse(page).xpath("string(//p[@class='count-line']/strong)")
        assert int(shown) == len(expected)


def test_the_policy_has_20_clause_anchors_and_a_toc(site: Path):
    doc = parse(site / "policies/wenweifa-2014-27/index.html")
    clauses = doc.xpath("//*[starts-with(@id, 'clause-')]/@id")
    assert clauses == [f"clause-{n}" for n in range(1, 21)]
    toc = doc.xpath("//nav[contains(@class, 'toc')]//a/@href")
    assert [h for h in toc if h.startswith("#clause-")] == [f"#clause-{n}" for n in range(1, 21)]
    sections = doc.xpath("//h2[starts-with(@id, 'section-')]/@id")
    assert sections == ["section-1", "section-2", "section-3"]
    subsections = doc.xpath("//h3[starts-with(@id, 'section-')]/@id")
    assert subsections == [f"section-2-{n}" for n in range(1, 5)]
    assert doc.xpath("string(//*[@id='clause-5'])").startswith("5．实施温商回归“百名领头雁工程”")


def test_no_internal_link_is_broken(site: Path):
    broken = []
    ids: dict[Path, set[str]] = {}
    for page in sorted(site.rglob("*.html")):
        for value, url, fragment in internal_links(site, page):
            target = target_file(site, url)
            if target is None:
                broken.append(f"{url_of(site, page)} → {value}")
                continue
            if fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(parse(target).xpath("//@id"))
                if fragment not in ids[target]:
                    broken.append(f"{url_of(site, page)} → {value} (no #{fragment})")
    assert broken == []


def test_every_page_has_a_title_lang_and_canonical_url(site: Path):
    for page in site.rglob("*.html"):
        doc = parse(page)
        assert doc.get("lang") == "zh-CN", page
        assert doc.findtext(".//title").strip(), page
        assert len(doc.xpath("//h1")) == 1, page
        if page.name != "404.html":
            canonical = doc.xpath("//link[@rel='canonical']/@href")[0]
            assert canonical == "http://localhost:8000/" + url_of(site, page)


def test_feeds_and_sitemap(site: Path, archive):
    from lxml import etree

    feed = etree.parse(str(site / "feeds/all.atom.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.xpath("//a:entry", namespaces=ns)
    documents = len(archive.items) + len(archive.policies) + len(archive.speeches)
    assert len(entries) == min(documents, 100)  # a feed holds the newest 100 (FEED_MAX_ITEMS)
    for key, taxonomy in archive.taxonomies.items():
        for term in taxonomy:
            assert (site / "feeds" / key / f"{term.slug}.atom.xml").is_file()
    sitemap = etree.parse(str(site / "sitemap.xml"))
    locs = sitemap.xpath(
        "//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    )
    pages = {url_of(site, p) for p in site.rglob("*.html") if p.name != "404.html"}
    assert {loc.removeprefix("http://localhost:8000/") for loc in locs} == pages


def test_urls_are_ascii(site: Path):
    for path in site.rglob("*"):
        assert path.relative_to(site).as_posix().isascii(), path


def test_unknown_issue_numbers_and_dates_are_shown_as_such(site: Path):
    text = main_text(site / "bulletins/2014-01/index.html")
    assert "原文未注明" in text and "2014年1月（推断）" in text
    text = main_text(site / "bulletins/2014-07-13/index.html")
    assert "2014年7月13日" in text and "（推断）" not in text.split("期号")[0]
    text = main_text(site / "bulletins/2014-01/shirenda-fu-zhuren-meng-jianxin-zoufang/index.html")
    assert "2013年12月30日" in text


def test_distribution_block_is_shown_on_the_issue_page(site: Path):
    doc = parse(site / "bulletins/2014-01/index.html")
    labels = doc.xpath("//section[@class='distribution']//span[@class='label']/text()")
    assert labels == ["报：", "送：", "发："]
    text = squash(doc.xpath("string(//section[@class='distribution'])"))
    assert "市国内招商中心" in text  # joined across the broken line


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path):
    again = build_into(tmp_path / "again")
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [str(k) for k in first if first[k] != second[k]] == []


def test_page_content_is_sanitised(site: Path):
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        scripts = re.findall(r"<script(?![^>]*application/ld\+json)[^>]*>.*?</script>", html, re.S)
        # Only the theme's own script files (reader preferences), never inline code.
        own = re.compile(r'<script (?:type="module" )?src="[^"]*/theme/js/[\w-]+\.js"></script>')
        assert [s for s in scripts if not own.fullmatch(s)] == [], page


def test_every_item_page_lists_three_to_five_related_documents(site: Path, archive):
    pages = {d.url for d in archive.pages}
    for item in archive.items:
        page = site / item.url / "index.html"
        hrefs = parse(page).xpath("//section[@class='related']//a[@class='doc-title']/@href")
        base = urljoin("http://site.test/", item.url)
        related = [urljoin(base, h).removeprefix("http://site.test/") for h in hrefs]
        assert 3 <= len(related) <= 5, item.url
        assert item.url not in related and set(related) <= pages


def test_related_documents_prefer_the_same_county_or_topic(archive):
    from bulletin.content.render import render_markdown
    from bulletin.site.search_records import search_docs
    from search.index.related import related

    for document in archive.documents:
        document.html = render_markdown(getattr(document, "body", "")).html
    docs = search_docs(archive)
    by_url = {d.url: d for d in docs}

    def shares(a: str, b: str) -> bool:
        x, y = by_url[a], by_url[b]
        return bool(set(x.counties) & set(y.counties) or set(x.topics) & set(y.topics))

    pairs = [(u, v) for u, urls in related(docs).items() for v in urls]
    assert all(u != v for u, v in pairs)
    chosen = sum(shares(u, v) for u, v in pairs) / len(pairs)
    baseline = sum(shares(u, v) for u in by_url for v in by_url if u != v) / (
        len(by_url) * (len(by_url) - 1)
    )
    assert chosen > baseline + 0.25, (chosen, baseline)


def test_feeds_hold_the_newest_documents(tmp_path: Path, archive):
    """Each feed holds the newest FEED_MAX_ITEMS documents, newest first."""
    from lxml import etree

    site = build_into(tmp_path / "site", FEED_MAX_ITEMS=5, SEARCH_INDEXES=False)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = etree.parse(str(site / "feeds/all.atom.xml"))
    links = feed.xpath("//a:entry/a:link/@href", namespaces=ns)
    dated = [d for d in archive.documents if d.sort_date is not None]
    newest = sorted(dated, key=lambda d: (d.sort_date.first_day, d.url), reverse=True)[:5]
    assert [link.removeprefix("http://localhost:8000/") for link in links] == [
        d.url for d in newest
    ]


def test_a_failing_search_worker_fails_the_build(tmp_path: Path):
    """The search indexes are built in a worker process beside the pages: its failure is
    the build's, and no worker is left running."""
    import multiprocessing

    from bulletin.build.sitebuild import BuildFailed

    with pytest.raises(BuildFailed, match="search indexes"):
        build_into(tmp_path / "site", SEARCH_SHARD_SIZE="ten")
    assert not multiprocessing.active_children()


def test_a_failing_whoosh_index_fails_the_build_and_ends_the_worker(tmp_path: Path):
    """A second worker writes the Whoosh index beside the one of the Pagefind bundle: its
    failure is the build's too, and every worker is ended."""
    import multiprocessing

    from bulletin.build.sitebuild import BuildFailed

    with pytest.raises(BuildFailed, match="two"):
        build_into(tmp_path / "site", SEARCH_WHOOSH_PROCS="two")
    assert not multiprocessing.active_children()
    assert not (tmp_path / "site.whoosh").exists()


def test_a_build_that_fails_while_its_pages_are_rendered_ends_its_search_workers(
    tmp_path: Path,
):
    """The search workers start before the pages are rendered; when rendering fails, the
    build ends them (the `Workers` it owns), and none is left running."""
    import multiprocessing
    import shutil

    from bulletin.build.sitebuild import BuildFailed
    from sitecheck import ROOT

    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    page = theme / "templates" / "base.html"
    text = page.read_text(encoding="utf-8").replace("</body>", "{{ no_such_function() }}</body>")
    page.write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed, match="no_such_function"):
        build_into(tmp_path / "site", THEME=str(theme))
    assert not multiprocessing.active_children()
