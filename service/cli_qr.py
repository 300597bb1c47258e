"""``ciberq qr``: artwork for the plaque maker, one code or a whole sheet.

``ciberq qr SLUG -o FILE`` writes one code's symbol (PNG, SVG, PDF or EPS,
from ``--format`` or the file's extension); ``ciberq qr sheet`` writes many
codes as a PDF sheet with crop marks, or as a zip of SVG files.
"""

import os
import sys
from dataclasses import replace
from pathlib import Path

import click

from . import artwork, codes, institutions, sheets
from .cli_context import pass_context
from .errors import InvalidInput


class _SlugOrCommand(click.Group):
    """A group whose first word is a subcommand, or else a slug for ``symbol``."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["symbol", *args]
        return super().resolve_command(ctx, args)


def _style_options(command):
    """The options every artwork command shares."""
    options = [
        click.option("--size-mm", type=click.FloatRange(5, 1000),
                     help="Physical width of the symbol with its quiet zone."),
        click.option("--dpi", type=click.IntRange(72, 2400), default=300,
                     show_default=True, help="Resolution of a PNG at --size-mm."),
        click.option("--size-px", type=click.IntRange(21, artwork.MAX_PNG_SIDE),
                     help="Width of a PNG symbol in pixels."),
        click.option("--error", "error_level", default="H", show_default=True,
                     type=click.Choice(artwork.ERROR_LEVELS, case_sensitive=False),
                     help="Error correction level."),
        click.option("--dark", default="#000000", show_default=True,
                     help="Colour of the dark modules."),
        click.option("--light", default="#FFFFFF", show_default=True,
                     help="Colour of the light modules."),
        click.option("--caption", help="Text under the symbol (default: the URL)."),
        click.option("--with-institution", is_flag=True,
                     help="Add the institution's name under the caption."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _style(size_mm, dpi, size_px, error_level, dark, light, caption, logo=None):
    return artwork.Style(
        error=error_level.upper(), dark=dark, light=light, size_px=size_px,
        size_mm=size_mm, dpi=dpi, caption=caption, logo=logo,
    )  # fmt: skip


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"ciberq: warning: {warning}", err=True)


def _writable(output: str) -> Path:
    """The output file, refused before any drawing if it cannot be written."""
    path = Path(output)
    if not path.parent.is_dir():
        raise InvalidInput(f"folder {path.parent} does not exist; create it first")
    target = path if path.exists() else path.parent
    if not os.access(target, os.W_OK):
        raise InvalidInput(f"{output} cannot be written here; choose another place")
    return path


def _write(path: Path, body: bytes) -> None:
    try:
        path.write_bytes(body)
    except OSError as exc:
        raise InvalidInput(f"{path} could not be written: {exc.strerror}") from None


@click.group(cls=_SlugOrCommand)
def qr():
    """QR artwork: `ciberq qr SLUG -o FILE`, or `ciberq qr sheet ...`."""


@qr.command("symbol")
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(artwork.FORMATS),
    help="png, svg, pdf or eps (default: from the file's extension).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="File to write.",
)
@click.option(
    "--logo",
    type=click.Path(exists=True, dir_okay=False),
    help="PNG or JPEG for the centre; refused if the code stops scanning.",
)
@_style_options
@pass_context
def symbol(ctx, slug, fmt, output, logo, with_institution, **options):
    """Write the artwork of code SLUG (same as `ciberq qr SLUG`)."""
    fmt = fmt or Path(output).suffix.lstrip(".").lower()
    if fmt not in artwork.FORMATS:
        raise InvalidInput(
            f"cannot tell the format of {output}; give --format png, svg, pdf or eps"
        )
    path = _writable(output)
    store = ctx.store
    code = codes.get(store, slug)
    style = _style(**options, logo=Path(logo).read_bytes() if logo else None)
    if with_institution:
        name = institutions.name_of(store, code.institution)
        style = replace(style, institution=name)

    body, warnings = artwork.render(
        code.short_url(store.settings["BASE_URL"]), fmt, style
    )
    _write(path, body)
    _warn(warnings + sheets.disabled([code]))
    click.echo(f"{code.slug} -> {output}")


@qr.command("sheet")
@click.argument("slugs", nargs=-1)
@click.option("--visit", "visit_id", metavar="ID", help="Every code of this visit.")
@click.option("--all", "everything", is_flag=True, help="Every code.")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="FILE.pdf for a sheet, FILE.zip for one SVG per code.",
)
@click.option("--columns", type=click.IntRange(1, 10), default=3, show_default=True)
@click.option("--rows", type=click.IntRange(1, 15), default=4, show_default=True)
@click.option(
    "--paper",
    type=click.Choice(["A4", "A3", "letter"]),
    default="A4",
    show_default=True,
)
@_style_options
@pass_context
def sheet(ctx, slugs, visit_id, everything, output, columns, rows, paper,
          with_institution, **options):  # fmt: skip
    """Write many codes as a PDF sheet with crop marks, or a zip of SVG files."""
    kind = Path(output).suffix.lower()
    if kind not in (".pdf", ".zip"):
        raise InvalidInput(f"{output} must end in .pdf (a sheet) or .zip (SVG files)")
    path = _writable(output)
    store = ctx.store
    chosen = sheets.chosen_codes(store, slugs, visit_id, everything)
    style = _style(**options)
    items = sheets.entries(store, chosen, with_institution)

    with click.progressbar(length=len(items), label="artwork", file=sys.stderr) as bar:
        if kind == ".pdf":
            body = sheets.sheet_pdf(items, style, columns=columns, rows=rows,
                                    paper=paper, progress=bar.update)  # fmt: skip
        else:
            body = sheets.svg_zip(items, style, progress=bar.update)
    _write(path, body)
    _warn(sheets.disabled(chosen))
    click.echo(f"{len(items)} codes -> {output}")
