"""Drawing a planned symbol (a ``Layout``) as PNG, SVG, PDF and EPS.

What to draw is decided in ``artwork``, which builds the ``Layout``; this
module only puts its modules, the logo's light pad and the caption on a Pillow
image, into SVG markup, onto a ReportLab canvas (also for ``sheets``) or
through segno's EPS writer.
"""

import base64
import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import registerFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .errors import ArtworkError

# caption letters, as a share of the symbol's width with its quiet zone
CAPTION_SIZE = 0.075
LINE_PITCH = 1.3  # distance of caption lines, in letter sizes
FIT = 0.94  # share of the width a caption line may fill
# DejaVu Sans (free licence, service/fonts/DejaVuSans.LICENSE) draws Latin with
# every accent, Greek and Cyrillic in PNG and PDF: a partner's name prints as
# written. Scripts it lacks (Balinese, Chinese ...) are warned about in artwork.
FONT_FILE = str(Path(__file__).with_name("fonts") / "DejaVuSans.ttf")
FONT = "DejaVuSans"  # its name in PDFs, where ReportLab embeds the letters used
SVG_FONTS = "DejaVu Sans, Helvetica, Arial, sans-serif"
MIN_CAPTION_PX = 6  # smaller letters in a PNG cannot be read


@dataclass(frozen=True)
class Layout:
    """One symbol as a renderer draws it: modules, colours, caption and logo."""

    matrix: tuple[bytes, ...]  # rows of 0 (light) and 1 (dark), no quiet zone
    border: int
    dark: tuple[int, int, int]
    light: tuple[int, int, int]
    lines: tuple[str, ...]
    logo: Image.Image | None
    logo_start: int  # the logo's light pad, in modules from the symbol's corner
    logo_side: int

    @property
    def total(self) -> int:
        """Width of the symbol in modules, quiet zone included."""
        return len(self.matrix) + 2 * self.border


def runs(row: bytes) -> list[tuple[int, int]]:
    """(first module, length) of each run of dark modules in a row."""
    return [(m.start(), m.end() - m.start()) for m in re.finditer(b"\x01+", row)]


def caption_height(lines: int, size: float) -> float:
    """Height of a caption of so many lines under the symbol."""
    return lines * LINE_PITCH * size + 0.4 * size if lines else 0


def _baselines(lines: int, top: float, size: float) -> list[float]:
    """Baselines of the caption's lines, counted down from the symbol's bottom."""
    return [top + (i + 1) * LINE_PITCH * size - 0.3 * size for i in range(lines)]


def _fit(size: float, width: float, room: float) -> float:
    """The letter size at which a line of this width at size fills at most room."""
    return size if width <= room else size * room / width


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _fitted_logo(plan: Layout, module: float) -> tuple[Image.Image, float, float]:
    """The logo scaled into its pad with half a module of margin, and its offset."""
    room = (plan.logo_side - 1) * module
    scale = min(room / plan.logo.width, room / plan.logo.height)
    width = max(1, round(plan.logo.width * scale))
    height = max(1, round(plan.logo.height * scale))
    pad = plan.logo_side * module
    return (
        plan.logo.resize((width, height), Image.LANCZOS),
        (pad - width) / 2,
        (pad - height) / 2,
    )


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont:
    """The caption font at a pixel size."""
    return ImageFont.truetype(FONT_FILE, size)


@lru_cache(maxsize=1)
def _pdf_font() -> TTFont:
    """The caption font, registered with ReportLab once."""
    font = TTFont(FONT, FONT_FILE)
    registerFont(font)
    return font


def missing_letters(text: str) -> str:
    """The characters of text that the caption font has no letter for."""
    known = _pdf_font().face.charToGlyph
    return "".join(sorted({c for c in text if c != "\n" and ord(c) not in known}))


def png_image(plan: Layout, module: int, extra: int) -> Image.Image:
    """The symbol with whole-pixel modules, the logo and the caption underneath."""
    n = len(plan.matrix)
    side = plan.total * module + extra
    size = max(8, round(CAPTION_SIZE * side))
    image = Image.new(
        "RGB", (side, side + round(caption_height(len(plan.lines), size))), plan.light
    )

    modules = Image.frombytes("P", (n, n), b"".join(plan.matrix))
    modules.putpalette([*plan.light, *plan.dark])
    offset = plan.border * module + extra // 2
    image.paste(
        modules.resize((n * module, n * module), Image.NEAREST).convert("RGB"),
        (offset, offset),
    )
    if plan.logo is not None:
        corner = offset + plan.logo_start * module
        pad = plan.logo_side * module
        ImageDraw.Draw(image).rectangle(
            (corner, corner, corner + pad - 1, corner + pad - 1), fill=plan.light
        )
        logo, dx, dy = _fitted_logo(plan, module)
        image.paste(logo, (corner + round(dx), corner + round(dy)), logo)
    pen = ImageDraw.Draw(image)
    for line, y in zip(
        plan.lines, _baselines(len(plan.lines), side, size), strict=True
    ):
        font = _font(size)
        fitted = round(_fit(size, font.getlength(line), FIT * side))
        if fitted < MIN_CAPTION_PX:
            raise ArtworkError(
                f"the caption line {line[:40]!r} is too long for a symbol {side} "
                "pixels wide; shorten it, break it into lines or draw larger"
            )
        pen.text((side / 2, y), line, fill=plan.dark, font=_font(fitted), anchor="ms")
    return image


