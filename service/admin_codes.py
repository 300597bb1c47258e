"""Staff pages for codes: list and search them, issue new ones (one per
delegate of a visit at once), and on each code's page read its counts, what it
opens now or at a chosen moment, and its history; retarget, revert a change,
disable, enable, and download its artwork; and print sheets of many codes.

The routes hang on the staff blueprint of :mod:`service.admin`, so they share
its sign-in, role check, CSRF check and page context.
"""

from datetime import datetime

from flask import abort, current_app, redirect, request, url_for
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from . import (
    artwork,
    campaigns,
    clock,
    codes,
    events,
    institutions,
    scans,
    sheets,
    targets,
    visits,
)
from .admin import _by, _status_page, _store, bp, login_required
from .errors import CiberqError, InvalidInput, StateConflict

# the most codes one form makes at once: one per delegate of a large visit
MAX_PLAQUES = 50
_LANDING_LABEL = (
    "Halaman tamu, bukan URL (salam, dokumentasi, acara) "
    "/ Landing page instead of a URL (greeting, documentation, events)"
)


def chosen_target(form) -> str:
    """The target a form asks for: the landing page when ticked, else its URL."""
    return targets.LANDING if form.landing.data else (form.target.data or "").strip()


class NewCodeForm(FlaskForm):
    """A new code: its target, the institution it is given to, an optional slug."""

    target = StringField("Tujuan / Target URL", [Optional(), Length(max=2048)])
    landing = BooleanField(_LANDING_LABEL)
    institution = StringField("Institusi / Institution", [Optional(), Length(max=200)])
    visit = SelectField("Kunjungan / Visit", [Optional()])
    count = IntegerField(
        "Jumlah plakat (satu per anggota delegasi) / Plaques (one per delegate)",
        [Optional(), NumberRange(min=1, max=MAX_PLAQUES)],
        default=1,
    )
    slug = StringField("Slug khusus / Custom slug", [Optional(), Length(max=32)])


class RetargetForm(FlaskForm):
    """A new target and the reason for the change."""

    target = StringField("Tujuan baru / New target", [Optional(), Length(max=2048)])
    landing = BooleanField(_LANDING_LABEL)
    reason = TextAreaField(
        "Alasan / Reason", [Optional(), Length(max=codes.MAX_REASON)]
    )


class RevertForm(FlaskForm):
    """The index in a code's history of the change to undo."""

    index = IntegerField("Perubahan / Change", [InputRequired(), NumberRange(min=0)])


# the artwork formats offered for download, with their content types
DOWNLOADS = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
# many codes at once: a PDF sheet with crop marks, or a zip of SVG files
SHEETS = {"pdf": "application/pdf", "zip": "application/zip"}
# a sheet drawn while a page waits holds a worker that also answers scans
# (about 8 ms a code); more than this, `ciberq qr sheet` draws it
MAX_PAGE_SHEET = 200


def _matches(row: dict, query: str) -> bool:
    text = query.lower()
    fields = (row["slug"], row["target"], row["institution"])
    return any(text in field.lower() for field in fields)


def _rows(store, query: str = "") -> list[dict]:
    """Codes as table rows without their counts, newest first, matching
    ``query`` on slug, target or institution name (case ignored)."""
    names = {item.id: item.name for item in institutions.list_all(store)}
    rows = [
        {
            "slug": code.slug,
            "state": code.state,
            "target": code.target,
            "institution": names.get(code.institution, ""),
        }
        for code in reversed(codes.list_codes(store))
    ]
    if query:
        rows = [row for row in rows if _matches(row, query)]
    return rows


def code_rows(store, query: str = "") -> list[dict]:
    """Codes as table rows, newest first, with their guests' scans; see _rows."""
    rows = _rows(store, query)
    counts = scans.guest_scans(store, [row["slug"] for row in rows])
    for row, count in zip(rows, counts, strict=True):
        row["scans"] = count
    return rows


@bp.route("/")
@login_required("read")
def index():
    """Every code, with a search box."""
    query = request.args.get("q", "").strip()
    rows = code_rows(_store(), query)
    return _status_page(
        "admin/index.html", 200, rows=rows, query=query, most=MAX_PAGE_SHEET
    )


