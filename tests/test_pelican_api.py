"""The one adapter to Pelican's internals (`bulletin.site.pelican_api`) holds for the Pelican
installed: an upgrade that changes what it relies on fails here, not in an editor's preview."""

from __future__ import annotations

import ast
import inspect
import tomllib
from importlib import metadata
from pathlib import Path

from pelican import Pelican
from pelican.log import console
from pelican.settings import read_settings
from pelican.writers import Writer

from bulletin.site import pelican_api
from sitecheck import ROOT


def test_the_pelican_installed_is_the_one_pinned_and_the_adapter_was_written_for():
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = [d for d in pins["project"]["dependencies"] if d.startswith("pelican==")]
    assert pinned == [f"pelican=={pelican_api.PELICAN_VERSION}"]
    assert metadata.version("pelican") == pelican_api.PELICAN_VERSION


def test_the_private_methods_the_adapter_calls_are_there_as_it_calls_them():
    assert list(inspect.signature(Pelican._get_generator_classes).parameters) == ["self"]
    assert list(inspect.signature(Pelican._get_writer).parameters) == ["self"]
    parameters = inspect.signature(Writer._open_w).parameters
    assert list(parameters)[:4] == ["self", "filename", "encoding", "override"]
    assert hasattr(console, "quiet")


def test_the_adapter_gives_what_a_run_would_use(tmp_path: Path):
    settings = read_settings(
        str(ROOT / "pelicanconf.py"), override={"OUTPUT_PATH": str(tmp_path / "out")}
    )
    pelican = Pelican(settings)
    names = [cls.__name__ for cls in pelican_api.generator_classes(pelican)]
    assert "ArchiveGenerator" in names  # our plugin's generator, through Pelican's signal
    assert isinstance(pelican_api.writer_of(pelican), Writer)


def test_the_atomic_writer_renames_into_place_and_leaves_nothing_aside(tmp_path: Path):
    writer = pelican_api.AtomicWriter(str(tmp_path), settings={})
    target = tmp_path / "page.html"
    target.write_text("old", encoding="utf-8")
    with writer._open_w(str(target), "utf-8", override=True) as handle:
        handle.write("new")
        assert target.read_text(encoding="utf-8") == "old"  # a reader sees the old page
    assert target.read_text(encoding="utf-8") == "new"
    writer = pelican_api.AtomicWriter(str(tmp_path), settings={})  # a new round: a new writer
    try:
        with writer._open_w(str(target), "utf-8", override=True) as handle:
            handle.write("half")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_no_other_module_touches_pelicans_internals():
    """Private names of Pelican (`_get_…`, `_open_w`, `console`) only in the adapter."""
    offenders = []
    for path in sorted((ROOT / "bulletin").rglob("*.py")):
        if path.name == "pelican_api.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in (
                "_get_generator_classes",
                "_get_writer",
                "_open_w",
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module == "pelican.log":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} pelican.log")
    assert not offenders
