"""Pages that read right: one form for dates, kinds and issues; years that agree; issues
linked to each other; raw sources with readable names."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bulletin.content.taxonomy import load_taxonomies
from bulletin.importing.importer import import_file
from bulletin.relations.archive import build_archive, read_content
from bulletin.site.search_records import search_doc
from sitecheck import CONTENT, ROOT, html_pages, parse

KINDS = {"简报", "政策文件", "讲话"}
RAW = Path(__file__).resolve().parent / "fixtures" / "raw"


def meta_lines(site: Path) -> list[tuple[str, list[str]]]:
    """(page, texts of the parts) of every meta line under a document in a list."""
    lines = []
    for page in html_pages(site):
        for meta in parse(page).xpath("//p[contains(@class, 'doc-meta')]"):
            parts = [" ".join(e.text_content().split()) for e in meta if e.tag == "span"]
            lines.append((page.relative_to(site).as_posix(), parts))
    return lines


# --- 5. labels ----------------------------------------------------------------------------


def test_a_meta_line_names_kind_date_and_issue_once_each(site):
    lines = meta_lines(site)
    assert lines
    for page, parts in lines:
        text = " · ".join(parts)
        assert text.count("简报") <= 1, (page, text)
        assert text.count("未注明") <= 1, (page, text)
        assert "）简报）" not in text and "（推断）简报" not in text, (page, text)


def test_the_reported_item_reads_kind_date_issue(site):
    """It read 简报 · 日期未注明（2014年7月13日简报） · 简报 2014年7月13日."""
    lines = meta_lines(site)
    county = [parts for page, parts in lines if page == "counties/pingyang/index.html"]
    assert ["简报", "日期未注明", "2014年7月13日印发", "(平阳县协作办)"] in county
    assert ["简报", "日期未注明", "2014年1月印发（推断）", "（平阳县招商局）"] in county


def test_a_kind_has_one_name_everywhere(site):
    shown = set()
    for page in html_pages(site):
        shown |= {e.text_content().strip() for e in parse(page).find_class("kind")}
    assert shown and shown <= KINDS, shown
    records = [json.loads(p.read_text("utf-8")) for p in (site / "search" / "docs").glob("*.json")]
    assert records and {r["kind"] for r in records} <= KINDS
    options = parse(site / "search" / "index.html").xpath("//select[@id='f-kind']/option")
    assert [o.text_content() for o in options][1:] == ["简报", "政策文件", "讲话"]


def test_item_pages_show_their_own_date_only(site):
    page = parse(site / "bulletins/2014-07-13/wenshang-huixiang-yongyue-ti-jianyi-shuji/index.html")
    facts = dict(zip(page.xpath("//dl[@class='doc-facts']/dt/text()"),
                     [" ".join(d.text_content().split()) for d in page.xpath("//dl[@class='doc-facts']/dd")],
                     strict=True))  # fmt: skip
    assert facts["日期"] == "2014年7月11日"


# --- 6. years ----------------------------------------------------------------------------


def test_every_chart_year_is_a_year_of_the_archive(site):
    archive = parse(site / "archive/index.html")
    listed = {
        int(m.group(1))
        for a in archive.xpath("//main//a")
        if (m := re.fullmatch(r"archive/(\d{4})/", a.get("href", "").removeprefix("../")))
    }
    assert listed == {2014}
    for page in [*sorted((site / "counties").glob("*/index.html")),
                 *sorted((site / "topics").glob("*/index.html"))]:  # fmt: skip
        rows = parse(page).xpath("//figure[@class='chart']//tbody/tr")
        years = {int(r.xpath("string(th)")[:4]) for r in rows if r.xpath("string(td)") != "0"}
        assert years <= listed, (page, years)


def test_an_item_is_filed_under_its_issues_year_everywhere():
    documents, _ = read_content(CONTENT)
    archive = build_archive(documents, load_taxonomies(CONTENT))
    item = next(i for i in archive.items if i.date.value and i.date.value.year == 2013)
    assert archive.year_of(item) == 2014 == archive.year_of(item.issue)
    assert archive.year_span() == [2014]
    assert search_doc(archive, item).year == "2014"


def test_a_term_without_documents_says_so_instead_of_an_empty_chart(site):
    empty = [
        page
        for page in sorted((site / "counties").glob("*/index.html"))
        if "共 0 篇" in " ".join(parse(page).xpath("string(//p[@class='count-line'])").split())
    ]
    assert empty
    for page in empty:
        tree = parse(page)
        assert not tree.xpath("//figure[@class='chart']"), page
        assert "还没有收录" in tree.xpath("string(//main//p[@class='empty'])"), page


def test_the_home_page_offers_only_terms_with_documents(site):
    counts = parse(site / "index.html").xpath("//ul[@class='term-cloud']//span[@class='count']")
    assert counts and all(int(c.text_content()) > 0 for c in counts)


# --- 8. previous and next issue -----------------------------------------------------------


@pytest.mark.parametrize(
    ("issue", "previous", "following"),
    [
        ("2014-01", None, "2014-07-13"),
        ("2014-07-13", "2014-01", "2014-10"),
        ("2014-10", "2014-07-13", None),
    ],
)
def test_issue_pages_link_the_previous_and_next_issue(site, issue, previous, following):
    page = parse(site / "bulletins" / issue / "index.html")
    nav = page.xpath("//nav[@aria-label='上一期与下一期']")
    assert len(nav) == 1
    for rel, other, label in (("prev", previous, "上一期"), ("next", following, "下一期")):
        links = nav[0].xpath(f".//a[@rel='{rel}']")
        if other is None:
            assert links == []
        else:
            assert links[0].get("href") == f"../../bulletins/{other}/"
            assert label in links[0].getparent().text_content()


# --- 9. raw sources --------------------------------------------------------------------------


def test_raw_sources_have_readable_names_and_titles(site):
    page = parse(site / "bulletins/2014-07-13/index.html")
    link = page.xpath("//dl[@class='doc-facts']//a[@type='text/plain']")[0]
    assert link.get("href") == "../../raw/2014-07-13-jianbao.txt"
    assert link.text_content() == "简报 2014年7月13日 原文"
    for html in html_pages(site):
        for href in parse(html).xpath("//a[@type='text/plain']/@href"):
            assert re.fullmatch(r"(\.\./)*raw/[a-z0-9-]+\.txt", href), (html, href)


def test_old_raw_addresses_keep_working(site):
    moved = {
        "000_b0a6919b7e27e247.txt": "2014-01-jianbao.txt",
        "002_2291fb7712e7c983.txt": "2014-07-13-jianbao.txt",
        "004_29d7c76bfeb6de3c.txt": "wenweifa-2014-27-zhengce.txt",
    }
    for old, new in moved.items():
        assert (site / "raw" / old).read_bytes() == (ROOT / "content" / "raw" / new).read_bytes()


def test_the_importer_names_a_raw_source_after_its_document(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "taxonomy", content / "taxonomy")
    source = tmp_path / "简报第12期（终稿）.txt"
    shutil.copy(RAW / "masthead_sections_gbk.txt", source)
    outcome = import_file(source, content)
    slug = outcome.result.document.slug
    assert outcome.raw_path.name == f"{slug}-jianbao.txt"
    assert f"source: raw/{slug}-jianbao.txt" in outcome.path.read_text(encoding="utf-8")
    # A different source for the same slug does not overwrite the first.
    other = tmp_path / "other.txt"
    other.write_bytes(
        source.read_bytes().replace("。".encode("gb18030"), "；".encode("gb18030"), 1)
    )
    again = import_file(other, content, force=True)
    assert again.raw_path.name == f"{slug}-jianbao-2.txt"
