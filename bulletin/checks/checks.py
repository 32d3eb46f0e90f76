"""Content checks: what `invoke check` reports and what stops `invoke build`.

Reading a file already reports syntax problems (YAML, dates, missing fields); these checks
look across documents and against the taxonomies. Each problem names file and line, says
what is wrong and what to do, in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from bulletin.checks.date_checks import check_document_dates
from bulletin.content.content_files import Unreadable, read_bytes, shown_name
from bulletin.content.content_format import ITEM_FENCE
from bulletin.content.docnumbers import parse as parse_doc_number
from bulletin.content.model import Document, Issue, Item, Policy
from bulletin.content.problems import ContentError, Problem
from bulletin.content.raw_names import load_moved, raw_files, raw_source
from bulletin.content.taxonomy import Taxonomy, load_taxonomies
from bulletin.importing.open_questions import open_questions
from bulletin.importing.rawtext.lines import key as title_key
from bulletin.importing.scaffold import PLACEHOLDER
from bulletin.relations.archive import (
    Archive,
    ArchiveMemory,
    ContentFile,
    build_archive,
    documents_of,
    read_files,
)
from bulletin.relations.reference_problems import reference_problems

RAW_SCRIPT_RE = re.compile(r"<\s*(script|iframe|object|embed|style)\b", re.IGNORECASE)
EVENT_HANDLER_RE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JS_URL_RE = re.compile(r"(?:href|src)\s*=\s*[\"']?\s*javascript:|\]\(\s*javascript:", re.I)
# What each of the three needs somewhere in a text (the same flag: ſ matches s in either).
HTML_HINT_RE = re.compile(r"<|javascript:", re.IGNORECASE)


def check_archive(archive: Archive, content: Path, files: list[ContentFile]) -> list[Problem]:
    """Every cross-document and taxonomy problem in the archive; `files`: how its content
    files were read (what a check finds in one file alone is kept with the file)."""
    per_file = _PerFile(files)
    problems: list[Problem] = []
    problems += _check_taxonomy_terms(archive, per_file)
    problems += _check_unique_urls(archive)
    problems += _check_issues(archive, per_file)
    problems += _check_doc_numbers(archive)
    problems += _check_html(archive, per_file)
    problems += _check_open_questions(files)
    raw, raw_problems = raw_files(content)  # what /raw/ publishes; every other entry refused
    problems += raw_problems
    problems += _check_sources(archive, raw)
    problems += load_moved(content, raw)[1]
    problems += _check_dates(archive, raw, per_file)
    starts = archive.memory.starts if archive.memory is not None else None
    problems += reference_problems(archive.references, content, starts)  # mentions, validity
    return sorted(problems)


class _PerFile:
    """The problems a check finds in one file's document alone, worked out once while the
    file's bytes and the check's `context` stay the same (`ContentFile.memo`): a preview
    checks the archive again after every edit, and most files did not change."""

    def __init__(self, files: list[ContentFile]):
        self.files = {file.path: file for file in files}

    def __call__(
        self, document: Document, check: str, context: object, make: Callable[[], Iterable]
    ) -> tuple[Problem, ...]:
        file = self._file(document)
        if file is None:
            return tuple(make())
        return file.memo(check, context, lambda: tuple(make()))

    def text(self, document: Document) -> str:
        file = self._file(document)
        if file is None:
            raise LookupError(document.path)
        return file.raw.decode("utf-8")  # its document was read from it: it is UTF-8

    def _file(self, document: Document) -> ContentFile | None:
        file = self.files.get(document.path)
        return file if file is not None and file.document is document else None


def _file_documents(archive: Archive) -> list[Document]:
    """The documents that are files of their own: issues, policies, speeches."""
    return [*archive.issues, *archive.policies, *archive.speeches]


def _check_dates(archive: Archive, raw: dict[str, Path], per_file: _PerFile) -> Iterator[Problem]:
    today = dt.date.today()
    read_source = _source_reader(raw)
    for document in _file_documents(archive):
        source = getattr(document, "source", None)
        raw_bytes = _source_bytes(raw, source) if source else None
        yield from per_file(
            document,
            "dates",
            (today, raw_bytes),
            lambda d=document: check_document_dates(d, read_source, today),
        )


def _source_bytes(raw: dict[str, Path], source: str) -> bytes | None:
    """A published raw source's bytes; None if `source:` names none, or it cannot be read
    as a regular file of at most MAX_FILE_BYTES (never waited on)."""
    path = raw_source(raw, source)
    try:
        return read_bytes(path, follow=True) if path is not None else None
    except (Unreadable, ValueError, OSError):
        return None


def _source_reader(raw: dict[str, Path]):
    """Reads a raw source (any encoding the importer accepts); None if it is missing or is
    no published raw file (`raw`: nothing else is ever read through a ``source:``)."""

    def read(source: str) -> str | None:
        from bulletin.importing.importer import ImportRefused, decode

        data = _source_bytes(raw, source)
        if data is None:
            return None
        try:
            return decode(data)[0]
        except (ImportRefused, ValueError):  # ValueError: bytes unlike their BOM's encoding
            return None

    return read


def _check_taxonomy_terms(archive: Archive, per_file: _PerFile) -> Iterator[Problem]:
    for document in _file_documents(archive):
        yield from per_file(
            document,
            "terms",
            archive.taxonomies,
            lambda d=document: _unknown_terms(d, archive.taxonomies),
        )


def _unknown_terms(top: Document, taxonomies: dict[str, Taxonomy]) -> Iterator[Problem]:
    """Unknown counties and topics of a file's document (an issue's: of its items)."""
    for document in top.items if isinstance(top, Issue) else [top]:
        for key, taxonomy in taxonomies.items():
            for name in getattr(document, key):
                if taxonomy.resolve(name) is not None:
                    continue
                town = taxonomy.town(name)
                if town is not None:  # 龙港镇 → 苍南县: a town is never a new county
                    shown = town.name if name == town.name else f"{name}（{town.name}）"
                    yield Problem(
                        document.path,
                        document.line_of(key),
                        f"{shown}是{town.county}的{town.town_kind}，不是{taxonomy.label}",
                        f"请写 {town.county}：{taxonomy.label}只写县、市、区和功能区，"
                        f"{town.town_kind}名留在正文里",
                    )
                    continue
                guesses = taxonomy.did_you_mean(name)
                near = taxonomy.towns.did_you_mean(name, 1) if taxonomy.towns else []
                where = f"content/taxonomy/{key}.yaml"
                if guesses:
                    hint = (
                        f"是不是“{'”或“'.join(guesses)}”？确是新{taxonomy.label}的，先加入 {where}"
                    )
                elif near:  # 龙港县: not a county, but close to a town's name
                    town = taxonomy.town(near[0])
                    assert town is not None
                    hint = f"是不是{town.county}的{town.name}？{taxonomy.label}请写 {town.county}"
                else:
                    hint = f"可用的{taxonomy.label}见 {where}；新{taxonomy.label}须先加入该文件"
                yield Problem(
                    document.path, document.line_of(key), f"未知的{taxonomy.label}“{name}”", hint
                )


def _check_unique_urls(archive: Archive) -> Iterator[Problem]:
    seen: dict[str, Document] = {}
    clashing_issues: set[int] = set()
    for document in archive.pages:
        if not document.slug:
            continue
        if isinstance(document, Item) and id(document.issue) in clashing_issues:
            continue  # reported once, for the issue
        other = seen.get(document.url)
        if other is not None:
            yield Problem(
                document.path,
                document.line_of("slug"),
                f"网址 /{document.url} 与 {other.path}:{other.line_of('slug')} 重复",
                "改用不同的 slug",
            )
            if isinstance(document, Issue):
                clashing_issues.add(id(document))
        else:
            seen[document.url] = document


def _check_issues(archive: Archive, per_file: _PerFile) -> Iterator[Problem]:
    by_number: dict[str, list[Issue]] = defaultdict(list)
    by_date: dict[str, list[Issue]] = defaultdict(list)
    for issue in archive.issues:
        if issue.number:
            by_number[issue.number].append(issue)
        if issue.date.value and not issue.date.inferred:
            by_date[issue.date.value.iso].append(issue)
        yield from per_file(issue, "issue", None, lambda i=issue: _check_issue(i))
    for label, groups in (("期号", by_number), ("印发日期", by_date)):
        for value, issues in groups.items():
            for issue in issues[1:]:
                yield Problem(
                    issue.path,
                    issue.line_of("number" if label == "期号" else "date"),
                    f"{label}“{value}”与 {issues[0].path} 重复：同一期简报导入了两次？",
                    "删除重复的文件，或改正期号/日期",
                )


def _check_doc_numbers(archive: Archive) -> Iterator[Problem]:
    """Two policies with one 文号, however written (温委发〔2014〕27号 = 温委发[2014]第27号):
    one document imported twice, or a number mistyped; either way a mention of it could not
    say which is meant."""
    seen: dict[object, Policy] = {}
    for policy in sorted(archive.policies, key=lambda p: p.path):
        if not policy.doc_number:
            continue
        number = parse_doc_number(policy.doc_number) or "".join(policy.doc_number.split())
        first = seen.setdefault(number, policy)
        if first is not policy:
            same = "" if first.doc_number == policy.doc_number else f"（{number}）"
            yield Problem(
                policy.path,
                policy.line_of("doc_number"),
                f"文号“{policy.doc_number}”与 {first.path}:{first.line_of('doc_number')} 的"
                f"“{first.doc_number}”是同一个文号{same}",
                "同一份文件只收一次：删除重复的文件；文号写错的，照原文改正",
            )


def _check_issue(issue: Issue) -> Iterator[Problem]:
    if not issue.items:
        yield Problem(issue.path, 1, "这期简报没有任何条目", "每条新闻以“## 标题”开头")
    if issue.date.value is None and not issue.date.invalid:
        yield Problem(
            issue.path,
            1,
            "这期简报没有日期，无法按年归档，条目日期也无法确定年份",
            "原文有印发日期时填 date；没有时根据所载活动日期填 date_inferred（如 2014-01）和 date_basis",
            "warning",
        )
    titles = {title_key(i.title) for i in issue.items}
    for headline in issue.headlines:
        if title_key(headline) not in titles:
            yield Problem(
                issue.path,
                issue.line_of("headlines"),
                f"提要“{headline}”没有对应的条目",
                "逐字对照原文核对提要和条目标题（两处都照原文，标题有无拼错或拼接错）",
                "warning",
            )
    titles: dict[str, Item] = {}
    for item in issue.items:
        if not item.title:
            yield Problem(item.path, item.line, "条目标题为空", "在 ## 后写上标题")
        elif item.title in titles:
            first = titles[item.title]
            yield Problem(
                item.path,
                item.line,
                f"条目标题“{item.title}”与第{first.line}行重复",
                "删除重复的条目，或改正标题",
            )
        else:
            titles[item.title] = item
        if not item.body.strip():
            yield Problem(
                item.path, item.line, f"条目“{item.title}”正文为空", "补上正文，或删除这个条目"
            )
        if not item.unit and not item.unit_absent:
            yield Problem(
                item.path,
                item.line_of("unit"),
                f"条目“{item.title}”没有报送单位",
                "原文有单位的，照原文填写 unit；核对过原文确实没有署单位的，在 unit 下加一行"
                " unit_absent: true",
                "warning",
            )
        if not item.counties and not item.topics:
            yield Problem(
                item.path,
                item.line_of("counties"),
                f"条目“{item.title}”既没有区县也没有主题",
                "填写 counties 或 topics，否则读者无法从区县、主题页找到它",
                "warning",
            )


def _check_html(archive: Archive, per_file: _PerFile) -> Iterator[Problem]:
    for document in _file_documents(archive):
        yield from per_file(
            document,
            "html",
            None,
            lambda d=document: _html_problems(d.path, per_file.text(d)),
        )


def _check_open_questions(files: list[ContentFile]) -> Iterator[Problem]:
    """What an import left undecided (bulletin/importing/open_questions.py): errors until settled.
    Read from every file's text, also one whose document cannot be read yet (an item the
    importer gave no slug makes its issue unusable until the question is settled)."""
    for file in files:
        yield from file.memo("questions", None, lambda f=file: _questions(f))


def _questions(file: ContentFile) -> tuple[Problem, ...]:
    try:
        text = file.raw.decode("utf-8")
    except UnicodeDecodeError:
        return ()  # reported as not UTF-8 when the file was read
    return tuple(open_questions(file.path, text))


def _html_problems(path: str, text: str) -> tuple[Problem, ...]:
    """A file's placeholders and executable HTML, in its metadata or its body (metadata:
    the lines between the ``---`` fences at the top, and an item's ```` ```item ```` block)."""
    if PLACEHOLDER not in text and HTML_HINT_RE.search(text) is None:
        return ()  # nothing a line is looked at for: most files
    problems = []
    metadata = False
    for number, line in enumerate(text.splitlines(), start=1):
        fence = line.strip()
        if (fence == "---" and (number == 1 or metadata)) or fence == ITEM_FENCE:
            metadata = not metadata if fence == "---" else True
            continue
        if fence == "```" and metadata:
            metadata = False
            continue
        where = "元数据" if metadata else "正文"
        if PLACEHOLDER in line:
            problems.append(
                Problem(
                    path,
                    number,
                    f"还有未填写的模板文字“{PLACEHOLDER}”",
                    "照原文填写这一处，或删去不需要的行",
                )
            )
        for pattern, what in (
            (RAW_SCRIPT_RE, "含有 <script> 等可执行的 HTML"),
            (EVENT_HANDLER_RE, "含有 onclick 之类的事件属性"),
            (JS_URL_RE, "含有 javascript: 链接"),
        ):
            if pattern.search(line):
                problems.append(
                    Problem(
                        path,
                        number,
                        f"{where}{what}",
                        "删除这段 HTML；元数据只写文字，正文只用 Markdown；"
                        "原文中的尖括号请写成 &lt;",
                    )
                )
    return tuple(problems)


