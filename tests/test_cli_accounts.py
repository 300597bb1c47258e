"""``ciberq user`` and ``ciberq token``, run as the console script runs them."""

import json

import pytest

from service import accounts, audit, tokens
from service.cli import cli
from service.cli_accounts import token, user

PASSWORD = "Ubud-Palace-2026"


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The groups on the main command line, as service/cli.py registers them."""
    for group in (user, token):
        monkeypatch.setitem(cli.commands, group.name, group)
    monkeypatch.setattr(accounts, "HASH_METHOD", "scrypt:1024:8:1")


def test_user_add_reads_the_password_from_stdin(runner, store, redis):
    added = runner("user", "add", "Wayan", "--role", "staff", "--password-stdin",
                   "--by", "admin", input=PASSWORD + "\n")  # fmt: skip

    assert added.exit_code == 0, added.stderr
    assert added.stdout.strip() == "user wayan added as staff"
    assert accounts.authenticate(store, "wayan", PASSWORD, "192.0.2.1").role == "staff"
    assert accounts.get_user(store, "wayan").created_by == "admin"
    assert PASSWORD not in added.stdout + added.stderr
    assert PASSWORD not in repr(redis.hgetall("ciberq:v1:user:{wayan}"))
    assert PASSWORD not in repr(redis.xrange("ciberq:v1:audit"))


def test_user_add_prompts_twice_without_echo(runner, store):
    added = runner("user", "add", "ketut", "--role", "viewer",
                   input=f"{PASSWORD}\n{PASSWORD}\n")  # fmt: skip

    assert added.exit_code == 0, added.stderr
    assert PASSWORD not in added.stdout
    assert accounts.get_user(store, "ketut").created_by.startswith("cli")


def test_user_add_refuses_mismatched_passwords(runner, store):
    added = runner("user", "add", "ketut", "--role", "viewer",
                   input=f"{PASSWORD}\nsomething-else\n")  # fmt: skip

    assert added.exit_code != 0
    assert accounts.get_user(store, "ketut") is None


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["ab", "--role", "staff"], PASSWORD, "3 to 64"),
        (["nyoman", "--role", "staff"], "short", "at least 10"),
        (["nyoman", "--role", "staff"], "", "no password on stdin"),
    ],
)
def test_user_add_errors_are_one_line(runner, args, stdin, message):
    added = runner("user", "add", *args, "--password-stdin", input=stdin + "\n")

    assert added.exit_code == 1
    assert message in added.stderr
    assert added.stderr.count("\n") == 1
    assert "Traceback" not in added.stderr


def test_user_add_twice_is_refused(runner):
    runner("user", "add", "made", "--role", "staff", "--password-stdin", input=PASSWORD)

    again = runner("user", "add", "MADE", "--role", "admin", "--password-stdin",
                   input=PASSWORD)  # fmt: skip

    assert again.exit_code == 1
    assert "already exists" in again.stderr


def test_user_list_and_disable(runner, store):
    accounts.add_user(store, "admin1", "admin", PASSWORD)
    accounts.add_user(store, "wayan", "staff", PASSWORD)

    disabled = runner("user", "disable", "wayan", "--by", "admin1")
    listed = runner("user", "list", "--json")
    table = runner("user", "list")

    assert disabled.exit_code == 0, disabled.stderr
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["role"], r["active"]) for r in rows] == [
        ("admin1", "admin", True),
        ("wayan", "staff", False),
    ]
    assert "password" not in listed.stdout
    assert "disabled" in table.stdout.splitlines()[1]
    assert audit.entries(store, limit=1)[0]["who"] == "admin1"


def test_token_create_json_prints_the_token_once(runner, store, redis):
    made = runner("token", "create", "SIMDA", "--role", "staff", "--json")

    assert made.exit_code == 0, made.stderr
    data = json.loads(made.stdout)
    assert set(data) == {"token", "id", "name", "role"}
    assert (data["name"], data["role"]) == ("SIMDA", "staff")
    assert tokens.verify(store, data["token"]).id == data["id"]
    listed = runner("token", "list", "--json")
    assert data["token"] not in listed.stdout
    assert "hash" not in json.loads(listed.stdout)[0]


def test_token_create_plain_prints_only_the_token_on_stdout(runner, store):
    made = runner("token", "create", "dashboard", "--role", "viewer")

    raw = made.stdout.strip()
    assert tokens.verify(store, raw).role == "viewer"
    assert "not shown again" in made.stderr


def test_token_revoke(runner, store):
    made, raw = tokens.create_token(store, "old", "staff")

    revoked = runner("token", "revoke", made.id)
    listed = runner("token", "list")
    unknown = runner("token", "revoke", "deadbeef")

    assert revoked.exit_code == 0, revoked.stderr
    assert tokens.verify(store, raw) is None
    assert "revoked" in listed.stdout
    assert unknown.exit_code == 1
    assert "token deadbeef does not exist" in unknown.stderr


def test_token_role_must_be_known(runner):
    made = runner("token", "create", "x", "--role", "root")

    assert made.exit_code == 2
    assert "root" in made.stderr
