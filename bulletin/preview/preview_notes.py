"""What the live preview shows an editor besides the site: error pages and panels.

After each build (good or not) the preview works out, from what `invoke check` finds:

- **error pages**: a file that cannot be shown as it is — one that cannot be read, or has a
  mistake in itself (YAML, a date, a field), draft or not; or a file with any error that is
  not a draft (its errors stop the build) — is answered, at every URL it had in the site last
  shown or has now, and at the one its ``slug:`` gives (else its file name: the first that
  no other file's page holds), with a Chinese page naming the file, each line and what to
  do, until it is fixed. Never at a URL another file's document holds now. The answer is
  HTTP 200: the browser shows it and livereload reloads it as any page (a 500 would also be
  logged by Tornado as a fault of the server).
- **panels**: every other file with problems (a draft's, which are warnings; an import's
  open questions, `Problem.question`) gets a panel on its pages: an issue's page lists all of
  them, an item's page those of its own lines.

Both live in memory and are served by `invoke serve` only (theme/preview/, which no build
reads): nothing here is ever written into a site. Everything shown comes from content and
is escaped by the template engine.

Pure: Jinja2, no Pelican, no server.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bulletin.content.content_format import slug_problem, split_front_matter
from bulletin.content.model import Document, Issue, Item
from bulletin.content.problems import Problem, located, shown_directory
from bulletin.relations.archive import CONTENT_DIRS, DEFAULT_URLS, Archive, ContentFile
from bulletin.site.csp import meta_policy

STYLESHEET = "_preview/preview.css"  # served by `invoke serve` from theme/preview/
SLUG_LINE_RE = re.compile(r"^slug:\s*([^\s#]+)\s*(?:#.*)?$")
URL_KINDS = {"bulletins": "issue", "policies": "policy", "speeches": "speech"}
PANEL_AFTER_RE = re.compile(rb"<main\b[^>]*>")  # the panel opens the page's main content


@dataclass(frozen=True)
class Shown:
    """What one URL shows of a file's problems (rendered when asked: a build of a large
    archive with many warnings must not wait for pages nobody looks at)."""

    path: str  # the content file
    problems: tuple[Problem, ...]
    draft: bool = False


class Panels(Mapping):
    """URL → the panel of a page whose file has warnings (`Shown`), worked out when a page
    is asked for: an archive with thousands of warned files must not wait, at every save,
    for panels nobody looks at."""

    def __init__(self, archive: Archive | None, warned: Mapping[str, tuple[Problem, ...]]):
        self.archive = archive
        self.warned = warned  # file → its problems

    def __getitem__(self, url: str) -> Shown:
        document = self.archive.by_url.get(url) if self.archive is not None else None
        if document is None or document.path not in self.warned:
            raise KeyError(url)
        problems = self.warned[document.path]
        found = _problems_by_page(self._documents_of(document), problems).get(url)
        if found is None:
            raise KeyError(url)
        return Shown(document.path, found)

    def _documents_of(self, document: Document) -> list[Document]:
        """The documents with pages of `document`'s file: an issue and its items."""
        issue = document.issue if isinstance(document, Item) else document
        if issue is None:
            return [document]
        candidates = [issue, *issue.items] if isinstance(issue, Issue) else [issue]
        assert self.archive is not None
        return [d for d in candidates if self.archive.by_url.get(d.url) is d]

    def __iter__(self) -> Iterator[str]:
        if self.archive is None or not self.warned:
            return iter(())
        return iter([d.url for d in self.archive.pages if d.path in self.warned and d.url in self])

    def __contains__(self, url: object) -> bool:
        try:
            self[url]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass(frozen=True)
class Notes:
    errors: Mapping[str, Shown] = field(default_factory=dict)  # URL → its error page
    panels: Mapping[str, Shown] = field(default_factory=dict)  # URL → its panel
    # The files shown as error pages, with their problems as `invoke check` prints them.
    broken: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    maker: NoteMaker | None = field(default=None, compare=False, repr=False)

    def answer(self, path: str, site: Path) -> tuple[int, bytes] | None:
        """What to answer for a request of `path` (a URL path without its leading slash)
        instead of the file of the site: (status, page), or None."""
        url = _page_url(path)
        if self.maker is None:
            return None
        if url in self.errors:
            return 200, self.maker.error_page(self.errors[url])
        shown = self.panels.get(url)
        if shown is None:
            return None
        panel = self.maker.panel(shown)
        try:  # `url` is a document's (a key of `panels`), never the request's own text
            page = (site / url / "index.html").read_bytes()
        except OSError:
            return None
        return 200, with_panel(page, panel)


def _page_url(path: str) -> str:
    """A request's path as a document's URL: ``bulletins/x/index.html`` → ``bulletins/x/``."""
    path = path.lstrip("/")
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    elif path and not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    return path


def with_panel(page: bytes, panel: str) -> bytes:
    """A page of the site with the preview's stylesheet and `panel` at the top of its main
    content (after its body tag when it has no main element)."""
    link = f'<link rel="stylesheet" href="/{STYLESHEET}">'.encode()
    page = page.replace(b"</head>", link + b"</head>", 1)
    found = PANEL_AFTER_RE.search(page) or re.search(rb"<body\b[^>]*>", page)
    at = found.end() if found else 0
    return page[:at] + panel.encode() + page[at:]


