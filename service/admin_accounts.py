"""Staff pages for admins: the people who sign in, the API tokens, and the
audit log with its CSV download.

Like :mod:`service.admin_campaigns`, the routes hang on the staff blueprint of
:mod:`service.admin` and share its sign-in, CSRF check and page context. Every
route checks its role on the server (``manage_users`` or ``audit``, both admin
only); hiding the menu links from others is a courtesy, not the check.
"""

import logging

from flask import current_app, redirect, request, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, Regexp

from . import accounts, audit, tokens
from .admin import _by, _status_page, _store, bp, login_required
from .errors import (
    CiberqError,
    InvalidInput,
    StateConflict,
    TokenNotFound,
    UserNotFound,
    UserTaken,
)

log = logging.getLogger(__name__)

ROLE_LABELS = {
    "admin": "Admin (semua, juga pengguna) / Admin (everything, users too)",
    "staff": "Staf (mengubah) / Staff (changes)",
    "viewer": "Pembaca (hanya membaca) / Viewer (reads only)",
}
AUDIT_PAGE = 100
# the Indonesian half of a refusal; the English half is the exception's own
# message, which names the user or token and what to do
INDONESIAN = {
    UserTaken: "Nama pengguna itu sudah dipakai",
    UserNotFound: "Pengguna itu tidak ada",
    TokenNotFound: "Token itu tidak ada",
    StateConflict: (
        "Admin aktif terakhir tidak dapat dinonaktifkan atau diturunkan; "
        "jadikan pengguna lain admin dahulu"
    ),
    InvalidInput: "Isian ditolak",
}
_REQUIRED = "Wajib diisi / Required"
_ROLE = AnyOf(accounts.ROLES, message="Peran tidak dikenal / Unknown role")
_PASSWORD = Length(
    min=accounts.MIN_PASSWORD,
    max=accounts.MAX_PASSWORD,
    message=(
        f"Kata sandi {accounts.MIN_PASSWORD} sampai {accounts.MAX_PASSWORD} karakter"
        f" / Password of {accounts.MIN_PASSWORD} to {accounts.MAX_PASSWORD} characters"
    ),
)
_SAME = EqualTo(
    "password", message="Kedua kata sandi berbeda / The passwords do not match"
)


def _lower(text):
    return (text or "").strip().lower()


def _role_field(label: str = "Peran / Role") -> SelectField:
    # validate_choice off: a hand-made role gets _ROLE's bilingual message
    return SelectField(
        label,
        [_ROLE],
        choices=[SelectChoice(role, text) for role, text in ROLE_LABELS.items()],
        default="viewer",
        validate_choice=False,
    )


class UserForm(FlaskForm):
    """A new person: name, role and the password typed twice."""

    name = StringField(
        "Nama pengguna / User name",
        [
            DataRequired(_REQUIRED),
            Regexp(
                accounts.NAME,
                message="3–64 karakter: a-z, 0-9, . _ - / 3 to 64 of a-z, 0-9, . _ -",
            ),
        ],
        filters=[_lower],
    )
    role = _role_field()
    password = PasswordField(
        "Kata sandi / Password", [DataRequired(_REQUIRED), _PASSWORD]
    )
    confirm = PasswordField("Ulangi kata sandi / Password again", [_SAME])


class RoleForm(FlaskForm):
    """Another role for one user."""

    role = _role_field()


class PasswordForm(FlaskForm):
    """A new password for one user, typed twice."""

    password = PasswordField("Kata sandi baru / New password", [_PASSWORD])
    confirm = PasswordField("Ulangi / Again", [_SAME])


class TokenForm(FlaskForm):
    """A new API token: what it is for, and its role."""

    name = StringField(
        "Nama (untuk apa) / Name (what it is for)",
        [DataRequired(_REQUIRED), Length(max=tokens.MAX_NAME)],
    )
    role = _role_field()


def bilingual(exc: CiberqError) -> str:
    """A refusal as staff read it: Indonesian, then the English message."""
    for kind, words in INDONESIAN.items():
        if isinstance(exc, kind):
            return f"{words} / {exc}"
    return f"Ditolak / {exc}"


def _form_errors(form: FlaskForm) -> str:
    """A small form's field errors as one line (they are bilingual already)."""
    return "; ".join(message for errors in form.errors.values() for message in errors)


def _users_page(status: int = 200, form=None, error: str = ""):
    return _status_page(
        "admin/users.html", status, users=accounts.list_users(_store()),
        roles=ROLE_LABELS, form=form or UserForm(formdata=None),
        minimum=accounts.MIN_PASSWORD, error=error,
    )  # fmt: skip


@bp.route("/users")
@login_required("manage_users")
def users_page():
    """Every user, with the forms that add one and change each."""
    return _users_page()


