"""Publish owns what it deletes (issue #25, part A): `bulletin/build/generations.py`, `swap_in`.

A target the publish did not make is refused and left as it was, byte for byte, unless the
operator asks (`--backup-existing`): then it is moved whole to a named backup that later
publishes never delete. Only generations a publish recorded are ever removed. A full disk
(every level of free space and of free inodes tried on a small tmpfs) or a read-only target
gives a Chinese message, and the old site stays served, whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulletin.build.generations import new_generation, recorded
from bulletin.build.sitebuild import BuildFailed, NotOurs, build_site
from sitecheck import CONTENT, ROOT
from webhost import tree_bytes

PUBLISHCONF = str(ROOT / "publishconf.py")
URL = "http://127.0.0.1:8999"
ISSUE = "bulletins/2014-07-13.md"
SENTENCE = "会上播放了温商回归专题宣传片"
CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def publish(target: Path, content: Path = CONTENT, **kwargs):
    overrides = {"SITEURL": URL}
    return build_site(
        PUBLISHCONF, target, overrides=overrides, content=content, publish=True, **kwargs
    )


def snapshot(folder: Path) -> dict[str, tuple]:
    """Everything under `folder`, symlinks as their text (never followed), files as bytes."""
    found: dict[str, tuple] = {}
    for directory, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(directory) / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[relative] = ("link", os.readlink(path))
            elif path.is_dir():
                found[relative] = ("dir",)
            else:
                found[relative] = ("file", path.read_bytes())
    return found


def generations(target: Path) -> list[str]:
    builds = target.parent / ".build"
    return sorted(p.name for p in builds.iterdir() if p.is_dir() and not p.is_symlink())


def edited_content(tmp_path: Path) -> Path:
    return Path(shutil.copytree(CONTENT, tmp_path / "content"))


def edit(content: Path, marker: str) -> None:
    issue = content / ISSUE
    text = issue.read_text(encoding="utf-8")
    issue.write_text(re.sub(f"{SENTENCE}[^。，]*", SENTENCE + marker, text, count=1), "utf-8")


# --- what is at the target ------------------------------------------------------------------


def _plain_folder(www: Path, target: Path) -> None:
    target.mkdir()
    (target / "index.html").write_text("<p>someone else's site</p>", encoding="utf-8")
    (target / "uploads").mkdir()
    (target / "uploads" / "report.pdf").write_bytes(b"%PDF-1.4 not ours")


def _symlink_elsewhere(www: Path, target: Path) -> None:
    other = www / "other-site"
    other.mkdir()
    (other / "index.html").write_text("<p>other</p>", encoding="utf-8")
    target.symlink_to("other-site")


def _dangling_symlink(www: Path, target: Path) -> None:
    target.symlink_to("releases/gone")


def _a_file(www: Path, target: Path) -> None:
    target.write_text("not a folder", encoding="utf-8")


def _unrecorded_generation(www: Path, target: Path) -> None:
    """What an older publish (or anyone) left: a symlink into .build/ that no record names."""
    build = www / ".build" / "archive-20200101-000000-1-1"
    build.mkdir(parents=True)
    (build / "index.html").write_text("<p>old</p>", encoding="utf-8")
    target.symlink_to(".build/archive-20200101-000000-1-1")


def _record_from_another_folder(www: Path, target: Path) -> None:
    """A record copied from another folder (or committed to the repository): it names
    another folder, so it is not this target's marker."""
    _unrecorded_generation(www, target)
    elsewhere = www.parent / "elsewhere" / "archive"
    elsewhere.parent.mkdir()
    new_generation(elsewhere)
    record = json.loads((elsewhere.parent / ".build/archive.generations.json").read_text("utf-8"))
    record["generations"] = ["archive-20200101-000000-1-1"]
    (www / ".build/archive.generations.json").write_text(json.dumps(record), encoding="utf-8")


def _forged_record(www: Path, target: Path) -> None:
    """A record written by hand: the right target path, a made-up folder identity."""
    _unrecorded_generation(www, target)
    record = {
        "made_by": "wenzhou-archive sitebuild",
        "target": str(target.resolve(strict=False).parent.resolve() / "archive"),
        "folder": 12345,
        "generations": ["archive-20200101-000000-1-1"],
    }
    (www / ".build/archive.generations.json").write_text(json.dumps(record), encoding="utf-8")