def _check_sources(archive: Archive, raw: dict[str, Path]) -> Iterator[Problem]:
    for document in _file_documents(archive):
        source = getattr(document, "source", None)
        if source and raw_source(raw, source) is None:
            yield Problem(
                document.path,
                document.line_of("source"),
                f"原始文本 {shown_name(source)} 不存在或不能发布",
                "source 写成 raw/文件名.txt，该文件须是 content/raw/ 中可发布的原始文本",
            )


def read_archive(
    content: Path,
    urls: dict | None = None,
    drafts: bool = False,
    cache: ArchiveMemory | None = None,
) -> tuple[Archive | None, list[Problem]]:
    """The archive of a content directory and every problem in it (None: no taxonomies).

    Drafts (``draft: true``) are left out of the archive and their problems ignored, unless
    `drafts`: then they are in it (for the preview and for `invoke check`) and their problems
    are warnings, so an unfinished draft never stops a build. `cache`: what a preview session
    keeps between its readings (files as read: see `read_files`; the references' memory).
    """
    try:
        taxonomies = load_taxonomies(content, cache.taxonomies if cache is not None else None)
    except ContentError as exc:
        return None, exc.problems
    files = read_files(content, cache.files if cache is not None else None)
    memory = cache.references if cache is not None else None
    documents, problems = documents_of(files)
    draft_files = {file.path for file in files if file.draft}
    if not drafts:
        documents = [d for d in documents if d.path not in draft_files]
        problems = [p for p in problems if p.path not in draft_files]
    archive = build_archive(documents, taxonomies, urls, memory)
    if drafts and draft_files:  # a draft whose URL is another's is left out (one file each)
        clashes = [p for p in _check_unique_urls(archive) if p.path in draft_files]
        if clashes:
            gone = {p.path for p in clashes}
            kept = [d for d in documents if d.path not in gone]
            archive = build_archive(kept, taxonomies, urls, memory)
            problems = problems + clashes
    else:
        archive.drafts_left_out = sorted(draft_files)
    problems = problems + check_archive(archive, content, files)
    return archive, sorted(_as_draft(p) if p.path in draft_files else p for p in problems)


def _as_draft(problem: Problem) -> Problem:
    return replace(problem, message=f"（草稿）{problem.message}", severity="warning")


def check_content(content: Path) -> list[Problem]:
    """Every problem in the content directory, drafts' as warnings."""
    return read_archive(content, drafts=True)[1]
