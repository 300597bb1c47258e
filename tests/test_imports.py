"""Importing institutions and visits from CSV text."""

import pytest

from service import imports, institutions, visits

HEADER = "name,kind,region,country,visit_date,purpose,documentation\n"


def test_rows_register_institutions_and_record_visits(store):
    text = HEADER + (
        "Universitas Udayana,university,Bali,ID,2026-11-20,Studi banding,"
        "https://baliprov.go.id/foto/1\n"
        "Pemerintah Kota Bandung,regency,Jawa Barat,,,,\n"
        "universitas  udayana,,,,2026-11-21,Kunjungan kedua,\n"
    )

    counts, errors = imports.import_csv(store, text)

    assert errors == []
    assert counts == {"institutions": 2, "existing": 1, "visits": 2}
    bandung = institutions.find(store, "Pemerintah Kota Bandung")
    assert (bandung.kind, bandung.country) == ("regency", "ID")
    assert [visit.date for visit in visits.list_all(store)] == [
        "2026-11-21",
        "2026-11-20",
    ]


def test_the_visit_columns_are_optional(store):
    text = "name,kind,region,country\nDPRD Bali,,,\n"

    counts, errors = imports.import_csv(store, text)

    assert (counts["institutions"], counts["visits"], errors) == (1, 0, [])


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (",province,,,,,", "name"),
        ("Klub Motor,club,,,,,", "kind 'club'"),
        ("Universitas Udayana,,,,20-11-2026,,", "visit_date"),
        ("Universitas Udayana,,,,2026-11-20,,javascript:alert(1)", "documentation"),
        ("Universitas Udayana,,,,,Studi banding,", "without a visit_date"),
    ],
)
def test_a_bad_row_is_reported_and_leaves_nothing(store, row, reason):
    text = HEADER + "DPRD Bali,,,,,,\n" + row + "\n"

    counts, errors = imports.import_csv(store, text)

    assert counts["institutions"] == 1
    [error] = errors
    assert error.row == 3 and reason in error.reason
    assert [item.name for item in institutions.list_all(store)] == ["DPRD Bali"]
    assert visits.list_all(store) == []


def test_a_header_without_the_required_columns_imports_nothing(store):
    counts, errors = imports.import_csv(store, "nama,jenis\nDPRD Bali,\n")

    assert counts == {"institutions": 0, "existing": 0, "visits": 0}
    assert errors == [
        imports.RowError(1, "the header lacks name, kind, region, country")
    ]
    assert institutions.list_all(store) == []