FOREIGN = {
    "a folder with files": _plain_folder,
    "a symlink to another site": _symlink_elsewhere,
    "a dangling symlink": _dangling_symlink,
    "a file": _a_file,
}
OLDER = {
    "an unrecorded generation": _unrecorded_generation,
    "a record from another folder": _record_from_another_folder,
    "a forged record": _forged_record,
}


@pytest.mark.parametrize("what", list(FOREIGN))
def test_a_target_the_publish_did_not_make_is_refused_and_left_untouched(tmp_path, what):
    www = tmp_path / "www"
    www.mkdir()
    target = www / "archive"
    FOREIGN[what](www, target)
    before = snapshot(tmp_path)
    with pytest.raises(NotOurs) as caught:
        publish(target)
    message = "\n".join(caught.value.messages)
    assert "不是本程序建立的" in message and "--backup-existing" in message, message
    assert str(target) in message
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("what", list(OLDER))
def test_a_symlink_to_an_unrecorded_generation_is_replaced_and_its_build_kept(tmp_path, what):
    """What a version before the record made (or what is made to look like it): the symlink
    is replaced, as nothing is lost with it, but its directory is not the publish's to
    delete, however many publishes follow; a record that is not this target's is ignored."""
    www = tmp_path / "www"
    www.mkdir()
    target = www / "archive"
    OLDER[what](www, target)
    older = www / ".build" / "archive-20200101-000000-1-1"
    content = edited_content(tmp_path)
    for marker in ("（一）", "（二）"):
        edit(content, marker)
        result = publish(target, content)
        assert result.backup is None and target.resolve() == result.path.resolve()
        assert (older / "index.html").read_text(encoding="utf-8") == "<p>old</p>"
        assert older.name not in recorded(target)
    assert len(generations(target)) == 3  # the two of the publish's own, and the older one


def test_on_the_command_line_the_refusal_says_what_to_do(tmp_path: Path):
    target = tmp_path / "www"
    _plain_folder(tmp_path, target)
    before = snapshot(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "publish", "--target", str(target), "--siteurl", URL],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1
    assert "不是本程序建立的" in run.stderr and "--backup-existing" in run.stderr
    assert f"没有发布：{target} 未作任何改动" in run.stderr
    assert "Traceback" not in run.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "where",
    [
        "/",
        "home",
        "the repository",
        "its parent",
        "content",
        "inside content",
        "theme",
        "a symlink to /",
        "the working folder",
        "a .build folder",
    ],
)
def test_some_targets_are_never_taken_even_when_asked(tmp_path: Path, where: str):
    places = {
        "/": Path("/"),
        "home": Path.home(),
        "the repository": ROOT,
        "its parent": ROOT.parent,
        "content": CONTENT,
        "inside content": CONTENT / "public",
        "theme": ROOT / "theme",
        "the working folder": Path.cwd(),
        "a .build folder": tmp_path / ".build",
    }
    if where == "a symlink to /":
        target = tmp_path / "root"
        target.symlink_to("/")
    else:
        target = places[where]
    beside = target.parent if where != "/" else Path("/")
    had_builds = (beside / ".build").exists()
    inside = sorted(os.listdir(target)) if target.is_dir() else None
    with pytest.raises(NotOurs) as caught:
        publish(target, take_over=True)
    assert "不能作为发布目录" in caught.value.messages[0]
    # Nothing moved, made or backed up beside it.
    assert (beside / ".build").exists() == had_builds
    assert [name for name in os.listdir(beside) if ".backup-" in name] == []
    assert (sorted(os.listdir(target)) if target.is_dir() else None) == inside
    assert not (CONTENT / "public").exists()


def test_an_empty_folder_is_simply_taken(tmp_path: Path):
    target = tmp_path / "html"
    target.mkdir()
    result = publish(target)
    assert target.is_symlink() and target.resolve() == result.path.resolve()
    assert result.backup is None and sorted(os.listdir(tmp_path)) == [".build", "html"]


