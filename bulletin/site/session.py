"""What a preview keeps between its builds and hands to the generator; a build has none.

One object the caller owns (`bulletin.preview.preview.Preview`): the generator reads its
caches from it and records into it, and nothing of it lives in a module. Pure: no Pelican.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bulletin.content.render import Rendered
from bulletin.site.incremental import Memo
from bulletin.site.tracking import StopSignal


@dataclass
class Session:
    """A preview session, as the generator sees it."""

    # What each page and feed was made of, to make again only what an edit changed.
    memo: Memo = field(default_factory=Memo)
    # Stops the background round when a newer edit comes (`bulletin.site.tracking`).
    stop: StopSignal = field(default_factory=StopSignal)
    # Rendered Markdown by what it was rendered from (text, and what mentions resolve to).
    rendered: dict[bytes, Rendered] = field(default_factory=dict)
    # The words of each search record, and the text of each rendered HTML, by input.
    words: dict[Any, Any] = field(default_factory=dict)
    texts: dict[Any, Any] = field(default_factory=dict)
    # Given the round's search indexes to write, later and aside (the preview's catch-up);
    # the generator never writes them itself in a preview.
    search_ready: Callable[[Any], None] = lambda search: None
