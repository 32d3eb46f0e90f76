"""Building the cross-references of an archive, and what a preview keeps between builds.

A build reads every text once (`build_references` with no memory). A preview reads the
archive again after every edit, mostly the same texts: it owns a `ReferenceMemory` and hands
it in, so that the resolver of the held documents, the mentions found in each unchanged text
and the last references (patched for a few changed items: `reference_patch`) are kept.
Nothing is kept anywhere else: no module-level state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bulletin.content.model import Document, Policy, Speech
from bulletin.relations.citations import Mention, Resolver
from bulletin.relations.reference_patch import patched
from bulletin.relations.references import (
    Documents,
    Held,
    References,
    add_mentions,
    held_of,
    mentions_in,
    newest_first,
    resolve_name,
)


@dataclass
class ReferenceMemory:
    """What one reader of the archive (a preview session) keeps between its readings."""

    # The resolver of the held documents, while they stay the same (it indexes every title).
    resolver: tuple[tuple[Held, ...], Resolver] = field(default_factory=lambda: ((), Resolver([])))
    # The mentions found in each text (URL, body) while the held documents stay the same.
    found: tuple[tuple[Held, ...], dict] = field(default_factory=lambda: ((), {}))
    # The last references built: the next, if few items differ, are patched from them.
    last: References | None = None
    # Where bodies start in their files, by file state (for editors' line numbers).
    starts: dict[tuple, int | None] = field(default_factory=dict)


def build_references(archive: Documents, memory: ReferenceMemory | None = None) -> References:
    """Read every item, policy and speech for mentions; relate them. With the `memory` of
    an earlier reading (a preview's), only what changed since is read again."""
    if memory is None:
        memory = ReferenceMemory()
    held_documents: list[Policy | Speech] = [*archive.policies, *archive.speeches]
    held = tuple(held_of(d) for d in held_documents)
    if memory.resolver[0] != held:
        memory.resolver = (held, Resolver(list(held)))
    resolver = memory.resolver[1]
    documents: dict[str, Document] = {d.url: d for d in (*archive.items, *held_documents)}
    known = memory.found[1] if memory.found[0] == held else {}
    last = memory.last
    refs = patched(last, documents, resolver, known) if last is not None else None
    if refs is None:
        refs = _built(documents, resolver, held, memory)
    memory.last = refs
    return refs


def _built(
    documents: dict[str, Document], resolver: Resolver, held: tuple, memory: ReferenceMemory
) -> References:
    refs = References(documents, resolver)
    known = memory.found[1] if memory.found[0] == held else {}
    found: dict[tuple[str, str], list[tuple[int, Mention]]] = {}
    for document in documents.values():
        mentions = mentions_in(document, resolver, known)
        found[(document.url, getattr(document, "body", ""))] = mentions
        add_mentions(refs, document, mentions)
    memory.found = (held, found)  # only what this archive holds
    for document in documents.values():
        if isinstance(document, Policy) and document.replaced_by:
            key = resolve_name(resolver, document.replaced_by)
            if key is not None:
                refs.replaced_by[document.url] = documents[key]
    for citations in refs.cited_by.values():
        citations.sort(key=lambda c: newest_first(c.source), reverse=True)
    return refs
