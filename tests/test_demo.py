from service import codes, demo, institutions, scans


def test_seed_fills_an_empty_store_with_every_kind_of_record(store, redis):
    assert demo.is_empty(store)

    counts = demo.seed(store, scans=300, days=60)

    kinds = {place.kind for place in institutions.list_all(store)}
    assert kinds == set(institutions.KINDS)
    assert counts["codes"] == len(codes.list_slugs(store)) > 0
    entries = [fields for _, fields in redis.xrange(store.keys.scans())]
    assert len(entries) == redis.xlen(store.keys.scans()) == counts["scans"] == 300
    assert any(entry["bot"] == "1" for entry in entries)
    assert any(entry["status"] == scans.REDIRECTED for entry in entries)
    assert not demo.is_empty(store)


def test_seed_records_scans_oldest_first(store, redis):
    demo.seed(store, scans=300, days=60)

    moments = [fields["at"] for _, fields in scans.read(store)]
    assert moments == sorted(moments)


def test_demo_plaques_are_issued_before_their_first_scan(store):
    demo.seed(store, scans=300, days=60)

    first_scan = {}
    for _, fields in scans.read(store):
        first_scan.setdefault(fields["code"], fields["at"])
    made = codes.list_codes(store)

    assert len({code.created_at[:10] for code in made}) > 5  # not all on one day
    for code in made:
        history = codes.history(store, code.slug)
        assert history[0]["at"] == code.created_at
        if code.slug in first_scan:
            assert code.created_at <= first_scan[code.slug], code.slug
    assert [code.slug for code in made] == sorted(  # the list is by issue date
        (code.slug for code in made), key=lambda s: codes.get(store, s).created_at
    )
