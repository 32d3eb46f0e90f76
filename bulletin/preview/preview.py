"""The live preview's builds: the archive kept in memory, only what an edit changed made again.

`invoke serve` holds one `Preview`. Its first build is a whole one, into a new directory
swapped in as the site (`bulletin.build.sitebuild`). After that, when only documents changed
(Markdown files under bulletins/, policies/, speeches/, added, edited or removed), `update`

1. reads again only the files whose bytes changed (`read_files`' cache), checks the
   archive (an error leaves the site as it was, and says why); what a check finds in one
   file alone is kept with the file, so only the edited files are checked again;
2. renders again only the Markdown whose text, or whose mentions' targets, changed;
3. makes again, in place, only the pages and feeds whose inputs changed (`bulletin.site.incremental`
   decides, from what each was made of when it was last made), deletes the pages that are
   gone, and rewrites the sitemap and data files;
4. hands the search indexes (Pagefind, Whoosh, suggestions) to a background thread, which
   writes them aside and moves them in when done: search catches up a little later. While
   the next edit's first pages are made, its worker processes are stopped (SIGSTOP) and
   then let go on, so that what the editor waits for has both cores.

Anything else (the theme, the settings, the taxonomies, raw sources, our code) makes the
next build a whole one. `invoke build` and `invoke publish` never use this: they always
build the whole site into a new directory.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pelican import Pelican, signals
from pelican.settings import read_settings
from pelican.writers import Writer

from bulletin.build.fingerprint import listing
from bulletin.build.sitebuild import (
    BuildFailed,
    _new_build_dir,
    build_lock,
    collected,
    manifest_of,
    swap_in,
)
from bulletin.checks.checks import read_archive
from bulletin.content.model import Document, Item
from bulletin.content.problems import errors, located
from bulletin.preview.preview_notes import STYLESHEET, NoteMaker, Notes
from bulletin.relations.archive import CONTENT_DIRS, Archive, ArchiveMemory
from bulletin.site.generator import ArchiveGenerator
from bulletin.site.pelican_api import AtomicWriter, generator_classes, writer_of
from bulletin.site.search_indexes import SearchIndexes
from bulletin.site.session import Session
from bulletin.site.tracking import Superseded, value_digest

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    seconds: float
    whole: bool  # a whole build (else: only what changed)
    made: int = 0  # pages and feeds made again
    kept: int = 0  # pages and feeds left as they were
    deleted: list[str] = field(default_factory=list)
    steps: dict[str, float] = field(default_factory=dict)  # seconds: read, first, context…
    first: list[str] = field(default_factory=list)  # URLs of the pages made first


def _snapshot(paths: list[Path]) -> dict[str, list[int]]:
    """Every file under `paths` (directories or files): path → [size, mtime in ns]."""
    files: dict[str, list[int]] = {}
    for top in paths:
        if top.is_file():
            files[str(top)] = [top.stat().st_size, top.stat().st_mtime_ns]
        else:
            files.update({str(top / k): v for k, v in listing(top).items()})
    return files


class Preview:
    """The site of `invoke serve`: built whole once, then in part after each edit."""

    def __init__(self, settings_file: str, content: Path, target: Path, overrides: dict):
        self.settings_file = settings_file
        self.content = content.resolve()
        self.target = target
        self.overrides = {**overrides, "PATH": str(self.content), "BULLETIN_DRAFTS": True}
        here = Path(settings_file).resolve().parent
        self.watched = [self.content, here / "theme", Path(settings_file).resolve()]
        self.seen: dict[str, list[int]] = {}
        self.tried: dict[str, list[int]] = {}  # the files as the last build, good or not, began
        self.cache = ArchiveMemory()  # files as read, references: kept between builds
        self.generator: ArchiveGenerator | None = None
        # What the generator keeps between builds (since the last whole one).
        self.session = Session()
        self.shown: Archive | None = None  # the archive the site shows (its edited pages)
        self.search = _SearchCatchUp(self)
        self.rest = _Rest(self)
        self.note_maker = NoteMaker(here / "theme", self.content)
        # What the preview shows beside the site (error pages, panels), as the last read of
        # the content found it, good or not: replaced whole, read by the server's thread.
        self.notes = Notes()

    # --- builds ----------------------------------------------------------------------------

    def build(self) -> Outcome:
        """Build what the edits since the last build need: in part if only documents
        changed, else whole. Raise BuildFailed (the site stays as it was)."""
        self.rest.stop()  # a newer edit: the last update's rest is done again from here
        now = self.tried = _snapshot(self.watched)
        changed = {p for p in now.keys() | self.seen.keys() if now.get(p) != self.seen.get(p)}
        documents_only = self.generator is not None and all(
            self._is_document(Path(p)) for p in changed
        )
        try:
            outcome = self.update() if documents_only else self.whole()
        except BuildFailed:
            # The site stays the last good one: finish what the stopped rest was making.
            if self.rest.unfinished is not None and self.generator is not None:
                self.rest.start(self.rest.unfinished)
            raise
        self.seen = now
        return outcome

    def saved_since(self) -> bool:
        """Whether a watched file changed since the last build began: a save made during
        `invoke serve`'s first build, which the file watcher may have started too late to
        hear of, is not lost."""
        return _snapshot(self.watched) != self.tried

    def _is_document(self, path: Path) -> bool:
        try:
            relative = path.relative_to(self.content)
        except ValueError:
            return False
        return (
            len(relative.parts) == 2 and relative.parts[0] in CONTENT_DIRS and path.suffix == ".md"
        )

    def _read(self):
        settings = read_settings(self.settings_file, override=self.overrides)
        archive, problems = read_archive(
            self.content, settings.get("BULLETIN_URLS"), drafts=True, cache=self.cache
        )
        files = {file.path: file for file in self.cache.files.values()}
        self.notes = self.note_maker.notes(problems, files, archive, self.shown)
        if errors(problems) or archive is None:
            raise BuildFailed([located(p, self.content) for p in errors(problems)])
        # The rest is the preview's to show (`notes`: panels, a draft's error page), not
        # the generator's to log again at every round: the editor's terminal stays quiet.
        return archive, []

    def whole(self) -> Outcome:
        """Build the whole site into a new directory and swap it in (as `invoke build`),
        keeping the generator and what each page was made of."""
        started = time.perf_counter()
        self.search.wait()
        self.generator = None
        gc.unfreeze()  # what the last whole build kept may be garbage now
        preread = self._read()
        with build_lock(self.target):
            new = _new_build_dir(self.target)
            settings = read_settings(
                self.settings_file, override={**self.overrides, "OUTPUT_PATH": str(new)}
            )
            try:
                generator = self._run_pelican(settings, preread)
            except BaseException:
                shutil.rmtree(new, ignore_errors=True)
                raise
            manifest_of(self.target).unlink(missing_ok=True)
            swap_in(new, self.target)
        self.generator = generator
        self.shown = preread[0]
        _keep_long_lived()
        self.search.written = set()
        self.search.submit(generator.search)
        made = len(self.session.memo.made)
        return Outcome(time.perf_counter() - started, whole=True, made=made)

    def _run_pelican(self, settings: dict, preread) -> ArchiveGenerator:
        """Pelican's run, keeping our generator (Pelican.run drops it)."""
        pelican = Pelican(settings)
        context = settings.copy()
        context.update(generated_content={}, static_links=set(), static_content={})
        context["localsiteurl"] = settings["SITEURL"]
        # A new session: the search indexes are submitted once the site is swapped in.
        self.session = Session(stop=self.session.stop)
        generators = [
            cls(context=context, settings=settings, path=pelican.path, theme=pelican.theme,
                output_path=pelican.output_path,
                **({"session": self.session} if issubclass(cls, ArchiveGenerator) else {}))
            for cls in generator_classes(pelican)
        ]  # fmt: skip
        ours = next(g for g in generators if isinstance(g, ArchiveGenerator))
        settings["BULLETIN_CHECKED"] = preread
        with collected() as collector:
            for generator in generators:
                if hasattr(generator, "generate_context"):
                    generator.generate_context()
            signals.all_generators_finalized.send(generators)
            writer = writer_of(pelican)
            for generator in generators:
                if hasattr(generator, "generate_output"):
                    generator.generate_output(writer)
            signals.finalized.send(pelican)
        if collector.failures:
            raise BuildFailed(collector.failures)
        return ours

    def update(self) -> Outcome:
        """After an edit of documents only: first the pages of the edited documents, in the
        site being served (what a reader looking at them waits for); then, in the background
        (`wait` for it), every other page and feed the edit changed (`_Rest`)."""
        started = time.perf_counter()
        generator = self.generator
        assert generator is not None
        previous = self.shown
        with _collector_paused(), self.search.paused():
            preread = self._read()
            steps = {"read": time.perf_counter() - started}
            edited = _edited(previous, preread[0])
            with self._in_site():
                # The site is no longer the one `invoke build` recorded.
                manifest_of(self.target).unlink(missing_ok=True)
                generator.output_path = str(self.target.resolve())
                generator.first_pages(preread[0], edited, self._writer(generator), previous)
        self.shown = preread[0]
        steps["first"] = time.perf_counter() - started - steps["read"]
        self.rest.start(preread)
        return Outcome(
            time.perf_counter() - started, whole=False, made=len(edited), steps=steps,
            first=[d.url for d in edited],
        )  # fmt: skip

    @contextlib.contextmanager
    def _in_site(self) -> Iterator[None]:
        """Write into the site being served (under its build lock). If that fails, or logs
        an error, the site may be half updated: the next build is a whole one. A round
        stopped by a newer edit (`Superseded`) leaves nothing to distrust."""
        try:
            with collected() as collector, build_lock(self.target):
                yield
        except Superseded:
            raise
        except BaseException:
            self.generator = None
            raise
        if collector.failures:
            self.generator = None
            raise BuildFailed(collector.failures)

    def _writer(self, generator: ArchiveGenerator) -> Writer:
        return AtomicWriter(str(self.target.resolve()), settings=generator.settings)

    def complete(self, preread) -> Outcome:
        """The rest of an update (in `_Rest`'s thread): make again, in the site being
        served, every page and feed the edited documents changed; raise `Superseded` if a
        newer edit came first."""
        started = time.perf_counter()
        generator = self.generator
        assert generator is not None
        steps = {}
        with self._in_site():
            generator.settings["BULLETIN_CHECKED"] = preread
            self.session.search_ready = self.search.submit
            mark = time.perf_counter()
            generator.generate_context()
            steps["context"] = time.perf_counter() - mark
            mark = time.perf_counter()
            generator.generate_output(self._writer(generator))
            steps["pages"] = time.perf_counter() - mark
        round_ = self.session.memo.current
        assert round_ is not None
        return Outcome(
            time.perf_counter() - started, whole=False, made=len(round_.made), kept=round_.kept,
            deleted=round_.gone, steps=steps,
        )  # fmt: skip

    def answer(self, path: str) -> tuple[int, str, bytes] | None:
        """What the server answers for a request of `path` (without its leading slash)
        instead of the site's file: (status, content type, body), or None (the file)."""
        if path == STYLESHEET:
            return 200, "text/css; charset=utf-8", self.note_maker.stylesheet()
        found = self.notes.answer(path, self.target)
        return None if found is None else (found[0], "text/html; charset=utf-8", found[1])

    def wait(self) -> Outcome | None:
        """Until the site and its search indexes are those of the latest edit; return how
        the last update's background step went (None: there was none, or it stopped)."""
        outcome = self.rest.wait()
        self.search.wait()
        return outcome


