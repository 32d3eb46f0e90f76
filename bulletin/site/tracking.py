"""What a page is made of, recorded while it is rendered, so a preview can tell which pages
an edit touches without a hand-kept list (see `bulletin.site.incremental`).

A preview renders its pages with a `RecordingEnvironment`. While a `Reads` is active in it
(`recording`):

- every attribute a template reads of a `Document`, and every document it hands to a
  Python function, adds that document's URL to `Reads.documents` (an item's with its
  issue's);
- every read through a *root* (an object too big to digest whole, such as the archive
  or its references), by a template, is kept as a `Query`: the root's name, the path of
  attribute, item and call steps, and a digest of what it gave. Calls of template
  globals that take a root (``term_links(archive, doc, key)``) are queries too.

A page is then made of: the digest of its own variables (`digest`, where a
document counts by its URL only), the documents it read, and the answers of its queries.
If none of them changed, the page would render to the same bytes.

Pure: Jinja2, no Pelican.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import os
import pickle
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment
from jinja2.runtime import Context, Macro

from bulletin.content.model import Document, Item


@dataclass
class Reads:
    """What one output was made of."""

    documents: set[str] = field(default_factory=set)
    queries: dict[tuple, bytes] = field(default_factory=dict)
    # The roots of this rendering: id → name (a root's name is its place in `Query` paths).
    roots: dict[int, str] = field(default_factory=dict)
    replayable: bool = True  # False: a query could not be written down; always re-render
    # The digests of the answers of this round's queries, by path, shared by all its
    # outputs (`bulletin.site.incremental.Round.answers`); None: digested at each read.
    answers: dict[tuple, bytes | None] | None = None

    def answer(self, path: tuple, value: Any) -> bytes:
        """The digest of `value`, the answer to the query `path`. Within a round every
        output that asks a query gets the same answer, so it is digested once: the list
        pages of a large archive each asked for all its items (100,000 documents pickled per
        page; the preview's first build at 100,000 items took 442 s before, 256 s after)."""
        if self.answers is None or _unknown(path):
            return value_digest(value)
        found = self.answers.get(path)
        if found is None:  # not asked yet (or asked again of the archive and not answered)
            found = value_digest(value)
            if path not in self.answers:
                self.answers[path] = found
        return found


class Superseded(Exception):
    """A newer edit came: the preview's background round stops; the next one makes what
    it did not (`bulletin.site.incremental`)."""


class StopSignal:
    """A preview's way to stop its background round at once, wherever it is: the round's
    thread calls `raise_if_asked` at every page, every document a template reads and every step of
    its longer loops, and raises `Superseded` once `ask` named it. Owned by the preview's
    `Session`; a build has none."""

    def __init__(self) -> None:
        self.thread: int | None = None  # the thread asked to stop

    def ask(self, thread: int) -> None:
        self.thread = thread

    def clear(self) -> None:
        self.thread = None

    def raise_if_asked(self) -> None:
        """Raise `Superseded` if this thread was asked to stop."""
        if self.thread is not None and self.thread == threading.get_ident():
            raise Superseded


# --- digests -------------------------------------------------------------------------------


def _document(url: str) -> str:
    """What a pickled document stands for in a digest: its URL (never unpickled)."""
    return url


def _as_url(document: Document) -> tuple:
    return _document, (document.url,)


def _kinds(cls: type) -> list[type]:
    return [cls, *(k for sub in cls.__subclasses__() for k in _kinds(sub))]


def value_digest(value: Any) -> bytes:
    """A hash of `value`, where a document counts by its URL only.

    A value that cannot be pickled gets a hash of its own each time: whatever is made of it
    is always made again. Documents are reduced through the pickler's own dispatch table,
    which the C pickler consults only for such objects (a `persistent_id` would be a Python
    call for every object pickled)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = _DISPATCH
    try:
        pickler.dump(value)
    except (pickle.PicklingError, TypeError, AttributeError):
        return os.urandom(16)
    return hashlib.blake2b(buffer.getbuffer(), digest_size=16).digest()


def document_state(document: Document) -> bytes:
    """A hash of everything a document holds (other documents it refers to by URL)."""
    state = vars(document)
    return value_digest((type(document).__name__, sorted(state.items())))


# --- queries through roots ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Step:
    """A root, or a value reached from one, not yet used: a template holds this in between."""

    value: Any
    path: tuple


def _argument(value: Any, reads: Reads) -> Any:
    """An argument as a query path holds it: a root by name, a document by URL."""
    if isinstance(value, _Step):
        return ("R", value.path)
    if id(value) in reads.roots:
        return ("R", (reads.roots[id(value)],))
    if isinstance(value, Document):
        return ("D", value.url)
    try:
        hash(value)
    except TypeError:
        reads.replayable = False
        return ("?",)
    return ("V", value)


def _unknown(path: tuple) -> bool:
    """Whether a query path holds an argument that could not be written down ("?"): two
    such queries with the same path may have asked different things."""
    for step in path:
        if not isinstance(step, tuple) or step[:1] not in (("call",), ("item",)):
            continue
        arguments = (*step[1], *(v for _, v in step[2])) if step[0] == "call" else (step[1],)
        for argument in arguments:
            if argument == ("?",) or (argument[:1] == ("R",) and _unknown(argument[1])):
                return True
    return False


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, _Step) else value


class RecordingContext(Context):
    """Calls through a root, or with a root as an argument, are queries; a document handed
    to a Python function (``gbt7714(doc, url)``) counts as read."""

    environment: RecordingEnvironment

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        reads = __self.environment.reads
        if reads is None or isinstance(__obj, Macro):
            return super().call(_plain(__obj), *args, **kwargs)
        for argument in (*args, *kwargs.values()):
            if isinstance(argument, Document):
                __self.environment._read(argument)
        rooted = isinstance(__obj, _Step) or any(
            isinstance(a, _Step) or id(a) in reads.roots for a in (*args, *kwargs.values())
        )
        if not rooted:
            return super().call(__obj, *args, **kwargs)
        head = __obj.path if isinstance(__obj, _Step) else (("global", __obj.__name__),)
        call = (
            "call",
            tuple(_argument(a, reads) for a in args),
            tuple(sorted((k, _argument(v, reads)) for k, v in kwargs.items())),
        )
        value = super().call(
            _plain(__obj), *map(_plain, args), **{k: _plain(v) for k, v in kwargs.items()}
        )
        reads.queries[(*head, call)] = reads.answer((*head, call), value)
        return value


class RecordingEnvironment(Environment):
    """A Jinja environment whose templates note what they read while `reads` is set
    (`recording`): the documents whose attributes they read, and the queries they ask
    through the roots. A preview's generator renders with one (`recording_environment`);
    a build's renders with Pelican's plain environment and records nothing."""

    context_class = RecordingContext
    reads: Reads | None = None
    stop: StopSignal | None = None

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Document):
            self._read(obj)
        return self._through(obj, ("attr", attribute), lambda o: super(
            RecordingEnvironment, self).getattr(o, attribute))  # fmt: skip

    def getitem(self, obj: Any, argument: Any) -> Any:
        # Filters read attributes this way too (``sort(attribute=…)``, ``map``).
        if isinstance(obj, Document):
            self._read(obj)
        reads = self.reads
        key = ("item", _argument(argument, reads) if reads is not None else argument)
        return self._through(obj, key, lambda o: super(RecordingEnvironment, self).getitem(o, argument))  # fmt: skip

    def _read(self, document: Document) -> None:
        """Note that the page reads `document`. An item counts with its issue: what Python
        reads of an item may come from its issue (`Item.sort_date`, `source_label`)."""
        if self.stop is not None:
            self.stop.raise_if_asked()
        reads = self.reads
        if reads is not None:
            reads.documents.add(document.url)
            if isinstance(document, Item) and document.issue is not None:
                reads.documents.add(document.issue.url)

    def _through(self, obj: Any, step: tuple, get: Callable[[Any], Any]) -> Any:
        reads = self.reads
        if reads is None:
            return get(_plain(obj))
        if isinstance(obj, _Step):
            path = (*obj.path, step)
        elif id(obj) in reads.roots:
            path = (reads.roots[id(obj)], step)
        else:
            return get(obj)
        value = get(_plain(obj))
        if callable(value) and not isinstance(value, (Document, Macro, type)):
            return _Step(value, path)  # a method: its call is the query
        reads.queries[path] = reads.answer(path, value)
        return value


def recording_environment(
    like: Environment, options: dict, stop: StopSignal | None = None
) -> RecordingEnvironment:
    """A recording environment that renders as `like` does: made with the same loader and
    `options` (Pelican's ``JINJA_ENVIRONMENT``), given the same filters, tests and globals."""
    environment = RecordingEnvironment(loader=like.loader, **options)
    environment.filters.update(like.filters)
    environment.tests.update(like.tests)
    environment.globals.update(like.globals)
    environment.stop = stop
    return environment


@contextlib.contextmanager
def recording(environment: RecordingEnvironment, reads: Reads) -> Iterator[Reads]:
    """Record into `reads` what `environment`'s templates read until the block ends."""
    outer, environment.reads = environment.reads, reads
    try:
        yield reads
    finally:
        environment.reads = outer


def replay(path: tuple, roots: dict[str, Any], globals_: dict[str, Any], documents: dict) -> Any:
    """Ask a recorded query again, of the objects of a new build; raise LookupError when it
    cannot be asked (a document it names is gone)."""
    head, *steps = path
    value = globals_[head[1]] if isinstance(head, tuple) and head[0] == "global" else roots[head]
    for step in steps:
        if step[0] == "attr":
            value = getattr(value, step[1])
        elif step[0] == "item":
            value = value[_value(step[1], roots, globals_, documents)]
        else:
            args = [_value(a, roots, globals_, documents) for a in step[1]]
            kwargs = {k: _value(v, roots, globals_, documents) for k, v in step[2]}
            value = value(*args, **kwargs)
    return value


def _value(argument: Any, roots: dict, globals_: dict, documents: dict) -> Any:
    kind = argument[0] if isinstance(argument, tuple) and argument else None
    if kind == "R":
        return replay(argument[1], roots, globals_, documents)
    if kind == "D":
        return documents[argument[1]]
    if kind == "V":
        return argument[1]
    raise LookupError(argument)


_DISPATCH = {**copyreg.dispatch_table, **{kind: _as_url for kind in _kinds(Document)}}
