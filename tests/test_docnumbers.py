"""文号: every usual spelling is found and normalised to one number; impossible ones are flagged."""

from __future__ import annotations

import itertools
import random

import pytest

from bulletin.content.docnumbers import DocNumber, find_numbers, issuer_code, parse

WENWEIFA = DocNumber("温委发", 2014, 27)

SPELLINGS = [
    "温委发〔2014〕27号",
    "温委发[2014]27号",
    "温委发［2014］27号",
    "温委发（2014）27号",
    "温委发(2014)27号",
    "温委发【2014】27号",
    "温委发〔２０１４〕２７号",
    "温委发 〔2014〕 27 号",
    "温委发　〔 2014 〕27号",
    "温委发〔2014〕第27号",
    "温委发〔2014〕第 27 号",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_each_usual_spelling_is_the_same_number(spelling):
    assert parse(spelling) == WENWEIFA
    assert str(parse(spelling)) == "温委发〔2014〕27号"


def _variants(rng: random.Random, number: DocNumber, count: int):
    """Random spellings of `number`: brackets, digit widths, spaces and 第, all combined."""
    brackets = ["〔〕", "[]", "［］", "（）", "()", "【】", "〖〗", "〔)", "(〕"]
    spaces = ["", " ", "　", "  "]
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    for _ in range(count):
        opening, closing = rng.choice(brackets)
        year, serial = str(number.year), str(number.serial)
        if rng.random() < 0.5:
            year = year.translate(full)
        if rng.random() < 0.5:
            serial = serial.translate(full)
        parts = [number.issuer, opening, year, closing, rng.choice(["", "第"]), serial, "号"]
        yield "".join(part + rng.choice(spaces) for part in parts).strip()


def test_generated_spellings_all_resolve_in_running_text():
    rng = random.Random(10)
    numbers = [WENWEIFA, DocNumber("温政办发", 2015, 103), DocNumber("国发", 2009, 1)]
    for number, spelling in itertools.chain.from_iterable(
        ((n, s) for s in _variants(rng, n, 200)) for n in numbers
    ):
        text = f"根据{spelling}文件精神，"
        found = find_numbers(text)
        assert [m.number for m in found] == [number], spelling
        assert found[0].text(text) == spelling, spelling  # the span is exactly the number


def test_the_organ_code_is_cut_from_the_words_before_it():
    assert issuer_code("市委市政府印发温委发") == "温委发"
    assert issuer_code("根据温政办发") == "温政办发"
    assert issuer_code("贯彻落实温委发") == "温委发"
    assert issuer_code("意见温委发", frozenset({"温委发"})) == "温委发"
    text = "市委市政府印发温委发〔2014〕27号文件"
    (match,) = find_numbers(text)
    assert match.text(text) == "温委发〔2014〕27号"


def test_several_numbers_in_one_sentence():
    text = "《关于进一步加强异地温州商会建设的实施意见》（温委发〔2012〕81号）和温政发[2013]5号"
    assert [str(m.number) for m in find_numbers(text)] == [
        "温委发〔2012〕81号",
        "温政发〔2013〕5号",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("温委发〔2014〕0号", "序号为0"),
        ("温委发〔1014〕3号", "年份1014不可能"),
        ("温委发〔2014〕027号", "序号以0开头"),
    ],
)
def test_an_impossible_number_is_flagged(text, problem):
    (match,) = find_numbers(text)
    assert match.problem == problem


def test_what_is_not_a_number():
    assert find_numbers("2014年27号文件") == []
    assert find_numbers("温委发〔14〕27号") == []  # a two-digit year is not a usual spelling
    assert parse("温委发〔2014〕27号文件") is None  # parse wants the whole text
