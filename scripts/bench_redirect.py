"""The redirect benchmark of issue 3: our redirect against a bare Flask 302.

Starts a private redis-server, creates the code BENCH through the ``ciberq``
command line, and serves both ``service.wsgi:app`` and the bare view of
``scripts/bare_app.py`` with identical gunicorn settings. Each round loads
both with ``wrk``, alternating which goes first; the summary gives the median
requests per second, p50 and p99 of each and our ratios to the bare view.
Then it sends an exact number of requests with ``ab`` and checks that exactly
that many guest scans were recorded. Every child process is stopped at exit.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from http.client import HTTPConnection
from pathlib import Path

import redis

from service.embedded import find_binary
from service.keys import Keys

ROOT = Path(__file__).resolve().parent.parent
SLUG = "BENCH"
TARGET = "https://baliprov.go.id/profil"
USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
LANGUAGE = "id-ID,id;q=0.9"
# a line of wrk's --latency distribution, e.g. "     99%    1.67ms"
LATENCY = r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$"
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}  # to milliseconds

children: list[subprocess.Popen] = []


def tool(name: str) -> str:
    """The path of a command, looked up beside this Python first, then on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if not found and name in ("wrk", "ab"):
        sys.exit(f"{name} not found; run: apt-get install -y wrk apache2-utils")
    if not found:
        sys.exit(f"{name} not found; install ciberq first: pip install -e .")
    return found


def run(argv: list[str], **options) -> str:
    """Run a command to its end and return its output; one line if it fails."""
    done = subprocess.run(argv, capture_output=True, text=True, **options)
    if done.returncode:
        problem = (done.stderr or done.stdout).strip().splitlines()[-1:]
        sys.exit(f"{Path(argv[0]).name} {' '.join(argv[1:3])} ... failed: {problem}")
    return done.stdout


def found(pattern: str, text: str, default: str | None = None) -> str:
    """The first group of pattern in a tool's report."""
    match = re.search(pattern, text, re.M)
    if match is None and default is None:
        sys.exit(f"unexpected report, no {pattern!r} in:\n{text}")
    return match.group(1) if match else default


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spawn(argv: list[str], log: Path, check, what: str, **options) -> None:
    """Start a child that is stopped at exit; wait up to 30 s until check()."""
    with log.open("wb") as out:
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, **options)
    children.append(child)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if child.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            sys.exit(f"{what} exited with {child.returncode}:\n{tail}")
        try:
            if check():
                return
        except (OSError, redis.ConnectionError):
            pass
        time.sleep(0.2)
    sys.exit(f"{what} did not answer within 30 s")


def stop_children() -> None:
    """Stop every child, newest first: TERM, then KILL after 10 s."""
    for child in reversed(children):
        if child.poll() is None:
            child.terminate()
    for child in reversed(children):
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def start_redis(tmp: Path) -> int:
    """Start a real redis-server with append-only persistence; its port."""
    port = free_port()
    argv = [find_binary(), "--port", str(port), "--bind", "127.0.0.1"]
    argv += ["--dir", str(tmp), "--save", "", "--appendonly", "yes"]
    argv += ["--appendfsync", "everysec"]
    spawn(argv, tmp / "redis.log", redis.Redis(port=port).ping, "redis-server")
    return port


def ciberq(env: dict, *args: str) -> dict:
    """Run the ``ciberq`` command line with --json and return its answer."""
    return json.loads(run([tool("ciberq"), *args, "--json"], env=env))


def answer(port: int, path: str, method: str = "GET") -> tuple[int, dict]:
    """One request on loopback: the status and the headers."""
    conn = HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request(method, path, headers={"User-Agent": USER_AGENT})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, dict(response.getheaders())