@bp.route("/codes/new", methods=["GET", "POST"])
@login_required("change")
def new_code():
    """Issue new codes: one, or one per delegate of a visit at once."""
    store = _store()
    form = NewCodeForm()
    form.visit.choices = [SelectChoice("", "–")] + [
        SelectChoice(visit.id, f"{visit.date} · {name} · {visit.purpose}")
        for visit, name in _visits_with_names(store)
    ]
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return _status_page("admin/new_code.html", status, form=form)

    count = form.count.data or 1
    try:
        if count > 1 and form.slug.data:
            raise InvalidInput(
                "a custom slug makes one code; leave it empty for several"
            )
        target = chosen_target(form)
        codes.check(store, target, form.slug.data or None)
        visit = visits.get(store, form.visit.data) if form.visit.data else None
        name = (form.institution.data or "").strip()
        if visit is not None:
            institution = visit.institution
        else:
            institution = (
                institutions.register(store, name, by=_by()).id if name else ""
            )
        made = [
            codes.create(
                store,
                target,
                institution,
                slug=form.slug.data or None,
                visit=visit.id if visit else "",
                by=_by(),
            )  # fmt: skip
            for _ in range(count)
        ]
    except CiberqError as exc:
        status = 409 if exc.http_status == 409 else 400
        return _status_page("admin/new_code.html", status, form=form, error=str(exc))
    if count == 1:
        return redirect(url_for("admin.code_page", slug=made[0].slug))
    return _status_page("admin/new_codes.html", 201, made=made)


def _visits_with_names(store):
    """Every visit, newest first, with its institution's name."""
    names = {item.id: item.name for item in institutions.list_all(store)}
    return [
        (visit, names.get(visit.institution, "")) for visit in visits.list_all(store)
    ]


def _preview(store, code, asked: str) -> dict | None:
    """What the code opens at the local time asked for (``YYYY-MM-DDTHH:MM``,
    what a datetime-local field sends), or now; None when the time is bad."""
    zone = clock.zone(current_app.config["TIMEZONE"])
    try:
        at = datetime.strptime(asked, "%Y-%m-%dT%H:%M").replace(tzinfo=zone)
    except ValueError:
        if asked:
            return None
        at = clock.now()
    target, event_id = campaigns.preview(store, code, at)
    event = events.get(store, event_id) if event_id else None
    return {"at": at.astimezone(zone), "target": target, "event": event}


def _code_page(slug: str, status: int = 200, **context):
    store = _store()
    code = codes.get(store, slug)
    preview = _preview(store, code, request.args.get("at", "").strip())
    if preview is None:
        status, preview = 400, _preview(store, code, "")
        context.setdefault("error", "Waktu pratinjau tidak dikenali; tulis seperti "
                           "2026-06-14T09:00. The preview time is not understood; "
                           "write it like 2026-06-14T09:00.")  # fmt: skip
    landing_now = code.target == targets.LANDING
    context.setdefault(
        "form",
        RetargetForm(
            formdata=None,
            target="" if landing_now else code.target,
            landing=landing_now,
        ),
    )
    return _status_page(
        "admin/code.html",
        status,
        code=codes.summary(store, code),
        revert=RevertForm(formdata=None),
        revertible=revertible,
        downloads=DOWNLOADS,
        preview=preview,
        **context,
    )


@bp.route("/codes/<slug>")
@login_required("read")
def code_page(slug: str):
    """One code: its target, counts and history, and the forms that change it."""
    return _code_page(slug)


@bp.route("/codes/<slug>/retarget", methods=["POST"])
@login_required("change")
def retarget(slug: str):
    """Point the code at a new target, with a reason."""
    form = RetargetForm()
    if not form.validate_on_submit():
        return _code_page(slug, 400, form=form)
    try:
        codes.retarget(
            _store(),
            slug,
            chosen_target(form),
            by=_by(),
            reason=(form.reason.data or "").strip(),
        )
    except CiberqError as exc:
        if exc.http_status == 404:
            raise
        return _code_page(slug, exc.http_status, form=form, error=str(exc))
    return redirect(url_for("admin.code_page", slug=slug.upper()))


