"""No hidden state and no patching, read from the code (`ast`) of bulletin/, search/ and
tasks.py:

- no module-level mutable state: no ``global`` statement, no module-level container that
  starts empty (an accumulator), and no module-level name mutated inside a function
  (``NAME.append(…)``, ``NAME[k] = …``);
- no class of the project or of a library patched at run time: no assignment to a special
  attribute (``__getattribute__``, ``__class__`` …) of anything, and no assignment, or
  ``setattr``, to an attribute of an imported name (a module or a class) — but the two
  settings livereload's handler is configured by, as livereload itself does
  (`tasks._preview_server`), and the public switch of Pelican's console (`ALLOWED`).

Caches and records live in objects their callers own (a preview's `Session`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sitecheck import ROOT

FILES = sorted(
    [*(ROOT / "bulletin").rglob("*.py"), *(ROOT / "search").rglob("*.py"), ROOT / "tasks.py"]
)
SPECIAL = {"__getattribute__", "__getattr__", "__setattr__", "__class__", "__dict__", "__bases__"}
MUTATORS = {"append", "extend", "add", "update", "pop", "clear", "remove", "discard", "insert",
            "setdefault", "popitem"}  # fmt: skip
EMPTY_CALLS = {"list", "dict", "set", "defaultdict", "Counter", "OrderedDict", "deque"}
ALLOWED = {
    # livereload's handler is configured through its class, as livereload's own code does.
    ("tasks.py", "LiveReloadHandler.watcher"),
    ("tasks.py", "LiveReloadHandler.live_css"),
    # rich's Console.quiet: the console's public switch, set and restored around a build.
    ("bulletin/site/pelican_api.py", "console.quiet"),
}


def _root(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node: ast.expr) -> str:
    return ast.unparse(node)


def _imported(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
    return names


def _empty_container(value: ast.expr | None) -> bool:
    if isinstance(value, (ast.List, ast.Set)) and not value.elts:
        return True
    if isinstance(value, ast.Dict) and not value.keys:
        return True
    if isinstance(value, ast.Call):
        name = value.func.attr if isinstance(value.func, ast.Attribute) else _root(value.func)
        return name in EMPTY_CALLS and not value.args
    return False


def findings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    name = path.relative_to(ROOT).as_posix()
    imported = _imported(tree)
    module_names = set()
    found = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                module_names.add(target.id)
                if _empty_container(node.value):
                    found.append(f"{name}:{node.lineno}: module-level container {target.id}")
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Global):
            found.append(f"{where}: global {', '.join(node.names)}")
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in SPECIAL:
                found.append(f"{where}: assigns {_dotted(target)}")
            elif isinstance(target, ast.Attribute) and _root(target) in imported:
                if (name, _dotted(target)) not in ALLOWED:
                    found.append(f"{where}: patches {_dotted(target)}")
            elif isinstance(target, ast.Subscript) and _root(target) in module_names:
                found.append(f"{where}: mutates module-level {_dotted(target)}")
        call = node.func if isinstance(node, ast.Call) else None
        if (
            isinstance(call, ast.Name)
            and call.id in {"setattr", "delattr"}
            and node.args
            and _root(node.args[0]) in imported
        ):
            found.append(f"{where}: {call.id} on {_dotted(node.args[0])}")
        if (
            isinstance(call, ast.Attribute)
            and call.attr in MUTATORS
            and isinstance(call.value, ast.Name)
            and call.value.id in module_names - imported
        ):
            found.append(f"{where}: mutates module-level {call.value.id}")
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_state_and_no_patching(path: Path):
    assert findings(path) == []


def test_the_rules_find_what_they_forbid(tmp_path: Path):
    """Each rule fires on a file that breaks it (the rules themselves can fail)."""
    bad = ROOT / "tests" / ".hidden_state_sample.py"
    bad.write_text(
        "from pelican import Writer\n"
        "from bulletin.content.model import Document\n"
        "_seen: list = []\n"
        "CACHE = {'a': 1}\n"
        "def f(env):\n"
        "    global CACHE\n"
        "    Document.__getattribute__ = None\n"
        "    env.__class__ = object\n"
        "    Writer.write_file = None\n"
        "    setattr(Writer, 'x', 1)\n"
        "    CACHE['b'] = 2\n"
        "    _seen.append(1)\n",
        encoding="utf-8",
    )
    try:
        said = "\n".join(findings(bad))
    finally:
        bad.unlink()
    for expected in (
        "module-level container _seen", "global CACHE", "assigns Document.__getattribute__",
        "assigns env.__class__", "patches Writer.write_file", "setattr on Writer",
        "mutates module-level CACHE['b']", "mutates module-level _seen",
    ):  # fmt: skip
        assert expected in said
