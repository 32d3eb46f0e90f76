"""Safety: content that runs no script, a Content-Security-Policy on every page, nothing from
another host, and search queries shown as text.

The browser tests open the published site as nginx serves it (policy in the header and in
the page) and the development build as a plain file server does (policy only in the page,
as on GitHub Pages), and check both that our own scripts work under the policy and that
anything else is refused.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

import lxml.html
import pytest

from browsing import PAGE_TYPES
from bulletin.build.sitebuild import BuildFailed, build_site
from bulletin.content.render import render_markdown
from bulletin.site.csp import meta_policy
from sitecheck import CONTENT, ROOT, html_pages
from webhost import Nginx, free_port

TEXT_SUFFIXES = {".html", ".css", ".js", ".json", ".xml", ".txt", ".csv", ".svg"}
URL_HOST_RE = re.compile(rb"\b(?:https?:)?//([A-Za-z0-9.-]+(?::\d+)?)")
# Hosts named in the output that are never contacted: XML, SVG and sitemap namespaces, the
# schema.org vocabulary of the JSON-LD blocks, the JSON Schema dialect (`$schema`) of
# /data/documents.schema.json, and the dummy base Pagefind's script parses relative URLs
# against (`new URL(`https://example.com${url}`)`).
IDENTIFIERS = {"www.w3.org", "schema.org", "www.sitemaps.org", "json-schema.org"}
PAGEFIND_DUMMY_BASE = "example.com"

# Records what a page would run or the policy refused; added before any page script runs.
WATCH = """
window.__blocked = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__blocked.push(e.violatedDirective + " " + e.blockedURI));
"""

HOSTILE_QUERIES = [
    "<img src=x onerror=window.__xss=1>",
    '"><script>window.__xss=2</script>',
    "<svg onload=alert(3)>",
    "'-alert(4)-'</p><iframe src=javascript:alert(5)>",
]

# Raw HTML an editor might paste. What `invoke check` recognises as script is refused with
# file:line before anything is built; what slips past it (entities, data: URLs, styles,
# forms, SVG and MathML tricks) is removed by the sanitiser.
REFUSED_MARKDOWN = """\
正文一段。<script>window.__xss = "script"</script>

<img src="/theme/favicon.svg" alt="" onerror="window.__xss = 'onerror'">
<a href="javascript:window.__xss = 'link'">点我</a>
"""
SLIPPERY_MARKDOWN = """\
正文一段。<a href="java&#x09;script:window.__xss = 'tab'">制表符</a>
<a href="&#106;avascript:window.__xss = 'entity'">实体</a>
<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">数据</a>
<svg><a xlink:href="jav&#x61;script:window.__xss = 'svg'"><text>图</text></a></svg>
<form action="https://evil.example/"><input name="q" formaction="https://evil.example/"></form>
<p style="position:fixed;top:0">样式</p><meta http-equiv="refresh" content="0;url=https://evil.example/">
<base href="https://evil.example/"><link rel="stylesheet" href="https://evil.example/x.css">
<math><mtext><table><mglyph><svg><mtext><textarea><a title="</textarea><img src=x>">数学</a></textarea></mtext></svg></mglyph></table></mtext></math>

| 区县 | 项目数 |
| --- | --- |
| 平阳县 | 3 |

