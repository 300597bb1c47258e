"""Landing pages on the staff pages: the checkbox, the content forms, the clicks."""

from support import PASSWORD, sign_in, token

from service import accounts, codes, landing
from service.targets import LANDING


def test_staff_create_a_landing_code_and_switch_it_back(store, staff):
    made = staff.post("/admin/codes/new", data={
        "csrf_token": token(staff, "/admin/codes/new"), "target": "",
        "landing": "y", "institution": "Universitas Udayana", "slug": "UNUD-9",
    })  # fmt: skip
    page = staff.get("/admin/codes/UNUD-9").get_data(as_text=True)
    back = staff.post("/admin/codes/UNUD-9/retarget", data={
        "csrf_token": token(staff, "/admin/codes/UNUD-9"),
        "target": "https://baliprov.go.id/", "reason": "kembali",
    })  # fmt: skip

    assert made.status_code == 302
    assert "landing page" in page and "Link clicks" in page
    assert back.status_code == 302
    assert [e["to"] for e in codes.history(store, "UNUD-9")] == [
        LANDING, "https://baliprov.go.id/",
    ]  # fmt: skip


def test_a_new_code_needs_a_target_or_the_landing_page(staff):
    answer = staff.post("/admin/codes/new", data={
        "csrf_token": token(staff, "/admin/codes/new"), "target": "",
    })  # fmt: skip

    assert answer.status_code == 400
    assert "target is empty" in answer.get_data(as_text=True)


def test_staff_edit_a_codes_landing_content(store, staff):
    codes.create(store, LANDING, slug="TAMU-2")

    saved = staff.post("/admin/codes/TAMU-2/landing", data={
        "csrf_token": token(staff, "/admin/codes/TAMU-2/landing"),
        "message_en": "Greetings", "links": "tour | https://baliprov.go.id/tur | Tur |"
        " Tour\n",
    })  # fmt: skip
    refused = staff.post("/admin/codes/TAMU-2/landing", data={
        "csrf_token": token(staff, "/admin/codes/TAMU-2/landing"),
        "profile_url": "javascript:alert(1)",
    })  # fmt: skip
    form = staff.get("/admin/codes/TAMU-2/landing").get_data(as_text=True)

    assert saved.status_code == 302
    assert landing.override(store, "code", "TAMU-2") == {
        "message_en": "Greetings",
        "links": [{"id": "tour", "url": "https://baliprov.go.id/tur",
                   "label_id": "Tur", "label_en": "Tour"}],
    }  # fmt: skip
    assert refused.status_code == 400
    assert "tour | https://baliprov.go.id/tur | Tur | Tour" in form


def test_a_viewer_reads_but_cannot_save_the_office_content(store, client):
    accounts.add_user(store, "ketut", "viewer", PASSWORD)
    sign_in(client, "ketut")

    page = client.get("/admin/landing")
    saved = client.post("/admin/landing", data={
        "csrf_token": token(client, "/admin/landing"), "email": "a@b.id",
    })  # fmt: skip

    assert page.status_code == 200 and "Simpan" not in page.get_data(as_text=True)
    assert saved.status_code == 403
    assert landing.override(store, "office") == {}
