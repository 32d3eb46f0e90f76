"""A memo for functions of whole files' texts that keeps the texts' digests, not the texts.

`functools.lru_cache` keeps its arguments as keys: the memo of a function of every content
file's text would hold a second copy of the whole archive (300 MB at 100,000 items).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def digest_of(*args: str | bytes) -> bytes:
    """A 16-byte digest of the arguments (their kinds, lengths and contents)."""
    digest = hashlib.blake2b(digest_size=16)
    for arg in args:
        data = arg if isinstance(arg, bytes) else b"s" + arg.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.digest()


def memo_by_digest(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Like `functools.lru_cache(maxsize)` for a function of strings and bytes, keyed by
    `digest_of` its arguments. Safe to call from several threads."""

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        memo: OrderedDict[bytes, T] = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(function)
        def memoised(*args: str | bytes) -> T:
            key = digest_of(*args)
            with lock:
                if key in memo:
                    memo.move_to_end(key)
                    return memo[key]
            value = function(*args)
            with lock:
                memo[key] = value
                if len(memo) > maxsize:
                    memo.popitem(last=False)
            return value

        return memoised

    return decorate
