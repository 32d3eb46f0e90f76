"""Which outputs of a preview must be made again after an edit, from what each was made of.

A `Memo` lives as long as the preview. Every output a build writes through it (a page, a
feed) is recorded with what it was made of (`bulletin.site.tracking`): the digest of its
own variables, the documents it read and the answers of the queries it asked of the
archive. After an edit, a new archive is read and the output is made again only if

- it is new, or its variables' digest changed;
- a document it read changed (its `document_state`) or is gone; or
- one of its queries, asked again of the new archive, answers differently.

Outputs the new build no longer makes are deleted. A round may stop half way (`Superseded`,
when a newer edit comes): the next round then makes again whatever the stopped one touched.
Pure: no Pelican.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulletin.content.model import Document
from bulletin.site.tracking import (
    Reads,
    RecordingEnvironment,
    document_state,
    recording,
    replay,
    value_digest,
)

LONG = 100  # a list this long is digested once a round (`Memo.key`)


@dataclass(frozen=True)
class Made:
    key: bytes
    documents: frozenset[str]
    queries: tuple[tuple[tuple, bytes], ...]
    replayable: bool


@dataclass
class Round:
    """One build of the preview: the new archive's state and what was decided."""

    documents: dict[str, Document]
    states: dict[str, bytes]
    changed: set[str]  # URLs of documents changed, added or gone since the last round
    roots: dict[str, Any]
    environment: RecordingEnvironment  # what the round's pages are rendered with
    answers: dict[tuple, bytes | None] = field(default_factory=dict)
    memo: dict[int, bytes] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    made: list[str] = field(default_factory=list)  # outputs made again this round
    kept: int = 0  # outputs left as they were
    gone: list[str] = field(default_factory=list)  # outputs deleted: no longer made


@dataclass
class Memo:
    made: dict[str, Made] = field(default_factory=dict)  # output name → what it was made of
    states: dict[str, bytes] = field(default_factory=dict)  # URL → document_state
    current: Round | None = None

    def begin(
        self, documents: list[Document], roots: dict[str, Any], environment: RecordingEnvironment
    ) -> Round:
        """Start a round for the archive whose every document (with a URL) is `documents`,
        its pages rendered with `environment` (whose `stop` may stop the round)."""
        by_url = {d.url: d for d in documents}
        states = {}
        for url, document in by_url.items():
            self._stop_if_asked(environment)  # a newer edit stops the round here too
            states[url] = document_state(document)
        changed = {u for u, s in states.items() if self.states.get(u) != s}
        changed |= set(self.states) - set(states)
        # Until the round ends, these count as changed: a round stopped half way (a newer
        # edit came) may have made outputs of them in a state the next round cannot see.
        self.states.update(dict.fromkeys(changed, b""))
        self.current = Round(by_url, states, changed, roots, environment)
        return self.current

    @staticmethod
    def _stop_if_asked(environment: RecordingEnvironment) -> None:
        if environment.stop is not None:
            environment.stop.raise_if_asked()

    def key(self, *values: Any) -> bytes:
        """The digest of an output's own variables. A long list (all of a term's
        documents, say), the same for many pages, is digested once a round."""
        assert self.current is not None
        return value_digest(tuple(self._shared(v) for v in values))

    def _shared(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self._shared(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)) and len(value) > LONG:
            memo = self.current.memo
            if id(value) not in memo:
                memo[id(value)] = value_digest(value)
            return ("long", memo[id(value)])
        return value

    def fresh(self, name: str, key: bytes) -> bool:
        """Whether the output `name`, with variables of digest `key`, is still as it was
        made (then it counts as made in this round)."""
        round_ = self.current
        assert round_ is not None
        round_.seen.add(name)
        made = self.made.get(name)
        if made is None or made.key != key or not made.replayable:
            return False
        if not made.documents.isdisjoint(round_.changed):
            return False
        for path, expected in made.queries:
            if self._ask(path) != expected:
                return False
        round_.kept += 1
        return True

    def _ask(self, path: tuple) -> bytes | None:
        round_ = self.current
        assert round_ is not None
        if path not in round_.answers:
            try:
                value = replay(path, round_.roots, round_.environment.globals, round_.documents)
                round_.answers[path] = value_digest(value)
            except (LookupError, AttributeError, TypeError):
                round_.answers[path] = None
        return round_.answers[path]

    @contextlib.contextmanager
    def making(self, name: str, key: bytes) -> Iterator[Reads]:
        """Record what the output `name` is made of while the block makes it."""
        round_ = self.current
        assert round_ is not None
        round_.seen.add(name)
        reads = Reads(roots={id(v): k for k, v in round_.roots.items()}, answers=round_.answers)
        with recording(round_.environment, reads):
            yield reads
        reads.documents.discard("")
        self.made[name] = Made(
            key, frozenset(reads.documents), tuple(reads.queries.items()), reads.replayable
        )
        round_.made.append(name)

    def forget(self, name: str) -> None:
        """The output `name` was written outside any round: the next round makes it again,
        or deletes it if it no longer makes it (its document deleted meanwhile). It stays
        in the record, as made of nothing that can be checked (it was dropped from the
        record, and such a page outlived its deleted file)."""
        self.made[name] = Made(b"", frozenset(), (), replayable=False)

    def produce(
        self, name: str, key: bytes, make: Callable[[], None], reads: Iterable[str] = ()
    ) -> bool:
        """Make the output `name` unless it is fresh; True if it was made. `reads`: URLs of
        documents that Python, not a template, reads to make it (a feed's entries). Raise
        `Superseded` if the round was asked to stop."""
        assert self.current is not None
        self._stop_if_asked(self.current.environment)
        if self.fresh(name, key):
            return False
        with self.making(name, key) as recorded:
            recorded.documents.update(reads)
            make()
        return True

    def end(self, output: Path) -> list[str]:
        """Finish the round: delete the outputs it no longer makes; return their names."""
        round_ = self.current
        assert round_ is not None
        gone = sorted(set(self.made) - round_.seen)
        for name in gone:
            del self.made[name]
            with contextlib.suppress(FileNotFoundError):
                (output / name).unlink()
        self.states = round_.states
        round_.gone = gone
        return gone
