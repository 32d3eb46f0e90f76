"""Paths that content names, confined to their folder: the one function every caller uses.

Content arrives from editors, from imported files and from pull requests that CI builds on a
runner holding deploy secrets, so a name written in content (a raw file's name, both sides of
``content/raw_moved.yaml``, a document's ``source:``) is read as hostile. `name_problem`
judges the name as written: relative, ``/``-separated parts of ASCII letters, digits, ``.``,
``_`` and ``-`` only, no part empty, ``.``/``..`` or hidden, and not too long. That one rule
refuses absolute paths, ``..``, backslashes, encoded separators (``%2f``), NUL and other
control characters, and every Unicode look-alike of ``/`` or ``.``. `inside` then resolves
the name (symlinks and all) and requires the result to stay inside the folder, so a symlink
that leaves the folder, a chain of them or a loop is refused too.

Pure: no Pelican; `inside` only reads the file system.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PART_RE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")
MAX_PART = 120  # characters of one part: well below every file system's 255 bytes
MAX_NAME = 240  # characters of a whole name


class UnsafePath(ValueError):
    """A name that would leave its folder, or that cannot be a safe file name; the message
    says why, in Chinese."""


def name_problem(name: object) -> str | None:
    """Why `name` cannot name a file inside a folder (Chinese), or None if it can."""
    if not isinstance(name, str) or not name:
        return "文件名为空或不是文字"
    if "\\" in name:
        return f"文件名“{_shown(name)}”含有反斜杠 \\"
    if name.startswith("/"):
        return f"文件名“{_shown(name)}”是绝对路径"
    if "%" in name:
        return f"文件名“{_shown(name)}”含有 %（网址编码的字符，如 %2f）"
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in name):
        return f"文件名“{_shown(name)}”含有控制字符"
    if len(name) > MAX_NAME:
        return f"文件名太长（{len(name)} 个字符，最多 {MAX_NAME} 个）"
    for part in name.split("/"):
        if part in ("", ".", ".."):
            return f"文件名“{_shown(name)}”含有 “{part or '//'}” 这样的路径"
        if part.startswith("."):
            return f"文件名“{_shown(name)}”以点开头（隐藏文件）"
        if not PART_RE.fullmatch(part):
            return f"文件名“{_shown(name)}”只能由英文字母、数字、点、下划线和连字符组成"
        if len(part) > MAX_PART:
            return f"文件名太长（{len(part)} 个字符，最多 {MAX_PART} 个）"
    return None


def _shown(name: str) -> str:
    """A name as it may be shown in a message: control characters escaped, long ones cut."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in name)
    return shown if len(shown) <= 80 else shown[:77] + "…"


def inside(folder: Path, name: str) -> Path:
    """The path `name` names inside `folder`, every symlink resolved; UnsafePath if the name
    is not a safe relative name or what it resolves to is not inside `folder` (resolved).

    Whether the path exists is for the caller to ask.
    """
    reason = name_problem(name)
    if reason is not None:
        raise UnsafePath(reason)
    resolved = Path(os.path.realpath(folder / name))
    if leaves(folder, resolved):
        raise UnsafePath(f"“{_shown(name)}”经符号链接指向了所在目录以外")
    return resolved


def leaves(folder: Path, path: Path) -> bool:
    """Whether `path`, every symlink resolved, is outside `folder` (resolved too)."""
    # realpath, not Path.resolve: it leaves a symlink loop unresolved instead of raising.
    root = Path(os.path.realpath(folder))
    resolved = Path(os.path.realpath(path))
    return resolved != root and not resolved.is_relative_to(root)
