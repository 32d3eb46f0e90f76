"""Documents citing documents, on a sample archive: the real content plus policies that cite
each other, a speech marked as the 解读 of a policy, and validity fields."""

from __future__ import annotations

import shutil
from pathlib import Path

import lxml.html
import pytest

from bulletin.build.sitebuild import render_site
from bulletin.checks.checks import check_content, read_archive
from sitecheck import CONTENT, ROOT, main_text

POLICY = "policies/wenweifa-2014-27/"
NEW = "policies/wenzhengfa-2015-1/"
OLD = "policies/wenzhengfa-2013-9/"
TALK = "speeches/2015-03-01-jiedu/"

FILES = {
    "policies/wenzhengfa-2015-1.md": """---
kind: policy
slug: wenzhengfa-2015-1
title: 关于推进时尚产业发展的实施意见
doc_number: 温政发〔2015〕1号
issuers: [温州市人民政府]
recipients: null
status: 现行有效
date: 2015-02-10
source: null
counties: []
topics: [时尚产业]
---

## 一、总体要求

根据《关于进一步加强温商回归工作的若干意见》第五条，加快时尚产业发展。

1．落实温委发[2014]第27号（三）的要求，建设时尚新天地。

2．按照温委发〔2014〕27号第十条，打造时尚商圈；《关于进一步加强温商回归工作的若干意件》另行部署。

3．《关于加快时尚产业发展的若干意见》（温政发〔2013〕9号）同时废止。温委发〔2014〕0号不再执行。
""",
    "policies/wenzhengfa-2013-9.md": """---
kind: policy
slug: wenzhengfa-2013-9
title: 关于加快时尚产业发展的若干意见
doc_number: 温政发〔2013〕9号
issuers: [温州市人民政府]
recipients: null
status: 已废止
status_date: 2015-02-10
replaced_by: 温政发〔2015〕1号
date: 2013-06-01
source: null
counties: []
topics: [时尚产业]
---

1．发展时尚产业。
""",
    "speeches/2015-03-01-jiedu.md": """---
kind: speech
slug: 2015-03-01-jiedu
title: 解读时尚产业政策
subtitle: null
speaker: 某某
occasion: 新闻发布会
attachment: null
interprets: 温政发〔2015〕1号
date: 2015-03-01
source: null
counties: []
topics: [时尚产业]
---

今天介绍温政发（2015）1号的主要内容，并说明温委发〔2014〕27号第五条的落实情况。
""",
}


def sample_content(tmp_path: Path, files: dict[str, str] = FILES) -> Path:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    for name, text in files.items():
        (content / name).write_text(text, encoding="utf-8")
    return content


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    return sample_content(tmp_path_factory.mktemp("references"))