def _keep_long_lived() -> None:
    """Put what the preview now holds (the archive, its rendered texts, what each page was
    made of) out of the cyclic collector's sight. A full collection over it takes seconds at
    100,000 items, and would otherwise fall in the middle of some later update, which an
    editor waits for. Cycles among these objects that become garbage are collected after
    the next whole build's `gc.unfreeze()`: until then, the edited documents' old versions."""
    gc.collect()
    gc.freeze()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic collection while an editor waits: it runs afterwards, in the background."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _content_of(document: Document) -> bytes:
    """A document as its file gives it: not what a build adds (html, related items)."""
    state = vars(document)
    return value_digest(sorted((k, v) for k, v in state.items() if k not in _ADDED))


_ADDED = {"html", "toc", "related"}


def _edited(previous: Archive | None, archive: Archive) -> list[Document]:
    """The documents of `archive` that are new or whose content changed since `previous`,
    and the issues of the items among them (an issue page shows its items' headlines)."""
    before = previous.by_url if previous else {}
    edited = [
        d
        for d in archive.pages
        if (old := before.get(d.url)) is not d
        and (old is None or _content_of(old) != _content_of(d))
    ]
    issues = {d.issue.url: d.issue for d in edited if isinstance(d, Item) and d.issue}
    known = {d.url for d in edited}
    return [*(i for u, i in issues.items() if u not in known), *edited]


