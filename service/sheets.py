"""Sheets: the artwork of many codes at once, for the plaque maker and the office.

A PDF puts the symbols in a grid with their captions and crop marks at every
cell's corners, on as many pages as it takes; a zip holds one SVG per code,
named by its slug. Both draw exactly what ``artwork`` draws for one code.
Which codes go on a sheet (named, of a visit, or all) is worked out here too,
for the command line and the staff pages alike. Each code's caption is what its
own artwork would carry: the style's caption (default the URL) and, if given,
its institution's name, with the same checks.
"""

import io
import logging
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace

from reportlab.lib.pagesizes import A3, A4, letter
from reportlab.pdfgen import canvas

from . import artwork, codes, institutions, visits
from . import artwork_draw as draw
from .artwork import DEFAULT_STYLE, MM, Style
from .errors import ArtworkError, InvalidInput
from .store import Store

log = logging.getLogger(__name__)

PAPERS = {"A4": A4, "A3": A3, "LETTER": letter}
MAX_GRID = 20
MARGIN = 10 * MM  # of the page, where most printers cannot print
PADDING = 4 * MM  # inside a cell: keeps the cut and the crop marks off the symbol
MARK = 3 * MM  # arm of a crop mark
CAPTION_PT = 8.0


def chosen_codes(
    store: Store,
    slugs: tuple[str, ...] | list[str] = (),
    visit_id: str | None = None,
    everything: bool = False,
) -> list[codes.Code]:
    """The codes named, those of a visit, or all of them; at least one."""
    if sum(bool(choice) for choice in (slugs, visit_id, everything)) != 1:
        raise InvalidInput(
            "name the codes: SLUG ..., --visit ID or --all (one of them)"
        )
    if slugs:
        return [codes.get(store, slug) for slug in slugs]
    found = codes.list_codes(store)
    if visit_id:
        if visits.get(store, visit_id) is None:
            raise InvalidInput(f"visit {visit_id} does not exist")
        found = [code for code in found if code.visit == visit_id]
    if not found:
        raise ArtworkError("no codes to draw; create codes first")
    return found


def disabled(chosen: list[codes.Code]) -> list[str]:
    """A warning naming the codes that are switched off: their plaques would
    show the page that they are no longer in use."""
    off = [code.slug for code in chosen if not code.active]
    if not off:
        return []
    more = " ..." if len(off) > 10 else ""
    return [
        f"disabled, so a scan of the plaque shows a page that it is no longer in "
        f"use: {', '.join(off[:10])}{more}; enable it again before printing"
    ]


def entries(
    store: Store, chosen: list[codes.Code], with_institution: bool = False
) -> list[tuple[str, str]]:
    """(short URL, institution's name or "") of each code, as sheet_pdf and
    svg_zip take them."""
    base_url = store.settings["BASE_URL"]
    return [
        (
            code.short_url(base_url),
            institutions.name_of(store, code.institution) if with_institution else "",
        )
        for code in chosen
    ]


def slug_of(text: str) -> str:
    """The slug of a short URL: its last path part, safe as a file name."""
    slug = text.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]", "_", slug) or "code"


def _grid(paper: str, columns: int, rows: int) -> tuple[float, float, float, float]:
    """(page width, page height, cell width, cell height) in points."""
    size = PAPERS.get(str(paper).upper())
    if size is None:
        raise ArtworkError(f"paper {paper!r} is unknown; use A4, A3 or letter")
    for name, count in (("columns", columns), ("rows", rows)):
        if not isinstance(count, int) or not 1 <= count <= MAX_GRID:
            raise ArtworkError(f"{name} {count!r} must be a whole number, 1 to 20")
    width, height = size
    return width, height, (width - 2 * MARGIN) / columns, (height - 2 * MARGIN) / rows


def _crop_marks(page: canvas.Canvas, corners: set[tuple[float, float]]) -> None:
    """A thin cross at every corner of the cells on a page."""
    page.setStrokeColorRGB(0, 0, 0)
    page.setLineWidth(0.3)
    path = page.beginPath()
    for x, y in sorted(corners):
        path.moveTo(x - MARK, y)
        path.lineTo(x + MARK, y)
        path.moveTo(x, y - MARK)
        path.lineTo(x, y + MARK)
    page.drawPath(path, stroke=1, fill=0)


