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
