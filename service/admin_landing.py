"""Staff pages for landing page content: the office's defaults, and one code's.

A form of plain fields, links one a line as ``id | url | label_id | label_en``.
The routes hang on the staff blueprint of :mod:`service.admin`, so they share
its sign-in, role check, CSRF check and page context.
"""

from flask import redirect, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from . import codes, landing
from .admin import _by, _status_page, _store, bp, login_required
from .errors import CiberqError, InvalidInput

LINK_PARTS = ("id", "url", "label_id", "label_en")


class LandingForm(FlaskForm):
    """Landing content: texts in both languages, contacts and extra links."""

    message_id = TextAreaField("Pesan (Indonesia) / Message (Indonesian)",
                               [Optional(), Length(max=landing.MAX_TEXT)])  # fmt: skip
    message_en = TextAreaField("Pesan (Inggris) / Message (English)",
                               [Optional(), Length(max=landing.MAX_TEXT)])  # fmt: skip
    profile_url = StringField("Profil kantor / Office profile URL",
                              [Optional(), Length(max=2048)])  # fmt: skip
    email = StringField("Surel / E-mail", [Optional(), Length(max=200)])
    phone = StringField("Telepon / Telephone", [Optional(), Length(max=40)])
    postal_address = StringField("Alamat / Address", [Optional(), Length(max=500)])
    links = TextAreaField(
        "Tautan: id | url | label Indonesia | label Inggris, satu per baris "
        "/ Links: id | url | Indonesian label | English label, one a line",
        [Optional(), Length(max=8000)],
    )


def _document(form: LandingForm) -> dict:
    """The content document of a submitted form (empty fields left out)."""
    document = {
        name: getattr(form, name).data.strip()
        for name in landing.FIELDS
        if (getattr(form, name).data or "").strip()
    }
    links = []
    for number, line in enumerate((form.links.data or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > len(LINK_PARTS):
            raise InvalidInput(f"baris {number} / line {number}: too many '|'")
        links.append(dict(zip(LINK_PARTS, parts + [""] * 4, strict=False)))
    if links:
        document["links"] = links
    return document


def _form_of(document: dict) -> LandingForm:
    lines = [
        " | ".join(link.get(part, "") for part in LINK_PARTS)
        for link in document.get("links", ())
    ]
    values = {name: document.get(name, "") for name in landing.FIELDS}
    return LandingForm(formdata=None, links="\n".join(lines), **values)


def _edit(scope: str, key: str, title: str, back: str):
    store = _store()
    if request.method == "GET":
        form = _form_of(landing.override(store, scope, key))
        return _status_page("admin/landing.html", 200, form=form, title=title,
                            back=back)  # fmt: skip
    form = LandingForm()
    if not form.validate_on_submit():
        return _status_page("admin/landing.html", 400, form=form, title=title,
                            back=back)  # fmt: skip
    try:
        landing.set_override(store, scope, key, _document(form), by=_by())
    except CiberqError as exc:
        return _status_page("admin/landing.html", 400, form=form, title=title,
                            back=back, error=str(exc))  # fmt: skip
    return redirect(back)


def _office_page():
    return _edit("office", "", "Halaman tamu: isi kantor / Landing page: office",
                 url_for("admin.index"))  # fmt: skip


def _code_page(slug: str):
    code = codes.get(_store(), slug)
    return _edit("code", code.slug,
                 f"Halaman tamu {code.slug} / Landing page {code.slug}",
                 url_for("admin.code_page", slug=code.slug))  # fmt: skip


@bp.route("/landing", methods=["GET"])
@login_required("read")
def office_landing():
    """The office-wide landing content that every landing page starts from."""
    return _office_page()


@bp.route("/landing", methods=["POST"])
@login_required("change")
def save_office_landing():
    """Save the office-wide landing content."""
    return _office_page()


@bp.route("/codes/<slug>/landing", methods=["GET"])
@login_required("read")
def code_landing(slug: str):
    """The landing content one code overrides."""
    return _code_page(slug)


@bp.route("/codes/<slug>/landing", methods=["POST"])
@login_required("change")
def save_code_landing(slug: str):
    """Save the landing content of one code."""
    return _code_page(slug)
