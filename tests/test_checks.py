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
    "item_without_unit.md": (26, "警告", "没有报送单位", "原文确实没有则可忽略"),
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
    assert "检查通过：0 个错误" in run.stdout


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
