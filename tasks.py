"""Tasks for editors and CI (run with `invoke`, or through the Makefile).

invoke build                 检查内容并构建网站到 output/
invoke serve                 本地预览，保存即重建（http://localhost:8000）
invoke check                 检查全部内容，列出问题
invoke import PATH           导入原文（文本、Word 或 PDF；简报、政策文件或讲话）
invoke new --date …          新建一期空白简报
invoke publish --siteurl …   发布：构建、校验，通过后原子切换上线（public/）
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
CONTENT = ROOT / "content"
OUTPUT = ROOT / "output"


def _fail(message: str) -> Exit:
    return Exit(message, code=1)


@task(help={"content": "内容目录，默认 content/"})
def check(c, content=None):
    """检查全部内容（YAML、日期、区县/主题、重复、HTML 等），有错误时退出码为 1。"""
    from bulletin.checks.checks import check_content
    from bulletin.content.problems import located
    from bulletin.relations.archive import draft_paths

    directory = Path(content) if content else CONTENT
    problems = check_content(directory)
    for problem in problems:
        print(located(problem, directory))
    sys.stdout.flush()
    n_errors = sum(p.severity == "error" for p in problems)
    n_warnings = len(problems) - n_errors
    drafts = draft_paths(directory)
    if drafts:
        print(f"其中 {len(drafts)} 份是草稿（draft: true），草稿里的问题只算警告，不会发布。")
    if n_errors:
        raise _fail(f"检查未通过：{n_errors} 个错误，{n_warnings} 个警告。请按提示修改后再试。")
    print(f"检查通过：0 个错误，{n_warnings} 个警告。")


@task
def build(c, settings="pelicanconf.py", output="output"):
    """检查内容并构建网站；有错误时不构建，原有网站保持不变；内容、模板、设置都没变时什么也不做。"""
    from bulletin.build.sitebuild import BuildFailed, build_site

    try:
        result = build_site(str(ROOT / settings), ROOT / output, content=CONTENT)
    except BuildFailed as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        raise _fail("构建失败：网站未更新。请按上面的提示修改。") from None
    if result.skipped:
        print(f"内容、模板和设置自上次构建以来没有变化，网站无需重建（{output}/）。")
        return
    pages = sum(1 for _ in result.path.rglob("*.html"))
    print(f"构建完成：{pages} 个页面，用时 {result.seconds:.2f} 秒 → {output}/")
    _say_drafts(result.drafts_left_out)


def _say_drafts(drafts: list[str]) -> None:
    """Tell the editor which drafts a build or publish left out."""
    if drafts:
        print(f"未包含 {len(drafts)} 份草稿（draft: true，只在 invoke serve 预览中显示）：")
        for path in drafts:
            print(f"  content/{path}")


PUBLISH_STEPS = {
    "check": "检查内容……",
    "wait": "同一发布目录的另一次构建正在进行，等待它结束……",
    "render": "构建网站（publishconf.py）……",
    "merge": "合并分开构建的各部分……",
    "verify": "校验：链接、资源、标题、语言、搜索索引、内容是否齐全……",
    "compress": "生成 .gz 预压缩文件……",
    "swap": "切换到新版本……",
}
PUBLISH_SHOWN = 40  # problems listed when verification refuses; the rest are counted


@task(
    help={
        "target": "发布目录（默认 public/）：一个符号链接，web 服务器的根目录应指向它",
        "siteurl": "网站的公开地址，如 https://archive.example.org（默认取环境变量 SITEURL）",
        "content": "内容目录，默认 content/",
        "parts": "不在本机构建，而是合并这个目录下各部分的构建结果（见 invoke build-part）",
        "backup-existing": "发布目录里已有不是本程序建立的内容时，把它整个移到旁边的 "
        "<目录名>.backup-<时间>（永不自动删除）再发布；不加时拒绝发布，什么也不改动",
    }
)
def publish(c, target=None, siteurl=None, content=None, parts=None, backup_existing=False):
    """用 publishconf.py 构建到临时目录，校验通过后一次切换上线；任何一步失败，线上网站不变。"""
    from bulletin.build.sitebuild import (
        BuildFailed,
        NotOurs,
        ServedSiteFailed,
        VerificationFailed,
        build_site,
    )
    from bulletin.site.settings import SettingsError, check_site_url

    url = siteurl or os.environ.get("SITEURL")
    if not url:
        raise _fail(
            "请用 --siteurl 或环境变量 SITEURL 给出网站的公开地址，如 https://archive.example.org"
        )
    try:
        url = check_site_url(url)
    except SettingsError:
        raise _fail(f"网站地址“{url}”无效：应以 http:// 或 https:// 开头，且不带 ? 或 #") from None
    destination = Path(target).absolute() if target else ROOT / "public"
    try:
        result = build_site(
            str(ROOT / "publishconf.py"),
            destination,
            overrides={"SITEURL": url},
            content=Path(content) if content else CONTENT,
            publish=True,
            progress=lambda step: print(PUBLISH_STEPS[step], flush=True),
            parts=sorted(p for p in Path(parts).iterdir() if p.is_dir()) if parts else None,
            take_over=backup_existing,
        )
    except VerificationFailed as exc:
        for problem in exc.problems[:PUBLISH_SHOWN]:
            print(problem, file=sys.stderr)
        if len(exc.problems) > PUBLISH_SHOWN:
            print(f"……另有 {len(exc.problems) - PUBLISH_SHOWN} 个问题未列出", file=sys.stderr)
        if isinstance(exc, ServedSiteFailed):
            raise _fail(
                f"内容自上次发布以来没有变化，但线上网站校验未通过（{len(exc.problems)} 个问题）："
                "线上的文件与发布时的不一致。请再运行一次 invoke publish，它会重新构建。"
            ) from None
        raise _fail(
            f"校验未通过（{len(exc.problems)} 个问题）：没有发布，线上仍是原来的网站。"
        ) from None
    except NotOurs as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        raise _fail(f"没有发布：{destination} 未作任何改动。") from None
    except BuildFailed as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        raise _fail("构建失败：没有发布，线上仍是原来的网站。请按上面的提示修改。") from None
    pages = sum(1 for _ in result.path.rglob("*.html"))
    if result.skipped:
        print(
            f"内容、模板和设置自上次发布以来都没有变化，所以没有重新构建；线上网站（{pages} 个页面）"
            f"已重新校验，全部通过，用时 {result.seconds:.1f} 秒。"
        )
        print(f"{destination} → {result.path}（地址 {url}/）")
        _say_drafts(result.drafts_left_out)
        return
    steps = {"render": "构建", "merge": "合并", "verify": "校验", "compress": "压缩"}
    timing = "，".join(
        f"{label} {result.steps[key]:.1f} 秒" for key, label in steps.items() if key in result.steps
    )
    print(f"发布完成：{pages} 个页面，用时 {result.seconds:.1f} 秒（{timing}）。")
    if result.compressed is not None:
        packed = result.compressed
        print(
            f"预压缩：{packed.files} 个文件，{packed.original_bytes / 1e6:.1f} MB → "
            f"{packed.compressed_bytes / 1e6:.1f} MB（.gz）。"
        )
    print(f"{destination} → {result.path}（地址 {url}/）")
    if result.backup is not None:
        print(
            f"发布目录原有的内容已整个移到 {result.backup}，不会自动删除；确认不需要后可自行删除。"
        )
    _say_drafts(result.drafts_left_out)


@task(
    name="build-part",
    help={
        "part": "第几部分，共几部分，如 0/4（从 0 数起）",
        "output": "这一部分写到哪个目录",
        "siteurl": "网站的公开地址（默认取环境变量 SITEURL）",
        "content": "内容目录，默认 content/",
    },
)
def build_part(c, part, output, siteurl=None, content=None):
    """多台机器并行构建时，只构建其中一部分页面和搜索分片（见 docs/scaling.md）。"""
    from bulletin.build.sitebuild import BuildFailed, render_site
    from bulletin.site.parts import parse_part

    try:
        which = parse_part(part)
    except ValueError:
        raise _fail(f"--part “{part}” 无效：写成 k/n，如 0/4（0 ≤ k < n）") from None
    url = siteurl or os.environ.get("SITEURL")
    if not url:
        raise _fail("请用 --siteurl 或环境变量 SITEURL 给出网站的公开地址")
    overrides = {"BULLETIN_PART": which, "SITEURL": url.rstrip("/"), "SEARCH_SHARD_CACHE": ""}
    overrides["PATH"] = str(Path(content).absolute() if content else CONTENT)
    folder = Path(output)
    if os.path.lexists(folder) and (
        folder.is_symlink() or not folder.is_dir() or any(folder.iterdir())
    ):
        # Pelican empties its output folder first: only a new or empty one is written into.
        raise _fail(
            f"{output} 已经存在且不是空目录：构建会先清空它，所以没有动它。请换一个新目录，或自己先移走它。"
        )
    try:
        render_site(str(ROOT / "publishconf.py"), Path(output).absolute(), overrides)
    except BuildFailed as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        raise _fail("构建失败。") from None
    print(f"第 {which[0]} 部分（共 {which[1]} 部分）已写到 {output}/")


@task(help={"content": "内容目录，默认 content/", "output": "网站目录，默认 output/"})
def serve(c, port=8000, host="localhost", content=None, output=None):
    """本地预览网站，内容或模板保存后自动重建并刷新浏览器；出错时保留上一次的网站。"""
    import threading

    from livereload.handlers import LiveReloadHandler
    from tornado.ioloop import IOLoop

    from bulletin.build.sitebuild import BuildFailed
    from bulletin.preview.preview import Preview
    from bulletin.preview.preview_log import quiet_server

    quiet_server(sys.stderr)  # the server's English log lines never reach the editor
    _port_free(host, int(port))  # said before a first build of minutes, not after
    source = Path(content).absolute() if content else CONTENT
    site = Path(output).absolute() if output else OUTPUT
    # Another site than output/ gets its own search index beside it, not .search.
    overrides = {} if output is None else {"SEARCH_WHOOSH_PATH": str(site) + ".search"}
    # Drafts are shown, marked 草稿. The archive stays in memory: after an edit, only the
    # pages it changed are made again (bulletin/preview/preview.py); search catches up after.
    preview = Preview(str(ROOT / "pelicanconf.py"), source, site, overrides)

    def broken(said: list[str]) -> str:
        """The lines of the files shown as error pages (a draft's: no build stops for it)
        not said yet, printed; what the build line adds about them."""
        lines = [line for lines in preview.notes.broken.values() for line in lines]
        for line in lines:
            if line not in said:
                print(line, file=sys.stderr, flush=True)
        count = len(preview.notes.broken)
        return f"；{count} 个文件有错误，预览中它们的网页显示错误说明" if count else ""

    def build_and_say() -> None:
        try:
            outcome = preview.build()
        except BuildFailed as exc:
            print("\n".join(exc.messages), file=sys.stderr, flush=True)
            also = broken(exc.messages)
            print(
                f"构建失败{also}：其余页面继续显示上一次成功构建的网站。修改后保存即可重试。",
                file=sys.stderr, flush=True,
            )  # fmt: skip
            return
        except Exception as exc:  # a fault of the program, not of the content: said in one line
            print(
                f"构建失败（程序出错：{type(exc).__name__}: {exc}）：继续显示上一次成功构建的网站。"
                "请先运行 invoke check；检查通过仍出错的，请把这一行报告给开发人员。",
                file=sys.stderr, flush=True,
            )  # fmt: skip
            return
        also = broken([])
        if outcome.whole:
            print(f"已重建（{outcome.seconds:.2f} 秒）{also}；搜索索引在后台更新。", flush=True)
        else:
            print(
                f"已更新修改的 {outcome.made} 个页面（{outcome.seconds:.2f} 秒）{also}；"
                "其余受影响的页面和搜索索引在后台更新。",
                flush=True,
            )

    # With a site built before (`invoke build`, an earlier preview), it is served at once and
    # the preview's first build, a whole one (minutes for a large archive), runs meanwhile in
    # a thread; a save in that time is taken once it is done.
    def first_build() -> None:
        build_and_say()
        loop.add_callback(first_done)

    def first_done() -> None:  # on the server's loop
        LiveReloadHandler.reload_waiters()  # browsers show the preview's own pages
        if preview.saved_since():
            rebuild()

    first = threading.Thread(target=first_build, name="first", daemon=True)

    def rebuild() -> None:
        if first.is_alive():
            print("首次构建尚未完成：完成后再显示这次修改。", flush=True)
            return
        build_and_say()

    def finished(outcome) -> None:  # the rest of an update, in the background
        print(
            f"后台更新完成：又更新 {outcome.made} 个页面（{outcome.seconds:.2f} 秒），其余"
            f" {outcome.kept} 个不受影响"
            f"{f'，删除 {len(outcome.deleted)} 个' if outcome.deleted else ''}。",
            flush=True,
        )
        loop.add_callback(LiveReloadHandler.reload_waiters)  # browsers show the final pages

    served_before = site.exists()
    if not served_before:
        rebuild()
    if not site.exists():
        raise _fail("还没有可以显示的网站：请先按上面的提示修正内容。")
    loop = IOLoop.current()
    preview.rest.report = finished
    preview.search.report = lambda seconds: print(
        f"搜索索引已更新（{seconds:.1f} 秒）：预览中的搜索已包含最近的修改。", flush=True
    )
    if served_before:
        print("先显示上一次构建的网站；预览的首次构建在后台进行，完成后自动刷新。", flush=True)
        first.start()
    server = _preview_server(preview, _instant_watcher())
    for path in (source, ROOT / "theme", ROOT / "pelicanconf.py"):
        server.watch(str(path), rebuild, delay=0.5)
    print(f"预览地址：http://{host}:{port}/ （按 Ctrl+C 停止）", flush=True)
    try:
        server.serve(host=host, port=int(port), root=str(site), open_url_delay=None)
    except OSError as exc:  # from listening (taken since `_port_free` looked)
        raise _port_taken(host, int(port), exc) from None
    print("预览已停止。")


def _port_free(host: str, port: int) -> None:
    """Raise the editor's message if the preview cannot listen on `host`:`port`."""
    import socket

    try:
        socket.create_server((host, port)).close()
    except OSError as exc:
        raise _port_taken(host, port, exc) from None


def _port_taken(host: str, port: int, exc: OSError) -> Exit:
    return _fail(
        f"无法在 {host}:{port} 上预览：端口已被占用或不可用（错误号 {exc.errno}）。"
        f"先停止另一个预览，或换一个端口：invoke serve --port {port + 1}"
    )


def _preview_server(preview, watcher):
    """livereload's server for the preview: its files answered by `_preview_file_handler`,
    its log left to `bulletin.preview.preview_log` (it would add its own English handler to
    the livereload and tornado loggers), and its client added to each page as a script
    file. The site's Content-Security-Policy (script-src 'self') rightly blocks the inline
    script livereload's own `Server.application` injects, which would then load
    /livereload.js: `application` is livereload 2.7.1's (pinned), with a transform adding the
    file directly."""
    from livereload import Server
    from livereload.handlers import ForceReloadHandler, LiveReloadHandler, LiveReloadJSHandler
    from livereload.server import LiveScriptInjector
    from tornado import web

    class ScriptFileInjector(LiveScriptInjector):
        script = b'<script src="/livereload.js"></script>'

    class PreviewServer(Server):
        def __init__(self, watcher) -> None:
            super().__init__(watcher=watcher)
            self.SFH = _preview_file_handler(preview)  # the files handler livereload uses

        def _setup_logging(self) -> None:
            pass

        def application(self, port, host, liveport=None, debug=None, live_css=True):
            # livereload's handlers are configured through their class, as its own
            # `Server.application` does: they are livereload's, one server a process.
            LiveReloadHandler.watcher = self.watcher
            LiveReloadHandler.live_css = live_css
            handlers = [
                (r"/livereload", LiveReloadHandler),
                (r"/forcereload", ForceReloadHandler),
                (r"/livereload.js", LiveReloadJSHandler),
                *self.get_web_handlers(ScriptFileInjector.script),
            ]
            app = web.Application(
                handlers=handlers, debug=bool(debug), transforms=[ScriptFileInjector]
            )
            app.listen(port, address=host)

    return PreviewServer(watcher=watcher)


def _instant_watcher():
    """livereload's watcher, woken by the kernel as soon as a watched file is saved
    (watchfiles, inotify), instead of polling every 0.8 s. What changed and what to run is
    still livereload's to decide (`Watcher.examine`, on the server's loop)."""
    import threading

    import watchfiles
    from livereload.watcher import Watcher
    from tornado.ioloop import IOLoop

    class InstantWatcher(Watcher):
        def start(self, callback) -> bool:
            loop = IOLoop.current()
            paths = list(self._tasks)

            def listen() -> None:
                for _ in watchfiles.watch(*paths, debounce=50, step=10):
                    loop.add_callback(callback)

            threading.Thread(target=listen, name="watch", daemon=True).start()
            callback()  # livereload's first look: it notes the files as they are
            return True  # no polling

    return InstantWatcher()


def _preview_file_handler(preview):
    """livereload's file handler, answering first what the preview shows beside the site
    (`Preview.answer`: a file's error page, a page with its panel, their stylesheet), and a
    missing page with the site's own 404.html.

    Tornado's default error page is English ("404: Not Found"); the site has its own.
    """
    from livereload.handlers import StaticFileHandler

    class SiteFileHandler(StaticFileHandler):
        async def get(self, path: str, include_body: bool = True) -> None:
            found = preview.answer(path)
            if found is None:
                await super().get(path, include_body)
                return
            status, kind, body = found
            self.set_status(status)
            self.set_header("Content-Type", kind)
            self.set_header("Cache-Control", "no-store")
            self.finish(body if include_body else b"")

        def compute_etag(self) -> str | None:
            if getattr(self, "absolute_path", None) is None:
                return None  # an answer of the preview's own (`Preview.answer`): no file
            return super().compute_etag()

        def write_error(self, status_code: int, **kwargs) -> None:
            page = Path(self.root) / "404.html"
            if status_code != 404 or not page.is_file():
                super().write_error(status_code, **kwargs)
                return
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(page.read_bytes())

    return SiteFileHandler


@task(
    name="import",
    help={
        "path": "收到的原文：文本文件（UTF-8、GB18030/GBK、UTF-16 均可）、Word 文档（.docx）或 PDF",
        "date": "印发日期 YYYY-MM-DD；只知道年月时写 YYYY-MM（标为推断）",
        "number": "期号，如 第5期",
        "kind": "bulletin（简报）、policy（政策文件）或 speech（讲话）；默认自动识别",
        "force": "覆盖已存在的文件",
    },
)
def import_(c, path, date=None, number=None, kind=None, force=False):
    """把收到的原文（文本、Word 或 PDF）导入为 content/ 下的 Markdown 文件，并列出合并的断行、去掉的页码页眉和待定的地方。"""
    from bulletin.content.dates import PartialDate
    from bulletin.importing.importer import ImportRefused, import_file, summary

    source = Path(path)
    if not source.is_file():
        raise _fail(f"找不到文件：{path}")
    if kind not in (None, "bulletin", "policy", "speech"):
        raise _fail("--kind 只能是 bulletin、policy 或 speech")
    try:
        when = PartialDate.parse(date) if date else None
    except ValueError:
        raise _fail(f"--date “{date}” 无效：写成 YYYY-MM-DD 或 YYYY-MM") from None
    try:
        outcome = import_file(source, CONTENT, kind=kind, date=when, number=number, force=force)
    except ImportRefused as exc:
        raise _fail(f"未导入：{exc}") from None
    print(summary(outcome, ROOT))


@task(help={"date": "印发日期 YYYY-MM-DD", "number": "期号，如 第12期（可省略）"})
def new(c, date, number=None):
    """新建一期空白简报（content/bulletins/日期.md），内附填写说明。"""
    from bulletin.content.dates import PartialDate
    from bulletin.importing.scaffold import new_issue

    try:
        when = PartialDate.parse(date)
    except ValueError:
        raise _fail(f"--date “{date}” 无效：写成 YYYY-MM-DD，如 2014-09-05") from None
    if when.day is None:
        raise _fail("--date 要写到日（印发日期）；只知道年月的旧简报请用 invoke import 导入原文")
    path = CONTENT / "bulletins" / f"{when.iso}.md"
    if path.exists():
        raise _fail(f"{path.relative_to(ROOT)} 已存在：同一天的简报已经建过了，直接编辑它即可")
    path.write_text(new_issue(when, number), encoding="utf-8")
    print(f"已新建 {path.relative_to(ROOT)}")
    print("请照原文填写标有“（待填写）”的地方，写完运行 invoke check；预览用 make serve。")


@task(
    help={
        "query": "要搜索的文字；多个词用空格分开（须同时出现）",
        "county": "只看某区县，如 平阳县（别名亦可）",
        "topic": "只看某主题，如 温商回归",
        "kind": "只看某类：简报、政策文件、讲话",
        "year": "只看某年，如 2014",
        "sort": "relevance（相关度，默认）或 date（日期，新→旧）",
        "limit": "最多显示几条（默认 20）",
        "json": "以 JSON 输出（供脚本使用）",
        "index": "索引目录（默认为构建时生成的 .search）",
    },
)
def search(c, query, county=None, topic=None, kind=None, year=None, sort="relevance",
           limit=20, json=False, index=None):  # fmt: skip
    """在全文索引中搜索（先运行 invoke build）。"""
    from pelican.settings import read_settings

    from bulletin.content.taxonomy import load_taxonomies
    from search.query.cli import UsageError, run

    settings = read_settings(str(ROOT / "pelicanconf.py"))
    taxonomies = load_taxonomies(CONTENT)
    names = {}
    for key, value in (("counties", county), ("topics", topic)):
        if not value:
            continue
        term = taxonomies[key].resolve(value)
        if term is None:
            guesses = taxonomies[key].did_you_mean(value)
            hint = f"是不是“{'”或“'.join(guesses)}”？" if guesses else ""
            raise _fail(f"未知的{taxonomies[key].label}“{value}”。{hint}")
        names[key] = term.name
    try:
        print(
            run(
                Path(index) if index else ROOT / settings["SEARCH_WHOOSH_PATH"],
                query or "",
                kind=kind,
                county=names.get("counties"),
                topic=names.get("topics"),
                year=str(year) if year else None,
                sort=sort,
                limit=int(limit),
                as_json=json,
                site_url=settings["SITEURL"],
                colour=sys.stdout.isatty() and not json,
            )
        )
    except UsageError as exc:
        raise _fail(str(exc)) from None


@task(
    help={
        "items": "合成档案的条目数（默认 10000）",
        "skip_plain": "不测对照的普通 Pelican",
        "json": "只在标准输出打印一个 JSON 对象（进度信息写到标准错误）",
        "linking_only": "只测文件互引（提及→链接、被引用）的开销",
    }
)
def bench(c, items=10_000, skip_plain=False, json=False, linking_only=False):
    """性能基准：在由种子文本合成的档案上测构建、预览、内存与首次搜索的网络流量。"""
    import importlib.util

    # The first-query measurement drives Chromium through Playwright, a test dependency; a
    # .venv made by `make serve` or `make build` lacks it, so install the test extra here.
    if importlib.util.find_spec("playwright") is None:
        print(
            "基准测试需要 Playwright：正在安装测试依赖（pip install -e '.[test]'）……",
            file=sys.stderr,
        )
        c.run(f"{sys.executable} -m pip install --quiet -e '{ROOT}[test]'", echo=False)
    if not Path("/usr/bin/chromium").exists():
        raise _fail(
            "基准测试需要 Debian 的 chromium（/usr/bin/chromium）：请先运行 make test-system-deps"
        )
    import subprocess

    args = ["--items", str(items), *(["--skip-plain"] if skip_plain else [])]
    args += ["--json"] if json else []
    args += ["--linking-only"] if linking_only else []
    # A fresh interpreter: Playwright, if just installed, is importable there.
    if subprocess.run([sys.executable, "-m", "bench.run", *args], cwd=ROOT).returncode:
        raise _fail("基准测试失败（见上面的输出）。")
