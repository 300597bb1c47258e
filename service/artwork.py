"""QR artwork of one plaque: the symbol, the checks that it will scan, its files.

This module owns what the symbol holds and whether a style can be drawn
(DESIGN.md, "What the QR code holds"); ``artwork_draw`` owns how each file
format draws it. Every finished symbol is decoded again before it is handed
out, so artwork that a phone cannot read never reaches the plaque maker.
"""

import io
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import urlsplit
from warnings import catch_warnings, simplefilter

import segno
import zxingcpp
from PIL import Image, UnidentifiedImageError

from . import artwork_draw as draw
from .errors import ArtworkError

FORMATS = ("png", "svg", "pdf", "eps")
ERROR_LEVELS = ("L", "M", "Q", "H")

# ISO/IEC 18004:2015, 7.4.4, Table 5: the 45 characters of alphanumeric mode
_ALPHANUMERIC = re.compile(r"[0-9A-Z $%*+\-./:]*")
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")

# WCAG 2.x contrast ratio of the two colours. 3:1 is WCAG's floor for graphics
# a person must make out (SC 1.4.11). On a white ground it asks a reflectance
# difference of 0.70, symbol contrast grade A of ISO/IEC 15415 (the print
# quality grading that ISO/IEC 18004 defers to); on a grey or tinted ground it
# lets less through, and MIN_SYMBOL_CONTRAST warns about that. Below 3:1 a worn
# or dimly lit plaque has nothing to spare: refused. The damage benchmark
# (scripts/bench_artwork.py) measures how low contrast reads.
MIN_CONTRAST = 3.0
# ISO/IEC 15415 symbol contrast (difference of reflectances) below grade C
MIN_SYMBOL_CONTRAST = 0.40
# a logo's light pad covers at most this share of the symbol: level H restores
# 30 % of codewords (ISO/IEC 18004:2015, 7.5.1, Table 9), and scratches need
# the rest
LOGO_AREA = 0.10
MAX_LOGO_SIDE = 4096
DEFAULT_MODULE_PX = 10
MIN_MODULE_PX = 2
MAX_BORDER = 20
# a PNG of 6,000 px (200 mm at 760 dpi; engravers take SVG, PDF or EPS for more)
# peaks near 300 MB while drawn and checked: one request cannot exhaust a worker
MAX_PNG_SIDE = 6_000
MAX_CAPTION_LINES = 4  # the caption's lines and the institution's name
MAX_CAPTION = 200  # characters of caption and institution together
# control characters (and line or paragraph separators) break SVG and PDF text
_UNPRINTABLE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
MAX_VERIFY_SIDE = 2000  # larger images are decoded reduced: faster, same result
MM = 72 / 25.4  # PDF and EPS points per millimetre


@dataclass(frozen=True)
class Style:
    """How one symbol is drawn; every field has a sensible default."""

    error: str = "H"
    dark: str = "#000000"
    light: str = "#FFFFFF"
    border: int = 4
    size_px: int | None = None
    size_mm: float | None = None
    dpi: int = 300
    caption: str | None = None
    institution: str = ""
    logo: bytes | None = None
    min_module_mm: float = 0.4


DEFAULT_STYLE = Style()


def payload(base_url: str, slug: str) -> str:
    """What the symbol holds: the short URL in upper case."""
    return f"{base_url.rstrip('/')}/{slug}".upper()


@lru_cache(maxsize=256)
def make_symbol(text: str, error: str = "H") -> segno.QRCode:
    """The smallest QR symbol that holds text at exactly this error level.

    segno picks the most compact mode that writes the whole text (alphanumeric
    for an upper-case URL, ISO/IEC 18004:2015, 7.4.4); boost_error=False keeps
    the level asked for instead of raising it when a version has room to spare.
    """
    level = str(error).upper()
    if level not in ERROR_LEVELS:
        raise ArtworkError(
            f"error correction level {error!r} is unknown; use one of L, M, Q, H"
        )
    try:
        return segno.make_qr(text, error=level, boost_error=False)
    except segno.DataOverflowError:
        raise ArtworkError(
            f"{text[:60]!r} is too long for a QR code at level {level}; shorten it"
        ) from None


