import json
import os
import subprocess
import sys

import pytest

from service import codes


def test_create_prints_the_upper_case_short_url(runner, store):
    made = runner(
        "code",
        "create",
        "https://example.org/",
        "--institution",
        "BPS",
        "--kind",
        "ministry",
        "--slug",
        "bps-1",
    )

    assert made.exit_code == 0, made.stderr
    assert made.stdout.strip() == "HTTPS://Q.EXAMPLE.GO.ID/BPS-1"
    assert codes.get(store, "BPS-1").target == "https://example.org/"


def test_create_json_has_the_contract_fields(runner):
    made = runner(
        "code",
        "create",
        "https://example.org/",
        "--institution",
        "Kementerian Dalam Negeri",
        "--json",
    )

    data = json.loads(made.stdout)
    assert {"slug", "short_url", "target", "state", "institution"} <= set(data)
    assert data["institution"] == "Kementerian Dalam Negeri"
    assert data["state"] == "active"


def test_show_json_counts_history_and_institution(runner, client):
    runner(
        "code",
        "create",
        "https://example.org/a",
        "--institution",
        "APPSI",
        "--kind",
        "forum",
        "--slug",
        "APPSI-1",
    )
    runner(
        "code",
        "retarget",
        "appsi-1",
        "https://example.org/b",
        "--reason",
        "PKB",
        "--by",
        "wayan",
    )
    client.get("/APPSI-1", headers={"User-Agent": "Mozilla/5.0 (iPhone)"})
    client.get("/APPSI-1", headers={"User-Agent": "facebookexternalhit/1.1"})

    shown = runner("code", "show", "appsi-1", "--json")

    data = json.loads(shown.stdout)
    assert data["slug"] == "APPSI-1"
    assert data["short_url"] == "HTTPS://Q.EXAMPLE.GO.ID/APPSI-1"
    assert data["target"] == "https://example.org/b"
    assert data["institution"] == "APPSI"
    assert data["institution_kind"] == "forum"
    assert (data["scans"], data["bot_scans"]) == (1, 1)
    assert [e["action"] for e in data["history"]] == ["created", "retargeted"]
    assert data["history"][1]["by"] == "wayan"
    assert data["history"][1]["reason"] == "PKB"


def test_disable_enable_and_list(runner):
    runner(
        "code", "create", "https://example.org/", "--institution", "X", "--slug", "ABC"
    )

    assert runner("code", "disable", "abc").stdout.strip() == "ABC disabled"
    listed = json.loads(runner("code", "list", "--json").stdout)
    assert [(row["slug"], row["state"]) for row in listed] == [("ABC", "disabled")]
    assert runner("code", "enable", "ABC").exit_code == 0
    assert "ABC" in runner("code", "list").stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("code", "create", "javascript:alert(1)", "--institution", "X"), "http"),
        (("code", "create", "https://e.org/\r\nX: y", "--institution", "X"), "control"),
        (("code", "create", "ftp://e.org/", "--institution", "X"), "http"),
        (
            ("code", "create", "https://e.org/", "--institution", "X", "--slug", "a b"),
            "slug",
        ),
        (
            ("code", "create", "https://e.org/", "--institution", "X", "--kind", "pub"),
            "kind",
        ),
        (("code", "create", "https://e.org/"), "--institution"),
        (("code", "retarget", "NOPE", "https://e.org/"), "does not exist"),
        (("code", "show", "NOPE"), "does not exist"),
        (("code", "disable", "x" * 40), "3 to 32"),
        (("code", "frobnicate"), "No such command"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_a_failure(runner, args, says):
    outcome = runner(*args)

    assert outcome.exit_code != 0
    assert outcome.stdout == ""
    assert outcome.stderr.count("\n") == 1
    assert says in outcome.stderr
    assert "Traceback" not in outcome.stderr


def test_refused_create_registers_no_institution(runner, store, redis):
    runner("code", "create", "javascript:alert(1)", "--institution", "Ghost")

    assert redis.hgetall(store.keys.institutions()) == {}


def test_taken_slug_is_refused(runner):
    runner("code", "create", "https://e.org/1", "--institution", "X", "--slug", "DUP")

    outcome = runner(
        "code", "create", "https://e.org/2", "--institution", "X", "--slug", "dup"
    )

    assert outcome.exit_code == 1
    assert "already taken" in outcome.stderr


def test_bad_configuration_exits_2_with_one_line(runner):
    outcome = runner("code", "list", env={"CIBERQ_TIMEZONE": "Nowhere/Land"})

    assert outcome.exit_code == 2
    assert outcome.stderr.count("\n") == 1
    assert "CIBERQ_TIMEZONE" in outcome.stderr


def test_unreachable_redis_is_one_line(runner, tmp_path):
    outcome = runner(
        "code", "list", env={"CIBERQ_REDIS_URL": f"unix://{tmp_path}/x.sock"}
    )

    assert outcome.exit_code == 1
    assert outcome.stderr.count("\n") == 1
    assert "redis" in outcome.stderr


def test_the_installed_console_script_runs(settings):
    env = {
        **os.environ,
        "CIBERQ_REDIS_URL": settings["REDIS_URL"],
        "CIBERQ_DATA_DIR": settings["DATA_DIR"],
    }
    script = os.path.join(os.path.dirname(sys.executable), "ciberq")

    result = subprocess.run(
        [script, "code", "show", "NOPE"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stderr == "ciberq: error: code NOPE does not exist; check the slug\n"
