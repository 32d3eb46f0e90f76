"""A real web host for the tests: Debian's nginx with the repository's own server block.

`Nginx` runs ``deploy/nginx/archive.conf`` unchanged but for its listen, server_name and root
lines, in the foreground, on a loopback port, with its pid, logs and temporary files in a
directory of the test's own. `get` fetches over HTTP/1.1 as a browser would.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sitecheck import ROOT

NGINX = os.environ.get("NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
SERVER_BLOCK = ROOT / "deploy" / "nginx" / "archive.conf"
MIME_TYPES = Path("/etc/nginx/mime.types")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_block(root: Path, port: int) -> str:
    """deploy/nginx/archive.conf, listening on 127.0.0.1:`port` and serving `root`."""
    text = SERVER_BLOCK.read_text(encoding="utf-8")
    text, listens = re.subn(r"(?m)^(\s*)listen 80;\n(\s*listen \[::\]:80;\n)?",
                            rf"\1listen 127.0.0.1:{port};\n", text)  # fmt: skip
    text, names = re.subn(r"(?m)^(\s*)server_name .*;$", r"\1server_name 127.0.0.1;", text)
    text, roots = re.subn(r"(?m)^(\s*)root .*;$", rf"\1root {root};", text)
    assert (listens, names, roots) == (1, 1, 1), "deploy/nginx/archive.conf changed shape"
    return text


MAIN_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 128; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    access_log {work}/access.log;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    sendfile on;
    include {work}/archive.conf;
}}
"""


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes


class Nginx:
    """nginx serving `root` (the publish target: a symlink) on a loopback port."""

    def __init__(self, root: Path, work: Path, port: int | None = None):
        self.root = root
        self.work = work
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Nginx:
        if not Path(NGINX).exists():
            raise RuntimeError(f"{NGINX} is missing: run `make test`, which installs nginx-light")
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "archive.conf").write_text(server_block(self.root, self.port), "utf-8")
        # Workers of a root master run as `nobody` unless told otherwise, and pytest's
        # temporary directories are private to the user running the tests.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = self.work / "nginx.conf"
        conf.write_text(MAIN_CONF.format(user=user, work=self.work, mime_types=MIME_TYPES), "utf-8")
        self.process = subprocess.Popen(
            [NGINX, "-e", str(self.work / "error.log"), "-p", str(self.work), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx failed: {self.process.stderr.read().decode()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start listening within 10 s")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process.stderr.close()

    def get(self, path: str, headers: dict[str, str] | None = None, method: str = "GET"):
        """One request; `path` is the URL's path (and query)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, headers=headers or {})
            response = connection.getresponse()
            body = response.read()
            found = {name.lower(): value for name, value in response.getheaders()}
            return Response(response.status, found, body)
        finally:
            connection.close()


def served_tree(host: Nginx, tree: Path) -> dict[str, bytes]:
    """Every file of `tree` as `host` serves it now (identity encoding), by relative path."""
    served = {}
    connection = http.client.HTTPConnection("127.0.0.1", host.port, timeout=10)
    try:
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            relative = path.relative_to(tree).as_posix()
            connection.request("GET", "/" + relative)
            response = connection.getresponse()
            body = response.read()
            served[relative] = body if response.status == 200 else b"HTTP %d" % response.status
    finally:
        connection.close()
    return served


def tree_bytes(tree: Path) -> dict[str, bytes]:
    """Every file of `tree` as bytes, by relative path."""
    return {
        p.relative_to(tree).as_posix(): p.read_bytes()
        for p in sorted(tree.rglob("*"))
        if p.is_file()
    }
