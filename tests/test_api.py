"""The API's artwork endpoint: /api/v1/codes/<slug>/qr.<format>."""

import pytest

from service import artwork, codes


@pytest.fixture
def code(store):
    return codes.create(store, "https://example.org/", slug="PKB-2026")


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("png", "image/png"), ("svg", "image/svg+xml"), ("pdf", "application/pdf"),
     ("eps", "application/postscript")],
)  # fmt: skip
def test_artwork_in_every_format(client, code, fmt, content_type):
    answer = client.get(f"/api/v1/codes/pkb-2026/qr.{fmt}")

    assert answer.status_code == 200
    assert answer.content_type.startswith(content_type)
    assert answer.headers["Content-Disposition"] == f'inline; filename="PKB-2026.{fmt}"'


def test_png_decodes_to_the_upper_case_short_url(client, code):
    answer = client.get("/api/v1/codes/PKB-2026/qr.png?size_px=400&caption=")

    assert artwork.decode(answer.data) == ["HTTPS://Q.EXAMPLE.GO.ID/PKB-2026"]


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/api/v1/codes/NOPE/qr.png", 404, "code_not_found"),
        ("/api/v1/codes/PKB-2026/qr.gif", 400, "invalid_artwork"),
        ("/api/v1/codes/PKB-2026/qr.png?size_mm=abc", 400, "invalid_artwork"),
        ("/api/v1/codes/PKB-2026/qr.png?dark=%23eeeeee", 400, "invalid_artwork"),
        ("/api/v1/codes/PKB-2026/qr.png?error=Z", 400, "invalid_artwork"),
    ],
)
def test_bad_requests_answer_json_with_a_stable_code(client, code, path, status, error):
    answer = client.get(path)

    assert answer.status_code == status
    assert answer.json["error"] == error
    assert answer.json["message"]
