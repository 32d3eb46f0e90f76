"""One small writer of the site's outputs, for the build and the preview alike: it hands
each `PageSpec` (`bulletin.site.pages`) and `FeedSpec` (`bulletin.site.feeds`) to Pelican's
writer, with what every page gets besides its own variables.

Given a preview's `Memo`, it makes an output only if what it was made of changed since it
was last made (`bulletin.site.incremental`); without one (a build) it makes every output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bulletin.content.model import Document, Item
from bulletin.site.feeds import FeedEntry, FeedSpec, feed_text
from bulletin.site.incremental import Memo
from bulletin.site.pages import PageSpec
from bulletin.site.parts import owns


@dataclass
class PageWriter:
    writer: Any  # Pelican's Writer
    template: Callable[[str], Any]  # a template by name (the generator's `get_template`)
    context: dict  # Pelican's context
    common: dict  # what every page gets besides its own variables
    relative_urls: bool  # the site's RELATIVE_URLS
    entry: Callable[[Document], FeedEntry | None]  # a feed's entry of a document
    part: tuple[int, int] | None = None  # the part of a site built on several machines
    memo: Memo | None = None  # a preview round's record; None: a build
    common_key: bytes = b""  # in a preview, the digest of `common` but its roots

    def page(self, spec: PageSpec) -> None:
        """Write the page `spec`, if this part of the site holds it."""
        if not owns(spec.url, self.part):
            return
        relative = self.relative_urls if spec.relative_urls is None else spec.relative_urls
        variables = {**self.common, **spec.variables}

        def make() -> None:
            self.writer.write_file(
                spec.save_as,
                self.template(spec.template),
                self.context,
                relative_urls=relative,
                page_url=spec.url,
                template_name=spec.template,
                **variables,
            )

        self._produce(spec.save_as, (spec.template, spec.url, spec.variables), make)

    def feed(self, spec: FeedSpec) -> None:
        """Write the feed `spec`. Which documents it lists is decided in the spec, so a
        preview's feed is made of those alone, not of every document they were chosen from."""

        def make() -> None:
            entries = [e for d in spec.documents if (e := self.entry(d)) is not None]
            self.writer.write_feed(
                entries, self.context, spec.path, feed_type="atom",
                feed_title=feed_text(spec.title) if spec.title else None,
            )  # fmt: skip

        # Its entries are made in Python, from the documents and their issues.
        read = [d.url for d in spec.documents]
        read += [d.issue.url for d in spec.documents if isinstance(d, Item) and d.issue]
        made_of = ("feed", spec.path, spec.title, spec.documents, spec.empty_date)
        self._produce(spec.path, made_of, make, read)

    def _produce(
        self, name: str, made_of: tuple, make: Callable[[], None], reads: list[str] | None = None
    ) -> None:
        """Make the output `name`; in a preview, only if what it is `made_of` (its own
        variables), or what it reads of the archive, changed since it was last made."""
        if self.memo is None:
            make()
        else:
            key = self.memo.key(*made_of, self.common_key)
            self.memo.produce(name, key, make, reads or ())
