"""The staff pages: sign-in, CSRF, roles, and a code's life through the forms."""

import re

import pytest
from support import PASSWORD, TOKEN, sign_in, token

from service import accounts, campaigns, codes, events, institutions


def test_login_page_has_a_csrf_token_and_no_script(client):
    response = client.get("/admin/login")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert TOKEN.search(page)
    assert "<script" not in page
    assert "Masuk" in page and "Sign in" in page


def test_session_cookie_is_httponly_lax_and_secure_on_https(store, client):
    accounts.add_user(store, "wayan", "staff", PASSWORD)

    response = sign_in(client, "wayan")

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_login_without_csrf_token_is_refused(store, client):
    accounts.add_user(store, "wayan", "staff", PASSWORD)

    response = client.post("/admin/login", data={"name": "wayan", "password": PASSWORD})

    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["wayan", "nobody"])
def test_wrong_password_and_unknown_user_get_the_same_401(store, client, name):
    accounts.add_user(store, "wayan", "staff", PASSWORD)

    response = sign_in(client, name, "not the password")

    assert response.status_code == 401
    assert "Wrong user name or password." in response.get_data(as_text=True)


def test_too_many_failures_answer_429_with_retry_after(store, client):
    accounts.add_user(store, "wayan", "staff", PASSWORD)
    for _ in range(accounts.MAX_ACCOUNT_FAILURES):
        sign_in(client, "wayan", "not the password")

    response = sign_in(client, "wayan")

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_pages_without_a_session_send_to_the_login(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/login?next=/admin/")


def test_sign_in_returns_to_the_page_asked_for(store, client):
    accounts.add_user(store, "ketut", "viewer", PASSWORD)
    asked = client.get("/admin/events").headers["Location"]
    data = {"csrf_token": token(client), "name": "ketut", "password": PASSWORD}

    response = client.post(asked, data=data)

    assert response.headers["Location"] == "/admin/events"


@pytest.mark.parametrize(
    "wanted",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"],
)
def test_sign_in_never_sends_to_another_site(store, client, wanted):
    accounts.add_user(store, "ketut", "viewer", PASSWORD)
    data = {"csrf_token": token(client), "name": "ketut", "password": PASSWORD}

    response = client.post("/admin/login", query_string={"next": wanted}, data=data)

    assert response.headers["Location"] == "/admin/"


def test_viewer_can_list_but_not_create(store, viewer):
    codes.create(store, "https://baliprov.go.id/", slug="K7F2X9")

    listed = viewer.get("/admin/")
    refused = viewer.post(
        "/admin/codes/new",
        data={"csrf_token": token(viewer, "/admin/"), "target": "https://x.id/"},
    )

    assert listed.status_code == 200
    assert "K7F2X9" in listed.get_data(as_text=True)
    assert refused.status_code == 403
    assert len(codes.list_codes(store)) == 1


def test_the_list_shows_each_codes_guests_scans(store, viewer):
    codes.create(store, "https://baliprov.go.id/a", slug="AAA111")
    codes.create(store, "https://baliprov.go.id/b", slug="BBB222")
    phone = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36"}
    for _ in range(3):
        viewer.get("/AAA111", headers=phone)
    viewer.get("/BBB222", headers={"User-Agent": "TelegramBot (like TwitterBot)"})

    listed = viewer.get("/admin/").get_data(as_text=True)

    def scans_in_row(slug: str) -> str:
        row = listed[listed.index(slug) :]
        return re.search(r'class="num">(\d+)<', row[: row.index("</tr>")]).group(1)

    assert (scans_in_row("AAA111"), scans_in_row("BBB222")) == ("3", "0")


def test_search_matches_slug_target_and_institution(store, viewer):
    jabar = institutions.register(store, "Pemerintah Provinsi Jawa Barat", "province")
    codes.create(store, "https://baliprov.go.id/a", jabar.id, slug="AAA111")
    codes.create(store, "https://pkb.baliprov.go.id/", slug="BBB222")

    def listed(query: str) -> str:
        return viewer.get("/admin/", query_string={"q": query}).get_data(as_text=True)

    assert "AAA111" in listed("jawa barat") and "BBB222" not in listed("jawa barat")
    assert "BBB222" in listed("PKB.") and "AAA111" not in listed("PKB.")
    assert "AAA111" in listed("aaa1") and "BBB222" not in listed("aaa1")


def test_staff_creates_retargets_and_the_next_scan_lands_there(store, staff):
    created = staff.post(
        "/admin/codes/new",
        data={
            "csrf_token": token(staff, "/admin/codes/new"),
            "target": "https://baliprov.go.id/profil",
            "institution": "Universitas Udayana",
            "slug": "unud-1",
        },
    )
    assert created.status_code == 302
    assert created.headers["Location"].endswith("/admin/codes/UNUD-1")

    retargeted = staff.post(
        "/admin/codes/UNUD-1/retarget",
        data={
            "csrf_token": token(staff, "/admin/codes/UNUD-1"),
            "target": "https://pkb.baliprov.go.id/",
            "reason": "Pesta Kesenian Bali",
        },
    )
    scan = staff.get("/unud-1")

    assert retargeted.status_code == 302
    assert scan.status_code == 302
    assert scan.headers["Location"] == "https://pkb.baliprov.go.id/"
    assert codes.get(store, "UNUD-1").institution
    changes = codes.history(store, "UNUD-1")
    assert [(c["action"], c["by"]) for c in changes] == [
        ("created", "user:wayan"),
        ("retargeted", "user:wayan"),
    ]
    page = staff.get("/admin/codes/UNUD-1").get_data(as_text=True)
    assert page.count("user:wayan") == 2
    assert "Pesta Kesenian Bali" in page
    assert "Universitas Udayana" in page


def test_a_bad_target_shows_the_form_again_with_the_message(store, staff):
    response = staff.post(
        "/admin/codes/new",
        data={
            "csrf_token": token(staff, "/admin/codes/new"),
            "target": "javascript:alert(1)",
        },
    )

    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)
    assert codes.list_codes(store) == []


