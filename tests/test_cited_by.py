"""A much-cited document's page stays small: it lists the newest citing documents, and all of
them are on 被引用 pages of their own (`…/cited-by/`, paginated).

A synthetic archive of 1,000 items (bench/corpus.py) cites the real policy
温委发〔2014〕27号 from a few dozen items; at 100,000 items it would be thousands, and
the page would grow with the archive. Built and published (the verifier checks every link),
with 10 entries per list page.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from bench.corpus import make_corpus
from bulletin.build.sitebuild import build_site
from bulletin.checks.checks import read_archive
from bulletin.site.links import PART_CITERS_SHOWN
from bulletin.site.pages import CITED_BY_SHOWN
from sitecheck import ROOT, parse

PER_PAGE = 10
ORIGIN = "https://archive.example.org"
POLICY = "policies/wenweifa-2014-27/"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("cited")
    content = make_corpus(work / "content", items=1000, seed=11)
    for kind in ("policies", "speeches"):
        shutil.copytree(ROOT / "content" / kind, content / kind, dirs_exist_ok=True)
    shutil.copytree(ROOT / "content" / "raw", content / "raw")
    site = work / "site"
    build_site(
        str(ROOT / "publishconf.py"),
        site,
        overrides={"SITEURL": ORIGIN, "BULLETIN_PER_PAGE": PER_PAGE, "SEARCH_WHOOSH_PATH": ""},
        content=content,
        publish=True,  # raises VerificationFailed if a link or page is wrong
    )
    return content, site.resolve()


def links(page: Path, xpath: str) -> list[str]:
    return [a.get("href").removeprefix(ORIGIN + "/") for a in parse(page).xpath(xpath)]


def test_the_policy_page_lists_the_newest_and_links_to_all(built):
    content, site = built
    archive, _ = read_archive(content)
    citing = [b.document.url for b in archive.references.backlinks(POLICY)]
    assert len(citing) > max(CITED_BY_SHOWN, 2 * PER_PAGE)  # else this would prove little
    page = site / POLICY / "index.html"
    section = "//section[@class='cited-by']"
    assert links(page, f"{section}//a[@class='doc-title']") == citing[:CITED_BY_SHOWN]
    (everyone,) = links(page, f"{section}/p/a")
    assert everyone == POLICY + "cited-by/"
    assert f"全部 {len(citing)} 篇" in parse(page).xpath(f"string({section}/p)")
    # The page's structured data names the documents the page lists, not all of them.
    (script,) = parse(page).xpath("//script[@type='application/ld+json']/text()")
    about = [entry["url"].removeprefix(ORIGIN + "/") for entry in json.loads(script)["subjectOf"]]
    interpreters = [d.url for d in archive.references.interpreted_by(POLICY)]
    assert about == interpreters + citing[:CITED_BY_SHOWN]
    # Each cited part names at most a few citing documents, then links to all of them.
    for note in parse(page).xpath("//p[@class='part-cited']"):
        names = [a for a in note.xpath("a") if "全部" not in a.text_content()]
        assert len(names) <= PART_CITERS_SHOWN


def test_the_cited_by_pages_list_every_citing_document_in_order(built):
    content, site = built
    archive, _ = read_archive(content)
    citing = [b.document.url for b in archive.references.backlinks(POLICY)]
    listed, number = [], 1
    while True:
        url = POLICY + "cited-by/" + ("" if number == 1 else f"page/{number}/")
        page = site / url / "index.html"
        if not page.is_file():
            break
        entries = links(page, "//main//ol[@class='doc-list']/li/a[@class='doc-title']")
        assert 0 < len(entries) <= PER_PAGE
        listed += entries
        # A citing document's clause links point at the policy's own page.
        for href in links(page, "//span[@class='cited-parts']/a"):
            assert href.startswith(POLICY + "#clause-") or href.startswith(POLICY + "#"), href
        number += 1
    assert listed == citing
    sitemap = ET.parse(site / "sitemap.xml").getroot()
    locs = {e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert f"{ORIGIN}/{POLICY}cited-by/page/2/" in locs
