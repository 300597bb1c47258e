"""Seeds believable demo data: institutions, visits, events, codes and scans.

The institutions are real public bodies, but no person is named; documentation
links point at placeholder pages; addresses come from the documentation ranges
of RFC 5737 and, as for any scan, are hashed and never stored. Scans follow
office life: weekdays, daytime in the office's zone, a burst after each visit
and a long tail. The same ``seed`` gives the same data.
"""

import logging
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from . import clock, codes, events, institutions, landing, scans, visits
from .errors import SlugTaken
from .store import Store
from .targets import LANDING

log = logging.getLogger(__name__)

OFFICE = "https://baliprov.go.id"
LANDING_SLUG = "TAMU-1"
LANDING_CONTENT = {
    "email": "humas@baliprov.go.id",
    "phone": "+62 361 227000",
    "postal_address": "Jl. Basuki Rahmat No. 1, Renon, Denpasar, Bali",
    "links": [
        {"id": "desa-wisata", "url": f"{OFFICE}/pariwisata/desa-wisata",
         "label_id": "Desa wisata di Bali", "label_en": "Tourism villages of Bali"},
    ],
}  # fmt: skip
BY = "demo"
BATCH = 500
UNKNOWN_SHARE = 0.015
BOT_SHARE = 0.10

INSTITUTIONS = (
    ("Kementerian Dalam Negeri", "ministry", "DKI Jakarta", "ID"),
    ("Badan Pusat Statistik", "ministry", "DKI Jakarta", "ID"),
    ("Kementerian Pariwisata", "ministry", "DKI Jakarta", "ID"),
    ("Pemerintah Provinsi Jawa Barat", "province", "Jawa Barat", "ID"),
    ("Pemerintah Provinsi Nusa Tenggara Barat", "province", "Nusa Tenggara Barat",
     "ID"),
    ("Pemerintah Provinsi Sulawesi Selatan", "province", "Sulawesi Selatan", "ID"),
    ("Pemerintah Kabupaten Badung", "regency", "Bali", "ID"),
    ("Pemerintah Kota Surabaya", "regency", "Jawa Timur", "ID"),
    ("Pemerintah Kabupaten Banyuwangi", "regency", "Jawa Timur", "ID"),
    ("Universitas Udayana", "university", "Bali", "ID"),
    ("Universitas Gadjah Mada", "university", "DI Yogyakarta", "ID"),
    ("Asosiasi Pemerintah Provinsi Seluruh Indonesia (APPSI)", "forum", "DKI Jakarta",
     "ID"),
    ("Mitra Praja Utama", "forum", "Lintas provinsi", "ID"),
    ("PT Bank Central Asia Tbk", "private", "DKI Jakarta", "ID"),
    ("Hiroshima Prefectural Government", "foreign", "Hiroshima", "JP"),
    ("Government of Western Australia", "foreign", "Western Australia", "AU"),
)  # fmt: skip

PURPOSES = {
    "ministry": ("kunjungan kerja", "monitoring dan evaluasi"),
    "province": ("studi tiru", "benchmarking", "kunjungan kerja"),
    "regency": ("studi tiru", "benchmarking"),
    "university": ("kuliah kerja lapangan", "studi banding"),
    "private": ("audiensi", "penjajakan kerja sama"),
    "foreign": ("kunjungan persahabatan", "penjajakan kerja sama"),
    "forum": ("rapat koordinasi", "kunjungan kerja"),
}

# slug word, Indonesian name, English name, usual start (month, day), length in days
EVENTS = (
    ("NYEPI", "Hari Suci Nyepi dan Pawai Ogoh-ogoh", "Nyepi Day and Ogoh-ogoh Parade",
     (3, 18), 2),
    ("PKB", "Pesta Kesenian Bali", "Bali Arts Festival", (6, 14), 30),
    ("BALIJANI", "Festival Seni Bali Jani", "Bali Jani Contemporary Arts Festival",
     (10, 24), 14),
    ("NUSAPENIDA", "Festival Budaya Nusa Penida", "Nusa Penida Cultural Festival",
     (12, 12), 4),
)  # fmt: skip

PAGES = ("/profil", "/pariwisata/desa-wisata", "/seni-budaya")

