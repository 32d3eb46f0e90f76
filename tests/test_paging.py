"""Pages of long lists (bulletin/site/paging.py): sizes, URLs, the pager's numbers."""

from __future__ import annotations

from bulletin.site.paging import page_numbers, page_url, paginate


def test_lists_are_cut_into_pages_of_at_most_100():
    pages = paginate(list(range(250)), "topics/x/")
    assert [len(p.entries) for p in pages] == [100, 100, 50]
    assert [p.url for p in pages] == ["topics/x/", "topics/x/page/2/", "topics/x/page/3/"]
    assert [e for p in pages for e in p.entries] == list(range(250))
    assert pages[0].pager.previous_url is None
    assert pages[0].pager.next_url == "topics/x/page/2/"
    assert pages[2].pager.previous_url == "topics/x/page/2/"
    assert pages[2].pager.next_url is None
    assert page_url("topics/x/", 1) == "topics/x/"


def test_an_issue_counts_with_its_headlines():
    issues = [21] * 10  # an issue and its 20 headlines: 21 entries
    pages = paginate(issues, "bulletins/", weight=lambda n: n)
    assert [len(p.entries) for p in pages] == [4, 4, 2]
    assert all(sum(p.entries) <= 100 for p in pages)
    assert [len(p.entries) for p in paginate([150, 1], "b/", weight=lambda n: n)] == [1, 1]


def test_an_empty_list_is_one_page():
    pages = paginate([], "topics/x/")
    assert len(pages) == 1 and pages[0].entries == [] and pages[0].pager.count == 1


def test_the_pager_shows_first_last_and_neighbours():
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 5) == [1, 2, 3, 4, 5]
    assert page_numbers(1, 20) == [1, 2, 3, None, 20]
    assert page_numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_numbers(4, 20) == [1, 2, 3, 4, 5, 6, None, 20]
    assert page_numbers(20, 20) == [1, None, 18, 19, 20]
