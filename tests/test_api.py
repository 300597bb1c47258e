"""The JSON API under /api/v1: tokens, roles, codes, history, artwork, OpenAPI."""

import pytest

from service import artwork, codes, tokens


@pytest.fixture
def bearer(store):
    """Authorization headers for a fresh token of each role."""

    def make(role: str) -> dict:
        _, raw = tokens.create_token(store, f"{role}-system", role, by="test")
        return {"Authorization": f"Bearer {raw}"}

    return make


@pytest.fixture
def code(store):
    return codes.create(store, "https://example.org/", slug="PKB-2026")


def test_staff_token_creates_and_retargets_and_the_next_scan_follows(client, bearer):
    staff = bearer("staff")

    made = client.post(
        "/api/v1/codes",
        headers=staff,
        json={"target": "https://example.org/a", "institution": "BPS"},
    )
    slug = made.json["slug"]
    changed = client.patch(
        f"/api/v1/codes/{slug}",
        headers=staff,
        json={"target": "https://example.org/b", "reason": "PKB"},
    )
    scan = client.get(f"/{slug}")
    history = client.get(f"/api/v1/codes/{slug}/history", headers=staff)

    assert made.status_code == 201
    assert made.json["short_url"] == f"HTTPS://Q.EXAMPLE.GO.ID/{slug}"
    assert made.json["institution"] == "BPS"
    assert changed.status_code == 200 and changed.json["target"].endswith("/b")
    assert scan.headers["Location"] == "https://example.org/b"
    assert [(e["action"], e["by"]) for e in history.json] == [
        ("created", "token:staff-system"),
        ("retargeted", "token:staff-system"),
    ]
    assert history.json[1]["reason"] == "PKB"


@pytest.mark.parametrize(
    ("method", "path", "role", "status"),
    [
        ("get", "/api/v1/codes", None, 401),
        ("get", "/api/v1/codes", "viewer", 200),
        ("post", "/api/v1/codes", "viewer", 403),
        ("post", "/api/v1/codes", "staff", 201),
        ("post", "/api/v1/codes", "admin", 201),
        ("patch", "/api/v1/codes/PKB-2026", None, 401),
        ("patch", "/api/v1/codes/PKB-2026", "viewer", 403),
        ("patch", "/api/v1/codes/PKB-2026", "staff", 200),
        ("get", "/api/v1/codes/PKB-2026", "viewer", 200),
        ("get", "/api/v1/codes/PKB-2026/history", None, 401),
        ("get", "/api/v1/codes/PKB-2026/history", "viewer", 200),
        ("get", "/api/v1/codes/PKB-2026/qr.png", None, 401),
        ("get", "/api/v1/codes/PKB-2026/qr.png", "viewer", 200),
    ],
)
def test_role_matrix(client, code, bearer, method, path, role, status):
    headers = bearer(role) if role else {}
    body = {"target": "https://example.org/changed"}

    answer = getattr(client, method)(
        path, headers=headers, json=body if method != "get" else None
    )

    assert answer.status_code == status, answer.json
    if status >= 400:
        assert answer.json["error"] in ("unauthorized", "forbidden")
        assert answer.json["message"]


def test_revoked_token_is_refused(client, store, code):
    token, raw = tokens.create_token(store, "old-system", "viewer")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/codes", headers=headers).status_code == 200

    tokens.revoke(store, token.id)

    assert client.get("/api/v1/codes", headers=headers).status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"target": "javascript:alert(1)"}, 400, "invalid_target"),
        ({"target": "https://e.org/\r\nX: y"}, 400, "invalid_target"),
        ({}, 422, "invalid_input"),
        ({"target": "https://e.org/", "slug": "a b"}, 400, "invalid_slug"),
        ({"target": "https://e.org/", "colour": "red"}, 422, "invalid_input"),
        ({"target": 42}, 422, "invalid_input"),
    ],
)
def test_bad_code_requests_answer_json(client, bearer, body, status, error):
    answer = client.post("/api/v1/codes", headers=bearer("staff"), json=body)

    assert answer.status_code == status
    assert answer.json["error"] == error
    assert answer.json["message"]