@bp.route("/users", methods=["POST"])
@login_required("manage_users")
def add_user():
    """Add a user with a role and a password."""
    form = UserForm()
    if not form.validate_on_submit():
        return _users_page(400, form)
    try:
        accounts.add_user(
            _store(), form.name.data, form.role.data, form.password.data, by=_by()
        )
    except CiberqError as exc:
        return _users_page(exc.http_status, form, bilingual(exc))
    return redirect(url_for("admin.users_page"))


def _change_user(name: str, change, *args):
    """Apply one change to user ``name``; a refusal shows on the users page."""
    try:
        change(_store(), name, *args, by=_by())
    except CiberqError as exc:
        return _users_page(exc.http_status, error=f"{name}: {bilingual(exc)}")
    return redirect(url_for("admin.users_page"))


@bp.route("/users/<name>/role", methods=["POST"])
@login_required("manage_users")
def change_role(name: str):
    """Give a user another role (never the last active admin's)."""
    form = RoleForm()
    if not form.validate_on_submit():
        return _users_page(400, error=f"{name}: {_form_errors(form)}")
    return _change_user(name, accounts.set_role, form.role.data)


@bp.route("/users/<name>/disable", methods=["POST"])
@login_required("manage_users")
def disable_user(name: str):
    """Stop a user from signing in (never the last active admin)."""
    return _change_user(name, accounts.disable_user)


@bp.route("/users/<name>/enable", methods=["POST"])
@login_required("manage_users")
def enable_user(name: str):
    """Let a disabled user sign in again."""
    return _change_user(name, accounts.enable_user)


@bp.route("/users/<name>/password", methods=["POST"])
@login_required("manage_users")
def set_password(name: str):
    """Give a user a new password (the audit log says only that it changed)."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return _users_page(400, error=f"{name}: {_form_errors(form)}")
    return _change_user(name, accounts.set_password, form.password.data)


def _tokens_page(status: int = 200, form=None, error: str = ""):
    # newest first, like the other lists of things staff make
    found = list(reversed(tokens.list_tokens(_store())))
    return _status_page(
        "admin/tokens.html", status, tokens=found, roles=ROLE_LABELS,
        form=form or TokenForm(formdata=None), error=error,
    )  # fmt: skip


@bp.route("/tokens")
@login_required("manage_users")
def tokens_page():
    """Every API token (never its secret), with the form that creates one."""
    return _tokens_page()


@bp.route("/tokens", methods=["POST"])
@login_required("manage_users")
def create_token():
    """Create a token and show its secret on this answer only."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(400, form)
    try:
        made, raw = tokens.create_token(
            _store(), form.name.data, form.role.data, by=_by()
        )
    except CiberqError as exc:
        return _tokens_page(exc.http_status, form, bilingual(exc))
    # _status_page sets Cache-Control: no-store, so no cache keeps the secret
    return _status_page("admin/token_created.html", 201, token=made, raw=raw)


@bp.route("/tokens/<token_id>/revoke", methods=["POST"])
@login_required("manage_users")
def revoke_token(token_id: str):
    """Revoke a token for good."""
    try:
        tokens.revoke(_store(), token_id, by=_by())
    except CiberqError as exc:
        return _tokens_page(exc.http_status, error=f"{token_id}: {bilingual(exc)}")
    return redirect(url_for("admin.tokens_page"))


# fields of an added user or token that repeat the entry's own at, who and subject
_ECHOED = frozenset({"created_at", "created_by", "id"})


def change_text(before: dict | None, after: dict | None, width: int = 160) -> str:
    """An entry's before and after in one short line: ``role: staff → admin``."""
    before, after = before or {}, after or {}
    parts = []
    for key in sorted((before.keys() | after.keys()) - _ECHOED):
        old, new = before.get(key), after.get(key)
        if key not in before and new not in ("", None):
            parts.append(f"{key}: {new}")
        elif key in before and old != new:
            parts.append(f"{key}: {old} → {'–' if key not in after else new}")
    text = "; ".join(parts)
    return text if len(text) <= width else text[: width - 1] + "…"


@bp.route("/audit")
@login_required("audit")
def audit_page():
    """The audit log, newest first, a page at a time, filtered by who or subject.

    The filter is a contains match (case ignored) on who and subject; each page
    reads at most ``audit.older``'s ``scan`` entries, then links further back.
    """
    before = request.args.get("before", "").strip()
    query = request.args.get("q", "").strip()
    status, error = 200, ""
    try:
        found, older = audit.older(
            _store(), before=before, limit=AUDIT_PAGE, match=query
        )
    except InvalidInput as exc:
        (found, older), status, error = ([], ""), 400, bilingual(exc)

    return _status_page(
        "admin/audit.html", status, entries=found, older=older, query=query,
        first=not before, change=change_text, error=error,
    )  # fmt: skip


@bp.route("/audit.csv")
@login_required("audit")
def audit_csv():
    """The whole audit log as CSV, oldest first, to save for a report."""
    response = current_app.response_class(
        audit.export_csv(_store()), mimetype="text/csv"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="audit.csv"'
    response.headers["Cache-Control"] = "no-store"
    log.info("audit log downloaded by %s", _by())
    return response
