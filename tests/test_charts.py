"""The build-time SVG charts: pure functions, then how the built pages carry them."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import lxml.etree
import pytest

from bench.corpus import make_corpus
from bulletin.content.taxonomy import load_taxonomies
from bulletin.relations.archive import build_archive, read_content
from bulletin.site.charts import Bar, bar_chart, column_chart, describe, text_width
from sitecheck import CONTENT, build_into, html_pages, parse

SVG = "{http://www.w3.org/2000/svg}"
COUNTIES = [Bar("鹿城区", 3, "counties/lucheng/"), Bar("温州经济技术开发区", 1), Bar("洞头县", 0)]
CHART = {"chart_id": "c", "title": "t", "unit": "篇"}


def _svg(markup: str) -> lxml.etree._Element:
    return lxml.etree.fromstring(markup.encode())


def test_text_width_counts_chinese_as_one_em_and_latin_as_less():
    assert text_width("鹿城区", 10) == 30
    assert text_width("2014年", 10) == pytest.approx(34)


def test_bar_chart_is_an_image_named_by_its_title_and_described_by_its_numbers():
    chart = bar_chart(COUNTIES, chart_id="chart-counties", title="各区县的文件数", unit="篇")
    svg = _svg(chart.svg)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-counties-title"
    assert svg.find(f"{SVG}title").get("id") == "chart-counties-title"
    assert svg.find(f"{SVG}title").text == "各区县的文件数"
    desc = svg.find(f"{SVG}desc")
    assert svg.get("aria-describedby") == desc.get("id")
    assert desc.text == "鹿城区 3 篇，温州经济技术开发区 1 篇，洞头县 0 篇。"
    assert chart.total == 4


def test_bar_chart_draws_one_row_per_label_with_bars_in_proportion():
    svg = _svg(bar_chart(COUNTIES, chart_id="c", title="t", unit="篇").svg)
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    values = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert labels == ["鹿城区", "温州经济技术开发区", "洞头县"]
    assert values == ["3", "1", "0"]
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect")]
    assert len(widths) == 2  # nothing drawn for zero
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.2)
    # The labels fit in the picture: the longest label ends left of where the bars start.
    bar_x = float(next(svg.iter(f"{SVG}rect")).get("x"))
    assert bar_x >= text_width("温州经济技术开发区")


def test_charts_are_sized_by_viewbox_only_and_styled_by_class():
    for chart in (
        bar_chart(COUNTIES, chart_id="a", title="t", unit="篇"),
        column_chart([Bar("2013年", 1), Bar("2014年", 4)], chart_id="b", title="t", unit="篇"),
    ):
        svg = _svg(chart.svg)
        assert svg.get("viewBox").startswith("0 0 ")
        assert svg.get("width") is None and svg.get("height") is None
        assert "style" not in chart.svg  # allowed under style-src 'self'
        assert all(e.get("fill") is None for e in svg.iter())


def test_column_chart_puts_years_in_order_and_numbers_above_columns():
    bars = [Bar("2012年", 0), Bar("2013年", 2), Bar("2014年", 6)]
    svg = _svg(column_chart(bars, chart_id="y", title="平阳县：各年的文件数", unit="篇").svg)
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert labels == ["2012年", "2013年", "2014年"]
    heights = [float(r.get("height")) for r in svg.iter(f"{SVG}rect")]
    assert heights[1] == pytest.approx(heights[0] * 3, abs=0.2)


def test_column_chart_thins_out_labels_when_there_are_many_years():
    bars = [Bar(f"{year}年", year % 3) for year in range(2000, 2025)]
    svg = _svg(column_chart(bars, chart_id="y", title="t", unit="篇").svg)
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    assert labels[-1] == "2024年"  # the latest year is always labelled
    assert 3 <= len(labels) < len(bars)
    xs = [float(t.get("x")) for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-label"]
    gaps = [b - a for a, b in pairwise(xs)]
    assert min(gaps) >= text_width("2024年")  # labels do not run into each other


def test_charts_are_deterministic_and_handle_no_data():
    first = bar_chart(COUNTIES, chart_id="c", title="t", unit="篇").svg
    assert first == bar_chart(list(COUNTIES), chart_id="c", title="t", unit="篇").svg
    empty = column_chart([], chart_id="e", title="t", unit="篇")
    assert _svg(empty.svg).find(f"{SVG}desc").text == describe([], "篇") == "暂无数据。"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", _svg(empty.svg).get("viewBox"))


def test_archive_counts_documents_per_year_over_the_whole_span():
    documents, _ = read_content(CONTENT)
    archive = build_archive(documents, load_taxonomies(CONTENT))
    # An item of a January 2014 issue dated 2013-12-30 is filed under 2014, as its issue is.
    assert archive.year_span() == [2014]
    counts = archive.per_year(archive.tagged("counties")["平阳县"])
    assert counts == {2014: 2}


def test_a_chart_is_drawn_only_when_two_bars_or_more_have_a_value():
    one = column_chart([Bar("2013年", 0), Bar("2014年", 2), Bar("2015年", 0)], **CHART)
    assert one.counted == (Bar("2014年", 2),) and not one.drawn
    assert not column_chart([Bar("2014年", 0)], **CHART).drawn
    assert not column_chart([], **CHART).drawn
    assert column_chart([Bar("2013年", 1), Bar("2014年", 2)], **CHART).drawn
    assert bar_chart(COUNTIES, **CHART).drawn


def test_no_page_draws_a_chart_of_one_bar(site: Path):
    charts = 0
    for page in html_pages(site):
        for figure in parse(page).xpath("//figure[contains(@class, 'chart')]"):
            charts += 1
            bars = figure.xpath(".//*[local-name()='rect'][@class='chart-bar']")
            counted = [r for r in figure.xpath(".//tbody/tr") if r.xpath("string(td)") != "0"]
            assert len(bars) >= 2 and len(counted) == len(bars), (page, len(bars), len(counted))
    assert charts >= 2  # the county and topic indexes'


def test_county_index_charts_what_its_list_counts(site: Path):
    index = parse(site / "counties/index.html")
    svg = index.xpath("//main//figure[@class='chart']/*[local-name()='svg']")
    assert len(svg) == 1 and svg[0].get("role") == "img"
    rows = index.xpath("//figure[@class='chart']//tbody/tr")
    shown = {r.xpath("string(th)"): int(r.xpath("string(td)")) for r in rows}
    listed = {
        li.xpath("string(a)"): int(li.xpath("string(span[@class='count'])").split()[0])
        for li in index.xpath("//ul[@class='term-index']/li")
    }
    assert shown == listed  # the chart counts what the list beside it says


def _check_term_pages(site: Path, content: Path) -> Counter[str]:
    """Each county and topic page against the archive read from `content` on its own: a chart
    of its years after its list where two years or more have documents, else no chart and the
    count line saying the year. Returns how many pages were of each case."""
    documents, _ = read_content(content)
    archive = build_archive(documents, load_taxonomies(content))
    cases: Counter[str] = Counter()
    for key in ("counties", "topics"):
        index = parse(site / key / "index.html")
        assert index.xpath("//ul[@class='term-index']/following::figure[@class='chart']")
        assert not index.xpath("//figure[@class='chart']/following::ul[@class='term-index']")
        for term in archive.taxonomies[key]:
            page = parse(site / archive.term_url(key, term) / "index.html")
            tagged = archive.tagged(key)[term.name]
            counts = archive.per_year(tagged)
            years = {f"{year}年": n for year, n in counts.items() if year and n}
            undated = counts.get(None, 0)
            line = " ".join(page.xpath("string(//main//p[@class='count-line'])").split())
            figures = page.xpath("//main//figure[@class='chart']")
            where = archive.term_url(key, term)
            assert line.startswith(f"共 {len(tagged)} 篇"), (where, line)
            if len(years) >= 2:
                cases["chart"] += 1
                assert len(figures) == 1, where
                assert page.xpath("//ol[@class='doc-list']/following::figure[@class='chart']")
                rows = figures[0].xpath(".//tbody/tr")
                drawn = {r.xpath("string(th)"): int(r.xpath("string(td)")) for r in rows}
                assert {label: n for label, n in drawn.items() if n} == years, where
            else:
                assert figures == [], where
                if len(years) == 1:
                    cases["one year"] += 1
                    [(year, n)] = years.items()
                    said = (
                        f"{year} {n} 篇，另有 {undated} 篇日期不详" if undated else f"都是{year}的"
                    )
                    assert f"共 {len(tagged)} 篇，{said} · " in line, (where, line)
                elif tagged:
                    cases["undated"] += 1
                    assert "日期都不详" in line, (where, line)
                else:
                    cases["none"] += 1
    return cases


def test_term_pages_chart_their_years_only_when_there_are_two(site: Path, tmp_path: Path):
    """The real content (every document from 2014: sentences only) and a synthetic archive of
    twenty years (charts too), each page compared with the archive computed on its own."""
    real = _check_term_pages(site, CONTENT)
    assert real["one year"] > 10 and real["chart"] == 0, real
    content = make_corpus(tmp_path / "content", items=60, seed=5)
    synthetic = build_into(tmp_path / "output", PATH=str(content))
    cases = _check_term_pages(synthetic, content)
    assert cases["chart"] > 5 and cases["one year"] > 0, cases