def parse_colour(value: str) -> tuple[int, int, int]:
    """The (r, g, b) of a hex colour, #rgb or #rrggbb."""
    found = _HEX.fullmatch(value) if isinstance(value, str) else None
    if not found:
        raise ArtworkError(
            f"colour {value!r} is not a hex colour; write it as #rgb or #rrggbb"
        )
    digits = found.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour, 0 (black) to 1 (white)."""
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
               for c in (v / 255 for v in rgb))  # fmt: skip
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.x contrast ratio of two hex colours, 1 to 21."""
    low, high = sorted(luminance(parse_colour(c)) for c in (first, second))
    return (high + 0.05) / (low + 0.05)


def readable(text: str) -> str:
    """The short URL as a person reads it: no scheme, host in lower case."""
    parts = urlsplit(text)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return parts.netloc.lower() + parts.path
    return text


def caption_lines(text: str, style: Style) -> list[str]:
    """The lines under the symbol: the caption (default the URL), the institution."""
    caption = readable(text) if style.caption is None else style.caption
    return [line for line in [*caption.split("\n"), style.institution] if line]


def logo_box(symbol: segno.QRCode) -> tuple[int, int]:
    """(first module, side in modules) of the logo's pad, centred on the symbol."""
    n = symbol.symbol_size(border=0)[0]
    side = int(math.sqrt(LOGO_AREA) * n)
    if side % 2 != n % 2:  # same parity as the symbol, so it sits on whole modules
        side -= 1
    return (n - side) // 2, max(side, 1)


def load_logo(data: bytes) -> Image.Image:
    """The logo as an RGBA image; ArtworkError unless it is a PNG or JPEG."""
    with catch_warnings():
        # the size is refused below, before a single pixel is decoded
        simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (
            UnidentifiedImageError,
            OSError,
            ValueError,
            SyntaxError,  # Pillow's word for a broken PNG chunk
            Image.DecompressionBombError,
        ):
            raise ArtworkError(
                "the logo is not an image, or far too large; give a PNG or JPEG "
                f"at most {MAX_LOGO_SIDE} pixels a side"
            ) from None
    if image.format not in ("PNG", "JPEG"):
        raise ArtworkError(f"the logo is a {image.format} image; give a PNG or JPEG")
    if max(image.size) > MAX_LOGO_SIDE:
        raise ArtworkError(
            f"the logo is {image.size[0]}x{image.size[1]} pixels; "
            f"give one at most {MAX_LOGO_SIDE} pixels a side"
        )
    try:
        return image.convert("RGBA")
    except (OSError, ValueError, SyntaxError):
        raise ArtworkError(
            "the logo file is damaged or cut short; export it again as PNG or JPEG"
        ) from None


def _check_numbers(style: Style) -> None:
    """Refuse sizes, borders and resolutions that cannot be drawn."""
    if not isinstance(style.border, int) or not 0 <= style.border <= MAX_BORDER:
        raise ArtworkError(
            f"border {style.border!r} must be a whole number of modules, "
            f"0 to {MAX_BORDER} (4 is the standard quiet zone)"
        )
    if not isinstance(style.dpi, int) or not 72 <= style.dpi <= 2400:
        raise ArtworkError(f"dpi {style.dpi!r} must be a whole number, 72 to 2400")
    if style.size_px is not None and style.size_mm is not None:
        raise ArtworkError("give the size in pixels or in millimetres, not both")
    if style.size_px is not None and not 1 <= style.size_px <= MAX_PNG_SIDE:
        raise ArtworkError(
            f"size_px {style.size_px!r} must be 1 to {MAX_PNG_SIDE} pixels"
        )
    if style.size_mm is not None and not 0 < style.size_mm <= 1000:
        raise ArtworkError(f"size_mm {style.size_mm!r} must be above 0, to 1000 mm")
    if not 0 < style.min_module_mm <= 10:
        raise ArtworkError(
            f"min_module_mm {style.min_module_mm!r} must be above 0, to 10 mm"
        )


