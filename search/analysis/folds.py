"""The fold map: traditional and variant characters → the archive's simplified ones.

Worked out at build time from the archive's own text, and shipped with the search rules to
the search page (`/search/query.json`) and beside the Whoosh index (for `invoke search`):
both fold a query with it (`search.analysis.tokens.fold_query`) before cutting it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import opencc

from search.analysis.documents import SearchDoc
from search.analysis.tokens import HAN_RE, normalize, normalize_table

# OpenCC's simplified → traditional conversions, Taiwan and Hong Kong forms included. Run
# over the archive's own text, they give the traditional characters a reader can type for
# its words, including those OpenCC only chooses in context (了解 → 瞭解, 家具 → 傢俱).
S2T_CONFIGS = ("s2t", "s2tw", "s2hk", "s2twp", "s2hkp")


def fold_map(corpus: str | Iterable[str], batch: int = 1 << 20) -> dict[str, str]:
    """Traditional and variant characters → the simplified characters of the corpus (a
    text, or its lines).

    Two sources, both OpenCC: every character that its character table maps to a simplified
    character the corpus uses (臺 → 台, 裏 → 里, 溫 → 温), and every character that its
    phrase-aware conversions of the corpus's own text write for one of the corpus's
    characters (瞭 for the 了 of 了解). A character that the corpus itself uses is never
    folded into another. Shipped to the browser and to the command line, so that a query
    typed in traditional script is folded the same way by both before it is searched.

    The lines are converted about `batch` characters at a time (at 100,000 items the whole
    text at once, and its five conversions, held 330 MB).
    """
    used: set[str] = set()
    seen: Counter[tuple[str, str]] = Counter()
    converters = [opencc.OpenCC(config) for config in S2T_CONFIGS]
    for block in _batches(corpus.splitlines() if isinstance(corpus, str) else corpus, batch):
        lines = normalize(block).splitlines()
        text = "\n".join(lines)
        used.update(HAN_RE.findall(text))
        for converter in converters:
            for line, converted in zip(lines, converter.convert(text).split("\n"), strict=True):
                if len(converted) != len(line):
                    continue  # a vocabulary change (s2twp: 软件 → 軟體 is fine, 鼠标 → 滑鼠 not)
                for simplified, variant in zip(line, converted, strict=True):
                    # (a Han character of the text is one the corpus uses)
                    if variant != simplified and HAN_RE.match(simplified) and HAN_RE.match(variant):
                        seen[(variant, simplified)] += 1
    mapping = {
        chr(code): target
        for code, target in normalize_table().items()
        if HAN_RE.match(chr(code)) and len(target) == 1 and target in used
    }
    for (variant, simplified), _ in sorted(seen.items(), key=lambda kv: (-kv[1], kv[0])):
        if variant not in used and variant not in mapping:
            mapping[variant] = simplified
    return dict(sorted(mapping.items()))


def _batches(lines: Iterable[str], size: int) -> Iterator[str]:
    """The lines joined into texts of about `size` characters."""
    block: list[str] = []
    length = 0
    for line in lines:
        block.append(line)
        length += len(line) + 1
        if length >= size:
            yield "\n".join(block)
            block, length = [], 0
    if block:
        yield "\n".join(block)


def corpus_folds(docs: list[SearchDoc]) -> dict[str, str]:
    """The fold map of the documents' text (each distinct line once)."""
    lines = dict.fromkeys(line for doc in docs for line in f"{doc.title}\n{doc.text}".splitlines())
    return fold_map(lines)