def test_disable_and_enable_through_the_buttons(store, staff):
    codes.create(store, "https://baliprov.go.id/", slug="K7F2X9")
    page = "/admin/codes/K7F2X9"

    disabled = staff.post(f"{page}/disable", data={"csrf_token": token(staff, page)})
    gone = staff.get("/K7F2X9")
    enabled = staff.post(f"{page}/enable", data={"csrf_token": token(staff, page)})

    assert (disabled.status_code, gone.status_code, enabled.status_code) == (
        302,
        410,
        302,
    )
    assert codes.get(store, "K7F2X9").active
    assert [c["by"] for c in codes.history(store, "K7F2X9")][1:] == ["user:wayan"] * 2


def test_a_change_without_csrf_token_is_refused(store, staff):
    codes.create(store, "https://baliprov.go.id/", slug="K7F2X9")

    response = staff.post("/admin/codes/K7F2X9/disable")

    assert response.status_code == 400
    assert codes.get(store, "K7F2X9").active


def test_logout_ends_the_session(staff):
    response = staff.post("/admin/logout", data={"csrf_token": token(staff, "/admin/")})

    assert response.status_code == 302
    assert staff.get("/admin/").status_code == 302


def test_api_and_redirects_need_no_csrf_token(store, client):
    codes.create(store, "https://baliprov.go.id/", slug="K7F2X9")

    assert client.post("/K7F2X9").status_code != 400
    assert client.post("/api/v1/codes", json={"target": "x"}).status_code == 401


def test_pages_carry_no_inline_style_and_their_style_sheet_is_served(client):
    page = client.get("/admin/login").get_data(as_text=True)
    with client.get("/static/admin.css") as sheet:
        status = sheet.status_code

    assert "<style" not in page and " style=" not in page
    assert 'href="/static/admin.css"' in page
    assert status == 200


def test_revert_points_the_code_back_at_the_earlier_target(store, staff):
    codes.create(store, "https://baliprov.go.id/", slug="K7F2X9")
    codes.retarget(store, "K7F2X9", "https://baliprov.go.id/first")
    codes.retarget(store, "K7F2X9", "https://baliprov.go.id/second")
    page = "/admin/codes/K7F2X9"
    assert "Kembalikan / Revert" in staff.get(page).get_data(as_text=True)

    response = staff.post(
        f"{page}/revert", data={"csrf_token": token(staff, page), "index": "2"}
    )

    assert response.status_code == 302
    assert codes.get(store, "K7F2X9").target == "https://baliprov.go.id/first"
    changes = codes.history(store, "K7F2X9")
    assert len(changes) == 4
    assert changes[-1]["action"] == "retargeted"
    assert changes[-1]["by"] == "user:wayan"
    assert "revert of change 2" in changes[-1]["reason"]


