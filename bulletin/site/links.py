"""The build's own HTML with its links made for a page: document links starting at the site's
address, and notes after cited parts saying who cites them."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from bulletin.content.model import Document
from bulletin.content.trusted import trusted_html
from bulletin.relations.references import SITE


def site_links(html: Markup | str, site: str) -> Markup:
    """Rendered HTML with its document links made to start at `site` (the page's SITEURL).

    A value that is not the build's own HTML (`Markup`) is text: it is escaped first, so
    that this filter never lets text through as markup."""
    return trusted_html(str(escape(html)).replace(f'href="{SITE}/', f'href="{site}/'))


PART_CITERS_SHOWN = 5  # citing documents named after a cited part; the rest are counted


def annotate_parts(html: Markup, citers: dict[str, list[Document]], everyone: str) -> Markup:
    """After each cited part (clause, section) of rendered HTML, say who cites it, with links
    to the newest few and, when there are more, to `everyone` (where all are listed).

    The note is a paragraph of its own after the part: the part's own text is untouched.
    Its titles and addresses are escaped here; `html` is the build's own (`Markup`).
    """
    html = str(escape(html))
    for anchor, documents in sorted(citers.items()):
        pattern = re.compile(rf'<(p|h2|h3)\b[^>]*\sid="{re.escape(anchor)}"[^>]*>.*?</\1>', re.S)
        match = pattern.search(html)
        if match is None:
            continue
        links = "、".join(
            f'<a href="{SITE}/{escape(d.url)}">{escape(d.title)}</a>'
            for d in documents[:PART_CITERS_SHOWN]
        )
        if len(documents) > PART_CITERS_SHOWN:
            links += f'等（<a href="{escape(everyone)}">全部被引用</a>）'
        note = (
            f'<p class="part-cited" id="{anchor}-cited">'
            f"{'本条' if anchor.startswith('clause-') else '本部分'}被 {len(documents)} 篇文件引用：{links}</p>"
        )
        html = html[: match.end()] + note + html[match.end() :]
    return trusted_html(html)
