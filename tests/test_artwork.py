"""Artwork of one plaque: every format decodes to the upper-case short URL.

PNG is read as it is; SVG is rasterised with resvg (resvg-py), PDF with PDFium
(pypdfium2), both pip wheels of the dev extra; EPS with Ghostscript where it is
installed (apt: ghostscript), and always by drawing segno's path of strokes
here. zxing-cpp decodes everything; OpenCV's detector decodes the PNG as a
second, independent reader.
"""

import io
import re
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest
import resvg_py
import segno
import zxingcpp
from PIL import Image, ImageDraw

from service import artwork
from service.artwork import Style
from service.errors import ArtworkError

BASE_URL = "https://q.example.go.id"
TEXT = "HTTPS://Q.EXAMPLE.GO.ID/K7F2X9"


def _logo(width=200, height=120) -> bytes:
    """A red emblem with a dark bar on a transparent ground, as a PNG."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.ellipse((0, 0, width - 1, height - 1), fill=(180, 20, 20, 255))
    pen.rectangle((width // 3, height // 3, width * 2 // 3, height * 2 // 3), fill=0)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def rasterise(body: bytes, fmt: str) -> Image.Image:
    """The artwork as an image, drawn by a renderer that is not ours."""
    if fmt == "png":
        return Image.open(io.BytesIO(body))
    if fmt == "svg":
        # resvg-py's default of 0 dpi leaves a width in mm without a size
        png = resvg_py.svg_to_bytes(svg_string=body.decode(), width=600, dpi=96)
        return Image.open(io.BytesIO(bytes(png)))
    if fmt == "pdf":
        return pdf_pages(body, scale=3)[0]
    return eps_strokes(body)


def pdf_pages(body: bytes, scale: float = 2) -> list[Image.Image]:
    """Each page of a PDF rendered by PDFium."""
    document = pdfium.PdfDocument(body)
    try:
        return [page.render(scale=scale).to_pil() for page in document]
    finally:
        document.close()


def eps_strokes(body: bytes, px: int = 6) -> Image.Image:
    """segno's EPS drawn here: its moveto/rmoveto/rlineto strokes of width 1."""
    text = body.decode("ascii")
    side_pt = float(re.search(r"%%HiResBoundingBox: 0 0 ([\d.]+)", text).group(1))
    scale = float(re.search(r"([\d.]+) [\d.]+ scale", text).group(1))
    side = round(side_pt / scale)
    image = Image.new("L", (side * px, side * px), 255)
    pen = ImageDraw.Draw(image)
    x = y = 0.0
    stack = []
    for token in text.split("newpath", 1)[1].split("stroke", 1)[0].split():
        if token not in ("moveto", "m", "l"):
            stack.append(float(token))
            continue
        dy, dx = stack.pop(), stack.pop()
        if token == "moveto":
            x, y = dx, dy
            continue
        if token == "l":  # a stroke of width 1 centred on y, PostScript's y upwards
            top = (side - y - 0.5) * px
            pen.rectangle((x * px, top, (x + dx) * px - 1, top + px - 1), fill=0)
        x, y = x + dx, y + dy
    return image


def read(image: Image.Image) -> list:
    """The QR codes zxing-cpp finds in an image."""
    return zxingcpp.read_barcodes(
        image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode
    )


def assert_reads(image: Image.Image, text: str, error: str = "H") -> None:
    """The image holds text, at that level, in the smallest version."""
    found = [barcode for barcode in read(image) if barcode.text == text]
    assert found, f"no QR code reading {text} in {[b.text for b in read(image)]}"
    assert found[0].ec_level == error
    version = getattr(found[0], "extra", {}).get("Version")  # zxing-cpp >= 3
    if version is not None:
        assert int(version) == artwork.make_symbol(text, error).version


@pytest.mark.parametrize(
    ("base_url", "slug"),
    [
        ("https://q.example.go.id", "k7f2x9"),
        ("https://q.example.go.id/", "K7F2X9"),
        ("HTTPS://Q.EXAMPLE.GO.ID", "k7f2x9"),
    ],
)
def test_payload_is_the_upper_case_short_url(base_url, slug):
    assert artwork.payload(base_url, slug) == TEXT


@pytest.mark.parametrize("slug", ["K7F2X9", "ABC", "BALI-ARTS-FESTIVAL-2026", "X" * 32])
def test_symbol_is_level_h_alphanumeric_in_the_smallest_version(slug):
    text = artwork.payload(BASE_URL, slug)

    symbol = artwork.make_symbol(text)

    assert symbol.error == "H"
    assert symbol.mode == "alphanumeric"
    assert symbol.version == segno.make(text, error="H", micro=False).version
    with pytest.raises(segno.DataOverflowError):
        segno.make_qr(text, error="H", version=symbol.version - 1, boost_error=False)
    # the same text in byte mode (what a lower-case URL gets) is never smaller
    assert segno.make_qr(text, error="H", mode="byte").version >= symbol.version


