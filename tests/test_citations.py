"""Mentions of documents: found in text, resolved against the archive, never guessed."""

from __future__ import annotations

import lxml.html
import pytest

from bulletin.content.docnumbers import DocNumber
from bulletin.content.render import render_markdown
from bulletin.relations.citations import Held, Resolver, cn_to_int, int_to_cn, spans

POLICY = Held(
    "policies/wenweifa-2014-27/",
    "关于进一步加强温商回归工作的若干意见",
    DocNumber("温委发", 2014, 27),
    frozenset({"section-1", "section-2", "section-2-1", "section-2-3", "clause-5", "clause-12"}),
)
SPEECH = Held(
    "speeches/2014-05-29-chen-yixin/", "全力推动温商回归创业创新 打造时尚之都 再创温州辉煌"
)


@pytest.fixture
def resolver() -> Resolver:
    return Resolver([POLICY, SPEECH])


def test_a_held_title_resolves(resolver):
    text = "5月，市委市政府在《关于进一步加强温商回归工作的若干意见》中，明确了……"
    (mention,) = resolver.find(text)
    assert mention.status == "held" and mention.target == POLICY.key
    assert mention.text == "《关于进一步加强温商回归工作的若干意见》"


def test_a_title_with_spaces_or_other_width_resolves(resolver):
    (mention,) = resolver.find("见《全力推动温商回归创业创新　打造时尚之都　再创温州辉煌》。")
    assert mention.target == SPEECH.key


def test_a_different_document_with_a_similar_title_is_not_held(resolver):
    text = "进一步梳理和完善《关于进一步加强招商选资工作的若干意见》、《关于促进总部经济发展的若干意见》等"
    mentions = resolver.find(text)
    assert [m.status for m in mentions] == ["missing", "missing"]
    assert all(m.target is None and m.suggestion is None for m in mentions)


def test_a_title_one_character_off_is_a_near_miss_not_a_link(resolver):
    for title in [
        "关于进一步加强温商回归工作的若干意件",  # one character changed
        "关于进一步加强温商回归工作若干意见",  # one left out
        "关于进一步加强温商回归工作的的若干意见",  # one added
    ]:
        (mention,) = resolver.find(f"根据《{title}》")
        assert mention.status == "missing" and mention.target is None
        assert mention.suggestion == POLICY.title


def test_titles_of_things_that_are_not_documents_are_left_alone(resolver):
    assert resolver.find("要支持《温州两家人》的创作，已在《每日汇报》上刊发。") == []


@pytest.mark.parametrize(
    "spelling",
    ["温委发〔2014〕27号", "温委发[2014]27号", "温委发（2014）27号", "温委发〔2014〕第27号",
     "温委发 〔２０１４〕 ２７ 号"],
)  # fmt: skip
def test_each_spelling_of_a_held_number_resolves(resolver, spelling):
    (mention,) = resolver.find(f"按照{spelling}要求")
    assert mention.target == POLICY.key and mention.text == spelling


def test_a_number_not_held_is_missing_and_an_impossible_one_has_a_problem(resolver):
    (missing,) = resolver.find("（温委发〔2012〕81号）精神")
    assert missing.status == "missing" and missing.name == "温委发〔2012〕81号"
    (impossible,) = resolver.find("温委发〔2014〕0号")
    assert impossible.status == "missing" and impossible.problem == "序号为0"


@pytest.mark.parametrize(
    ("text", "anchor", "span"),
    [
        (
            "《关于进一步加强温商回归工作的若干意见》第五条规定",
            "clause-5",
            "《关于进一步加强温商回归工作的若干意见》第五条",
        ),
        ("温委发〔2014〕27号第十二条", "clause-12", "温委发〔2014〕27号第十二条"),
        ("温委发〔2014〕27号文件第5条", "clause-5", "温委发〔2014〕27号文件第5条"),
        ("温委发〔2014〕27号（三）", "section-2-3", "温委发〔2014〕27号（三）"),
        ("温委发〔2014〕27号第九十九条", None, "温委发〔2014〕27号"),  # no such clause
        ("温委发〔2014〕27号（九）", None, "温委发〔2014〕27号"),
    ],
)
def test_a_named_clause_links_to_its_anchor(resolver, text, anchor, span):
    (mention,) = resolver.find(text)
    assert mention.anchor == anchor
    assert mention.text == span


def test_two_held_documents_matching_is_ambiguous_unless_a_number_settles_it():
    other = Held("policies/other/", POLICY.title, DocNumber("温政发", 2015, 3))
    resolver = Resolver([POLICY, other])
    (mention,) = resolver.find(f"《{POLICY.title}》要求")
    assert mention.status == "ambiguous"
    assert set(mention.candidates) == {POLICY.key, other.key}
    assert spans([mention]) == []  # never linked
    title, number = resolver.find(f"《{POLICY.title}》（温政发〔2015〕3号）")
    assert title.target == other.key and number.target == other.key
    same_number = Resolver([POLICY, Held("policies/x/", "另一文件", POLICY.number)])
    (mention,) = same_number.find("温委发〔2014〕27号")
    assert mention.status == "ambiguous"


def test_a_document_never_cites_itself(resolver):
    assert resolver.find("温委发〔2014〕27号", own=POLICY.key) == []


def test_chinese_numerals():
    for value in [1, 5, 10, 12, 20, 23, 99]:
        assert cn_to_int(int_to_cn(value)) == value
    assert cn_to_int("一百零三") == 103
    assert cn_to_int("５") == 5
    assert cn_to_int("第") is None


def _text(html: str) -> str:
    return lxml.html.fromstring(f"<div>{html}</div>").text_content()


MARKDOWN = """5月，市委市政府在《关于进一步加强温商回归工作的若干意见》中，明确了**四大项目**。

- 根据温委发[2014]第27号（三）和《关于进一步加强异地温州商会建设的实施意见》（温委发〔2012〕81号）
- 《关于进一步加强招商选资工作的若干意见》、《温州两家人》

`温委发〔2014〕27号` in code stays plain, [温委发〔2014〕27号](https://example.org/) too.
"""


def test_linking_changes_no_character_of_the_text(resolver):
    def links(text):
        return [
            (start, end, None if m.target is None else f"{{site}}/{m.target}")
            for start, end, m in spans(resolver.find(text))
        ]

    plain = render_markdown(MARKDOWN).html
    linked = render_markdown(MARKDOWN, links=links).html
    assert _text(plain) == _text(linked)
    tree = lxml.html.fromstring(f"<div>{linked}</div>")
    assert [a.text for a in tree.find_class("mention") if a.tag == "a"] == [
        "《关于进一步加强温商回归工作的若干意见》",
        "温委发[2014]第27号（三）",
    ]
    assert [s.text for s in tree.find_class("mention-missing")] == [
        "《关于进一步加强异地温州商会建设的实施意见》",
        "温委发〔2012〕81号",
        "《关于进一步加强招商选资工作的若干意见》",
    ]
    assert tree.xpath("//a[@class='mention']/@href")[1] == "{site}/policies/wenweifa-2014-27/"
