"""Printing an item, an issue and the policy, as a reader's Ctrl+P does: Chromium's PDF output
(print media, the page's own @page rules, no header or footer added by the test), read back
with poppler's pdftotext and rendered to PNG with pdftoppm for people to look at.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from browsing import new_reader, site_origin
from sitecheck import parse, squash

pytestmark = pytest.mark.browser

PRINTED = {
    "item": "bulletins/2014-10/kong-hailong-ducha-kaifaqu-zhongdianxiangmu/",
    "issue": "bulletins/2014-01/",
    "policy": "policies/wenweifa-2014-27/",
}
FOOTER_LINE = re.compile(r"本页网址|打印日期|第\d+页，共\d+页$")
# Text of the screen's reading aids, none of which belongs on paper.
NOT_ON_PAPER = ["跳到正文", "大字版", "上一条", "下一条", "引用与出处", "订阅更新", "查看数据表",
                "政策文件讲话区县主题按年"]  # fmt: skip


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: run `make test`, which installs Debian's poppler-utils")
    return path


def print_to_pdf(browser, site: Path, site_url: str, name: str, path: Path, **options) -> None:
    with new_reader(browser, site, "desktop", **options) as r:
        r.page.goto(f"{site_url}/{PRINTED[name]}")
        r.page.pdf(path=path, prefer_css_page_size=True)


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(
        [_poppler("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return text.split("\f")[:-1]  # one form feed after every page


def to_png(path: Path, prefix: Path, pages: int = 2) -> None:
    subprocess.run(
        [_poppler("pdftoppm"), "-r", "60", "-png", "-l", str(pages), str(path), str(prefix)],
        check=True,
    )


@pytest.fixture(scope="module")
def printed(browser, site, site_url, artifacts, tmp_path_factory) -> dict[str, list[str]]:
    """Each printed page type as the text of its sheets; PNGs of the first sheets kept."""
    pages = {}
    directory = tmp_path_factory.mktemp("print")
    for name in PRINTED:
        pdf = directory / f"{name}.pdf"
        print_to_pdf(browser, site, site_url, name, pdf)
        to_png(pdf, artifacts / f"print-{name}")
        pages[name] = pdf_pages(pdf)
    return pages


def _today() -> str:
    today = dt.date.today()
    return f"{today.year}年{today.month}月{today.day}日"


@pytest.mark.parametrize("name", list(PRINTED))
def test_every_sheet_has_the_address_date_and_page_number(printed, name):
    address = f"{site_origin()}/{PRINTED[name]}"
    sheets = printed[name]
    for number, sheet in enumerate(sheets, start=1):
        flat = squash(sheet)
        assert squash(f"本页网址：{address}") in flat, number
        assert f"打印日期：{_today()}" in flat, number
        assert f"第{number}页，共{len(sheets)}页" in flat


@pytest.mark.parametrize("name", list(PRINTED))
def test_paper_has_the_document_and_none_of_the_screen_aids(printed, site, name):
    flat = squash("".join(printed[name]))
    title = parse(site / PRINTED[name] / "index.html").findtext(".//h1")
    assert squash(title) in squash(printed[name][0])
    for text in NOT_ON_PAPER:
        assert text not in flat, text


def test_policy_keeps_every_clause_number_in_order(printed):
    flat = squash("".join(printed["policy"]))
    positions = [flat.find(f"{n}．") for n in range(1, 21)]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert "目录" not in flat  # the screen's contents; the numbering itself is on paper


@pytest.mark.parametrize("name", list(PRINTED))
def test_no_sheet_ends_with_a_heading_cut_off_from_its_text(printed, site, name):
    doc = parse(site / PRINTED[name] / "index.html")
    headings = [squash(h.text_content()) for h in doc.xpath("//main//h2 | //main//h3")]
    for number, sheet in enumerate(printed[name][:-1], start=1):
        body = [squash(line) for line in sheet.splitlines() if squash(line)]
        # The last lines are the sheet's footer (address and date, page number).
        body = [line for line in body if not FOOTER_LINE.match(line)]
        # Neither of the last two lines is a heading: a heading keeps at least its first lines
        # of text (or, for an item, its date line and text) on the same sheet.
        for line in body[-2:]:
            assert not any(h.startswith(line) or line.startswith(h) for h in headings if h), (
                f"sheet {number} of {name} ends with the heading {line!r}"
            )


def test_without_javascript_the_print_date_is_a_blank_to_fill_in(browser, site, site_url, tmp_path):
    pdf = tmp_path / "item.pdf"
    print_to_pdf(browser, site, site_url, "item", pdf, java_script_enabled=False)
    sheets = pdf_pages(pdf)
    flat = squash("".join(sheets))
    assert squash(f"本页网址：{site_origin()}/{PRINTED['item']}") in flat
    assert "打印日期：年月日" in flat  # written by hand on the printed sheet
    assert f"第1页，共{len(sheets)}页" in flat
