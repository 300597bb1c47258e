"""Sheets: many codes on PDF pages with crop marks, or as a zip of SVG files."""

import io
import random
import zipfile

import pypdfium2 as pdfium
import pytest
import resvg_py
from PIL import Image
from test_artwork import _logo, assert_reads, pdf_pages, read

from service import artwork, sheets, slugs
from service.artwork import MM, Style
from service.errors import ArtworkError

BASE_URL = "https://q.example.go.id"


def _items(count: int, seed: int = 4) -> list[tuple[str, str]]:
    """Codes with generated slugs, each with its institution's name."""
    chosen = random.Random(seed)
    texts = [
        artwork.payload(BASE_URL, "".join(chosen.choices(slugs.CROCKFORD, k=6)))
        for _ in range(count)
    ]
    return [(text, "Provinsi Bali") for text in texts]


def _pages(body: bytes) -> list[tuple[float, float]]:
    """The (width, height) of each page of a PDF, in points."""
    document = pdfium.PdfDocument(body)
    try:
        return [page.get_size() for page in document]
    finally:
        document.close()


@pytest.mark.parametrize(
    ("count", "columns", "rows", "paper", "pages", "size"),
    [
        (30, 3, 4, "A4", 3, (595.3, 841.9)),
        (12, 3, 4, "A4", 1, (595.3, 841.9)),
        (13, 3, 4, "a4", 2, (595.3, 841.9)),
        (30, 4, 5, "A3", 2, (841.9, 1190.6)),
        (7, 2, 3, "letter", 2, (612, 792)),
    ],
)
def test_a_sheet_has_a_page_per_grid_of_codes(count, columns, rows, paper, pages,
                                              size):  # fmt: skip
    body = sheets.sheet_pdf(_items(count), columns=columns, rows=rows, paper=paper)

    found = _pages(body)

    assert len(found) == pages
    assert found[0] == pytest.approx(size, abs=0.1)


def test_every_code_on_page_one_decodes():
    items = _items(30)

    first = pdf_pages(sheets.sheet_pdf(items), scale=3)[0]

    assert sorted(b.text for b in read(first)) == sorted(t for t, _ in items[:12])
    assert_reads(first, items[0][0])  # level H, smallest version


def test_a_sheet_with_a_logo_decodes():
    items = _items(3)

    page = pdf_pages(sheets.sheet_pdf(items, Style(logo=_logo())), scale=3)[0]

    assert sorted(b.text for b in read(page)) == sorted(t for t, _ in items)


def test_crop_marks_stand_at_the_cells_corners():
    scale = 2
    page = pdf_pages(sheets.sheet_pdf(_items(1)), scale=scale)[0].convert("L")
    cell_w = (page.width / scale - 2 * sheets.MARGIN) / 3

    for x in (sheets.MARGIN, sheets.MARGIN + cell_w):
        y = sheets.MARGIN  # the top corners, counted from the page's top
        box = (round(x * scale) - 2, round(y * scale) - 2,
               round(x * scale) + 3, round(y * scale) + 3)  # fmt: skip
        assert page.crop(box).getextrema()[0] < 128


def test_the_progress_bar_moves_once_per_code():
    steps = []

    sheets.sheet_pdf(_items(5), progress=steps.append)
    sheets.svg_zip(_items(4), progress=steps.append)

    assert steps == [1] * 9


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"paper": "B5"}, "use A4, A3 or letter"),
        ({"columns": 0}, "columns"),
        ({"rows": 21}, "rows"),
        ({"columns": 10, "rows": 10}, "engrave"),
        ({"columns": 20, "rows": 20}, "no room"),
        ({"style": Style(size_mm=80)}, "does not fit a cell"),
        ({"style": Style(dark="#EEEEEE")}, "contrast"),
    ],
)
def test_a_sheet_that_cannot_be_drawn_is_refused(options, message):
    with pytest.raises(ArtworkError, match=message):
        sheets.sheet_pdf(_items(2), **options)


def test_an_empty_sheet_is_refused():
    with pytest.raises(ArtworkError, match="at least one code"):
        sheets.sheet_pdf([])


def test_a_sheet_keeps_the_size_asked_for():
    body = sheets.sheet_pdf(_items(1), Style(size_mm=30), columns=2, rows=2)
    page = pdf_pages(body, scale=2)[0].convert("L")

    dark = [x for x in range(page.width) if page.getpixel((x, page.height // 4)) < 128]
    # 30 mm with a 4-module quiet zone on each side of a 29-module symbol
    assert (dark[-1] - dark[0] + 1) / 2 / MM == pytest.approx(30 * 29 / 37, abs=0.5)


def test_the_zip_holds_one_svg_per_code_named_by_its_slug():
    items = _items(3)

    archive = zipfile.ZipFile(io.BytesIO(sheets.svg_zip(items)))

    assert archive.namelist() == [f"{text.rsplit('/', 1)[1]}.svg" for text, _ in items]
    for (text, institution), name in zip(items, archive.namelist(), strict=True):
        svg = archive.read(name)
        png = resvg_py.svg_to_bytes(svg_string=svg.decode(), width=500, dpi=96)
        assert_reads(Image.open(io.BytesIO(bytes(png))), text)
        assert artwork.readable(text).encode() in svg
        assert institution.encode() in svg


@pytest.mark.parametrize("draw", [sheets.sheet_pdf, sheets.svg_zip])
@pytest.mark.parametrize(
    ("institution", "style", "says"),
    [
        ("Dinas\x07Budaya", Style(), "control character"),
        ("Dinas Kebudayaan", Style(caption="L1\nL2\nL3\nL4"), "5 lines"),
    ],
)
def test_each_code_of_a_sheet_is_checked_as_its_own_artwork(draw, institution, style,
                                                            says):  # fmt: skip
    text = artwork.payload(BASE_URL, "K7F2X9")
    with pytest.raises(ArtworkError, match=f"code K7F2X9: .*{says}"):
        draw([(text, institution)], style)


@pytest.mark.parametrize("draw", [sheets.sheet_pdf, sheets.svg_zip])
def test_the_default_caption_does_not_count_against_the_caption_limit(draw):
    # 190 characters of name: allowed for one code, so on a sheet too
    name = "Kementerian Koordinator Bidang Pembangunan Manusia dan Kebudayaan " * 3

    draw([(artwork.payload(BASE_URL, "K7F2X9"), name[:190])])


def test_a_sheet_warns_of_letters_the_caption_font_lacks(caplog):
    sheets.sheet_pdf([(artwork.payload(BASE_URL, "K7F2X9"), "北京大学")])

    assert "no letters for" in caplog.text


def test_a_code_twice_in_the_zip_is_refused():
    items = _items(2)

    with pytest.raises(ArtworkError, match="twice"):
        sheets.svg_zip([*items, items[0]])
