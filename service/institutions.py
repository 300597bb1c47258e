"""Institutions: the visiting organisations that receive plaques."""

from dataclasses import asdict, dataclass

from . import audit
from .errors import InvalidInput
from .store import Store

KINDS = {
    "ministry": "Kementerian/Lembaga (ministry or agency)",
    "province": "Provinsi (province)",
    "regency": "Kabupaten/Kota (regency or city)",
    "university": "Perguruan tinggi (university)",
    "private": "Swasta (private organisation)",
    "foreign": "Mitra luar negeri (foreign partner)",
    "forum": "Forum kerja sama (cooperation forum)",
}


@dataclass
class Institution:
    """A visiting organisation."""

    id: str
    name: str
    kind: str = ""
    region: str = ""
    country: str = "ID"

    def to_dict(self) -> dict:
        """The institution as plain JSON-ready data."""
        return asdict(self)


def _clean_name(name: str) -> str:
    text = " ".join(name.split())
    if not text or len(text) > 200:
        raise InvalidInput("institution name must be 1 to 200 characters")
    return text


def get(store: Store, institution_id: str) -> Institution | None:
    """The institution with this id, or None."""
    data = store.redis.hgetall(store.keys.institution(institution_id))
    return Institution(**data) if data else None


def name_of(store: Store, institution_id: str) -> str:
    """The name of the institution with this id; empty for none or unknown."""
    found = get(store, institution_id) if institution_id else None
    return found.name if found else ""


def find(store: Store, name: str) -> Institution | None:
    """The institution with this name (case and spacing ignored), or None."""
    found = store.redis.hget(store.keys.institutions(), _clean_name(name).lower())
    return get(store, found) if found else None


def register(
    store: Store,
    name: str,
    kind: str = "",
    region: str = "",
    country: str = "ID",
    *,
    by: str = "",
) -> Institution:
    """The institution called ``name``, registered now if it is new."""
    name = _clean_name(name)
    if kind and kind not in KINDS:
        raise InvalidInput(
            f"institution kind {kind!r} is unknown; use one of {', '.join(KINDS)}"
        )
    existing = find(store, name)
    if existing:
        return existing

    new_id = str(store.redis.hincrby(store.keys.ids(), "institution", 1))
    institution = Institution(new_id, name, kind, region.strip(), country.strip())
    store.redis.hset(store.keys.institution(new_id), mapping=institution.to_dict())
    # the name index decides between two registrations of one name at once
    if not store.redis.hsetnx(store.keys.institutions(), name.lower(), new_id):
        store.redis.delete(store.keys.institution(new_id))
        return find(store, name)
    audit.record(store, by or "-", "institution.registered",
                 f"institution:{new_id}", None, institution.to_dict())  # fmt: skip
    return institution


def list_all(store: Store) -> list[Institution]:
    """Every institution, by name."""
    ids = store.redis.hvals(store.keys.institutions())
    pipe = store.redis.pipeline(transaction=False)
    for institution_id in ids:
        pipe.hgetall(store.keys.institution(institution_id))
    found = [Institution(**data) for data in pipe.execute() if data]
    return sorted(found, key=lambda item: item.name.lower())
