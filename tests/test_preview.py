"""Live preview (`invoke serve`): saving rebuilds; a broken file keeps the last good site."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from webhost import free_port

ROOT = Path(__file__).resolve().parent.parent


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(predicate, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    return None


@dataclass
class Preview:
    url: str  # the issue page of 2014-07-13
    issue: Path  # its content file in the copied project
    log: Path  # what invoke serve printed


@contextlib.contextmanager
def serving(project: Path, log: Path) -> Iterator[str]:
    """`invoke serve` in `project` on a free port, printing to `log`; yields its address."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "invoke", "serve", "--port", str(port), "--host", "127.0.0.1"],
            cwd=project,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}/"
        finally:
            server.terminate()
            server.wait(timeout=10)


@pytest.fixture
def preview(tmp_path):
    """`invoke serve` running on a copy of the project, on a free port."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("tasks.py", "pelicanconf.py"):
        shutil.copy(ROOT / name, project / name)
    for name in ("content", "theme"):
        shutil.copytree(ROOT / name, project / name)
    log = tmp_path / "serve.log"
    with serving(project, log) as base:
        preview = Preview(
            base + "bulletins/2014-07-13/", project / "content" / "bulletins" / "2014-07-13.md", log
        )
        assert wait_for(lambda: fetch(preview.url)), log.read_text()
        yield preview


def test_saving_rebuilds_and_a_broken_file_keeps_the_last_good_site(preview):
    url, issue = preview.url, preview.issue
    original = issue.read_text(encoding="utf-8")
    issue.write_text(
        original.replace("书记市长当场抓落实", "书记市长当场抓落实（预览测试）"), "utf-8"
    )
    assert wait_for(lambda: "（预览测试）" in (fetch(url) or ""))

    issue.write_text(original.replace("date: 2014-07-13", "date: 2014-07-32"), "utf-8")
    assert wait_for(lambda: "构建失败" in preview.log.read_text())
    output = preview.log.read_text()
    assert "bulletins/2014-07-13.md:5: 错误：日期“2014-07-32”无效" in output
    page = fetch(url)  # the broken file's own page says what is wrong with it
    assert page is not None and "日期“2014-07-32”无效" in page and "（预览测试）" not in page
    other = fetch(url.replace("bulletins/2014-07-13/", "topics/wenshang-huigui/"))
    assert other is not None and "（预览测试）" in other  # the rest: the last good build

    issue.write_text(original, "utf-8")
    assert wait_for(lambda: "（预览测试）" not in (fetch(url) or "（预览测试）"))


def test_the_browser_reloads_itself_after_a_save(preview, browser):
    """Live reload works under the site's Content-Security-Policy (no inline script)."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(preview.url)
        page.wait_for_function("() => window.LiveReload !== undefined")
        page.wait_for_timeout(500)  # the client connects
        text = preview.issue.read_text(encoding="utf-8")
        preview.issue.write_text(
            text.replace("书记市长当场抓落实", "书记市长当场抓落实（已刷新）"), "utf-8"
        )
        page.wait_for_function(
            "() => document.body !== null && document.body.textContent.includes('（已刷新）')",
            timeout=20_000,
        )
        assert errors == []
    finally:
        page.close()


