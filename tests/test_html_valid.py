"""Every page of the built real content passes the W3C Nu HTML Checker with no error.

The checker is vnu.jar from npm (vnu-jar, pinned in package-lock.json), run on Debian's Java
(`make test` installs default-jre-headless where there is no `java`). It is a JVM, slow to
start: it runs once, over every page and one page broken on purpose, which proves in the
same run that it reads the pages and reports what is wrong in them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sitecheck import ROOT, html_pages

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# A <div> inside a <p>: the parser closes the paragraph, and the checker reports the stray </p>.
BROKEN = ("<p>", "<p><div>", "No “p” element in scope")


def _describe(messages: list[dict], site: Path) -> str:
    lines = []
    for message in messages[:20]:
        where = message.get("url", "").removeprefix("file:")
        where = where.removeprefix(str(site)).lstrip("/")
        lines.append(f"{where}:{message.get('lastLine')}: {message['message']}")
        if message.get("extract"):
            lines.append(f"    {message['extract']!r}")
    return "\n".join(lines)


def test_every_page_passes_the_nu_html_checker(site: Path, tmp_path: Path):
    java = shutil.which("java")
    if java is None:
        pytest.fail(
            "java is missing: run `make test`, which installs Debian's default-jre-headless"
        )
    if not VNU.is_file():
        pytest.fail(f"{VNU} is missing: run `make test`, which runs `npm ci`")
    pages = list(html_pages(site))
    assert len(pages) > 50, "the real content builds more pages than that"
    item = site / "bulletins/2014-10/kong-hailong-ducha-kaifaqu-zhongdianxiangmu/index.html"
    html = item.read_text(encoding="utf-8")
    old, new, expected = BROKEN
    broken = tmp_path / "broken.html"
    broken.write_text(html.replace(old, new, 1), encoding="utf-8")

    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--verbose", "--format", "json", "--stdout",
         *map(str, pages), str(broken)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    checked = {Path(line) for line in result.stderr.splitlines() if line.endswith(".html")}
    assert checked == {*pages, broken}, result.stderr[-2000:]
    messages = json.loads(result.stdout)["messages"]
    on_broken = [m for m in messages if m.get("url", "").endswith("/broken.html")]
    assert any(expected in m["message"] for m in on_broken), on_broken
    errors = [m for m in messages if m not in on_broken]
    assert errors == [], f"{len(errors)} errors:\n{_describe(errors, site)}"
