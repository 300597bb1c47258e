"""Events: the flagship cultural and religious events codes are pointed at."""

from dataclasses import asdict, dataclass
from datetime import date

from . import audit, targets
from .errors import InvalidInput
from .store import Store


@dataclass
class Event:
    """A flagship event with names in Indonesian and English."""

    id: str
    name_id: str
    name_en: str
    starts: str
    ends: str
    page: str = ""

    def to_dict(self) -> dict:
        """The event as plain JSON-ready data."""
        return asdict(self)


def create(
    store: Store,
    name_id: str,
    name_en: str,
    starts: date,
    ends: date,
    page: str = "",
    *,
    by: str = "",
) -> Event:
    """Record a flagship event; its page, if any, must pass the target checks
    (a campaign sends guests there)."""
    if ends < starts:
        raise InvalidInput(f"event {name_en!r} ends before it starts")
    if page:
        targets.validate_url(page, store.settings.get("ALLOWED_TARGET_HOSTS", ()))

    new_id = str(store.redis.hincrby(store.keys.ids(), "event", 1))
    event = Event(new_id, name_id, name_en, starts.isoformat(), ends.isoformat(), page)
    pipe = store.redis.pipeline()
    pipe.hset(store.keys.event(new_id), mapping=event.to_dict())
    pipe.zadd(store.keys.events(), {new_id: starts.toordinal()})
    audit.record(store, by or "-", "event.created", f"event:{new_id}", None,
                 event.to_dict(), pipe=pipe)  # fmt: skip
    pipe.execute()
    return event


def get(store: Store, event_id: str) -> Event | None:
    """The event with this id, or None."""
    data = store.redis.hgetall(store.keys.event(event_id))
    return Event(**data) if data else None


def list_all(store: Store) -> list[Event]:
    """Every event, by start date."""
    ids = store.redis.zrange(store.keys.events(), 0, -1)
    pipe = store.redis.pipeline(transaction=False)
    for event_id in ids:
        pipe.hgetall(store.keys.event(event_id))
    return [Event(**data) for data in pipe.execute() if data]
