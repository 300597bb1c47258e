"""``ciberq qr``: one code's artwork, and sheets for the plaque maker."""

import io
import zipfile

import pytest

from service import artwork, codes, institutions


@pytest.fixture
def code(store):
    place = institutions.register(store, "Universitas Udayana", "university")
    return codes.create(store, "https://example.org/", place.id, slug="K7F2X9")


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "eps"])
def test_symbol_is_written_in_each_format(runner, code, tmp_path, fmt):
    output = tmp_path / f"plaque.{fmt}"

    outcome = runner("qr", "k7f2x9", "-o", str(output))

    assert outcome.exit_code == 0, outcome.stderr
    assert output.stat().st_size > 0
    if fmt == "png":
        assert artwork.decode(output.read_bytes()) == ["HTTPS://Q.EXAMPLE.GO.ID/K7F2X9"]


def test_physical_size_and_dpi_set_the_png_size(runner, code, tmp_path):
    output = tmp_path / "plaque.png"

    outcome = runner("qr", "K7F2X9", "--format", "png", "-o", str(output),
                     "--size-mm", "50", "--dpi", "300")  # fmt: skip

    assert outcome.exit_code == 0, outcome.stderr
    assert artwork.decode(output.read_bytes()) == ["HTTPS://Q.EXAMPLE.GO.ID/K7F2X9"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("qr", "NOPE", "-o", "x.png"), "does not exist"),
        (("qr", "K7F2X9", "-o", "x.gif"), "format"),
        (("qr", "K7F2X9", "-o", "x.png", "--size-mm", "8"), "mm"),
        (("qr", "K7F2X9", "-o", "x.png", "--dark", "#EEEEEE"), "contrast"),
        (("qr", "K7F2X9", "-o", "x.png", "--dark", "black-ish"), "colour"),
        (("qr", "sheet", "-o", "x.pdf"), "--all"),
        (("qr", "sheet", "--all", "-o", "x.docx"), ".pdf"),
        (("qr", "K7F2X9", "-o", "no-such-folder/x.png"), "does not exist"),
        (("qr", "sheet", "--all", "-o", "no-such-folder/x.pdf"), "does not exist"),
        (("qr", "K7F2X9", "-o", "x.png", "--caption", "a\x01b"), "control"),
    ],
)
def test_bad_artwork_requests_are_one_line(runner, code, tmp_path, args, says):
    args = [str(tmp_path / a) if a.startswith(("x.", "no-such")) else a for a in args]

    outcome = runner(*args)

    assert outcome.exit_code != 0
    assert outcome.stderr.count("\n") == 1, outcome.stderr
    assert says in outcome.stderr


def test_sheet_of_every_code_is_a_pdf(runner, store, tmp_path):
    for number in range(7):
        codes.create(store, f"https://example.org/{number}")
    output = tmp_path / "sheet.pdf"

    outcome = runner("qr", "sheet", "--all", "-o", str(output))

    assert outcome.exit_code == 0, outcome.stderr
    assert output.read_bytes().startswith(b"%PDF")
    assert "7 codes" in outcome.stdout


def test_zip_holds_one_svg_per_code_of_a_visit(runner, store, tmp_path):
    from datetime import date

    from service import visits

    place = institutions.register(store, "APPSI", "forum")
    visit = visits.create(store, place.id, date(2026, 6, 14), "rapat koordinasi")
    made = [codes.create(store, "https://example.org/", place.id, visit=visit.id).slug
            for _ in range(3)]  # fmt: skip
    codes.create(store, "https://example.org/other")
    output = tmp_path / "plaques.zip"

    outcome = runner("qr", "sheet", "--visit", visit.id, "-o", str(output))

    assert outcome.exit_code == 0, outcome.stderr
    names = zipfile.ZipFile(io.BytesIO(output.read_bytes())).namelist()
    assert sorted(names) == sorted(f"{slug}.svg" for slug in made)


def test_a_disabled_code_is_drawn_with_a_warning(runner, store, code, tmp_path):
    codes.disable(store, "K7F2X9")

    one = runner("qr", "K7F2X9", "-o", str(tmp_path / "off.png"))
    sheet = runner("qr", "sheet", "K7F2X9", "-o", str(tmp_path / "off.pdf"))

    assert one.exit_code == 0 and sheet.exit_code == 0
    assert "disabled" in one.stderr and "K7F2X9" in one.stderr
    assert "disabled" in sheet.stderr and "enable it again" in sheet.stderr