[官方网站](https://www.wenzhou.gov.cn/) · <mailto:office@example.org> · **加粗** *强调* `代码`
"""


# --- the sanitiser ---------------------------------------------------------------------------


def test_markdown_keeps_its_own_html_and_tables_and_loses_everything_that_runs():
    html = render_markdown(REFUSED_MARKDOWN + "\n" + SLIPPERY_MARKDOWN).html
    doc = lxml.html.fragment_fromstring(html, create_parent="div")
    tags = {element.tag for element in doc.iter()} - {"div"}
    assert tags <= {"p", "a", "strong", "em", "code", "table", "thead", "tbody", "tr", "th",
                    "td", "img", "br"}, tags  # fmt: skip
    assert doc.xpath("//table//td/text()") == ["平阳县", "3"]
    assert doc.xpath("//a/@href") == ["https://www.wenzhou.gov.cn/", "mailto:office@example.org"]
    assert [a.get("rel") for a in doc.xpath("//a[@href]")] == ["noopener noreferrer"] * 2
    assert doc.xpath("//@*[starts-with(name(), 'on')] | //@style") == []
    assert "javascript" not in html.lower() and "data:" not in html and "evil" not in html
    assert "正文一段。" in html and "点我" in html and "<strong>加粗</strong>" in html


# --- what the published pages contain ----------------------------------------------------------


def test_every_page_carries_the_policy_before_anything_it_governs(published: Path):
    for page in html_pages(published):
        head = lxml.html.fromstring(page.read_bytes()).find("head")
        first, second = head[0], head[1]
        assert first.get("charset") == "utf-8", page
        assert second.get("http-equiv") == "Content-Security-Policy", page
        assert second.get("content") == meta_policy(), page


def test_no_third_party_host_anywhere_in_the_output(published: Path, publish_port: int):
    own = f"127.0.0.1:{publish_port}"
    foreign = set()
    for path in sorted(published.rglob("*")):
        if path.suffix not in TEXT_SUFFIXES:
            continue
        relative = path.relative_to(published).as_posix()
        for match in URL_HOST_RE.finditer(path.read_bytes()):
            host = match.group(1).decode()
            if host == own or host in IDENTIFIERS:
                continue
            if host == PAGEFIND_DUMMY_BASE and relative.startswith("pagefind/"):
                continue
            foreign.add(f"{relative}: {host}")
    assert foreign == set()


# --- in Chromium, under the policy ------------------------------------------------------------


@pytest.fixture
def watched(browser):
    """A page that records policy violations and dialogs (alert, confirm…)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_our_pages_run_under_the_policy(watched, web_host, name):
    errors: list[str] = []
    watched.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    watched.on("pageerror", lambda e: errors.append(str(e)))
    page_type = PAGE_TYPES[name]
    watched.goto(f"{web_host.url}/{page_type.path}")
    if page_type.ready:
        watched.wait_for_selector(page_type.ready)
    watched.wait_for_load_state("networkidle")
    assert watched.evaluate("window.__blocked") == []
    assert errors == []
    assert watched.evaluate("document.documentElement.classList.contains('js')")  # reader.js


@pytest.mark.browser
def test_search_and_large_type_work_under_the_policy(watched, web_host):
    watched.goto(f"{web_host.url}/search/?q={quote('孔海龙')}")
    watched.wait_for_selector("#search-results[data-state=done] .search-result")
    hrefs = watched.eval_on_selector_all("#search-results a.doc-title", "as => as.map(a => a.href)")
    assert any("kong-hailong-ducha-kaifaqu" in h for h in hrefs)
    watched.click(".text-size-toggle")
    assert watched.evaluate("document.documentElement.classList.contains('large-type')")
    assert watched.evaluate("window.__blocked") == []


@pytest.mark.browser
@pytest.mark.parametrize("where", ["nginx (header and meta)", "plain file server (meta only)"])
def test_script_that_is_not_ours_is_refused(request, watched, where):
    if where.startswith("nginx"):
        base = request.getfixturevalue("web_host").url
    else:
        base = request.getfixturevalue("site_url")
    watched.goto(f"{base}/bulletins/2014-01/")
    watched.evaluate("""() => {
        const inline = document.createElement("script");
        inline.textContent = "window.__xss = 'inline'";
        document.head.append(inline);
        const handler = document.createElement("img");
        handler.setAttribute("onerror", "window.__xss = 'handler'");
        handler.src = "/no-such-image.png";
        document.body.append(handler);
        const foreign = document.createElement("script");
        foreign.src = "https://cdn.example.net/x.js";
        document.head.append(foreign);
        const style = document.createElement("div");
        style.setAttribute("style", "color: red");
        document.body.append(style);
    }""")
    watched.wait_for_timeout(300)
    assert watched.evaluate("window.__xss") is None
    blocked = " ".join(watched.evaluate("window.__blocked"))
    for directive in ("script-src-elem", "script-src-attr", "style-src-attr"):
        assert directive in blocked, blocked
    assert "cdn.example.net" in blocked


@pytest.mark.browser
@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_a_hostile_query_is_shown_as_text_and_runs_nothing(watched, web_host, query):
    watched.goto(f"{web_host.url}/search/?q={quote(query)}")
    watched.wait_for_selector("#search-results[data-state=done]", state="attached")
    watched.wait_for_timeout(200)
    assert watched.evaluate("window.__xss") is None
    assert watched.dialogs == []
    assert watched.input_value("#q") == query
    status = watched.locator("#search-status")
    assert query.strip() in status.inner_text()
    assert status.evaluate("s => s.children.length") == 0  # text only, no element parsed
    assert watched.locator("main img, main svg:not(.chart svg), main iframe").count() == 0
    assert watched.locator("script:not([src]):not([type='application/ld+json'])").count() == 0


def _with_item_text(tmp_path: Path, markdown: str) -> Path:
    """A copy of content/ with `markdown` at the start of an item's body."""
    content = Path(shutil.copytree(CONTENT, tmp_path / "content"))
    issue = content / "bulletins/2014-07-13.md"
    text = issue.read_text(encoding="utf-8")
    anchor = "会上播放了温商回归专题宣传片"
    issue.write_text(text.replace(anchor, markdown + "\n" + anchor, 1), encoding="utf-8")
    return content


def test_script_in_content_is_refused_before_building(tmp_path: Path):
    content = _with_item_text(tmp_path, REFUSED_MARKDOWN)
    target = tmp_path / "www" / "archive"
    with pytest.raises(BuildFailed) as caught:
        build_site(str(ROOT / "publishconf.py"), target, content=content, publish=True)
    messages = "\n".join(caught.value.messages)
    assert "2014-07-13.md:35: 错误：正文含有 <script> 等可执行的 HTML" in messages
    assert "事件属性" in messages and "javascript: 链接" in messages
    assert not target.exists()


@pytest.mark.browser
def test_what_slips_past_the_checks_is_published_harmless(watched, tmp_path: Path):
    """Raw HTML the content checks let through is sanitised, passes verification, and runs
    nothing in Chromium."""
    content = _with_item_text(tmp_path, SLIPPERY_MARKDOWN)
    port = free_port()
    target = tmp_path / "www" / "archive"
    build_site(
        str(ROOT / "publishconf.py"), target, overrides={"SITEURL": f"http://127.0.0.1:{port}"},
        content=content, publish=True,
    )  # fmt: skip
    item = next(
        p
        for p in target.glob("bulletins/2014-07-13/*/index.html")
        if "制表符" in p.read_text("utf-8")
    )
    with Nginx(target, tmp_path / "nginx", port) as host:
        watched.goto(host.url + "/" + item.relative_to(target).parent.as_posix() + "/")
        watched.wait_for_load_state("networkidle")
        for link in watched.locator(".doc-body a").all():
            link.click(modifiers=["Control"])  # nothing happens beyond, at most, a new tab
        watched.wait_for_timeout(200)
        assert watched.evaluate("window.__xss") is None and watched.dialogs == []
        assert "制表符" in watched.inner_text(".doc-body")
        assert watched.evaluate("window.__blocked") == []  # nothing even tried
        links = watched.eval_on_selector_all(".doc-body a[href]", "as => as.map(a => a.href)")
        assert all(urlsplit(h).scheme in ("https", "mailto") for h in links), links
        assert (
            watched.locator("meta[http-equiv=refresh], base, .doc-body :is(form, [style])").count()
            == 0
        )
