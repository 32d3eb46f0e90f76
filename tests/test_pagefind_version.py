"""The index is written in one Pagefind version's format: the pinned one, or no build.

The search page reads the files our writer makes as Pagefind 1.5.2 lays them out, and the
bundle ships that Pagefind's script; another installed Pagefind would ship a script that
reads another format. `search.index.pagefind_format.check_pagefind` refuses, in Chinese,
and the build fails with the previous site left as it was.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from search.index.pagefind_format import (
    PAGEFIND_VERSION,
    PagefindVersionError,
    check_pagefind,
    installed_pagefind,
)
from sitecheck import ROOT


def pinned() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    (pin,) = [d for d in project["dependencies"] if re.match(r"pagefind\b", d)]
    return pin.split("==")[1]


def test_the_writer_writes_for_the_pinned_pagefind_which_is_installed():
    assert pinned() == PAGEFIND_VERSION
    assert installed_pagefind() == PAGEFIND_VERSION
    check_pagefind()  # no error


@pytest.mark.parametrize("installed", ["1.4.0", "1.5.3", "2.0.0", "未安装"])
def test_another_pagefind_is_refused_in_chinese(installed):
    with pytest.raises(PagefindVersionError) as refused:
        check_pagefind(installed)
    message = str(refused.value)
    assert PAGEFIND_VERSION in message and installed in message
    assert "请" in message and "pyproject.toml" in message


def fake_pagefind(folder: Path, version: str) -> Path:
    """A folder that, first on the path, makes Python report Pagefind `version` installed."""
    info = folder / f"pagefind-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: pagefind\nVersion: {version}\n", encoding="utf-8"
    )
    return folder


BUILD = """
import sys
from pathlib import Path
from bulletin.build.sitebuild import BuildFailed, build_site
try:
    build_site("pelicanconf.py", Path(sys.argv[1]), overrides={"SEARCH_WHOOSH_PATH": ""})
except BuildFailed as failed:
    print("\\n".join(failed.messages))
    sys.exit(1)
print("built")
"""


def test_a_build_beside_another_pagefind_fails_and_keeps_the_site(tmp_path):
    site = tmp_path / "site"
    built = subprocess.run(
        [sys.executable, "-c", BUILD, str(site)], cwd=ROOT, capture_output=True, text=True
    )
    assert built.returncode == 0 and "built" in built.stdout, built.stdout + built.stderr
    before = {p: p.read_bytes() for p in site.resolve().rglob("*") if p.is_file()}
    # The same content: the build's fingerprint holds Pagefind's version, so it builds again.
    fake = fake_pagefind(tmp_path / "fake", "1.4.0")
    env = {**os.environ, "PYTHONPATH": str(fake)}
    failed = subprocess.run(
        [sys.executable, "-c", BUILD, str(site)], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert f"Pagefind {PAGEFIND_VERSION}" in failed.stdout and "1.4.0" in failed.stdout
    assert "Traceback" not in failed.stdout + failed.stderr  # the editor's sentence alone
    after = {p: p.read_bytes() for p in site.resolve().rglob("*") if p.is_file()}
    assert after == before