@pytest.mark.parametrize("error", ["L", "M", "Q", "H"])
def test_symbol_keeps_the_level_asked_for(error):
    assert artwork.make_symbol(TEXT, error).error == error


def test_symbol_refuses_an_unknown_level():
    with pytest.raises(ArtworkError, match="use one of L, M, Q, H"):
        artwork.make_symbol(TEXT, "X")


STYLES = {
    "default": Style(),
    "institution": Style(institution="Kementerian Dalam Negeri"),
    "no caption": Style(caption=""),
    "logo": Style(logo=_logo()),
    "colours": Style(dark="#1A2B5C", light="#FFF8E7", caption="Bali Arts Festival"),
    "size_mm": Style(size_mm=40, dpi=600),
}


@pytest.mark.parametrize("name", STYLES)
@pytest.mark.parametrize("fmt", artwork.FORMATS)
def test_every_format_decodes_to_the_short_url(fmt, name):
    body, _ = artwork.render(TEXT, fmt, STYLES[name])

    assert_reads(rasterise(body, fmt), TEXT)


@pytest.mark.skipif(not shutil.which("gs"), reason="Ghostscript (apt: ghostscript)")
def test_eps_decodes_through_ghostscript(tmp_path):
    body, _ = artwork.render(TEXT, "eps", Style(dark="#102030", light="#F0F0E0"))
    (tmp_path / "qr.eps").write_bytes(body)

    subprocess.run(
        ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-dEPSCrop",
         "-sDEVICE=pnggray", "-r300", f"-sOutputFile={tmp_path / 'qr.png'}",
         str(tmp_path / "qr.eps")],
        check=True, timeout=60,
    )  # fmt: skip

    assert_reads(Image.open(tmp_path / "qr.png"), TEXT)


def test_eps_is_well_formed_and_draws_the_same_symbol():
    body, warnings = artwork.render(TEXT, "eps", Style(size_mm=30))
    text = body.decode("ascii")

    assert text.startswith("%!PS-Adobe-3.0 EPSF-3.0\n")
    assert text.rstrip().endswith("%%EOF")
    width = re.search(r"%%BoundingBox: 0 0 (\d+) (\d+)\n", text).groups()
    assert width == ("86", "86")  # 30 mm is 85.04 pt, rounded up to whole points
    assert "clippath" not in text  # paints nothing outside its own box
    px = 6
    image = eps_strokes(body, px)
    matrix = artwork.make_symbol(TEXT).matrix
    drawn = [
        [image.getpixel(((4 + x) * px + px // 2, (4 + y) * px + px // 2)) == 0
         for x in range(len(matrix))]
        for y in range(len(matrix))
    ]  # fmt: skip
    assert drawn == [[bool(v) for v in row] for row in matrix]
    assert warnings == []


def test_eps_warns_that_it_carries_no_caption():
    _, warnings = artwork.render(TEXT, "eps", Style(institution="Provinsi Bali"))

    assert warnings == ["EPS carries the symbol only: no caption, no logo"]


@pytest.mark.parametrize("name", ["default", "institution", "colours", "logo"])
def test_png_decodes_with_opencv_too(name):
    body, _ = artwork.render(TEXT, "png", STYLES[name])
    image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_GRAYSCALE)

    text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)

    assert text == TEXT
    assert artwork.decode(body) == [TEXT]


@pytest.mark.parametrize(
    ("style", "width", "dpi"),
    [
        (Style(), 37 * 10, 300),
        (Style(size_px=500), 500, 300),
        (Style(size_mm=40, dpi=300), 472, 300),
        (Style(size_mm=50, dpi=1200, border=2), 2362, 1200),
    ],
)
def test_png_has_the_asked_width_and_resolution(style, width, dpi):
    body, _ = artwork.render(TEXT, "png", style)
    image = Image.open(io.BytesIO(body))

    assert image.width == width
    assert round(image.info["dpi"][0]) == dpi


def test_svg_is_as_wide_as_asked_with_the_caption_as_text():
    body, _ = artwork.render(TEXT, "svg", Style(size_mm=40, institution="A & B"))
    svg = body.decode()

    assert 'width="40mm"' in svg
    assert ">q.example.go.id/K7F2X9</text>" in svg
    assert ">A &amp; B</text>" in svg
    assert "<text" not in artwork.render(TEXT, "svg", Style(caption=""))[0].decode()