class _Rest:
    """Runs the rest of each update (`Preview.complete`) in a background thread. A newer
    edit stops it (`stop`), at the next page, before its own update begins."""

    def __init__(self, preview: Preview):
        self.preview = preview
        self.thread: threading.Thread | None = None
        self.outcome: Outcome | None = None
        self.unfinished = None  # the archive (read and checked) of a rest not yet finished
        self.report = None  # called with each finished outcome (`invoke serve` prints it)

    def start(self, preread) -> None:
        self.outcome, self.unfinished = None, preread
        self.thread = threading.Thread(target=self._run, args=(preread,), name="rest")
        self.thread.daemon = True
        self.thread.start()

    def _run(self, preread) -> None:
        try:
            self.outcome = self.preview.complete(preread)
            self.unfinished = None
        except Superseded:
            return
        except BuildFailed as exc:
            logger.error("%s", "\n".join(exc.messages))
            return
        except Exception:
            logger.exception("预览的后台更新失败；保存任一文件即重建整个网站")
            return
        if self.report is not None:
            self.report(self.outcome)

    def wait(self) -> Outcome | None:
        if self.thread is not None:
            self.thread.join()
        return self.outcome

    def stop(self) -> None:
        """Stop the running rest, if any, and wait: it stops at its next page, or read of a
        document (`bulletin.site.tracking.StopSignal`)."""
        thread = self.thread
        if thread is None or not thread.is_alive() or thread.ident is None:
            self.wait()
            return
        signal = self.preview.session.stop
        signal.ask(thread.ident)
        try:
            thread.join()
        finally:
            signal.clear()


