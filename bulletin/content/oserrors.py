"""Errors of the file system (a full disk, a read-only or forbidden folder) said to an
operator in Chinese, with the file and what to do; the system's English never reaches them."""

from __future__ import annotations

import errno
import re
import shutil

FULL = {errno.ENOSPC, errno.EDQUOT}
READ_ONLY = {errno.EROFS}
FORBIDDEN = {errno.EACCES, errno.EPERM}
ERRNO_RE = re.compile(r"\[Errno (\d+)\]")


def as_os_error(exc: OSError) -> OSError:
    """`exc` as a plain OSError with its errno and the file written, which can be pickled:
    `shutil.copytree`'s Error (a list of failed copies) becomes its first failure's."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list):
        failures = [f for f in exc.args[0] if isinstance(f, tuple) and len(f) == 3]
        if failures:
            _, written, why = failures[0]
            match = ERRNO_RE.search(str(why))
            code = int(match.group(1)) if match else None
            return OSError(code, str(why), str(written))
    return OSError(exc.errno, exc.strerror, exc.filename2 or exc.filename)


def os_error_message(exc: OSError, place: object = None) -> str:
    """`exc` as one Chinese sentence naming the file it concerns (the one written, when the
    system names two; when it names none, `place`: the folder being written)."""
    exc = as_os_error(exc)
    where = exc.filename if exc.filename is not None else place
    where = where if where is not None else "发布目录"
    if exc.errno in FULL:
        return f"磁盘空间不足，无法写入 {where}：请腾出空间后再试。"
    if exc.errno in READ_ONLY:
        return f"{where} 所在的文件系统是只读的，无法写入：请确认发布目录可写后再试。"
    if exc.errno in FORBIDDEN:
        return f"没有写入 {where} 的权限：请确认当前用户可以写发布目录后再试。"
    name = errno.errorcode.get(exc.errno or 0, "未知")
    return f"读写 {where} 时出错（系统错误 {name}）：请检查该文件和磁盘后再试。"