def test_a_missing_page_gets_the_sites_own_404_page(preview):
    """Not Tornado's English "404: Not Found": the site's page, in Chinese, status 404."""
    base = preview.url.split("/bulletins/")[0]
    for path in ("/no-such-page/", "/bulletins/2099-01-01/", "/raw/missing.txt"):
        try:
            urllib.request.urlopen(base + path, timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 404
            body = error.read().decode("utf-8")
            assert error.headers["Content-Type"] == "text/html; charset=utf-8"
        else:
            raise AssertionError(f"{path} was found")
        assert "页面不存在" in body and "返回首页" in body, body[:200]
        assert "Not Found" not in body


def test_the_preview_shows_a_draft_with_its_banner(preview):
    draft = preview.issue.with_name("2014-09-05.md")
    text = preview.issue.read_text(encoding="utf-8").replace("2014-07-13", "2014-09-05")
    draft.write_text(text.replace("kind: bulletin\n", "kind: bulletin\ndraft: true\n"), "utf-8")
    url = preview.url.replace("2014-07-13", "2014-09-05")
    page = wait_for(lambda: fetch(url))
    assert page is not None and 'class="draft-banner"' in page
    assert 'class="draft-banner"' not in (fetch(preview.url) or "")


def _count(path: Path) -> None:  # a search worker's stand-in: counts as long as it runs
    n = 0
    while True:
        n += 1
        path.write_text(str(n))
        time.sleep(0.01)


def test_an_edit_stops_the_search_workers_while_its_pages_are_made(tmp_path: Path) -> None:
    """`SearchIndexes.paused` (around an edit's first pages): the workers make no progress
    inside, and go on after."""
    import multiprocessing

    from bulletin.site.search_indexes import SearchIndexes

    counter = tmp_path / "n"
    worker = multiprocessing.get_context("fork").Process(target=_count, args=(counter,))
    worker.start()
    indexes = object.__new__(SearchIndexes)
    indexes.workers = [(worker, None)]
    try:
        assert wait_for(lambda: counter.exists() and int(counter.read_text() or 0) > 3)
        with indexes.paused():
            time.sleep(0.2)  # a write under way when the signal came ends first
            before = counter.read_text()
            time.sleep(0.5)
            assert counter.read_text() == before
        assert wait_for(lambda: counter.read_text() != before, 5)
    finally:
        worker.kill()
        worker.join()


@pytest.mark.alone  # its save must fall inside a first build of some seconds: timing
def test_a_built_site_is_served_at_once_and_a_save_meanwhile_is_shown_after_the_first_build(
    tmp_path,
):
    """`invoke serve` on a site built before serves it at once; its own first build, a
    whole one (minutes at 100,000 items), runs meanwhile, and a save made then is shown as
    soon as it is done."""
    from bench.corpus import edited_issue, make_corpus

    project = tmp_path / "project"
    project.mkdir()
    for name in ("tasks.py", "pelicanconf.py"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "theme", project / "theme")
    content = make_corpus(project / "content", 2000)  # a first build of some seconds
    for kind in ("policies", "speeches", "raw"):
        shutil.copytree(ROOT / "content" / kind, content / kind, dirs_exist_ok=True)
    built = subprocess.run(
        [sys.executable, "-m", "invoke", "build"], cwd=project, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stdout + built.stderr
    issue = sorted((content / "bulletins").glob("*.md"))[-1]
    text, url, marker = edited_issue(issue)
    log = tmp_path / "serve.log"
    with serving(project, log) as base:
        page = base + url
        assert wait_for(lambda: fetch(page)), log.read_text()
        said = log.read_text(encoding="utf-8")
        assert "先显示上一次构建的网站" in said
        assert "已重建" not in said, said  # served before the first build is done
        time.sleep(1.0)  # the file watcher's thread is listening
        assert "已重建" not in log.read_text(encoding="utf-8")  # a save during it:
        issue.write_text(text, encoding="utf-8")
        # The save is taken by an update once the first build is done (which may have
        # read the file after the save already).
        assert wait_for(lambda: "已更新修改的" in log.read_text(encoding="utf-8"), 180)
        said = log.read_text(encoding="utf-8")
        assert "首次构建尚未完成" in said, said
        assert said.index("已重建") < said.index("已更新修改的"), said
        assert marker in (fetch(page) or ""), said


def test_hostile_files_are_reported_as_check_reports_them_never_a_traceback(preview):
    """A FIFO, a dangling link and a YAML alias chain saved while the preview runs: it says
    what `invoke check` says, in Chinese, keeps the last good site, and builds again once
    they are gone."""
    from bulletin.checks.checks import check_content
    from bulletin.content.problems import errors

    url = preview.url
    folder = preview.issue.parent
    os.mkfifo(folder / "pipe.md")
    (folder / "gone.md").symlink_to(folder / "not-there.md")
    aliases = "".join(f"{k}: &{k} [*{p}, *{p}, *{p}]\n" for p, k in zip("abc", "bcd", strict=True))
    (folder / "laughs.md").write_text(f"---\nkind: bulletin\na: &a [x, x, x]\n{aliases}---\n")
    assert wait_for(lambda: preview.log.read_text().count("构建失败") >= 1, 60)
    expected = [str(p) for p in errors(check_content(folder.parent))]
    # One error of each file; the alias chain's every line with an anchor its own.
    assert {e.split(":")[0] for e in expected} == {
        f"bulletins/{n}" for n in ("pipe.md", "gone.md", "laughs.md")
    }
    assert wait_for(lambda: all(e in preview.log.read_text() for e in expected), 30)
    said = preview.log.read_text()
    assert "Traceback" not in said and "Error" not in said, said
    assert fetch(url) is not None  # the last good site is served

    for name in ("pipe.md", "gone.md", "laughs.md"):
        (folder / name).unlink()
    preview.issue.write_text(
        preview.issue.read_text(encoding="utf-8").replace("书记市长", "书记市长（又好了）", 1),
        "utf-8",
    )
    assert wait_for(lambda: "（又好了）" in (fetch(url) or ""), 60)


CJK_LINE_RE = re.compile(r"[\u4e00-\u9fff]")


def test_an_editors_session_speaks_chinese_and_shows_each_files_errors_at_its_urls(preview):
    """Page views, a 404, saves good and bad, of a committed file and of a draft: the
    terminal says only Chinese lines (livereload's and Tornado's English never), naming file
    and line; a file with an error is a Chinese error page at its URLs until fixed; a draft's
    warnings and open questions are a panel on its page. None of it is written to the site."""
    url, issue = preview.url, preview.issue
    base = url.split("bulletins/")[0]
    original = issue.read_text(encoding="utf-8")
    item = re.search(
        r'href="\.\./\.\./(bulletins/2014-07-13/[a-z0-9-]+/)"', fetch(url) or ""
    ).group(1)
    for path in ("", "bulletins/2014-10/", item, "livereload.js", "theme/css/site.css"):
        assert fetch(base + path) is not None, path
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(base + "no-such-page/", timeout=5)

    def said() -> str:
        return preview.log.read_text(encoding="utf-8")

    def english() -> list[str]:
        lines = [line for line in said().splitlines() if line.strip()]
        return [line for line in lines if not CJK_LINE_RE.search(line) or line.startswith("[")]

    # A good save: one line, in Chinese, as every line since start-up.
    issue.write_text(
        original.replace("书记市长当场抓落实", "书记市长当场抓落实（又改）", 1), "utf-8"
    )
    assert wait_for(lambda: "（又改）" in (fetch(url) or ""))
    assert wait_for(lambda: "已更新修改的" in said())
    assert english() == [], said()

    # A committed file with a slip: its issue page and its items' pages are its error page.
    issue.write_text(original.replace("date: 2014-07-13", "date：2014-07-13", 1), "utf-8")
    assert wait_for(lambda: "构建失败" in said())
    line = "content/bulletins/2014-07-13.md:5: 错误：字段“date”后面用了全角冒号“：”"
    assert line in said()
    for page in (url, base + item):
        shown = fetch(page) or ""
        assert "这一页暂时无法显示：content/bulletins/2014-07-13.md 有错误" in shown, page
        assert "第 5 行" in shown and "改成半角冒号加一个空格" in shown
    assert "这一页暂时无法显示" not in (fetch(base + "bulletins/2014-10/") or "这一页暂时无法显示")
    issue.write_text(original, "utf-8")
    assert wait_for(lambda: "这一页暂时无法显示" not in (fetch(url) or "这一页暂时无法显示"))
    assert "温商回乡踊跃提建议" in (fetch(url) or "")

    # A new draft that cannot be read, quoting markup: its error page, escaped; then fixed,
    # with an unknown county and an open question: its page and their panel.
    draft = issue.with_name("2014-09-05.md")
    text = original.replace("kind: bulletin\n", "kind: bulletin\ndraft: true\n", 1)
    text = text.replace("slug: 2014-07-13", "slug: 2014-09-05")
    draft.write_text(text.replace("date: 2014-07-13", "date: <script>alert(1)</script>"), "utf-8")
    draft_url = url.replace("2014-07-13", "2014-09-05")
    assert wait_for(lambda: "2014-09-05.md:6:" in said())
    shown = wait_for(lambda: fetch(draft_url)) or ""
    assert "这一页暂时无法显示：content/bulletins/2014-09-05.md 有错误" in shown
    assert "日期“&lt;script&gt;alert(1)&lt;/script&gt;”无效" in shown
    assert "<script>alert" not in shown
    text = text.replace("date: 2014-07-13", "date: 2014-09-05")
    text = text.replace("counties: []", "counties: [龙港镇]", 1)
    text = text.replace(
        "\n7月11日", "\n<!-- 待定：是否另起一段？<b>｜原文 第9行：7月11日 -->\n7月11日", 1
    )
    draft.write_text(text, "utf-8")
    shown = wait_for(lambda: "preview-panel" in (fetch(draft_url) or "") and fetch(draft_url)) or ""
    assert 'class="draft-banner"' in shown and "这一页暂时无法显示" not in shown
    assert "龙港镇是苍南县的镇，不是区县" in shown and "请写 苍南县" in shown
    assert "要决定：是否另起一段？&lt;b&gt;" in shown and "原文 第9行：7月11日" in shown
    assert "preview-panel" not in (fetch(url) or "preview-panel")  # not on other pages

    time.sleep(1.0)  # the background round and the search catch-up have their say
    assert english() == [], said()
    assert "Traceback" not in said() and "Browser Connected" not in said()
    site = issue.parent.parent.parent / "output"
    written = [p for p in site.rglob("*.html") if b"preview-panel" in p.read_bytes()]
    written += [p for p in site.rglob("*.html") if "这一页暂时无法显示".encode() in p.read_bytes()]
    assert written == []


def _goto(page, url: str) -> None:
    """Open `url`; livereload may reload the page meanwhile (a build's rest just ended):
    that navigation is waited for, not taken for a failure."""
    from playwright.sync_api import Error

    for _ in range(5):
        try:
            page.goto(url)
            return
        except Error as exc:
            if "interrupted by another navigation" not in str(exc):
                raise
            page.wait_for_load_state()
    page.goto(url)


def test_the_panel_and_the_error_page_show_in_chromium_under_the_sites_policy(preview, browser):
    """In a real browser: the panel is seen at the top of the draft's page, styled by the
    preview's stylesheet (allowed by the Content-Security-Policy: no console error); the
    error page too. Screenshots go to test-results/ to be looked at."""
    from conftest import ARTIFACTS

    from browsing import screenshot

    draft = preview.issue.with_name("2014-09-05.md")
    text = preview.issue.read_text(encoding="utf-8")
    text = text.replace("kind: bulletin\n", "kind: bulletin\ndraft: true\n", 1)
    text = text.replace("2014-07-13", "2014-09-05").replace("counties: []", "counties: [龙港]", 1)
    text = text.replace(
        "\n7月11日", "\n<!-- 待定：是否另起一段？｜原文 第9行：7月11日 -->\n7月11日", 1
    )
    draft.write_text(text, "utf-8")
    url = preview.url.replace("2014-07-13", "2014-09-05")
    assert wait_for(lambda: "preview-panel" in (fetch(url) or ""))
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 360, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    try:
        _goto(page, url)
        panel = page.locator(".preview-panel")
        assert panel.is_visible() and "龙港（龙港镇）是苍南县的镇" in panel.inner_text()
        assert panel.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
        assert panel.bounding_box()["y"] < page.locator(".draft-banner").bounding_box()["y"]
        screenshot(page, ARTIFACTS / "preview-panel.png")
        draft.write_text(text.replace("date: 2014-09-05", "date：2014-09-05"), "utf-8")
        assert wait_for(lambda: "这一页暂时无法显示" in (fetch(url) or ""))
        _goto(page, url)
        assert page.locator("h1").inner_text().startswith("这一页暂时无法显示")
        assert page.locator("main").evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
        screenshot(page, ARTIFACTS / "preview-error.png")
        assert errors == []
    finally:
        page.close()
