"""Cross-references patched after an edit: what the changed documents gave taken out and
what they give now put in, instead of reading every text again (a preview's update)."""

from __future__ import annotations

from collections import defaultdict

from bulletin.content.model import Document, Policy, Speech
from bulletin.relations.citations import Resolver
from bulletin.relations.references import (
    References,
    add_mentions,
    mentions_in,
    newest_first,
    resolve_name,
)

PATCH_LIMIT = 1000  # changed documents, above which the references are built again


def patched(
    previous: References, documents: dict[str, Document], resolver: Resolver, known: dict
) -> References | None:
    """`previous` with what the documents that are not the same objects as there (changed,
    added, removed) gave taken out and what they give now put in: the references
    `build_references` would build, without reading every document again. None when the held
    documents changed (every mention may resolve otherwise), or a held document is among
    them (citations point to it), or too many changed."""
    before = previous.documents
    if previous.resolver is not resolver:
        return None
    stale = {url for url, document in documents.items() if before.get(url) is not document}
    stale |= before.keys() - documents.keys()
    if len(stale) > PATCH_LIMIT:
        return None
    for url in stale:
        for document in (documents.get(url), before.get(url)):
            if isinstance(document, (Policy, Speech)):
                return None
    refs = References(documents, resolver)
    refs.cites = defaultdict(list, {k: v for k, v in previous.cites.items() if k not in stale})
    refs.missing = defaultdict(list, {k: v for k, v in previous.missing.items() if k not in stale})
    refs.found = [f for f in previous.found if f.document.url not in stale]
    refs.replaced_by = dict(previous.replaced_by)  # policies' only: none of them changed
    refs.interprets = {k: v for k, v in previous.interprets.items() if k not in stale}
    for url in stale:  # what `known` keeps: only what this archive holds
        if (old := before.get(url)) is not None:
            known.pop((url, getattr(old, "body", "")), None)
    fresh = [d for url, d in documents.items() if url in stale]
    mentions = {d.url: mentions_in(d, resolver, known) for d in fresh}
    # Lists that change are copied: the others are shared with `previous`, never changed.
    cited = {c.target.url for url in stale for c in previous.cites.get(url, [])}
    cited |= {m.target for ms in mentions.values() for _, m in ms if m.target is not None}
    refs.cited_by = defaultdict(list, previous.cited_by)
    for key in cited:
        refs.cited_by[key] = [c for c in refs.cited_by[key] if c.source.url not in stale]
    interpreted = {d.url for url in stale if (d := previous.interprets.get(url)) is not None}
    interpreted |= {
        key
        for d in fresh
        if (name := getattr(d, "interprets", None)) and (key := resolve_name(resolver, name))
    }
    refs.interpretations = defaultdict(list, previous.interpretations)
    for key in interpreted:
        refs.interpretations[key] = [d for d in refs.interpretations[key] if d.url not in stale]
    for document in fresh:
        add_mentions(refs, document, mentions[document.url])
    for key in cited:
        refs.cited_by[key].sort(key=lambda c: newest_first(c.source), reverse=True)
    if interpreted:
        order = {url: n for n, url in enumerate(documents)}
        for key in interpreted:
            refs.interpretations[key].sort(key=lambda d: order[d.url])
    for mapping in (refs.cited_by, refs.interpretations):
        for key in [k for k in cited | interpreted if k in mapping and not mapping[k]]:
            del mapping[key]  # as a build leaves them: no empty lists
    return refs
