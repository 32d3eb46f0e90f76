"""The whole archive: every document read from ``content/``, related to each other.

Pure logic, no Pelican: reading order, previous/next, URLs from patterns, what each county
and topic is attached to, and years. The Pelican generator only renders what this holds.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from bulletin.content.content_files import Unreadable, read_bytes, shown_name
from bulletin.content.content_format import marked_draft, read_raw
from bulletin.content.list_meta import list_meta
from bulletin.content.model import Document, Issue, Item, Policy, Speech
from bulletin.content.problems import Problem
from bulletin.content.taxonomy import Taxonomy, Term
from bulletin.relations.reference_build import ReferenceMemory, build_references
from bulletin.relations.references import References

T = TypeVar("T")

CONTENT_DIRS = {"bulletins": Issue, "policies": Policy, "speeches": Speech}

DEFAULT_URLS = {
    "issue": "bulletins/{slug}/",
    "item": "bulletins/{issue}/{slug}/",
    "policy": "policies/{slug}/",
    "speech": "speeches/{slug}/",
    "counties": "counties/{slug}/",
    "topics": "topics/{slug}/",
    "year": "archive/{year}/",
}


def _sort_key(document: Document) -> tuple:
    date = document.sort_date
    first = date.first_day if date else dt.date.min
    return (first, document.slug)


@dataclass
class Archive:
    issues: list[Issue] = field(default_factory=list)  # oldest first
    policies: list[Policy] = field(default_factory=list)
    speeches: list[Speech] = field(default_factory=list)
    taxonomies: dict[str, Taxonomy] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_URLS))
    drafts_left_out: list[str] = field(default_factory=list)  # files of drafts not built
    # What a preview session keeps between its readings of the archive (a build: None).
    memory: ReferenceMemory | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.issues.sort(key=_sort_key)
        self.policies.sort(key=_sort_key)
        self.speeches.sort(key=_sort_key)
        for issue in self.issues:
            issue.url = self.urls["issue"].format(slug=issue.slug)
            for item in issue.items:
                item.issue = issue
                item.url = self.urls["item"].format(issue=issue.slug, slug=item.slug)
        for document in (*self.policies, *self.speeches):
            document.url = self.urls[document.kind].format(slug=document.slug)
        for document in self.pages:
            if not document.list_meta:  # made of its own file: one read again has none
                document.list_meta = list_meta(document)

    # --- collections --------------------------------------------------------------------------

    @cached_property
    def items(self) -> list[Item]:
        """Every item in reading order: issue by issue, each in its printed order."""
        return [item for issue in self.issues for item in issue.items]

    @cached_property
    def _positions(self) -> dict[int, int]:
        return {id(item): index for index, item in enumerate(self.items)}

    @cached_property
    def documents(self) -> list[Document]:
        """What readers look up one by one: items, policies and speeches, newest first."""
        documents: list[Document] = [*self.items, *self.policies, *self.speeches]
        return sorted(documents, key=_sort_key, reverse=True)

    @property
    def pages(self) -> list[Document]:
        """Every document with a page of its own."""
        return [*self.issues, *self.items, *self.policies, *self.speeches]

    @cached_property
    def by_url(self) -> dict[str, Document]:
        """Every document with a page of its own, by its URL."""
        return {d.url: d for d in self.pages}

    @cached_property
    def references(self) -> References:
        """Who cites whom (see `references`): computed once, on first use."""
        return build_references(self, self.memory)

    @property
    def latest_issue(self) -> Issue | None:
        return self.issues[-1] if self.issues else None

    def neighbours(self, item: Item) -> tuple[Item | None, Item | None]:
        """The items before and after `item` in reading order."""
        items = self.items
        index = self._positions[id(item)]
        previous = items[index - 1] if index > 0 else None
        following = items[index + 1] if index + 1 < len(items) else None
        return previous, following

    @cached_property
    def _issue_positions(self) -> dict[int, int]:
        return {id(issue): index for index, issue in enumerate(self.issues)}

    def issue_neighbours(self, issue: Issue) -> tuple[Issue | None, Issue | None]:
        """The issues printed before and after `issue` (the order of the 简报 page)."""
        index = self._issue_positions[id(issue)]
        previous = self.issues[index - 1] if index > 0 else None
        following = self.issues[index + 1] if index + 1 < len(self.issues) else None
        return previous, following

    # --- taxonomies ---------------------------------------------------------------------------

    def tagged(self, key: str) -> dict[str, list[Document]]:
        """For the taxonomy `key`, each term's canonical name → its documents, newest first.

        Every term is present, even with no documents; names are resolved through aliases.
        """
        taxonomy = self.taxonomies[key]
        result: dict[str, list[Document]] = {term.name: [] for term in taxonomy}
        for document in self.documents:
            for term in {t.name: t for t in self.terms_of(document, key)}.values():
                result[term.name].append(document)
        return result

    def terms_of(self, document: Document, key: str) -> list[Term]:
        taxonomy = self.taxonomies[key]
        terms = [taxonomy.resolve(name) for name in getattr(document, key)]
        return [t for t in terms if t is not None]

    def term_url(self, key: str, term: Term) -> str:
        return self.urls[key].format(slug=term.slug)

    # --- years --------------------------------------------------------------------------------

    @staticmethod
    def year_of(document: Document) -> int | None:
        """The year a document is filed under, the same on every page, chart and filter.

        An item's is its issue's (the year it was printed: 12月30日 in a January 2014 issue
        is filed under 2014, as the issue is); a policy's, speech's or issue's is its own
        date's. None when unknown. An item of an undated issue falls back on its own date.
        """
        if isinstance(document, Item) and document.issue and document.issue.date.value:
            return document.issue.date.value.year
        date = document.date.value or document.sort_date
        return date.year if date else None

    def years(self) -> dict[int | None, list[Document]]:
        """Issues, policies and speeches by year (None: year unknown), newest year first."""
        by_year: dict[int | None, list[Document]] = defaultdict(list)
        for document in sorted(
            [*self.issues, *self.policies, *self.speeches], key=_sort_key, reverse=True
        ):
            by_year[self.year_of(document)].append(document)
        ordered = sorted((y for y in by_year if y is not None), reverse=True)
        keys: list[int | None] = [*ordered, *([None] if None in by_year else [])]
        return {year: by_year[year] for year in keys}

    def year_url(self, year: int) -> str:
        return self.urls["year"].format(year=year)

    def year_span(self) -> list[int]:
        """Every year from the earliest dated document to the latest, for per-year charts."""
        return list(self._year_span)

    @cached_property
    def _year_span(self) -> tuple[int, ...]:
        found = [self.year_of(d) for d in (*self.issues, *self.documents)]
        years = [y for y in found if y is not None]
        return tuple(range(min(years), max(years) + 1)) if years else ()

    @staticmethod
    def per_year(documents: list[Document]) -> dict[int | None, int]:
        """How many of `documents` fall in each year (None: date unknown)."""
        counts: dict[int | None, int] = defaultdict(int)
        for document in documents:
            counts[Archive.year_of(document)] += 1
        return dict(counts)


@dataclass(eq=False)
class ContentFile:
    """One content file as read: its bytes, the document they give (None: unreadable), the
    problems reading it found, and what checks of this file alone found (`memo`).

    A preview keeps these between builds (`read_files`' cache): while a file's bytes stay
    the same, so does its document object, and nothing about it is worked out again.
    """

    path: str  # relative to the content directory
    raw: bytes
    document: Document | None
    problems: list[Problem]
    memos: dict[str, tuple[object, object]] = field(default_factory=dict, repr=False)
    stamp: tuple[int, int, int] | None = None  # size, modification time (ns), inode

    @cached_property
    def draft(self) -> bool:
        """Marked ``draft: true`` (read even when the file is not a readable document)."""
        try:
            text = self.raw.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return marked_draft(text.replace("\r\n", "\n").replace("\r", "\n"))

    def memo(self, name: str, context: object, make: Callable[[], T]) -> T:
        """`make()`, worked out once while this file and `context` (what else the result
        depends on, compared by ``==``) stay the same."""
        known = self.memos.get(name)
        if known is not None and (known[0] is context or known[0] == context):
            return known[1]  # type: ignore[return-value]
        result = make()
        self.memos[name] = (context, result)
        return result


@dataclass
class ArchiveMemory:
    """What a preview session keeps between its readings of the content (a build keeps
    nothing): each file as read, each taxonomy file's last text and what it gave, and the
    references' memory."""

    files: dict[str, ContentFile] = field(default_factory=dict)
    taxonomies: dict = field(default_factory=dict)
    references: ReferenceMemory = field(default_factory=ReferenceMemory)


def read_files(content: Path, cache: dict[str, ContentFile] | None = None) -> list[ContentFile]:
    """Every content file below the content directory, read once, in a stable order.

    With `cache` (kept by a preview between builds: file → how it was read), a file whose
    size, modification time and inode did not change is not read again, nor one whose bytes
    did not: its `ContentFile` is the same object. The cache then holds this reading's files.

    A name ending in ``.md`` that is not a regular file (a link, a directory, a FIFO…), is
    too large, or whose name cannot be printed is a `ContentFile` with no document and its
    problem (`bulletin.content.content_files`); so is a content folder that is a link or a file.
    """
    files: list[ContentFile] = []
    for directory in CONTENT_DIRS:
        folder = content / directory
        problem = _folder_problem(folder, directory)
        if problem is not None:
            files.append(ContentFile(directory, b"", None, [problem]))
            continue
        if not folder.is_dir():
            continue
        names = sorted(n for n in os.listdir(folder) if n.endswith(".md") and n[0] != ".")
        for name in names:
            shown = shown_name(name)
            relative = f"{directory}/{shown}"
            if shown != name:
                message = "文件名里有无法显示的字符（不是 UTF-8，或是控制字符）"
                hint = "把文件改名为只含汉字、字母、数字和连字符的名字"
                files.append(
                    ContentFile(relative, b"", None, [Problem(relative, 1, message, hint)])
                )
                continue
            path = os.path.join(folder, name)
            hit = cache.get(path) if cache is not None else None
            try:
                stat = os.lstat(path)
                stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
                if hit is not None and hit.stamp == stamp:
                    files.append(hit)
                    continue
                raw = read_bytes(path)
            except (Unreadable, OSError) as exc:
                message, hint = (
                    (exc.message, exc.hint)
                    if isinstance(exc, Unreadable)
                    else ("文件在读取时不见了", "保存完成后再试")
                )
                files.append(
                    ContentFile(relative, b"", None, [Problem(relative, 1, message, hint)])
                )
                continue
            if hit is None or hit.raw != raw:
                hit = ContentFile(relative, raw, *read_raw(raw, relative))
            hit.stamp = stamp
            if cache is not None:
                cache[path] = hit
            files.append(hit)
    if cache is not None:
        for gone in cache.keys() - {os.path.join(content, file.path) for file in files}:
            del cache[gone]  # a deleted or renamed file
    return files


def _folder_problem(folder: Path, directory: str) -> Problem | None:
    """Why a content folder (bulletins/ …) cannot be read, if it cannot: a link (its files
    would come from outside the content directory) or something other than a directory."""
    if folder.is_symlink():
        return Problem(
            directory,
            1,
            f"{directory} 是一个符号链接，不是目录",
            f"内容目录里的 {directory}/ 须是普通目录：删去链接，把文件放进目录",
        )
    if folder.exists() and not folder.is_dir():
        return Problem(
            directory, 1, f"{directory} 应为目录，却是一个文件", f"删去它，建立目录 {directory}/"
        )
    return None


def documents_of(files: list[ContentFile]) -> tuple[list[Document], list[Problem]]:
    """The documents of content files, and every problem reading them found."""
    documents: list[Document] = []
    problems: list[Problem] = []
    for file in files:
        problems += file.problems
        document = file.document
        if document is None:
            continue
        directory = file.path.split("/", 1)[0]
        expected = CONTENT_DIRS[directory]
        if not isinstance(document, expected):
            problems.append(
                Problem(
                    document.path,
                    1,
                    f"{directory}/ 目录中的文件类型（kind）为 {document.kind}",
                    f"把文件移到对应目录，或改正 kind（{directory}/ 应为 {expected.kind}）",
                )
            )
            continue
        documents.append(document)
    return documents, problems


def draft_paths(content: Path) -> set[str]:
    """The content files marked ``draft: true`` (relative paths), readable or not."""
    return {file.path for file in read_files(content) if file.draft}


def read_content(content: Path) -> tuple[list[Document], list[Problem]]:
    """Read every content file below the content directory; return documents and problems."""
    return documents_of(read_files(content))


def build_archive(
    documents: list[Document],
    taxonomies: dict[str, Taxonomy],
    urls: dict[str, str] | None = None,
    memory: ReferenceMemory | None = None,
) -> Archive:
    return Archive(
        memory=memory,
        issues=[d for d in documents if isinstance(d, Issue)],
        policies=[d for d in documents if isinstance(d, Policy)],
        speeches=[d for d in documents if isinstance(d, Speech)],
        taxonomies=taxonomies,
        urls={**DEFAULT_URLS, **(urls or {})},
    )
