"""The audit log: append-only, newest first, exportable, free of secrets."""

import csv
import io
import json

import pytest
from support import PASSWORD, sign_in, token

from service import accounts, audit, clock, tokens
from service.errors import InvalidInput


def test_record_appends_to_the_documented_stream(store, redis):
    before, after = {"target": "https://a.example/"}, {"target": "https://b.example/"}

    audit.record(store, "wayan", "code.retargeted", "code:K7F2X9", before, after)

    assert redis.type("ciberq:v1:audit") == "stream"
    [(_, fields)] = redis.xrange("ciberq:v1:audit")
    assert fields["who"] == "wayan"
    assert fields["action"] == "code.retargeted"
    assert fields["subject"] == "code:K7F2X9"
    assert json.loads(fields["before"]) == {"target": "https://a.example/"}
    assert json.loads(fields["after"]) == {"target": "https://b.example/"}
    assert clock.parse_iso(fields["at"]) <= clock.now()


def test_entries_are_newest_first_with_json_decoded(store):
    for number in range(3):
        audit.record(
            store, "wayan", "event.added", f"event:{number}", after={"n": number}
        )

    found = audit.entries(store)

    assert [entry["subject"] for entry in found] == ["event:2", "event:1", "event:0"]
    assert found[0]["after"] == {"n": 2}
    assert found[0]["before"] is None
    assert set(found[0]) == {"id", "at", "who", "action", "subject", "before", "after"}


def test_entries_honour_limit_and_since(store):
    for number in range(5):
        audit.record(store, "ketut", "visit.added", f"visit:{number}")
    everything = audit.entries(store)
    third = everything[2]

    assert len(audit.entries(store, limit=2)) == 2
    assert [e["subject"] for e in audit.entries(store, since=third["id"])] == [
        "visit:4",
        "visit:3",
        "visit:2",
    ]
    assert len(audit.entries(store, since="2000-01-01T00:00:00Z")) == 5
    assert audit.entries(store, since="2999-01-01T00:00:00Z") == []


def test_a_bad_since_is_refused(store):
    with pytest.raises(InvalidInput, match="since"):
        audit.entries(store, since="last tuesday")


def test_a_pipeline_writes_nothing_until_executed(store, redis):
    pipe = redis.pipeline(transaction=False)
    audit.record(store, "made", "code.created", "code:ABC", pipe=pipe)

    assert redis.xlen("ciberq:v1:audit") == 0
    pipe.execute()
    assert redis.xlen("ciberq:v1:audit") == 1


@pytest.mark.parametrize("field", ["password", "token", "address", "ip", "Password"])
def test_secrets_and_addresses_are_refused(store, redis, field):
    with pytest.raises(ValueError, match="may not hold"):
        audit.record(store, "wayan", "user.added", "user:x", after={field: "x"})

    assert redis.exists("ciberq:v1:audit") == 0


def test_export_is_every_entry_oldest_first(store, monkeypatch):
    monkeypatch.setattr(audit, "PAGE", 2)  # several pages
    for number in range(5):
        audit.record(
            store, "wayan", "code.created", f"code:{number}", after={"n": number}
        )

    rows = list(csv.reader(io.StringIO(audit.export_csv(store))))

    assert rows[0] == list(audit.FIELDS)
    assert [row[4] for row in rows[1:]] == [f"code:{n}" for n in range(5)]
    assert json.loads(rows[1][6]) == {"n": 0}


def test_export_defuses_spreadsheet_formulas(store):
    audit.record(store, '=HYPERLINK("http://x")', "token.created", "token:1")

    rows = list(csv.reader(io.StringIO(audit.export_csv(store))))

    assert rows[1][2] == '\'=HYPERLINK("http://x")'


def test_the_log_offers_no_way_to_change_it():
    public = [name for name in dir(audit) if not name.startswith("_")]

    assert not [
        name for name in public if name.startswith(("delete", "edit", "remove", "trim"))
    ]


def test_older_pages_back_by_entry_id_without_gaps_or_repeats(store):
    for number in range(7):
        audit.record(store, "ketut", "visit.added", f"visit:{number}")

    first, mark = audit.older(store, limit=3)
    second, mark2 = audit.older(store, before=mark, limit=3)
    third, end = audit.older(store, before=mark2, limit=3)

    pages = [[e["subject"][6:] for e in page] for page in (first, second, third)]
    assert pages == [["6", "5", "4"], ["3", "2", "1"], ["0"]]
    assert end == ""


def test_older_filters_by_who_or_subject_within_its_scan(store):
    for number in range(10):
        who = "user:made" if number % 2 else "cli:putu"
        audit.record(store, who, "visit.added", f"visit:{number}")

    made, _ = audit.older(store, match="MADE")
    three, end = audit.older(store, match="visit:3")
    scanned, mark = audit.older(store, match="made", scan=4)

    assert [e["subject"] for e in made] == [f"visit:{n}" for n in (9, 7, 5, 3, 1)]
    assert [e["subject"] for e in three] == ["visit:3"] and end == ""
    assert [e["subject"] for e in scanned] == ["visit:9", "visit:7"]
    assert [e["subject"] for e in audit.older(store, before=mark, match="made")[0]] == [
        "visit:5",
        "visit:3",
        "visit:1",
    ]


def test_older_refuses_a_mark_that_is_no_entry_id(store):
    with pytest.raises(InvalidInput, match="not an audit entry id"):
        audit.older(store, before="yesterday")


def test_institutions_visits_and_events_say_who_made_them(store, client, runner):
    _, raw = tokens.create_token(store, "protokol", "staff", by="test")
    accounts.add_user(store, "wayan", "staff", PASSWORD)
    sign_in(client, "wayan")

    made = client.post(
        "/api/v1/institutions",
        headers={"Authorization": f"Bearer {raw}"},
        json={"name": "Universitas Udayana", "kind": "university"},
    )
    visit = client.post("/admin/visits", data={
        "csrf_token": token(client, "/admin/visits"), "institution": "1",
        "date": "2026-11-30", "purpose": "Studi banding", "documentation": "",
    })  # fmt: skip
    names = ("Pesta Kesenian Bali", "Bali Arts Festival")
    added = runner("event", "add", *names, "--from", "2026-06-14",
                   "--to", "2026-07-13", "--by", "cli:made")  # fmt: skip

    assert (made.status_code, visit.status_code, added.exit_code) == (201, 302, 0)
    said = {
        entry["action"]: (entry["who"], entry["subject"], entry["after"])
        for entry in audit.entries(store)
    }
    assert said["institution.registered"][:2] == ("token:protokol", "institution:1")
    assert said["institution.registered"][2]["name"] == "Universitas Udayana"
    assert said["visit.recorded"][:2] == ("user:wayan", "visit:1")
    assert said["visit.recorded"][2]["date"] == "2026-11-30"
    assert said["event.created"][:2] == ("cli:made", "event:1")


def test_an_event_page_that_is_no_safe_target_is_refused(runner, store):
    bad = runner("event", "add", "Acara", "Event", "--from", "2026-06-14",
                 "--to", "2026-06-15", "--page", "javascript:alert(1)")  # fmt: skip

    assert bad.exit_code != 0 and bad.stderr.count("\n") == 1
    assert "Traceback" not in bad.stderr
    assert audit.entries(store) == []
