"""Search that finds every proper noun of the archive: in the browser and on the command line.

The nouns are extracted from the content automatically (see nouns.py); each is searched as a
reader would, and must return exactly the documents that contain it, those with it in their
title first. A query in traditional script finds what its simplified form finds.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from nouns import compact, documents_containing, proper_nouns

from browsing import screenshot
from bulletin.content.taxonomy import load_taxonomies
from bulletin.relations.archive import build_archive, read_content
from search.analysis.documents import BLOCK_END, document_words
from search.analysis.folds import fold_map
from search.analysis.rules import FILLER, TITLE_SLOTS
from search.analysis.tokens import normalize, query_terms, spaced
from search.query.cli import run
from search.query.suggest import suggest
from search.query.whoosh_search import Filters, search

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


@pytest.fixture(scope="module")
def archive():
    documents, _ = read_content(CONTENT)
    return build_archive(documents, load_taxonomies(CONTENT))


@pytest.fixture(scope="module")
def nouns(archive):
    """Proper nouns that occur in the archive's documents, with who contains them."""
    found = {}
    for noun in proper_nouns(archive):
        anywhere, in_title = documents_containing(archive, noun)
        if anywhere:
            found[noun] = (anywhere, in_title)
    assert len(found) > 200
    return found


@pytest.fixture(scope="module")
def whoosh(site: Path) -> Path:
    return site.with_name(site.name + ".whoosh")


# --- text --------------------------------------------------------------------------------


def test_index_and_query_are_cut_the_same_way():
    assert normalize("溫商回歸　ＡＢ１２") == "温商回归 ab12"
    words = spaced("温委发〔2014〕27号 A-378").split()
    assert spaced("温委发2014 27号 a 378") == " ".join(words)  # punctuation does not count
    assert words[:2] == ["h" + "lrd" + "hhqs", "hhqs" + "hgk1"]  # 温委, 委发 as pairs of codes
    assert words[2:4] == ["hgk1l42014", "l42014l227"] and words[-1] == "l3378e"
    assert len(words) == 8 and all(w.isascii() and w.isalnum() for w in words)
    assert query_terms("溫商回歸 温委发〔2014〕27号") == [
        ["温", "商", "回", "归"],
        ["温", "委", "发", "2014", "27", "号"],
    ]
    assert query_terms("温委发〔2014〕第27号") == query_terms("温委发[2014]27号")
    words = document_words("孔海龙督查", "副市长孔海龙率队")
    # as Pagefind numbers them: a full stop after the title's words and after the filler's
    assert words[:5] == spaced("孔海龙督查").split() and words[5] == BLOCK_END
    assert set(words[6 : TITLE_SLOTS + 1]) == {FILLER} and words[TITLE_SLOTS + 1] == BLOCK_END
    assert words[TITLE_SLOTS + 2 :] == spaced("副市长孔海龙率队").split()


def test_fold_map_covers_the_corpus_characters_in_every_script():
    mapping = fold_map("温商回归台湾，里面的情况大家都了解。")
    assert {mapping["溫"], mapping["歸"], mapping["臺"], mapping["灣"]} == {"温", "归", "台", "湾"}
    assert mapping["裏"] == mapping["裡"] == "里"  # Hong Kong and Taiwan forms of 里
    assert mapping["瞭"] == "了"  # OpenCC writes 瞭 only in context: 了解 → 瞭解
    assert "國" not in mapping  # 国 is not in that corpus
    assert "了" not in mapping and "台" not in mapping  # characters of the corpus stay


# --- the command line (Whoosh) -------------------------------------------------------------


def test_whoosh_finds_every_proper_noun_exactly_with_title_matches_first(whoosh, nouns):
    failures = []
    for noun, (anywhere, in_title) in nouns.items():
        hits, _ = search(whoosh, noun, limit=None)
        urls = [h.url for h in hits if h.exact]  # matches with gaps follow (tested below)
        if set(urls) != anywhere or any(h.exact for h in hits[len(urls) :]):
            failures.append(f"{noun}: {sorted(set(urls) ^ anywhere)}")
        elif set(urls[: len(in_title)]) != in_title:
            failures.append(f"{noun}: title matches not first")
    assert failures == []


def test_whoosh_traditional_script_finds_the_same(whoosh):
    simplified, _ = search(whoosh, "温商回归", limit=None)
    traditional, _ = search(whoosh, "溫商回歸", limit=None)
    assert simplified and [h.url for h in traditional] == [h.url for h in simplified]


def test_whoosh_filters_and_sorting(whoosh, archive):
    hits, total = search(whoosh, "温商", Filters(county="瑞安市"), limit=None)
    assert total == len(hits) > 0 and all("瑞安市" in h.counties for h in hits)
    hits, _ = search(whoosh, "", Filters(kind="policy"), limit=None)
    assert [h.title for h in hits] == [p.title for p in archive.policies]
    hits, _ = search(whoosh, "招商", sort="date", limit=None)
    dates = [h.date for h in hits]
    assert dates == sorted(dates, reverse=True)
    hits, _ = search(whoosh, "温州", Filters(year="2014", topic="山海协作"), limit=None)
    assert hits and all(h.date.startswith("2014") and "山海协作" in h.topics for h in hits)