def test_malformed_json_is_400(client, bearer):
    headers = {**bearer("staff"), "Content-Type": "application/json"}

    answer = client.post("/api/v1/codes", headers=headers, data="{not json")

    assert answer.status_code == 400
    assert answer.json["error"]


def test_openapi_document_is_valid_openapi_3(client):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").json

    validate(document)
    assert document["openapi"].startswith("3.")
    assert "/api/v1/codes/{slug}" in document["paths"]
    assert "CodeCreate" in document["components"]["schemas"]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("png", "image/png"), ("svg", "image/svg+xml"), ("pdf", "application/pdf"),
     ("eps", "application/postscript")],
)  # fmt: skip
def test_artwork_in_every_format(client, code, bearer, fmt, content_type):
    answer = client.get(f"/api/v1/codes/pkb-2026/qr.{fmt}", headers=bearer("viewer"))

    assert answer.status_code == 200
    assert answer.content_type.startswith(content_type)
    assert answer.headers["Content-Disposition"] == f'inline; filename="PKB-2026.{fmt}"'


def test_the_artwork_of_a_disabled_code_carries_a_warning(client, store, code, bearer):
    codes.disable(store, "PKB-2026")

    answer = client.get("/api/v1/codes/PKB-2026/qr.svg", headers=bearer("viewer"))

    assert answer.status_code == 200
    assert "disabled" in answer.headers["X-Artwork-Warnings"]


def test_png_decodes_to_the_upper_case_short_url(client, code, bearer):
    answer = client.get("/api/v1/codes/PKB-2026/qr.png?size_px=400&caption=",
                        headers=bearer("viewer"))  # fmt: skip

    assert artwork.decode(answer.data) == ["HTTPS://Q.EXAMPLE.GO.ID/PKB-2026"]


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/api/v1/codes/NOPE/qr.png", 404, "code_not_found"),
        ("/api/v1/codes/PKB-2026/qr.gif", 400, "invalid_artwork"),
        ("/api/v1/codes/PKB-2026/qr.png?size_mm=abc", 422, "invalid_input"),
        ("/api/v1/codes/PKB-2026/qr.png?dark=%23eeeeee", 400, "invalid_artwork"),
        ("/api/v1/codes/PKB-2026/qr.png?error=Z", 422, "invalid_input"),
        # a line break in a colour used to reach a response header: a 500
        ("/api/v1/codes/PKB-2026/qr.png?dark=%23fff%0A&light=%23000", 400,
         "invalid_artwork"),
        # a hundred caption lines used to make a PNG of gigabytes
        ("/api/v1/codes/PKB-2026/qr.png?caption=" + "a%0A" * 99 + "a", 400,
         "invalid_artwork"),
        ("/api/v1/codes/PKB-2026/qr.png?size_px=74&caption=" + "W" * 200, 400,
         "invalid_artwork"),
        ("/api/v1/codes/PKB-2026/qr.svg?caption=a%01b", 400, "invalid_artwork"),
        ("/api/v1/codes/PKB-2026/qr.pdf?size_px=21&dpi=2400", 400, "invalid_artwork"),
        ("/api/v1/codes/PKB-2026/qr.png?size_px=10000", 422, "invalid_input"),
        ("/api/v1/codes/PKB-2026/qr.png?size=400", 422, "invalid_input"),
    ],
)  # fmt: skip
def test_bad_artwork_requests_answer_json(client, code, bearer, path, status, error):
    answer = client.get(path, headers=bearer("viewer"))

    assert answer.status_code == status
    assert answer.json["error"] == error
    assert answer.json["message"]