def _draw_cell(page: canvas.Canvas, plan: draw.Layout, cell, side: float) -> None:
    """Draw a symbol side points wide and its caption, centred in a cell.

    cell is (left, top, width, height) in points.
    """
    left, top, width, height = cell
    block = side + draw.caption_height(len(plan.lines), CAPTION_PT)
    symbol_top = top - (height - block) / 2
    draw.draw_symbol(
        page, plan, left + (width - side) / 2, symbol_top, side / plan.total
    )
    draw.draw_caption(
        page, plan.lines, left + width / 2, symbol_top - side, CAPTION_PT,
        width - 2 * PADDING, plan.dark,
    )  # fmt: skip


def sheet_pdf(
    items: list[tuple[str, str]],
    style: Style = DEFAULT_STYLE,
    *,
    columns: int = 3,
    rows: int = 4,
    paper: str = "A4",
    progress: Callable[[int], object] | None = None,
) -> bytes:
    """A PDF of symbols in a grid, with captions and crop marks, on paper pages.

    items are (text to encode, institution's name or ""); the caption comes
    from the style, as for one code's artwork. progress(1) is called after each
    item, as a click progress bar's update expects.
    """
    if not items:
        raise ArtworkError("a sheet needs at least one code; choose some codes")
    width, height, cell_w, cell_h = _grid(paper, columns, rows)
    captions = []
    for text, name in items:
        own = replace(style, institution=name)
        try:
            artwork.check_caption(own)  # before the grid is fitted to the captions
        except ArtworkError as error:
            raise ArtworkError(f"code {slug_of(text)}: {error}") from None
        captions.append(artwork.caption_lines(text, own))
    room = draw.caption_height(max(map(len, captions)), CAPTION_PT)
    side = min(cell_w - 2 * PADDING, cell_h - 2 * PADDING - room)
    if side < 5 * MM:
        raise ArtworkError(
            f"a cell of {cell_w / MM:.0f} x {cell_h / MM:.0f} mm leaves no room for "
            "a symbol and its caption; use fewer columns or rows"
        )
    if style.size_mm is not None:
        if style.size_mm * MM > side + 1e-6:
            raise ArtworkError(
                f"a symbol of {style.size_mm:g} mm does not fit a cell of "
                f"{cell_w / MM:.0f} x {cell_h / MM:.0f} mm; use fewer columns or rows"
            )
        side = style.size_mm * MM
    fitted = replace(style, size_mm=round(side / MM, 3), size_px=None, logo=None)
    logo = artwork.load_logo(style.logo) if style.logo is not None else None

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(width, height), invariant=1)
    page.setTitle("CIBER Q CODE sheet")
    per_page, corners, warned = columns * rows, set(), set()
    for index, ((text, name), lines) in enumerate(zip(items, captions, strict=True)):
        try:
            own = replace(fitted, logo=style.logo, institution=name)
            warned.update(artwork.check(text, own))
        except ArtworkError as error:
            raise ArtworkError(f"code {slug_of(text)}: {error}") from None
        plan = replace(artwork.layout(text, fitted, lines), logo=logo)
        if logo is not None:
            artwork.verify(text, draw.png_image(replace(plan, lines=()), 6, 0))

        column, row = index % per_page % columns, index % per_page // columns
        left, top = MARGIN + column * cell_w, height - MARGIN - row * cell_h
        _draw_cell(page, plan, (left, top, cell_w, cell_h), side)
        corners |= {(x, y) for x in (left, left + cell_w) for y in (top, top - cell_h)}
        if (index + 1) % per_page == 0 or index + 1 == len(items):
            _crop_marks(page, corners)
            corners = set()
            page.showPage()
        if progress is not None:
            progress(1)
    page.save()

    for warning in sorted(warned):
        log.warning("sheet of %d codes: %s", len(items), warning)
    log.info(
        "sheet of %d codes on %d pages", len(items), math.ceil(len(items) / per_page)
    )
    return out.getvalue()


def svg_zip(
    items: list[tuple[str, str]],
    style: Style = DEFAULT_STYLE,
    progress: Callable[[int], object] | None = None,
) -> bytes:
    """A zip of one SVG per code, named by its slug; items are (text,
    institution's name or ""), captioned as in sheet_pdf."""
    out = io.BytesIO()
    names, warned = set(), set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for text, institution in items:
            name = f"{slug_of(text)}.svg"
            if name in names:
                raise ArtworkError(
                    f"code {slug_of(text)} is in the list twice; name each code once"
                )
            names.add(name)
            try:
                body, warnings = artwork.render(
                    text, "svg", replace(style, institution=institution)
                )
            except ArtworkError as error:
                raise ArtworkError(f"code {slug_of(text)}: {error}") from None
            archive.writestr(name, body)
            warned.update(warnings)
            if progress is not None:
                progress(1)

    for warning in sorted(warned):
        log.warning("zip of %d codes: %s", len(items), warning)
    return out.getvalue()