@pytest.fixture(scope="module")
def site(content: Path, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("references-site") / "output"
    render_site(
        str(ROOT / "pelicanconf.py"), output, {"PATH": str(content), "SEARCH_INDEXES": False}
    )
    return output


@pytest.fixture(scope="module")
def refs(content: Path):
    archive, _ = read_archive(content)
    return archive.references


def page(site: Path, url: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((site / url / "index.html").read_bytes())


def test_check_reports_near_misses_and_impossible_numbers_with_file_and_line(content):
    problems = [str(p) for p in check_content(content) if not p.path.startswith("bulletins/")]
    assert problems == [
        "policies/wenzhengfa-2015-1.md:21: 警告：“《关于进一步加强温商回归工作的若干意件》”与本库文件"
        "《关于进一步加强温商回归工作的若干意见》只差一个字，未加链接 — 是不是《关于进一步加强温商回归工作的若干意见》？"
        "核对原文：原文如此则保留，页面标为本库未收录",
        "policies/wenzhengfa-2015-1.md:23: 警告：文号“温委发〔2014〕0号”不可能存在（序号为0） — "
        "核对原文；原文如此则保留，页面标为本库未收录",
    ]


def test_a_mention_matching_two_documents_is_an_error_naming_both(tmp_path):
    twin = FILES["policies/wenzhengfa-2013-9.md"].replace(
        "关于加快时尚产业发展的若干意见", "关于推进时尚产业发展的实施意见"
    )
    talk = FILES["speeches/2015-03-01-jiedu.md"] + "\n又如《关于推进时尚产业发展的实施意见》。\n"
    files = {**FILES, "policies/wenzhengfa-2013-9.md": twin, "speeches/2015-03-01-jiedu.md": talk}
    content = sample_content(tmp_path, files)
    (problem,) = [p for p in check_content(content) if p.severity == "error"]
    assert (problem.path, problem.line) == ("speeches/2015-03-01-jiedu.md", 18)
    assert problem.message == (
        "“《关于推进时尚产业发展的实施意见》”同时对应本库的 2 份文件："
        "关于推进时尚产业发展的实施意见（/policies/wenzhengfa-2013-9/）、"
        "关于推进时尚产业发展的实施意见（/policies/wenzhengfa-2015-1/）"
    )


def test_an_unknown_status_is_an_error(tmp_path):
    bad = FILES["policies/wenzhengfa-2013-9.md"].replace("status: 已废止", "status: 作废")
    content = sample_content(tmp_path, {**FILES, "policies/wenzhengfa-2013-9.md": bad})
    messages = [p.message for p in check_content(content) if p.severity == "error"]
    assert "效力状态（status）“作废”无法识别" in messages


def test_backlinks_are_newest_first_with_clauses_and_interpretations_apart(refs):
    backlinks = refs.backlinks(POLICY)
    assert [b.document.url for b in backlinks] == [
        TALK,  # 2015-03-01
        NEW,  # 2015-02-10
        "bulletins/2014-07-13/woshi-jiji-mouhua-shishang-zhi-dou/",  # 2014-07-13
    ]
    assert backlinks[1].clauses == (
        ("clause-5", "第5条"),
        ("section-2-3", "二、（三）"),
        ("clause-10", "第10条"),
    )
    assert [d.url for d in refs.interpreted_by(NEW)] == [TALK]
    assert refs.backlinks(NEW) == []  # the 解读 is listed apart, not twice
    assert refs.replaced_by[OLD].url == NEW
    assert {d.url for d in refs.clause_citers(POLICY)["clause-5"]} == {NEW, TALK}


def test_dependents_say_which_pages_a_change_touches(refs):
    assert refs.dependents(NEW) == {NEW, POLICY, OLD, TALK}
    assert refs.dependents(OLD) == {OLD, NEW}


def test_the_policy_page_lists_its_citers_and_counts_per_clause(site):
    tree = page(site, POLICY)
    (cited_by,) = tree.find_class("cited-by")
    titles = [a.text for a in cited_by.find_class("doc-title")]
    assert titles == [
        "解读时尚产业政策",
        "关于推进时尚产业发展的实施意见",
        "我市积极谋划“时尚之都”发展新战略",
    ]
    assert "第5条" in cited_by.text_content() and "二、（三）" in cited_by.text_content()
    note = tree.get_element_by_id("clause-5-cited")
    assert "本条被 2 篇文件引用" in note.text_content()
    assert len(note.findall("a")) == 2
    assert "本部分被 1 篇文件引用" in tree.get_element_by_id("section-2-3-cited").text_content()


def test_links_go_to_the_clause(site):
    tree = page(site, NEW)
    hrefs = tree.xpath("//a[@class='mention']/@href")
    assert hrefs == [
        "../../policies/wenweifa-2014-27/#clause-5",
        "../../policies/wenweifa-2014-27/#section-2-3",
        "../../policies/wenweifa-2014-27/#clause-10",
        "../../policies/wenzhengfa-2013-9/",
        "../../policies/wenzhengfa-2013-9/",
    ]
    missing = [s.text for s in tree.find_class("mention-missing")]
    assert missing == ["《关于进一步加强温商回归工作的若干意件》", "温委发〔2014〕0号"]


def test_validity_is_shown_at_the_top(site):
    old = page(site, OLD)
    (validity,) = old.find_class("validity")
    assert " ".join(validity.text_content().split()) == (
        "效力状态：已废止（2015年2月10日起）；替代文件：关于推进时尚产业发展的实施意见"
    )
    assert validity.find(".//a").get("href") == "../../policies/wenzhengfa-2015-1/"
    (current,) = page(site, NEW).find_class("validity")
    assert current.text_content().startswith("效力状态：现行有效")


def test_the_interpretation_is_listed_apart_and_says_what_it_interprets(site):
    tree = page(site, NEW)
    (interpretations,) = tree.find_class("interpretations")
    assert [a.text for a in interpretations.find_class("doc-title")] == ["解读时尚产业政策"]
    assert "本库暂无文件在正文中提及本文件" in tree.find_class("cited-by")[0].text_content()
    talk = main_text(site / TALK / "index.html")
    assert "本文是关于推进时尚产业发展的实施意见（温政发〔2015〕1号）的解读。" in talk


def test_the_data_carries_status_and_relations(site):
    import json

    records = {r["id"]: r for r in json.loads((site / "data/documents.json").read_text())}
    assert records[OLD.strip("/")]["status"] == "已废止"
    assert records[OLD.strip("/")]["status_date"] == "2015-02-10"
    assert records[OLD.strip("/")]["replaced_by"] == NEW.strip("/")
    assert records[TALK.strip("/")]["interprets"] == NEW.strip("/")
    assert records[NEW.strip("/")]["cited_by"] == [TALK.strip("/")]
    assert records[NEW.strip("/")]["cites"] == [POLICY.strip("/"), OLD.strip("/")]


def test_the_new_fields_are_written_and_read_back_unchanged():
    from bulletin.content.content_format import format_document, read_document

    for name in ("policies/wenzhengfa-2013-9.md", "speeches/2015-03-01-jiedu.md"):
        document, problems = read_document(FILES[name], name)
        assert problems == []
        again, _ = read_document(format_document(document), name)
        assert again == document
    old, _ = read_document(FILES["policies/wenzhengfa-2013-9.md"], "x.md")
    assert (old.status, old.status_date.iso, old.replaced_by) == (
        "已废止",
        "2015-02-10",
        "温政发〔2015〕1号",
    )
