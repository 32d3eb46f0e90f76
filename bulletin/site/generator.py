"""Pelican glue: read the archive, render it through the theme, write feeds and the sitemap.

Everything the archive knows is computed in `archive`; which pages and feeds the site has is
data (`bulletin.site.pages`, `bulletin.site.feeds`), written by one writer
(`bulletin.site.page_writer`). This module hands them over. Pages are written with stable
names and in a stable order, so two builds of the same content are byte-identical.

A build's generator has no session. A preview hands it its `Session`
(`bulletin.site.session`): the caches it keeps between builds, the record of what each page
was made of, and a recording Jinja environment (`bulletin.site.tracking`).
"""

from __future__ import annotations

import csv
import gc
import io
import json
import logging
import shutil
import xml.etree.ElementTree as ET
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from pelican.generators import Generator

from bulletin.checks.checks import read_archive
from bulletin.content.labels import date_label, issue_label, printed_label, source_label
from bulletin.content.model import Document, Issue, Item, Policy, Speech
from bulletin.content.problems import Problem
from bulletin.content.raw_names import RAW_DIR, load_moved, raw_files
from bulletin.content.render import Rendered, render_markdown
from bulletin.content.taxonomy import Term
from bulletin.relations.archive import Archive
from bulletin.relations.citeformat import gbt7714
from bulletin.relations.opendata import FIELDS, csv_row, schema_json
from bulletin.relations.opendata import records as opendata_records
from bulletin.relations.references import STATUSES, UNSTATED
from bulletin.site.csp import meta_policy
from bulletin.site.feeds import feed_entry, site_feeds
from bulletin.site.links import site_links
from bulletin.site.page_writer import PageWriter
from bulletin.site.pages import CITED_BY_SHOWN, PageSpec, SitePages, Tagged, cited_by_url
from bulletin.site.paging import PER_PAGE
from bulletin.site.parts import parse_part, writes_shared
from bulletin.site.search_indexes import SearchIndexes
from bulletin.site.session import Session
from bulletin.site.tracking import recording_environment, value_digest

logger = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

# What the templates get that is too big to digest whole: a preview records what a page
# asks of these instead (bulletin.site.tracking).
ROOTS = frozenset({"archive", "refs", "tagged"})


