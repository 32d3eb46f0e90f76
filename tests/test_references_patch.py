"""References patched after an edit are the references built from scratch.

A preview's update reads the archive again after every save; when only items changed, the
cross-references are patched (`bulletin.relations.reference_patch`): what the changed items gave
taken out, what they give now put in. Here a generated archive (bench/corpus.py: policies
citing policies, items citing policies by title and 文号, often a clause) is edited at
random, in rounds: items' bodies get mentions of held documents (titles, 文号 in other
spellings, clauses, near misses, documents not held) or lose theirs, items are marked as the
解读 of a policy or no longer, items are added and removed. After each round the patched
references must equal those a build with no memory gives for the same documents, entry for entry and in
the same order; and a policy's edit must not be patched at all.
"""

from __future__ import annotations

import dataclasses
import random
import shutil
from pathlib import Path

import pytest

from bench.corpus import make_corpus
from bulletin.content.model import Issue, Policy
from bulletin.content.taxonomy import load_taxonomies
from bulletin.relations import references
from bulletin.relations.archive import build_archive, read_content
from bulletin.relations.reference_build import ReferenceMemory, build_references
from bulletin.relations.reference_patch import patched as patch
from sitecheck import ROOT

SEED = 20261202


def summary(refs: references.References) -> dict:
    """Everything the references hold, by URL, in order."""

    def citations(mapping):
        return {
            key: [(c.source.url, c.target.url, c.anchor, c.clause) for c in value]
            for key, value in sorted(mapping.items())
            if value
        }

    return {
        "documents": list(refs.documents),
        "cites": citations(refs.cites),
        "cited_by": citations(refs.cited_by),
        "missing": {k: [(i, m.text) for i, m in v] for k, v in sorted(refs.missing.items()) if v},
        "interprets": {k: v.url for k, v in sorted(refs.interprets.items())},
        "interpretations": {
            k: [d.url for d in v] for k, v in sorted(refs.interpretations.items()) if v
        },
        "replaced_by": {k: v.url for k, v in sorted(refs.replaced_by.items())},
        "found": sorted((f.document.url, f.line, f.mention.text) for f in refs.found),
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    content = make_corpus(tmp_path_factory.mktemp("corpus") / "content", 400)
    shutil.copytree(ROOT / "content" / "policies", content / "policies", dirs_exist_ok=True)
    return content


def mentions(rng: random.Random, policies: list[Policy]) -> list[str]:
    policy = rng.choice(policies)
    number = policy.doc_number or "温委发〔2014〕27号"
    return [
        f"根据《{policy.title}》",
        f"按照{number}第{rng.randint(1, 12)}条",
        f"《{policy.title[:-1]}件》",  # one character off: a near miss
        f"依据{number.replace('〔', '[').replace('〕', ']')}",
        "《关于本库没有的一份文件的通知》",
        "温委发〔2099〕999号",
    ]


def edited(rng: random.Random, issues: list[Issue], policies: list[Policy]) -> list[Issue]:
    """The issues after a round of random edits of their items (new objects where edited)."""
    out = list(issues)
    for _ in range(rng.randint(1, 6)):
        n = rng.randrange(len(out))
        issue = out[n]
        items = list(issue.items)
        what = rng.choice(["mention", "unmention", "interpret", "uninterpret", "add", "remove"])
        k = rng.randrange(len(items))
        item = items[k]
        if what == "mention":
            extra = "\n\n".join(rng.sample(mentions(rng, policies), 2))
            items[k] = dataclasses.replace(item, body=f"{item.body}\n\n{extra}")
        elif what == "unmention":
            items[k] = dataclasses.replace(item, body="本条不提及任何文件。")
        elif what == "interpret":
            policy = rng.choice(policies)
            items[k] = dataclasses.replace(item, interprets=policy.doc_number or policy.title)
        elif what == "uninterpret":
            items[k] = dataclasses.replace(item, interprets=None)
        elif what == "add":
            slug = f"xin-{rng.randrange(10**9)}"
            items.insert(k, dataclasses.replace(item, slug=slug, title=f"{item.title}{slug}"))
        elif len(items) > 1:
            del items[k]
        out[n] = dataclasses.replace(issue, items=items)
    return out


def test_patched_references_are_the_references_built(corpus: Path):
    documents, _ = read_content(corpus)
    taxonomies = load_taxonomies(corpus)
    issues = [d for d in documents if isinstance(d, Issue)]
    policies = [d for d in documents if isinstance(d, Policy)]
    others = [d for d in documents if not isinstance(d, Issue)]
    rng = random.Random(SEED)
    memory = ReferenceMemory()  # what a preview session keeps
    build_references(build_archive(issues + others, taxonomies), memory)
    patched = 0
    for _ in range(40):
        issues = edited(rng, issues, policies)
        archive = build_archive(issues + others, taxonomies)
        last = memory.last
        refs = build_references(archive, memory)
        patched += last is not None and refs.resolver is last.resolver
        built = build_references(archive)  # no memory: every text read
        assert refs.resolver is not built.resolver
        assert summary(refs) == summary(built)
    assert patched == 40
    assert memory.last is not None
    assert sum(len(v) for v in memory.last.interpretations.values()) > 0


def test_an_edited_policy_is_not_patched(corpus: Path):
    documents, _ = read_content(corpus)
    taxonomies = load_taxonomies(corpus)
    policies = [d for d in documents if isinstance(d, Policy)]
    rest = [d for d in documents if not isinstance(d, Policy)]
    memory = ReferenceMemory()
    build_references(build_archive(documents, taxonomies), memory)
    last = memory.last
    assert last is not None
    changed = dataclasses.replace(policies[0], body=policies[0].body + "\n\n新增一段。")
    archive = build_archive([*rest, changed, *policies[1:]], taxonomies)
    assert patch(last, _documents(archive), last.resolver, {}) is None


def _documents(archive) -> dict:
    return {d.url: d for d in (*archive.items, *archive.policies, *archive.speeches)}
