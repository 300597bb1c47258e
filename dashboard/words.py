"""The dashboard's words, Indonesian first and English on request (``?lang=en``)."""

WORDS = {
    "id": {
        "guests": "Tamu",
        "bots": "Bot & pratinjau tautan",
        "guest": "Tamu",
        "bot": "Bot & pratinjau",
        "qr": "Kode QR",
        "typed": "Diketik",
        "hour": "Jam (WITA)",
        "before": "Sebelum",
        "during": "Selama",
        "after": "Sesudah",
        "none": "(tanpa)",
    },
    "en": {
        "guests": "Guests",
        "bots": "Bots & link previews",
        "guest": "Guests",
        "bot": "Bots & previews",
        "qr": "QR code",
        "typed": "Typed",
        "hour": "Hour (WITA)",
        "before": "Before",
        "during": "During",
        "after": "After",
        "none": "(none)",
    },
}

KINDS = {
    "id": {
        "ministry": "Kementerian/Lembaga",
        "province": "Provinsi",
        "regency": "Kabupaten/Kota",
        "university": "Perguruan tinggi",
        "private": "Swasta",
        "foreign": "Mitra luar negeri",
        "forum": "Forum kerja sama",
        "-": "(tanpa institusi)",
    },
    "en": {
        "ministry": "Ministry or agency",
        "province": "Province",
        "regency": "Regency or city",
        "university": "University",
        "private": "Private organisation",
        "foreign": "Foreign partner",
        "forum": "Cooperation forum",
        "-": "(no institution)",
    },
}

# the sections of the page and of the exports: (key, Indonesian, English)
SECTIONS = (
    ("over_time", "Pindaian dari waktu ke waktu", "Scans over time"),
    ("institution", "Per institusi", "By institution"),
    ("kind", "Per jenis institusi", "By kind of institution"),
    ("event", "Per acara", "By event"),
    ("code", "Per kode", "By code"),
    ("heatmap", "Hari × jam (WITA)", "Weekday × hour (WITA)"),
    ("device", "Jenis perangkat", "Device class"),
    ("os", "Sistem operasi", "Operating system"),
    ("browser", "Peramban", "Browser"),
    ("language", "Bahasa", "Language"),
    ("bots", "Bot lawan tamu", "Bots against guests"),
    ("origin", "QR lawan diketik", "QR against typed"),
    ("links", "Tautan yang dibuka tamu", "Links guests open"),
)

LINKS = {
    "id": {"profile": "Profil kantor", "visit": "Dokumentasi kunjungan"},
    "en": {"profile": "Office profile", "visit": "Visit documentation"},
}


def language(value: str | None) -> str:
    """The page's language: 'en' when asked for, Indonesian otherwise."""
    return "en" if value == "en" else "id"
