"""Build the site into a fresh directory and swap it in atomically; never leave half a site.

The output path (``output/``, or the target of ``invoke publish``) is a symlink to a complete
build under ``.build/`` beside it. A build writes a new directory there; only when Pelican
reported no error (and, when publishing, the tree passed `bulletin.build.verify` and got its
``.gz`` siblings) is the symlink replaced, with one `rename`, so a web server sees the old
tree or the new one, never a mix. A failed, refused or killed build leaves the previous site
in place; the next build of the same target removes what a killed one left behind.

Builds of one target take turns (a lock file in ``.build/``), so a build never removes the
directory another is writing.

A build removes only what it made (`bulletin.build.generations`): the generations recorded in
``.build/``. A target it did not make (a folder with files, a symlink to elsewhere) is refused
before anything is built, unless the operator asks (`take_over`): then it is moved, whole, to
``<target>.backup-<time>`` beside it, which nothing deletes. The root, the home folder, the
repository and the content or theme are never targets. A full disk or a read-only folder at
any step is a `BuildFailed` with a Chinese message (`bulletin.content.oserrors`), the old site kept.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import logging
import os
import runpy
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bulletin.build.fingerprint import Manifest, Stamps, input_fingerprint
from bulletin.build.generations import (
    backup_path,
    builds_dir,
    current,
    described,
    forget,
    generation_re,
    new_generation,
    open_lock,
    ownership,
    recorded,
    unsafe_target,
    write_fresh,
)
from bulletin.content.oserrors import os_error_message
from bulletin.content.problems import errors, located

# Pelican and the archive's modules are imported where a build needs them: a build with
# nothing changed imports none of them (importing them takes longer than the whole check).
if TYPE_CHECKING:
    from bulletin.build.precompress import Compressed
    from bulletin.build.verify import Expected, SiteProblem
    from bulletin.relations.archive import Archive


class BuildFailed(Exception):
    """The build reported errors; the previous site is untouched."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


class NotOurs(BuildFailed):
    """The target holds something the build did not make, or may never be built into."""

    def __init__(self, message: str):
        super().__init__([message])


class VerificationFailed(BuildFailed):
    """The built tree failed verification; it was not published."""

    def __init__(self, problems: list[SiteProblem]):
        self.problems = problems
        super().__init__([str(p) for p in problems])


class ServedSiteFailed(VerificationFailed):
    """Nothing changed since the last publish, but the tree being served fails verification
    (changed by hand, or a disk error): the next publish builds it again."""


@dataclass
class BuildResult:
    path: Path  # the directory the new site was written to
    seconds: float
    warnings: list[str] = field(default_factory=list)
    steps: dict[str, float] = field(default_factory=dict)  # seconds per step, for reports
    compressed: Compressed | None = None  # the .gz siblings written, when publishing
    drafts_left_out: list[str] = field(default_factory=list)  # draft files not built
    skipped: bool = False  # nothing changed since the last build: no file was written
    backup: Path | None = None  # where what was at the target before was moved (take_over)


