"""`invoke bench --json` runs end to end on a small archive and reports every measure.

Timings are not asserted (the machine is shared): only that each field is there and sane.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sitecheck import ROOT

FIELDS = [
    "items", "pages", "plain_pelican_s", "full_build_s", "full_build_with_search_s",
    "publish_s", "preview_edit_item_s", "preview_add_issue_s", "preview_edit_item_settled_s",
    "preview_add_issue_settled_s", "noop_build_s", "peak_rss_mb", "largest_html_kb",
    "first_query_gzip_kb",
]  # fmt: skip


@pytest.mark.browser
def test_bench_of_300_items_reports_every_measure():
    run = subprocess.run(
        [sys.executable, "-m", "invoke", "bench", "--items", "300", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout)  # one JSON object, nothing else on stdout
    assert [f for f in FIELDS if f not in results] == []
    assert results["items"] == 300
    assert results["pages"] > 300  # an item page each, plus issues, lists, terms
    for field in FIELDS[2:12]:
        assert isinstance(results[field], float | int) and results[field] > 0, field
    assert results["noop_build_skipped"] is True
    # The whole build (with Pagefind) uses more memory than the pages alone, and the peak
    # counts every process of the build.
    assert results["peak_rss_mb"] >= results["peak_rss_mb_by_step"]["full_build_with_search"]
    assert 0 < results["largest_html_kb"] < 150
    queries = results["first_query_gzip_kb"]
    assert set(queries) == {"孔海龙", "瓯江口新区", "温委发〔2014〕27号", "温商回归"}
    assert all(0 < kb < 500 for kb in queries.values()), queries
    for query, measured in results["first_query"].items():
        assert "找到" in measured["status"], (query, measured)