class ArchiveGenerator(Generator):
    """Writes every page of the archive."""

    def __init__(self, *args, session: Session | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        if session is not None:  # a preview: templates record what they read
            self.env = recording_environment(
                self.env, self.settings["JINJA_ENVIRONMENT"], session.stop
            )
        self.env.globals["term_links"] = term_links
        for helper in (date_label, printed_label, issue_label, source_label):
            self.env.globals[helper.__name__] = helper
        self.env.globals["CONTENT_SECURITY_POLICY"] = meta_policy()
        self.env.globals["gbt7714"] = gbt7714
        self.env.globals["cited_by_url"] = cited_by_url
        self.env.globals["CITED_BY_SHOWN"] = CITED_BY_SHOWN
        self.env.filters["site_links"] = site_links
        self.archive: Archive | None = None
        self.written: list[str] = []  # URLs of pages, for the sitemap
        # Part (k, n) of a site built on several machines (bulletin/site/parts.py), or None.
        self.part = parse_part(self.settings.get("BULLETIN_PART"))

    def _stop_if_asked(self) -> None:
        if self.session is not None:
            self.session.stop.raise_if_asked()

    # --- context -----------------------------------------------------------------------------

    def generate_context(self) -> None:
        self.__dict__.pop("tagged", None)  # a preview reads the archive again
        self.archive, self.written = None, []
        # `build_site` (or the preview) has read and checked the archive already: it hands
        # it over.
        archive, problems = self.settings.get("BULLETIN_CHECKED") or read_archive(
            Path(self.path),
            self.settings.get("BULLETIN_URLS"),
            drafts=bool(self.settings.get("BULLETIN_DRAFTS")),
        )
        self._report(problems)
        if archive is None:  # the taxonomies cannot be read: nothing can be built
            return
        session = self.session
        # What mentions resolve against: a preview renders a text again when it changes.
        held = value_digest(archive.references.resolver.held) if session is not None else b""
        previous = session.rendered if session is not None else {}
        if session is not None:
            session.rendered = {}
        for document in archive.pages:
            self._stop_if_asked()
            rendered = self._rendered(document, archive, held, previous)
            document.html, document.toc = rendered.html, rendered.toc
        if session is None:
            self.search = SearchIndexes(archive, self.settings)
            # While related items are found and pages written.
            self.search.start(Path(self.output_path), self.part)
            # A build's archive lives as long as the build: out of the cyclic collector's
            # sight until its pages are written (each full collection walked it all: 6.4 s
            # of a 100,000-item build's 154 s). A preview freezes what it keeps itself.
            gc.freeze()
        else:  # only what changed is cut into words again; the preview writes it later
            self.search = SearchIndexes(archive, self.settings, session.words, session.texts)
            session.words, session.texts = self.search.words, self.search.texts
        self.search.relate(interrupt=self._stop_if_asked)
        self.archive = archive
        self.context["archive"] = archive

    def _report(self, problems: list[Problem]) -> None:
        for problem in problems:
            if problem.severity == "error":
                logger.error("%s", problem)
            else:
                logger.warning("%s", problem)

    def _rendered(
        self, document: Document, archive: Archive, held: bytes, previous: dict
    ) -> Rendered:
        """`_render`, or, if the text cannot be rendered (a fault of ours that content
        found), an error naming the file, and nothing on the page: the build fails."""
        try:
            return self._render(document, archive, held, previous)
        except Exception as exc:  # any fault: the editor learns which file
            problem = Problem(
                document.path,
                document.line,
                f"正文无法转换成网页（{type(exc).__name__}）",
                "检查这份文件正文中成串的符号（如 * _ [ < 》）并删去误粘贴的部分；"
                "仍然出错请把这份文件报告给网站维护者",
            )
            logger.error("%s", problem)
            return render_markdown("")

    def _render(
        self, document: Document, archive: Archive, held: bytes, previous: dict
    ) -> Rendered:
        if isinstance(document, Issue):
            text, structure, links = document.editor_note or "", False, None
        else:
            text = getattr(document, "body", "")
            structure = isinstance(document, (Policy, Speech))
            links = archive.references.links(document.url)
        if self.session is None:
            return render_markdown(text, structure, links)
        # The preview renders a text again only if it, or what mentions resolve to, changed.
        key = value_digest((text, structure, document.url, held) if links else (text, structure))
        found = previous.get(key) or render_markdown(text, structure, links)
        self.session.rendered[key] = found
        return found

    @cached_property
    def tagged(self) -> Tagged:
        assert self.archive is not None
        return Tagged(self.archive)

    # --- output ------------------------------------------------------------------------------

    def _pages(self) -> SitePages:
        assert self.archive is not None
        return SitePages(
            self.archive,
            self.tagged,
            self.settings.get("BULLETIN_PER_PAGE", PER_PAGE),
            urlsplit(self.settings["SITEURL"]).path.rstrip("/"),
        )

    def _writer(self, writer, recorded: bool) -> PageWriter:
        """The writer of this round's pages; `recorded`: through the preview's record."""
        assert self.archive is not None
        archive, siteurl = self.archive, self.settings["SITEURL"]
        common = self._common()
        memo = self.session.memo if recorded and self.session is not None else None
        common_key = b""
        if memo is not None:
            roots = {"archive": archive, "refs": archive.references, "tagged": self.tagged}
            memo.begin(archive.pages, roots, self.env)
            # What every page gets besides the roots, digested once for all pages.
            common_key = memo.key({k: v for k, v in common.items() if k not in ROOTS})
        return PageWriter(
            writer, self.get_template, self.context, common, self.settings["RELATIVE_URLS"],
            lambda d: feed_entry(archive, d, siteurl), self.part, memo, common_key,
        )  # fmt: skip

    def generate_output(self, writer) -> None:
        if self.archive is None:
            return
        archive = self.archive
        out = self._writer(writer, recorded=True)
        made: dict[str, dict] = {}  # file → what its page is (`_owner`)
        for spec in self._pages().all():
            first = made.get(spec.save_as)
            if first is not None:  # two pages at one URL: neither may hide the other
                self._clash(spec.url, first, _owner(spec))
                continue
            made[spec.save_as] = _owner(spec)
            if spec.listed:
                self.written.append(spec.url)
            out.page(spec)
        if writes_shared(self.part):
            for feed in site_feeds(archive, self.tagged, self.settings.get("FEED_MAX_ITEMS")):
                out.feed(feed)
            self._data_files()
            self._raw_files()
            self._sitemap()
        if out.memo is not None:
            out.memo.end(Path(self.output_path))
        if self.session is not None:
            self.session.search_ready(self.search)
        else:
            self.search.finish()
            gc.unfreeze()

    def first_pages(
        self, archive: Archive, documents: list[Document], writer, previous: Archive | None
    ) -> None:
        """A preview's quick step after an edit: the pages of the edited `documents` alone,
        made from the new archive before anything else (the pages a reader is looking at).

        What needs the whole archive computed again waits for the full round that follows
        (`generate_context` and `generate_output`): until then an edited item lists the
        related items it had in `previous`, by their new titles. The round's record forgets
        these pages, so that the round makes them again, whatever it finds changed."""
        assert self.session is not None
        before = previous.by_url if previous else {}
        now = archive.by_url
        self.__dict__.pop("tagged", None)
        self.archive = archive
        self.context["archive"] = archive
        held = value_digest(archive.references.resolver.held)
        for document in documents:
            rendered = self._rendered(document, archive, held, self.session.rendered)
            document.html, document.toc = rendered.html, rendered.toc
            old = before.get(document.url)
            if isinstance(document, Item) and old is not None and old is not document:
                document.related = [now[d.url] for d in old.related if d.url in now]
        out = self._writer(writer, recorded=False)  # written as they are, outside the record
        pages = self._pages()
        for document in documents:
            spec = pages.document(document)
            self.session.memo.forget(spec.save_as)
            out.page(spec)

    def _clash(self, url: str, first: dict, second: dict) -> None:
        """Two pages at one URL (check refuses the slugs that could make one): an error
        naming the document, so that the build stops with what to change."""
        document = first.get("doc") or second.get("doc")
        problem = Problem(
            document.path if document else "",
            document.line if document else 1,
            f"网址 {url} 同时是{first['what']}和{second['what']}",
            "给文件换一个网址名（slug）",
        )
        logger.error("%s", problem)

    def _common(self) -> dict:
        assert self.archive is not None
        return {
            "archive": self.archive,
            "counties": self.archive.taxonomies["counties"],
            "topics": self.archive.taxonomies["topics"],
            "tagged": self.tagged,
            "SITE_ORIGIN": self.settings["SITEURL"],
            "PUBLIC_ORIGIN": self.public_url,
            "refs": self.archive.references,
            "UNSTATED": UNSTATED,
            "STATUSES": STATUSES,
        }

    @property
    def public_url(self) -> str:
        """The published site's address: data files and citations point there, not at a
        preview's localhost."""
        return self.settings.get("BULLETIN_PUBLIC_URL") or self.settings["SITEURL"]

    # --- data files and sitemap ----------------------------------------------------------------

    def _write(self, name: str, text: str) -> None:
        path = Path(self.output_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")

    def _data_files(self) -> None:
        assert self.archive is not None
        records = opendata_records(self.archive, self.public_url)
        self._write("data/documents.json", json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        buffer = io.StringIO()
        out = csv.DictWriter(
            buffer, fieldnames=list(FIELDS), lineterminator="\n", quoting=csv.QUOTE_ALL
        )
        out.writeheader()
        for record in records:
            out.writerow(csv_row(record))
        # A BOM so that spreadsheet programs open the Chinese text as UTF-8.
        self._write("data/documents.csv", "\ufeff" + buffer.getvalue())
        self._write("data/documents.schema.json", schema_json())

    def _raw_files(self) -> None:
        """The raw sources at /raw/: each file `raw_files` allows (never another type, nor a
        file a symlink leads to outside content/raw/), and a copy of each renamed one under
        its old name, so old links keep working. What is refused the checks report."""
        raw, _ = raw_files(Path(self.path))
        moved, _ = load_moved(Path(self.path), raw)
        copies = {**{name: name for name in raw}, **moved}
        folder = Path(self.output_path) / RAW_DIR
        for name, source in sorted(copies.items()):
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(raw[source], folder / name)

    def _sitemap(self) -> None:
        ET.register_namespace("", SITEMAP_NS)
        root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
        for url in sorted(set(self.written)):
            entry = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
            ET.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = self.settings["SITEURL"] + "/" + url
        ET.indent(root)
        xml = ET.tostring(root, encoding="unicode", xml_declaration=True)
        self._write("sitemap.xml", xml + "\n")
        self._write(
            "robots.txt",
            f"User-agent: *\nAllow: /\nSitemap: {self.settings['SITEURL']}/sitemap.xml\n",
        )


def _owner(spec: PageSpec) -> dict:
    """What a page is, for an editor: the document it shows, or the list it is a page of."""
    document = spec.variables.get("doc")
    if document is not None and spec.template != "cited_by":
        return {"doc": document, "what": f"“{document.title}”（{document.path}）的网页"}
    title = spec.variables.get("page_title") or "首页"
    return {"what": f"“{title}”的网页"}


def term_links(archive: Archive, document: Document, key: str) -> list[tuple[Term, str]]:
    """(term, url) pairs of a document's terms, for templates."""
    return [(term, archive.term_url(key, term)) for term in archive.terms_of(document, key)]