def test_whoosh_finds_words_with_gaps_below_exact_matches(whoosh):
    hits, _ = search(whoosh, "会长培训班", limit=None)
    titles = [h.title for h in hits]
    october = next(t for t in titles if "会长（秘书长）培训班" in t)
    assert titles.index(october) < 5 and not hits[titles.index(october)].exact
    assert all(h.exact for h in hits[: titles.index(october)])  # exact matches come first
    assert not search(whoosh, "平阳温商回归", limit=5)[0]  # no word soup: every token, in order


def test_command_line_suggests_names_that_read_alike(whoosh):
    assert suggest(whoosh, "孔海隆") == ["孔海龙"]
    assert suggest(whoosh, "瓯江口新去")[0] == "瓯江口新区"
    assert suggest(whoosh, "福建 孔海隆") == ["福建 孔海龙"]
    assert "您是不是要找：孔海龙" in run(whoosh, "孔海隆")


def test_cli_json_and_text(whoosh):
    data = json.loads(run(whoosh, "孔海龙", as_json=True, site_url="http://x.test"))
    assert data[0]["title"] == "孔海龙督查开发区重点项目建设"
    assert (
        data[0]["url"]
        == "http://x.test/bulletins/2014-10/kong-hailong-ducha-kaifaqu-zhongdianxiangmu/"
    )
    assert set(data[0]) >= {"title", "url", "date", "kind", "score"}
    assert data[0]["kind"] == "简报" and data[0]["date"] == "2014-10-27"
    text = run(whoosh, "温委发〔2014〕27号", site_url="http://x.test")
    assert "关于进一步加强温商回归工作的若干意见" in text.splitlines()[1]


