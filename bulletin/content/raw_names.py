"""Names of the raw source texts: readable, ASCII, and stable once published.

A raw source is stored as ``content/raw/<slug>-<kind>.txt`` and published at
``/raw/<slug>-<kind>.txt``: ``2014-07-13-jianbao.txt`` (a bulletin issue),
``wenweifa-2014-27-zhengce.txt`` (a policy), ``2014-05-29-chen-yixin-jianghua.txt`` (a
speech), so a reader recognises it and a link to it says what it is. The importer names new
sources this way.

Sources that had another name before are listed in ``content/raw_moved.yaml``
(``old name: new name``); the build publishes a copy under each old name, so old links keep
working on any host (a text file cannot redirect).

Only the file types of `RAW_SUFFIXES` are published (the one allow-list): an ``.svg``,
``.html`` or ``.js`` dropped into ``content/raw/`` would run script on the site's origin.
Every name, on either side of ``raw_moved.yaml`` and in a document's ``source:``, is confined
by `bulletin.content.paths`: one plain file name directly in ``content/raw/``, no symlink leaving it.
`raw_files` is what the checks report and what the build copies, so the two always agree.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from bulletin.content import safe_yaml
from bulletin.content.content_files import read_text, shown_name
from bulletin.content.paths import UnsafePath, inside, name_problem
from bulletin.content.problems import Problem

KIND_WORDS = {"bulletin": "jianbao", "policy": "zhengce", "speech": "jianghua"}
MOVED_FILE = "raw_moved.yaml"
RAW_DIR = "raw"
# The raw text types published under /raw/ (lower case, as written): nothing else is copied.
RAW_SUFFIXES = (".txt",)
RAW_HINT = "原始文本须是直接放在 content/raw/ 中的普通 .txt 文件，文件名只用英文字母、数字、点、下划线和连字符"


def raw_name(slug: str, kind: str) -> str:
    """The file name of a document's raw source: ``2014-07-13-jianbao.txt``."""
    return f"{slug}-{KIND_WORDS[kind]}.txt"


def raw_name_problem(name: object) -> str | None:
    """Why `name` cannot be the name of a published raw file (Chinese), or None."""
    reason = name_problem(name)
    if reason is not None:
        return reason
    assert isinstance(name, str)
    if "/" in name:
        return f"“{name}”不是 content/raw/ 中的文件名：原始文本不放在子目录里"
    if not name.endswith(RAW_SUFFIXES):
        allowed = "、".join(RAW_SUFFIXES)
        return f"“{name}”不是可发布的原始文本类型：只发布 {allowed} 文件（扩展名小写）"
    return None


def free_raw_name(name: str, data: bytes, raw_dir: Path) -> str:
    """`name`, or ``<stem>-2.txt``, ``-3``… if a different file already has it."""
    stem, number = Path(name).stem, 1
    while (raw_dir / name).exists() and (raw_dir / name).read_bytes() != data:
        number += 1
        name = f"{stem}-{number}.txt"
    return name


def raw_files(content: Path) -> tuple[dict[str, Path], list[Problem]]:
    """Every raw file the site publishes (name → the file, resolved) and a problem for each
    entry of content/raw/ that is refused: a type not in RAW_SUFFIXES, an unsafe name, a
    folder, a symlink leaving content/raw/ (or dangling, or a loop), a hard link, anything
    but a plain file. Hidden files (``.gitkeep``) are neither published nor reported."""
    folder = content / RAW_DIR
    if not os.path.lexists(folder):
        return {}, []
    try:
        root = inside(content, RAW_DIR)
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except (UnsafePath, OSError) as exc:
        reason = str(exc) if isinstance(exc, UnsafePath) else "不是可以读取的目录"
        return {}, [
            Problem(RAW_DIR, 1, f"content/raw/ {reason}", "content/raw/ 应是内容目录中的普通目录")
        ]
    files: dict[str, Path] = {}
    problems: list[Problem] = []
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        where = f"{RAW_DIR}/{shown_name(name)}"
        try:
            folder = entry.is_dir(follow_symlinks=False)
            reason = "是目录：原始文本不放在子目录里" if folder else raw_name_problem(name)
            path = root / name
            if reason is None and entry.is_symlink():
                path = inside(root, name)
            if reason is None:
                reason = _not_plain(path)
        except UnsafePath as exc:
            reason = str(exc)
        if reason is not None:
            problems.append(Problem(where, 1, f"{reason}，不会发布", RAW_HINT))
        else:
            files[name] = path
    return files, problems