def _check_colours(style: Style) -> list[str]:
    """Refuse colours a phone cannot tell apart; warn about inverted codes."""
    warnings = []
    dark = luminance(parse_colour(style.dark))
    light = luminance(parse_colour(style.light))
    ratio = contrast_ratio(style.dark, style.light)
    if ratio < MIN_CONTRAST:
        raise ArtworkError(
            f"colours {style.dark} on {style.light} have a contrast of {ratio:.1f}:1; "
            f"phones need at least {MIN_CONTRAST:.0f}:1, choose a darker dark "
            "or a lighter light colour"
        )
    if dark > light:
        # reflectance reversal is allowed (ISO/IEC 18004:2015, 6.2) but optional
        # for readers, and many phone scanners never try it
        warnings.append(
            f"dark colour {style.dark} is lighter than light colour {style.light}: "
            "an inverted (light on dark) code, which older scanners miss"
        )
    if abs(light - dark) < MIN_SYMBOL_CONTRAST:
        warnings.append(
            f"colours {style.dark} and {style.light} differ in reflectance by only "
            f"{abs(light - dark):.2f}; below 0.40 print quality grading (ISO/IEC "
            "15415) fails the symbol, use black on white for plaques"
        )
    return warnings


def check_caption(style: Style) -> None:
    """Refuse caption text that no format can draw: control characters, more
    than MAX_CAPTION_LINES lines or MAX_CAPTION characters."""
    texts = [style.caption or "", style.institution or ""]
    for text in texts:
        if not isinstance(text, str) or _UNPRINTABLE.search(text):
            raise ArtworkError(
                "the caption has a control character; write plain text, one line "
                "per line"
            )
    lines = sum(len(text.split("\n")) for text in texts if text)
    if lines > MAX_CAPTION_LINES or sum(map(len, texts)) > MAX_CAPTION:
        raise ArtworkError(
            f"the caption is {lines} lines and {sum(map(len, texts))} characters; a "
            f"plaque takes at most {MAX_CAPTION_LINES} lines and {MAX_CAPTION} "
            "characters with the institution's name"
        )


def _check_module(module_mm: float, width_mm: float, total: int, style: Style):
    """Refuse modules narrower than the plaque maker can draw."""
    if module_mm < style.min_module_mm:
        need = math.ceil(style.min_module_mm * total)
        raise ArtworkError(
            f"at {width_mm:.3g} mm a module of the {total}-module symbol is "
            f"{module_mm:.2f} mm, below the {style.min_module_mm:g} mm the plaque "
            f"maker can engrave; make it at least {need} mm wide"
        )


def check(text: str, style: Style) -> list[str]:
    """Refuse a style that cannot make a readable symbol of text; return warnings."""
    _check_numbers(style)
    check_caption(style)
    warnings = _check_colours(style)
    symbol = make_symbol(text, style.error)
    total = symbol.symbol_size(border=style.border)[0]

    if style.border < 4:
        warnings.append(
            f"a quiet zone of {style.border} modules is less than the 4 that "
            "ISO/IEC 18004:2015, 6.3.8 asks; some phones will not find the symbol"
        )
    if style.size_mm is not None:
        _check_module(style.size_mm / total, style.size_mm, total, style)
    if not _ALPHANUMERIC.fullmatch(text):
        bad = "".join(sorted({c for c in text if not _ALPHANUMERIC.fullmatch(c)}))
        upper = make_symbol(text.upper(), style.error) if text.isascii() else symbol
        instead = (
            f" instead of {upper.version}" if upper.version < symbol.version else ""
        )
        warnings.append(
            f"{text[:60]} cannot be written in QR alphanumeric mode because of "
            f"{bad[:20]!r}, so its symbol is version {symbol.version}{instead}; "
            "write the base URL in upper case, with letters, digits and :/.- only"
        )
    missing = draw.missing_letters(f"{style.caption or ''}{style.institution or ''}")
    if missing:
        warnings.append(
            f"the caption font has no letters for {missing[:20]!r}: they print as "
            "boxes in PNG and PDF; write the caption in Latin letters"
        )
    if style.logo is not None:
        load_logo(style.logo)
        if symbol.error != "H":
            warnings.append(
                f"a logo takes part of level {symbol.error}'s error correction; "
                "use level H on a plaque with a logo"
            )
    return warnings


def decode(png: bytes) -> list[str]:
    """The texts of the QR codes that zxing-cpp finds in a PNG image."""
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except (UnidentifiedImageError, OSError):
        raise ArtworkError("the artwork to decode is not a PNG image") from None
    return decode_image(image)


def decode_image(image: Image.Image) -> list[str]:
    """The texts of the QR codes that zxing-cpp finds in an image."""
    found = zxingcpp.read_barcodes(
        image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode
    )
    return [barcode.text for barcode in found]


