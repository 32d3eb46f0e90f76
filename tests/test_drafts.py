"""Drafts (``draft: true``): the preview shows them marked 草稿; build and publish leave them
out and say so; `invoke check` reports their problems as warnings."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import lxml.html

from bulletin.build.sitebuild import build_site
from bulletin.checks.checks import check_content
from bulletin.content.dates import PartialDate
from bulletin.importing.scaffold import PLACEHOLDER, new_issue

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "content"


def draft_of(text: str) -> str:
    return text.replace("kind: bulletin\n", "kind: bulletin\ndraft: true\n", 1)


def content_with_draft(tmp_path: Path, draft: str) -> Path:
    """The real content plus one draft issue, content/bulletins/2014-09-05.md."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "bulletins" / "2014-09-05.md").write_text(draft, encoding="utf-8")
    return content


def test_an_unfinished_draft_gives_warnings_only(tmp_path):
    content = content_with_draft(tmp_path, draft_of(new_issue(PartialDate(2014, 9, 5))))
    problems = [p for p in check_content(content) if p.path == "bulletins/2014-09-05.md"]
    assert problems and all(p.severity == "warning" for p in problems)
    assert any(PLACEHOLDER in p.message and p.message.startswith("（草稿）") for p in problems)
    assert [p for p in check_content(content) if p.severity == "error"] == []


def test_a_draft_with_broken_yaml_is_still_a_draft(tmp_path):
    text = draft_of((FIXTURES / "item_unclosed_bracket.md").read_text(encoding="utf-8"))
    text = text.replace("2014-07-13", "2014-09-05")
    content = content_with_draft(tmp_path, text)
    problems = [p for p in check_content(content) if p.path == "bulletins/2014-09-05.md"]
    assert [(p.line, p.severity) for p in problems] == [(17, "warning")]
    assert "（草稿）方括号“[”没有配对" in problems[0].message


def test_draft_must_be_true_or_false(tmp_path):
    text = (FIXTURES / "valid_issue.md").read_text(encoding="utf-8")
    content = content_with_draft(
        tmp_path, text.replace("kind: bulletin\n", "kind: bulletin\ndraft: 是\n")
    )
    assert any(
        p.line == 3 and p.severity == "error" and "“draft”只能写 true 或 false" in p.message
        for p in check_content(content)
    )


def _build(content: Path, target: Path, drafts: bool):
    overrides = {"SEARCH_INDEXES": False, "SEARCH_WHOOSH_PATH": "", "BULLETIN_DRAFTS": drafts}
    return build_site(str(ROOT / "pelicanconf.py"), target, overrides=overrides, content=content)


def test_build_leaves_a_draft_out_and_the_preview_shows_it_marked(tmp_path):
    text = draft_of((FIXTURES / "valid_issue.md").read_text(encoding="utf-8"))
    text = text.replace("2014-07-13", "2014-09-05").replace("测试条目一", "草稿中的条目")
    text = text.replace("counties: [平阳]", "counties: [平杨县]")  # an error, in a draft
    content = content_with_draft(tmp_path, text)

    built = _build(content, tmp_path / "output", drafts=False)
    assert built.drafts_left_out == ["bulletins/2014-09-05.md"]
    assert not (built.path / "bulletins" / "2014-09-05").exists()
    assert "草稿中的条目" not in (built.path / "index.html").read_text(encoding="utf-8")
    assert "草稿中的条目" not in (built.path / "data" / "documents.json").read_text("utf-8")

    preview = _build(content, tmp_path / "preview", drafts=True)
    page = preview.path / "bulletins" / "2014-09-05" / "index.html"
    banner = lxml.html.fromstring(page.read_bytes()).find_class("draft-banner")
    assert banner and banner[0].text_content().startswith("草稿")
    item = preview.path / "bulletins" / "2014-09-05" / "ceshi-yi" / "index.html"
    assert lxml.html.fromstring(item.read_bytes()).find_class("draft-banner")
    issue = preview.path / "bulletins" / "2014-07-13" / "index.html"
    assert not lxml.html.fromstring(issue.read_bytes()).find_class("draft-banner")


def test_invoke_build_says_which_drafts_it_left_out(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("tasks.py", "pelicanconf.py"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "theme", project / "theme")
    content_with_draft(project, draft_of(new_issue(PartialDate(2014, 9, 5))))
    settings = (project / "pelicanconf.py").read_text(encoding="utf-8")
    (project / "pelicanconf.py").write_text(
        settings.replace("SEARCH_INDEXES = True", "SEARCH_INDEXES = False"), encoding="utf-8"
    )
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "build"], cwd=project, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "未包含 1 份草稿" in run.stdout and "content/bulletins/2014-09-05.md" in run.stdout
    check = subprocess.run(
        [sys.executable, "-m", "invoke", "check"], cwd=project, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert (
        "其中 1 份是草稿" in check.stdout and "警告：（草稿）还有未填写的模板文字" in check.stdout
    )
