"""Names of the raw source texts: readable, ASCII, and stable once published.

A raw source is stored as ``content/raw/<slug>-<kind>.txt`` and published at
``/raw/<slug>-<kind>.txt``: ``2014-07-13-jianbao.txt`` (a bulletin issue),
``wenweifa-2014-27-zhengce.txt`` (a policy), ``2014-05-29-chen-yixin-jianghua.txt`` (a
speech), so a reader recognises it and a link to it says what it is. The importer names new
sources this way.

Sources that had another name before are listed in ``content/raw_moved.yaml``
(``old name: new name``); the build publishes a copy under each old name, so old links keep
working on any host (a text file cannot redirect).
"""

from __future__ import annotations

from pathlib import Path

from bulletin import safe_yaml
from bulletin.content_files import is_file, lexists, read_text
from bulletin.problems import Problem

KIND_WORDS = {"bulletin": "jianbao", "policy": "zhengce", "speech": "jianghua"}
MOVED_FILE = "raw_moved.yaml"


def raw_name(slug: str, kind: str) -> str:
    """The file name of a document's raw source: ``2014-07-13-jianbao.txt``."""
    return f"{slug}-{KIND_WORDS[kind]}.txt"


def free_raw_name(name: str, data: bytes, raw_dir: Path) -> str:
    """`name`, or ``<stem>-2.txt``, ``-3``… if a different file already has it."""
    stem, number = Path(name).stem, 1
    while (raw_dir / name).exists() and (raw_dir / name).read_bytes() != data:
        number += 1
        name = f"{stem}-{number}.txt"
    return name


def load_moved(content: Path) -> tuple[dict[str, str], list[Problem]]:
    """Old raw file name → current one, from content/raw_moved.yaml (absent: none)."""
    path = content / MOVED_FILE
    if not path.is_file():
        return {}, []
    hint = "每行写成 旧文件名: 新文件名，新文件须在 content/raw/ 中"
    text, unreadable = read_text(path, MOVED_FILE)
    if text is None:
        return {}, unreadable
    try:
        data = safe_yaml.load(text)[1] or {}
    except safe_yaml.YamlRefused as refused:
        mistake = refused.mistake
        return {}, [Problem(MOVED_FILE, mistake.line + 1, mistake.message, mistake.hint)]
    if not isinstance(data, dict):
        return {}, [Problem(MOVED_FILE, 1, "原始文本改名表应为“旧文件名: 新文件名”", hint)]
    moved, problems = {}, []
    for old, new in data.items():
        if not is_file(content / "raw" / str(new)):
            problems.append(Problem(MOVED_FILE, 1, f"改名表中的 {new} 不在 content/raw/ 中", hint))
        elif lexists(content / "raw" / str(old)):
            problems.append(
                Problem(MOVED_FILE, 1, f"旧文件名 {old} 仍有同名文件", "删去旧文件，或删去这一行")
            )
        else:
            moved[str(old)] = str(new)
    return moved, problems
