"""The builds of a target under ``.build/`` that the build itself made, and what it may replace.

A target (``output/``, ``public/``, a web root) is a symlink to one complete build, a
*generation* ``.build/<name>-<time>-<pid>-<ns>`` beside it. Every generation is written down
when it is named, in ``.build/<name>.generations.json``, and only generations written there
are ever deleted: a directory of ``.build/`` that merely looks like one is left alone.

That record is the target's marker. It lives in ``.build/``, outside every built tree, so no
published file (nor anything content names) can forge it; and it names the target it belongs
to, by its real path and by the inode of its folder, so a record copied from
another folder or machine, or committed to the repository, belongs to no target here.

A target is *ours* when it is a symlink to a recorded generation. A symlink to a directory
of ``.build/`` that looks like a generation but is not recorded (what a version before the
record made) is replaced like ours, its directory kept. Anything else there — a folder with
files, a symlink to elsewhere, a file — the build did not make: it is refused (`ownership`),
unless the operator asks to move it aside, and then it goes to a named backup beside the
target (`backup_path`) that nothing deletes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

BUILD_DIR = ".build"
MADE_BY = "wenzhou-archive sitebuild"
Ownership = Literal["absent", "ours", "older", "empty", "foreign"]


def builds_dir(target: Path) -> Path:
    return target.parent / BUILD_DIR


def generation_re(target: Path) -> re.Pattern[str]:
    return re.compile(re.escape(target.name) + r"-\d{8}-\d{6}-\d+-\d+")


def _record_path(target: Path) -> Path:
    return builds_dir(target) / f"{target.name}.generations.json"


def _identity(target: Path) -> dict:
    """What names `target`: its folder's real path and that folder's inode (not its device
    number, which some systems change from boot to boot)."""
    folder = os.path.realpath(target.parent)
    return {"target": os.path.join(folder, target.name), "folder": os.stat(folder).st_ino}


def recorded(target: Path) -> set[str]:
    """The generations of `target` that a build made and has not removed (none when the
    record is missing, unreadable, not ours, or names anything but a generation)."""
    try:
        data = json.loads(_record_path(target).read_text(encoding="utf-8"))
        identity = _identity(target)
    except (OSError, ValueError):
        return set()
    if not isinstance(data, dict) or data.get("made_by") != MADE_BY:
        return set()
    if data.get("target") != identity["target"] or data.get("folder") != identity["folder"]:
        return set()
    names = data.get("generations")
    if not isinstance(names, list):
        return set()
    pattern = generation_re(target)
    return {name for name in names if isinstance(name, str) and pattern.fullmatch(name)}


def open_lock(path: Path) -> int:
    """A lock file of .build/, opened for `fcntl.flock`: created if absent, never truncated,
    and never through a symlink (one placed there, say committed to the repository, would
    otherwise have the build write to the file it points at)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)


def write_fresh(path: Path, text: str) -> None:
    """Write `text` to `path` as a new file (what was there, a symlink too, is unlinked
    first, never written through); the caller renames it into place."""
    if os.path.lexists(path):
        os.unlink(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)


@contextlib.contextmanager
def _record_lock(target: Path) -> Iterator[None]:
    """Held while the record is read and written again (briefly; apart from the build lock,
    which the Whoosh index's generations are named without)."""
    lock = open_lock(builds_dir(target) / f"{target.name}.generations.lock")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)  # for a forked process holding it too
        os.close(lock)


def _write_record(target: Path, names: Iterable[str]) -> None:
    record = {"made_by": MADE_BY, **_identity(target), "generations": sorted(set(names))}
    path = _record_path(target)
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    write_fresh(temporary, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    os.replace(temporary, path)


def new_generation(target: Path) -> Path:
    """A new generation's path (not yet made), written down first: a build killed while
    writing it leaves a directory the next build knows it may remove."""
    builds_dir(target).mkdir(parents=True, exist_ok=True)
    stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
    path = builds_dir(target) / f"{target.name}-{stamp}"
    with _record_lock(target):
        _write_record(target, recorded(target) | {path.name})
    return path


def forget(target: Path, names: Iterable[str]) -> None:
    """Remove `names` from the record (their directories are gone)."""
    with _record_lock(target):
        _write_record(target, recorded(target) - set(names))


def current(target: Path) -> str | None:
    """The recorded generation `target` points at, or None."""
    try:
        link = os.readlink(target)
    except OSError:
        return None
    folder, _, name = link.partition("/")
    if folder != BUILD_DIR or name not in recorded(target):
        return None
    path = builds_dir(target) / name
    return name if path.is_dir() and not path.is_symlink() else None


def ownership(target: Path) -> Ownership:
    """What is at `target`: nothing; our symlink to a recorded generation; a symlink to a
    generation that is not recorded (an older version's build, or one made to look like it:
    the symlink may be replaced, but that directory is never removed); an empty folder
    (which may be replaced: nothing is lost); or something the build did not make."""
    if not os.path.lexists(target):
        return "absent"
    if target.is_symlink():
        if current(target) is not None:
            return "ours"
        folder, _, name = os.readlink(target).partition("/")
        build = builds_dir(target) / name
        looks_like = folder == BUILD_DIR and generation_re(target).fullmatch(name)
        return "older" if looks_like and build.is_dir() and not build.is_symlink() else "foreign"
    if target.is_dir():
        with contextlib.suppress(OSError):
            if not any(os.scandir(target)):
                return "empty"
    return "foreign"


def described(target: Path) -> str:
    """What is at `target`, said to the operator."""
    if target.is_symlink():
        return f"一个指向 {os.readlink(target)} 的符号链接"
    if target.is_dir():
        return "一个已有文件的目录"
    return "一个文件"


def backup_path(target: Path) -> Path:
    """A free name beside `target` for what was there: ``<name>.backup-<time>``."""
    base = f"{target.name}.backup-{time.strftime('%Y%m%d-%H%M%S')}"
    path, number = target.with_name(base), 1
    while os.path.lexists(path):
        number += 1
        path = target.with_name(f"{base}-{number}")
    return path


def unsafe_target(target: Path, protected: Iterable[Path], inputs: Iterable[Path]) -> str | None:
    """Why `target` may never be built into, whatever the operator says (Chinese), or None:
    the root; one of `protected` (the home folder, the repository, the working folder) or a
    folder holding one; a folder inside one of `inputs` (the content, the theme)."""
    if target.name in ("", ".", "..", BUILD_DIR):
        return f"{target} 不是一个目录名，或是构建自己的目录，不能作为发布目录"
    place = Path(os.path.realpath(target.parent)) / target.name
    places = {place, Path(os.path.realpath(target))}
    for folder in [*protected, *inputs]:
        real = Path(os.path.realpath(folder))
        for spot in places:
            if spot == real or real.is_relative_to(spot):
                return f"{target} 是 {real} 本身或包含它，不能作为发布目录"
    for folder in inputs:
        real = Path(os.path.realpath(folder))
        for spot in places:
            if spot.is_relative_to(real):
                return f"{target} 在 {real} 里面，不能作为发布目录（构建的输入不能被输出覆盖）"
    return None