def test_invoke_search_on_the_command_line(whoosh):
    def invoke(*args):
        return subprocess.run(
            [sys.executable, "-m", "invoke", "search", *args, "--index", str(whoosh)],
            cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip

    out = invoke("陈一新", "--county", "鹿城", "--kind", "简报", "--json")
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert results and all("鹿城区" in r["counties"] and r["kind"] == "简报" for r in results)
    out = invoke("温商", "--county", "平杨县")
    assert out.returncode == 1 and "是不是“平阳县”" in out.stderr
    out = invoke("温商", "--year", "14")
    assert out.returncode == 1 and "--year" in out.stderr


# --- the browser (Pagefind) ----------------------------------------------------------------


def run_query(page, query: str) -> tuple[int, list[dict]]:
    """Search through the page's own form; return the count shown and the results shown."""
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_function(
        "q => { const l = document.getElementById('search-results');"
        " return l.dataset.query === q && l.dataset.state === 'done'; }",
        arg=query,
    )
    status = page.inner_text("#search-status")
    counted = re.search(r"找到 (\d+) 条", status)
    count = int(counted.group(1)) if counted else 0
    results = page.eval_on_selector_all(
        ".search-result",
        """items => items.map(li => ({
            url: new URL(li.querySelector('a').href).pathname.replace(/^\\//, ''),
            title: li.querySelector('a').textContent,
            marks: [...li.querySelectorAll('mark')].map(m => m.textContent),
        }))""",
    )
    return count, results


@pytest.mark.browser
def test_every_proper_noun_is_found_in_the_browser(page, site_url, nouns, artifacts):
    page.goto(f"{site_url}/search/")
    failures = []
    for noun, (anywhere, in_title) in nouns.items():
        count, results = run_query(page, noun)
        first = results[0] if results else None
        contains = first and (
            compact(noun) in compact(first["title"])
            or any(compact(noun) in compact(m) for m in first["marks"])
        )
        top = {r["url"] for r in results[: min(len(in_title), len(results))]}
        if count != len(anywhere) or not contains:
            failures.append(f"{noun}: {count} results, expected {len(anywhere)}")
        elif len(in_title) <= len(results) and top != in_title:
            failures.append(f"{noun}: title matches not first")
    found = len(nouns) - len(failures)
    (artifacts / "search-recall.txt").write_text(
        f"browser recall: {found}/{len(nouns)} proper nouns\n" + "\n".join(failures) + "\n",
        encoding="utf-8",
    )
    assert failures == []


@pytest.mark.browser
def test_traditional_query_in_the_browser_finds_the_simplified(page, site_url):
    page.goto(f"{site_url}/search/")
    simplified = run_query(page, "温商回归")
    traditional = run_query(page, "溫商回歸")
    assert simplified[0] > 0 and traditional == (simplified[0], traditional[1])
    assert [r["url"] for r in traditional[1]] == [r["url"] for r in simplified[1]]


@pytest.mark.browser
def test_query_filters_and_sort_live_in_the_url(page, site_url, artifacts):
    page.set_viewport_size({"width": 360, "height": 800})
    url = f"{site_url}/search/?q={quote('温商')}&county={quote('瑞安市')}&sort=date"
    page.goto(url)
    page.wait_for_function(
        "() => document.getElementById('search-results').dataset.state === 'done'"
    )
    assert page.input_value("#q") == "温商"
    assert page.input_value("#f-county") == "瑞安市"
    assert page.input_value("#f-sort") == "date"
    assert page.locator("#search-options").get_attribute("open") is not None
    titles = page.locator(".search-result .doc-title").all_inner_texts()
    assert titles and all(t for t in titles)
    screenshot(page, artifacts / "search-phone.png", full_page=True)
    page.select_option("#f-kind", "政策")
    page.wait_for_function(
        "() => location.search.includes('kind=') && "
        "document.getElementById('search-results').dataset.state === 'done'"
    )
    assert "kind=%E6%94%BF%E7%AD%96" in page.url


@pytest.mark.browser
def test_search_box_on_every_page_leads_to_results(page, site_url):
    page.goto(f"{site_url}/bulletins/2014-07-13/")
    page.fill("#site-search-q", "瓯江口新区")
    page.press("#site-search-q", "Enter")
    page.wait_for_function(
        "() => document.getElementById('search-results')?.dataset.state === 'done'"
    )
    assert "q=%E7%93%AF%E6%B1%9F%E5%8F%A3%E6%96%B0%E5%8C%BA" in page.url
    assert page.locator(".search-result").count() > 0
    page.keyboard.press("Tab")  # keyboard: focus moves on from the search field
    assert page.evaluate("document.activeElement.tagName") in ("BUTTON", "SUMMARY", "A", "SELECT")


@pytest.mark.browser
def test_each_item_page_is_its_own_search_result(page, site_url, archive):
    page.goto(f"{site_url}/search/")
    _, results = run_query(page, "平阳县打好三张牌")
    assert results[0]["url"] == next(i.url for i in archive.items if "三张牌" in i.title)


@pytest.mark.browser
def test_single_characters_and_numbers_are_found_too(page, site_url, whoosh):
    """A one-token term is a prefix of the index words: 孔 finds every document with 孔.

    The browser must agree with the command line, which matches token strings directly.
    """
    page.goto(f"{site_url}/search/")
    for query in ["孔", "瓯", "2014", "27"]:
        hits, total = search(whoosh, query, limit=None)
        assert total and all(h.exact for h in hits)
        count, _ = run_query(page, query)
        assert count == total, query


READERS_TABLE = [  # what readers typed (issue 9): query, a title it must find in the top 5
    ("山海協作", "瓯海区到永嘉县开展山海协作对口帮扶活动"),
    ("溫商回歸大會", "全力推动温商回归创业创新 打造时尚之都 再创温州辉煌"),
    ("福建 温商 回乡考察", "温商回乡踊跃提建议 书记市长当场抓落实"),
    ("会长培训班", "2014年第二期全国各地温州商会会长（秘书长）培训班在市委党校举办"),
    ("臺灣 温商", None),  # nothing, but no error either
]


@pytest.mark.browser
@pytest.mark.parametrize(("query", "title"), READERS_TABLE)
def test_what_readers_typed_as_their_first_query(browser, site_url, whoosh, query, title):
    """Each in a fresh page: the first query is folded with the whole map, not a late one."""
    page = browser.new_page()
    try:
        page.goto(f"{site_url}/search/")
        count, results = run_query(page, query)
        hits, _ = search(whoosh, query, limit=5)
        if title is None:
            assert count == 0 and not hits
            return
        assert title in [r["title"] for r in results[:5]]
        assert title in [h.title for h in hits]
    finally:
        page.close()


@pytest.mark.browser
def test_homophone_typos_offer_the_archive_names(page, site_url, whoosh):
    page.goto(f"{site_url}/search/")
    for typo, meant in [("孔海隆", "孔海龙"), ("瓯江口新去", "瓯江口新区")]:
        run_query(page, typo)
        page.wait_for_function(
            "() => document.getElementById('search-suggest').dataset.state === 'done'"
        )
        offered = page.locator("#search-suggest a").all_inner_texts()
        assert offered[0] == meant and offered == suggest(
            whoosh, typo, len(search(whoosh, typo)[0])
        )
    page.click("#search-suggest a")  # the suggestion runs that search
    page.wait_for_function(
        "() => document.getElementById('search-results').dataset.query === '瓯江口新区'"
        " && document.getElementById('search-results').dataset.state === 'done'"
    )
    assert "q=%E7%93%AF%E6%B1%9F%E5%8F%A3%E6%96%B0%E5%8C%BA" in page.url
    assert page.locator(".search-result").count() > 0
