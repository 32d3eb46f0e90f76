"""`invoke search`: the Whoosh index on the command line, as text for people or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from search.analysis.rules import MAX_QUERY_TOKENS, TIER_GAP
from search.analysis.tokens import BLANK_RE, query_terms
from search.index.whoosh_writer import load_folds
from search.query.suggest import suggest
from search.query.whoosh_search import Filters, Hit, search

KIND_NAMES = {
    "item": "item", "简报": "item", "bulletin": "item",
    "policy": "policy", "政策": "policy", "政策文件": "policy",
    "speech": "speech", "讲话": "speech",
}  # fmt: skip
BOLD, RESET = "\033[1;31m", "\033[0m"


class UsageError(ValueError):
    """A bad option; the message is for the editor, in Chinese."""


def kind_of(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return KIND_NAMES[value.strip().lower()]
    except KeyError:
        raise UsageError(
            f"--kind “{value}” 无效：可用 简报、政策文件、讲话（或 item、policy、speech）"
        ) from None


def _marked(hit: Hit, colour: bool) -> str:
    if not colour:
        return hit.excerpt
    text, at, out = hit.excerpt, 0, []
    for start, end in hit.highlights:
        out += [text[at:start], BOLD, text[start:end], RESET]
        at = end
    out.append(text[at:])
    return "".join(out)


def format_text(
    query: str,
    hits: list[Hit],
    total: int,
    site_url: str,
    colour: bool = False,
    offered: list[str] | None = None,
) -> str:
    shown = f"“{query.strip()}”" if query.strip() else "所选条件"
    maybe = f"您是不是要找：{'　'.join(offered)}" if offered else ""
    if not total:
        return "\n".join(x for x in [f"{shown}：没有找到结果。", maybe] if x)
    lines = [f"{shown}：共 {total} 条结果"]
    if maybe:
        lines.append(maybe)
    for n, hit in enumerate(hits, start=1):
        kind = hit.as_json()["kind"]
        near = "相近匹配（字词之间有间隔）" if hit.tier == TIER_GAP else ""
        facts = " · ".join(
            x for x in [kind, hit.date_display, hit.context, "、".join(hit.counties), near] if x
        )
        lines += [
            f"{n:>3}. {hit.title}",
            f"     {facts}",
            f"     {site_url.rstrip('/')}/{hit.url}",
        ]
        if hit.excerpt:
            lines.append(f"     {_marked(hit, colour)}")
    if total > len(hits):
        lines.append(f"（另有 {total - len(hits)} 条；用 --limit 显示更多）")
    return "\n".join(lines)


def run(
    index_dir: Path,
    query: str,
    *,
    kind: str | None = None,
    county: str | None = None,
    topic: str | None = None,
    year: str | None = None,
    sort: str = "relevance",
    limit: int = 20,
    as_json: bool = False,
    site_url: str = "",
    colour: bool = False,
) -> str:
    """Search and format the answer. Raise UsageError on bad options or a missing index."""
    if not (index_dir / "_MAIN_WRITELOCK").exists() and not any(index_dir.glob("*.toc")):
        raise UsageError(f"找不到搜索索引 {index_dir}：请先运行 invoke build")
    if year and not (year.isdigit() and len(year) == 4):
        raise UsageError(f"--year “{year}” 无效：写四位年份，如 2014")
    if sort not in ("relevance", "date"):
        raise UsageError("--sort 只能是 relevance（相关度）或 date（日期）")
    filters = Filters(kind=kind_of(kind), county=county, topic=topic, year=year)
    folds = load_folds(index_dir)
    refused = refusal(query, query_terms(query, folds), filters)
    if refused:
        raise UsageError(refused)
    hits, total = search(index_dir, query, filters, sort=sort, limit=limit)
    if as_json:
        return json.dumps([h.as_json(site_url) for h in hits], ensure_ascii=False, indent=1)
    offered = suggest(index_dir, query, total, folds)
    return format_text(query, hits, total, site_url, colour, offered)


def refusal(query: str, terms: list[list[str]], filters: Filters) -> str | None:
    """Why a query is not searched, in the words of the search page (`refusal` in
    theme/static/js/search-core.js): nothing to search for, or too much; None: it is
    searched."""
    filtered = any((filters.kind, filters.county, filters.topic, filters.year))
    if BLANK_RE.fullmatch(query) and not filtered:
        return "输入关键词，或选择区县、主题、年份浏览。"
    if not terms and not filtered:
        return "请输入要搜索的文字。"  # only punctuation or symbols: ((( * ?
    size = sum(len(term) for term in terms)
    if size > MAX_QUERY_TOKENS:
        return f"要搜索的文字太长（{size} 个字词），最多 {MAX_QUERY_TOKENS} 个：请缩短后再试。"
    return None