BOT_AGENTS = (
    "WhatsApp/2.24.6.77 A",
    "WhatsApp/2.23.20.0 i",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "TelegramBot (like TwitterBot)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Twitterbot/1.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
)
_SAFARI = "AppleWebKit/605.1.15 (KHTML, like Gecko)"
_CHROME = "AppleWebKit/537.36 (KHTML, like Gecko)"
GUEST_AGENTS = {
    f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) {_SAFARI} Version/17.5 "
    "Mobile/15E148 Safari/604.1": 29,
    f"Mozilla/5.0 (Linux; Android 14; SM-A546E) {_CHROME} Chrome/125.0.6422.165 "
    "Mobile Safari/537.36": 22,
    f"Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S911B) {_CHROME} "
    "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36": 12,
    f"Mozilla/5.0 (Linux; Android 12; M2101K6G) {_CHROME} Chrome/124.0.6367.179 "
    "Mobile Safari/537.36": 12,
    f"Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) {_SAFARI} Version/17.4 "
    "Mobile/15E148 Safari/604.1": 4,
    f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_CHROME} Chrome/125.0.0.0 "
    "Safari/537.36": 12,
    f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_SAFARI} Version/17.5 "
    "Safari/605.1.15": 6,
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0": 3,
}
LANGUAGES = {
    "id": "id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7",
    "en": "en-US,en;q=0.9",
    "ja": "ja-JP,ja;q=0.9,en;q=0.8",
    "zh": "zh-CN,zh;q=0.9,en;q=0.8",
}
REFERRERS = (
    "https://www.google.com/",
    "https://l.facebook.com/",
    "https://l.instagram.com/",
    "https://baliprov.go.id/",
)
NETWORKS = ("192.0.2", "198.51.100", "203.0.113")
# relative share of scans per local hour, 00 to 23: office hours and evenings
HOURS = (1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 9, 10, 11, 10, 8, 7, 7, 8, 7, 5, 3, 2)


@dataclass
class Plan:
    """One code as the scan generator sees it."""

    slug: str
    institution: str
    start: datetime
    target: str
    owner: tuple[str, str, str]  # user agent, address and language of its holder
    weight: float = 1.0
    decay: float = 4.0  # mean days from handing out to a scan, for most scans
    event: str = ""
    switch_at: datetime | None = None  # when it was pointed at ``event``
    switch_to: str = ""
    disabled_at: datetime | None = None

    def pointed(self, at: datetime) -> tuple[str, str]:
        """The event and target a scan at ``at`` counted for."""
        if self.switch_at is None or at >= self.switch_at:
            return self.event, self.switch_to or self.target
        return "", self.target


def is_empty(store: Store) -> bool:
    """True when the store holds no code yet."""
    return store.redis.zcard(store.keys.codes()) == 0


def seed(
    store: Store, *, scans: int = 5000, days: int = 180, seed: int | None = 7
) -> dict:
    """Fill an empty store with demo data over the past ``days`` days; return counts."""
    if days < 7 or scans < 0:
        raise ValueError("demo data needs days >= 7 and scans >= 0")
    rng = random.Random(seed)
    zone = clock.zone(store.settings["TIMEZONE"])
    now = clock.now()
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)

    flagship = _events(store, today)
    visited = _visits(store, rng, today, days)
    plans = _plaques(store, rng, zone, visited)
    plans += _event_codes(store, rng, zone, flagship, first, today)
    _retarget_some(store, rng, zone, plans, flagship, today)
    _disable_some(store, rng, plans, now)
    plans.append(_landing_code(store, rng, zone, visited, flagship, now))
    _record(store, rng, zone, plans, scans, now)

    counts = {
        "institutions": len(INSTITUTIONS),
        "visits": len(visited),
        "events": len(flagship),
        "codes": len(plans),
        "scans": scans,
    }
    log.info("demo data seeded: %s", counts)
    return counts


def _at(day: date, hour: int, rng: random.Random, zone) -> datetime:
    moment = time(hour, rng.randrange(60), rng.randrange(60))
    return datetime.combine(day, moment, zone).astimezone(UTC)


def _person(rng: random.Random, country: str = "") -> tuple[str, str, str]:
    """A phone or computer: its user agent, address and language."""
    agent = rng.choices(list(GUEST_AGENTS), list(GUEST_AGENTS.values()))[0]
    address = f"{rng.choice(NETWORKS)}.{rng.randint(1, 254)}"
    if country == "ID":  # a delegate from home
        language = "id" if rng.random() < 0.85 else "en"
    elif country:  # a foreign delegate
        language = {"JP": "ja", "CN": "zh"}.get(country, "en")
    else:  # anyone a plaque or a poster was shown to
        language = rng.choices(("id", "en", "ja", "zh"), (60, 25, 6, 9))[0]
    return agent, address, language