def test_asked_to_take_over_the_old_contents_go_to_a_backup_that_is_never_deleted(tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    target = www / "archive"
    _symlink_elsewhere(www, target)
    other = snapshot(www / "other-site")
    result = publish(target, take_over=True)
    assert result.backup is not None and result.backup.parent == www
    assert os.readlink(result.backup) == "other-site"  # the symlink itself, kept as it was
    assert snapshot(www / "other-site") == other
    # Later publishes (with changes) keep two generations and never touch the backup.
    content = edited_content(tmp_path)
    for marker in ("（一）", "（二）"):
        edit(content, marker)
        publish(target, content)
        assert os.readlink(result.backup) == "other-site"
        assert snapshot(www / "other-site") == other
        assert len(generations(target)) == 2
    assert sorted(os.listdir(www)) == sorted(
        [".build", "archive", "other-site", result.backup.name]
    )


def test_only_generations_a_publish_recorded_are_removed(tmp_path: Path):
    """Directories of .build/ that look like generations but are not in the record (another
    tool's, a copy, a hand-made one) outlive any number of publishes; so does a record
    naming paths outside .build/."""
    www = tmp_path / "www"
    builds = www / ".build"
    lookalike = builds / "archive-20200101-000000-1-1"
    lookalike.mkdir(parents=True)
    (lookalike / "keep.txt").write_text("not ours", encoding="utf-8")
    (builds / "archive-notes").mkdir()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("not ours either", encoding="utf-8")
    target = www / "archive"
    content = edited_content(tmp_path)
    for marker in ("（一）", "（二）", "（三）"):
        edit(content, marker)
        publish(target, content)
        record = builds / "archive.generations.json"
        data = json.loads(record.read_text(encoding="utf-8"))
        data["generations"] += ["../../victim", "/etc", "archive-../../victim"]
        record.write_text(json.dumps(data), encoding="utf-8")
        assert recorded(target) == set(generations(target)) - {lookalike.name, "archive-notes"}
    assert (lookalike / "keep.txt").read_text(encoding="utf-8") == "not ours"
    assert (victim / "keep.txt").is_file() and (builds / "archive-notes").is_dir()
    assert len(recorded(target)) == 2


# --- full disk, read-only target ------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(mount: Path, options: str) -> Iterator[Path]:
    """A small file system of its own at `mount` (root only: CI and these machines run as
    root; elsewhere the tests are skipped)."""
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def remount(mount: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(mount)], check=True)


def _free(mount: Path) -> tuple[int, int]:
    stat = os.statvfs(mount)
    return stat.f_bavail * stat.f_frsize, stat.f_favail


def _said_in_chinese(messages: list[str]) -> None:
    text = "\n".join(messages)
    assert CJK_RE.search(text) and "Traceback" not in text and "Errno" not in text, text


def test_a_full_disk_at_any_step_keeps_the_old_site(tmp_path: Path):
    """On a tmpfs, the disk is filled (by bytes, then by inodes) to leave from nothing to
    almost all a publish needs: each publish succeeds whole or fails saying so in Chinese,
    the site served before still served, byte for byte, and nothing of the attempt left."""
    content = edited_content(tmp_path)
    with tmpfs(tmp_path / "disk", "size=64m,nr_inodes=100000") as disk:
        target = disk / "www" / "archive"
        bytes_free, inodes_free = _free(disk)
        publish(target, content)
        after_bytes, after_inodes = _free(disk)
        need_bytes, need_inodes = bytes_free - after_bytes, inodes_free - after_inodes
        failed_at: set[str] = set()
        tries = [("bytes", f) for f in (0, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95)]
        tries += [("inodes", f) for f in (0, 0.2, 0.6, 0.97, 0.985)]
        for number, (kind, fraction) in enumerate(tries):
            edit(content, f"（第{number}次）")
            before = (os.readlink(target), tree_bytes(target))
            kept = generations(target)
            filler = disk / "filler"
            if kind == "bytes":
                filler.write_bytes(b"\0" * max(0, _free(disk)[0] - int(need_bytes * fraction)))
            else:
                used = os.statvfs(disk).f_files - os.statvfs(disk).f_ffree
                remount(disk, f"nr_inodes={used + int(need_inodes * fraction)}")
            steps: list[str] = []
            try:
                publish(target, content, progress=steps.append)
            except BuildFailed as exc:
                _said_in_chinese(exc.messages)
                assert (os.readlink(target), tree_bytes(target)) == before, (kind, fraction)
                assert generations(target) == kept, (kind, fraction)  # no staging left
                failed_at.add(steps[-1])
            else:
                assert os.readlink(target) != before[0]
                assert (
                    f"（第{number}次）".encode()
                    in tree_bytes(target)["bulletins/2014-07-13/index.html"]
                )
            finally:
                filler.unlink(missing_ok=True)
                remount(disk, "nr_inodes=100000")
        assert {"check", "render", "compress"} <= failed_at, failed_at
        # With room again, the next publish goes through and leaves two generations.
        edit(content, "（有空间了）")
        publish(target, content)
        assert len(generations(target)) == 2 == len(recorded(target))


