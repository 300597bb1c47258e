"""The damage benchmark's own arithmetic and a small real run of it.

The benchmark decides whether issue 4's table holds, so its statistics are
pinned to values worked out by hand, and a few codes go through the real
renderers, damage and zxing-cpp.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "scripts"))

import bench_artwork as bench  # noqa: E402


@pytest.mark.parametrize(
    ("wins", "losses", "p"),
    [
        (0, 0, 1.0),
        (0, 3, 1 / 8),  # all three discordant pairs against ours
        (3, 0, 1.0),
        (1, 1, 3 / 4),  # P(at least 1 of 2 against) = 3/4
        (2, 8, 56 / 1024),  # C(10,8) + C(10,9) + C(10,10) = 45 + 10 + 1
    ],
)
def test_sign_test_is_the_exact_binomial_tail(wins, losses, p):
    assert bench.sign_test(wins, losses) == pytest.approx(p)


def _row(kind, only_ours, only_typical):
    return {"kind": kind, "only_ours": only_ours, "only_typical": only_typical}


def test_verdicts_sum_the_strengths_of_a_kind():
    rows = [_row("patch", 0, 5), _row("patch", 0, 5), _row("blur", 9, 1)]

    said = bench.verdicts(rows)

    assert said["patch"] == ("behind", pytest.approx(1 / 1024))
    assert said["blur"][0] == "ahead"
    assert bench.losing_kinds(rows) == ["patch"]


def test_a_few_discordant_pairs_either_way_are_a_tie():
    assert bench.verdicts([_row("contrast", 4, 6)])["contrast"][0] == "tie"


def test_difference_and_its_interval_from_the_paired_counts():
    # 100 pairs, 30 only ours and 10 only typical: +20 points,
    # se = sqrt(30 + 10 - 20**2 / 100) / 100 = 0.06
    shift, margin = bench.difference(_row("blur", 30, 10), 100)

    assert shift == pytest.approx(0.20)
    assert margin == pytest.approx(1.96 * 0.06)
    assert bench.difference(_row("none", 0, 0), 100) == (0.0, 0.0)


def test_a_real_run_reads_every_undamaged_symbol_and_loses_the_typical_under_a_patch():
    rows = bench.run(count=4, seed=1, trials=1, kinds=("none", "patch"))

    undamaged = rows[0]
    assert (undamaged["kind"], undamaged["ours"], undamaged["typical"]) == (
        "none",
        1.0,
        1.0,
    )
    # a square over 15 % of the symbol: level H carries it more often than M
    patched = next(row for row in rows if row["strength"] == 15)
    assert patched["ours"] >= patched["typical"]
    assert len(rows) == 1 + len(bench.DAMAGES["patch"].strengths)


def test_both_renderers_draw_into_the_same_size_and_read_back():
    text, ours = bench.ours("K7F2X9")
    lower, typical = bench.typical("K7F2X9")

    assert text == lower.upper() == "HTTPS://Q.BALIPROV.GO.ID/K7F2X9"
    assert ours.shape == typical.shape == (bench.SIZE, bench.SIZE)
    assert bench.decodes(ours, text) and bench.decodes(typical, lower)


def test_the_table_shows_a_one_sided_gap_with_its_interval():
    rows = [
        {"kind": "patch", "strength": 20, "unit": "% area", "ours": 1.0,
         "typical": 0.0, "only_ours": 100, "only_typical": 0},
        {"kind": "none", "strength": 0, "unit": "", "ours": 1.0,
         "typical": 1.0, "only_ours": 0, "only_typical": 0},
    ]  # fmt: skip

    lines = bench.table(rows, 100, markdown=True).splitlines()

    assert lines[2].endswith("| +100.0 ± 0.0 |")
    assert lines[3].endswith("| 0 |")