def _events(store: Store, today: date) -> list[tuple[str, events.Event]]:
    """Each flagship event at its latest occurrence up to a month from today."""
    made = []
    for word, name_id, name_en, (month, day), length in EVENTS:
        starts = date(today.year, month, day)
        if starts > today + timedelta(days=30):
            starts = starts.replace(year=today.year - 1)
        ends = starts + timedelta(days=length - 1)
        page = f"{OFFICE}/agenda/{word.lower()}-{starts.year}"
        made.append(
            (word, events.create(store, name_id, name_en, starts, ends, page, by=BY))
        )
    return made


def _visits(store: Store, rng: random.Random, today: date, days: int) -> list:
    """One or two weekday visits of every institution, as (institution, visit)."""
    made = []
    for name, kind, region, country in INSTITUTIONS:
        institution = institutions.register(store, name, kind, region, country, by=BY)
        words = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        for _ in range(rng.choice((1, 1, 2))):
            on = today - timedelta(days=rng.randint(1, days - 3))
            while on.weekday() >= 5:
                on -= timedelta(days=1)
            link = f"{OFFICE}/dokumentasi/{on:%Y/%m}/{words}"
            purpose = rng.choice(PURPOSES[kind])
            visit = visits.create(store, institution.id, on, purpose, link, by=BY)
            made.append((institution, visit))
    return made


def _plaques(store: Store, rng: random.Random, zone, visited: list) -> list[Plan]:
    """One code per delegate, one to four per visit."""
    plans = []
    for institution, visit in visited:
        start = _at(date.fromisoformat(visit.date), rng.randint(9, 14), rng, zone)
        for _ in range(rng.randint(1, 4)):
            target = rng.choice((visit.documentation, *(OFFICE + p for p in PAGES)))
            code = codes.create(store, target, institution.id, visit=visit.id, by=BY,
                                at=start)  # fmt: skip
            holder = _person(rng, institution.country)
            weight = rng.lognormvariate(0, 0.6)
            plans.append(Plan(code.slug, institution.id, start, target, holder, weight))
    return plans


def _event_codes(store, rng, zone, flagship, first: date, today: date) -> list[Plan]:
    """A code with a custom slug (PKB-2026) on the posters of each recent event."""
    plans = []
    for word, event in flagship:
        starts = date.fromisoformat(event.starts)
        if not first <= starts <= today:
            continue
        slug = f"{word}-{starts.year}"
        start = _at(max(starts - timedelta(days=14), first), 9, rng, zone)
        try:
            codes.create(store, event.page, slug=slug, by=BY, reason="poster acara",
                         at=start)  # fmt: skip
        except SlugTaken:
            continue  # seeded before; that code keeps its name
        holder = _person(rng)
        plans.append(Plan(slug, "", start, event.page, holder, 4.0, 10.0, event.id))
    return plans


def _landing_code(store, rng, zone, visited, flagship, now: datetime) -> Plan:
    """A plaque of the latest visit that opens its landing page, with some clicks."""
    institution, visit = max(visited, key=lambda pair: pair[1].date)
    landing.set_override(store, "office", "", LANDING_CONTENT, by=BY)
    start = _at(date.fromisoformat(visit.date), 11, rng, zone)
    codes.create(store, LANDING, institution.id, slug=LANDING_SLUG, visit=visit.id,
                 by=BY, reason="halaman tamu", at=start)  # fmt: skip
    links = ["profile", "visit", "desa-wisata"]
    links += [f"{landing.EVENT}{event.id}" for _, event in flagship if event.page]
    for _ in range(12):
        at = start + (now - start) * rng.random()
        landing.record_click(store, LANDING_SLUG, rng.choice(links),
                             rng.random() < BOT_SHARE, at)  # fmt: skip
    holder = _person(rng, institution.country)
    return Plan(LANDING_SLUG, institution.id, start, LANDING, holder, 2.0)