def test_pdf_carries_the_caption_as_text():
    body, _ = artwork.render(TEXT, "pdf", Style(institution="Provinsi Bali"))
    document = pdfium.PdfDocument(body)
    try:
        page = document[0]
        text = page.get_textpage().get_text_range()
        width_mm = page.get_width() / 72 * 25.4
    finally:
        document.close()

    assert "q.example.go.id/K7F2X9" in text
    assert "Provinsi Bali" in text
    assert width_mm == pytest.approx(37 * 10 / 300 * 25.4)  # 10 px a module


def test_a_logo_too_big_for_the_symbol_is_refused(monkeypatch):
    monkeypatch.setattr(artwork, "LOGO_AREA", 0.30)  # level H restores 30 %: no room

    with pytest.raises(ArtworkError, match="does not scan"):
        artwork.render(TEXT, "png", Style(logo=_logo()))


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_a_logo_at_level_l_is_refused(fmt):
    with pytest.raises(ArtworkError, match="does not scan"):
        artwork.render(TEXT, fmt, Style(error="L", logo=_logo()))


def test_a_logo_covers_at_most_a_tenth_of_the_symbol():
    symbol = artwork.make_symbol(TEXT)
    n = symbol.symbol_size(border=0)[0]

    start, side = artwork.logo_box(symbol)

    assert side * side <= 0.10 * n * n
    assert start * 2 + side == n  # centred


@pytest.mark.parametrize("logo", [b"not an image", b"GIF89a" + bytes(20)])
def test_a_logo_that_is_not_png_or_jpeg_is_refused(logo):
    with pytest.raises(ArtworkError, match="PNG or JPEG"):
        artwork.check(TEXT, Style(logo=logo))


@pytest.mark.parametrize(
    ("dark", "light"),
    [("#777777", "#999999"), ("#FFFF00", "#FFFFFF"), ("#000", "#222"),
     ("#0000FF", "#FF0000")],
)  # fmt: skip
def test_low_contrast_is_refused(dark, light):
    with pytest.raises(ArtworkError, match="contrast"):
        artwork.check(TEXT, Style(dark=dark, light=light))


def test_black_on_a_grey_ground_warns_of_weak_symbol_contrast():
    warnings = artwork.check(TEXT, Style(dark="#000000", light="#999999"))

    assert len(warnings) == 1
    assert "ISO/IEC 15415" in warnings[0]


def test_inverted_colours_warn_and_still_decode():
    style = Style(dark="#FFFFFF", light="#000000")

    warnings = artwork.check(TEXT, style)
    body, _ = artwork.render(TEXT, "png", style)

    assert any("inverted" in warning for warning in warnings)
    assert artwork.decode(body) == [TEXT]


def test_a_lower_case_base_url_warns():
    text = f"{BASE_URL}/K7F2X9"

    warnings = artwork.check(text, Style())

    assert len(warnings) == 1
    assert "alphanumeric" in warnings[0]
    assert "version 4 instead of 3" in warnings[0]
    assert artwork.check(TEXT, Style()) == []


@pytest.mark.parametrize(
    ("size_mm", "min_module_mm"), [(10, 0.4), (14.7, 0.4), (30, 1.0)]
)
def test_a_module_smaller_than_the_engraver_can_draw_is_refused(size_mm, min_module_mm):
    style = Style(size_mm=size_mm, min_module_mm=min_module_mm)

    with pytest.raises(ArtworkError, match="engrave; make it at least"):
        artwork.check(TEXT, style)


def test_a_module_the_engraver_can_draw_passes():
    assert artwork.check(TEXT, Style(size_mm=14.8)) == []  # 37 modules of 0.4 mm


def test_whole_pixel_modules_below_the_minimum_are_refused():
    with pytest.raises(ArtworkError, match="raise the dpi"):
        artwork.render(TEXT, "png", Style(size_mm=15, dpi=300))


@pytest.mark.parametrize(
    ("style", "message"),
    [
        (Style(dark="black"), "not a hex colour"),
        (Style(light="#12345"), "not a hex colour"),
        (Style(border=-1), "border"),
        (Style(dpi=0), "dpi"),
        (Style(size_px=300, size_mm=30), "not both"),
        (Style(size_mm=0), "size_mm"),
        (Style(error="X"), "use one of L, M, Q, H"),
    ],
)
def test_bad_options_are_refused(style, message):
    with pytest.raises(ArtworkError, match=message):
        artwork.render(TEXT, "png", style)


def test_a_png_too_small_to_draw_is_refused():
    with pytest.raises(ArtworkError, match="pixels per module"):
        artwork.render(TEXT, "png", Style(size_px=60))


