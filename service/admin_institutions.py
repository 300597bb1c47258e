"""Staff pages for the visiting institutions and their visits: list them,
register an institution, record a visit.

The routes hang on the staff blueprint of :mod:`service.admin`, so they share
its sign-in, role check, CSRF check and page context.
"""

import logging

from flask import redirect, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from . import imports, institutions, visits
from .admin import _by, _status_page, _store, bp, login_required
from .errors import CiberqError

log = logging.getLogger(__name__)

# a documentation link is shown as a link, so only web addresses are taken
WEB_LINK = Regexp(r"^https?://\S+$", message="Tautan harus http(s):// / use http(s)://")


class InstitutionForm(FlaskForm):
    """A new institution: its name, kind, region and country."""

    name = StringField("Nama / Name", [DataRequired(), Length(max=200)])
    kind = SelectField(
        "Jenis / Kind",
        choices=[SelectChoice("", "–")]
        + [SelectChoice(kind, label) for kind, label in institutions.KINDS.items()],
        validators=[Optional()],
    )
    region = StringField("Wilayah / Region", [Optional(), Length(max=100)])
    country = StringField(
        "Negara / Country", [Optional(), Length(max=64)], default="ID"
    )


class VisitForm(FlaskForm):
    """A visit: the institution, the date, its purpose and documentation link."""

    institution = SelectField("Institusi / Institution", [DataRequired()])
    date = DateField("Tanggal / Date", [DataRequired()])
    purpose = StringField("Tujuan kunjungan / Purpose", [Optional(), Length(max=500)])
    documentation = StringField(
        "Dokumentasi / Documentation link", [Optional(), Length(max=2048), WEB_LINK]
    )


class ImportForm(FlaskForm):
    """A CSV file of institutions and, optionally, their visits."""

    file = FileField("Berkas CSV / CSV file", [FileRequired()])


def _institutions_page(status: int = 200, form=None, error: str = ""):
    return _status_page(
        "admin/institutions.html",
        status,
        institutions=institutions.list_all(_store()),
        kinds=institutions.KINDS,
        form=form or InstitutionForm(formdata=None),
        error=error,
    )


@bp.route("/institutions")
@login_required("read")
def institutions_page():
    """Every institution, by name, with the form that registers one."""
    return _institutions_page()


@bp.route("/institutions", methods=["POST"])
@login_required("change")
def register_institution():
    """Register an institution (a known name is left as it is)."""
    form = InstitutionForm()
    if not form.validate_on_submit():
        return _institutions_page(400, form)
    try:
        found = institutions.register(
            _store(),
            form.name.data,
            form.kind.data or "",
            form.region.data or "",
            (form.country.data or "").strip() or "ID",
            by=_by(),
        )
    except CiberqError as exc:
        return _institutions_page(exc.http_status, form, str(exc))
    log.info("institution %s registered by %s", found.id, _by())
    return redirect(url_for("admin.institutions_page"))


def _visit_form(submitted: bool = False) -> VisitForm:
    # the institution choices come from the store, so a bad id fails validation
    form = VisitForm() if submitted else VisitForm(formdata=None)
    form.institution.choices = [
        SelectChoice(item.id, item.name) for item in institutions.list_all(_store())
    ]
    return form


def _visits_page(status: int = 200, form=None, error: str = ""):
    store = _store()
    names = {item.id: item.name for item in institutions.list_all(store)}
    return _status_page(
        "admin/visits.html",
        status,
        visits=visits.list_all(store),
        names=names,
        form=form or _visit_form(),
        error=error,
    )


@bp.route("/visits")
@login_required("read")
def visits_page():
    """Every visit, newest first, with the form that records one."""
    return _visits_page()


@bp.route("/visits", methods=["POST"])
@login_required("change")
def record_visit():
    """Record a visit of a registered institution."""
    form = _visit_form(submitted=True)
    if not form.validate_on_submit():
        return _visits_page(400, form)
    try:
        visit = visits.create(
            _store(),
            form.institution.data,
            form.date.data,
            (form.purpose.data or "").strip(),
            (form.documentation.data or "").strip(),
            by=_by(),
        )
    except CiberqError as exc:
        return _visits_page(exc.http_status, form, str(exc))
    log.info("visit %s recorded by %s", visit.id, _by())
    return redirect(url_for("admin.visits_page"))


@bp.route("/institutions/import", methods=["GET", "POST"])
@login_required("change")
def import_institutions():
    """Register institutions, and record visits, from an uploaded CSV file."""
    form = ImportForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return _status_page("admin/import.html", status, form=form)
    try:
        text = form.file.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        error = "Berkas bukan teks UTF-8 / the file is not UTF-8 text"
        return _status_page("admin/import.html", 400, form=form, error=error)

    counts, errors = imports.import_csv(_store(), text, by=_by())
    log.info("csv import by %s: %s, %s rows refused", _by(), counts, len(errors))
    return _status_page(
        "admin/import.html", 200, form=ImportForm(formdata=None),
        counts=counts, errors=errors,
    )  # fmt: skip