def _retarget_some(store, rng, zone, plans, flagship, today: date) -> None:
    """Point up to four plaques at the first flagship event after their visit."""
    dated = [(date.fromisoformat(event.starts), event) for _, event in flagship]
    for plan in rng.sample(plans, len(plans)):
        upcoming = [(d, e) for d, e in dated if plan.start.date() < d <= today]
        if plan.event or not upcoming:
            continue
        starts, event = upcoming[0]
        switch = _at(starts - timedelta(days=10), 9, rng, zone)
        plan.event, plan.switch_to = event.id, event.page
        plan.switch_at = max(switch, plan.start + timedelta(days=1))
        reason = f"diarahkan ke {event.name_id} {starts.year}"
        codes.retarget(store, plan.slug, event.page, by=BY, reason=reason)
        if sum(p.switch_at is not None for p in plans) == 4:
            return


def _disable_some(store, rng, plans, now: datetime) -> None:
    """Disable two of the older plaques, as if they were lost or broken."""
    older = sorted((p for p in plans if not p.event), key=lambda p: p.start)
    for plan in rng.sample(older[: max(len(older) // 3, 2)], 2):
        plan.disabled_at = plan.start + (now - plan.start) * rng.uniform(0.3, 0.6)
        codes.disable(store, plan.slug, by=BY, reason="plakat rusak; diganti kode baru")


def _moment(rng: random.Random, zone, plan: Plan, now: datetime) -> datetime:
    """When a scan of ``plan`` happens: soon after it was handed out, or much later."""
    first = plan.start.astimezone(zone).date()
    span = (now.astimezone(zone).date() - first).days
    for _ in range(6):
        if rng.random() < 0.7:
            offset = int(rng.expovariate(1 / plan.decay)) % (span + 1)
        else:
            offset = rng.randint(0, span)
        day = first + timedelta(days=offset)
        if day.weekday() < 5 or rng.random() < 0.5:
            break
    moment = _at(day, rng.choices(range(24), HOURS)[0], rng, zone)
    if moment < plan.start:
        moment = plan.start + timedelta(minutes=rng.randint(5, 240))
    if moment > now:
        moment = now - timedelta(seconds=rng.randint(1, 3600))
    return max(moment, plan.start)


def _observe(store: Store, rng: random.Random, plan: Plan, at: datetime):
    """A scan of ``plan`` at ``at`` by a bot, a guest, or a mistyped slug."""
    roll = rng.random()
    agent, address, language = plan.owner if rng.random() < 0.65 else _person(rng)
    requested, method, referrer = plan.slug, "GET", ""
    slug, status = plan.slug, scans.REDIRECTED
    if plan.disabled_at and at >= plan.disabled_at:
        status = scans.GONE
    if roll < UNKNOWN_SHARE:
        # a slug read wrongly off the plaque: letters no slug of ours holds
        spot = rng.randrange(len(slug))
        wrong = rng.choice([c for c in "ILOU" if c != slug[spot]])
        slug = requested = slug[:spot] + wrong + slug[spot + 1 :]
        status = scans.UNKNOWN
    elif roll < UNKNOWN_SHARE + BOT_SHARE:
        agent, language = rng.choice(BOT_AGENTS), ""
        address = f"{rng.choice(NETWORKS)}.{rng.randint(1, 254)}"
        method = "HEAD" if rng.random() < 0.2 else "GET"
    elif rng.random() < 0.12:  # typed by hand from a photo of the plaque
        requested = slug.lower()
        referrer = rng.choice(REFERRERS) if rng.random() < 0.4 else ""
    if status == scans.UNKNOWN and rng.random() < 0.5:
        requested = requested.lower()

    event, target = plan.pointed(at) if status != scans.UNKNOWN else ("", "")
    return scans.observe(
        store,
        slug=slug,
        requested=requested,
        method=method,
        status=status,
        address=address,
        user_agent=agent,
        accept_language=LANGUAGES.get(language, ""),
        referrer=referrer,
        institution=plan.institution if status != scans.UNKNOWN else "",
        event=event,
        target=target if status == scans.REDIRECTED else "",
        at=at,
    )


def _record(store, rng, zone, plans: list[Plan], count: int, now: datetime) -> None:
    """Record ``count`` scans oldest first, one scripted write per batch."""
    weights = [plan.weight for plan in plans]
    chosen = rng.choices(plans, weights, k=count)
    planned = [(_moment(rng, zone, plan, now), plan) for plan in chosen]
    planned.sort(key=lambda item: item[0])
    for begin in range(0, count, BATCH):
        batch = [
            _observe(store, rng, plan, at)
            for at, plan in planned[begin : begin + BATCH]
        ]
        scans.write(store, scans.prepare(store, batch))