def _not_plain(path: Path) -> str | None:
    """Why the file at `path` (resolved) is not a plain file of its own, or None."""
    try:
        stat = path.stat()
    except OSError:
        return "是失效的符号链接或无法读取"
    if path.is_dir():
        return "是目录：原始文本不放在子目录里"
    if not path.is_file():
        return "不是普通文件"
    if stat.st_nlink > 1:
        return "是硬链接（与别处的文件共用内容）"
    return None


def raw_source(raw: dict[str, Path], source: str) -> Path | None:
    """The published raw file a document's ``source:`` names (``raw/<name>``), or None.

    `raw`: `raw_files`' names; nothing outside them is ever read through a source."""
    folder, _, name = source.partition("/")
    return raw.get(name) if folder == RAW_DIR else None


def load_moved(
    content: Path, raw: dict[str, Path] | None = None
) -> tuple[dict[str, str], list[Problem]]:
    """Old raw file name → current one, from content/raw_moved.yaml (absent: none).

    Both names must be raw file names (`raw_name_problem`); the new one a published raw file
    (`raw`, else read with `raw_files`), the old one no file of content/raw/ (compared
    without case, as some file systems and hosts compare names)."""
    hint = "每行写成 旧文件名: 新文件名，新文件须在 content/raw/ 中"
    if not os.path.lexists(content / MOVED_FILE):
        return {}, []
    try:
        path = inside(content, MOVED_FILE)  # a symlink to a file elsewhere is never read
    except UnsafePath as exc:
        return {}, [
            Problem(MOVED_FILE, 1, f"原始文本改名表{exc}", "改名表须是内容目录中的普通文件")
        ]
    if not path.is_file():
        return {}, [
            Problem(MOVED_FILE, 1, "原始文本改名表不是普通文件", "改名表须是内容目录中的普通文件")
        ]
    text, unreadable = read_text(path, MOVED_FILE)
    if text is None:
        return {}, unreadable
    try:
        node, data = safe_yaml.load(text)
    except safe_yaml.YamlRefused as refused:
        mistake = refused.mistake
        return {}, [Problem(MOVED_FILE, mistake.line + 1, mistake.message, mistake.hint)]
    data = data or {}
    if not isinstance(data, dict):
        return {}, [Problem(MOVED_FILE, 1, "原始文本改名表应为“旧文件名: 新文件名”", hint)]
    if raw is None:
        raw = raw_files(content)[0]
    taken = _taken_names(content)
    lines = _key_lines(node)
    moved: dict[str, str] = {}
    problems = []
    for old, new in data.items():
        line = lines.get(str(old), 1)
        reason = raw_name_problem(str(old)) if isinstance(old, (str, int)) else "旧文件名不是文字"
        if reason is None:
            reason = (
                raw_name_problem(str(new)) if isinstance(new, (str, int)) else "新文件名不是文字"
            )
        if reason is not None:
            problems.append(Problem(MOVED_FILE, line, f"改名表这一行不可用：{reason}", hint))
        elif str(new) not in raw:
            problems.append(
                Problem(MOVED_FILE, line, f"改名表中的 {new} 不在 content/raw/ 中", hint)
            )
        elif str(old).casefold() in taken or str(old).casefold() in (m.casefold() for m in moved):
            problems.append(
                Problem(
                    MOVED_FILE, line, f"旧文件名 {old} 仍有同名文件", "删去旧文件，或删去这一行"
                )
            )
        else:
            moved[str(old)] = str(new)
    return moved, problems


def _taken_names(content: Path) -> set[str]:
    """The names in content/raw/, case folded."""
    try:
        return {name.casefold() for name in os.listdir(content / RAW_DIR)}
    except OSError:
        return set()


def _key_lines(node: yaml.Node | None) -> dict[str, int]:
    """The line of each top-level key of the loaded YAML mapping `node`."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
