"""``ciberq event`` and ``ciberq campaign``: flagship events, and windows in
which a set of codes points at one.

Times are typed in the office's zone (``CIBERQ_TIMEZONE``, WITA by default).
"""

import json
from datetime import datetime

import click

from . import campaigns, clock, codes, events
from .cli_context import actor, pass_context
from .errors import InvalidInput


def local_time(text: str, zone: str) -> datetime:
    """A 'YYYY-MM-DD HH:MM' (or a date) typed in the office's zone, as UTC."""
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
        return moment.replace(tzinfo=clock.zone(zone))
    raise InvalidInput(f"time {text!r} must look like 2026-06-14 09:00 (or 2026-06-14)")


@click.group()
def event():
    """Flagship events that codes can be pointed at."""


@event.command("add")
@click.argument("name_id")
@click.argument("name_en")
@click.option("--from", "starts", required=True, metavar="DATE", help="First day.")
@click.option("--to", "ends", required=True, metavar="DATE", help="Last day.")
@click.option("--page", default="", metavar="URL", help="The event's page.")
@click.option("--by", help="Who makes the change (default: cli:$USER).")
@pass_context
def event_add(ctx, name_id, name_en, starts, ends, page, by):
    """Add an event, named in Indonesian and English."""
    zone = ctx.settings["TIMEZONE"]
    first, last = local_time(starts, zone).date(), local_time(ends, zone).date()
    made = events.create(ctx.store, name_id, name_en, first, last, page, by=actor(by))
    click.echo(f"event {made.id}: {made.name_id} / {made.name_en}")


@event.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def event_list(ctx, as_json):
    """List every event."""
    found = events.list_all(ctx.store)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in found], ensure_ascii=False))
        return
    for item in found:
        click.echo(f"{item.id:>4}  {item.starts} .. {item.ends}  {item.name_id}")


@click.group()
def campaign():
    """Point a set of codes at an event for a window of time."""


@campaign.command("create")
@click.argument("event_id")
@click.option(
    "--from",
    "starts",
    required=True,
    metavar="TIME",
    help="Start, in the office's zone: 2026-06-14 00:00.",
)
@click.option("--to", "ends", required=True, metavar="TIME", help="End (exclusive).")
@click.option("--all", "everything", is_flag=True, help="Every code.")
@click.option("--kind", help="Codes of institutions of this kind.")
@click.option("--visit", help="Codes of this visit.")
@click.option("--codes", "slug_list", metavar="SLUG,SLUG", help="These codes.")
@click.option("--target", default="", help="Where they point (default: the page).")
@click.option("--by", help="Who makes the change (default: cli:$USER).")
@pass_context
def campaign_create(ctx, event_id, starts, ends, everything, kind, visit, slug_list,
                    target, by):  # fmt: skip
    """Point codes at event EVENT_ID from --from to --to."""
    chosen = [(n, v) for n, v in (("all", everything), ("kind", kind),
              ("visit", visit), ("codes", slug_list)) if v]  # fmt: skip
    if len(chosen) != 1:
        raise InvalidInput("choose the codes: --all, --kind, --visit or --codes (one)")
    scope, value = chosen[0]
    zone = ctx.settings["TIMEZONE"]
    made = campaigns.create(
        ctx.store, event_id, local_time(starts, zone), local_time(ends, zone), scope,
        "" if scope == "all" else value, target=target, by=actor(by),
    )  # fmt: skip
    click.echo(f"campaign {made.id}: {scope} {made.value} -> {made.target}")


@campaign.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_context
def campaign_list(ctx, as_json):
    """List campaigns that are not cancelled."""
    found = campaigns.list_all(ctx.store)
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in found], ensure_ascii=False))
        return
    for item in found:
        click.echo(f"{item.id:>4}  {item.starts} .. {item.ends}  event {item.event}  "
                   f"{item.scope} {item.value}  -> {item.target}")  # fmt: skip


@campaign.command("cancel")
@click.argument("campaign_id")
@click.option("--by", help="Who makes the change (default: cli:$USER).")
@pass_context
def campaign_cancel(ctx, campaign_id, by):
    """End a campaign now; its codes fall back to their own targets."""
    campaigns.cancel(ctx.store, campaign_id, by=actor(by))
    click.echo(f"campaign {campaign_id} cancelled")


@click.command("preview")
@click.argument("slug")
@click.option("--at", "moment", metavar="TIME", help="When (default: now).")
@pass_context
def code_preview(ctx, slug, moment):
    """Show what code SLUG opens at a given moment, campaigns included."""
    found = codes.get(ctx.store, slug)
    zone = ctx.settings["TIMEZONE"]
    at = local_time(moment, zone) if moment else clock.now()
    target, event_id = campaigns.preview(ctx.store, found, at)
    suffix = f"  (campaign for event {event_id})" if event_id else ""
    click.echo(f"{found.slug} -> {target}{suffix}")
