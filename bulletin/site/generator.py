"""Pelican glue: read the archive, render it through the theme, write feeds and the sitemap.

Everything the archive knows is computed in `archive`; this module only hands it to the
templates and to Pelican's writer. Pages are written with stable names and in a stable
order, so two builds of the same content are byte-identical.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import logging
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from markupsafe import escape
from pelican.generators import Generator

from bulletin.checks.checks import read_archive
from bulletin.content.labels import date_label, issue_label, printed_label, source_label
from bulletin.content.model import Document, Issue, Item, Policy, Speech
from bulletin.content.problems import Problem
from bulletin.content.raw_names import RAW_DIR, load_moved, raw_files
from bulletin.content.render import Rendered, render_markdown
from bulletin.content.taxonomy import Taxonomy, Term
from bulletin.relations.archive import Archive
from bulletin.relations.citeformat import gbt7714
from bulletin.relations.opendata import FIELDS, csv_row, schema_json
from bulletin.relations.opendata import records as opendata_records
from bulletin.relations.references import SITE, STATUSES, UNSTATED
from bulletin.site.charts import Bar, Chart, bar_chart, column_chart
from bulletin.site.csp import meta_policy
from bulletin.site.incremental import Memo
from bulletin.site.links import annotate_parts, site_links
from bulletin.site.paging import PER_PAGE, paginate
from bulletin.site.parts import owns, parse_part, writes_shared
from bulletin.site.search_records import SearchIndexes
from bulletin.site.tracking import stop_if_asked, value_digest

logger = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass
class FeedEntry:
    """What Pelican's feed writer needs of a document.

    Every field is a plain `str`. `title` is written HTML-escaped, because the writer takes
    a title for HTML (it strips tags and unescapes it: `feed_text` gives back the text as
    typed). `summary` and `content` are HTML: the feed says so (``type="html"``)."""

    title: str
    url: str
    date: dt.datetime
    summary: str
    content: str
    tags: list[str]

    def get_content(self, siteurl: str) -> str:
        return self.content


# What the templates get that is too big to digest whole: a preview records what a page
# asks of these instead (bulletin.site.tracking).
ROOTS = frozenset({"archive", "refs", "tagged"})

# The home page lists at most this many policies and speeches; the rest are on the
# paginated lists /policies/ and /speeches/ it links to.
HOME_LIST = 100


# A policy's or speech's page lists the newest this many of the documents citing it; all
# are on its 被引用 pages (`cited_by_url`), so that no page grows with the archive.
CITED_BY_SHOWN = 20


def cited_by_url(url: str) -> str:
    """The list of everything citing the document at `url`."""
    return f"{url.removesuffix('.html').rstrip('/')}/cited-by/"


def _save_as(url: str) -> str:
    """The file of the page at `url`."""
    return url + "index.html" if url.endswith("/") or not url else url


def _weight(document: Document) -> int:
    """Entries a document takes in a list: an issue is shown with its headlines."""
    return 1 + len(document.items) if isinstance(document, Issue) else 1


class ArchiveGenerator(Generator):
    """Writes every page of the archive."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
        # Set by the preview (bulletin/preview/preview.py), which keeps this generator between builds:
        # what each output was made of, rendered Markdown by input, and where to hand the
        # search indexes to write later.
        self.memo: Memo | None = None
        self.rendered: dict[bytes, Rendered] | None = None
        self.defer_search = None
        self.cut: dict | None = None  # the words of each search record, in a preview
        self.texts: dict | None = None  # the text of each rendered HTML, in a preview
        self.common_key = b""  # the digest of `_common()` but the roots, in a preview

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
        # What mentions resolve against: a preview renders a text again when it changes.
        held = value_digest(archive.references.resolver.held) if self.rendered is not None else b""
        previous, self.rendered = self.rendered, {} if self.rendered is not None else None
        for document in archive.pages:
            rendered = self._render(document, archive, held, previous or {})
            document.html, document.toc = rendered.html, rendered.toc
        self.search = SearchIndexes(archive, self.settings, self.cut, self.texts)
        if self.cut is not None:  # keep only what this archive holds
            self.cut, self.texts = self.search.words, self.search.texts
        if self.defer_search is None:  # while related items are found and pages written
            self.search.start(Path(self.output_path), self.part)
        if self.memo is None:
            # A build's archive lives as long as the build: out of the cyclic collector's
            # sight until its pages are written (each full collection walked it all: 6.4 s
            # of a 100,000-item build's 154 s). A preview freezes what it keeps itself.
            gc.freeze()
        self.search.relate(interrupt=stop_if_asked)
        self.archive = archive
        self.context["archive"] = archive

    def _report(self, problems: list[Problem]) -> None:
        for problem in problems:
            if problem.severity == "error":
                logger.error("%s", problem)
            else:
                logger.warning("%s", problem)

    def _render(
        self, document: Document, archive: Archive, held: bytes, previous: dict
    ) -> Rendered:
        if isinstance(document, Issue):
            text, structure, links = document.editor_note or "", False, None
        else:
            text = getattr(document, "body", "")
            structure = isinstance(document, (Policy, Speech))
            links = archive.references.links(document.url)
        if self.rendered is None:
            return render_markdown(text, structure, links)
        # The preview renders a text again only if it, or what mentions resolve to, changed.
        key = value_digest((text, structure, document.url, held) if links else (text, structure))
        found = previous.get(key) or render_markdown(text, structure, links)
        self.rendered[key] = found
        return found

    @cached_property
    def tagged(self) -> Tagged:
        assert self.archive is not None
        return Tagged(self.archive)

    # --- output ------------------------------------------------------------------------------

    def generate_output(self, writer) -> None:
        if self.archive is None:
            return
        archive = self.archive
        if self.memo is not None:
            roots = {"archive": archive, "refs": archive.references, "tagged": self.tagged}
            self.memo.begin(archive.pages, roots, self.env.globals)
            # What every page gets besides the roots, digested once for all pages.
            shared = {k: v for k, v in self._common().items() if k not in ROOTS}
            self.common_key = self.memo.key(shared)
        self._page(writer, "", "index", page_title=None, home_limit=HOME_LIST)
        self._paged(
            writer, "bulletins/", "bulletins", archive.issues[::-1], page_title="简报",
            entries_name="issues", weight=_weight,
        )  # fmt: skip
        self._paged(writer, "policies/", "list", archive.policies[::-1], page_title="政策文件")
        self._paged(writer, "speeches/", "list", archive.speeches[::-1], page_title="讲话")
        for document in archive.pages:
            self._document_page(writer, document)
            if isinstance(document, (Policy, Speech)):
                self._cited_by_pages(writer, document)
        for key, taxonomy in archive.taxonomies.items():
            self._taxonomy(writer, key, taxonomy)
        years = archive.years()
        self._page(writer, "archive/", "archive", page_title="按年浏览", years=years)
        for year, documents in years.items():
            if year is not None:
                self._paged(
                    writer, archive.year_url(year), "archive_year", documents,
                    page_title=f"{year}年", year=year, weight=_weight,
                )  # fmt: skip
        self._page(writer, "search/", "search", page_title="搜索")
        self._not_found(writer)
        if writes_shared(self.part):
            self._feeds(writer)
            self._data_files()
            self._raw_files()
            self._sitemap()
        if self.memo is not None:
            self.memo.end(Path(self.output_path))
        if self.defer_search is not None:
            self.defer_search(self.search)
        else:
            self.search.finish()
        if self.memo is None:
            gc.unfreeze()

    def _document_page(self, writer, document: Document) -> None:
        """The page of one issue, item, policy or speech."""
        assert self.archive is not None
        kwargs: dict = {"doc": document, "page_title": document.title}
        if isinstance(document, Issue):
            kwargs["previous"], kwargs["following"] = self.archive.issue_neighbours(document)
        elif isinstance(document, Item):
            kwargs["previous"], kwargs["following"] = self.archive.neighbours(document)
        else:
            kwargs["body_html"] = self._with_citers(document)
        template = "issue" if isinstance(document, Issue) else document.kind
        self._page(writer, document.url, template, **kwargs)

    def first_pages(
        self, archive: Archive, documents: list[Document], writer, previous: Archive | None
    ) -> None:
        """A preview's quick step after an edit: the pages of the edited `documents` alone,
        made from the new archive before anything else (the pages a reader is looking at).

        What needs the whole archive computed again waits for the full round that follows
        (`generate_context` and `generate_output`): until then an edited item lists the
        related items it had in `previous`, by their new titles. The round's record forgets
        these pages, so that the round makes them again, whatever it finds changed."""
        before = previous.by_url if previous else {}
        now = archive.by_url
        self.__dict__.pop("tagged", None)
        self.archive = archive
        self.context["archive"] = archive
        held = value_digest(archive.references.resolver.held)
        for document in documents:
            rendered = self._render(document, archive, held, self.rendered or {})
            document.html, document.toc = rendered.html, rendered.toc
            old = before.get(document.url)
            if isinstance(document, Item) and old is not None and old is not document:
                document.related = [now[d.url] for d in old.related if d.url in now]
        memo, self.memo = self.memo, None  # written as they are, outside the round's record
        try:
            for document in documents:
                if memo is not None:
                    memo.forget(_save_as(document.url))
                self._document_page(writer, document)
        finally:
            self.memo = memo

    def _common(self) -> dict:
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

    def _with_citers(self, document: Document) -> str:
        """A policy's or speech's body with, after each cited part, who cites it."""
        assert self.archive is not None
        refs = self.archive.references
        citers = refs.clause_citers(document.url)
        everyone = "#cited-by-heading"  # the page's own 被引用 lists them all
        if len(refs.backlinks(document.url)) > CITED_BY_SHOWN:
            everyone = f"{SITE}/{cited_by_url(document.url)}"
        return annotate_parts(document.html, citers, everyone)

    def _cited_by_pages(self, writer, document: Document) -> None:
        """Everything that cites a policy or speech, newest first, in pages of 100, when its
        own page lists only the newest (`CITED_BY_SHOWN`)."""
        assert self.archive is not None
        backlinks = self.archive.references.backlinks(document.url)
        if len(backlinks) <= CITED_BY_SHOWN:
            return
        section = (
            ("policies/", "政策文件") if isinstance(document, Policy) else ("speeches/", "讲话")
        )
        self._paged(
            writer, cited_by_url(document.url), "cited_by", backlinks,
            page_title=f"被引用：{document.title}", entries_name="backlinks", doc=document,
            section=section,
        )  # fmt: skip

    def _page(self, writer, url: str, template: str, **kwargs) -> None:
        self.written.append(url)
        if not owns(url, self.part):
            return
        save_as = _save_as(url)
        common = self._common()
        self._produce(
            save_as,
            (template, url, kwargs, self.common_key),
            lambda: writer.write_file(
                save_as,
                self.get_template(template),
                self.context,
                relative_urls=self.settings["RELATIVE_URLS"],
                page_url=url,
                template_name=template,
                **common,
                **kwargs,
            ),
        )

    def _produce(self, name: str, made_of: tuple, make) -> None:
        """Make the output `name`; in a preview, only if what it is `made_of` (its own
        variables), or what it reads of the archive, changed since it was last made."""
        if self.memo is None:
            make()
        else:
            self.memo.produce(name, self.memo.key(*made_of), make)

    def _paged(
        self, writer, url: str, template: str, entries: list, page_title: str,
        entries_name: str = "documents", weight=lambda entry: 1, **kwargs,
    ) -> None:  # fmt: skip
        """A list page in pages of at most 100 entries (`bulletin.site.paging`): `url`, then
        `url`page/2/ … Templates get the page's entries as `entries_name`, every entry as
        `all_<entries_name>`, and `pager`."""
        limit = self.settings.get("BULLETIN_PER_PAGE", PER_PAGE)
        for page in paginate(entries, url, weight, limit):
            number = page.pager.number
            self._page(
                writer, page.url, template,
                page_title=page_title if number == 1 else f"{page_title}（第{number}页）",
                list_title=page_title, pager=page.pager,
                **{entries_name: page.entries, f"all_{entries_name}": entries}, **kwargs,
            )  # fmt: skip

    def _taxonomy(self, writer, key: str, taxonomy: Taxonomy) -> None:
        assert self.archive is not None
        tagged = self.tagged[key]
        index_url = self.archive.urls[key].split("{")[0]
        self._page(
            writer, index_url, "taxonomy_index", page_title=taxonomy.label,
            taxonomy=taxonomy, taxonomy_key=key, chart=self._terms_chart(key, taxonomy),
        )  # fmt: skip
        for term in taxonomy:
            self._paged(
                writer, self.archive.term_url(key, term), "taxonomy_term", tagged[term.name],
                page_title=term.name, taxonomy=taxonomy, taxonomy_key=key, term=term,
                chart=self._years_chart(tagged[term.name], term),
            )  # fmt: skip

    def _terms_chart(self, key: str, taxonomy: Taxonomy) -> Chart:
        """Documents per term, most first (ties in the taxonomy's order)."""
        assert self.archive is not None
        bars = [
            Bar(term.name, len(self.tagged[key][term.name]), self.archive.term_url(key, term))
            for term in taxonomy
        ]
        bars.sort(key=lambda bar: -bar.value)
        return bar_chart(
            bars, chart_id=f"chart-{key}", title=f"各{taxonomy.label}的文件数", unit="篇"
        )

    def _years_chart(self, documents: list[Document], term: Term) -> Chart:
        """A term's documents per year, over every year the archive covers."""
        assert self.archive is not None
        counts = Archive.per_year(documents)
        bars = [Bar(f"{year}年", counts.get(year, 0)) for year in self.archive.year_span()]
        return column_chart(
            bars, chart_id="chart-years", title=f"{term.name}：各年的文件数", unit="篇"
        )

    def _not_found(self, writer) -> None:
        # Served for any unknown path, so its links must not be relative to where it lives.
        # They are root-relative (the site's path without its origin): same-origin wherever
        # the page is served, as the Content-Security-Policy ('self') requires.
        if not owns("404.html", self.part):
            return
        common = self._common()
        self._produce(
            "404.html",
            ("404", self.common_key),
            lambda: writer.write_file(
                "404.html",
                self.get_template("404"),
                self.context,
                relative_urls=False,
                page_url="404.html",
                template_name="404",
                page_title="页面不存在",
                **common,
                SITEURL=urlsplit(self.settings["SITEURL"]).path.rstrip("/"),
            ),
        )

    # --- feeds -------------------------------------------------------------------------------

    def _entry(self, document: Document) -> FeedEntry | None:
        date = document.sort_date
        if date is None:
            return None
        assert self.archive is not None
        tags = [
            t.name for key in ("counties", "topics") for t in self.archive.terms_of(document, key)
        ]
        summary = document.title
        if isinstance(document, Item) and document.issue is not None:
            summary = f"{document.issue.title}｜{date_label(document.date)}"
        return FeedEntry(
            title=feed_text(document.title),
            url=document.url,
            date=dt.datetime.combine(date.first_day, dt.time()),
            summary=str(escape(summary)),
            content=str(site_links(document.html, self.settings["SITEURL"])),
            tags=tags,
        )

    def _feed(self, writer, documents: list[Document], path: str, title: str | None) -> None:
        """The newest FEED_MAX_ITEMS documents (100): a feed is for subscribers, the
        archive's lists are the site's pages."""
        dated = [d for d in documents if d.sort_date is not None]
        dated.sort(key=lambda d: (d.sort_date.first_day, d.url), reverse=True)
        newest = dated[: self.settings.get("FEED_MAX_ITEMS")]

        def make() -> None:
            entries = [e for d in newest if (e := self._entry(d)) is not None]
            writer.write_feed(
                entries, self.context, path, feed_type="atom",
                feed_title=feed_text(title) if title else None,
            )  # fmt: skip

        # Which documents are the newest is decided here, so a preview's feed is made of
        # those alone (its key), not of every document it chose from.
        self._produce(path, ("feed", path, title, newest), make)

    def _feeds(self, writer) -> None:
        assert self.archive is not None
        self._feed(writer, self.archive.documents, "feeds/all.atom.xml", None)
        for key, taxonomy in self.archive.taxonomies.items():
            for term in taxonomy:
                self._feed(
                    writer, self.tagged[key][term.name], f"feeds/{key}/{term.slug}.atom.xml",
                    f"{taxonomy.label}：{term.name}",
                )  # fmt: skip

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


