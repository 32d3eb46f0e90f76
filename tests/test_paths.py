"""Paths that content names stay in their folder (issue #25, part A): `bulletin/content/paths.py`,
the raw files published at /raw/ (`bulletin/content/raw_names.py`), both sides of
``content/raw_moved.yaml``, a document's ``source:`` and the importer's writes.

Each attack is tried on a copy of the real content as an editor's mistake or a hostile pull
request would make it: `invoke check` must refuse it with the file and line, and the build
must publish nothing of it — even Pelican run without the checks (`render_site`) copies no
file that `raw_files` refuses.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bulletin.build.sitebuild import BuildFailed, build_site, render_site
from bulletin.checks.checks import check_content
from bulletin.content.paths import UnsafePath, inside, name_problem
from bulletin.content.raw_names import RAW_SUFFIXES, load_moved, raw_files
from bulletin.importing.importer import ImportRefused, import_file
from sitecheck import CONTENT, ROOT

ISSUE = "bulletins/2014-07-13.md"
SOURCE_LINE = "source: raw/2014-07-13-jianbao.txt"
REAL_RAW = "2014-01-jianbao.txt"
# A file outside the content, as the build machine's /etc/passwd or a deploy secret would be.
SECRET = "deploy-secret-7f3a9c"

HOSTILE_NAMES = [
    "/etc/passwd",
    "../outside.txt",
    "../../../../../../etc/passwd",
    "raw/../../x.txt",
    "a/../../x.txt",
    "..",
    ".",
    "",
    "a//b.txt",
    "..%2fx.txt",
    "%2e%2e%2fx.txt",
    "x%2f.txt",
    "a\\..\\x.txt",
    "C:\\x.txt",
    "x\x00.txt",
    "x\n.txt",
    "x\x7f.txt",
    "x\u0085.txt",
    "a\u2215b.txt",  # DIVISION SLASH
    "a\u2044b.txt",  # FRACTION SLASH
    "a\uff0fb.txt",  # FULLWIDTH SOLIDUS
    "\uff0e\uff0e/x.txt",  # FULLWIDTH FULL STOPs
    "a\u202e.txt",  # RIGHT-TO-LEFT OVERRIDE
    "原文.txt",
    ".htaccess",
    "a" * 300 + ".txt",
    "/".join(["a"] * 200),
]


def copy_content(tmp_path: Path) -> Path:
    return Path(shutil.copytree(CONTENT, tmp_path / "content", symlinks=True))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text(f"TOKEN: {SECRET}\n", encoding="utf-8")
    return secret


def unchecked(content: Path) -> dict:
    """Settings for Pelican alone on `content`, with no search index (fast)."""
    return {"PATH": str(content), "SEARCH_INDEXES": False, "SEARCH_WHOOSH_PATH": ""}


def errors_of(content: Path) -> list:
    return [p for p in check_content(content) if p.severity == "error"]


# --- the rule itself ------------------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_name_is_refused_with_a_reason(tmp_path: Path, name: str):
    assert name_problem(name) is not None
    with pytest.raises(UnsafePath) as caught:
        inside(tmp_path, name)
    message = str(caught.value)
    assert message and all(c.isprintable() for c in message), message
    assert len(message) < 200  # a very long name is not echoed whole


def test_every_name_the_real_content_uses_is_accepted():
    raw, problems = raw_files(CONTENT)
    moved, moved_problems = load_moved(CONTENT)
    assert problems == [] and moved_problems == []
    assert len(raw) == len(list((CONTENT / "raw").iterdir())) == 5
    for name in [*raw, *moved, *moved.values()]:
        assert name_problem(name) is None, name
        assert inside(CONTENT / "raw", name) == (CONTENT / "raw" / name).resolve()


def test_random_names_either_stay_inside_or_are_refused(tmp_path: Path):
    """Fuzz: names made of separators, dots, encodings, look-alikes and letters, in a folder
    holding symlinks to outside, to inside, a chain and a loop. A name `inside` accepts
    resolves below the folder; no refusal is anything but UnsafePath."""
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "in.txt").write_text("x", encoding="utf-8")
    (folder / "out").symlink_to(secret_file(tmp_path).parent)
    (folder / "up").symlink_to("..")
    (folder / "self").symlink_to(".")
    (folder / "chain").symlink_to("up")
    (folder / "loop").symlink_to("loop")
    (folder / "link.txt").symlink_to("in.txt")
    pieces = ["/", "..", ".", "%2f", "%2e", "\\", "\x00", "\u2215", "\uff0f", "a", "in.txt",
              "out", "up", "self", "chain", "loop", "link.txt", "-", "_", "~", ":", " "]  # fmt: skip
    generator = random.Random(25)
    root = folder.resolve()
    accepted = 0
    for _ in range(3000):
        name = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 6)))
        try:
            path = inside(folder, name)
        except UnsafePath:
            continue
        accepted += 1
        assert path == root or path.is_relative_to(root), (name, path)
    assert accepted > 100  # the fuzz reached the resolving, not only the name rule


def test_symlinks_leaving_the_folder_are_refused_and_inside_ones_kept(tmp_path: Path):
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "real.txt").write_text("x", encoding="utf-8")
    (folder / "inner.txt").symlink_to("real.txt")
    (folder / "outer.txt").symlink_to(secret_file(tmp_path))
    (folder / "hop.txt").symlink_to("outer.txt")  # a chain whose last link leaves
    (folder / "loop.txt").symlink_to("loop.txt")
    assert inside(folder, "inner.txt") == (folder / "real.txt").resolve()
    for name in ("outer.txt", "hop.txt"):
        with pytest.raises(UnsafePath):
            inside(folder, name)
    assert not inside(folder, "loop.txt").is_file()  # no exception: the caller finds no file


# --- content/raw/: only the allowed types, only plain files inside it -----------------------


def _raw_cases(tmp_path: Path, raw: Path) -> dict[str, str]:
    """Entries that must each be refused: name → a word of the problem reported."""
    (raw / "x.svg").write_text('<svg onload="alert(1)"/>', encoding="utf-8")
    (raw / "x.js").write_text("alert(1)", encoding="utf-8")
    (raw / "x.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (raw / "y.txt.svg").write_text("<svg/>", encoding="utf-8")
    (raw / "UPPER.TXT").write_text("x", encoding="utf-8")
    (raw / "noext").write_text("x", encoding="utf-8")
    (raw / "原文.txt").write_text("x", encoding="utf-8")
    (raw / "folder.txt").mkdir()
    (raw / "passwd.txt").symlink_to("/etc/passwd")
    (raw / "secret.txt").symlink_to(secret_file(tmp_path))
    (raw / "hop.txt").symlink_to("secret.txt")
    (raw / "loop.txt").symlink_to("loop.txt")
    (raw / "gone.txt").symlink_to("nothing-here.txt")
    (raw / "up.txt").symlink_to("..")
    outside = tmp_path / "outside" / "linked.txt"
    outside.write_text(SECRET, encoding="utf-8")
    os.link(outside, raw / "hard.txt")
    os.mkfifo(raw / "fifo.txt")
    return {
        "x.svg": ".txt", "x.js": ".txt", "x.html": ".txt", "y.txt.svg": ".txt",
        "UPPER.TXT": ".txt", "noext": ".txt", "原文.txt": "英文字母", "folder.txt": "目录",
        "passwd.txt": "以外", "secret.txt": "以外", "hop.txt": "以外", "loop.txt": "失效",
        "gone.txt": "失效", "up.txt": "以外", "hard.txt": "硬链接", "fifo.txt": "普通文件",
    }  # fmt: skip


def test_check_refuses_every_raw_file_it_would_not_publish(tmp_path: Path):
    content = copy_content(tmp_path)
    raw = content / "raw"
    refused = _raw_cases(tmp_path, raw)
    (raw / ".gitkeep").write_text("", encoding="utf-8")  # hidden: neither published nor reported
    found = {p.path: p for p in errors_of(content)}
    for name, word in refused.items():
        problem = found.get(f"raw/{name}")
        assert problem is not None, (name, sorted(found))
        assert word in problem.message and problem.line == 1, problem
        assert "content/raw/" in problem.hint
    assert set(found) == {f"raw/{name}" for name in refused}
    published, _ = raw_files(content)
    assert sorted(published) == sorted(p.name for p in (CONTENT / "raw").iterdir())


def test_the_build_copies_none_of_them_even_without_the_checks(tmp_path: Path):
    """The check stops the build; and Pelican run without it (the plugin's own copy) still
    publishes under /raw/ exactly what `raw_files` allows, and the renamed copies."""
    content = copy_content(tmp_path)
    _raw_cases(tmp_path, content / "raw")
    with pytest.raises(BuildFailed) as caught:
        build_site(str(ROOT / "pelicanconf.py"), tmp_path / "site", content=content)
    assert "content/raw/x.svg:1: 错误" in "\n".join(caught.value.messages)
    out = tmp_path / "unchecked"
    with pytest.raises(BuildFailed):  # the plugin reports the problems; Pelican writes on
        render_site(str(ROOT / "pelicanconf.py"), out, unchecked(content))
    moved, _ = load_moved(CONTENT)
    expected = {p.name for p in (CONTENT / "raw").iterdir()} | set(moved)
    assert {p.name for p in (out / "raw").iterdir()} == expected
    assert all(p.is_file() and not p.is_symlink() for p in (out / "raw").iterdir())
    leaked = [p for p in out.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaked == []
    assert not any(p.suffix in {".svg", ".js"} for p in (out / "raw").iterdir())
    assert (out / "raw").is_dir() and set(RAW_SUFFIXES) == {".txt"}


def test_content_raw_itself_may_not_lead_elsewhere(tmp_path: Path):
    content = copy_content(tmp_path)
    shutil.rmtree(content / "raw")
    (content / "raw").symlink_to(secret_file(tmp_path).parent)
    problems = [p for p in errors_of(content) if p.path == "raw"]
    assert problems and "以外" in problems[0].message
    assert raw_files(content)[0] == {}


# --- content/raw_moved.yaml: both sides ------------------------------------------------------

MOVED_ATTACKS = {
    # a line of raw_moved.yaml: a word of the problem reported at its line
    "leak.txt: /etc/passwd": "绝对路径",
    "leak2.txt: ../../../../../../../etc/passwd": "“..”",
    "leak3.txt: ../bulletins/2014-07-13.md": "“..”",
    "../../escape.txt: 2014-01-jianbao.txt": "“..”",
    "/tmp/escape.txt: 2014-01-jianbao.txt": "绝对路径",
    "..%2fescape.txt: 2014-01-jianbao.txt": "%",
    "'a\\\\b.txt': 2014-01-jianbao.txt": "反斜杠",
    "a\u2215b.txt: 2014-01-jianbao.txt": "英文字母",
    "index.html: 2014-01-jianbao.txt": ".txt",
    "x.svg: 2014-01-jianbao.txt": ".txt",
    "pagefind/pagefind.js: 2014-01-jianbao.txt": "子目录",
    "sub/old.txt: 2014-01-jianbao.txt": "子目录",
    "2014-10-JIANBAO.txt: 2014-01-jianbao.txt": "同名",
    "2014-10-jianbao.txt: 2014-01-jianbao.txt": "同名",
    "old.txt: missing.txt": "不在",
    f"{'a' * 300}.txt: 2014-01-jianbao.txt": "太长",
    "old2.txt: [1, 2]": "不是文字",
}


def test_check_refuses_each_unsafe_line_of_the_moved_table_at_its_line(tmp_path: Path):
    content = copy_content(tmp_path)
    table = content / "raw_moved.yaml"
    before = table.read_text(encoding="utf-8")
    first = len(before.splitlines()) + 1
    table.write_text(before + "\n".join(MOVED_ATTACKS) + "\n", encoding="utf-8")
    found = {p.line: p for p in errors_of(content) if p.path == "raw_moved.yaml"}
    for number, (line, word) in enumerate(MOVED_ATTACKS.items(), start=first):
        assert number in found, (line, sorted(found))
        assert word in found[number].message, (line, found[number])
    assert len(found) == len(MOVED_ATTACKS)
    # The lines that were there still work: their copies are published.
    moved, _ = load_moved(content)
    assert moved == load_moved(CONTENT)[0]


def test_a_control_character_in_a_moved_name_refuses_the_table_at_its_line(tmp_path: Path):
    """A NUL written as a YAML escape is refused when the table is read (as in any content
    YAML: bulletin.content.characters), at its line, and nothing of the table is used."""
    content = copy_content(tmp_path)
    table = content / "raw_moved.yaml"
    before = table.read_text(encoding="utf-8")
    table.write_text(before + '"nul\\0.txt": 2014-01-jianbao.txt\n', encoding="utf-8")
    found = [p for p in errors_of(content) if p.path == "raw_moved.yaml"]
    assert [p.line for p in found] == [len(before.splitlines()) + 1], found
    assert "U+0000" in found[0].message
    assert load_moved(content)[0] == {}


def test_the_reported_attack_publishes_nothing_of_the_machine(tmp_path: Path):
    """The issue's case: one line publishing a file of the build machine, one writing
    outside the output. `invoke check` exits 1 naming the lines; Pelican without the check
    copies neither."""
    content = copy_content(tmp_path)
    secret = secret_file(tmp_path)
    table = content / "raw_moved.yaml"
    lines = len(table.read_text(encoding="utf-8").splitlines())
    with table.open("a", encoding="utf-8") as out:
        out.write(f"leak.txt: {secret}\n../../../escaped.txt: 2014-01-jianbao.txt\n")
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "check", "--content", str(content)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout
    assert f"raw_moved.yaml:{lines + 1}: 错误" in run.stdout
    assert f"raw_moved.yaml:{lines + 2}: 错误" in run.stdout
    assert SECRET not in run.stdout + run.stderr
    site = tmp_path / "out" / "site"
    with pytest.raises(BuildFailed):
        render_site(str(ROOT / "pelicanconf.py"), site, unchecked(content))
    assert (site / "raw" / REAL_RAW).is_file()  # Pelican did write the raw files
    assert not (site / "raw" / "leak.txt").exists()
    written = [p for p in tmp_path.rglob("escaped.txt")]
    assert written == []


def test_a_moved_table_that_is_a_symlink_elsewhere_is_not_read(tmp_path: Path):
    content = copy_content(tmp_path)
    (content / "raw_moved.yaml").unlink()
    (content / "raw_moved.yaml").symlink_to(secret_file(tmp_path))
    problems = [p for p in errors_of(content) if p.path == "raw_moved.yaml"]
    assert len(problems) == 1 and "以外" in problems[0].message
    assert SECRET not in str(problems[0])


# --- source: --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "/etc/passwd",
        "raw/../../../../etc/passwd",
        "raw/../bulletins/2014-07-13.md",
        "bulletins/2014-10.md",
        "raw/x.svg",
        "raw/secret.txt",
        "raw\\2014-07-13-jianbao.txt",
        "raw/%2e%2e/raw_moved.yaml",
        "https://elsewhere.example/x.txt",
    ],
)
def test_a_source_outside_the_published_raw_files_is_refused(tmp_path: Path, source: str):
    content = copy_content(tmp_path)
    (content / "raw" / "x.svg").write_text("<svg/>", encoding="utf-8")
    (content / "raw" / "secret.txt").symlink_to(secret_file(tmp_path))
    issue = content / ISSUE
    line = issue.read_text(encoding="utf-8").splitlines().index(SOURCE_LINE) + 1
    edit(issue, SOURCE_LINE, f"source: '{source}'")
    problems = [p for p in errors_of(content) if p.path == ISSUE]
    assert [(p.line, "不存在或不能发布" in p.message) for p in problems] == [(line, True)]
    assert SECRET not in "\n".join(str(p) for p in check_content(content))


# --- the importer ---------------------------------------------------------------------------


def test_the_importer_writes_nowhere_but_content(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT / "taxonomy", content / "taxonomy")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (content / "raw").symlink_to(elsewhere)
    source = CONTENT / "raw" / "2014-07-13-jianbao.txt"
    with pytest.raises(ImportRefused) as caught:
        import_file(source, content)
    assert "内容目录之外" in str(caught.value)
    assert list(elsewhere.iterdir()) == [] and not (content / "bulletins").exists()
    (content / "raw").unlink()
    (content / "bulletins").symlink_to(elsewhere)
    with pytest.raises(ImportRefused):
        import_file(source, content)
    assert list(elsewhere.iterdir()) == [] and not (content / "raw").exists()
    (content / "bulletins").unlink()
    outcome = import_file(source, content)  # the same import into plain folders works
    assert outcome.raw_path.parent == content / "raw" and outcome.path.is_file()


# --- content files that a symlink leads outside --------------------------------------------

LEAKED_POLICY = f"""---
kind: policy
slug: leak
title: 泄露
doc_number: 温委发〔2099〕1号
date: 2014-01-01
source: null
counties: []
topics: []
---

{SECRET}
"""


def test_a_content_file_or_folder_leading_outside_is_never_read(tmp_path: Path):
    """A document whose file is a symlink to outside the content (a valid policy, that would
    otherwise be published), or in a folder that is one: refused at its file, never read."""
    content = copy_content(tmp_path)
    outside = secret_file(tmp_path).parent
    (outside / "policy.md").write_text(LEAKED_POLICY, encoding="utf-8")
    (content / "policies" / "leak.md").symlink_to(outside / "policy.md")
    speeches = content / "speeches"
    shutil.move(speeches, outside / "speeches")
    speeches.symlink_to(outside / "speeches")
    found = {p.path: p for p in errors_of(content)}
    assert "policies/leak.md" in found, sorted(found)
    assert any(path == "speeches" or path.startswith("speeches/") for path in found)
    assert SECRET not in "\n".join(str(p) for p in check_content(content))
    out = tmp_path / "unchecked"
    with pytest.raises(BuildFailed):
        render_site(str(ROOT / "pelicanconf.py"), out, unchecked(content))
    leaked = [p for p in out.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaked == []
