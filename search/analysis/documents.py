"""What the search indexes hold: one record per item, policy and speech, and its words.

Built by the site's plugin from the archive (the thin adapter); everything in the search
package works on these records alone, with no Pelican import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from search.analysis.rules import FILLER, TITLE_SLOTS
from search.analysis.tokens import normalize, pair_words, tokens

# Kinds as the reader filters them (the filter's values, in /search/?kind=…), and as every
# page names them.
KINDS = {"item": "简报", "policy": "政策", "speech": "讲话"}
KIND_NAMES = {"item": "简报", "policy": "政策文件", "speech": "讲话"}
# Between two blocks of a document's words: Pagefind counts a full stop after every block
# (search.index.shards), a position that no word of a query begins with.
BLOCK_END = "."


@dataclass(frozen=True)
class SearchDoc:
    url: str  # site-relative, e.g. bulletins/2014-10/kong-hailong-…/
    kind: str  # item, policy or speech
    title: str
    text: str  # the body as plain text, paragraphs separated by blank lines
    date: str = ""  # ISO, possibly only year-month; "" when unknown
    date_display: str = ""  # as shown on the site, e.g. 2014年1月（推断）
    counties: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    context: str = ""  # where it comes from: the title, or the 文号
    filed_year: str = ""  # the year it is filed under, when not its date's (an item: its issue's)
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def year(self) -> str:
        return self.filed_year or self.date[:4]

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def segments(self) -> tuple[str, ...]:
        """What Pagefind indexes, one space-separated string per paragraph it is given
        (`document_segments`). Not kept: the bundle and Whoosh each read it
        once, in a build in two processes, and kept it would be five times the text (1 GB
        in each process at 100,000 documents)."""
        return tuple(" ".join(words) for words in document_segments(self.title, self.text))

    @property
    def words(self) -> str:
        """All the index words, space-separated, BLOCK_END between blocks: a word's index is
        its position, as Pagefind reports it (`document_words`)."""
        return f" {BLOCK_END} ".join(segment for segment in self.segments if segment)


def document_segments(title: str, text: str) -> list[list[str]]:
    """What Pagefind indexes for a document, one list of words per paragraph it is given.

    The title's pair words, filler words up to `TITLE_SLOTS` words (so that a word is in the
    title when its position is below that), then each paragraph's pair words. Put together
    (`document_words`), a word's index is the position Pagefind reports for it: the search
    page reads those positions, and the command line keeps the same list, so both see the
    same document (see `search.analysis.rules`).
    """
    title_words = pair_words(tokens(normalize(title)))
    segments = [title_words, [FILLER] * max(0, TITLE_SLOTS - len(title_words))]
    for paragraph in text.split("\n\n"):
        if paragraph.strip():
            segments.append(pair_words(tokens(normalize(paragraph))))
    return segments


def document_words(title: str, text: str) -> list[str]:
    """The blocks of `document_segments` one after the other, BLOCK_END between two: a
    word's index is its position as Pagefind numbers it (a full stop counted after every
    block of words), which is what the search page reads (a gap across paragraphs skips
    one more)."""
    out: list[str] = []
    for segment in document_segments(title, text):
        if segment:
            if out:
                out.append(BLOCK_END)
            out += segment
    return out


def filter_values(doc: SearchDoc) -> list[tuple[str, str]]:
    """A document's filters as (name, value), as `search.index.shards.document_html` writes
    them."""
    values = [("kind", doc.kind_label)]
    if doc.year:
        values.append(("year", doc.year))
    values += [("county", c) for c in doc.counties]
    values += [("topic", t) for t in doc.topics]
    if doc.extra.get("status"):  # a policy's validity (效力状态)
        values.append(("status", doc.extra["status"]))
    return values
