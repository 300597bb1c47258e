"""The admins' pages: people, API tokens and the audit log, with their roles."""

import csv
import io

import pytest
from support import PASSWORD, sign_in, token

from service import accounts, admin_accounts, audit, tokens

PAGES = ["/admin/users", "/admin/tokens", "/admin/audit", "/admin/audit.csv"]
POSTS = [
    "/admin/users",
    "/admin/users/made/role",
    "/admin/users/made/disable",
    "/admin/users/made/enable",
    "/admin/users/made/password",
    "/admin/tokens",
    "/admin/tokens/abcd1234/revoke",
]


@pytest.fixture
def boss(store, client):
    """A client signed in as the only admin."""
    accounts.add_user(store, "made", "admin", PASSWORD)
    assert sign_in(client, "made").status_code == 302
    return client


def post(client, path: str, **data):
    """Post a form the way a browser does, with the CSRF token of the users page."""
    return client.post(path, data={"csrf_token": token(client, "/admin/users"), **data})


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["staff", "viewer"])
def test_staff_and_viewers_are_refused_every_page_and_change(store, client, role):
    accounts.add_user(store, "made", "admin", PASSWORD)
    accounts.add_user(store, "wayan", role, PASSWORD)
    sign_in(client, "wayan")
    csrf = token(client, "/admin/")

    pages = [client.get(path) for path in PAGES]
    posts = [client.post(path, data={"csrf_token": csrf}) for path in POSTS]

    assert [r.status_code for r in pages + posts] == [403] * (len(PAGES) + len(POSTS))
    assert "Users" not in text(client.get("/admin/"))
    assert accounts.get_user(store, "made").active


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_the_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/login?next={path}")


def test_admins_see_the_menu_links(boss):
    page = text(boss.get("/admin/"))

    for label in ("Pengguna / Users", "Token API / API tokens", "Audit / Audit log"):
        assert label in page


def test_an_added_user_signs_in_and_the_change_is_audited(store, boss, app):
    response = post(
        boss, "/admin/users", name="Ketut", role="staff",
        password=PASSWORD, confirm=PASSWORD,
    )  # fmt: skip

    assert response.status_code == 302
    assert accounts.get_user(store, "ketut").role == "staff"
    assert sign_in(app.test_client(), "ketut").status_code == 302
    listed = text(boss.get("/admin/users"))
    assert "ketut" in listed and "user:made" in listed


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short", "confirm": "short"}, "Kata sandi 10 sampai"),
        ({"confirm": "something else!"}, "Kedua kata sandi berbeda"),
        ({"role": "root"}, "Peran tidak dikenal / Unknown role"),
        ({"name": "x"}, "3 to 64 of a-z"),
    ],
)
def test_bad_new_user_is_explained_and_the_form_kept(store, boss, fields, message):
    data = {"name": "ketut", "role": "staff", "password": PASSWORD}
    data = {**data, "confirm": PASSWORD, **fields}

    response = post(boss, "/admin/users", **data)

    assert response.status_code == 400
    page = text(response)
    assert message in page and "Traceback" not in page
    assert f'value="{data["name"]}"' in page
    assert [user.name for user in accounts.list_users(store)] == ["made"]


def test_a_taken_name_answers_409_in_both_languages(store, boss):
    response = post(
        boss, "/admin/users", name="made", role="staff",
        password=PASSWORD, confirm=PASSWORD,
    )  # fmt: skip

    assert response.status_code == 409
    assert "Nama pengguna itu sudah dipakai / user made" in text(response)


def test_role_change_disable_enable_and_new_password(store, boss, app):
    accounts.add_user(store, "ketut", "viewer", PASSWORD)
    other = app.test_client()
    new_password = "a brand new passphrase"

    assert post(boss, "/admin/users/ketut/role", role="staff").status_code == 302
    assert accounts.get_user(store, "ketut").role == "staff"
    assert post(boss, "/admin/users/ketut/disable").status_code == 302
    assert sign_in(other, "ketut").status_code == 401
    assert post(boss, "/admin/users/ketut/enable").status_code == 302
    changed = post(
        boss, "/admin/users/ketut/password",
        password=new_password, confirm=new_password,
    )  # fmt: skip

    assert changed.status_code == 302
    assert sign_in(other, "ketut", new_password).status_code == 302
    actions = {(e["who"], e["action"]) for e in audit.entries(store)}
    for action in ("role_changed", "disabled", "enabled", "password_changed"):
        assert ("user:made", f"user.{action}") in actions


