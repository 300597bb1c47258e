"""The ``ciberq`` command line: serve, seed demo data, manage codes.

Every command reads the same ``CIBERQ_*`` settings as the service and reaches
the same Redis (leasing the embedded one of the data directory when no URL is
set). Bad input prints one line on stderr and exits non-zero.
"""

import json
import logging
import sys
from typing import Any

import click
import redis
from click.exceptions import NoArgsIsHelpError

from . import LOG_FORMAT, codes, institutions, targets
from . import config as settings
from .cli_accounts import audit_command, token, user
from .cli_campaigns import campaign, code_preview, event
from .cli_context import Context, actor, pass_context
from .cli_landing import landing_group
from .cli_qr import qr
from .errors import CiberqError, ConfigError
from .store import Store, redacted, release_embedded, resolve_url

log = logging.getLogger(__name__)


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


by_option = click.option(
    "--by", metavar="NAME", help="Who makes the change (default: cli:$USER)."
)
reason_option = click.option(
    "--reason", default="", metavar="TEXT", help="Why, for the history."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ciberq")
def cli():
    """CIBER Q CODE: dynamic QR codes for souvenir plaques.

    Settings come from CIBERQ_* environment variables; see `ciberq config`.
    """


@cli.command()
@click.option("--host", help="Address to listen on (CIBERQ_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (CIBERQ_PORT).")
@click.option("--workers", type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--demo", is_flag=True, help="Seed demo data first if there is none.")
@click.option(
    "--only",
    type=click.Choice(["all", "public", "admin"]),
    help="Serve only the public side (redirects, landing pages) or "
    "the admin side (API, staff pages); default CIBERQ_NODE or all.",
)
@pass_context
def serve(ctx: Context, host, port, workers, demo, only):
    """Run the service under gunicorn until interrupted."""
    from . import serve as server

    values = dict(ctx.settings)
    if only:
        values["NODE"] = only
    settings.ensure_secret_key(values)
    values["REDIS_URL"] = resolve_url(values)
    if demo:
        _seed_if_empty(ctx.store)
    click.echo(
        f"ciberq: short links on {values['BASE_URL']}, redis at "
        f"{redacted(values['REDIS_URL'])}",
        err=True,
    )
    try:
        server.run(
            values,
            host or values["HOST"],
            port or values["PORT"],
            workers or values["WORKERS"],
        )
    finally:
        release_embedded()


def _seed_if_empty(store: Store, **options) -> None:
    from . import demo

    if not demo.is_empty(store):
        click.echo("ciberq: codes exist already; demo data not added", err=True)
        return
    made = demo.seed(store, **options)
    summary = ", ".join(f"{count} {name}" for name, count in made.items())
    click.echo(f"ciberq: demo data seeded: {summary}", err=True)


@cli.command("demo")
@click.option("--scans", default=5000, type=click.IntRange(0, 10_000_000))
@click.option("--days", default=180, type=click.IntRange(1, 3650))
@pass_context
def demo_command(ctx: Context, scans, days):
    """Seed believable demo data: institutions, visits, events, codes, scans."""
    _seed_if_empty(ctx.store, scans=scans, days=days)


@cli.command("config")
def config_command():
    """List every setting with its default and description."""
    for name, default, description in settings.describe():
        click.echo(f"{name}={default}\n    {description}")


cli.add_command(qr)
cli.add_command(user)
cli.add_command(token)
cli.add_command(audit_command)
cli.add_command(event)
cli.add_command(campaign)
cli.add_command(landing_group)


@cli.group()
def code():
    """Create, retarget, disable, enable, show and list codes."""


def _target(target: str | None, to_landing: bool) -> str:
    """The target a command was given: TARGET, or the landing page with --landing."""
    if to_landing and target:
        raise click.UsageError("give a TARGET or --landing, not both")
    if not to_landing and not target:
        raise click.UsageError("give a TARGET URL, or --landing for the landing page")
    return targets.LANDING if to_landing else target


landing_option = click.option(
    "--landing",
    "to_landing",
    is_flag=True,
    help="Target the code's own landing page instead of a URL.",
)


@code.command("create")
@click.argument("target", required=False)
@landing_option
@click.option(
    "--institution",
    required=True,
    metavar="NAME",
    help="Visiting institution; registered if new.",
)
@click.option(
    "--kind",
    type=click.Choice(list(institutions.KINDS)),
    help="Kind of a newly registered institution.",
)
@click.option("--slug", metavar="SLUG", help="Custom slug (A-Z 0-9 -, 3 to 32).")
@click.option("--visit", default="", metavar="ID", help="The visit it was given at.")
@reason_option
@by_option
@json_option
@pass_context
def code_create(
    ctx, target, to_landing, institution, kind, slug, visit, reason, by, as_json
):
    """Create a code that sends guests to TARGET, or to its landing page."""
    target = _target(target, to_landing)
    store = ctx.store
    # check everything typed before registering anything: bad input changes nothing
    codes.check(store, target, slug)
    found = institutions.register(store, institution, kind or "", by=actor(by))
    made = codes.create(
        store, target, found.id, slug=slug, visit=visit, by=actor(by), reason=reason
    )
    if as_json:
        _emit_json(codes.summary(store, made, with_history=False))
    else:
        click.echo(made.short_url(store.settings["BASE_URL"]))


@code.command("retarget")
@click.argument("slug")
@click.argument("target", required=False)
@landing_option
@reason_option
@by_option
@pass_context
def code_retarget(ctx, slug, target, to_landing, reason, by):
    """Point code SLUG at TARGET, or its landing page; the next scan lands there."""
    target = _target(target, to_landing)
    changed = codes.retarget(ctx.store, slug, target, by=actor(by), reason=reason)
    click.echo(f"{changed.slug} -> {targets.describe(changed.target)}")


@code.command("disable")
@click.argument("slug")
@reason_option
@by_option
@pass_context
def code_disable(ctx, slug, reason, by):
    """Stop redirecting code SLUG (guests see a page linking to the office)."""
    changed = codes.disable(ctx.store, slug, by=actor(by), reason=reason)
    click.echo(f"{changed.slug} disabled")


@code.command("enable")
@click.argument("slug")
@reason_option
@by_option
@pass_context
def code_enable(ctx, slug, reason, by):
    """Redirect code SLUG again."""
    changed = codes.enable(ctx.store, slug, by=actor(by), reason=reason)
    click.echo(f"{changed.slug} enabled -> {changed.target}")


code.add_command(code_preview)


@code.command("show")
@click.argument("slug")
@json_option
@pass_context
def code_show(ctx, slug, as_json):
    """Show code SLUG: target, state, counts and history."""
    data = codes.summary(ctx.store, codes.get(ctx.store, slug))
    if as_json:
        _emit_json(data)
        return
    for name in (
        "short_url",
        "target",
        "state",
        "institution",
        "scans",
        "bot_scans",
        "scans_while_disabled",
        "last_scan_at",
        "created_at",
        "created_by",
    ):
        click.echo(f"{name:>21}: {data[name]}")
    clicks = data["clicks"]
    per_link = ", ".join(f"{link} {n}" for link, n in sorted(clicks["links"].items()))
    click.echo(
        f"{'clicks':>21}: {clicks['total']}" + (f" ({per_link})" if per_link else "")
    )
    click.echo("history:")
    for entry in data["history"]:
        line = f"  {entry['at']}  {entry['action']:<10} by {entry.get('by') or '-'}"
        if entry.get("from"):
            line += f"  from {targets.describe(entry['from'])}"
        if entry.get("to"):
            line += f"  to {targets.describe(entry['to'])}"
        if entry.get("reason"):
            line += f"  ({entry['reason']})"
        click.echo(line)


@code.command("list")
@json_option
@pass_context
def code_list(ctx, as_json):
    """List every code with its state and guests' scans."""
    store = ctx.store
    rows = [
        codes.summary(store, found, with_history=False)
        for found in codes.list_codes(store)
    ]
    if as_json:
        _emit_json(rows)
        return
    for row in rows:
        click.echo(
            f"{row['slug']:<12} {row['state']:<9} {row['scans']:>7}  "
            f"{row['institution'][:30]:<30}  {targets.describe(row['target'])}"
        )


def _fail(message: str, status: int = 1) -> None:
    click.echo(f"ciberq: error: {message}", err=True)
    sys.exit(status)


def main(argv: list[str] | None = None) -> None:
    """Run the command line; errors become one line on stderr."""
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    try:
        try:
            status = cli.main(args=argv, prog_name="ciberq", standalone_mode=False)
        finally:
            release_embedded()
    except NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help())
        status = 0
    except click.UsageError as exc:
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _fail(exc.format_message().replace("\n", " ") + where, exc.exit_code)
    except click.ClickException as exc:
        _fail(exc.format_message().replace("\n", " "), exc.exit_code)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except ConfigError as exc:
        _fail(str(exc), 2)
    except CiberqError as exc:
        _fail(str(exc))
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        _fail(f"cannot reach redis: {exc}; check CIBERQ_REDIS_URL")
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:  # a bug: say so in one line, details in the log
        log.debug("unexpected error", exc_info=True)
        _fail(
            f"unexpected {type(exc).__name__}: {exc} (CIBERQ_LOG_LEVEL=DEBUG "
            "shows details)"
        )
    sys.exit(status or 0)
