"""The house's layers: each folder imports only what its row of `LAYERS` allows, and no
modules import each other in a circle.

Imports are read from the code (`ast`, every import statement, inside functions too), so a
late import counts as much as one at the top. A folder's own `__init__.py` docstring says
the same in words.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sitecheck import ROOT

# Folder (a package, dotted) → the packages or modules it may import from this repository.
# A module's row is its longest folder's; importing from its own folder is always allowed.
# bulletin/: the pipeline's stages from the bottom up, each standing on those below it;
# `search` is a package of its own, used from the site up.
BULLETIN = ("content", "importing", "relations", "checks", "site", "build", "preview")
LAYERS: dict[str, tuple[str, ...]] = {
    "bulletin": (*(f"bulletin.{stage}" for stage in BULLETIN), "search"),  # register()
    **{
        f"bulletin.{stage}": tuple(f"bulletin.{below}" for below in BULLETIN[:n])
        + (("search",) if n >= BULLETIN.index("site") else ())
        for n, stage in enumerate(BULLETIN)
    },
    "search": (),
    "search.analysis": (),
    "search.index": ("search.analysis",),
    # query reads what index wrote: only the modules that name and read those files
    "search.query": ("search.analysis", "search.index.whoosh_writer", "search.index.lexicon"),
}
OURS = ("search", "bulletin")  # top-level packages whose imports are ours to check


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """The modules of this repository that the file imports (a name imported from a
    package counts as its module when there is one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*here[: len(here) - node.level + 1], *filter(None, [base])])
            found.add(base)
            for alias in node.names:
                if module_path(f"{base}.{alias.name}") is not None:
                    found.add(f"{base}.{alias.name}")
    return {name for name in found if name.split(".")[0] in OURS}


def module_path(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def layer_of(module: str) -> str | None:
    """The longest folder of LAYERS that holds `module`."""
    folders = [f for f in LAYERS if module == f or module.startswith(f + ".")]
    return max(folders, key=len) if folders else None


def modules() -> dict[str, set[str]]:
    """Every module under the folders of LAYERS → what it imports of ours."""
    tops = {folder.split(".")[0] for folder in LAYERS}
    paths = [p for top in tops for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts]
    return {module_name(p): imports_of(p) for p in sorted(paths)}


def back_up(graph: dict[str, set[str]]) -> list[str]:
    """Imports a module's layer does not allow."""
    wrong = []
    for module, imported in graph.items():
        layer = layer_of(module)
        if layer is None:
            continue
        allowed = (layer, *LAYERS[layer])
        for name in sorted(imported):
            if name == layer and module != layer:
                continue  # the folder's own __init__
            if not any(name == a or name.startswith(a + ".") for a in allowed):
                wrong.append(f"{module} imports {name} ({layer} may import {list(allowed)})")
    return wrong


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module, or of one that imports itself
    (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in graph:
                continue
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_imports_point_down_the_layers():
    wrong = back_up(modules())
    assert not wrong, "\n".join(wrong)


def test_no_circles():
    assert not circles({m: i for m, i in modules().items() if layer_of(m)})


def test_every_folder_says_what_it_owns_and_may_import():
    for folder in LAYERS:
        init = module_path(folder)
        assert init is not None, folder
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in doc, f"{init}: its docstring says nothing of what it may import"


@pytest.mark.parametrize(
    ("graph", "wrong", "circle"),
    [
        ({"search.analysis.a": {"search.index.b"}, "search.index.b": set()}, 1, 0),
        ({"search.query.a": {"search.index.bundle"}, "search.index.bundle": set()}, 1, 0),
        ({"search.index.a": {"search.index.b"}, "search.index.b": {"search.index.a"}}, 0, 1),
        ({"search.index.a": {"search.analysis.b"}, "search.analysis.b": set()}, 0, 0),
        (
            {"bulletin.content.a": {"bulletin.preview.preview"}, "bulletin.preview.preview": set()},
            1,
            0,
        ),
        ({"bulletin.site.a": {"bulletin.build.b"}, "bulletin.build.b": set()}, 1, 0),
        ({"bulletin.checks.checks.a": {"search.index.b"}, "search.index.b": set()}, 1, 0),
        (
            {"bulletin.build.a": {"bulletin.site.b", "search.index.c"}, "bulletin.site.b": set()},
            0,
            0,
        ),
        (
            {
                "bulletin.relations.a": {"bulletin.relations.b"},
                "bulletin.relations.b": {"bulletin.relations.a"},
            },
            0,
            1,
        ),
    ],
)
def test_the_checks_catch_what_they_should(graph, wrong, circle):
    assert len(back_up(graph)) == wrong
    assert len(circles(graph)) == circle


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


def test_the_architecture_guide_names_every_module_of_bulletin_in_its_folders_section():
    sections = _sections((ROOT / "docs" / "architecture.md").read_text(encoding="utf-8"))
    missing = []
    for path in sorted((ROOT / "bulletin").rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if path.name == "__init__.py" or len(parts) < 3:
            continue
        folder = "/".join(parts[:2])
        if f"`{path.name}`" not in sections.get(folder, ""):
            missing.append(f"{path.relative_to(ROOT)} (section `{folder}/`)")
    assert not missing, "docs/architecture.md does not describe:\n" + "\n".join(missing)
