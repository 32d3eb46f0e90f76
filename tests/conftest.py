"""Shared fixtures: the real content built once per session, served over HTTP, and Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulletin.build.sitebuild import build_site
from sitecheck import CONTENT, ROOT, build_into
from webhost import Nginx, free_port

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-results"
MEASUREMENTS = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The real content/, built once for the whole session."""
    return build_into(tmp_path_factory.mktemp("site") / "output")


@pytest.fixture(scope="session")
def publish_port() -> int:
    """The loopback port the published site is built for and served on."""
    return free_port()


@pytest.fixture(scope="session")
def published(tmp_path_factory, publish_port) -> Path:
    """The real content/ published (publishconf.py, verified, .gz) to a target symlink."""
    target = tmp_path_factory.mktemp("www") / "archive"
    build_site(
        str(ROOT / "publishconf.py"),
        target,
        overrides={"SITEURL": f"http://127.0.0.1:{publish_port}"},
        content=CONTENT,
        publish=True,
    )
    return target


@pytest.fixture(scope="session")
def web_host(published, publish_port, tmp_path_factory) -> Iterator[Nginx]:
    """nginx with deploy/nginx/archive.conf serving the published site."""
    with Nginx(published, tmp_path_factory.mktemp("nginx"), publish_port) as host:
        yield host


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """The built site served on a free loopback port."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests leave screenshots for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def measurements(pytestconfig) -> list[str]:
    """Lines of figures (scores, weights) that tests measure, printed at the end of the run."""
    return pytestconfig.stash.setdefault(MEASUREMENTS, [])


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines = config.stash.get(MEASUREMENTS, [])
    if lines:
        terminalreporter.section("reader experience: measured")
        for line in lines:
            terminalreporter.write_line(line)
