"""The guest's landing page and its click-through, in Indonesian or English.

:func:`render` answers ``GET /<SLUG>`` for a code whose target is its landing
page (the scan is recorded by :func:`service.redirects.follow`, exactly as a
redirect). :func:`go` answers ``GET /<SLUG>/go/<LINK>``: a 302 to one of the
page's own links, with the click counted. The language comes from ``?lang=``,
else from ``Accept-Language``, else Indonesian. The page needs no script and
loads nothing from another host; it is never cached, so a retarget shows.
"""

import logging
from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request

from . import agents, codes, landing, pages, slugs
from .errors import InvalidSlug
from .targets import LANDING, LOCATION_SAFE

log = logging.getLogger(__name__)

bp = Blueprint("landing", __name__)

LANGUAGES = ("id", "en")
LOCALES = {"id": "id_ID", "en": "en_US"}
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}

WORDS = {
    "id": {
        "welcome": "Selamat datang kembali, {institution}",
        "welcome_plain": "Selamat datang",
        "thanks_on": "Terima kasih atas kunjungan Anda ke {office} pada {date}.",
        "thanks": "Terima kasih atas kunjungan Anda ke {office}.",
        "message": "Plakat ini tetap terhubung dengan kami: pindai kapan saja untuk "
        "kabar terbaru dari Bali.",
        "visit": "Kunjungan Anda",
        "about": "Tentang kami",
        "now": "Sedang berlangsung",
        "next": "Akan datang",
        "none": "Saat ini tidak ada acara yang berlangsung.",
        "more": "Tautan lainnya",
        "contact": "Kontak",
        "email": "Surel",
        "phone": "Telepon",
        "address": "Alamat",
        "languages": "Pilihan bahasa",
    },
    "en": {
        "welcome": "Welcome back, {institution}",
        "welcome_plain": "Welcome",
        "thanks_on": "Thank you for visiting {office} on {date}.",
        "thanks": "Thank you for visiting {office}.",
        "message": "This plaque stays connected to us: scan it any time for the "
        "latest news from Bali.",
        "visit": "Your visit",
        "about": "About us",
        "now": "Happening now",
        "next": "Coming next",
        "none": "No event is on right now.",
        "more": "More links",
        "contact": "Contact",
        "email": "E-mail",
        "phone": "Telephone",
        "address": "Address",
        "languages": "Language choice",
    },
}


def language() -> str:
    """The page's language: ``?lang=``, else Accept-Language, else Indonesian."""
    chosen = request.args.get("lang", "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="id")


def _store():
    return current_app.extensions["ciberq"]


def render(slug: str) -> Response:
    """The landing page of the active code ``slug`` (its view already recorded)."""
    store = _store()
    code = codes.get(store, slug)
    shown = landing.page(store, code, landing.today(store))
    lang = language()
    words = WORDS[lang]
    office = store.settings["OFFICE_NAME"]

    if shown.institution:
        heading = words["welcome"].format(institution=shown.institution)
    else:
        heading = words["welcome_plain"]
    if shown.visit_date:
        visited = landing.local_date(shown.visit_date, lang)
        thanks = words["thanks_on"].format(office=office, date=visited)
    else:
        thanks = words["thanks"].format(office=office)
    body = render_template(
        "landing.html",
        page=shown,
        lang=lang,
        words=words,
        heading=heading,
        thanks=thanks,
        message=shown.texts.get(f"message_{lang}") or words["message"],
        office_name=office,
        short_url=code.short_url(store.settings["BASE_URL"]),
        locale=LOCALES[lang],
        others=[(other, LANGUAGE_NAMES[other]) for other in LANGUAGES if other != lang],
        when=lambda link: _when(link, lang),
    )
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language"
    return response


def _when(link: landing.Link, lang: str) -> str:
    """An event's dates in words: one day, or first – last."""
    starts, ends = date.fromisoformat(link.starts), date.fromisoformat(link.ends)
    if starts == ends:
        return landing.local_date(starts, lang)
    return f"{landing.local_date(starts, lang)} – {landing.local_date(ends, lang)}"


@bp.route("/<requested>/go/<link>", methods=["GET"])
def go(requested: str, link: str) -> Response:
    """Send a guest on to one link of a landing page, and count the click."""
    store = _store()
    try:
        slug = slugs.normalize(requested)
    except InvalidSlug:
        return pages.not_found()
    code = codes.find(store, slug)
    if code is None:
        return pages.not_found()
    if not code.active:
        return pages.gone()
    if code.target != LANDING:
        return pages.not_found()

    found = landing.page(store, code, landing.today(store)).links().get(link)
    if found is None:
        return pages.not_found()
    user_agent = request.headers.get("User-Agent", "")
    bot = request.method == "HEAD" or agents.classify(user_agent).bot
    landing.record_click(store, slug, link, bot)

    response = Response(status=302)
    response.headers["Location"] = quote(found.url, safe=LOCATION_SAFE)
    response.headers["Cache-Control"] = "no-store"
    return response
