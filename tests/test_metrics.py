"""/metrics in Prometheus' text format, and logs as JSON lines."""

import json
import logging

from prometheus_client.parser import text_string_to_metric_families

from service import JsonLines, codes


def _samples(client):
    text = client.get("/metrics").get_data(as_text=True)
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_metrics_count_redirects_by_answer_and_recorded_scans(client, store):
    codes.create(store, "https://example.org/", slug="SEEN")
    before = _samples(client)

    for _ in range(3):
        client.get("/SEEN")
    client.get("/NOTHERE")

    after = _samples(client)

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("ciberq_redirects_total", status="302") == 3
    assert grew("ciberq_redirects_total", status="404") == 1
    assert grew("ciberq_scans_recorded_total") == 4
    assert grew("ciberq_redirect_seconds_count") == 3
    assert ("ciberq_spool_bytes", ()) in after


def test_json_log_lines_carry_no_address(caplog):
    record = logging.LogRecord(
        "service.codes", logging.INFO, __file__, 1, "code %s retargeted by %s",
        ("K7F2X9", "ayu"), None,
    )  # fmt: skip

    line = json.loads(JsonLines().format(record))

    assert line["message"] == "code K7F2X9 retargeted by ayu"
    assert (line["level"], line["logger"]) == ("info", "service.codes")
