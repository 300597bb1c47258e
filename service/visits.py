"""Visits: one institution's visit to the office on a date."""

from dataclasses import asdict, dataclass
from datetime import date

from . import audit, targets
from .errors import InvalidInput
from .store import Store


@dataclass
class Visit:
    """A visit of an institution, with its purpose and documentation link."""

    id: str
    institution: str
    date: str
    purpose: str = ""
    documentation: str = ""

    def to_dict(self) -> dict:
        """The visit as plain JSON-ready data."""
        return asdict(self)


def create(
    store: Store,
    institution_id: str,
    on: date,
    purpose: str = "",
    documentation: str = "",
    *,
    by: str = "",
) -> Visit:
    """Record a visit of an existing institution; its documentation, if any,
    must be a web address (the landing page links to it)."""
    if not store.redis.exists(store.keys.institution(institution_id)):
        raise InvalidInput(f"institution {institution_id} does not exist")
    if documentation:
        targets.validate_url(documentation)

    new_id = str(store.redis.hincrby(store.keys.ids(), "visit", 1))
    visit = Visit(new_id, institution_id, on.isoformat(), purpose, documentation)
    pipe = store.redis.pipeline()
    pipe.hset(store.keys.visit(new_id), mapping=visit.to_dict())
    pipe.zadd(store.keys.visits(), {new_id: on.toordinal()})
    audit.record(store, by or "-", "visit.recorded", f"visit:{new_id}", None,
                 visit.to_dict(), pipe=pipe)  # fmt: skip
    pipe.execute()
    return visit


def get(store: Store, visit_id: str) -> Visit | None:
    """The visit with this id, or None."""
    data = store.redis.hgetall(store.keys.visit(visit_id))
    return Visit(**data) if data else None


def list_all(store: Store) -> list[Visit]:
    """Every visit, newest first."""
    ids = store.redis.zrevrange(store.keys.visits(), 0, -1)
    pipe = store.redis.pipeline(transaction=False)
    for visit_id in ids:
        pipe.hgetall(store.keys.visit(visit_id))
    return [Visit(**data) for data in pipe.execute() if data]