def start_gunicorn(app: str, port: int, workers: int, env: dict, tmp: Path) -> None:
    """Serve app with the settings both views share; check its 302 for BENCH."""
    gunicorn = tool("gunicorn")
    argv = [gunicorn, "--workers", str(workers), "--worker-class", "sync"]
    argv += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    argv += ["--chdir", str(ROOT)]
    # gunicorn 27 listens on ~/.gunicorn/gunicorn.ctl; two servers would fight
    if "--no-control-socket" in run([gunicorn, "--help"]):
        argv.append("--no-control-socket")
    ready = "/readyz" if app.startswith("service") else f"/{SLUG}"

    def answers() -> bool:
        return answer(port, ready)[0] in (200, 302)

    spawn([*argv, app], tmp / f"gunicorn-{port}.log", answers, app, env=env)

    status, headers = answer(port, f"/{SLUG}", "HEAD")
    no_store = "no-store" in headers.get("Cache-Control", "")
    if status != 302 or headers.get("Location") != TARGET or not no_store:
        sys.exit(f"{app} answered HEAD /{SLUG} with {status} {headers}")


def run_wrk(port: int, seconds: int, args) -> dict:
    """Load one server with wrk; requests/s, p50 and p99 in ms, errors."""
    argv = [tool("wrk"), "-t2", f"-c{args.connections}", f"-d{seconds}s"]
    argv += ["--latency", "-H", f"User-Agent: {USER_AGENT}"]
    argv += ["-H", f"Accept-Language: {LANGUAGE}", f"http://127.0.0.1:{port}/{SLUG}"]
    out = run(argv)
    ms = {q: float(v) * UNITS[u] for q, v, u in re.findall(LATENCY, out, re.M)}
    return {
        "rps": float(found(r"Requests/sec:\s+([\d.]+)", out)),
        "p50_ms": ms["50"],
        "p99_ms": ms["99"],
        "errors": int(found(r"Non-2xx or 3xx responses:\s+(\d+)", out, "0")),
        "socket_errors": found(r"Socket errors: (.*)$", out, ""),
    }


def row(view: str, r: dict) -> str:
    """One line of a table: requests/s, p50 and p99."""
    return f"  {view:<6}{r['rps']:>9.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f}"


def load_rounds(ports: dict, args) -> list[dict]:
    """Load both views each round, alternating which goes first; print each."""
    for port in ports.values():
        run_wrk(port, 2, args)  # a worker's first requests import and compile
    rounds = []
    for number in range(1, args.rounds + 1):
        order = list(ports.items())[:: 1 if number % 2 else -1]
        results = {view: run_wrk(port, args.duration, args) for view, port in order}
        print(f"\nround {number}     req/s   p50 ms   p99 ms   errors")
        for view, r in results.items():
            print(f"{row(view, r)} {r['errors']:>8}  {r['socket_errors']}")
        rounds.append(results)
    return rounds


def summarise(rounds: list[dict]) -> dict:
    """Medians over the rounds for each view, our ratios to the bare view, errors."""
    median = {
        view: {
            k: statistics.median(r[view][k] for r in rounds)
            for k in ("rps", "p50_ms", "p99_ms")
        }
        for view in ("bare", "ours")
    }
    ours, bare = median["ours"], median["bare"]
    return {
        "median": median,
        "ratios": {k: round(ours[k] / bare[k], 3) for k in ours},
        "errors": sum(r[v]["errors"] for r in rounds for v in ("bare", "ours")),
    }


def print_summary(summary: dict) -> None:
    """The medians and the ratios."""
    print("\nmedian      req/s   p50 ms   p99 ms")
    for view, median in summary["median"].items():
        print(row(view, median))
    r = summary["ratios"]
    print(
        f"ours/bare: req/s {r['rps']:.2f}, p50 {r['p50_ms']:.2f}, "
        f"p99 {r['p99_ms']:.2f}; non-2xx/3xx answers {summary['errors']}"
    )


def machine() -> dict:
    """What the figures were measured on."""
    cpu = found(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(), "?")
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "gunicorn": found(r"([\d.]+)", run([tool("gunicorn"), "--version"])),
        "redis": found(r"v=([\d.]+)", run([find_binary(), "--version"])),
        # other work on the machine skews both views; this shows how much ran
        "load_1min": round(os.getloadavg()[0], 2),
    }


def settled(read):
    """read() once two readings 0.3 s apart agree (the scan buffer has flushed)."""
    last, now = None, read()
    while now != last:
        time.sleep(0.3)
        last, now = now, read()
    return now


