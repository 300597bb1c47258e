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
