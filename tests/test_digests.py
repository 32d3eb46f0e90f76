"""The memo of functions of whole files' texts (bulletin/content/digests.py)."""

import random
import tracemalloc

from bulletin.content.digests import digest_of, memo_by_digest


def test_digests_tell_apart_what_only_concatenation_would_confuse():
    rng = random.Random(7)
    texts = [
        "".join(rng.choice("温州简报〔〕2014ab") for _ in range(rng.randint(0, 6)))
        for _ in range(300)
    ]
    seen: dict[bytes, tuple] = {}
    for a in texts:
        for b in texts[:40]:
            for args in ((a, b), (a + b,), (a.encode(), b), (a,)):
                key = digest_of(*args)
                assert seen.setdefault(key, args) == args


def test_the_memo_answers_again_without_calling_and_forgets_the_oldest():
    calls = []

    @memo_by_digest(maxsize=3)
    def length(path: str, text: str) -> int:
        calls.append(text)
        return len(text)

    assert [length("a", t) for t in ["x", "yy", "x", "zzz", "x"]] == [1, 2, 1, 3, 1]
    assert calls == ["x", "yy", "zzz"]
    length("a", "wwww")  # the fourth: "yy", used least recently, is forgotten
    length("a", "yy")
    assert calls == ["x", "yy", "zzz", "wwww", "yy"]
    length("b", "x")  # another path is another question
    assert calls[-1] == "x"


def test_the_memo_does_not_keep_the_texts():
    @memo_by_digest(maxsize=100)
    def first(text: str) -> str:
        return text[:1]

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(20):
            first(f"{i}" + "温" * 500_000)  # 1 MB a text
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 200_000  # 20 MB of texts went through it