@pytest.mark.parametrize("index", ["0", "9", "-1", "x"])
def test_only_a_retarget_can_be_reverted(store, staff, index):
    codes.create(store, "https://baliprov.go.id/", slug="K7F2X9")
    codes.retarget(store, "K7F2X9", "https://baliprov.go.id/first")
    page = "/admin/codes/K7F2X9"

    response = staff.post(
        f"{page}/revert", data={"csrf_token": token(staff, page), "index": index}
    )

    assert response.status_code == 400
    assert codes.get(store, "K7F2X9").target == "https://baliprov.go.id/first"


def test_a_viewer_sees_no_revert_button_and_may_not_revert(store, viewer):
    codes.create(store, "https://baliprov.go.id/", slug="K7F2X9")
    codes.retarget(store, "K7F2X9", "https://baliprov.go.id/first")
    page = "/admin/codes/K7F2X9"

    shown = viewer.get(page).get_data(as_text=True)
    refused = viewer.post(
        f"{page}/revert", data={"csrf_token": token(viewer, page), "index": "1"}
    )

    assert "Kembalikan / Revert" not in shown
    assert refused.status_code == 403
    assert codes.get(store, "K7F2X9").target == "https://baliprov.go.id/first"


def test_a_revert_without_csrf_token_is_refused(store, staff):
    codes.create(store, "https://baliprov.go.id/", slug="K7F2X9")
    codes.retarget(store, "K7F2X9", "https://baliprov.go.id/first")

    response = staff.post("/admin/codes/K7F2X9/revert", data={"index": "1"})

    assert response.status_code == 400
    assert codes.get(store, "K7F2X9").target == "https://baliprov.go.id/first"


def test_a_viewer_downloads_the_artwork_that_reads_as_the_short_url(store, viewer):
    from service import artwork

    codes.create(store, "https://baliprov.go.id/", slug="k7f2x9")
    page = viewer.get("/admin/codes/K7F2X9").get_data(as_text=True)

    response = viewer.get("/admin/codes/K7F2X9/qr.png")

    assert 'href="/admin/codes/K7F2X9/qr.svg"' in page
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="K7F2X9.png"'
    )
    assert artwork.decode(response.data) == ["HTTPS://Q.EXAMPLE.GO.ID/K7F2X9"]


@pytest.mark.parametrize(
    ("fmt", "mimetype", "start"),
    [("svg", "image/svg+xml", b"<"), ("pdf", "application/pdf", b"%PDF")],
)
def test_svg_and_pdf_artwork_downloads(store, viewer, fmt, mimetype, start):
    codes.create(store, "https://baliprov.go.id/", slug="K7F2X9")

    response = viewer.get(f"/admin/codes/K7F2X9/qr.{fmt}")

    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.data.lstrip().startswith(start)
    assert f'filename="K7F2X9.{fmt}"' in response.headers["Content-Disposition"]


def test_artwork_needs_a_session_and_a_known_format(store, client):
    codes.create(store, "https://baliprov.go.id/", slug="K7F2X9")

    anonymous = client.get("/admin/codes/K7F2X9/qr.png")
    accounts.add_user(store, "ketut", "viewer", PASSWORD)
    sign_in(client, "ketut")
    unknown = client.get("/admin/codes/K7F2X9/qr.eps")

    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/admin/login?next=")
    assert unknown.status_code == 404


def test_staff_registers_an_institution_and_sees_it_listed(store, staff):
    page = "/admin/institutions"

    response = staff.post(
        page,
        data={
            "csrf_token": token(staff, page),
            "name": "Pemerintah Provinsi Jawa Barat",
            "kind": "province",
            "region": "Jawa Barat",
            "country": "ID",
        },
    )
    listed = staff.get(page).get_data(as_text=True)

    assert response.status_code == 302
    found = institutions.find(store, "pemerintah provinsi jawa barat")
    assert (found.kind, found.region, found.country) == ("province", "Jawa Barat", "ID")
    assert "Pemerintah Provinsi Jawa Barat" in listed
    assert institutions.KINDS["province"] in listed