class _Collector(logging.Handler):
    """Keeps what Pelican and the plugin log at WARNING and above."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def failures(self) -> list[str]:
        """What was logged at ERROR and above."""
        return [r.getMessage() for r in self.records if r.levelno >= logging.ERROR]


@contextlib.contextmanager
def collected() -> Iterator[_Collector]:
    """Collect what is logged at WARNING and above until the block ends."""
    collector = _Collector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield collector
    finally:
        root.removeHandler(collector)


def expected_in_site(archive: Archive, settings: dict | None = None) -> Expected:
    """What a built site must hold: a page per document, term and year; every document
    searchable; with Pelican's `settings`, the theme's static files as they are."""
    from bulletin.build.verify import Expected, theme_files

    pages = [d.url for d in archive.pages]
    for key, taxonomy in archive.taxonomies.items():
        pages += [archive.term_url(key, term) for term in taxonomy]
    pages += [archive.year_url(year) for year in archive.years() if year is not None]
    theme = None
    if settings is not None:
        theme = theme_files(
            Path(settings["THEME"]),
            settings.get("THEME_STATIC_DIR", "theme"),
            settings.get("THEME_STATIC_PATHS", ["static"]),
        )
    return Expected(
        pages=tuple(pages), searchable=tuple(d.url for d in archive.documents), theme=theme
    )


def render_site(settings_file: str, output: Path, overrides: dict | None = None) -> list[str]:
    """Run Pelican into `output`; return its warnings. Raise BuildFailed on errors."""
    from pelican import Pelican
    from pelican.settings import read_settings

    from bulletin.site.pelican_api import quiet_console
    from bulletin.site.search_indexes import WORKERS_SETTING, Workers

    workers = Workers()
    settings = read_settings(
        settings_file,
        override={"OUTPUT_PATH": str(output), **(overrides or {}), WORKERS_SETTING: workers},
    )
    with collected() as collector, quiet_console():
        try:
            Pelican(settings).run()
        except Exception as exc:
            said = os_error_message(exc, output) if isinstance(exc, OSError) else None
            message = said or f"{type(exc).__name__}: {exc}"
            collector.records.append(
                logging.LogRecord("pelican", logging.CRITICAL, "", 0, message, None, None)
            )
        finally:
            workers.stop()  # a search worker of a build that failed: nothing will read its output
            gc.unfreeze()  # what the generator froze for the build (if it failed before it could)
    if collector.failures:
        raise BuildFailed(collector.failures)
    return [r.getMessage() for r in collector.records]


def _builds(target: Path) -> Path:
    return builds_dir(target)


def manifest_of(target: Path) -> Path:
    """Where the manifest of `target`'s last build is (`bulletin.build.fingerprint`)."""
    return _builds(target) / f"{target.name}.manifest.json"


def _new_build_dir(target: Path) -> Path:
    return new_generation(target)


def _build_dirs(target: Path) -> list[Path]:
    """The build directories of `target` under .build/ that a build made (current,
    previous, stale), as recorded; a directory that only looks like one is not listed."""
    pattern = generation_re(target)
    return sorted(_builds(target) / name for name in recorded(target) if pattern.fullmatch(name))


def refusal(
    target: Path, take_over: bool, protected: Iterable[Path] = (), inputs: Iterable[Path] = ()
) -> str | None:
    """Why a build may not replace what is at `target` (Chinese), or None: a place never
    built into (`generations.unsafe_target`), or what the build did not make, unless
    `take_over`."""
    reason = unsafe_target(target, protected, inputs)
    if reason is not None:
        return f"{reason}。什么也没有改动。"
    if ownership(target) != "foreign" or take_over:
        return None
    return (
        f"{target} 已经存在，是{described(target)}，但不是本程序建立的（.build/ 中没有它的记录）："
        "为免删除别人的文件，什么也没有改动。请换一个目录，或自己先移走它；"
        "确要发布到这里，也可以加 --backup-existing：原有内容会整个移到旁边的 "
        f"{target.name}.backup-<时间>，永不自动删除。"
    )


