"""The search indexes of a build or a preview round (the Pagefind bundle, the Whoosh
index, the lexicon, related items), written by forked worker processes while the pages are
rendered (`SearchIndexes`), and the build's record of its running workers (`Workers`)."""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from bulletin.content.model import Item
from bulletin.relations.archive import Archive
from bulletin.site.search_records import search_docs
from search.analysis.folds import corpus_folds
from search.analysis.segmentation import analyse
from search.index.bundle import SHARD_SIZE, write_bundle
from search.index.lexicon import Lexicon, made_lexicon, write_lexicon
from search.index.pagefind_format import PagefindVersionError
from search.index.related import related
from search.index.whoosh_writer import build_index, write_folds

logger = logging.getLogger(__name__)

WORKERS_SETTING = "BULLETIN_SEARCH_WORKERS"  # a build's `Workers`


def _die_with_parent() -> None:
    """Ask Linux to end this process when the build that started it ends (PR_SET_PDEATHSIG),
    so that a killed build leaves no search worker behind."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


class SearchIndexes:
    """The build's search work: related items, the Pagefind bundle and the Whoosh index."""

    def __init__(
        self, archive: Archive, settings: dict, cut: dict | None = None, texts: dict | None = None
    ):
        """`cut` (kept by a preview between builds): (title, text) → its words, so that
        only a changed document is cut again (`words` gives it back for the next build);
        `texts`, likewise, rendered HTML → its text (`texts` gives it back)."""
        self.archive = archive
        self.settings = settings
        self.docs = search_docs(archive, texts)
        self.texts = None if texts is None else {d.html: texts[d.html] for d in archive.documents}
        known = cut or {}
        missing = [d for d in self.docs if (d.title, d.text) not in known]
        fresh = dict(zip(((d.title, d.text) for d in missing), analyse(missing), strict=True))
        self.analysed = [
            known.get((d.title, d.text)) or fresh[(d.title, d.text)] for d in self.docs
        ]
        # The worker processes `start` began, each with its end of a pipe (the fold map,
        # then what went wrong); and where `finish` writes what is left to this process.
        self.workers: list[tuple[multiprocessing.process.BaseProcess, object]] = []
        self.left_here: tuple[Path, tuple[int, int] | None] | None = None  # see `start`

    @property
    def words(self) -> dict:
        """Each record's (title, text) → its words: the `cut` of the next build."""
        return {(d.title, d.text): a for d, a in zip(self.docs, self.analysed, strict=True)}

    def start(
        self,
        site: Path,
        part: tuple[int, int] | None = None,
        nice: int = 0,
        whoosh_apart: bool = True,
    ) -> None:
        """Begin `write` in a worker process, so that the indexes are built while the pages
        are rendered (on the second core); `finish` waits for it. `nice`: how much lower the
        workers' priority is than this process's.

        With `whoosh_apart`, the Whoosh index is written by a second worker, beside the
        first (Whoosh's pure-Python writer takes longer than the whole Pagefind bundle:
        10 s against 7 s at 10,000 documents), and the fold map, which the first works out
        and hands over, and the lexicon are left to `finish`, in this process. The preview,
        whose process serves the editor, says no: one worker of low priority does it all.

        The workers are forked: they read the documents as they are, without copying them
        (`gc.freeze` keeps the collector from touching, and so copying, their memory).
        """
        if not self.settings.get("SEARCH_INDEXES", True):
            return
        self.left_here = (site, part) if whoosh_apart else None
        hand_over = whoosh_apart
        gc.freeze()
        try:
            self._fork(lambda sender: self._bundle(site, part, sender, hand_over), nice)
            if whoosh_apart and self._whoosh_path(part) is not None:
                self._fork(lambda sender: self._whoosh_index(part), nice)
        finally:
            gc.unfreeze()
        if (workers := self.settings.get(WORKERS_SETTING)) is not None:
            workers.add(self)

    def _fork(self, work: Callable, nice: int) -> None:
        context = multiprocessing.get_context("fork")
        receiver, sender = context.Pipe(duplex=False)
        worker = context.Process(target=self._work, args=(work, sender, nice))
        worker.start()
        sender.close()
        self.workers.append((worker, receiver))

    @staticmethod
    def _work(work: Callable, sender, nice: int) -> None:
        _die_with_parent()
        os.nice(nice)
        try:
            work(sender)
        except OSError as exc:  # a full disk, say: passed on, to be said in Chinese
            from bulletin.content.oserrors import as_os_error

            sender.send(("done", as_os_error(exc)))
            raise SystemExit(1) from None  # no English traceback on the operator's terminal
        except PagefindVersionError as exc:  # the editor's message, whole, without a traceback
            sender.send(("done", str(exc)))
            raise SystemExit(1) from None
        except BaseException:
            sender.send(("done", traceback.format_exc()))
            raise
        sender.send(("done", None))

    def _bundle(self, site: Path, part: tuple[int, int] | None, sender, hand_over: bool):
        self.write(site, part, (lambda folds: sender.send(("folds", folds))) if hand_over else None)

    def finish(self) -> None:
        """Wait for the workers `start` began, then write the fold map and the lexicon if
        they were left to this process; raise RuntimeError if a worker failed.

        The lexicon is made first, while the workers still run (this process would only
        wait: 0.8 s at 10,000 items), and written once they are done (the Whoosh worker
        makes its folder afresh)."""
        made: Lexicon | None = None
        folds = None
        failed = []
        try:
            if self.left_here is not None:
                made = self._made_lexicon(self.left_here[1])
            for worker, receiver in self.workers:
                while True:
                    try:
                        what, value = receiver.recv()
                    except EOFError:
                        worker.join()
                        code = worker.exitcode
                        what, value = "done", f"a search worker ended without a word ({code})"
                    if what == "folds":
                        folds = value
                    elif what == "done":
                        break
                if value is not None:
                    failed.append(value)
                    break
                worker.join()
        finally:
            self.stop()
        if failed:
            if isinstance(failed[0], OSError):
                raise failed[0]
            raise RuntimeError(f"search indexes: {failed[0]}")
        if self.left_here is not None and folds is not None:
            site, part = self.left_here
            directory = self._whoosh_path(part)
            if directory is not None:
                write_folds(directory, folds)
            self._lexicon(site, part, made)

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The workers stopped (SIGSTOP) while this runs, then let go on: the preview's
        update of an edit, which an editor waits for, has the memory and both cores."""
        stopped = []
        for worker, _ in self.workers:
            if worker.pid is not None and worker.is_alive():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGSTOP)
                    stopped.append(worker.pid)
        try:
            yield
        finally:
            for pid in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def stop(self) -> None:
        """End the workers, if still running (a build that failed elsewhere)."""
        for worker, receiver in self.workers:
            if worker.is_alive():
                worker.kill()
            worker.join()
            receiver.close()
        self.workers = []
        if (workers := self.settings.get(WORKERS_SETTING)) is not None:
            workers.discard(self)

    def _whoosh_path(self, part: tuple[int, int] | None) -> Path | None:
        whoosh = self.settings.get("SEARCH_WHOOSH_PATH")
        return Path(whoosh) if whoosh and part is None else None

    def _whoosh_index(self, part: tuple[int, int] | None, folds: dict | None = None) -> None:
        """The Whoosh index, where configured; its fold map too, if given."""
        directory = self._whoosh_path(part)
        if directory is not None:
            procs = int(self.settings.get("SEARCH_WHOOSH_PROCS") or 1)
            if len(self.docs) < 2000:  # below this, starting processes costs more than it saves
                procs = 1
            build_index(
                self.docs, directory, self.analysed, procs=procs,
                folds=False if folds is None else folds,
            )  # fmt: skip

    def _made_lexicon(self, part: tuple[int, int] | None) -> Lexicon | None:
        """The lexicon, in part 0 of a site built in parts or in a whole site (else None)."""
        if part is not None and part[0] != 0:
            return None
        names = [s for t in self.archive.taxonomies.values() for term in t for s in term.spellings]
        return made_lexicon(self.docs, names)

    def _lexicon(self, site: Path, part: tuple[int, int] | None, made: Lexicon | None) -> None:
        """The lexicon `made`, beside the Whoosh index and into the site."""
        if made is not None:
            write_lexicon(made, site, self._whoosh_path(part))

    def relate(self, interrupt: Callable[[], None] | None = None) -> None:
        """Attach up to five related documents to every item (before pages are written).
        `interrupt` is called now and then, and may raise to stop."""
        by_url = {d.url: d for d in self.archive.documents}
        for url, urls in related(self.docs, self.analysed, interrupt=interrupt).items():
            document = by_url[url]
            if isinstance(document, Item):
                document.related = [by_url[u] for u in urls]

    def write(
        self,
        site: Path,
        part: tuple[int, int] | None = None,
        hand_over: Callable[[dict[str, str]], None] | None = None,
    ) -> None:
        """Write the Pagefind bundle into the site, the Whoosh index where configured, and
        the lexicon.

        As `part` (k, n) of a site built in parts, only part k's search shards (unmerged),
        and, in part 0, what the search page needs besides (bulletin/site/parts.py). With
        `hand_over`, the Whoosh index and the lexicon are left to whoever it hands the
        fold map to (`start`)."""
        if not self.settings.get("SEARCH_INDEXES", True):
            return  # benchmarks measure the pages alone
        folds = corpus_folds(self.docs)
        if hand_over is not None:
            hand_over(folds)
        cache = self.settings.get("SEARCH_SHARD_CACHE")
        if cache is None:  # default: beside the content, in the builds' directory
            cache = Path(self.settings["PATH"]).resolve().parent / ".build" / "pagefind-shards"
        stats = write_bundle(
            self.docs, site, folds,
            shard_size=int(self.settings.get("SEARCH_SHARD_SIZE") or SHARD_SIZE),
            cache=Path(cache) if cache else None, part=part,
        )  # fmt: skip
        logger.info(
            "Pagefind: %d records in %d shards (%d indexed) in %.1f s, bundle %.1f MB",
            stats.records, stats.shards, stats.indexed, stats.seconds, stats.bytes / 1e6,
        )  # fmt: skip
        if hand_over is None:
            self._whoosh_index(part, folds)
            self._lexicon(site, part, self._made_lexicon(part))


class Workers:
    """The search workers one build started and has not yet waited for, so that the build
    can end them if it fails first (Pelican raised while rendering the pages): nothing will
    read what they write. The build owns it and hands it over in the settings
    (``BULLETIN_SEARCH_WORKERS``); a preview writes its indexes itself and passes none."""

    def __init__(self) -> None:
        self.running: list[SearchIndexes] = []

    def add(self, indexes: SearchIndexes) -> None:
        self.running.append(indexes)

    def discard(self, indexes: SearchIndexes) -> None:
        if indexes in self.running:
            self.running.remove(indexes)

    def stop(self) -> None:
        for indexes in list(self.running):
            indexes.stop()
