"""`invoke check`: one line per problem, `file:line: what is wrong — what to do`, in Chinese."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bulletin.checks.checks import check_content

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "content"


def content_with(tmp_path: Path, *names: str) -> Path:
    """A content directory holding the named fixture issues and the real taxonomies."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content" / "taxonomy", content / "taxonomy")
    (content / "bulletins").mkdir()
    for name in names:
        shutil.copy(FIXTURES / name, content / "bulletins" / name)
    return content


def lines_of(content: Path) -> list[str]:
    return [str(p) for p in check_content(content)]


def test_the_valid_fixture_has_no_problem(tmp_path):
    assert lines_of(content_with(tmp_path, "valid_issue.md")) == []


CASES = {
    # fixture: (line, severity, what the message says, what the hint says)
    "issue_malformed_yaml.md": (4, "错误", "方括号“[”没有配对的“]”", "补上半角的“]”"),
    "issue_invalid_date.md": (5, "错误", "日期“2014-02-30”无效", "须真实存在"),
    "issue_missing_date.md": (1, "错误", "简报缺少日期字段（date）", "date: null"),
    "issue_unknown_field.md": (4, "错误", "未知的字段“numbr”", "检查拼写"),
    "issue_not_utf8.md": (9, "错误", "文件不是 UTF-8 编码", "另存为 UTF-8"),
    "item_unknown_county.md": (15, "错误", "未知的区县“平杨县”", "是不是“平阳县”"),
    "item_unknown_topic.md": (16, "错误", "未知的主题“温商回乡”", "是不是“温商回归”"),
    "item_duplicate_title.md": (21, "错误", "条目标题“测试条目一”与第9行重复", "删除重复的条目"),
    "item_empty.md": (21, "错误", "条目“测试条目二”正文为空", "补上正文"),
    "item_without_unit.md": (26, "警告", "没有报送单位", "加一行 unit_absent: true"),
    "item_without_county_or_topic.md": (27, "警告", "既没有区县也没有主题", "counties 或 topics"),
    "item_raw_script.md": (31, "错误", "含有 <script> 等可执行的 HTML", "删除这段 HTML"),
    "item_event_handler.md": (31, "错误", "含有 onclick 之类的事件属性", "删除这段 HTML"),
    "item_missing_metadata.md": (21, "错误", "缺少元数据块", "```item"),
    "item_invalid_slug.md": (24, "错误", "网址名“测试二”不合规", "小写字母"),
    "item_missing_date.md": (23, "错误", "条目“测试条目二”缺少日期字段（date）", "date: null"),
}


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_each_problem_is_reported_with_file_line_and_what_to_do(tmp_path, fixture):
    line, severity, message, hint = CASES[fixture]
    reported = lines_of(content_with(tmp_path, fixture))
    expected_start = f"bulletins/{fixture}:{line}: {severity}："
    matching = [r for r in reported if r.startswith(expected_start) and message in r]
    assert matching, reported
    assert hint in matching[0].split(" — ", 1)[1]


@pytest.mark.parametrize("second", ["duplicate_issue_b.md", "duplicate_date_b.md"])
def test_the_same_issue_twice_is_an_error(tmp_path, second):
    first = "duplicate_issue_a.md" if second == "duplicate_issue_b.md" else "valid_issue.md"
    reported = lines_of(content_with(tmp_path, first, second))
    line = 4 if second == "duplicate_issue_b.md" else 5  # the number: or date: line
    assert any(
        f"bulletins/{second}:{line}: 错误：" in r and "重复：同一期简报导入了两次" in r
        for r in reported
    ), reported


def test_invoke_check_exits_non_zero_on_errors_and_prints_one_line_each(tmp_path):
    content = content_with(tmp_path, "item_unknown_county.md")
    other = (FIXTURES / "item_without_unit.md").read_text(encoding="utf-8")
    other = other.replace("2014-07-13", "2014-08-01")  # another issue, so no duplicate
    (content / "bulletins" / "2014-08-01.md").write_text(other, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "check", "--content", str(content)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    out = run.stdout.splitlines()
    expected = "item_unknown_county.md:15: 错误：未知的区县“平杨县” — 是不是“平阳县”？"
    assert any(expected in line for line in out), out
    assert "检查未通过：1 个错误，1 个警告" in run.stderr


def test_invoke_check_passes_on_the_real_content():
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "check"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "检查通过：0 个错误，0 个警告。" in run.stdout
    assert "警告：" not in run.stdout + run.stderr


def test_an_item_marked_unit_absent_has_no_unit_in_its_raw_source():
    """`unit_absent: true` records what the source says: in the raw text, the paragraph that
    ends the item is followed by no reporting-unit line (the importer's own rule, `is_unit`)."""
    from bulletin.checks.checks import read_archive
    from bulletin.importing.rawtext.lines import is_unit

    archive, _ = read_archive(ROOT / "content")
    marked = [i for i in archive.items if i.unit_absent]
    assert len(marked) == 4
    for item in marked:
        assert item.unit is None
        raw = (ROOT / "content" / item.issue.source).read_text(encoding="utf-8").splitlines()
        last = item.body.split("\n\n")[-1].strip()
        ends = [n for n, line in enumerate(raw) if line.strip() and line.strip()[:15] in last]
        assert ends, item.title
        following = [line.strip() for line in raw[ends[-1] + 1 :] if line.strip()]
        assert following, item.title
        assert not is_unit(following[0]), (item.title, following[0])
    # and the rule sees the units of the items that have one
    assert all(is_unit(i.unit) for i in archive.items if i.unit)


def test_unit_absent_is_refused_beside_a_unit_and_written_back_as_read(tmp_path):
    from bulletin.content.content_format import format_issue, read_document

    text = (FIXTURES / "item_without_unit.md").read_text(encoding="utf-8")
    marked = text.replace("unit: null", "unit: null\nunit_absent: true", 1)
    assert marked != text
    issue, problems = read_document(marked, "bulletins/x.md")
    assert issue is not None and [p for p in problems if "报送单位" in p.message] == []
    again, _ = read_document(format_issue(issue), "bulletins/x.md")
    assert [i.unit_absent for i in again.items] == [i.unit_absent for i in issue.items]
    assert any(i.unit_absent for i in again.items)

    both = marked.replace("unit: null", "unit: （联络指导处）", 1)
    _, problems = read_document(both, "bulletins/x.md")
    (problem,) = [p for p in problems if p.severity == "error"]
    line = both.splitlines().index("unit_absent: true") + 1
    assert problem.line == line and "unit_absent" in problem.message


def test_a_new_issue_scaffold_reads_cleanly_and_check_asks_for_the_placeholders(tmp_path):
    from bulletin.content.dates import PartialDate
    from bulletin.importing.scaffold import PLACEHOLDER, new_issue

    content = content_with(tmp_path)
    text = new_issue(PartialDate(2014, 9, 5), "第12期")
    (content / "bulletins" / "2014-09-05.md").write_text(text, encoding="utf-8")
    problems = check_content(content)
    errors = [p for p in problems if p.severity == "error"]
    assert errors and all(PLACEHOLDER in p.message for p in errors)
    filled = text.replace(PLACEHOLDER, "")
    filled = filled.replace("  报: \n  送: \n  发: \n", "  报: 省经合办\n")
    (content / "bulletins" / "2014-09-05.md").write_text(filled, encoding="utf-8")
    assert [p for p in check_content(content) if p.severity == "error"] == []
