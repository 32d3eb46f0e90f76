"""The house's layers: imports point one way only, and no module imports itself in a circle.

The layers are data: a folder, and the folders it may import. A module may import its own
folder and the folders listed for it; an import that runs back up, or any circle of imports,
fails with the modules and the line named. Imports are read with `ast`, every one of them:
at module level, inside functions and under ``if TYPE_CHECKING`` alike (a type named is a
dependency a reader must follow).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# bulletin/: the pipeline's stages, from the bottom up; `search` is a package of its own,
# which the site and everything after it use.
BULLETIN_ORDER = ["content", "importing", "relations", "checks", "site", "build", "preview"]
MAY_IMPORT: dict[str, set[str]] = {
    f"bulletin.{layer}": {f"bulletin.{below}" for below in BULLETIN_ORDER[:index]}
    | ({"search"} if index >= BULLETIN_ORDER.index("site") else set())
    for index, layer in enumerate(BULLETIN_ORDER)
}
# The plugin's entry point connects the generator and the settings (in its functions).
MAY_IMPORT["bulletin"] = {f"bulletin.{layer}" for layer in BULLETIN_ORDER} | {"search"}
MAY_IMPORT["search"] = set()  # search knows nothing of the archive's plugin


def modules() -> dict[str, Path]:
    found = {}
    for package in ("bulletin", "search"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(name: str, path: Path) -> list[tuple[str, int]]:
    """(module imported, line) for every import of our packages in one file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, node.lineno))
            # `from bulletin.content import model` imports the module bulletin.content.model
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return [(m, line) for m, line in found if m.split(".")[0] in ("bulletin", "search")]


def folder_of(name: str) -> str:
    """The layer a module belongs to: the longest key of MAY_IMPORT it falls under."""
    keys = [k for k in MAY_IMPORT if name == k or name.startswith(k + ".")]
    return max(keys, key=len)


def graph() -> dict[str, dict[str, int]]:
    known = modules()
    edges: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        edges[name] = {}
        for target, line in imports_of(name, path):
            if target in known and target != name:
                edges[name].setdefault(target, line)
    return edges


def test_every_module_belongs_to_a_layer_that_is_a_folder():
    for name in modules():
        layer = folder_of(name)
        assert (ROOT / layer.replace(".", "/")).is_dir(), f"{name}: layer {layer} is no folder"
    for layer in BULLETIN_ORDER:
        init = ROOT / "bulletin" / layer / "__init__.py"
        assert init.is_file(), f"{init.relative_to(ROOT)} is missing"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "May import" in doc, f"bulletin/{layer}: say what it owns and may import"


def test_imports_point_one_way_only():
    wrong = []
    for name, targets in graph().items():
        mine = folder_of(name)
        for target, line in targets.items():
            theirs = folder_of(target)
            if theirs == mine or theirs.startswith(mine + ".") or mine == "bulletin":
                continue
            allowed = MAY_IMPORT[mine]
            if not any(theirs == a or theirs.startswith(a + ".") for a in allowed):
                wrong.append(f"{modules()[name].relative_to(ROOT)}:{line} imports {target}")
    assert not wrong, "imports that run back up:\n" + "\n".join(wrong)


def _circles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_in_a_circle():
    edges = graph()
    # A package's __init__ that re-exports its modules is not a circle of theirs.
    for name in list(edges):
        for target in list(edges[name]):
            if name.startswith(target + "."):
                del edges[name][target]
    assert _circles(edges) == []


@pytest.mark.parametrize(
    "edges, circle",
    [
        ({"a": {"b": 1}, "b": {"a": 1}}, [["a", "b"]]),
        ({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}, [["a", "b", "c"]]),
        ({"a": {"b": 1}, "b": {}}, []),
    ],
)
def test_the_circle_finder_finds_circles(edges, circle):
    assert _circles(edges) == circle


def test_an_import_that_runs_back_up_is_caught(tmp_path, monkeypatch):
    """The rule itself, on a module placed low that imports the preview."""
    low = ROOT / "bulletin" / "content" / "model.py"
    source = low.read_text(encoding="utf-8") + "\nfrom bulletin.preview.preview import Preview\n"
    fake = tmp_path / "model.py"
    fake.write_text(source, encoding="utf-8")
    targets = [t for t, _ in imports_of("bulletin.content.model", fake)]
    assert "bulletin.preview.preview" in targets
    assert not any(
        folder_of("bulletin.preview.preview").startswith(a)
        for a in MAY_IMPORT[folder_of("bulletin.content.model")]
    )


def _sections(text: str) -> dict[str, str]:
    """docs/architecture.md's `###` sections by the folder their heading names."""
    found: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("#"):
            current = None
            if line.startswith("### `"):
                current = line.split("`")[1].rstrip("/")
                found[current] = ""
        elif current is not None:
            found[current] += line + "\n"
    return found


def test_the_architecture_guide_names_every_module_in_its_folders_section():
    sections = _sections((ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"))
    missing = []
    for name, path in modules().items():
        if path.name == "__init__.py" or not name.startswith("bulletin."):
            continue
        folder = "/".join(name.split(".")[:2])
        if f"`{path.name}`" not in sections.get(folder, ""):
            missing.append(f"{path.relative_to(ROOT)} (section `{folder}/`)")
    assert not missing, "docs/architecture.md does not describe:\n" + "\n".join(missing)
