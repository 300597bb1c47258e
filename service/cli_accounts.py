"""``ciberq user`` and ``ciberq token``: the people who sign in, and API tokens.

``ciberq user add NAME --role ROLE`` asks for the password twice, or reads
it from stdin with ``--password-stdin``. ``ciberq token create NAME --role
ROLE`` prints the raw token once; only its sha256 is kept.
"""

import json
import sys
from typing import Any

import click

from . import accounts, tokens
from .cli_context import actor, pass_context
from .errors import InvalidInput

by_option = click.option(
    "--by", metavar="NAME", help="Who makes the change (default: cli:$USER)."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
role_option = click.option(
    "--role", required=True, type=click.Choice(accounts.ROLES), help="What it may do."
)


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice without echo."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise InvalidInput("no password on stdin; pipe it in, one line")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group()
def user():
    """Add, list, disable and enable the people who sign in."""


@user.command("add")
@click.argument("name")
@role_option
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@by_option
@pass_context
def user_add(ctx, name, role, password_stdin, by):
    """Add user NAME with a role; the password is asked for, never an argument."""
    password = _read_password(password_stdin)
    made = accounts.add_user(ctx.store, name, role, password, by=actor(by))
    click.echo(f"user {made.name} added as {made.role}")


@user.command("list")
@json_option
@pass_context
def user_list(ctx, as_json):
    """List every user with role and state."""
    found = accounts.list_users(ctx.store)
    if as_json:
        _emit_json([person.to_dict() for person in found])
        return
    for person in found:
        state = "active" if person.active else "disabled"
        click.echo(f"{person.name:<24} {person.role:<7} {state:<9} {person.created_at}")


@user.command("disable")
@click.argument("name")
@by_option
@pass_context
def user_disable(ctx, name, by):
    """Stop user NAME from signing in."""
    changed = accounts.disable_user(ctx.store, name, by=actor(by))
    click.echo(f"user {changed.name} disabled")


@user.command("enable")
@click.argument("name")
@by_option
@pass_context
def user_enable(ctx, name, by):
    """Let user NAME sign in again."""
    changed = accounts.enable_user(ctx.store, name, by=actor(by))
    click.echo(f"user {changed.name} enabled")


@user.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(accounts.ROLES))
@by_option
@pass_context
def user_role(ctx, name, role, by):
    """Give user NAME another ROLE."""
    changed = accounts.set_role(ctx.store, name, role, by=actor(by))
    click.echo(f"user {changed.name} is now {changed.role}")


@user.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@by_option
@pass_context
def user_password(ctx, name, password_stdin, by):
    """Set a new password for user NAME."""
    password = _read_password(password_stdin)
    changed = accounts.set_password(ctx.store, name, password, by=actor(by))
    click.echo(f"user {changed.name}: password changed")


@click.group()
def token():
    """Create, list and revoke API tokens."""


@token.command("create")
@click.argument("name")
@role_option
@json_option
@by_option
@pass_context
def token_create(ctx, name, role, as_json, by):
    """Create a token and print it once: it cannot be shown again."""
    made, raw = tokens.create_token(ctx.store, name, role, by=actor(by))
    if as_json:
        _emit_json({"token": raw, "id": made.id, "name": made.name, "role": made.role})
        return
    click.echo(raw)
    click.echo(
        f"token {made.id} ({made.name}, {made.role}): copy it now, "
        "it is not shown again",
        err=True,
    )


@token.command("list")
@json_option
@pass_context
def token_list(ctx, as_json):
    """List every token (never the secret)."""
    found = tokens.list_tokens(ctx.store)
    if as_json:
        _emit_json([item.to_dict() for item in found])
        return
    for item in found:
        state = "revoked" if item.revoked else "active"
        used = item.last_used_at or "never used"
        click.echo(f"{item.id}  {item.role:<7} {state:<8} {item.name[:30]:<30}  {used}")


@token.command("revoke")
@click.argument("token_id", metavar="ID")
@by_option
@pass_context
def token_revoke(ctx, token_id, by):
    """Revoke token ID for good."""
    changed = tokens.revoke(ctx.store, token_id, by=actor(by))
    click.echo(f"token {changed.id} revoked")


@click.command("audit")
@click.option("--since", help="From this ISO UTC time (or stream id) on.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--csv", "as_csv", is_flag=True, help="The whole log as CSV.")
@pass_context
def audit_command(ctx, since, limit, as_csv):
    """Read the audit log: who changed what, and every login."""
    from . import audit

    if as_csv:
        click.echo(audit.export_csv(ctx.store), nl=False)
        return
    for entry in audit.entries(ctx.store, since=since, limit=limit):
        click.echo(f"{entry['at']}  {entry['who']:<24} {entry['action']:<22} "
                   f"{entry['subject']}")  # fmt: skip
