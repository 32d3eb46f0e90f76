"""The published site on a real web host: nginx with deploy/nginx/archive.conf, over HTTP.

A crawl from the home page and the 404 page follows every internal link and asset; every
file of the tree is fetched; content types, the charset, the precompressed .gz files, the
404 page and the security headers are checked as a browser receives them.
"""

from __future__ import annotations

import gzip
import re
import shutil
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html

from bulletin.site.csp import header_policy
from sitecheck import html_pages
from webhost import SERVER_BLOCK, Nginx, free_port, served_tree, tree_bytes

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xml": "text/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
}
LINKING = {"a": "href", "link": "href", "script": "src", "img": "src", "form": "action"}


def references(page_url: str, body: bytes) -> list[str]:
    """The URLs a page links to or loads (canonical links included)."""
    doc = lxml.html.fromstring(body)
    found = []
    for tag, attribute in LINKING.items():
        for value in doc.xpath(f"//{tag}/@{attribute}"):
            found.append(urljoin(page_url, value).split("#")[0])
    return found


def test_every_file_is_served_as_published(web_host: Nginx, published: Path):
    assert served_tree(web_host, published) == tree_bytes(published)


def test_a_crawl_finds_no_broken_link_or_asset(web_host: Nginx, published: Path):
    origin = web_host.url
    queue = deque([origin + "/", origin + "/no/such/page/"])
    seen: set[str] = set(queue)
    broken: list[str] = []
    pages = 0
    while queue:
        url = queue.popleft()
        response = web_host.get(urlsplit(url).path or "/")
        if response.status != 200 and not url.endswith("/no/such/page/"):
            broken.append(f"{url} → {response.status}")
            continue
        if not response.headers["content-type"].startswith("text/html"):
            continue
        pages += 1
        for found in references(url, response.body):
            if found.startswith(origin + "/") and found not in seen:
                seen.add(found)
                queue.append(found)
    assert broken == []
    # Every page of the tree is reachable by links from the home page.
    assert pages >= sum(1 for p in html_pages(published) if p.name != "404.html")


def test_content_types_carry_utf_8(web_host: Nginx, published: Path):
    wrong = []
    for path in sorted(published.rglob("*")):
        expected = CONTENT_TYPES.get(path.suffix)
        if not path.is_file() or expected is None:
            continue
        url = "/" + path.relative_to(published).as_posix()
        found = web_host.get(url, method="HEAD").headers.get("content-type")
        if found != expected:
            wrong.append(f"{url}: {found}")
    assert wrong == []
    assert web_host.get("/").headers["content-type"] == CONTENT_TYPES[".html"]


def test_precompressed_files_are_sent_to_browsers_that_accept_gzip(web_host, published):
    siblings = sorted(published.rglob("*.gz"))
    assert len(siblings) > 100
    for sibling in siblings:
        url = "/" + sibling.relative_to(published).as_posix()[: -len(".gz")]
        packed = web_host.get(url, {"Accept-Encoding": "gzip, deflate, br"})
        assert packed.status == 200, url
        assert packed.headers.get("content-encoding") == "gzip", url
        assert packed.headers.get("vary") == "Accept-Encoding", url
        assert packed.body == sibling.read_bytes(), url  # the file itself, not recompressed
        plain = web_host.get(url)
        assert "content-encoding" not in plain.headers
        assert plain.body == gzip.decompress(packed.body), url
    # A directory URL's index.html is sent precompressed as well.
    assert web_host.get("/", {"Accept-Encoding": "gzip"}).headers["content-encoding"] == "gzip"


def test_no_gz_for_pagefind_index_files(published: Path):
    assert not list((published / "pagefind").glob("**/*.pf_*.gz"))
    assert not list((published / "pagefind").glob("*.pagefind.gz"))
    assert (published / "pagefind/pagefind.js.gz").is_file()
    for sibling in published.rglob("*.gz"):
        assert sibling.read_bytes()[4:8] == b"\0\0\0\0", sibling  # gzip mtime 0


def test_unknown_paths_get_the_404_page(web_host: Nginx, published: Path):
    for path in ("/no/such/page/", "/bulletins/1999-01-01/", "/missing.html", "/pagefind/"):
        response = web_host.get(path)
        assert response.status == 404, path
        assert response.headers["content-type"] == CONTENT_TYPES[".html"]
        assert response.body == (published / "404.html").read_bytes()
        assert "页面不存在" in response.body.decode("utf-8")


def test_a_directory_without_its_slash_is_redirected(web_host: Nginx):
    response = web_host.get("/bulletins")
    assert response.status == 301 and response.headers["location"] == "/bulletins/"


def test_security_headers_on_every_kind_of_response(web_host: Nginx, published: Path):
    chunk = next((published / "pagefind/index").iterdir()).name
    for path in ("/", "/theme/js/reader.js", "/no/such/page/", f"/pagefind/index/{chunk}"):
        headers = web_host.get(path).headers
        assert headers["content-security-policy"] == header_policy(), path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
    # Content-named Pagefind files are cached for good; the rest revalidate.
    assert "max-age=315360000" in web_host.get(f"/pagefind/index/{chunk}").headers.get(
        "cache-control", ""
    )
    assert "cache-control" not in web_host.get("/pagefind/pagefind-entry.json").headers


def test_the_example_config_states_the_sites_policy():
    """The header line of deploy/nginx/archive.conf is bulletin/site/csp.py's policy, verbatim."""
    text = SERVER_BLOCK.read_text(encoding="utf-8")
    policies = re.findall(r'add_header Content-Security-Policy "([^"]*)" always;', text)
    assert policies == [header_policy()]
    assert "frame-ancestors 'none'" in policies[0]


def test_the_host_serves_raw_texts_only_as_text_and_follows_no_symlink(
    published: Path, tmp_path: Path
):
    """The host's own guard, behind the build's and the verifier's: under /raw/ only .txt,
    as text/plain; anything else there, and any symlink in the tree, is not served."""
    tree = tmp_path / "tree"
    shutil.copytree(published.resolve(), tree)
    root = tmp_path / "archive"
    root.symlink_to(tree)  # served through a symlink, as a publish target is
    (tree / "raw" / "x.svg").write_text('<svg onload="alert(1)"/>', encoding="utf-8")
    (tree / "raw" / "x.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (tree / "raw" / "link.txt").symlink_to("/etc/passwd")
    (tree / "bulletins" / "etc").symlink_to("/etc")
    raw = next(p.name for p in (tree / "raw").glob("*.txt") if not p.is_symlink())
    with Nginx(root, tmp_path / "nginx", free_port()) as host:
        served = host.get(f"/raw/{raw}")
        assert served.status == 200
        assert served.headers["content-type"] == "text/plain; charset=utf-8"
        for path in ("/raw/x.svg", "/raw/x.html", "/raw/link.txt", "/bulletins/etc/passwd"):
            response = host.get(path)
            assert response.status in (403, 404), (path, response.status)
            assert b"root:" not in response.body and b"alert" not in response.body
        assert host.get("/").status == 200