def png_bytes(image: Image.Image, dpi: int) -> bytes:
    """A PNG file of the image that tells its resolution."""
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def svg(plan: Layout, width: float, unit: str) -> bytes:
    """An SVG in module units, width in mm or px; the caption is SVG text."""
    total, border = plan.total, plan.border
    size = CAPTION_SIZE * total
    height = total + caption_height(len(plan.lines), size)
    path = "".join(
        f"M{border + x} {border + y}h{length}v1h-{length}z"
        for y, row in enumerate(plan.matrix)
        for x, length in runs(row)
    )
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width:g}{unit}" height="{width * height / total:g}{unit}" '
        f'viewBox="0 0 {total} {height:g}">',
        f'<rect width="{total}" height="{height:g}" fill="{_hex(plan.light)}"/>',
        f'<path fill="{_hex(plan.dark)}" shape-rendering="crispEdges" d="{path}"/>',
    ]
    if plan.logo is not None:
        corner = border + plan.logo_start
        logo, dx, dy = _fitted_logo(plan, 64)  # 64 px a module: sharp enough
        data = base64.b64encode(png_bytes(logo, 300)).decode()
        parts += [
            f'<rect x="{corner}" y="{corner}" width="{plan.logo_side}" '
            f'height="{plan.logo_side}" fill="{_hex(plan.light)}"/>',
            f'<image x="{corner + dx / 64:g}" y="{corner + dy / 64:g}" '
            f'width="{logo.width / 64:g}" height="{logo.height / 64:g}" '
            f'xlink:href="data:image/png;base64,{data}"/>',
        ]
    for line, y in zip(
        plan.lines, _baselines(len(plan.lines), total, size), strict=True
    ):
        fitted = _fit(size, _pdf_font().stringWidth(line, size), FIT * total)
        parts.append(
            f'<text x="{total / 2:g}" y="{y:g}" font-family="{SVG_FONTS}" '
            f'font-size="{fitted:.3g}" text-anchor="middle" '
            f'fill="{_hex(plan.dark)}">{escape(line)}</text>'
        )
    parts.append("</svg>\n")
    return "\n".join(parts).encode()


def draw_symbol(pdf: canvas.Canvas, plan: Layout, x: float, top: float,
                module: float) -> None:  # fmt: skip
    """Draw the symbol with its quiet zone, top left corner at (x, top)."""
    side = plan.total * module
    pdf.setFillColorRGB(*(c / 255 for c in plan.light))
    pdf.rect(x, top - side, side, side, stroke=0, fill=1)
    path = pdf.beginPath()
    for y, row in enumerate(plan.matrix):
        bottom = top - (plan.border + y + 1) * module
        for start, length in runs(row):
            path.rect(x + (plan.border + start) * module, bottom, length * module,
                      module)  # fmt: skip
    pdf.setFillColorRGB(*(c / 255 for c in plan.dark))
    pdf.drawPath(path, stroke=0, fill=1)
    if plan.logo is None:
        return

    corner = (plan.border + plan.logo_start) * module
    pad = plan.logo_side * module
    pdf.setFillColorRGB(*(c / 255 for c in plan.light))
    pdf.rect(x + corner, top - corner - pad, pad, pad, stroke=0, fill=1)
    logo, dx, dy = _fitted_logo(plan, 64)
    scale = module / 64
    pdf.drawImage(
        ImageReader(logo), x + corner + dx * scale,
        top - corner - dy * scale - logo.height * scale,
        logo.width * scale, logo.height * scale, mask="auto",
    )  # fmt: skip


def draw_caption(pdf: canvas.Canvas, lines, centre: float, top: float, size: float,
                 room: float, colour: tuple[int, int, int]) -> None:  # fmt: skip
    """Draw caption lines centred under a symbol whose bottom is at top."""
    pdf.setFillColorRGB(*(c / 255 for c in colour))
    for line, y in zip(lines, _baselines(len(lines), 0, size), strict=True):
        fitted = _fit(size, _pdf_font().stringWidth(line, size), room)
        pdf.setFont(FONT, fitted)
        pdf.drawCentredString(centre, top - y, line)


def pdf(plan: Layout, module: float) -> bytes:
    """A one-page PDF as large as the artwork, module in points."""
    side = plan.total * module
    size = CAPTION_SIZE * side
    height = side + caption_height(len(plan.lines), size)
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(side, height), invariant=1)
    page.setTitle("; ".join(plan.lines) or "QR code")

    draw_symbol(page, plan, 0, height, module)
    draw_caption(page, plan.lines, side / 2, height - side, size, FIT * side,
                 plan.dark)  # fmt: skip
    page.showPage()
    page.save()
    return out.getvalue()


def eps(symbol, plan: Layout, module: float) -> bytes:
    """segno's EPS of the symbol, module in points; no caption, no logo."""
    out = io.StringIO()
    symbol.save(out, kind="eps", scale=module, border=plan.border,
                dark=_hex(plan.dark), light=_hex(plan.light))  # fmt: skip
    side = plan.total * module
    # the Document Structuring Conventions want whole points in %%BoundingBox,
    # and a fill of the clip path would paint the page an EPS is placed on
    text = re.sub(
        r"%%BoundingBox: .*",
        f"%%BoundingBox: 0 0 {math.ceil(side)} {math.ceil(side)}\n"
        f"%%HiResBoundingBox: 0 0 {side:.4f} {side:.4f}",
        out.getvalue(),
    ).replace("clippath fill", f"0 0 {side:.4f} {side:.4f} rectfill")
    return text.encode("ascii")
