from pathlib import Path

import pytest

from bulletin.content.problems import ContentError
from bulletin.content.taxonomy import (
    load_taxonomies,
    load_taxonomy,
    suggest_counties,
    suggest_topics,
)

CONTENT = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture(scope="module")
def taxonomies():
    return load_taxonomies(CONTENT)


def test_the_eleven_county_level_divisions_of_2014_and_the_zones(taxonomies):
    counties = taxonomies["counties"]
    divisions = [t.name for t in counties if t.group != "功能区"]
    assert len(divisions) == 11
    assert "洞头县" in divisions  # a county until 2015
    assert {t.group for t in counties} == {"市辖区", "县", "县级市", "功能区"}
    assert all(t.slug.isascii() for t in counties)


def test_topics_have_descriptions_and_keywords(taxonomies):
    topics = taxonomies["topics"]
    assert 10 <= len(topics) <= 20
    assert all(t.description and t.keywords for t in topics)


def test_aliases_resolve_to_the_canonical_name(taxonomies):
    counties = taxonomies["counties"]
    assert counties.resolve("平阳").name == "平阳县"
    assert counties.resolve("开发区").name == "温州经济技术开发区"
    assert counties.resolve("平杨县") is None
    assert counties.did_you_mean("平杨县")[0] == "平阳县"
    assert taxonomies["topics"].did_you_mean("温商回乡")[0] == "温商回归"


def test_suggestions(taxonomies):
    counties = suggest_counties(
        taxonomies["counties"], "瓯海区到永嘉县开展山海协作", "正文", "（永嘉招商局）"
    )
    assert [name for name, _ in counties] == ["瓯海区", "永嘉县"]
    topics = suggest_topics(taxonomies["topics"], "瓯海区到永嘉县开展山海协作", "对口帮扶，捐赠")
    assert [name for name, _ in topics][:2] == ["山海协作", "对口帮扶"]


def test_a_bad_taxonomy_file_names_file_and_line(tmp_path):
    path = tmp_path / "counties.yaml"
    path.write_text(
        "- name: 甲\n  slug: jia\n- name: 乙\n  slug: Yi Bad\n- name: 甲\n  slug: jia2\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as info:
        load_taxonomy(path, "counties", "区县", "taxonomy/counties.yaml")
    messages = [str(p) for p in info.value.problems]
    assert any(m.startswith("taxonomy/counties.yaml:4:") and "网址名" in m for m in messages)
    assert any(m.startswith("taxonomy/counties.yaml:5:") and "重复" in m for m in messages)


# --- towns: known, never counties ------------------------------------------------------------

COUNTIES_OF_2014 = {
    "鹿城区", "龙湾区", "瓯海区", "洞头县", "瑞安市", "乐清市", "永嘉县", "平阳县", "苍南县",
    "文成县", "泰顺县",
}  # fmt: skip


def test_every_town_lies_in_a_county_of_2014_and_none_is_named_like_a_county(taxonomies):
    counties = taxonomies["counties"]
    towns = counties.towns
    assert towns is not None and len(towns) >= 20
    assert counties.town("龙港").name == "龙港镇" and counties.town("龙港镇").county == "苍南县"
    for town in towns:
        assert town.county in COUNTIES_OF_2014, town
        assert town.name.endswith(("镇", "乡", "街道")) and town.town_kind in town.name
        assert all(counties.resolve(s) is None for s in town.spellings), town
    assert [t.name for t in counties if t.county] == []  # towns are no terms of their own
    assert "towns" not in taxonomies  # no pages, no filters: only known


def test_the_towns_the_archive_names_are_known(taxonomies):
    """The Wenzhou towns the content names (三魁镇, 双屿街道, 鳌江…) are in the gazetteer."""
    text = "".join(p.read_text(encoding="utf-8") for p in CONTENT.glob("*/*.md"))
    named = {"三魁镇", "仕阳镇", "双屿街道", "昆阳", "鳌江", "水头", "萧江", "万全", "腾蛟"}
    assert all(n in text for n in named)
    assert all(taxonomies["counties"].town(n) is not None for n in named)


def test_a_town_written_as_a_county_is_named_with_its_county(tmp_path, taxonomies):
    """Every spelling of every town of the gazetteer, in an item's counties: one error each,
    at that line, naming the town, its county and what to write; never "add a county"."""
    import shutil

    from bulletin.checks.checks import check_content

    towns = taxonomies["counties"].towns
    spellings = [(s, t) for t in towns for s in t.spellings]
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    (content / "bulletins").mkdir()
    fixture = Path(__file__).parent / "fixtures" / "content" / "valid_issue.md"
    text = fixture.read_text(encoding="utf-8")
    listed = ", ".join(s for s, _ in spellings)
    assert "counties: [平阳]" in text
    changed = text.replace("counties: [平阳]", f"counties: [{listed}]", 1)
    (content / "bulletins" / "valid_issue.md").write_text(changed, encoding="utf-8")
    line = changed.splitlines().index(f"counties: [{listed}]") + 1
    problems = [p for p in check_content(content) if p.severity == "error"]
    assert len(problems) == len(spellings), [str(p) for p in problems]
    for problem, (spelling, town) in zip(
        sorted(problems, key=lambda p: p.message),
        sorted(spellings, key=lambda s: _said(*s)),
        strict=True,
    ):
        assert problem.line == line
        assert problem.message == _said(spelling, town)
        assert problem.hint.startswith(f"请写 {town.county}：")
        assert "新区县" not in str(problem)


def _said(spelling, town) -> str:
    shown = town.name if spelling == town.name else f"{spelling}（{town.name}）"
    return f"{shown}是{town.county}的{town.town_kind}，不是区县"


def test_a_town_of_an_unknown_county_or_named_like_one_is_refused_at_its_line(tmp_path):
    counties = load_taxonomies(CONTENT)["counties"]
    path = tmp_path / "towns.yaml"
    path.write_text(
        "- name: 甲镇\n  slug: jia\n  county: 苍南县\n"
        "- name: 乙镇\n  slug: yi\n  county: 苍南\n"  # an alias, not the name
        "- name: 平阳\n  slug: bing\n  county: 平阳县\n"
        "- name: 丁镇\n  slug: ding\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as info:
        load_taxonomy(path, "towns", "镇乡街道", "taxonomy/towns.yaml", within=counties)
    said = [(p.line, p.message) for p in info.value.problems]
    assert [line for line, _ in said] == [6, 7, 10], said
    assert "苍南" in said[0][1] and "平阳" in said[1][1] and "缺少所属区县" in said[2][1]
    county = tmp_path / "counties.yaml"
    county.write_text("- name: 甲县\n  slug: jia\n  county: 乙县\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_taxonomy(county, "counties", "区县")
    assert [p.line for p in info.value.problems] == [3]
