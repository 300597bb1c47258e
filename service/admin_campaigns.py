"""Staff pages for flagship events and campaigns: list them, add an event,
point codes at one for a window of time, cancel a campaign.

Like :mod:`service.admin_institutions`, the routes hang on the staff
blueprint of :mod:`service.admin` and share its sign-in, roles and CSRF check.
"""

import logging

from flask import current_app, redirect, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from . import campaigns, events
from .admin import ButtonForm, _by, _status_page, _store, bp, login_required
from .admin_institutions import WEB_LINK
from .cli_campaigns import local_time
from .errors import CiberqError

log = logging.getLogger(__name__)

SCOPE_LABELS = {
    "all": "Semua kode / All codes",
    "kind": "Jenis institusi / Kind of institution",
    "visit": "Satu kunjungan / One visit",
    "codes": "Daftar kode / A list of codes",
}


class EventForm(FlaskForm):
    """A flagship event, named in both languages, with its dates and page."""

    name_id = StringField("Nama (Indonesia)", [DataRequired(), Length(max=200)])
    name_en = StringField("Name (English)", [DataRequired(), Length(max=200)])
    starts = DateField("Mulai / Starts", [DataRequired()])
    ends = DateField("Selesai / Ends", [DataRequired()])
    page = StringField("Halaman / Page", [Optional(), Length(max=2048), WEB_LINK])


class CampaignForm(FlaskForm):
    """Which event, when (in WITA), which codes, and where they point."""

    event = SelectField("Acara / Event", [DataRequired()])
    starts = StringField("Dari / From (2026-06-14 00:00)", [DataRequired()])
    ends = StringField("Sampai / Until (2026-07-14 00:00)", [DataRequired()])
    scope = SelectField(
        "Kode / Codes",
        choices=[SelectChoice(k, label) for k, label in SCOPE_LABELS.items()],
    )
    value = StringField(
        "Jenis, nomor kunjungan atau slug / Kind, visit id or slugs",
        [Optional(), Length(max=2000)],
    )
    target = StringField(
        "Tujuan (kosong: halaman acara) / Target (empty: the event's page)",
        [Optional(), Length(max=2048)],
    )


def _campaign_form(submitted: bool = False) -> CampaignForm:
    form = CampaignForm() if submitted else CampaignForm(formdata=None)
    form.event.choices = [
        SelectChoice(item.id, f"{item.name_id} ({item.starts})")
        for item in events.list_all(_store())
    ]
    return form


def _events_page(status: int = 200, form=None, error: str = ""):
    return _status_page("admin/events.html", status, events=events.list_all(_store()),
                        form=form or EventForm(formdata=None), error=error)  # fmt: skip


def _campaigns_page(status: int = 200, form=None, error: str = ""):
    store = _store()
    names = {item.id: item.name_id for item in events.list_all(store)}
    return _status_page(
        "admin/campaigns.html", status, campaigns=campaigns.list_all(store),
        names=names, scopes=SCOPE_LABELS, form=form or _campaign_form(),
        cancel=ButtonForm(), error=error,
    )  # fmt: skip


@bp.route("/events")
@login_required("read")
def events_page():
    """Every flagship event, with the form that adds one."""
    return _events_page()


@bp.route("/events", methods=["POST"])
@login_required("change")
def add_event():
    """Add a flagship event."""
    form = EventForm()
    if not form.validate_on_submit():
        return _events_page(400, form)
    store = _store()
    try:
        names = form.name_id.data.strip(), form.name_en.data.strip()
        page = (form.page.data or "").strip()
        made = events.create(
            store, *names, form.starts.data, form.ends.data, page, by=_by()
        )
    except CiberqError as exc:
        return _events_page(exc.http_status, form, str(exc))
    log.info("event %s added by %s", made.id, _by())
    return redirect(url_for("admin.events_page"))


@bp.route("/campaigns")
@login_required("read")
def campaigns_page():
    """Every campaign that is not cancelled, with the form that starts one."""
    return _campaigns_page()


@bp.route("/campaigns", methods=["POST"])
@login_required("change")
def create_campaign():
    """Point a set of codes at an event for a window typed in WITA."""
    form = _campaign_form(submitted=True)
    if not form.validate_on_submit():
        return _campaigns_page(400, form)
    zone = current_app.config["TIMEZONE"]
    try:
        made = campaigns.create(
            _store(), form.event.data, local_time(form.starts.data, zone),
            local_time(form.ends.data, zone), form.scope.data,
            "" if form.scope.data == "all" else (form.value.data or "").strip(),
            target=(form.target.data or "").strip(), by=_by(),
        )  # fmt: skip
    except CiberqError as exc:
        return _campaigns_page(exc.http_status, form, str(exc))
    log.info("campaign %s created by %s", made.id, _by())
    return redirect(url_for("admin.campaigns_page"))


@bp.route("/campaigns/<campaign_id>/cancel", methods=["POST"])
@login_required("change")
def cancel_campaign(campaign_id: str):
    """End a campaign now; its codes fall back to their own targets."""
    try:
        campaigns.cancel(_store(), campaign_id, by=_by())
    except CiberqError as exc:
        return _campaigns_page(exc.http_status, error=str(exc))
    return redirect(url_for("admin.campaigns_page"))
