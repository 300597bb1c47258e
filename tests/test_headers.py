"""Security headers on every page, and nodes that serve only one side."""

import pytest

from service import codes, create_app, tokens


@pytest.mark.parametrize("path", ["/", "/NOSUCH", "/healthz", "/api/v1/openapi.json"])
def test_every_answer_carries_the_security_headers(client, path):
    answer = client.get(path)

    policy = answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_pages_use_only_the_services_own_style_sheet(client):
    page = client.get("/").get_data(as_text=True)

    assert '<link rel="stylesheet" href="/static/ciberq.css">' in page
    assert "<style" not in page and "<script" not in page
    sheet = client.get("/static/ciberq.css")
    assert sheet.status_code == 200
    sheet.close()  # the test client leaves a static file open otherwise


def test_a_public_node_redirects_but_has_no_api(settings, store):
    codes.create(store, "https://example.org/", slug="PUB")
    _, raw = tokens.create_token(store, "system", "staff")
    app = create_app({**settings, "NODE": "public"})
    client = app.test_client()

    assert client.get("/PUB").status_code == 302
    assert client.get("/api/v1/openapi.json").status_code == 404
    answer = client.get("/api/v1/codes", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 404
    app.extensions["ciberq.redirector"].close()


def test_an_admin_node_has_the_api_but_no_redirects(settings, store):
    codes.create(store, "https://example.org/", slug="ADM")
    app = create_app({**settings, "NODE": "admin"})
    client = app.test_client()

    assert client.get("/ADM").status_code == 404
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_a_public_node_has_no_login_page(settings):
    app = create_app({**settings, "NODE": "public"})

    assert app.test_client().get("/admin/login").status_code == 404
    app.extensions["ciberq.redirector"].close()


def test_the_login_page_answers_with_a_content_security_policy(client):
    answer = client.get("/admin/login")

    assert answer.status_code == 200
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
