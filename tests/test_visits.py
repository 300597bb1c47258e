"""Visits: an institution's visit on a date, with its documentation."""

from datetime import date

import pytest

from service import institutions, visits
from service.errors import InvalidInput, InvalidTarget


def test_a_visit_is_recorded_newest_first(store):
    place = institutions.register(store, "Universitas Udayana", "university")

    older = visits.create(store, place.id, date(2026, 3, 12), "studi banding")
    newer = visits.create(store, place.id, date(2026, 11, 30), "kunjungan kerja",
                          "https://baliprov.go.id/dokumentasi/unud")  # fmt: skip

    assert [v.id for v in visits.list_all(store)] == [newer.id, older.id]
    assert visits.get(store, newer.id).documentation.endswith("/unud")


@pytest.mark.parametrize(
    ("institution", "documentation", "error"),
    [("99", "", InvalidInput), ("1", "javascript:alert(1)", InvalidTarget),
     ("1", "ftp://baliprov.go.id/x", InvalidTarget)],
)  # fmt: skip
def test_a_bad_visit_is_refused_and_nothing_written(
    store, institution, documentation, error
):
    institutions.register(store, "Universitas Udayana", "university")

    with pytest.raises(error):
        visits.create(store, institution, date(2026, 3, 12), "x", documentation)
    assert visits.list_all(store) == []
