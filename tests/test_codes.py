import json
import threading

import pytest

from service import codes, institutions
from service.errors import CodeNotFound, InvalidTarget, SlugTaken, StateConflict


@pytest.fixture
def place(store):
    return institutions.register(store, "Universitas Udayana", "university", "Bali")


def test_create_stores_the_code_and_its_first_history_entry(store, redis, place):
    made = codes.create(
        store, "https://example.org/a", place.id, by="ayu", reason="visit"
    )

    raw = redis.hgetall(f"ciberq:v1:code:{{{made.slug}}}")
    assert raw["target"] == "https://example.org/a"
    assert raw["state"] == "active"
    assert raw["institution"] == place.id
    assert raw["created_by"] == "ayu"
    history = [
        json.loads(e) for e in redis.lrange(store.keys.history(made.slug), 0, -1)
    ]
    assert [(e["action"], e["by"], e["to"]) for e in history] == [
        ("created", "ayu", "https://example.org/a")
    ]
    assert codes.list_slugs(store) == [made.slug]


def test_short_url_is_upper_case(store):
    made = codes.create(store, "https://example.org/", slug="pkb-2026")

    assert made.slug == "PKB-2026"
    assert (
        made.short_url("https://q.example.go.id") == "HTTPS://Q.EXAMPLE.GO.ID/PKB-2026"
    )


def test_lookup_is_case_insensitive(store):
    codes.create(store, "https://example.org/", slug="Bali-1")

    assert codes.get(store, "bali-1").slug == "BALI-1"


def test_taken_custom_slug_is_refused_and_the_first_code_kept(store):
    codes.create(store, "https://example.org/first", slug="PKB")

    with pytest.raises(SlugTaken, match="PKB"):
        codes.create(store, "https://example.org/second", slug="pkb")

    assert codes.get(store, "PKB").target == "https://example.org/first"
    assert len(codes.history(store, "PKB")) == 1


def test_concurrent_creation_of_one_custom_slug_has_one_winner(store):
    outcomes = []

    def attempt(number):
        try:
            codes.create(store, f"https://example.org/{number}", slug="RACE")
            outcomes.append("won")
        except SlugTaken:
            outcomes.append("taken")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["taken"] * 19 + ["won"]
    assert len(codes.history(store, "RACE")) == 1


def test_generated_slugs_are_redrawn_on_collision(settings, store):
    from service import create_app

    tiny = create_app({**settings, "SLUG_LENGTH": 4}).extensions["ciberq"]
    made = {codes.create(tiny, "https://example.org/").slug for _ in range(300)}

    assert len(made) == 300
    assert len(codes.list_slugs(store)) == 300


def test_retarget_records_who_from_to_and_why(store, place):
    made = codes.create(store, "https://example.org/old", place.id)

    changed = codes.retarget(
        store,
        made.slug.lower(),
        "https://example.org/new",
        by="wayan",
        reason="PKB 2026",
    )

    assert changed.target == "https://example.org/new"
    last = codes.history(store, made.slug)[-1]
    assert last["action"] == "retargeted"
    assert (last["by"], last["from"], last["to"], last["reason"]) == (
        "wayan",
        "https://example.org/old",
        "https://example.org/new",
        "PKB 2026",
    )


def test_retarget_to_a_bad_target_changes_nothing(store):
    made = codes.create(store, "https://example.org/ok")

    with pytest.raises(InvalidTarget):
        codes.retarget(store, made.slug, "javascript:alert(1)")

    assert codes.get(store, made.slug).target == "https://example.org/ok"
    assert len(codes.history(store, made.slug)) == 1


def test_retarget_to_the_same_target_is_a_conflict(store):
    made = codes.create(store, "https://example.org/ok")

    with pytest.raises(StateConflict, match="already pointed at"):
        codes.retarget(store, made.slug, "https://example.org/ok")


def test_unknown_code_cannot_be_changed(store):
    with pytest.raises(CodeNotFound, match="NOPE"):
        codes.retarget(store, "nope", "https://example.org/")
    with pytest.raises(CodeNotFound):
        codes.disable(store, "NOPE")
    with pytest.raises(CodeNotFound):
        codes.history(store, "NOPE")


def test_disable_and_enable_are_recorded(store):
    made = codes.create(store, "https://example.org/")

    codes.disable(store, made.slug, by="a", reason="plaque lost")
    with pytest.raises(StateConflict, match="already disabled"):
        codes.disable(store, made.slug)
    codes.enable(store, made.slug, by="b")

    assert codes.get(store, made.slug).active
    actions = [
        (e["action"], e["from"], e["to"]) for e in codes.history(store, made.slug)[1:]
    ]
    assert actions == [
        ("disabled", "active", "disabled"),
        ("enabled", "disabled", "active"),
    ]


def test_two_retargets_at_once_leave_a_complete_chained_history(store):
    made = codes.create(store, "https://example.org/0")
    barrier = threading.Barrier(16)

    def retarget(number):
        barrier.wait()
        for round_ in range(10):
            codes.retarget(store, made.slug, f"https://example.org/{number}-{round_}")

    threads = [threading.Thread(target=retarget, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    entries = codes.history(store, made.slug)
    assert len(entries) == 1 + 160
    for before, after in zip(entries, entries[1:], strict=False):
        assert after["from"] == before["to"]
    assert entries[-1]["to"] == codes.get(store, made.slug).target


def test_list_codes_in_creation_order(store):
    made = [codes.create(store, f"https://example.org/{n}").slug for n in range(5)]

    assert [found.slug for found in codes.list_codes(store)] == made