def test_an_unknown_kind_or_empty_name_is_refused(store, staff):
    page = "/admin/institutions"
    csrf = token(staff, page)

    unknown = staff.post(page, data={"csrf_token": csrf, "name": "X", "kind": "club"})
    empty = staff.post(page, data={"csrf_token": csrf, "name": " ", "kind": ""})

    assert (unknown.status_code, empty.status_code) == (400, 400)
    assert institutions.list_all(store) == []


def test_a_viewer_lists_institutions_but_may_not_register(store, viewer):
    institutions.register(store, "Universitas Udayana", "university")
    page = "/admin/institutions"

    listed = viewer.get(page).get_data(as_text=True)
    refused = viewer.post(
        page, data={"csrf_token": token(viewer, page), "name": "Baru"}
    )

    assert "Universitas Udayana" in listed and "Register an institution" not in listed
    assert refused.status_code == 403
    assert len(institutions.list_all(store)) == 1


def test_staff_records_a_visit_of_a_chosen_institution(store, staff):
    from service import visits

    unud = institutions.register(store, "Universitas Udayana", "university")
    page = "/admin/visits"
    form = staff.get(page).get_data(as_text=True)

    response = staff.post(
        page,
        data={
            "csrf_token": token(staff, page),
            "institution": unud.id,
            "date": "2026-11-20",
            "purpose": "Studi banding layanan digital",
            "documentation": "https://baliprov.go.id/foto/unud",
        },
    )
    listed = staff.get(page).get_data(as_text=True)

    assert f'<option value="{unud.id}">Universitas Udayana</option>' in form
    assert response.status_code == 302
    [visit] = visits.list_all(store)
    assert (visit.institution, visit.date) == (unud.id, "2026-11-20")
    assert "Studi banding layanan digital" in listed
    assert 'href="https://baliprov.go.id/foto/unud"' in listed


@pytest.mark.parametrize(
    ("field", "value"),
    [("institution", "999"), ("date", "20-11-2026"), ("documentation", "javascript:x")],
)
def test_a_bad_visit_is_refused(store, staff, field, value):
    from service import visits

    unud = institutions.register(store, "Universitas Udayana")
    page = "/admin/visits"
    data = {"institution": unud.id, "date": "2026-11-20", "documentation": ""}
    data[field] = value

    response = staff.post(page, data={"csrf_token": token(staff, page), **data})

    assert response.status_code == 400
    assert visits.list_all(store) == []


def test_staff_imports_a_csv_and_sees_the_summary(store, staff):
    import io

    from service import visits

    page = "/admin/institutions/import"
    text = (
        "name,kind,region,country,visit_date,purpose,documentation\n"
        "Universitas Udayana,university,Bali,ID,2026-11-20,Studi banding,\n"
        "Klub Motor,club,,,,,\n"
    )

    response = staff.post(
        page,
        data={
            "csrf_token": token(staff, page),
            "file": (io.BytesIO(text.encode()), "institusi.csv"),
        },
        content_type="multipart/form-data",
    )

    summary = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "New institutions" in summary and "kind &#39;club&#39; is unknown" in summary
    assert [item.name for item in institutions.list_all(store)] == [
        "Universitas Udayana"
    ]
    assert len(visits.list_all(store)) == 1


def test_a_viewer_may_not_import(viewer):
    refused = viewer.get("/admin/institutions/import")

    assert refused.status_code == 403


def test_import_without_a_file_shows_the_form_again(store, staff):
    page = "/admin/institutions/import"

    response = staff.post(page, data={"csrf_token": token(staff, page)})

    assert response.status_code == 400
    assert institutions.list_all(store) == []


# events and campaigns

EVENT_PAGE = "https://baliprov.go.id/agenda/pkb-2026"


def _add_event(client):
    return client.post("/admin/events", data={
        "csrf_token": token(client, "/admin/events"),
        "name_id": "Pesta Kesenian Bali", "name_en": "Bali Arts Festival",
        "starts": "2026-06-14", "ends": "2026-07-13", "page": EVENT_PAGE,
    })  # fmt: skip