def check_accounting(redis_port: int, env: dict, n: int, args) -> dict:
    """Send exactly n requests with ab; exactly n guest scans must be recorded."""
    stream = redis.Redis(port=redis_port)
    key = Keys(env.get("CIBERQ_KEY_PREFIX", "ciberq")).scans()
    show = partial(ciberq, env, "code", "show", SLUG)
    before = settled(show)
    stream_before = settled(lambda: stream.xlen(key))

    argv = [tool("ab"), "-q", "-n", str(n), "-c", str(args.connections)]
    out = run([*argv, "-H", f"User-Agent: {USER_AGENT}", f"{args.url}/{SLUG}"])

    deadline = time.monotonic() + 10
    while show()["scans"] - before["scans"] < n and time.monotonic() < deadline:
        time.sleep(0.2)
    after = settled(show)  # a late surplus scan must show too
    result = {
        "sent": n,
        "complete": int(found(r"Complete requests:\s+(\d+)", out)),
        "failed": int(found(r"Failed requests:\s+(\d+)", out)),
        # ab counts every answer outside 200-299 here: all must be our 302s
        "redirects": int(found(r"Non-2xx responses:\s+(\d+)", out, "0")),
        "scans": after["scans"] - before["scans"],
        "bot_scans": after["bot_scans"] - before["bot_scans"],
        "stream": stream.xlen(key) - stream_before,
    }
    counts = [result[k] for k in ("complete", "redirects", "scans")]
    result["exact"] = (
        counts == [n, n, n]
        and result["failed"] == result["bot_scans"] == 0
        and result["stream"] >= n
    )
    return result


def print_accounting(acc: dict) -> None:
    """The accounting check's verdict in one line."""
    verdict = "exact"
    if not acc["exact"]:
        verdict = (
            f"MISMATCH (complete {acc['complete']}, failed {acc['failed']}, "
            f"bot scans {acc['bot_scans']}, stream +{acc['stream']})"
        )
    print(
        f"accounting: sent {acc['sent']}, 302s {acc['redirects']}, "
        f"scans recorded {acc['scans']}: {verdict}"
    )


def bench(args, tmp: Path) -> int:
    """Every step of the benchmark; the exit status."""
    for name in ("wrk", "ab", "gunicorn", "ciberq"):
        tool(name)
    redis_port = start_redis(tmp)
    ports = {"bare": free_port(), "ours": free_port()}
    args.url = f"http://127.0.0.1:{ports['ours']}"
    env = dict(os.environ)
    env.update(
        CIBERQ_REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        CIBERQ_DATA_DIR=str(tmp / "data"),
        CIBERQ_BASE_URL=args.url,
    )
    ciberq(env, "code", "create", TARGET, "--institution", "Benchmark", "--slug", SLUG)
    start_gunicorn("scripts.bare_app:app", ports["bare"], args.workers, env, tmp)
    # our workers share their metrics through files, as under ciberq serve
    (tmp / "metrics").mkdir()
    ours = {**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp / "metrics")}
    start_gunicorn("service.wsgi:app", ports["ours"], args.workers, ours, tmp)

    about = machine()
    print(" · ".join(f"{k} {v}" for k, v in about.items()))
    print(
        f"both: gunicorn --workers {args.workers} --worker-class sync; "
        f"wrk -t2 -c{args.connections} -d{args.duration}s; {args.rounds} rounds"
    )
    rounds = load_rounds(ports, args)
    summary = summarise(rounds)
    print_summary(summary)
    acc = check_accounting(redis_port, env, args.accounting, args)
    print_accounting(acc)

    if args.json:
        report = {"machine": about, "settings": vars(args), "rounds": rounds}
        report.update(summary, accounting=acc)
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0 if acc["exact"] and not summary["errors"] else 1


def main() -> None:
    """Parse the options, run the benchmark, always stop the children."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10, help="seconds per load")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--accounting", type=int, default=20000, metavar="N")
    parser.add_argument("--json", metavar="FILE", help="also write the summary here")
    args = parser.parse_args()

    # Ctrl-C (even where a shell ignores it for background jobs) and TERM end
    # the run through the finally below, which stops every child
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="ciberq-bench-"))
    status = 1
    try:
        status = bench(args, tmp)
    except KeyboardInterrupt:
        status = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_children()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