class _SearchCatchUp:
    """Writes the search indexes of the latest update in a background thread, aside, then
    moves them into the site; a newer update's indexes replace one not started yet."""

    def __init__(self, preview: Preview):
        self.preview = preview
        self.pending: SearchIndexes | None = None
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.written: set[str] = set()  # files the last catch-up put in the site
        self.current: SearchIndexes | None = None  # the indexes being written now
        self.report = None  # called with the seconds a catch-up took (`invoke serve` says)

    def submit(self, search: SearchIndexes) -> None:
        with self.lock:
            self.pending = search
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="search", daemon=True)
                self.thread.start()

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The catch-up's workers stopped while this runs (an edit's first pages): they
        would share the cores and the memory's bandwidth with what the editor waits for."""
        current = self.current
        if current is None:
            yield
            return
        with current.paused():
            yield

    def wait(self) -> None:
        """Until the search indexes are those of the latest build."""
        while True:
            with self.lock:
                thread = self.thread
            if thread is None or not thread.is_alive():
                return
            thread.join()

    def _run(self) -> None:
        while True:
            with self.lock:
                search, self.pending = self.pending, None
                if search is None:
                    self.thread = None
                    return
            started = time.perf_counter()
            self.current = search
            try:
                self._write(search)
            except Exception:
                logger.exception("搜索索引更新失败；保存任一文件即重试")
                continue
            finally:
                self.current = None
            if self.report is not None and self.pending is None:
                self.report(time.perf_counter() - started)

    def _write(self, search: SearchIndexes) -> None:
        site = self.preview.target.resolve()
        stage = Path(tempfile.mkdtemp(prefix="search-", dir=site.parent))
        whoosh = search.settings.get("SEARCH_WHOOSH_PATH")
        settings = dict(search.settings)
        here = Path(self.preview.settings_file).resolve().parent
        whoosh_target = here / whoosh if whoosh else None
        if whoosh_target is not None:
            whoosh_new = _new_build_dir(whoosh_target)
            settings["SEARCH_WHOOSH_PATH"] = str(whoosh_new)
        search.settings = settings
        try:
            # In a forked process, as a build's are, at a lower priority: a thread here would
            # hold the interpreter's lock for long stretches (the Whoosh index is Python), and
            # either would slow down the next edit's update, which an editor waits for.
            search.start(stage, nice=10, whoosh_apart=False)
            search.finish()
            written = set()
            for path in sorted(p for p in stage.rglob("*") if p.is_file()):
                relative = path.relative_to(stage).as_posix()
                destination = site / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, destination)
                written.add(relative)
            for relative in self.written - written:
                with contextlib.suppress(FileNotFoundError):
                    (site / relative).unlink()
            self.written = written
            if whoosh_target is not None:
                with build_lock(whoosh_target):
                    swap_in(whoosh_new, whoosh_target)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
