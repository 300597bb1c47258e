import os

import pytest

from service import config
from service.errors import ConfigError


def test_defaults_apply_when_nothing_is_set(monkeypatch):
    for name, _, _ in config.describe():
        monkeypatch.delenv(name, raising=False)

    values = config.load()

    assert values["REDIS_URL"] == ""
    assert values["TIMEZONE"] == "Asia/Makassar"
    assert values["DATA_DIR"] == os.path.abspath("./var")
    assert values["ALLOWED_TARGET_HOSTS"] == ()
    assert values["SLUG_LENGTH"] == 6


def test_environment_variables_are_read(monkeypatch):
    monkeypatch.setenv("CIBERQ_BASE_URL", "https://q.example.go.id/")
    monkeypatch.setenv("CIBERQ_ALLOWED_TARGET_HOSTS", "baliprov.go.id, *.Bali.go.id")
    monkeypatch.setenv("CIBERQ_WORKERS", "4")

    values = config.load()

    assert values["BASE_URL"] == "https://q.example.go.id"
    assert values["ALLOWED_TARGET_HOSTS"] == ("baliprov.go.id", "*.bali.go.id")
    assert values["WORKERS"] == 4


def test_mapping_overrides_environment(monkeypatch):
    monkeypatch.setenv("CIBERQ_TIMEZONE", "Asia/Jakarta")

    assert config.load({"TIMEZONE": "Asia/Jayapura"})["TIMEZONE"] == "Asia/Jayapura"


def test_every_bad_value_is_named_at_once(monkeypatch):
    monkeypatch.setenv("CIBERQ_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("CIBERQ_PORT", "eighty")
    monkeypatch.setenv("CIBERQ_BASE_URL", "ftp://q.example")
    monkeypatch.setenv("CIBERQ_REDIS_URL", "localhost:6379")

    with pytest.raises(ConfigError) as raised:
        config.load()

    message = str(raised.value)
    for name in ("TIMEZONE", "PORT", "BASE_URL", "REDIS_URL"):
        assert f"CIBERQ_{name}=" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLUG_LENGTH", "3"),
        ("WORKERS", "0"),
        ("BASE_URL", "https://q.example.go.id/path"),
        ("ALLOWED_TARGET_HOSTS", "https://x.example/"),
        ("KEY_PREFIX", "a{b}"),
        ("LOG_LEVEL", "loud"),
        ("SESSION_HOURS", "0"),
        ("SESSION_HOURS", "721"),
    ],
)
def test_bad_values_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(f"CIBERQ_{name}", value)

    with pytest.raises(ConfigError, match=f"CIBERQ_{name}"):
        config.load()


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = {"DATA_DIR": str(tmp_path), "SECRET_KEY": ""}
    second = {"DATA_DIR": str(tmp_path), "SECRET_KEY": ""}

    config.ensure_secret_key(first)
    config.ensure_secret_key(second)

    assert len(first["SECRET_KEY"]) == 64
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_readme_documents_every_setting():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()

    for name, _, _ in config.describe():
        assert f"`{name}`" in readme, name
