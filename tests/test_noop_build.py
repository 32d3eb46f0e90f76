"""A build with nothing changed does nothing: no file of the site is rewritten."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

from bulletin.build import fingerprint
from bulletin.build.fingerprint import input_fingerprint, listing
from bulletin.build.sitebuild import build_site
from sitecheck import CONTENT, ROOT


def snapshot(tree: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below `tree` (followed through the symlink): bytes and mtime."""
    tree = tree.resolve()
    return {
        p.relative_to(tree).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in tree.rglob("*")
        if p.is_file()
    }


def build(target: Path, content: Path):
    return build_site(
        str(ROOT / "pelicanconf.py"),
        target,
        overrides={"SEARCH_WHOOSH_PATH": str(target) + ".search"},
        content=content,
    )


def test_a_second_build_with_nothing_changed_rewrites_nothing(tmp_path: Path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    target = tmp_path / "output"
    first = build(target, content)
    assert not first.skipped
    site, index = snapshot(target), snapshot(Path(str(target) + ".search"))

    again = build(target, content)
    assert again.skipped
    assert snapshot(target) == site
    assert snapshot(Path(str(target) + ".search")) == index

    # A changed file is a change, even with its old modification time.
    issue = content / "bulletins" / "2014-07-13.md"
    stat = issue.stat()
    issue.write_text(issue.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    os.utime(issue, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = build(target, content)
    assert not changed.skipped
    page = target / "bulletins" / "2014-07-13" / "index.html"
    assert "补充一段" in page.read_text(encoding="utf-8")

    # Damaged output is rebuilt, although the inputs are those of the last build.
    assert build(target, content).skipped
    page.unlink()
    assert not build(target, content).skipped
    assert page.is_file()

    # So is output touched by hand (a file rewritten in place).
    page.write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    assert not build(target, content).skipped


def test_other_settings_are_a_change(tmp_path: Path):
    target = tmp_path / "output"
    build(target, CONTENT)
    result = build_site(
        str(ROOT / "pelicanconf.py"),
        target,
        overrides={
            "SEARCH_WHOOSH_PATH": str(target) + ".search",
            "SITEURL": "http://127.0.0.1:9",
        },
        content=CONTENT,
    )
    assert not result.skipped
    assert "http://127.0.0.1:9/" in (target / "sitemap.xml").read_text(encoding="utf-8")


def _walked(tree: Path) -> dict[str, list[int]]:
    """The listing as os.walk and os.stat give it, to compare `listing` with."""
    out = {}
    for directory, _, names in os.walk(tree):
        for name in names:
            path = os.path.join(directory, name)
            stat = os.stat(path)
            out[os.path.relpath(path, tree)] = [stat.st_size, stat.st_mtime_ns]
    return out


def test_the_listing_of_a_tree_is_what_os_walk_finds(tmp_path):
    rng = random.Random(11)
    tree = tmp_path / "tree"
    directories = [tree]
    tree.mkdir()
    for i in range(300):
        parent = rng.choice(directories)
        if rng.random() < 0.3:
            directories.append(parent / f"目录{i}")
            directories[-1].mkdir()
        else:
            (parent / f"{i}.html").write_bytes(b"x" * rng.randrange(100))
    (tree / "to-a-directory").symlink_to(directories[-1])  # not followed, as by os.walk
    (tree / "plain.txt").write_text("文本", encoding="utf-8")
    (tree / "to-a-file").symlink_to(tree / "plain.txt")
    for where in (tree, directories[len(directories) // 2], tmp_path / "not-there"):
        assert listing(where) == _walked(where), where
    assert len(listing(tree)) > 150


def test_an_input_is_read_again_only_when_its_stamp_changed(tmp_path: Path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    theme = ROOT / "theme"
    stamps: dict = {}
    first = input_fingerprint(content, theme, [], {}, None, stamps)
    reads: list[Path] = []
    file_sha = fingerprint._file_sha
    monkeypatch.setattr(fingerprint, "_file_sha", lambda path: reads.append(path) or file_sha(path))
    again: dict = {}
    assert input_fingerprint(content, theme, [], {}, stamps, again) == first
    assert not reads and again == stamps

    # An edit of the same size, its modification time put back: its ctime tells.
    issue = content / "bulletins" / "2014-07-13.md"
    stat = issue.stat()
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("温州", "台州", 1), encoding="utf-8")
    os.utime(issue, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert issue.stat().st_size == stat.st_size and issue.stat().st_mtime_ns == stat.st_mtime_ns
    assert input_fingerprint(content, theme, [], {}, stamps, {}) != first
    assert reads == [issue]
