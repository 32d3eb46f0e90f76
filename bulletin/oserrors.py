"""Errors of the file system (a full disk, a read-only or forbidden folder) said to an
operator in Chinese, with the file and what to do; the system's English never reaches them."""

from __future__ import annotations

import errno

FULL = {errno.ENOSPC, errno.EDQUOT}
READ_ONLY = {errno.EROFS}
FORBIDDEN = {errno.EACCES, errno.EPERM}


def os_error_message(exc: OSError) -> str:
    """`exc` as one Chinese sentence naming the file it concerns."""
    where = exc.filename if exc.filename is not None else "（未知文件）"
    if exc.errno in FULL:
        return f"磁盘空间不足，无法写入 {where}：请腾出空间后再试。"
    if exc.errno in READ_ONLY:
        return f"{where} 所在的文件系统是只读的，无法写入：请确认发布目录可写后再试。"
    if exc.errno in FORBIDDEN:
        return f"没有写入 {where} 的权限：请确认当前用户可以写发布目录后再试。"
    name = errno.errorcode.get(exc.errno or 0, "未知")
    return f"读写 {where} 时出错（系统错误 {name}）：请检查该文件和磁盘后再试。"
