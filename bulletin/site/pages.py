"""Every page of the site as data: a `PageSpec` (URL, template, the page's own variables)
for each, listed from the archive in a stable order (`site_pages`).

What every page gets besides its own variables (the archive, the taxonomies …) the writer
adds (`bulletin.site.page_writer`); which pages exist, and what each shows, is decided here.
No Pelican.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from bulletin.content.model import Document, Issue, Item, Policy, Speech
from bulletin.content.taxonomy import Taxonomy, Term
from bulletin.relations.archive import Archive
from bulletin.relations.references import SITE
from bulletin.site.charts import Bar, Chart, bar_chart, column_chart
from bulletin.site.links import annotate_parts
from bulletin.site.paging import paginate

# The home page lists at most this many policies and speeches; the rest are on the
# paginated lists /policies/ and /speeches/ it links to.
HOME_LIST = 100

# A policy's or speech's page lists the newest this many of the documents citing it; all
# are on its 被引用 pages (`cited_by_url`), so that no page grows with the archive.
CITED_BY_SHOWN = 20


def cited_by_url(url: str) -> str:
    """The list of everything citing the document at `url`."""
    return f"{url.removesuffix('.html').rstrip('/')}/cited-by/"


def save_as(url: str) -> str:
    """The file of the page at `url`."""
    return url + "index.html" if url.endswith("/") or not url else url


@dataclass(frozen=True)
class PageSpec:
    """One page: its URL, its template (a name in theme/templates, without .html) and the
    variables it gets of its own."""

    url: str
    template: str
    variables: dict = field(default_factory=dict)
    # None: as the site's setting; False for a page served at any path (the 404 page).
    relative_urls: bool | None = None
    listed: bool = True  # in the sitemap

    @property
    def save_as(self) -> str:
        return save_as(self.url)


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


def _weight(document: Document) -> int:
    """Entries a document takes in a list: an issue is shown with its headlines."""
    return 1 + len(document.items) if isinstance(document, Issue) else 1


def _one(entry: object) -> int:
    return 1


@dataclass
class SitePages:
    """The pages of `archive`, in lists of at most `per_page` entries; the 404 page's
    links are root-relative to `site_path` (the site's path without its origin)."""

    archive: Archive
    tagged: Tagged
    per_page: int
    site_path: str

    def all(self) -> Iterator[PageSpec]:
        """Every page, in the order they are written."""
        archive = self.archive
        yield PageSpec("", "index", {"page_title": None, "home_limit": HOME_LIST})
        yield from self._paged(
            "bulletins/", "bulletins", archive.issues[::-1], page_title="简报",
            entries_name="issues", weight=_weight,
        )  # fmt: skip
        yield from self._paged("policies/", "list", archive.policies[::-1], page_title="政策文件")
        yield from self._paged("speeches/", "list", archive.speeches[::-1], page_title="讲话")
        for document in archive.pages:
            yield self.document(document)
            if isinstance(document, (Policy, Speech)):
                yield from self._cited_by(document)
        for key, taxonomy in archive.taxonomies.items():
            yield from self._taxonomy(key, taxonomy)
        years = archive.years()
        yield PageSpec("archive/", "archive", {"page_title": "按年浏览", "years": years})
        for year, documents in years.items():
            if year is not None:
                yield from self._paged(
                    archive.year_url(year), "archive_year", documents,
                    page_title=f"{year}年", year=year, weight=_weight,
                )  # fmt: skip
        yield PageSpec("search/", "search", {"page_title": "搜索"})
        yield self.not_found()

    def document(self, document: Document) -> PageSpec:
        """The page of one issue, item, policy or speech."""
        variables: dict = {"doc": document, "page_title": document.title}
        if isinstance(document, Issue):
            variables["previous"], variables["following"] = self.archive.issue_neighbours(document)
        elif isinstance(document, Item):
            variables["previous"], variables["following"] = self.archive.neighbours(document)
        else:
            variables["body_html"] = self._with_citers(document)
        template = "issue" if isinstance(document, Issue) else document.kind
        return PageSpec(document.url, template, variables)

    def not_found(self) -> PageSpec:
        # Served for any unknown path, so its links must not be relative to where it lives.
        # They are root-relative (the site's path without its origin): same-origin wherever
        # the page is served, as the Content-Security-Policy ('self') requires.
        return PageSpec(
            "404.html", "404", {"page_title": "页面不存在", "SITEURL": self.site_path},
            relative_urls=False, listed=False,
        )  # fmt: skip

    def _with_citers(self, document: Document) -> str:
        """A policy's or speech's body with, after each cited part, who cites it."""
        refs = self.archive.references
        citers = refs.clause_citers(document.url)
        everyone = "#cited-by-heading"  # the page's own 被引用 lists them all
        if len(refs.backlinks(document.url)) > CITED_BY_SHOWN:
            everyone = f"{SITE}/{cited_by_url(document.url)}"
        return annotate_parts(document.html, citers, everyone)

    def _cited_by(self, document: Document) -> Iterator[PageSpec]:
        """Everything that cites a policy or speech, newest first, in pages of 100, when its
        own page lists only the newest (`CITED_BY_SHOWN`)."""
        backlinks = self.archive.references.backlinks(document.url)
        if len(backlinks) <= CITED_BY_SHOWN:
            return
        section = (
            ("policies/", "政策文件") if isinstance(document, Policy) else ("speeches/", "讲话")
        )
        yield from self._paged(
            cited_by_url(document.url), "cited_by", backlinks,
            page_title=f"被引用：{document.title}", entries_name="backlinks", doc=document,
            section=section,
        )  # fmt: skip

    def _paged(
        self, url: str, template: str, entries: list, page_title: str,
        entries_name: str = "documents", weight: Callable[[object], int] = _one, **variables,
    ) -> Iterator[PageSpec]:  # fmt: skip
        """A list in pages of at most `per_page` entries (`bulletin.site.paging`): `url`,
        then `url`page/2/ … Templates get the page's entries as `entries_name`, every entry
        as `all_<entries_name>`, and `pager`."""
        for page in paginate(entries, url, weight, self.per_page):
            number = page.pager.number
            yield PageSpec(
                page.url,
                template,
                {
                    "page_title": page_title if number == 1 else f"{page_title}（第{number}页）",
                    "list_title": page_title,
                    "pager": page.pager,
                    entries_name: page.entries,
                    f"all_{entries_name}": entries,
                    **variables,
                },
            )

    def _taxonomy(self, key: str, taxonomy: Taxonomy) -> Iterator[PageSpec]:
        tagged = self.tagged[key]
        index_url = self.archive.urls[key].split("{")[0]
        yield PageSpec(
            index_url,
            "taxonomy_index",
            {
                "page_title": taxonomy.label,
                "taxonomy": taxonomy,
                "taxonomy_key": key,
                "chart": self._terms_chart(key, taxonomy),
            },
        )
        for term in taxonomy:
            yield from self._paged(
                self.archive.term_url(key, term), "taxonomy_term", tagged[term.name],
                page_title=term.name, taxonomy=taxonomy, taxonomy_key=key, term=term,
                chart=self._years_chart(tagged[term.name], term),
            )  # fmt: skip

    def _terms_chart(self, key: str, taxonomy: Taxonomy) -> Chart:
        """Documents per term, most first (ties in the taxonomy's order)."""
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
        counts = Archive.per_year(documents)
        bars = [Bar(f"{year}年", counts.get(year, 0)) for year in self.archive.year_span()]
        return column_chart(
            bars, chart_id="chart-years", title=f"{term.name}：各年的文件数", unit="篇"
        )
