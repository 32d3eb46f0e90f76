"""What a page is made of, recorded while it is rendered, so a preview can tell which pages
an edit touches without a hand-kept list (see `bulletin.site.incremental`).

While a `Reads` is active (`recording`):

- every attribute read of a `Document`, by a template or by any Python code a template
  calls, adds that document's URL to `Reads.documents`;
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

from bulletin.content.model import Document

_active: Reads | None = None


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


@contextlib.contextmanager
def recording(reads: Reads) -> Iterator[Reads]:
    """Record into `reads` what is read until the block ends."""
    global _active
    outer, _active = _active, reads
    try:
        yield reads
    finally:
        _active = outer


class Superseded(Exception):
    """A newer edit came: the preview's background round stops; the next one makes what
    it did not (`bulletin.site.incremental`)."""


_stopping: int | None = None  # the thread asked to stop (`stop`)


def stop(thread: int) -> None:
    """Make the thread `thread` raise `Superseded` at its next read of a document, or its
    next `stop_if_asked`: at once, wherever it is in a round."""
    global _stopping
    _stopping = thread


def resume() -> None:
    global _stopping
    _stopping = None


def stop_if_asked() -> None:
    """Raise `Superseded` if this thread was asked to stop."""
    if _stopping is not None and _stopping == threading.get_ident():
        raise Superseded


def _recording_getattribute(self: Document, name: str) -> Any:
    if _stopping is not None and _stopping == threading.get_ident():
        raise Superseded(name)
    if _active is not None:
        _active.documents.add(object.__getattribute__(self, "url"))
    return object.__getattribute__(self, name)


def install() -> None:
    """Make every document note its readers (for the preview; a build does not need it)."""
    Document.__getattribute__ = _recording_getattribute  # type: ignore[method-assign]


def uninstall() -> None:
    with contextlib.suppress(AttributeError):
        del Document.__getattribute__


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """Documents note their readers while the block runs (a preview's rounds); reading
    and checking the archive, outside, goes at full speed."""
    install()
    try:
        yield
    finally:
        uninstall()


# --- digests -------------------------------------------------------------------------------


def _document(url: str) -> str:
    """What a pickled document stands for in a digest: its URL (never unpickled)."""
    return url


def _as_url(document: Document) -> tuple:
    return _document, (object.__getattribute__(document, "url"),)


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
    state = object.__getattribute__(document, "__dict__")
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
        return ("D", object.__getattribute__(value, "url"))
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


class TrackingEnvironment(Environment):
    """A Jinja environment whose templates note what they read through the roots."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        return self._through(obj, ("attr", attribute), lambda o: super(
            TrackingEnvironment, self).getattr(o, attribute))  # fmt: skip

    def getitem(self, obj: Any, argument: Any) -> Any:
        reads = _active
        key = ("item", _argument(argument, reads) if reads is not None else argument)
        return self._through(obj, key, lambda o: super(TrackingEnvironment, self).getitem(o, argument))  # fmt: skip

    def _through(self, obj: Any, step: tuple, get: Callable[[Any], Any]) -> Any:
        reads = _active
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


class TrackingContext(Context):
    """Calls through a root, or with a root as an argument, are queries."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        reads = _active
        if reads is None or isinstance(__obj, Macro):
            return super().call(_plain(__obj), *args, **kwargs)
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


def track(environment: Environment) -> None:
    """Make `environment` (a Pelican generator's) record reads through roots."""
    environment.__class__ = TrackingEnvironment
    environment.context_class = TrackingContext


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
