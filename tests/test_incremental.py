"""The preview builds only what an edit changed, and the result is the whole build's.

A synthetic archive (bench/corpus.py, lists cut at 10 entries so that edits move pages
between list pages) is edited at random (tests/edits.py: retitle, rewrite, retag, redate,
add, rename and delete issues, cite and retitle policies, drafts); after each edit the
preview updates its site in place, and its every file (pages, feeds, data files, the
search bundle once caught up) must equal, byte for byte, a whole build of the same content.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from bench.corpus import edited_issue, make_corpus
from bulletin.build.sitebuild import BuildFailed, build_site
from bulletin.preview.preview import Preview
from edits import EDITS

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = str(ROOT / "pelicanconf.py")
OVERRIDES = {"BULLETIN_PER_PAGE": 10, "SEARCH_SHARD_CACHE": ""}
ROUNDS = int(os.environ.get("INCREMENTAL_ROUNDS", "1"))  # of every kind of edit
SEED = int(os.environ.get("INCREMENTAL_SEED", "20261201"))


def tree(directory: Path) -> dict[str, bytes]:
    files = {}
    for folder, _, names in os.walk(directory):
        for name in names:
            path = Path(folder) / name
            files[path.relative_to(directory).as_posix()] = path.read_bytes()
    return files


def differences(a: Path, b: Path) -> list[str]:
    one, other = tree(a), tree(b)
    only = sorted(one.keys() ^ other.keys())
    changed = sorted(k for k in one.keys() & other.keys() if one[k] != other[k])
    return [f"only in one: {k}" for k in only] + [f"differs: {k}" for k in changed]


def whole_build(content: Path, work: Path) -> Path:
    target = work / "whole"
    overrides = {**OVERRIDES, "BULLETIN_DRAFTS": True, "SEARCH_WHOOSH_PATH": str(work / "w.s")}
    build_site(SETTINGS, target, overrides=overrides, content=content)
    return target


@pytest.fixture
def archive(tmp_path):
    content = make_corpus(tmp_path / "content", items=160, seed=7)
    preview = Preview(
        SETTINGS,
        content,
        tmp_path / "site",
        {**OVERRIDES, "SEARCH_WHOOSH_PATH": str(tmp_path / "s")},
    )
    yield content, preview, tmp_path
    preview.wait()


def test_an_edited_archive_previews_as_its_whole_build_byte_for_byte(archive):
    content, preview, work = archive
    first = preview.build()
    assert first.whole
    rng = random.Random(SEED)
    kinds = [*EDITS] * ROUNDS  # every kind of edit, in a random order
    rng.shuffle(kinds)
    done: list[str] = []
    partial = stopped = 0
    for step, kind in enumerate(kinds):
        done.append(kind(rng, content))
        outcome = preview.build()
        assert not outcome.whole, done[-1]
        # Often the next edit comes while this one's rest is still being made: it stops
        # that, and must still end as the whole build.
        if rng.random() < 0.5 and step % 5 != 4:
            stopped += 1
            continue
        rest = preview.wait()
        assert rest is not None, done[-1]
        partial += rest.made < first.made
        if step % 5 == 4 or step == len(kinds) - 1:
            found = differences(preview.target, whole_build(content, work))
            assert not found, (done, found[:20])
    # Most edits made again only some of the pages (else this would prove little).
    assert partial >= (len(kinds) - stopped) // 2, done


def test_the_edited_page_shows_the_edit_before_the_rest_is_made(archive):
    content, preview, work = archive
    preview.build()
    preview.wait()
    issue = sorted((content / "bulletins").glob("*.md"))[5]
    text, url, marker = edited_issue(issue)
    issue.write_text(text, encoding="utf-8")
    outcome = preview.build()
    # Its page is in the site when `build` returns, before the rest (and without it).
    assert url in outcome.first and outcome.made < 5
    assert marker in (preview.target / url / "index.html").read_text(encoding="utf-8")
    preview.wait()
    assert not differences(preview.target, whole_build(content, work))


def test_an_edit_that_breaks_the_build_leaves_the_site_then_the_fix_updates_it(archive):
    content, preview, work = archive
    preview.build()
    preview.wait()
    before = tree(preview.target)
    issue = sorted((content / "bulletins").glob("*.md"))[3]
    good = issue.read_text(encoding="utf-8")
    issue.write_text(good.replace("date: ", "date：", 1), encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        preview.build()
    assert issue.name in "\n".join(failed.value.messages)
    assert tree(preview.target) == before
    heading = next(line for line in good.splitlines() if line.startswith("## "))
    issue.write_text(good.replace(heading, heading + "（修订）", 1), encoding="utf-8")
    outcome = preview.build()
    rest = preview.wait()
    assert not outcome.whole and rest is not None and 0 < rest.made < len(before)
    assert not differences(preview.target, whole_build(content, work))


def test_a_broken_save_during_the_background_step_leaves_the_last_good_site_whole(archive):
    """The next save stops the background step; if it cannot be built, the step is
    finished for the last good archive, so the site is not left half updated."""
    content, preview, work = archive
    preview.build()
    preview.wait()
    issues = sorted((content / "bulletins").glob("*.md"))
    text, _, _ = edited_issue(issues[2])
    issues[2].write_text(text, encoding="utf-8")
    preview.build()  # its background step starts
    good = issues[4].read_text(encoding="utf-8")
    issues[4].write_text(good.replace("date: ", "date：", 1), encoding="utf-8")
    with pytest.raises(BuildFailed):
        preview.build()
    assert preview.wait() is not None
    issues[4].write_text(good, encoding="utf-8")  # the content the site was last built from
    assert not differences(preview.target, whole_build(content, work))


def test_a_theme_change_builds_the_whole_site_again(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "theme", project / "theme")
    shutil.copy(ROOT / "pelicanconf.py", project / "pelicanconf.py")
    content = make_corpus(project / "content", items=40, seed=3)
    overrides = {**OVERRIDES, "SEARCH_WHOOSH_PATH": str(tmp_path / "s")}
    preview = Preview(str(project / "pelicanconf.py"), content, tmp_path / "site", overrides)
    try:
        preview.build()
        base = project / "theme" / "templates" / "base.html"
        base.write_text(
            base.read_text(encoding="utf-8").replace("</footer>", "<p>新页脚</p></footer>", 1),
            encoding="utf-8",
        )
        outcome = preview.build()
        assert outcome.whole
        pages = list(preview.target.glob("bulletins/*/*/index.html"))
        assert pages and all("新页脚" in p.read_text(encoding="utf-8") for p in pages)
    finally:
        preview.wait()


def test_a_template_reading_only_through_the_archive_is_remade_when_the_answer_changes():
    """A page that reads no document, only a count through a root, still depends on it."""
    from jinja2 import DictLoader

    from bulletin.content.model import Issue
    from bulletin.site.incremental import Memo
    from bulletin.site.tracking import RecordingEnvironment

    environment = RecordingEnvironment(loader=DictLoader({"t": "{{ archive.issues|length }} 期"}))

    class Shelf:
        def __init__(self, issues):
            self.issues = issues

    def issue(slug: str) -> Issue:
        made = Issue(title=slug, slug=slug, path=f"{slug}.md")
        made.url = f"bulletins/{slug}/"
        return made

    memo = Memo()
    pages: list[str] = []
    for issues in ([issue("a")], [issue("a")], [issue("a"), issue("b")]):
        shelf = Shelf(issues)
        memo.begin(issues, {"archive": shelf}, environment)
        memo.produce(
            "index.html",
            memo.key("t"),
            lambda s=shelf: pages.append(environment.get_template("t").render(archive=s)),
        )
        memo.end(Path("/nonexistent"))
    assert pages == ["1 期", "2 期"]  # the second round kept the page; the third made it


def test_a_query_is_digested_once_a_round_but_not_one_that_cannot_be_written_down(
    monkeypatch,
):
    """Every list page of a large archive asks for all its items: the answer is hashed once
    a round. A query with an argument that cannot be written down (a list) may ask
    something else each time, so it is hashed each time, and such pages differ."""
    from jinja2 import DictLoader

    from bulletin.content.model import Issue
    from bulletin.site import tracking
    from bulletin.site.incremental import Memo
    from bulletin.site.tracking import RecordingEnvironment

    templates = {"all": "{{ archive.issues|length }}", "some": "{{ archive.pick(slugs) }}"}
    environment = RecordingEnvironment(loader=DictLoader(templates))

    class Shelf:
        def __init__(self, issues):
            self.issues = issues

        def pick(self, slugs):
            return [i for i in self.issues if i.slug in slugs]

    issues = []
    for slug in ("a", "b", "c"):
        issues.append(Issue(title=slug, slug=slug, path=f"{slug}.md"))
        issues[-1].url = f"bulletins/{slug}/"
    shelf = Shelf(issues)
    hashed: list[object] = []
    digest = tracking.value_digest
    monkeypatch.setattr(tracking, "value_digest", lambda v: hashed.append(v) or digest(v))
    memo = Memo()
    memo.begin(issues, {"archive": shelf}, environment)

    def render(name: str, **variables) -> None:
        environment.get_template(name).render(archive=shelf, **variables)

    for n in range(5):
        memo.produce(f"all-{n}", memo.key("all", n), lambda: render("all"))
    assert sum(v is shelf.issues for v in hashed) == 1
    for slugs in (["a"], ["b", "c"]):
        name = f"some-{'-'.join(slugs)}"
        memo.produce(name, memo.key("some", slugs), lambda s=slugs: render("some", slugs=s))
    answers = [dict(memo.made[f"some-{n}"].queries) for n in ("a", "b-c")]
    assert not memo.made["some-a"].replayable
    assert list(answers[0].values()) != list(answers[1].values())


def test_a_page_written_outside_a_round_is_deleted_when_its_document_goes(tmp_path):
    """A preview writes an edited document's page at once, outside the round's record
    (`first_pages`); if the file is deleted before a round makes that page again, the next
    round deletes it. (It was dropped from the record and outlived its file: the site then
    held an issue the whole build no longer has.)"""
    from jinja2 import DictLoader

    from bulletin.content.model import Issue
    from bulletin.site.incremental import Memo
    from bulletin.site.tracking import RecordingEnvironment

    environment = RecordingEnvironment(loader=DictLoader({"t": "{{ doc.title }}"}))
    issue = Issue(title="a", slug="a", path="a.md")
    issue.url = "bulletins/a/"
    page = "bulletins/a/index.html"

    def write() -> None:
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_text(environment.get_template("t").render(doc=issue))

    memo = Memo()
    memo.begin([issue], {}, environment)
    memo.produce(page, memo.key("t", issue), write)
    memo.end(tmp_path)
    write()  # the edited page, written at once after a save …
    memo.forget(page)
    memo.begin([], {}, environment)  # … then the file is deleted before a round made it
    assert memo.end(tmp_path) == [page]
    assert not (tmp_path / page).exists()
