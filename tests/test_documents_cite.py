"""The real content, built: mentions become links, backlinks, citations and the open data."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import jsonschema
import lxml.html
import pytest

from browsing import new_reader
from bulletin.relations.opendata import from_csv_row
from sitecheck import html_pages, parse, url_of

POLICY = "policies/wenweifa-2014-27/"
FASHION = "bulletins/2014-07-13/woshi-jiji-mouhua-shishang-zhi-dou/"
RUIAN = "bulletins/2014-07-13/ruianshi-dazao-wenshang-huigui-qiangcichang/"
PUBLIC = "https://archive.example.org"  # publishconf.py's SITEURL; the preview is localhost


def page(site: Path, url: str) -> lxml.html.HtmlElement:
    return parse(site / url / "index.html")


def links_to_policy(tree: lxml.html.HtmlElement) -> list[str]:
    return [
        a.text_content() for a in tree.xpath("//a[@class='mention']") if POLICY in a.get("href")
    ]


def test_the_fashion_item_links_to_the_policy_and_is_listed_under_cited_by(site: Path):
    for url in (FASHION, "bulletins/2014-07-13/"):  # the item page and its issue page
        assert links_to_policy(page(site, url)) == ["《关于进一步加强温商回归工作的若干意见》"]
    href = page(site, FASHION).xpath("//a[@class='mention']/@href")[0]
    assert href == "../../../policies/wenweifa-2014-27/"
    (cited_by,) = page(site, POLICY).find_class("cited-by")
    assert cited_by.find(".//h2").text == "被引用"
    (entry,) = cited_by.findall(".//li")
    assert entry.find("a").get("href") == f"../../{FASHION}"
    assert "2014年7月13日" in entry.text_content()


def test_the_ruian_title_is_marked_not_held_and_not_linked(site: Path):
    tree = page(site, RUIAN)
    assert links_to_policy(tree) == []
    assert tree.xpath("//a[contains(., '招商选资')]") == []
    marked = [s.text for s in tree.find_class("mention-missing")]
    assert "《关于进一步加强招商选资工作的若干意见》" in marked
    (mentioned,) = tree.find_class("mentioned")
    assert "《关于进一步加强招商选资工作的若干意见》（本库未收录）" in mentioned.text_content()


def test_the_1981_number_is_marked_not_held_on_the_policy(site: Path):
    tree = page(site, POLICY)
    assert "温委发〔2012〕81号" in [s.text for s in tree.find_class("mention-missing")]
    (mentioned,) = tree.find_class("mentioned")
    text = " ".join(mentioned.text_content().split())
    assert (
        "《关于进一步加强异地温州商会建设的实施意见》（温委发〔2012〕81号）（本库未收录）" in text
    )
    assert tree.xpath("//a[contains(., '81号')]") == []


def test_validity_unstated_is_said_not_guessed(site: Path):
    (validity,) = page(site, POLICY).find_class("validity")
    assert validity.text_content().startswith("效力状态：有效性未注明")


def test_the_citation_text_of_the_policy(site: Path):
    tree = page(site, POLICY)
    assert tree.get_element_by_id("cite-text").text_content() == (
        "中共温州市委, 温州市人民政府. 关于进一步加强温商回归工作的若干意见：温委发〔2014〕27号"
        f"[EB/OL]. ([2014-05])[引用日期]. {PUBLIC}/policies/wenweifa-2014-27/."
    )
    assert tree.get_element_by_id("cite-text").get("class") == "cite-text"  # user-select: all
    speech = page(site, "speeches/2014-05-29-chen-yixin/").get_element_by_id("cite-text")
    assert speech.text_content() == (
        "陈一新. 全力推动温商回归创业创新 打造时尚之都 再创温州辉煌："
        "陈一新同志在2014年度全市温商回归大会上的讲话[EB/OL]. (2014-05-29)[引用日期]. "
        f"{PUBLIC}/speeches/2014-05-29-chen-yixin/."
    )
    item = page(site, FASHION).get_element_by_id("cite-text")
    assert item.text_content() == (
        "信息调研处. 我市积极谋划“时尚之都”发展新战略[EB/OL]. 简报, 2014-07-13[引用日期]. "
        f"{PUBLIC}/{FASHION}."
    )


def test_json_ld_carries_citation_and_subject_of(site: Path):
    def data(url):
        (script,) = page(site, url).xpath("//script[@type='application/ld+json']")
        return json.loads(script.text)

    item = data(FASHION)
    assert [c["url"].endswith(POLICY) for c in item["citation"]] == [True]
    policy = data(POLICY)
    assert [s["url"].endswith(FASHION) for s in policy["subjectOf"]] == [True]
    assert policy["citation"] == [
        {
            "@type": "CreativeWork",
            "name": "《关于进一步加强异地温州商会建设的实施意见》（温委发〔2012〕81号）",
        }
    ]


def test_linking_leaves_the_text_of_every_page_as_it_was(site: Path):
    """The body text with the mentions wrapped is the body text rendered without linking."""
    from bulletin.checks.checks import read_archive
    from bulletin.content.render import render_markdown
    from sitecheck import CONTENT

    archive, _ = read_archive(CONTENT)
    for document in [*archive.items, *archive.policies, *archive.speeches]:
        plain = render_markdown(document.body, structure=document.kind != "item").html
        linked = render_markdown(
            document.body, document.kind != "item", archive.references.links(document.url)
        ).html
        text = lxml.html.fromstring(f"<div>{plain}</div>").text_content()
        assert lxml.html.fromstring(f"<div>{linked}</div>").text_content() == text


@pytest.fixture(scope="module")
def schema(site: Path) -> dict:
    schema = json.loads((site / "data/documents.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def test_the_json_validates_and_matches_the_site_page_for_page(site: Path, schema: dict):
    records = json.loads((site / "data/documents.json").read_text(encoding="utf-8"))
    jsonschema.validate(records, schema, cls=jsonschema.Draft202012Validator)
    pages = {
        url_of(site, p)
        for p in html_pages(site)
        if p.parent.parent.name in ("policies", "speeches")
        or p.parent.parent.parent.name == "bulletins"
    }
    assert {r["url"].removeprefix(PUBLIC + "/") for r in records} == pages
    assert {r["id"] + "/" for r in records} == pages
    by_id = {r["id"]: r for r in records}
    for record in records:  # cites and cited_by are the two sides of one relation
        for other in record["cites"]:
            assert record["id"] in by_id[other]["cited_by"]
        # each record's relations are the mention links and the 被引用 list of its page
        base = "http://site.test/" + record["id"] + "/"
        tree = page(site, record["id"] + "/")

        def ids(hrefs, base=base):
            return [urlsplit(urljoin(base, h)).path.strip("/") for h in hrefs]

        linked = ids(tree.xpath("//a[@class='mention']/@href"))
        assert set(record["cites"]) == set(linked)
        citers = ids(tree.xpath("//section[@class='cited-by']//a[@class='doc-title']/@href"))
        citers += ids(
            tree.xpath("//section[@class='interpretations']//a[@class='doc-title']/@href")
        )
        assert sorted(citers) == sorted(record["cited_by"])
    assert by_id[POLICY.strip("/")]["cited_by"] == [FASHION.strip("/")]
    assert by_id[FASHION.strip("/")]["cites"] == [POLICY.strip("/")]
    assert by_id[POLICY.strip("/")]["status"] == "有效性未注明"
    assert by_id[FASHION.strip("/")]["status"] == ""


def test_the_csv_validates_and_holds_the_same_records(site: Path, schema: dict):
    text = (site / "data/documents.csv").read_text(encoding="utf-8-sig")
    rows = [from_csv_row(row) for row in csv.DictReader(text.splitlines())]
    jsonschema.validate(rows, schema, cls=jsonschema.Draft202012Validator)
    records = json.loads((site / "data/documents.json").read_text(encoding="utf-8"))
    assert rows == records


@pytest.mark.browser
def test_search_filters_policies_on_validity(page, site_url):
    page.goto(f"{site_url}/search/?status={quote('有效性未注明')}")
    page.wait_for_function(
        "() => document.getElementById('search-results').dataset.state === 'done'"
    )
    assert page.input_value("#f-status") == "有效性未注明"
    titles = page.locator(".search-result .doc-title").all_inner_texts()
    assert titles == ["关于进一步加强温商回归工作的若干意见"]
    page.select_option("#f-status", "现行有效")
    page.wait_for_function(
        "() => location.search.includes('status=') && "
        "document.getElementById('search-results').dataset.state === 'done'"
    )
    assert page.locator(".search-result").count() == 0


@pytest.mark.browser
def test_the_citation_is_copied_with_the_button_or_selected_by_one_click(browser, site_url):
    context = browser.new_context(locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    tab = context.new_page()
    tab.goto(f"{site_url}/{POLICY}")
    button = tab.locator(".copy-cite")
    button.click()
    tab.wait_for_function("document.querySelector('.copy-cite').textContent !== '复制引文'")
    assert button.inner_text() in ("已复制", "已选中，请按 Ctrl+C 复制")
    if button.inner_text() == "已复制":
        copied = tab.evaluate("navigator.clipboard.readText()")
        assert copied == tab.locator("#cite-text").inner_text()
    context.close()
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    tab = context.new_page()
    tab.goto(f"{site_url}/{POLICY}")
    assert not tab.locator(".copy-cite").is_visible()  # no script: no button
    tab.locator("#cite-text").click()
    selected = tab.evaluate("String(window.getSelection())")
    assert selected.strip() == tab.locator("#cite-text").inner_text().strip()
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("reader", ["normal", "large-type"])
def test_an_item_citing_documents_fits_a_phone(browser, site, site_url, reader):
    """The page types of browsing.py have no item with mentions: check one the same way."""
    from test_layout import OVERFLOWING, SMALL_TARGETS

    with new_reader(browser, site, "phone", reader) as r:
        r.page.goto(f"{site_url}/{FASHION}")
        assert r.page.evaluate(SMALL_TARGETS) == []
        found = r.page.evaluate(OVERFLOWING)
        assert found["scroll"] <= 0 and found["elements"] == [], found
