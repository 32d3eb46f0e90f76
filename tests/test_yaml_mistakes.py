"""One YAML mistake, one message: in Chinese, at the line of the mistake, nothing else.

The fixtures are mistakes editors made with a Chinese input method; the generated cases
apply the same kinds of mistake (and some others) to every metadata line of a valid issue.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin.checks.checks import check_content
from bulletin.content.content_format import read_document
from bulletin.content.problems import Problem

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "content"
VALID = (FIXTURES / "valid_issue.md").read_text(encoding="utf-8")

# Words of PyYAML's messages; none may reach an editor.
ENGLISH_RE = re.compile(
    r"expected|found|mapping|scanning|parsing|token|character|stream|simple key|"
    r"allowed|alias|anchor|while|could not|block end|indicator",
    re.IGNORECASE,
)
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def problems_of(tmp_path: Path, text: str, name: str = "2014-07-13.md") -> list[Problem]:
    content = tmp_path / "content"
    if not (content / "taxonomy").exists():
        shutil.copytree(ROOT / "content" / "taxonomy", content / "taxonomy")
    (content / "bulletins").mkdir(parents=True, exist_ok=True)
    for old in (content / "bulletins").iterdir():
        old.unlink()
    (content / "bulletins" / name).write_text(text, encoding="utf-8")
    return check_content(content)


def assert_one_chinese_error_at(problems: list[Problem], line: int) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    (problem,) = problems
    assert problem.severity == "error"
    assert problem.line == line, str(problem)
    for text in (problem.message, problem.hint):
        assert CJK_RE.search(text), str(problem)
        assert not ENGLISH_RE.search(text), str(problem)
    return problem


FIXTURE_CASES = {
    # fixture: (line, what the message names)
    "issue_malformed_yaml.md": (4, "方括号“[”没有配对"),
    "item_unclosed_bracket.md": (16, "方括号“[”没有配对"),
    "item_fullwidth_colon.md": (13, "全角冒号“：”"),
    "item_fullwidth_comma.md": (15, "全角逗号“，”"),
    "item_fullwidth_brackets.md": (27, "全角方括号"),
    "issue_tab_indent.md": (8, "制表符（Tab）"),
    "item_colon_in_value.md": (14, "冒号"),
    "issue_colon_without_space.md": (3, "冒号后面缺少空格"),
}


@pytest.mark.parametrize("fixture", sorted(FIXTURE_CASES))
def test_a_realistic_mistake_gets_one_chinese_message_at_its_line(tmp_path, fixture):
    line, named = FIXTURE_CASES[fixture]
    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    problem = assert_one_chinese_error_at(problems_of(tmp_path, text), line)
    assert named in problem.message


def test_an_unclosed_bracket_in_an_item_gives_no_false_problems(tmp_path):
    """The reported case: topics: [山海协作 gave 缺少日期字段, 缺少网址名 and a warning too."""
    text = VALID.replace("topics: []", "topics: [山海协作")
    assert_one_chinese_error_at(problems_of(tmp_path, text), 28)


def test_a_field_written_twice_is_named_at_the_second_line(tmp_path):
    text = VALID.replace("date: null\n", "date: null\ndate: 2014-07-12\n")
    problem = assert_one_chinese_error_at(problems_of(tmp_path, text), 26)
    assert "“date”写了两次" in problem.message and "第25行" in problem.message


# --- generated mistakes ----------------------------------------------------------------------


def _metadata_lines(text: str) -> list[int]:
    """0-based indices of `key: value` lines in the front matter and the item blocks."""
    lines = text.splitlines()
    result, inside, fences = [], False, 0
    for index, line in enumerate(lines):
        if line == "---":
            fences += 1
            inside = fences == 1
            continue
        if line == "```item":
            inside = True
            continue
        if line == "```":
            inside = False
            continue
        if inside and re.match(r"^[a-z_]+: ", line):
            result.append(index)
    return result


def _mutations(line: str) -> dict[str, str | None]:
    key, value = line.split(": ", 1)
    mutated = {
        "full-width colon": f"{key}：{value}",
        "full-width colon and space": f"{key}： {value}",
        "no space after colon": f"{key}:{value}",
        "tab indentation": f"\t{line}",
        "indented too far": f"   {line}",
        "no colon at all": f"{key} {value}",
        "unclosed double quote": f'{key}: "{value}',
        "unclosed single quote": f"{key}: '{value}",
        "value starting with *": f"{key}: *{value}",
        "stray colon-space in value": f"{key}: {value}: 附注",
    }
    if value.startswith("["):
        mutated["stray closing bracket"] = f"{key}: {value}]"
        mutated["unclosed ["] = f"{key}: {value.rstrip(']')}"
        mutated["full-width brackets ［］"] = f"{key}: ［{value[1:-1]}］"
        mutated["full-width brackets 【】"] = f"{key}: 【{value[1:-1]}】"
        if value != "[]":
            other = "瑞安市" if key == "counties" else "招商引资"
            mutated["full-width comma"] = f"{key}: [{value[1:-1]}，{other}]"
    return mutated


def _cases() -> list[tuple[str, int, str]]:
    lines = VALID.splitlines()
    cases = []
    for index in _metadata_lines(VALID):
        for name, changed in _mutations(lines[index]).items():
            if lines[index].startswith("kind: ") and name in ("stray colon-space in value",):
                continue
            text = "\n".join([*lines[:index], changed, *lines[index + 1 :]]) + "\n"
            cases.append((f"line {index + 1}: {name}", index + 1, text))
    return cases


CASES = _cases()


@pytest.mark.parametrize("case", range(len(CASES)), ids=[c[0] for c in CASES])
def test_every_generated_mistake_gets_exactly_one_chinese_error_at_its_line(tmp_path, case):
    _, line, text = CASES[case]
    problems = problems_of(tmp_path, text)
    # Some mutations are valid YAML that another check refuses (an unknown county, a bad
    # slug or date); these must still be exactly one Chinese error at the changed line.
    assert_one_chinese_error_at(problems, line)


def test_the_generated_cases_cover_every_metadata_line():
    assert len(_metadata_lines(VALID)) == 15
    assert len(CASES) > 160


# --- the same kinds of mistake in the real content files ------------------------------------

REAL_LINE_RE = re.compile(r"^(\s*)([a-z_]+|抄报|抄送|报|送|发): (.*)$")


def _real_cases() -> list[tuple[str, int, str]]:
    """Mistakes in every metadata line of the real issues, policy and speech (with values
    written as block lists, block text, nested mappings and comments)."""
    cases = []
    for path in sorted((ROOT / "content").glob("*/*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        meta, fences = False, 0
        for index, line in enumerate(lines):
            if line in ("---", "```item", "```"):
                fences += line == "---"
                meta = (line == "---" and fences == 1) or line == "```item"
                continue
            match = REAL_LINE_RE.match(line)
            if not meta or not match or match.group(3).lstrip().startswith("#"):
                continue
            for name, changed in _slips(line).items():
                text = "\n".join([*lines[:index], changed, *lines[index + 1 :]]) + "\n"
                where = f"{path.parent.name}/{path.name}:{index + 1}"
                cases.append((f"{where} {name}", index + 1, text))
    return cases


def test_mistakes_in_the_real_files_get_one_chinese_error_at_their_line():
    from bulletin.content.content_format import read_document

    cases = _real_cases()
    assert len(cases) > 800
    wrong = []
    for name, line, text in cases:
        _, problems = read_document(text, "x.md")
        errors = [p for p in problems if p.severity == "error"]
        message = " ".join(f"{p.message} {p.hint}" for p in errors)
        if len(errors) != 1 or errors[0].line != line or ENGLISH_RE.search(message):
            wrong.append((name, [(p.line, p.message) for p in problems]))
    assert wrong == []


# --- several slips in one file: each reported at its line, in one run -----------------------


def _fields(lines: list[str]) -> dict[tuple[int, int | None], list[int]]:
    """The metadata lines (0-based) of a real file by (block, top-level field): a field's
    own line and its nested lines (the 报/送/发 of `distribution`)."""
    fields: dict[tuple[int, int | None], list[int]] = {}
    meta, fences, block, top = False, 0, 0, None
    for index, line in enumerate(lines):
        if line in ("---", "```item", "```"):
            fences += line == "---"
            meta = (line == "---" and fences == 1) or line == "```item"
            block += 1
            continue
        if not meta:
            continue
        if line[:1] not in (" ", "\t", "-", "#", ""):
            top = index
        match = REAL_LINE_RE.match(line)
        if match and not match.group(3).lstrip().startswith("#"):
            fields.setdefault((block, top), []).append(index)
    return fields


def _slips(line: str) -> dict[str, str]:
    """The slips of an editor's hand that make one metadata line unreadable as YAML."""
    indent, key, value = REAL_LINE_RE.match(line).groups()  # type: ignore[union-attr]
    slips = {
        "full-width colon": f"{indent}{key}：{value}",
        "no space after colon": f"{indent}{key}:{value}",
        "no colon": f"{indent}{key} {value}",
        "tab": f"\t{line}",
        "unclosed quote": f'{indent}{key}: "{value}',
        "value starting with *": f"{indent}{key}: *{value}",
    }
    if value.startswith("[") and value.endswith("]"):
        slips["unclosed ["] = f"{indent}{key}: {value[:-1]}"
    return slips


REAL_FILES = sorted((ROOT / "content").glob("*/*.md"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_independent_slip_of_a_file_is_reported_at_its_line_in_one_run(data):
    """Three slips of several kinds in three different fields (front matter, item blocks,
    nested fields) of a real file: three Chinese errors, each at its slip's line."""
    path = data.draw(st.sampled_from(REAL_FILES), label="file")
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = _fields(lines)
    chosen = data.draw(
        st.lists(st.sampled_from(sorted(fields, key=str)), min_size=3, max_size=3, unique=True),
        label="fields",
    )
    slipped = list(lines)
    for field in chosen:
        index = data.draw(st.sampled_from(fields[field]), label="line")
        slips = _slips(lines[index])
        kind = data.draw(st.sampled_from(sorted(slips)), label=f"slip at {index + 1}")
        slipped[index] = slips[kind]
    expected = sorted(i + 1 for i, (a, b) in enumerate(zip(lines, slipped, strict=True)) if a != b)
    _, problems = read_document("\n".join(slipped) + "\n", f"{path.parent.name}/{path.name}")
    errors = [p for p in problems if p.severity == "error"]
    assert sorted(p.line for p in errors) == expected, [str(p) for p in problems]
    for problem in errors:
        assert CJK_RE.search(problem.message) and CJK_RE.search(problem.hint), str(problem)
        assert not ENGLISH_RE.search(problem.message + problem.hint), str(problem)


def test_check_reports_slips_in_the_front_matter_and_two_items_in_one_run(tmp_path):
    """Through `invoke check`'s own function: a slip in the front matter no longer hides
    those of the item blocks."""
    lines = VALID.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("date: ")]
    front, *items = starts[0], *starts[1:]
    assert lines[front].startswith("date: ") and len(items) >= 2
    slipped = list(lines)
    for index in (front, *items[:2]):
        key, value = lines[index].split(": ", 1)
        slipped[index] = f"{key}：{value}"
    problems = problems_of(tmp_path, "\n".join(slipped) + "\n")
    assert [(p.line, p.severity) for p in problems] == [
        (i + 1, "error") for i in (front, *items[:2])
    ], [str(p) for p in problems]
    assert all("全角冒号" in p.message for p in problems)
