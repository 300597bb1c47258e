"""The staff pages' frame under ``/admin``: the blueprint, signing in and out,
the role check, the CSRF check and what every page's layout needs.

The pages are server-rendered, Indonesian first with English, and carry no
script. Every form is a Flask-WTF form with a ``csrf_token``; only this
blueprint checks CSRF, since the redirect, health and API endpoints take no
forms (the API uses bearer tokens). The session cookie, HttpOnly, SameSite=Lax
and Secure on https, carries only a random id of a session kept in Redis
(``sessions``), so signing out ends it for good. The pages themselves (codes,
institutions, events, people...) live in the ``admin_*`` modules.
"""

import logging
from functools import wraps

from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, CSRFProtect
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from . import accounts, clock, redirects, sessions, targets
from .errors import LoginRefused, LoginThrottled

log = logging.getLogger(__name__)

bp = Blueprint("admin", __name__, url_prefix="/admin")
csrf = CSRFProtect()


class LoginForm(FlaskForm):
    """Name and password."""

    name = StringField("Nama pengguna / User name", [DataRequired(), Length(max=64)])
    password = PasswordField("Kata sandi / Password", [DataRequired()])


class ButtonForm(FlaskForm):
    """A form with nothing but its CSRF token: logout, disable, enable."""


def register(app: Flask) -> None:
    """Attach the staff pages, their CSRF check and the session cookie settings."""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["BASE_URL"].startswith("https"),
        # only this blueprint's requests are checked (see _check_csrf)
        WTF_CSRF_CHECK_DEFAULT=False,
    )
    csrf.init_app(app)
    app.register_blueprint(bp)
    app.add_template_filter(_local_time, "local_time")
    app.add_template_filter(targets.describe, "target")


def _local_time(text: str) -> str:
    """A stored UTC time as staff read it: in the office's zone (DESIGN.md, "Time")."""
    if not text:
        return "–"
    zone = current_app.config["TIMEZONE"]
    local = clock.parse_iso(text).astimezone(clock.zone(zone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _store():
    return current_app.extensions["ciberq"]


def _by() -> str:
    return f"user:{g.user.name}"


@bp.before_request
def _check_csrf():
    """Refuse a form POST without a valid token (Flask-WTF raises CSRFError)."""
    csrf.protect()


@bp.context_processor
def page_context() -> dict:
    """What the staff pages' layout needs: the office, the user, the menu."""
    return {
        "office_name": current_app.config["OFFICE_NAME"],
        "user": g.get("user"),
        "button": ButtonForm(),
        "can": accounts.can,
        "has_dashboard": "dashboard" in current_app.blueprints,
    }


def _status_page(template: str, status: int, **context):
    response = current_app.make_response((render_template(template, **context), status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def _csrf_refused(exc: CSRFError):
    log.info("admin form refused without a valid CSRF token: %s", exc.description)
    return _status_page("admin/refused.html", 400)


def login_required(action: str):
    """Let only a signed-in user whose role may ``action`` through."""

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            found = sessions.session_user(_store(), session.get("sid"))
            user = accounts.get_user(_store(), found[0]) if found else None
            if user is None or not user.active or user.epoch != found[1]:
                session.clear()
                asked = request.full_path.rstrip("?")
                return redirect(url_for("admin.login", next=asked))
            g.user = user
            if not accounts.can(user.role, action):
                return _status_page("admin/forbidden.html", 403)
            return view(*args, **kwargs)

        return checked

    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; on success the user's name goes into the session."""
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return _status_page("admin/login.html", status, form=form)

    address = redirects.client_address(
        request.environ, current_app.config["TRUSTED_PROXIES"]
    )
    try:
        user = accounts.authenticate(
            _store(), form.name.data, form.password.data, address
        )
    except LoginRefused:
        return _status_page("admin/login.html", 401, form=form, error="refused")
    except LoginThrottled as exc:
        response = _status_page(
            "admin/login.html", 429, form=form, error="throttled",
            minutes=max(1, -(-exc.retry_after // 60)),
        )  # fmt: skip
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    # a fresh session at sign-in, so no earlier cookie carries over
    sessions.close_session(_store(), session.get("sid"))
    session.clear()
    session["sid"] = sessions.open_session(_store(), user.name, user.epoch)
    log.info("user %s signed in", user.name)
    return redirect(_next_page() or url_for("admin.index"))


def _next_page() -> str:
    """The page a sign-in was asked for, if it is one of ours (no open redirect)."""
    wanted = request.args.get("next", "")
    if not wanted.startswith("/") or wanted.startswith("//") or "\\" in wanted:
        return ""
    if any(ord(c) < 32 for c in wanted):
        return ""
    return wanted


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session, in Redis too (the form carries a CSRF token)."""
    sessions.close_session(_store(), session.get("sid"))
    session.clear()
    return redirect(url_for("admin.login"))


# the other staff pages (institutions, events, people...) hang on this blueprint;
# imported last because they use its decorator and helpers
from . import (  # noqa: E402, F401
    admin_accounts,
    admin_campaigns,
    admin_codes,
    admin_institutions,
    admin_landing,
)