class Tagged(Mapping):
    """Each taxonomy's terms → their documents (`Archive.tagged`), worked out on first use:
    a preview's first pages, which do not list them, need not wait for them."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self.known: dict[str, dict[str, list[Document]]] = {}

    def __getitem__(self, key: str) -> dict[str, list[Document]]:
        if key not in self.known:
            if key not in self.archive.taxonomies:
                raise KeyError(key)
            self.known[key] = self.archive.tagged(key)
        return self.known[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.archive.taxonomies)

    def __len__(self) -> int:
        return len(self.archive.taxonomies)


def stable_feed_date(context: dict, feed) -> None:
    """Give an empty feed the archive's latest date instead of the build time.

    feedgenerator dates a feed without entries "now", which would make two builds differ.
    """
    if feed.items:
        return
    archive: Archive | None = context.get("archive")
    dates = [d.sort_date.first_day for d in archive.documents if d.sort_date] if archive else []
    latest = max(dates, default=dt.date(1970, 1, 1))
    stamp = dt.datetime.combine(latest, dt.time(), tzinfo=dt.UTC)
    feed.latest_post_date = lambda: stamp


def feed_text(text: str) -> str:
    """`text` as Pelican's feed writer must get a title: it takes titles for HTML, stripping
    tags and unescaping them, so the text is handed over escaped and comes out as typed."""
    return str(escape(text))


def term_links(archive: Archive, document: Document, key: str) -> list[tuple[Term, str]]:
    """(term, url) pairs of a document's terms, for templates."""
    return [(term, archive.term_url(key, term)) for term in archive.terms_of(document, key)]
