"""Build the site into a fresh directory and swap it in atomically; never leave half a site.

The output path (``output/``) is a symlink to a complete build under ``.build/``. A build
writes a new directory next to it; only when Pelican reported no error is the symlink
replaced, with one `rename`, so a web server sees the old tree or the new one, never a mix.
A failed or interrupted build leaves the previous site in place.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from pelican import Pelican
from pelican.log import console
from pelican.settings import read_settings

from bulletin.archive import build_archive, read_content
from bulletin.checks import check_archive
from bulletin.problems import ContentError, Problem, errors, located
from bulletin.taxonomy import load_taxonomies


class BuildFailed(Exception):
    """The build reported errors; the previous site is untouched."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass
class BuildResult:
    path: Path  # the directory the new site was written to
    seconds: float
    warnings: list[str] = field(default_factory=list)


class _Collector(logging.Handler):
    """Keeps what Pelican and the plugin log at WARNING and above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def check_content(content: Path) -> list[Problem]:
    """Every problem in the content directory: files, taxonomies, cross-document checks."""
    try:
        taxonomies = load_taxonomies(content)
    except ContentError as exc:
        return exc.problems
    documents, problems = read_content(content)
    archive = build_archive(documents, taxonomies)
    return sorted(problems + check_archive(archive, content))


def render_site(settings_file: str, output: Path, overrides: dict | None = None) -> list[str]:
    """Run Pelican into `output`; return its warnings. Raise BuildFailed on errors."""
    settings = read_settings(
        settings_file, override={"OUTPUT_PATH": str(output), **(overrides or {})}
    )
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    quiet, console.quiet = console.quiet, True  # Pelican's own summary counts blog articles
    try:
        Pelican(settings).run()
    except Exception as exc:
        collector.records.append(
            logging.LogRecord(
                "pelican", logging.CRITICAL, "", 0, f"{type(exc).__name__}: {exc}", None, None
            )
        )
    finally:
        console.quiet = quiet
        root.removeHandler(collector)
    failed = [r.getMessage() for r in collector.records if r.levelno >= logging.ERROR]
    if failed:
        raise BuildFailed(failed)
    return [r.getMessage() for r in collector.records]


def _new_build_dir(target: Path) -> Path:
    builds = target.parent / ".build"
    builds.mkdir(exist_ok=True)
    return (
        builds
        / f"{target.name}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
    )


def swap_in(new: Path, target: Path) -> None:
    """Point the `target` symlink at `new` atomically, then remove the previous build."""
    previous = target.resolve() if target.is_symlink() else None
    if target.exists() and not target.is_symlink():
        # A plain directory from an older layout: move it aside once.
        legacy = _new_build_dir(target)
        target.rename(legacy)
        previous = legacy
    link = target.with_name(f".{target.name}.link-{os.getpid()}")
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(new, target.parent))
    os.replace(link, target)  # atomic on POSIX
    if previous is not None and previous != new.resolve() and previous.exists():
        shutil.rmtree(previous, ignore_errors=True)


def build_site(
    settings_file: str = "pelicanconf.py",
    target: Path = Path("output"),
    overrides: dict | None = None,
    content: Path | None = None,
) -> BuildResult:
    """Check the content, build into a new directory and swap it in. Raise BuildFailed.

    The Whoosh index (SEARCH_WHOOSH_PATH) is built beside the site the same way and swapped
    in with it, so `invoke search` always answers from the site that is being served.
    """
    started = time.perf_counter()
    settings = read_settings(settings_file, override=overrides or {})
    content = content or Path(settings["PATH"])
    problems = check_content(content)
    if errors(problems):
        raise BuildFailed([located(p, content) for p in errors(problems)])
    new = _new_build_dir(target)
    staged = {"OUTPUT_PATH": str(new)}
    whoosh_target: Path | None = None
    if settings.get("SEARCH_WHOOSH_PATH"):
        whoosh_target = Path(settings_file).resolve().parent / settings["SEARCH_WHOOSH_PATH"]
        whoosh_new = _new_build_dir(whoosh_target)
        staged["SEARCH_WHOOSH_PATH"] = str(whoosh_new)
    try:
        warnings = render_site(settings_file, new, {**(overrides or {}), **staged})
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        if whoosh_target is not None:
            shutil.rmtree(staged["SEARCH_WHOOSH_PATH"], ignore_errors=True)
        raise
    swap_in(new, target)
    if whoosh_target is not None:
        swap_in(Path(staged["SEARCH_WHOOSH_PATH"]), whoosh_target)
    return BuildResult(new, time.perf_counter() - started, warnings)