class NoteMaker:
    """Renders the notes of each build from theme/preview/ (one per preview session)."""

    def __init__(self, theme: Path, content: Path):
        self.theme, self.content = theme, content
        self.env = Environment(
            loader=FileSystemLoader(theme / "preview"),
            autoescape=True,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )

    def notes(
        self,
        problems: list[Problem],
        files: Mapping[str, ContentFile],
        archive: Archive | None,
        previous: Archive | None,
    ) -> Notes:
        """The notes of a build: `problems` as `read_archive` gives them (a draft's as
        warnings), `files` the content files read (path → file), `archive` the archive read
        now (None: unusable) and `previous` the one the site shows."""
        by_path: dict[str, list[Problem]] = defaultdict(list)
        for problem in problems:
            if problem.path.split("/", 1)[0] in CONTENT_DIRS:
                by_path[problem.path].append(problem)
        if not by_path:
            return Notes()
        # Which files may need an error page: a draft (if it cannot be shown) or a file with
        # an error. Only for those are the archives' pages looked through, by file.
        drafts = {path for path in by_path if (file := files.get(path)) and file.draft}
        needy = {
            path
            for path, found in by_path.items()
            if path in drafts or any(p.severity == "error" for p in found)
        }
        now = _pages_of(archive, needy) if needy else {}
        before = _pages_of(previous, needy) if needy else {}
        taken = archive.by_url if archive is not None else {}  # URL → document now
        errors: dict[str, Shown] = {}
        warned: dict[str, tuple[Problem, ...]] = {}
        broken: dict[str, tuple[str, ...]] = {}
        urls = archive.urls if archive is not None else DEFAULT_URLS
        for path, found in sorted(by_path.items()):
            file = files.get(path)
            draft = path in drafts
            own = [p for p in file.problems if p.severity == "error"] if file is not None else []
            unshowable = not now.get(path) or bool(own)
            if unshowable if draft else any(p.severity == "error" for p in found):
                page = Shown(path, tuple(found), draft)
                places = {d.url for d in (*before.get(path, []), *now.get(path, []))}
                guessed = [u for u in _guessed_urls(path, file, urls) if u not in taken]
                for url in {*places, *guessed[:1]}:
                    other = taken.get(url)
                    if other is None or other.path == path:  # never over another's page
                        errors[url] = page
                broken[path] = tuple(located(p, self.content) for p in found)
                continue
            warned[path] = tuple(found)
        return Notes(errors, Panels(archive, warned), broken, self)

    def stylesheet(self) -> bytes:
        return (self.theme / "preview" / "preview.css").read_bytes()

    def error_page(self, shown: Shown) -> bytes:
        """The page that stands for a file's pages while it has errors."""
        return (
            self.env.get_template("error.html")
            .render(
                path=f"{shown_directory(self.content)}/{shown.path}",
                problems=shown.problems,
                draft=shown.draft,
                policy=meta_policy(),
                stylesheet=f"/{STYLESHEET}",
            )
            .encode()
        )

    def panel(self, shown: Shown) -> str:
        """The panel of a page: its file's problems, the open questions apart."""
        return self.env.get_template("panel.html").render(
            path=f"{shown_directory(self.content)}/{shown.path}",
            questions=[p for p in shown.problems if p.question is not None],
            others=[p for p in shown.problems if p.question is None],
        )


def _pages_of(archive: Archive | None, paths: Mapping[str, object]) -> dict[str, list[Document]]:
    """The documents with pages of `archive` that the files `paths` hold, by file."""
    found: dict[str, list[Document]] = defaultdict(list)
    if archive is None:
        return found
    for document in archive.pages:
        if document.path in paths:
            found[document.path].append(document)
    return found


def _problems_by_page(
    documents: list[Document], problems: list[Problem]
) -> dict[str, tuple[Problem, ...]]:
    """The pages of one file with problems, by URL: an issue's page (or a policy's, a
    speech's) shows all of them; an item's those from its heading to the next item's."""
    pages: dict[str, tuple[Problem, ...]] = {}
    items = sorted((d for d in documents if isinstance(d, Item)), key=lambda i: i.line)
    starts = [item.line for item in items]
    mine: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        at = bisect.bisect_right(starts, problem.line) - 1
        if at >= 0:
            mine[items[at].url].append(problem)
    for document in documents:
        found = tuple(problems) if not isinstance(document, Item) else tuple(mine[document.url])
        if found:
            pages[document.url] = found
    return pages


def _guessed_urls(path: str, file: ContentFile | None, urls: Mapping[str, str]) -> list[str]:
    """The URLs a file's page would have, first the best: from its ``slug:`` line, then
    from its file name (each if a usable slug)."""
    folder, name = path.split("/", 1)
    candidates = []
    if file is not None:
        try:
            front, _, _, _ = split_front_matter(file.raw.decode("utf-8").removeprefix("\ufeff"))
        except UnicodeDecodeError:
            front = None
        for line in (front or "").splitlines():
            match = SLUG_LINE_RE.match(line)
            if match:
                candidates.append(match.group(1).strip("\"'"))
                break
    candidates.append(name.removesuffix(".md"))
    pattern = urls[URL_KINDS[folder]]
    return [pattern.format(slug=slug) for slug in candidates if slug_problem(slug) is None]
