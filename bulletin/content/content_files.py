"""Opening the files of ``content/``: regular files only, never blocking, never too large.

Anything under ``content/`` may come from a pull request that CI builds. A name ending in
``.md`` or ``.yaml`` may be a symbolic link (dangling, looping, or pointing at a file of the
build machine), a directory, a FIFO (opening one for reading waits for a writer: forever)
or a device; a file may be empty, not UTF-8, or gigabytes long. Each is an editor's
problem with a Chinese message, never an exception:

- a path is opened with ``O_NOFOLLOW | O_NONBLOCK`` and must then be a regular file
  (``fstat``), so a link is refused without being followed and a FIFO without waiting;
- at most `MAX_FILE_BYTES` are read (the largest file of the archive is 19 KB);
- the text must be UTF-8 (a BOM at its start is allowed and dropped), reported at the line
  of the first byte that is not.

Pure apart from reading the one file it is given.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from bulletin.content.problems import Problem

MAX_FILE_BYTES = 2 * 1024 * 1024  # a hundred times the largest document of the archive
OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC

NOT_UTF8_HINT = "用编辑器另存为 UTF-8；或用 invoke import 重新导入原始文本（会自动识别编码）"


class Unreadable(Exception):
    """A content path that is not a readable regular file; `message` and `hint` in Chinese."""

    def __init__(self, message: str, hint: str):
        self.message, self.hint = message, hint
        super().__init__(message)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "一个目录"
    if stat.S_ISFIFO(mode):
        return "一个命名管道（FIFO）"
    if stat.S_ISSOCK(mode):
        return "一个套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "一个设备文件"
    return "一个特殊文件"


def _link_state(path: str | Path) -> str:
    try:
        os.stat(path)
    except FileNotFoundError:
        return "（指向不存在的文件）"
    except OSError as exc:
        return "（链接成环）" if exc.errno == errno.ELOOP else ""
    return ""


def open_regular(path: str | Path) -> int:
    """A file descriptor of `path`, a regular file, for reading. Raise `Unreadable` for a
    link, a directory, a FIFO, a device, a missing or unreadable path (never blocking)."""
    try:
        fd = os.open(path, OPEN_FLAGS)
    except OSError as exc:
        if os.path.islink(path):
            raise Unreadable(
                f"这是一个符号链接{_link_state(path)}，不是普通文件",
                "内容目录里只放普通文件：删去这个链接，把文件本身放在这里",
            ) from None
        raise Unreadable(
            f"无法打开这个文件（{exc.strerror}）", "检查文件是否存在、是否有读取权限"
        ) from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        os.close(fd)
        raise
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise Unreadable(
            f"这是{_kind(mode)}，不是普通文件",
            "内容目录里只放普通文件：删去它，或改名为不以 .md 或 .yaml 结尾",
        )
    return fd


def read_bytes(path: str | Path, follow: bool = False) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES. Raise `Unreadable`.

    `follow`: a link is followed to what it points to (which must be a regular file)."""
    fd = open_regular(os.path.realpath(path) if follow else path)
    try:
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise Unreadable(
            f"无法读取这个文件（{exc.strerror}）", "检查文件是否完好、是否有读取权限"
        ) from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(
            f"文件太大（超过 {MAX_FILE_BYTES // (1024 * 1024)} MB）",
            "一份文件只放一期简报或一份文件；检查是否误把别的文件存成了这个名字",
        )
    return data


def decode(raw: bytes, rel: str, hint: str = NOT_UTF8_HINT) -> tuple[str | None, list[Problem]]:
    """The text of a content file's bytes (UTF-8, a leading BOM dropped), or the problem."""
    try:
        return raw.decode("utf-8").removeprefix("\ufeff"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(rel, line, "文件不是 UTF-8 编码", hint)]


def read_text(path: Path, rel: str) -> tuple[str | None, list[Problem]]:
    """The text of a content data file (YAML; `rel`: its name in messages), or its problems."""
    try:
        raw = read_bytes(path)
    except Unreadable as exc:
        return None, [Problem(rel, 1, exc.message, exc.hint)]
    return decode(raw, rel, "用编辑器把这个文件另存为 UTF-8 编码")


def shown_name(name: str) -> str:
    """A file name as it can be printed on one line: bytes that are not UTF-8 and control
    characters written as \\xNN (a name may hold a line break, forging a message)."""
    if name.isprintable():  # a byte that is not UTF-8 is a surrogate: not printable
        return name
    raw = os.fsencode(name)
    text = raw.decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
