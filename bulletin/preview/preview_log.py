"""What the live preview's process logs, as the editor's terminal should show it: Chinese
lines only, one per event, never a traceback.

`invoke serve` prints its own line for each build, error and save. Everything else logged in
its process goes through `EditorLog`:

- the web server's (livereload's and Tornado's): page views, 404s, "Serving on", "Browser
  Connected", "Running task" are not the editor's business and are dropped; a fault of the
  server (an error, a 5xx answer) is one Chinese line;
- the build's and ours (Pelican, `bulletin`): warnings and errors, each line of a message a
  line, prefixed in Chinese when the message is not (a library's English), an exception
  named in one line after it.

Pure: logging only.
"""

from __future__ import annotations

import logging
import re
from typing import TextIO

from bulletin.content.problems import UNPRINTABLE_RE

SERVER_LOGGERS = ("tornado", "livereload")
CJK_RE = re.compile(r"[\u3400-\u9fff]")


def editor_lines(record: logging.LogRecord) -> list[str]:
    """The terminal lines for a log record (none: not for the editor)."""
    name = record.name.split(".", 1)[0]
    if name in SERVER_LOGGERS:
        if record.levelno < logging.ERROR:
            return []  # page views, 404s, start-up and reload chatter
        if record.name == "tornado.access" and record.args:
            status = record.args[0] if isinstance(record.args, tuple) else "?"
            return [
                f"预览服务器未能送出一个页面（HTTP {status}）：请刷新浏览器；再次出现请重启 make serve"
            ]
        return [
            f"预览服务器出错{_exception(record)}：自动刷新可能失效，请手动刷新浏览器或重启 make serve"
        ]
    if record.levelno < logging.WARNING:
        return []
    lines = [line for line in record.getMessage().splitlines() if line.strip()] or [""]
    lines = [line if CJK_RE.search(line) else f"构建提示（原文为英文）：{line}" for line in lines]
    lines[-1] += _exception(record)
    return [
        UNPRINTABLE_RE.sub(lambda m: m.group().encode("unicode_escape").decode(), line)
        for line in lines
    ]


def _exception(record: logging.LogRecord) -> str:
    if not record.exc_info or record.exc_info[1] is None:
        return ""
    exc = record.exc_info[1]
    return f"（{type(exc).__name__}: {exc}）".replace("\n", " ")


class EditorLog(logging.Handler):
    """Writes each record as `editor_lines` to `stream`, flushed at once."""

    def __init__(self, stream: TextIO):
        super().__init__(logging.DEBUG)
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            for line in editor_lines(record):
                self.stream.write(line + "\n")
            self.stream.flush()
        except Exception:  # a log line must never stop the preview
            self.handleError(record)


def quiet_server(stream: TextIO) -> EditorLog:
    """Route the web server's loggers to an `EditorLog` of their own, apart from the root
    logger (where a build's collector would take a 5xx answer for a failure of the build),
    and the rest of the process's warnings to another on the root logger."""
    server = EditorLog(stream)
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        logger.propagate = False
        logger.setLevel(logging.WARNING)
        logger.handlers = [server]
    root = EditorLog(stream)
    root.setLevel(logging.WARNING)
    logging.getLogger().addHandler(root)
    return root
