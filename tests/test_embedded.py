"""The embedded Redis: started on demand, shared, stopped with its last user."""

import os
import subprocess
import sys
import textwrap

import redis as redis_py

from service import codes, create_app
from service.embedded import EmbeddedRedis, _pid_alive


def _settings(data_dir):
    return {"REDIS_URL": "", "DATA_DIR": str(data_dir), "SECRET_KEY": "t"}


def test_data_survives_a_restart(tmp_path):
    server = EmbeddedRedis(tmp_path)
    url = server.acquire()
    store = create_app({**_settings(tmp_path), "REDIS_URL": url}).extensions["ciberq"]
    codes.create(store, "https://example.org/kept", slug="KEPT")
    codes.retarget(store, "KEPT", "https://example.org/kept-2", reason="moved")
    store.redis.close()

    assert server.release() is True
    assert server.running_url() is None

    again = EmbeddedRedis(tmp_path)
    url = again.acquire()
    store = create_app({**_settings(tmp_path), "REDIS_URL": url}).extensions["ciberq"]
    try:
        assert codes.get(store, "kept").target == "https://example.org/kept-2"
        assert len(codes.history(store, "KEPT")) == 2
        assert (tmp_path / "redis" / "appendonly.aof").exists()
    finally:
        store.redis.close()
        again.release()


def test_second_user_shares_the_server_and_the_last_stops_it(tmp_path):
    first, second = EmbeddedRedis(tmp_path), EmbeddedRedis(tmp_path)

    url = first.acquire()
    assert second.acquire() == url
    pid = int((tmp_path / "redis" / "redis.pid").read_text())

    assert first.release() is False
    assert redis_py.Redis.from_url(url).ping()
    assert second.release() is True
    assert second.running_url() is None
    assert not _pid_alive(pid)


def test_a_lease_held_by_another_process_keeps_the_server(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys
            from service.embedded import EmbeddedRedis, _pid_alive
            server = EmbeddedRedis({str(tmp_path)!r})
            print(server.acquire(), flush=True)
            sys.stdin.readline()
            server.release()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = holder.stdout.readline().strip()
        mine = EmbeddedRedis(tmp_path)
        assert mine.acquire() == url
        assert mine.release() is False
        assert mine.running_url() == url
    finally:
        holder.communicate("done\n", timeout=30)

    assert EmbeddedRedis(tmp_path).running_url() is None


def test_stale_lease_of_a_dead_process_does_not_keep_the_server(tmp_path):
    server = EmbeddedRedis(tmp_path)
    server.acquire()
    (tmp_path / "redis" / "leases" / "999999999-1").touch()

    assert server.release() is True


def test_a_command_starts_the_server_when_none_runs_and_stops_it_after(tmp_path):
    env = {**os.environ, "CIBERQ_DATA_DIR": str(tmp_path), "CIBERQ_REDIS_URL": ""}
    script = os.path.join(os.path.dirname(sys.executable), "ciberq")

    created = subprocess.run(
        [
            script,
            "code",
            "create",
            "https://example.org/",
            "--institution",
            "X",
            "--slug",
            "CLI-1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    shown = subprocess.run(
        [script, "code", "show", "CLI-1", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert created.returncode == 0, created.stderr
    assert '"target": "https://example.org/"' in shown.stdout
    assert EmbeddedRedis(tmp_path).running_url() is None


def test_long_data_dir_falls_back_to_a_loopback_port(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    server = EmbeddedRedis(deep)

    url = server.acquire()
    try:
        assert url.startswith("redis://127.0.0.1:")
        assert redis_py.Redis.from_url(url).ping()
    finally:
        server.release()