def test_institutions_visits_events_campaigns_and_preview(client, bearer):
    staff, viewer = bearer("staff"), bearer("viewer")

    place = client.post(
        "/api/v1/institutions",
        headers=staff,
        json={"name": "Pemerintah Kota Surabaya", "kind": "regency"},
    )
    visit = client.post(
        "/api/v1/visits",
        headers=staff,
        json={
            "institution": place.json["id"],
            "date": "2026-03-02",
            "purpose": "studi tiru",
        },
    )
    event = client.post(
        "/api/v1/events",
        headers=staff,
        json={
            "name_id": "Pesta Kesenian Bali",
            "name_en": "Bali Arts Festival",
            "starts": "2026-06-14",
            "ends": "2026-07-13",
            "page": "https://baliprov.go.id/agenda/pkb-2026",
        },
    )
    code = client.post(
        "/api/v1/codes",
        headers=staff,
        json={
            "target": "https://example.org/sby",
            "slug": "SBY",
            "visit": visit.json["id"],
        },
    )
    campaign = client.post(
        "/api/v1/campaigns",
        headers=staff,
        json={
            "event": event.json["id"],
            "starts": "2031-06-14T00:00:00",
            "ends": "2031-07-14T00:00:00",
            "scope": "visit",
            "value": visit.json["id"],
        },
    )
    during = client.get(
        "/api/v1/codes/SBY/preview",
        headers=viewer,
        query_string={"at": "2031-06-20T10:00:00+08:00"},  # a '+' must be encoded
    )
    before = client.get("/api/v1/codes/SBY/preview?at=2031-06-13T23:00:00",
                        headers=viewer)  # fmt: skip

    assert [r.status_code for r in (place, visit, event, code, campaign)] == [201] * 5
    assert campaign.json["starts"] == "2031-06-13T16:00:00.000Z"  # WITA is UTC+8
    assert during.json["target"] == "https://baliprov.go.id/agenda/pkb-2026"
    assert during.json["event"] == event.json["id"]
    assert before.json["target"] == "https://example.org/sby"
    assert client.get("/api/v1/campaigns", headers=viewer).json[0]["scope"] == "visit"
    cancelled = client.post(f"/api/v1/campaigns/{campaign.json['id']}/cancel",
                            headers=staff)  # fmt: skip
    assert cancelled.json["cancelled"] == "1"
    assert client.get("/api/v1/campaigns", headers=viewer).json == []


@pytest.mark.parametrize(
    "path", ["/api/v1/institutions", "/api/v1/visits", "/api/v1/events",
             "/api/v1/campaigns"],
)  # fmt: skip
def test_viewers_read_but_may_not_add(client, bearer, path):
    viewer = bearer("viewer")

    assert client.get(path, headers=viewer).status_code == 200
    refused = client.post(path, headers=viewer, json={})
    assert refused.status_code == 403
    assert client.get(path).status_code == 401


def test_admins_read_and_export_the_audit_log_others_may_not(client, bearer):
    staff, admin = bearer("staff"), bearer("admin")
    client.post("/api/v1/codes", headers=staff,
                json={"target": "https://example.org/a", "slug": "AUD"})  # fmt: skip
    client.patch("/api/v1/codes/AUD", headers=staff,
                 json={"target": "https://example.org/b"})  # fmt: skip

    log = client.get("/api/v1/audit", headers=admin)
    exported = client.get("/api/v1/audit.csv", headers=admin)

    assert log.status_code == 200
    changes = [e for e in log.json if e["subject"] == "code:AUD"]
    assert [e["action"] for e in changes] == ["code.retargeted", "code.created"]
    assert changes[0]["before"] == {"target": "https://example.org/a"}
    assert changes[0]["who"] == "token:staff-system"
    assert exported.content_type.startswith("text/csv")
    assert "code.retargeted" in exported.get_data(as_text=True)
    assert client.get("/api/v1/audit", headers=staff).status_code == 403
    assert client.get("/api/v1/audit.csv", headers=bearer("viewer")).status_code == 403