@contextlib.contextmanager
def build_lock(target: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock of `target`'s builds; wait (telling `waiting`) while another runs.

    The kernel releases the lock when the process ends, however it ends, so a killed build
    never blocks the next one.
    """
    _builds(target).mkdir(parents=True, exist_ok=True)
    lock = open_lock(_builds(target) / f"{target.name}.lock")
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)  # for a forked process holding it too
        os.close(lock)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap_in(
    new: Path, target: Path, keep_previous: bool = False, take_over: bool = False
) -> Path | None:
    """Point the `target` symlink at `new` atomically, then remove older builds.

    With `keep_previous`, the build that was served until now stays under .build/ (to roll
    back to); every other recorded build of `target` there, such as one a killed build
    left, goes. What is at `target` and is not ours raises NotOurs, unless `take_over`:
    then it is moved aside, whole, to a backup beside the target, whose path is returned.
    Call it holding `build_lock(target)`.
    """
    state = ownership(target)
    reason = refusal(target, take_over)
    if reason is not None:
        raise NotOurs(reason)
    previous = current(target) if state == "ours" else None
    link = target.with_name(f".{target.name}.link-{os.getpid()}")
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(new, target.parent))
    backup = None
    if state in ("empty", "foreign") and not target.is_symlink():
        # A folder or file: exchange it with the link in one step where the system can
        # (a web server sees the old tree or the new one), then move it aside.
        if _exchange(link, target):
            old = link
        else:
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
            os.replace(link, target)
        if state == "empty":
            with contextlib.suppress(OSError):  # empty when looked at; if no longer, kept
                old.rmdir()
        if os.path.lexists(old):
            backup = backup_path(target)
            old.rename(backup)
    else:
        if state == "foreign":  # a symlink: a copy of it is the backup, its folder untouched
            backup = backup_path(target)
            backup.symlink_to(os.readlink(target))
        os.replace(link, target)  # atomic on POSIX
    keep = {new.name, *([previous] if keep_previous and previous else [])}
    gone = []
    for build in _build_dirs(target):
        if build.name not in keep:
            if build.is_dir() and not build.is_symlink():
                shutil.rmtree(build, ignore_errors=True)
            elif build.is_symlink():
                continue  # not a directory the build made: left alone, and in the record
            gone.append(build.name)
    with contextlib.suppress(OSError):  # the site is swapped in; a stale name costs nothing
        forget(target, gone)
    for stale in target.parent.glob(f".{target.name}.link-*"):
        if stale.is_symlink():
            stale.unlink(missing_ok=True)
    return backup


class _Steps:
    """Names the step a build is at (telling `progress`) and times each one."""

    def __init__(self, progress: Callable[[str], None] | None):
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self.current: tuple[str, float] | None = None

    def __call__(self, name: str) -> None:
        self.stop()
        self.current = (name, time.perf_counter())
        if self.progress is not None:
            self.progress(name)

    def stop(self) -> None:
        if self.current is not None:
            name, began = self.current
            self.seconds[name] = time.perf_counter() - began
            self.current = None


# The settings a build's fingerprint and outputs depend on (see `_inputs`).
INPUT_SETTINGS = ("PATH", "THEME", "SITEURL", "SEARCH_WHOOSH_PATH")


def _inputs(settings_file: str, overrides: dict) -> dict | None:
    """INPUT_SETTINGS as Pelican's `read_settings` gives them, read without Pelican: the
    settings file run as Python, the overrides over it, paths made absolute from the
    settings file's directory. None when they cannot be read so.

    A build compares them with Pelican's own reading before it records a manifest, so a
    difference can only cost a full build, never skip one that was needed.
    """
    path = Path(settings_file).resolve()
    try:
        values = {**runpy.run_path(str(path)), **overrides}
    except Exception:
        return None
    inputs = {key: values.get(key) for key in INPUT_SETTINGS}
    if not isinstance(inputs["PATH"], str) or not isinstance(inputs["THEME"], str):
        return None
    for key in ("PATH", "THEME"):
        absolute = os.path.abspath(os.path.normpath(os.path.join(path.parent, inputs[key])))
        if key == "PATH" or os.path.exists(absolute):  # THEME may name one of Pelican's
            inputs[key] = absolute
    return inputs


def _fingerprint(
    settings_file: str,
    settings: dict,
    overrides: dict,
    publish: bool,
    known: Stamps | None = None,
    seen: Stamps | None = None,
) -> str:
    """The fingerprint of a build's inputs (see `bulletin.build.fingerprint`)."""
    here = Path(settings_file).resolve().parent
    files = sorted({Path(settings_file).resolve(), here / "pelicanconf.py"})
    return input_fingerprint(
        Path(settings["PATH"]),
        Path(settings["THEME"]),
        files,
        {"overrides": overrides, "publish": publish, "siteurl": settings.get("SITEURL")},
        known,
        seen,
    )


def _targets(settings_file: str, settings: dict, target: Path) -> dict[str, Path]:
    """The symlinks a build swaps: the site, and the Whoosh index where one is built."""
    targets = {"site": target}
    if settings.get("SEARCH_WHOOSH_PATH"):
        targets["search"] = Path(settings_file).resolve().parent / settings["SEARCH_WHOOSH_PATH"]
    return targets


def build_site(
    settings_file: str = "pelicanconf.py",
    target: Path = Path("output"),
    overrides: dict | None = None,
    content: Path | None = None,
    publish: bool = False,
    progress: Callable[[str], None] | None = None,
    parts: list[Path] | None = None,
    take_over: bool = False,
) -> BuildResult:
    """Check the content, build into a new directory and swap it in. Raise BuildFailed.

    The Whoosh index (SEARCH_WHOOSH_PATH) is built beside the site the same way and swapped
    in with it, so `invoke search` always answers from the site that is being served.

    With `publish`, the new tree must also pass `verify_site` (else VerificationFailed),
    gets precompressed .gz siblings, and the build it replaces is kept for a rollback.
    `progress` is told the name of each step as it starts.

    A build whose inputs (content, theme, settings, code: `bulletin.build.fingerprint`) are those
    of the build being served, with its output intact, does nothing (`skipped`); a publish
    so skipped still verifies the tree being served.

    A target that holds what no build made is refused (NotOurs) before anything is built,
    unless `take_over`: then it is moved aside to a backup (`BuildResult.backup`). A full
    disk or a read-only folder is a BuildFailed in Chinese; the old site stays.

    With `parts`, the site is not rendered here but put together from parts built
    elsewhere (`bulletin.site.parts`, docs/scaling.md), then checked, verified and swapped in.
    """
    started = time.perf_counter()
    step = _Steps(progress)
    overrides = {**(overrides or {}), **({"PATH": str(content)} if content else {})}
    manifest_path = manifest_of(target)
    inputs = _inputs(settings_file, overrides)
    fingerprint = None
    skip = False  # a publish with nothing changed: verify what is served, build nothing
    stamps: Stamps = {}  # the input files' stamps, for the manifest
    if inputs is not None:
        targets = _targets(settings_file, inputs, target)
        last = Manifest.read(manifest_path)
        known = last.inputs if last else None
        fingerprint = _fingerprint(settings_file, inputs, overrides, publish, known, stamps)
        unchanged = last and last.fingerprint == fingerprint and last.intact(targets)
        if unchanged and parts is None:
            if not publish:
                return BuildResult(target.resolve(), time.perf_counter() - started, skipped=True)
            skip = True
    from pelican.settings import read_settings

    from bulletin.checks.checks import read_archive

    settings = read_settings(settings_file, override=overrides)
    if inputs is None or any(inputs[key] != settings.get(key) for key in INPUT_SETTINGS):
        fingerprint = None  # read otherwise than Pelican reads them: record no manifest
    targets = _targets(settings_file, settings, target)
    content = Path(settings["PATH"])
    here = Path(settings_file).resolve().parent
    for place in targets.values():
        reason = refusal(
            place, take_over, (Path.home(), here, Path.cwd()), (content, Path(settings["THEME"]))
        )
        if reason is not None:
            raise NotOurs(reason)
    step("check")
    archive, problems = read_archive(
        content, settings.get("BULLETIN_URLS"), drafts=bool(settings.get("BULLETIN_DRAFTS"))
    )
    if errors(problems) or archive is None:
        raise BuildFailed([located(p, content) for p in errors(problems)])
    if skip:
        return _verified_again(target, settings, archive, step, started)
    try:
        return _build_and_swap(
            settings_file, settings, target, overrides, archive, problems, publish, parts,
            take_over, step, started, fingerprint, stamps,
        )  # fmt: skip
    except OSError as exc:
        raise BuildFailed([os_error_message(exc, target.parent)]) from None


def _verified_again(
    target: Path, settings: dict, archive: Archive, step: _Steps, started: float
) -> BuildResult:
    """A publish with nothing changed: the tree being served, verified as a new one is."""
    from bulletin.build.verify import verify_site

    step("verify")
    found = verify_site(target.resolve(), settings["SITEURL"], expected_in_site(archive, settings))
    if found:
        manifest_of(target).unlink(missing_ok=True)  # the next publish builds it again
        raise ServedSiteFailed(found)
    step.stop()
    return BuildResult(
        target.resolve(), time.perf_counter() - started, steps=step.seconds, skipped=True,
        drafts_left_out=archive.drafts_left_out,
    )  # fmt: skip


def _build_and_swap(
    settings_file: str, settings: dict, target: Path, overrides: dict, archive: Archive,
    problems: list, publish: bool, parts: list[Path] | None, take_over: bool, step: _Steps,
    started: float, fingerprint: str | None, stamps: Stamps,
) -> BuildResult:  # fmt: skip
    """`build_site` once the content is checked: render, verify, compress, swap."""
    manifest_path = manifest_of(target)
    targets = _targets(settings_file, settings, target)
    with build_lock(target, waiting=lambda: step("wait")):
        new = _new_build_dir(target)
        staged = {"OUTPUT_PATH": str(new)}
        whoosh_target: Path | None = None
        if settings.get("SEARCH_WHOOSH_PATH"):
            whoosh_target = Path(settings_file).resolve().parent / settings["SEARCH_WHOOSH_PATH"]
            whoosh_new = _new_build_dir(whoosh_target)
            staged["SEARCH_WHOOSH_PATH"] = str(whoosh_new)
        compressed = None
        try:
            if parts is not None:
                from bulletin.site.parts import merge_site

                step("merge")
                merge_site(parts, new)
                warnings = []
            else:
                step("render")
                # The archive just read and checked, so that the generator need not read it
                # again (the same files, URLs and drafts setting: the same archive).
                checked = {"BULLETIN_CHECKED": (archive, problems)}
                warnings = render_site(settings_file, new, {**overrides, **staged, **checked})
            if publish:
                from bulletin.build.precompress import precompress
                from bulletin.build.verify import verify_site

                step("verify")
                found = verify_site(new, settings["SITEURL"], expected_in_site(archive, settings))
                if found:
                    raise VerificationFailed(found)
                step("compress")
                compressed = precompress(new)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            if whoosh_target is not None:
                shutil.rmtree(staged["SEARCH_WHOOSH_PATH"], ignore_errors=True)
            raise
        step("swap")
        manifest_path.unlink(missing_ok=True)
        try:
            backup = swap_in(new, target, keep_previous=publish, take_over=take_over)
        except BaseException:
            if os.path.realpath(target) != os.path.realpath(new):  # not served: not needed
                shutil.rmtree(new, ignore_errors=True)
            raise
        if whoosh_target is not None:
            with build_lock(whoosh_target):
                swap_in(Path(staged["SEARCH_WHOOSH_PATH"]), whoosh_target, take_over=take_over)
        if fingerprint is not None:
            manifest = Manifest.record(fingerprint, targets, stamps)
            temporary = manifest_path.with_name(manifest_path.name + f".{os.getpid()}")
            try:  # the site is swapped in: without a manifest the next build is a whole one
                write_fresh(temporary, manifest.to_json())
                os.replace(temporary, manifest_path)
            except OSError:
                temporary.unlink(missing_ok=True)
    step.stop()
    return BuildResult(
        new, time.perf_counter() - started, warnings, step.seconds, compressed,
        drafts_left_out=archive.drafts_left_out, backup=backup,
    )  # fmt: skip