def _switch(slug: str, change):
    # the CSRF token was checked before the view (_check_csrf)
    try:
        change(_store(), slug, by=_by())
    except StateConflict as exc:
        return _code_page(slug, exc.http_status, error=str(exc))
    return redirect(url_for("admin.code_page", slug=slug.upper()))


@bp.route("/codes/<slug>/disable", methods=["POST"])
@login_required("change")
def disable(slug: str):
    """Stop redirecting the code."""
    return _switch(slug, codes.disable)


@bp.route("/codes/<slug>/enable", methods=["POST"])
@login_required("change")
def enable(slug: str):
    """Redirect the code again."""
    return _switch(slug, codes.enable)


def revertible(entry: dict) -> bool:
    """True when a history entry is a retarget that a revert can undo."""
    return entry.get("action") == "retargeted" and bool(entry.get("from"))


@bp.route("/codes/<slug>/revert", methods=["POST"])
@login_required("change")
def revert(slug: str):
    """Point the code back at the target it had before one of its retargets."""
    form = RevertForm()
    if not form.validate_on_submit():
        return _code_page(slug, 400, error="Perubahan tidak dikenal / Unknown change")

    store = _store()
    changes = codes.history(store, slug)
    index = form.index.data
    if index >= len(changes) or not revertible(changes[index]):
        error = (
            f"Perubahan {index} tidak dapat dikembalikan"
            f" / change {index} cannot be reverted"
        )
        return _code_page(slug, 400, error=error)
    try:
        codes.retarget(
            store,
            slug,
            changes[index]["from"],
            by=_by(),
            reason=f"revert of change {index}",
        )
    except CiberqError as exc:
        # the old target may be the current one, or no longer allowed
        return _code_page(slug, exc.http_status, error=str(exc))
    return redirect(url_for("admin.code_page", slug=slug.upper()))


@bp.route("/codes/<slug>/qr.<fmt>")
@login_required("read")
def download(slug: str, fmt: str):
    """The code's artwork in the default style, as a file to save."""
    if fmt not in DOWNLOADS:
        abort(404)

    code = codes.get(_store(), slug)
    short_url = code.short_url(current_app.config["BASE_URL"])
    data, _ = artwork.render(short_url, fmt, artwork.Style())
    response = current_app.response_class(data, mimetype=DOWNLOADS[fmt])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{code.slug}.{fmt}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sheet.<kind>")
@login_required("read")
def sheet(kind: str):
    """Many codes' artwork as a file: a PDF sheet (``kind`` pdf) or a zip of SVG
    files, for the codes named (``slug``, repeated), a ``visit``, or those the
    code list shows for the search ``q`` (all without one). ``institution=1``
    adds each institution's name under the caption."""
    if kind not in SHEETS:
        abort(404)
    store = _store()
    slugs = request.args.getlist("slug")
    visit_id = request.args.get("visit", "")
    if not (slugs or visit_id):
        slugs = [row["slug"] for row in _rows(store, request.args.get("q", "").strip())]
        if not slugs:
            return _sheet_refused(400, error="no code matches; nothing to draw")
    if slugs and visit_id:
        return _sheet_refused(400, error="choose a visit or codes, not both")
    if len(slugs) > MAX_PAGE_SHEET:
        return _sheet_refused(413, too_many=len(slugs))
    try:
        chosen = sheets.chosen_codes(store, slugs, visit_id or None)
        if len(chosen) > MAX_PAGE_SHEET:
            return _sheet_refused(413, too_many=len(chosen))
        items = sheets.entries(store, chosen, request.args.get("institution") == "1")
        body = sheets.sheet_pdf(items) if kind == "pdf" else sheets.svg_zip(items)
    except CiberqError as exc:
        return _sheet_refused(exc.http_status, error=str(exc))
    name = f"visit-{visit_id}" if visit_id else "codes"
    response = current_app.response_class(body, mimetype=SHEETS[kind])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{sheets.slug_of(name)}.{kind}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _sheet_refused(status: int, **context):
    return _status_page(
        "admin/sheet_refused.html", status, most=MAX_PAGE_SHEET, **context
    )
