"""``ciberq landing``: read and replace the content of landing pages.

Content is a JSON object (see :func:`service.landing.check`) stored for the
whole office, for one visit (``--visit ID``) or for one code (``--code SLUG``);
a code's wins over its visit's, which wins over the office's.
"""

import json

import click

from . import codes, landing
from .cli_context import actor, pass_context
from .errors import InvalidInput


def _scope(code: str | None, visit: str | None) -> tuple[str, str]:
    if code and visit:
        raise click.UsageError("give --code or --visit, not both")
    if code:
        return "code", code
    if visit:
        return "visit", visit
    return "office", ""


scope_options = [
    click.option("--code", "code_slug", metavar="SLUG", help="One code's content."),
    click.option("--visit", metavar="ID", help="One visit's content."),
]


def _with_scope(command):
    for option in reversed(scope_options):
        command = option(command)
    return command


@click.group("landing")
def landing_group():
    """Content of landing pages: office-wide, per visit, per code."""


@landing_group.command("show")
@_with_scope
@click.option(
    "--effective",
    is_flag=True,
    help="With --code: the content the page shows, all layers merged.",
)
@pass_context
def landing_show(ctx, code_slug, visit, effective):
    """Print the stored content (JSON) of the office, a visit or a code."""
    scope, key = _scope(code_slug, visit)
    if effective:
        if scope != "code":
            raise click.UsageError("--effective needs --code")
        shown = landing.content(ctx.store, codes.get(ctx.store, key))
    else:
        shown = landing.override(ctx.store, scope, key)
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2))


@landing_group.command("set")
@_with_scope
@click.argument("source", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--by", metavar="NAME", help="Who makes the change (default: cli:$USER).")
@pass_context
def landing_set(ctx, code_slug, visit, source, by):
    """Replace the content with the JSON object in SOURCE (a file, or - for stdin).

    \b
    Fields: message_id, message_en, profile_url, email, phone, postal_address,
    links: [{"id": "menu", "url": "https://...", "label_id": ..., "label_en": ...}]
    """
    scope, key = _scope(code_slug, visit)
    try:
        document = json.loads(source.read())
    except ValueError as exc:
        raise InvalidInput(f"landing content is not valid JSON: {exc}") from None
    saved = landing.set_override(ctx.store, scope, key, document, by=actor(by))
    click.echo(f"landing content of {scope} {key.upper()}".rstrip() + " saved: "
               f"{len(saved)} fields")  # fmt: skip
