"""Publishing (`invoke publish`, `sitebuild.build_site(publish=True)`): verified, atomic,
deterministic, and never breaking the site a web server is serving.

The served site is checked through nginx (tests/webhost.py) byte for byte: after a
publish, after each refusal, and after publishes killed with SIGKILL at each step.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bulletin.build.generations import new_generation
from bulletin.build.sitebuild import BuildFailed, VerificationFailed, build_site
from sitecheck import CONTENT, ROOT
from webhost import Nginx, free_port, served_tree, tree_bytes

PUBLISHCONF = str(ROOT / "publishconf.py")
ISSUE = "bulletins/2014-07-13.md"
SENTENCE = "会上播放了温商回归专题宣传片"  # in the body of an item of ISSUE
BUILD_DIR_RE = re.compile(r"archive-\d{8}-\d{6}-\d+-\d+")


def copy_content(tmp_path: Path, replace: tuple[str, str] | None = None) -> Path:
    """A copy of content/, with one text replaced in ISSUE."""
    content = Path(shutil.copytree(CONTENT, tmp_path / "content"))
    if replace is not None:
        issue = content / ISSUE
        text = issue.read_text(encoding="utf-8")
        assert replace[0] in text
        issue.write_text(text.replace(replace[0], replace[1], 1), encoding="utf-8")
    return content


def copy_theme(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT / "theme", tmp_path / "theme"))


def builds(target: Path) -> list[str]:
    """The build directories of `target` under .build/."""
    return sorted(p.name for p in (target.parent / ".build").iterdir() if p.is_dir())


def state(target: Path) -> tuple[str, dict[str, bytes]]:
    """Where the target points and every byte of the tree it points at."""
    return os.readlink(target), tree_bytes(target)


def publish(target: Path, site_url: str, overrides: dict | None = None, **kwargs):
    overrides = {"SITEURL": site_url, **(overrides or {})}
    return build_site(PUBLISHCONF, target, overrides=overrides, publish=True, **kwargs)


def invoke_publish(target: Path, site_url: str, content: Path, **popen) -> subprocess.Popen:
    command = [sys.executable, "-m", "invoke", "publish", "--target", str(target),
               "--siteurl", site_url, "--content", str(content)]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, text=True, **popen)


@pytest.fixture
def live(published: Path, publish_port: int, tmp_path: Path) -> Path:
    """A publish target already serving the real site (a copy of the session's publish, in
    a generation recorded as a publish records it)."""
    target = tmp_path / "www" / "archive"
    target.parent.mkdir()
    build = new_generation(target)
    shutil.copytree(published.resolve(), build)
    target.symlink_to(os.path.relpath(build, target.parent))
    return target


# --- a verified publish ----------------------------------------------------------------------


def test_publish_on_the_command_line_swaps_the_served_site(tmp_path: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    target = tmp_path / "www" / "archive"
    content = copy_content(tmp_path)
    with Nginx(target, tmp_path / "nginx", port) as host:
        first = invoke_publish(target, url, content, stdout=subprocess.PIPE)
        out, _ = first.communicate(timeout=120)
        assert first.returncode == 0, out
        assert "校验：" in out and "发布完成：69 个页面" in out and "预压缩：" in out
        v1 = tree_bytes(target)
        assert served_tree(host, target) == v1

        issue = content / ISSUE
        issue.write_text(
            issue.read_text("utf-8").replace(SENTENCE, SENTENCE + "（第二版）"), "utf-8"
        )
        second = invoke_publish(target, url, content, stdout=subprocess.PIPE)
        assert second.wait(timeout=120) == 0
        v2 = tree_bytes(target)
        assert served_tree(host, target) == v2
        changed = {path for path in v2 if v1.get(path) != v2[path]}
        assert "bulletins/2014-07-13/index.html" in changed
        assert "（第二版）" in host.get("/bulletins/2014-07-13/").body.decode("utf-8")
        # Only what the edit touched differs (pages listing the item, feeds, search data).
        assert len(changed) < len(v2) / 3, sorted(changed)
        # The build served before is kept for a rollback: exactly two builds.
        current = os.readlink(target).split("/")[-1]
        previous = [b for b in builds(target) if b != current]
        assert len(previous) == 1
        assert tree_bytes(target.parent / ".build" / previous[0]) == v1

        # A refused publish on the command line: the reasons, and the site stays as it was.
        issue.write_text(
            issue.read_text("utf-8").replace(SENTENCE, f"[见附件](/bulletins/2099-01-01/){SENTENCE}"),
            "utf-8",
        )  # fmt: skip
        third = invoke_publish(target, url, content, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = third.communicate(timeout=120)
        assert third.returncode == 1
        assert "链接失效 — bulletins/2014-07-13/" in err and "/bulletins/2099-01-01/" in err
        assert "校验未通过" in err and "没有发布，线上仍是原来的网站" in err
        assert served_tree(host, target) == v2
        assert builds(target) == sorted([current, previous[0]])


def test_publish_needs_a_valid_site_address(tmp_path: Path):
    target = tmp_path / "archive"
    env = {k: v for k, v in os.environ.items() if k != "SITEURL"}
    for args in ([], ["--siteurl", "archive.example.org"], ["--siteurl", "https://a.org/?x=1"]):
        run = subprocess.run(
            [sys.executable, "-m", "invoke", "publish", "--target", str(target), *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert run.returncode == 1, args
        assert "网站" in run.stderr and "地址" in run.stderr, run.stderr
    assert not target.exists()


def test_the_first_publish_over_a_plain_web_root_is_atomic_too(tmp_path, publish_port):
    """A web root that is a directory, taken over on the operator's word, becomes the
    symlink in one exchange; the old one is kept whole beside it, for good."""
    target = tmp_path / "html"
    target.mkdir()
    (target / "index.html").write_text("<p>old</p>", encoding="utf-8")
    url = f"http://127.0.0.1:{publish_port}"
    result = publish(target, url, content=CONTENT, take_over=True)
    assert target.is_symlink() and target.resolve() == result.path.resolve()
    assert result.backup is not None and result.backup.parent == tmp_path
    assert re.fullmatch(r"html\.backup-\d{8}-\d{6}", result.backup.name)
    assert (result.backup / "index.html").read_text("utf-8") == "<p>old</p>"
    assert [b for b in (tmp_path / ".build").iterdir() if b.is_dir()] == [result.path]


# --- refusals --------------------------------------------------------------------------------


def _break_content_date(tmp_path: Path) -> dict:
    return {"content": copy_content(tmp_path, ("date: 2014-07-13", "date: 2014-07-32"))}


def _break_template(tmp_path: Path) -> dict:
    theme = copy_theme(tmp_path)
    item = theme / "templates/item.html"
    item.write_text(item.read_text("utf-8").replace("{% endblock %}", "{% endblok %}", 1), "utf-8")
    return {"overrides": {"THEME": str(theme)}}


def _link_to_a_missing_page(tmp_path: Path) -> dict:
    return {
        "content": copy_content(tmp_path, (SENTENCE, f"[见](/bulletins/2099-01-01/){SENTENCE}"))
    }


def _drop_an_asset(tmp_path: Path) -> dict:
    theme = copy_theme(tmp_path)
    (theme / "static/favicon.svg").unlink()
    return {"overrides": {"THEME": str(theme)}}


def _drop_lang_and_title(tmp_path: Path) -> dict:
    theme = copy_theme(tmp_path)
    base = theme / "templates/base.html"
    base.write_text(base.read_text("utf-8").replace('<html lang="zh-CN">', "<html>"), "utf-8")
    not_found = theme / "templates/404.html"
    not_found.write_text(
        '{% extends "base.html" %}{% block title %}{% endblock %}'
        + not_found.read_text("utf-8").split("\n", 1)[1],
        "utf-8",
    )
    return {"overrides": {"THEME": str(theme)}}


REFUSALS = {
    # reason: (how the input is broken, the exception, the problem kinds it reports)
    "content error": (_break_content_date, BuildFailed, "日期“2014-07-32”无效"),
    "template error": (_break_template, BuildFailed, "endblok"),
    "broken link": (_link_to_a_missing_page, VerificationFailed, {"broken-link"}),
    "missing asset": (_drop_an_asset, VerificationFailed, {"missing-asset"}),
    "no lang, no title": (_drop_lang_and_title, VerificationFailed, {"no-lang", "no-title"}),
}


@pytest.mark.parametrize("reason", list(REFUSALS))
def test_a_refused_publish_leaves_the_live_site_untouched(live, publish_port, tmp_path, reason):
    breaks, error, reported = REFUSALS[reason]
    before = state(live)
    kwargs = breaks(tmp_path)
    kwargs.setdefault("content", CONTENT)
    with pytest.raises(error) as caught:
        publish(live, f"http://127.0.0.1:{publish_port}", **kwargs)
    if isinstance(reported, set):
        assert {p.kind for p in caught.value.problems} == reported
    else:
        assert type(caught.value) is BuildFailed
        assert reported in "\n".join(caught.value.messages)
    assert state(live) == before
    assert builds(live) == [os.readlink(live).split("/")[-1]]  # the staging directory is gone
    assert not list(live.parent.glob(".archive.link-*"))


# --- killed midway ---------------------------------------------------------------------------

STEP_LINES = {
    "render": "构建网站",
    "verify": "校验：",
    "compress": "生成 .gz",
    "swap": "切换到新版本",
}


def _kill_at(step: str, target: Path, url: str, content: Path) -> None:
    """Start `invoke publish` and SIGKILL it once it is at `step`."""
    before = set(builds(target))
    process = invoke_publish(
        target, url, content, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        for line in process.stdout:
            if line.startswith(STEP_LINES[step]):
                break
        else:
            pytest.fail(f"publish ended before the {step} step")
        if step == "render":  # wait until Pelican has started writing the staging directory
            deadline = time.monotonic() + 30
            while not set(builds(target)) - before and time.monotonic() < deadline:
                time.sleep(0.01)
            assert set(builds(target)) - before, "no staging directory appeared"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL


def test_a_publish_killed_at_any_step_leaves_the_old_site_served(tmp_path: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    target = tmp_path / "www" / "archive"
    publish(target, url, content=CONTENT)
    changed = copy_content(tmp_path, (SENTENCE, SENTENCE + "（新版）"))
    with Nginx(target, tmp_path / "nginx", port) as host:
        old = state(target)
        assert served_tree(host, target) == old[1]
        for step in ("render", "verify", "compress"):
            _kill_at(step, target, url, changed)
            assert state(target) == old, step
            assert served_tree(host, target) == old[1], step
        assert len(builds(target)) > 1  # what the killed publishes left behind
        # Killed at the swap itself: the rename happened or it did not; either way nginx
        # serves one whole tree.
        _kill_at("swap", target, url, changed)
        link, tree = state(target)
        assert tree == old[1] or link != old[0]
        assert served_tree(host, target) == tree

        # The next publish succeeds and clears what the killed ones left: the current build
        # and the one before it remain.
        run = invoke_publish(target, url, changed, stdout=subprocess.DEVNULL)
        assert run.wait(timeout=120) == 0
        assert len(builds(target)) == 2
        assert not list(target.parent.glob(".archive.link-*"))
        served = served_tree(host, target)
        assert served == tree_bytes(target) != old[1]
        assert "（新版）".encode() in served["bulletins/2014-07-13/index.html"]


# --- determinism ---------------------------------------------------------------------------


def test_two_publishes_are_byte_identical_and_name_no_build_path(
    published: Path, publish_port: int, tmp_path: Path
):
    again = tmp_path / "elsewhere" / "site"
    result = publish(again, f"http://127.0.0.1:{publish_port}", content=CONTENT)
    first, second = tree_bytes(published), tree_bytes(again)
    assert first.keys() == second.keys()
    assert [path for path in first if first[path] != second[path]] == []
    # Neither the staging directory nor any path of this machine is written into the site.
    for marker in {str(result.path), str(tmp_path), str(published.parent), str(ROOT), ".build"}:
        leaked = [path for path, data in second.items() if marker.encode() in data]
        assert leaked == [], marker
    # Search index files keep their names from build to build (named by content).
    assert sorted(p for p in first if p.startswith("pagefind/")) == sorted(
        p for p in second if p.startswith("pagefind/")
    )