def test_an_unknown_format_is_refused():
    with pytest.raises(ArtworkError, match="use png, svg, pdf or eps"):
        artwork.render(TEXT, "gif")


def test_a_thin_quiet_zone_warns():
    assert "6.3.8" in artwork.check(TEXT, Style(border=2))[0]


def test_decode_refuses_what_is_not_an_image():
    with pytest.raises(ArtworkError, match="not a PNG"):
        artwork.decode(b"%PDF-1.4")


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
@pytest.mark.parametrize(
    ("style", "message"),
    [
        (Style(caption="a\x01b"), "control character"),
        (Style(caption="a\u2028b"), "control character"),
        (Style(institution="Universitas\x00"), "control character"),
        (Style(caption="\n".join("abcde")), "at most 4 lines"),
        (Style(caption="W" * 150, institution="U" * 60), "200"),
    ],
)
def test_caption_text_no_format_can_draw_is_refused(fmt, style, message):
    with pytest.raises(ArtworkError, match=message):
        artwork.render(TEXT, fmt, style)


def test_a_caption_too_long_for_a_small_png_is_refused_not_crashed():
    with pytest.raises(ArtworkError, match="too long for a symbol 74 pixels"):
        artwork.render(TEXT, "png", Style(size_px=74, caption="W" * 200))


@pytest.mark.parametrize("colour", ["#fff\n", " #000", "#000000\r"])
def test_a_colour_with_spaces_or_line_breaks_is_refused(colour):
    with pytest.raises(ArtworkError, match="not a hex colour"):
        artwork.render(TEXT, "png", Style(dark=colour))


def test_a_png_larger_than_a_worker_can_afford_is_refused():
    with pytest.raises(ArtworkError, match="size_px"):
        artwork.render(TEXT, "png", Style(size_px=artwork.MAX_PNG_SIDE + 1))
    with pytest.raises(ArtworkError, match="too large"):
        artwork.render(TEXT, "png", Style(size_mm=500, dpi=1200))


@pytest.mark.parametrize("fmt", ["pdf", "eps"])
@pytest.mark.parametrize("style", [Style(dpi=2400), Style(size_px=100)])
def test_pdf_and_eps_sized_in_pixels_keep_the_engravers_minimum(fmt, style):
    # 370 px at 2400 dpi or 100 px at 300 dpi: a symbol under 9 mm wide
    with pytest.raises(ArtworkError, match="below the 0.4 mm"):
        artwork.render(TEXT, fmt, style)


def test_a_png_sized_in_pixels_is_for_screens_and_not_held_to_millimetres():
    body, _ = artwork.render(TEXT, "png", Style(size_px=100))

    assert artwork.decode(body) == [TEXT]


def _png_of(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


def test_a_logo_cut_short_is_refused_in_one_sentence():
    whole = _png_of(Image.effect_noise((300, 300), 60).convert("RGB"))

    with pytest.raises(ArtworkError, match="damaged or cut short"):
        artwork.render(TEXT, "png", Style(logo=whole[: len(whole) // 2]))


@pytest.mark.parametrize(
    "logo",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00",  # header cut short
        # a PNG with one byte changed in a chunk (found by fuzzing)
        (Path(__file__).parent / "data" / "logo-broken-chunk.png").read_bytes(),
    ],
)
def test_a_broken_logo_file_is_refused_in_one_sentence(logo):
    with pytest.raises(ArtworkError, match="not an image|damaged"):
        artwork.render(TEXT, "png", Style(logo=logo))


def test_a_logo_bomb_is_refused_before_it_is_decoded():
    # a 1-bit PNG of 30,000 x 30,000 pixels: small on disk, 900 M pixels decoded
    bomb = _png_of(Image.new("1", (30_000, 30_000)), optimize=True)

    with pytest.raises(ArtworkError, match="far too large|at most 4096"):
        artwork.render(TEXT, "png", Style(logo=bomb))


def test_accented_names_are_drawn_with_their_letters():
    name = "Université de Genève · Łódź · Ελλάδα"

    body, warnings = artwork.render(TEXT, "pdf", Style(institution=name))

    assert warnings == []
    document = pdfium.PdfDocument(body)
    try:
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert name in text
    png, _ = artwork.render(TEXT, "png", Style(institution=name))
    assert artwork.decode(png) == [TEXT]


def test_letters_the_caption_font_lacks_are_warned_about():
    warnings = artwork.check(TEXT, Style(caption="ᬩᬮᬶ Bali"))

    assert any("no letters for" in warning and "ᬩ" in warning for warning in warnings)