@pytest.mark.parametrize(
    ("path", "data"),
    [("/admin/users/made/disable", {}), ("/admin/users/made/role", {"role": "staff"})],
)
def test_the_last_admin_is_kept_with_a_bilingual_error(store, boss, path, data):
    response = post(boss, path, **data)

    assert response.status_code == 409
    page = text(response)
    assert "Admin aktif terakhir" in page and "last active admin" in page
    assert accounts.get_user(store, "made").role == "admin"
    assert accounts.get_user(store, "made").active


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/admin/users/made/role", {"role": "root"}, 400),
        ("/admin/users/made/password", {"password": "short", "confirm": "short"}, 400),
        ("/admin/users/nobody/disable", {}, 404),
        ("/admin/tokens/nothing1/revoke", {}, 404),
        ("/admin/tokens", {"name": "", "role": "staff"}, 400),
        ("/admin/tokens", {"name": "sheets", "role": "root"}, 400),
    ],
)
def test_bad_input_by_hand_gets_a_page_not_a_traceback(boss, path, data, status):
    response = post(boss, path, **data)

    assert response.status_code == status
    page = text(response)
    assert 'class="error"' in page or 'class="field-error"' in page
    assert "Traceback" not in page


def test_a_token_made_on_the_page_works_until_it_is_revoked(store, boss, client):
    made = post(boss, "/admin/tokens", name="Laporan bulanan", role="viewer")
    raw = tokens.PREFIX + text(made).split(tokens.PREFIX, 1)[1][:43]
    bearer = {"Authorization": f"Bearer {raw}"}

    assert made.status_code == 201
    assert made.headers["Cache-Control"] == "no-store"
    assert "not shown again" in text(made)
    assert client.get("/api/v1/codes", headers=bearer).status_code == 200
    listed = text(boss.get("/admin/tokens"))
    assert raw not in listed and "Laporan bulanan" in listed

    [item] = tokens.list_tokens(store)
    assert post(boss, f"/admin/tokens/{item.id}/revoke").status_code == 302
    assert client.get("/api/v1/codes", headers=bearer).status_code == 401
    assert "revoked" in text(boss.get("/admin/tokens"))
    entries = audit.entries(store)
    assert {("user:made", "token.created"), ("user:made", "token.revoked")} <= {
        (e["who"], e["action"]) for e in entries
    }


def test_every_change_shows_on_the_audit_page(store, boss):
    post(boss, "/admin/users", name="ketut", role="viewer",
         password=PASSWORD, confirm=PASSWORD)  # fmt: skip
    post(boss, "/admin/users/ketut/role", role="staff")
    post(boss, "/admin/tokens", name="sheets", role="viewer")

    page = text(boss.get("/admin/audit"))

    for action in ("user.added", "user.role_changed", "token.created"):
        assert action in page
    assert "user:made" in page and "role: viewer → staff" in page
    assert page.index("token.created") < page.index("user.added")  # newest first
    assert PASSWORD not in page


def test_the_audit_page_pages_back_and_filters(store, boss):
    for number in range(150):
        audit.record(store, "cli:putu", "visit.added", f"visit:{number}")

    first = text(boss.get("/admin/audit"))
    older = first.split("before=")[1].split('"')[0]
    second = text(boss.get("/admin/audit", query_string={"before": older}))
    only = text(boss.get("/admin/audit", query_string={"q": "VISIT:14"}))

    assert "visit:149<" in first and "visit:50<" in first and "visit:49<" not in first
    assert "visit:49<" in second and "before=" not in second
    assert "visit:14<" in only and "visit:140<" in only and "visit:13<" not in only


def test_a_bad_page_mark_is_refused_politely(boss):
    response = boss.get("/admin/audit", query_string={"before": "yesterday"})

    assert response.status_code == 400
    assert "Isian ditolak" in text(response)


def test_the_whole_log_downloads_as_csv(store, boss):
    post(boss, "/admin/users/made/enable")
    audit.record(store, "cli:putu", "visit.added", "visit:1")

    response = boss.get("/admin/audit.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert rows[0]["action"] == "user.added" and rows[-1]["subject"] == "visit:1"
    assert "login.succeeded" in {row["action"] for row in rows}


@pytest.mark.parametrize("path", POSTS)
def test_a_change_without_csrf_token_is_refused(store, boss, path):
    accounts.add_user(store, "ketut", "viewer", PASSWORD)

    response = boss.post(path.replace("/made/", "/ketut/"), data={"role": "admin"})

    assert response.status_code == 400
    assert accounts.get_user(store, "ketut").role == "viewer"
    assert accounts.get_user(store, "ketut").active


def test_the_pages_carry_no_script_or_inline_style(store, boss):
    tokens.create_token(store, "sheets", "viewer")

    for path in PAGES[:3]:
        page = text(boss.get(path))

        assert "<script" not in page and "style=" not in page


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, None, ""),
        ({"role": "staff"}, {"role": "admin"}, "role: staff → admin"),
        (None, {"id": "ab12", "name": "ketut", "created_by": "", "active": True},
         "active: True; name: ketut"),
        ({"target": "https://a.example/"}, None, "target: https://a.example/ → –"),
    ],
)  # fmt: skip
def test_change_text_is_one_short_line(before, after, expected):
    assert admin_accounts.change_text(before, after) == expected
