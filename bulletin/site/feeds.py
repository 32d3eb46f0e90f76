"""The Atom feeds as data: which documents each lists (`FeedSpec`), and each entry as
Pelican's feed writer needs it (`FeedEntry`). No Pelican: `bulletin.site.page_writer`
hands them to its writer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import escape

from bulletin.content.labels import date_label
from bulletin.content.model import Document, Item
from bulletin.relations.archive import Archive
from bulletin.site.links import site_links


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


@dataclass(frozen=True)
class FeedSpec:
    """One feed: its file, its title (None: the site's) and the documents it lists; an
    empty feed is dated with the archive's latest date (`stable_feed_date`), which it holds."""

    path: str
    title: str | None
    documents: tuple[Document, ...]
    empty_date: dt.date | None = None


def feed_text(text: str) -> str:
    """`text` as Pelican's feed writer must get a title: it takes titles for HTML, stripping
    tags and unescaping them, so the text is handed over escaped and comes out as typed."""
    return str(escape(text))


def newest(documents: list[Document], limit: int | None) -> tuple[Document, ...]:
    """The newest `limit` dated documents, newest first: a feed is for subscribers, the
    archive's lists are the site's pages."""
    dated = [d for d in documents if d.sort_date is not None]
    dated.sort(key=lambda d: (d.sort_date.first_day, d.url), reverse=True)
    return tuple(dated[:limit])


def site_feeds(archive: Archive, tagged, limit: int | None) -> Iterator[FeedSpec]:
    """The feed of everything, then one per term of each taxonomy."""
    latest = latest_date(archive)

    def spec(path: str, title: str | None, documents: list[Document]) -> FeedSpec:
        listed = newest(documents, limit)
        return FeedSpec(path, title, listed, None if listed else latest)

    yield spec("feeds/all.atom.xml", None, archive.documents)
    for key, taxonomy in archive.taxonomies.items():
        for term in taxonomy:
            yield spec(
                f"feeds/{key}/{term.slug}.atom.xml",
                f"{taxonomy.label}：{term.name}",
                tagged[key][term.name],
            )


def latest_date(archive: Archive | None) -> dt.date:
    """The latest date of any document of `archive` (1970-01-01 if none is dated)."""
    dates = [d.sort_date.first_day for d in archive.documents if d.sort_date] if archive else []
    return max(dates, default=dt.date(1970, 1, 1))


def feed_entry(archive: Archive, document: Document, siteurl: str) -> FeedEntry | None:
    date = document.sort_date
    if date is None:
        return None
    tags = [t.name for key in ("counties", "topics") for t in archive.terms_of(document, key)]
    summary = document.title
    if isinstance(document, Item) and document.issue is not None:
        summary = f"{document.issue.title}｜{date_label(document.date)}"
    return FeedEntry(
        title=feed_text(document.title),
        url=document.url,
        date=dt.datetime.combine(date.first_day, dt.time()),
        summary=str(escape(summary)),
        content=str(site_links(document.html, siteurl)),
        tags=tags,
    )


def stable_feed_date(context: dict, feed) -> None:
    """Give an empty feed the archive's latest date instead of the build time.

    feedgenerator dates a feed without entries "now", which would make two builds differ.
    """
    if feed.items:
        return
    latest = latest_date(context.get("archive"))
    stamp = dt.datetime.combine(latest, dt.time(), tzinfo=dt.UTC)
    feed.latest_post_date = lambda: stamp