def verify(text: str, image: Image.Image) -> None:
    """Refuse finished artwork that no longer decodes to text."""
    if max(image.size) > MAX_VERIFY_SIDE:
        image = image.reduce(math.ceil(max(image.size) / MAX_VERIFY_SIDE))
    if text not in decode_image(image):
        raise ArtworkError(
            f"the artwork of {text[:60]} does not scan any more; use a smaller "
            "logo, level H and colours with more contrast"
        )


def layout(text: str, style: Style, lines: list[str] | None = None) -> draw.Layout:
    """What a renderer draws for text: symbol, colours, caption and logo."""
    symbol = make_symbol(text, style.error)
    start, side = logo_box(symbol)
    return draw.Layout(
        matrix=tuple(bytes(row) for row in symbol.matrix),
        border=style.border,
        dark=parse_colour(style.dark),
        light=parse_colour(style.light),
        lines=tuple(caption_lines(text, style) if lines is None else lines),
        logo=load_logo(style.logo) if style.logo is not None else None,
        logo_start=start,
        logo_side=side,
    )


def png_geometry(total: int, style: Style) -> tuple[int, int]:
    """(pixels per module, extra pixels of quiet zone) of a PNG symbol.

    Modules stay whole pixels so that no edge is blurred; what the asked width
    leaves over widens the quiet zone.
    """
    if style.size_px is None and style.size_mm is None:
        return DEFAULT_MODULE_PX, 0
    pixels = style.size_px or round(style.size_mm / 25.4 * style.dpi)
    if pixels > MAX_PNG_SIDE:
        raise ArtworkError(
            f"a PNG {pixels} pixels wide is too large; lower the dpi or the size"
        )
    module = pixels // total
    if module < MIN_MODULE_PX:
        raise ArtworkError(
            f"{pixels} pixels leave less than {MIN_MODULE_PX} pixels per module of "
            f"the {total}-module symbol; make it at least {MIN_MODULE_PX * total} "
            "pixels wide or raise the dpi"
        )
    if style.size_mm is not None and module / style.dpi * 25.4 < style.min_module_mm:
        # whole-pixel modules are narrower than size_mm / total at a low dpi
        raise ArtworkError(
            f"at {style.dpi} dpi the modules of a {style.size_mm:g} mm symbol round "
            f"down to {module} pixels, below {style.min_module_mm:g} mm; raise the dpi"
        )
    return module, pixels - module * total


def render(
    text: str, fmt: str, style: Style = DEFAULT_STYLE
) -> tuple[bytes, list[str]]:
    """The artwork of text in a format, with its warnings.

    PNG, SVG and PDF show the caption (and the institution) under the symbol and
    the logo in its centre; EPS carries the symbol only, for engraving software.
    The symbol as drawn is decoded before it is returned: ArtworkError if it no
    longer reads as text.
    """
    if fmt not in FORMATS:
        raise ArtworkError(f"format {fmt!r} is unknown; use png, svg, pdf or eps")
    warnings = check(text, style)
    plan = layout(text, style)
    pixels = style.size_px or DEFAULT_MODULE_PX * plan.total
    width_mm = style.size_mm or pixels / style.dpi * 25.4
    module_mm = width_mm / plan.total
    if fmt in ("pdf", "eps") and style.size_mm is None:
        # a PDF or EPS is printed at the size it says: pixels at the dpi
        _check_module(module_mm, width_mm, plan.total, style)

    if fmt == "png":
        image = draw.png_image(plan, *png_geometry(plan.total, style))
        verify(text, image)
        return draw.png_bytes(image, style.dpi), warnings
    if plan.logo is not None:
        verify(text, draw.png_image(replace(plan, lines=()), DEFAULT_MODULE_PX, 0))
    if fmt == "svg":
        if style.size_mm is not None:
            return draw.svg(plan, style.size_mm, "mm"), warnings
        return draw.svg(plan, pixels, "px"), warnings
    if fmt == "pdf":
        return draw.pdf(plan, module_mm * MM), warnings
    if plan.logo is not None or style.caption or style.institution:
        warnings.append("EPS carries the symbol only: no caption, no logo")
    return draw.eps(make_symbol(text, style.error), plan, module_mm * MM), warnings
