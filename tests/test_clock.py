from datetime import UTC, datetime, timedelta

import pytest

from service import clock


@pytest.mark.parametrize(
    "zone", ["Asia/Makassar", "Asia/Jakarta", "Asia/Kathmandu", "America/St_Johns"]
)
def test_local_day_and_hour_match_the_zone_at_every_quarter_hour(zone):
    start = datetime(2026, 3, 7, tzinfo=UTC)  # spans a DST change in St John's
    for minutes in range(0, 3 * 24 * 60, 7):
        moment = start + timedelta(minutes=minutes, seconds=13)
        local = moment.astimezone(clock.zone(zone))

        assert clock.local_day_hour(moment, zone) == (
            local.strftime("%Y-%m-%d"),
            local.hour,
        )


def test_iso_is_utc_with_milliseconds_and_a_z():
    moment = datetime(2026, 12, 3, 16, 30, 1, 234567, tzinfo=UTC)

    assert clock.iso(moment) == "2026-12-03T16:30:01.234Z"
    assert clock.parse_iso(clock.iso(moment)) == moment.replace(microsecond=234000)