def test_a_failure_at_the_swap_itself_keeps_the_old_site(tmp_path: Path):
    """The swap's first act (the new symlink beside the target) fails: a folder is where it
    goes. The message is Chinese, the old site stays, the new build is removed."""
    target = tmp_path / "www" / "archive"
    content = edited_content(tmp_path)
    publish(target, content)
    before = (os.readlink(target), tree_bytes(target))
    kept = generations(target)
    blocker = target.with_name(f".archive.link-{os.getpid()}")
    (blocker / "inside").mkdir(parents=True)
    edit(content, "（换）")
    steps: list[str] = []
    with pytest.raises(BuildFailed) as caught:
        publish(target, content, progress=steps.append)
    assert steps[-1] == "swap"
    _said_in_chinese(caught.value.messages)
    assert (os.readlink(target), tree_bytes(target)) == before
    assert generations(target) == kept


def test_a_read_only_target_keeps_the_old_site(tmp_path: Path):
    content = edited_content(tmp_path)
    with tmpfs(tmp_path / "disk", "size=64m") as disk:
        target = disk / "www" / "archive"
        publish(target, content)
        before = (os.readlink(target), tree_bytes(target))
        remount(disk, "ro")
        try:
            edit(content, "（只读）")
            with pytest.raises(BuildFailed) as caught:
                publish(target, content)
            assert "只读" in caught.value.messages[0], caught.value.messages
            _said_in_chinese(caught.value.messages)
            assert (os.readlink(target), tree_bytes(target)) == before
        finally:
            remount(disk, "rw")
        publish(target, content)  # writable again: it goes through
        assert "（只读）".encode() in tree_bytes(target)["bulletins/2014-07-13/index.html"]


# --- nothing changed ------------------------------------------------------------------------


def test_a_publish_with_nothing_changed_says_so_and_still_verifies(tmp_path: Path):
    target = tmp_path / "www" / "archive"
    content = edited_content(tmp_path)
    command = [sys.executable, "-m", "invoke", "publish", "--target", str(target),
               "--siteurl", URL, "--content", str(content)]  # fmt: skip
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    served = (os.readlink(target), tree_bytes(target))
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "都没有变化" in again.stdout and "已重新校验，全部通过" in again.stdout
    assert "校验：" in again.stdout  # the verify step ran
    assert (os.readlink(target), tree_bytes(target)) == served
    # The served tree changed behind the publish's back, keeping each file's size and time
    # (a disk's fault, a hand edit): the no-change publish refuses it, the next builds again.
    page = target / "bulletins/2014-07-13/index.html"
    stat = page.stat()
    data = page.read_bytes()
    page.write_bytes(data[: len(data) // 2] + b" " * (len(data) - len(data) // 2))
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    broken = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert broken.returncode == 1
    assert "页面不完整 — bulletins/2014-07-13/index.html" in broken.stderr
    assert "线上网站校验未通过" in broken.stderr and "重新构建" in broken.stderr
    fixed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert fixed.returncode == 0 and "发布完成" in fixed.stdout, fixed.stderr
    assert tree_bytes(target) == served[1]


def test_a_part_is_never_built_into_a_folder_with_files(tmp_path: Path):
    """`invoke build-part` runs Pelican, which empties its output folder first: a folder
    that holds anything (or a symlink) is refused, untouched."""
    www = tmp_path / "www"
    _plain_folder(tmp_path, www)
    (tmp_path / "link").symlink_to("www")
    before = snapshot(tmp_path)
    for output in (www, tmp_path / "link"):
        run = subprocess.run(
            [sys.executable, "-m", "invoke", "build-part", "--part", "0/2", "--output",
             str(output), "--siteurl", URL],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert run.returncode == 1 and "不是空目录" in run.stderr, run.stderr
    assert snapshot(tmp_path) == before


def test_files_placed_in_build_are_never_written_through(tmp_path: Path):
    """Symlinks where the build keeps its locks and writes its record (a .build/ committed
    to the repository, say) are not followed: the files they point at keep their bytes."""
    www = tmp_path / "www"
    builds = www / ".build"
    builds.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_text("precious", encoding="utf-8")
    for name in ("archive.lock", "archive.generations.lock"):
        (builds / name).symlink_to(victim)
        with pytest.raises(BuildFailed) as caught:
            publish(www / "archive")
        _said_in_chinese(caught.value.messages)
        (builds / name).unlink()
        assert victim.read_text(encoding="utf-8") == "precious"
    (builds / f"archive.generations.json.{os.getpid()}").symlink_to(victim)
    publish(www / "archive")  # the record's temporary file: the link replaced, not followed
    assert victim.read_text(encoding="utf-8") == "precious"
