import datetime as dt

import pytest

from bulletin.content.dates import (
    PartialDate,
    find_full_date,
    first_sentence_month_day,
    leading_month_day,
    month_day_in_issue,
)


def test_month_day_takes_its_year_from_the_issue():
    january_2014 = PartialDate(2014, 1)
    assert month_day_in_issue(12, 30, january_2014) == PartialDate(2013, 12, 30)
    assert month_day_in_issue(1, 11, january_2014) == PartialDate(2014, 1, 11)
    assert month_day_in_issue(7, 11, PartialDate(2014, 7, 13)) == PartialDate(2014, 7, 11)


@pytest.mark.parametrize("text", ["2014-02-30", "2014-13", "20140101", "二〇一四年", ""])
def test_invalid_dates_are_rejected(text):
    with pytest.raises(ValueError):
        PartialDate.parse(text)


def test_partial_dates_keep_their_precision():
    month = PartialDate.parse("2014-01")
    assert (month.iso, month.zh) == ("2014-01", "2014年1月")
    assert (month.first_day, month.last_day) == (dt.date(2014, 1, 1), dt.date(2014, 1, 31))
    assert PartialDate.parse(dt.date(2014, 7, 13)).zh == "2014年7月13日"
    assert PartialDate(2014, 12).last_day == dt.date(2014, 12, 31)


def test_dates_in_text():
    assert leading_month_day("12月30日，市人大副主任孟建新一行") == (12, 30)
    assert leading_month_day("今年1月份的省两会上") is None
    assert first_sentence_month_day("……市长联席会议于10月23日在我市召开。会议就") == (10, 23)
    assert first_sentence_month_day("在今年5月30日召开的年会上，签约。") is None
    assert find_full_date("2014年7月13日") == PartialDate(2014, 7, 13)