def test_staff_add_an_event_and_run_a_campaign_the_scan_follows(staff, store):
    codes.create(store, "https://example.org/own", slug="OWN")

    added = _add_event(staff)
    started = staff.post("/admin/campaigns", data={
        "csrf_token": token(staff, "/admin/campaigns"), "event": "1",
        "starts": "2020-01-01 00:00", "ends": "2099-01-01 00:00", "scope": "codes",
        "value": "own", "target": "",
    })  # fmt: skip
    scan = staff.get("/OWN")
    listed = staff.get("/admin/campaigns").get_data(as_text=True)

    assert added.status_code == 302 and events.list_all(store)[0].page == EVENT_PAGE
    assert started.status_code == 302
    assert scan.headers["Location"] == EVENT_PAGE
    assert "Pesta Kesenian Bali" in listed and "OWN" in listed

    cancelled = staff.post(
        "/admin/campaigns/1/cancel",
        data={"csrf_token": token(staff, "/admin/campaigns")},
    )
    assert cancelled.status_code == 302
    assert staff.get("/OWN").headers["Location"] == "https://example.org/own"
    assert campaigns.list_all(store) == []


def test_bad_campaign_times_are_explained_and_nothing_is_made(staff, store):
    _add_event(staff)

    answer = staff.post("/admin/campaigns", data={
        "csrf_token": token(staff, "/admin/campaigns"), "event": "1",
        "starts": "soon", "ends": "later", "scope": "all",
    })  # fmt: skip

    assert answer.status_code == 400
    assert "2026-06-14 09:00" in answer.get_data(as_text=True)
    assert campaigns.list_all(store) == []


def test_viewers_see_events_and_campaigns_but_may_not_change_them(viewer):
    assert viewer.get("/admin/events").status_code == 200
    assert viewer.get("/admin/campaigns").status_code == 200
    refused = viewer.post("/admin/events", data={
        "csrf_token": token(viewer, "/admin/events"), "name_id": "X", "name_en": "X",
        "starts": "2026-06-14", "ends": "2026-07-13",
    })  # fmt: skip
    assert refused.status_code == 403


def test_one_code_per_delegate_of_a_visit_at_once(staff, store):
    from datetime import date

    from service import visits

    place = institutions.register(store, "Pemerintah Provinsi Jawa Barat", "province")
    visit = visits.create(store, place.id, date(2026, 11, 20), "studi tiru")

    answer = staff.post("/admin/codes/new", data={
        "csrf_token": token(staff, "/admin/codes/new"),
        "target": "https://baliprov.go.id/profil", "visit": visit.id, "count": "4",
    })  # fmt: skip

    made = [code for code in codes.list_codes(store) if code.visit == visit.id]
    assert answer.status_code == 201
    assert len(made) == 4 and {code.institution for code in made} == {place.id}
    page = answer.get_data(as_text=True)
    assert all(code.slug in page for code in made)


def test_a_custom_slug_makes_only_one_code(staff, store):
    answer = staff.post("/admin/codes/new", data={
        "csrf_token": token(staff, "/admin/codes/new"),
        "target": "https://baliprov.go.id/", "slug": "ONE", "count": "3",
    })  # fmt: skip

    assert answer.status_code == 400
    assert codes.list_codes(store) == []


def test_the_code_page_previews_what_it_opens_at_a_moment(viewer, store):
    from datetime import UTC, date, datetime

    codes.create(store, "https://example.org/own", slug="OWN")
    pkb = events.create(store, "Pesta Kesenian Bali", "Bali Arts Festival",
                        date(2026, 6, 14), date(2026, 7, 12), EVENT_PAGE)  # fmt: skip
    # 10:00 to 18:00 WITA on 20 June 2026
    campaigns.create(store, pkb.id, datetime(2026, 6, 20, 2, tzinfo=UTC),
                     datetime(2026, 6, 20, 10, tzinfo=UTC), "codes", "OWN")  # fmt: skip

    def opens(at: str) -> str:
        page = viewer.get("/admin/codes/OWN", query_string={"at": at})
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        return text[
            text.index('class="preview"') : text.index(
                "</p>", text.index('class="preview"')
            )
        ]

    inside, before = opens("2026-06-20T17:59"), opens("2026-06-20T09:59")
    assert "2026-06-20 17:59 WITA" in inside
    assert EVENT_PAGE in inside and "Pesta Kesenian Bali" in inside
    assert "https://example.org/own" in before and "Pesta" not in before
    assert "https://example.org/own" in opens("")  # now: the window is over


def test_a_bad_preview_time_is_explained_in_both_languages(viewer, store):
    codes.create(store, "https://example.org/own", slug="OWN")

    page = viewer.get("/admin/codes/OWN", query_string={"at": "besok"})

    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Waktu pratinjau tidak dikenali" in text and "not understood" in text
    assert "https://example.org/own" in text
