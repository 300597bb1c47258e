"""Sheets from the staff pages: a visit's plaques, the codes a search shows, or
the codes just issued, as a PDF with crop marks or a zip of SVG files."""

import io
import zipfile
from datetime import date
from html import unescape

import pypdfium2 as pdfium
import pytest
from support import token
from test_artwork import pdf_pages, rasterise

from service import admin_codes, artwork, codes, institutions, visits

BASE = "HTTPS://Q.EXAMPLE.GO.ID"


@pytest.fixture
def delegation(store):
    """A visit of Universitas Udayana with three plaques, and one other code."""
    unud = institutions.register(store, "Universitas Udayana", "university")
    visit = visits.create(store, unud.id, date(2026, 11, 20), "studi banding")
    for slug in ("UNUD-1", "UNUD-2", "UNUD-3"):
        codes.create(
            store, "https://baliprov.go.id/", unud.id, slug=slug, visit=visit.id
        )
    codes.create(store, "https://pkb.baliprov.go.id/", slug="PKB-2026")
    return visit


def _pdf_text(body: bytes) -> str:
    document = pdfium.PdfDocument(body)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _zip_names(body: bytes) -> list[str]:
    return sorted(zipfile.ZipFile(io.BytesIO(body)).namelist())


def test_a_visits_sheet_holds_its_plaques_with_the_institution(viewer, delegation):
    answer = viewer.get(f"/admin/sheet.pdf?visit={delegation.id}&institution=1")

    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="visit-{delegation.id}.pdf"'
    )
    [page] = pdf_pages(answer.data, scale=3)
    assert sorted(artwork.decode_image(page)) == [
        f"{BASE}/UNUD-1", f"{BASE}/UNUD-2", f"{BASE}/UNUD-3",
    ]  # fmt: skip
    text = _pdf_text(answer.data)
    assert text.count("Universitas Udayana") == 3
    assert "q.example.go.id/UNUD-2" in text


def test_a_visits_zip_has_one_svg_a_plaque_that_decodes(viewer, delegation):
    answer = viewer.get(f"/admin/sheet.zip?visit={delegation.id}")

    assert answer.status_code == 200
    assert answer.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    assert sorted(archive.namelist()) == ["UNUD-1.svg", "UNUD-2.svg", "UNUD-3.svg"]
    image = rasterise(archive.read("UNUD-2.svg"), "svg")
    assert artwork.decode_image(image) == [f"{BASE}/UNUD-2"]


def test_the_search_chooses_the_codes_of_the_sheet(viewer, delegation):
    searched = viewer.get("/admin/sheet.zip?q=pkb")
    everything = viewer.get("/admin/sheet.zip?q=")

    assert _zip_names(searched.data) == ["PKB-2026.svg"]
    assert len(_zip_names(everything.data)) == 4


def test_named_codes_make_a_sheet(viewer, delegation):
    answer = viewer.get("/admin/sheet.zip?slug=pkb-2026&slug=UNUD-3")

    assert _zip_names(answer.data) == ["PKB-2026.svg", "UNUD-3.svg"]


def test_the_code_list_and_the_visits_page_link_their_sheets(viewer, delegation):
    listed = unescape(viewer.get("/admin/?q=unud").get_data(as_text=True))
    visits_page = unescape(viewer.get("/admin/visits").get_data(as_text=True))

    assert "/admin/sheet.pdf?q=unud&institution=1" in listed
    assert "/admin/sheet.zip?q=unud" in listed
    assert f"/admin/sheet.pdf?visit={delegation.id}&institution=1" in visits_page
    assert f"/admin/sheet.zip?visit={delegation.id}" in visits_page


def test_the_codes_just_issued_link_their_sheet(staff, store, delegation):
    answer = staff.post("/admin/codes/new", data={
        "csrf_token": token(staff, "/admin/codes/new"),
        "target": "https://baliprov.go.id/profil", "visit": delegation.id, "count": "2",
    })  # fmt: skip
    earlier = {"UNUD-1", "UNUD-2", "UNUD-3", "PKB-2026"}
    made = sorted({code.slug for code in codes.list_codes(store)} - earlier)
    page = unescape(answer.get_data(as_text=True))
    link = page.split('href="/admin/sheet.zip?', 1)[1].split('"', 1)[0]

    assert answer.status_code == 201 and len(made) == 2
    assert sorted(link.removeprefix("slug=").split("&slug=")) == made
    assert _zip_names(staff.get(f"/admin/sheet.zip?{link}").data) == [
        f"{slug}.svg" for slug in made
    ]


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("visit=999", 400, "visit 999 does not exist"),
        ("slug=NOPE99", 404, "code NOPE99 does not exist"),
        ("q=nothing-matches", 400, "no code matches"),
        ("visit={visit}&slug=PKB-2026", 400, "choose a visit or codes, not both"),
    ],
)
def test_a_sheet_that_cannot_be_made_is_explained(viewer, delegation, query, status,
                                                  says):  # fmt: skip
    answer = viewer.get("/admin/sheet.pdf?" + query.format(visit=delegation.id))

    page = unescape(answer.get_data(as_text=True))
    assert answer.status_code == status
    assert answer.mimetype == "text/html"
    assert "Lembar tidak dapat dibuat" in page and "The sheet could not be made" in page
    assert says in page


def test_a_visit_without_codes_is_explained(viewer, store):
    unud = institutions.register(store, "Universitas Udayana", "university")
    visit = visits.create(store, unud.id, date(2026, 11, 20), "studi banding")

    answer = viewer.get(f"/admin/sheet.pdf?visit={visit.id}")

    assert answer.status_code == 400
    assert "no codes to draw" in answer.get_data(as_text=True)


def test_more_codes_than_a_page_draws_send_to_the_command_line(viewer, store):
    for _ in range(admin_codes.MAX_PAGE_SHEET + 1):
        codes.create(store, "https://baliprov.go.id/")

    answer = viewer.get("/admin/sheet.pdf")
    listed = viewer.get("/admin/").get_data(as_text=True)

    page = answer.get_data(as_text=True)
    assert answer.status_code == 413
    assert f"{admin_codes.MAX_PAGE_SHEET + 1} kode" in page
    assert f"{admin_codes.MAX_PAGE_SHEET + 1} codes" in page
    assert "ciberq qr sheet --all" in page
    assert "/admin/sheet.pdf" not in listed


def test_sheets_need_a_signed_in_user(client, delegation):
    answer = client.get(f"/admin/sheet.pdf?visit={delegation.id}")

    assert answer.status_code == 302
    assert "/admin/login" in answer.headers["Location"]


def test_an_unknown_sheet_kind_is_not_found(viewer, delegation):
    assert viewer.get(f"/admin/sheet.gif?visit={delegation.id}").status_code == 404
