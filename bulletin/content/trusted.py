"""The one place where the build marks HTML as safe to write into a page unescaped.

Every template is rendered with autoescaping on (`bulletin.site.settings` refuses a build that
turns it off): whatever a template prints is text, written as the characters the editor
typed — titles, units, 文号, names of counties and topics, headings, notes — unless it is
`Markup`. The only `Markup` in the build comes from `trusted_html`, and only these producers
call it, each on HTML it made itself:

- `bulletin.content.render`: Markdown rendered and then sanitised by nh3 to an allow-list;
- `bulletin.content.list_meta`: a list's date, source and unit spans, every text escaped;
- `bulletin.site.links.annotate_parts`: that HTML, with notes whose text it escaped itself;
- `bulletin.site.links.site_links`: that HTML, with the site's own address put in its links;
- `bulletin.site.charts`: SVG written by ElementTree, which escapes every text and attribute.

tests/test_escaping.py holds the code to this: it fails if anything else in the code or the
templates marks a value safe (``Markup(…)``, ``|safe``, ``autoescape false``, ``__html__``)
or if another module calls `trusted_html`.
"""

from __future__ import annotations

from markupsafe import Markup


def trusted_html(html: str) -> Markup:
    """`html`, which the build made itself, marked as safe to write unescaped."""
    return Markup(html)
