"""The dashboard benchmark: its data step and its whole page at 10 thousand to
10 million scans.

For each size the script starts a private redis-server (no persistence), fills
it with ``gen_scans`` over 365 days and measures:

- memory: ``INFO memory`` used_memory after the catalogue and after the scans,
  per scan, and split by key family with ``MEMORY USAGE ... SAMPLES 0``;
- the data step: ``Cube.part`` and ``query.tiles`` on a fresh cube, the first
  read of the year (every day's counters; it leaves the ended months' roll-ups
  in Redis) and warm (median of 5), for the year and for the last 7 days;
- the page: ``GET /dashboard/`` for the year, signed in as a viewer, cold in a
  new application (as a new worker: the roll-ups and the current month) and
  warm through Flask's test client, "live" (warm, but one new scan recorded
  before each view, as under traffic), warm through a real HTTP server on
  loopback, and the stats call with a viewer's token.

The baseline runs in the same process: a week of 1,000 scans (DESIGN.md: "one
year at ten million scans loads about as fast as one week at a thousand"), and
the smallest size for the ratio of the largest to it.

Usage: ``python scripts/bench_dashboard.py [--sizes 10000,1000000,10000000]
[--markdown FILE] [--profile]``.
"""

import argparse
import cProfile
import io
import logging
import os
import platform
import pstats
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

# gen_scans and bench_redirect (its child handling) come from scripts/, which
# is on sys.path when this file runs
import gen_scans
import redis
import requests
from bench_redirect import free_port, spawn, stop_children
from werkzeug.serving import make_server

from dashboard import query
from dashboard.cube import Cube
from service import accounts, codes, config, create_app, demo, scans, tokens
from service.embedded import find_binary
from service.store import Store, open_store

CSRF = r'name="csrf_token" type="hidden" value="([^"]+)"'
VIEWER, PASSWORD = "bench-viewer", "bench-viewer-password"
WARM = 5  # warm calls; their median is reported
DAYS = 365
BASELINE = (1000, 7)  # scans, days: "one week at a thousand"
# keys measured one by one per family; the rest of a family is extrapolated
MEASURED = 20000
FAMILIES = ("stream", "day counters", "day guests", "code totals", "code guests")


def start_redis(tmp: Path) -> str:
    """A private redis-server without persistence; its URL."""
    port = free_port()
    argv = [find_binary(), "--port", str(port), "--bind", "127.0.0.1"]
    argv += ["--dir", str(tmp), "--save", "", "--appendonly", "no"]
    spawn(argv, tmp / "redis.log", redis.Redis(port=port).ping, "redis-server")
    return f"redis://127.0.0.1:{port}/0"


def timed(call) -> float:
    """Seconds one call takes."""
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def cold_warm(call) -> tuple[float, float]:
    """The first call's seconds and the median of the next WARM calls."""
    cold = timed(call)
    return cold, statistics.median(timed(call) for _ in range(WARM))


def family(name: str, store: Store) -> str:
    """The key family a key belongs to, as the memory breakdown names it."""
    root = store.keys.root
    if name == store.keys.scans():
        return "stream"
    if name.startswith(f"{root}:day:"):
        return "day counters" if name.endswith(":scans") else "day guests"
    if name.startswith(f"{root}:code:"):
        if name.endswith(":totals"):
            return "code totals"
        if ":guests:" in name:
            return "code guests"
    return "other"


def memory_by_family(store: Store) -> tuple[dict[str, int], int]:
    """Bytes per key family (MEMORY USAGE, SAMPLES 0), and the day counters' fields.

    At most MEASURED keys of a family are measured; the family's total is their
    mean times its number of keys.
    """
    names: dict[str, list[str]] = {}
    for name in store.redis.scan_iter(match=f"{store.keys.prefix}:*", count=1000):
        names.setdefault(family(name, store), []).append(name)

    found = {}
    for kind, members in names.items():
        sample = sorted(members)[:MEASURED]
        pipe = store.redis.pipeline(transaction=False)
        for name in sample:
            pipe.memory_usage(name, samples=0)
        sizes = [n or 0 for n in pipe.execute()]
        found[kind] = round(sum(sizes) / len(sizes) * len(members))
    pipe = store.redis.pipeline(transaction=False)
    for name in names.get("day counters", []):
        pipe.hlen(name)
    return found, sum(pipe.execute())


def data_step(store: Store, today) -> dict[str, float]:
    """Cube.part and query.tiles on a fresh cube: the year cold and warm, a week."""
    cube = Cube(store)
    catalog = query.Catalog.read(store)

    def step(days: int):
        def call():
            filters = query.Filters(today - timedelta(days=days - 1), today)
            cube.part(filters.start, filters.end)
            query.tiles(cube, store, filters, catalog)

        return call

    year_cold, year_warm = cold_warm(step(DAYS))
    _, week_warm = cold_warm(step(7))
    return {"data_cold": year_cold, "data_warm": year_warm, "data_week": week_warm}


def sign_in(get, post) -> None:
    """Sign in as the viewer through the login form."""
    form = get("/admin/login")
    token = re.search(CSRF, form).group(1)
    post("/admin/login", {"name": VIEWER, "password": PASSWORD, "csrf_token": token})


def page_times(app, store: Store, today, profile: bool) -> tuple[dict, str]:
    """The page's cold and warm seconds by test client and HTTP; a profile."""
    client = app.test_client()
    sign_in(
        lambda path: client.get(path).get_data(as_text=True),
        lambda path, data: client.post(path, data=data),
    )

    def page(days: int) -> str:
        first = today - timedelta(days=days - 1)
        return f"/dashboard/?from={first}&to={today}"

    def get(path: str, **options):
        def call():
            answer = client.get(path, **options)
            if answer.status_code != 200:
                sys.exit(f"GET {path} answered {answer.status_code}")

        return call

    found = {}
    found["page_cold"], found["page_warm"] = cold_warm(get(page(DAYS)))
    _, found["page_week"] = cold_warm(get(page(7)))
    found["page_live"] = statistics.median(
        live_scan(store) or timed(get(page(DAYS))) for _ in range(WARM)
    )

    _, raw = tokens.create_token(store, "bench", "viewer")
    stats = f"/api/v1/stats?group_by=institution&from={today - timedelta(DAYS - 1)}"
    bearer = {"headers": {"Authorization": f"Bearer {raw}"}}
    found["stats_cold"], found["stats_warm"] = cold_warm(get(stats, **bearer))

    found["http_warm"] = http_page(app, page(DAYS))

    profiled = ""
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(get(page(DAYS)))
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        profiled = out.getvalue()
    return found, profiled


def live_scan(store: Store) -> None:
    """Record one guest's scan now, as traffic does between two views of a page.

    Today's count moves, so the next view reads today's counters again and
    combines this month anew: the warm page under live traffic.
    """
    code = next(c for c in codes.list_codes(store) if c.active)
    agent = next(iter(demo.GUEST_AGENTS))
    scan = scans.observe(
        store, slug=code.slug, requested=code.slug, method="GET",
        status=scans.REDIRECTED, address="192.0.2.7", user_agent=agent,
        accept_language=demo.LANGUAGES["id"], institution=code.institution,
        target=code.target,
    )  # fmt: skip
    scans.record(store, scan)


def http_page(app, path: str) -> float:
    """The warm page through a real HTTP server on loopback (werkzeug, one thread)."""
    port = free_port()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line a request
    server = make_server("127.0.0.1", port, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        with requests.Session() as session:
            sign_in(
                lambda p: session.get(base + p, timeout=60).text,
                lambda p, data: session.post(base + p, data=data, timeout=60),
            )

            def call():
                answer = session.get(base + path, timeout=60)
                if answer.status_code != 200 or "dashboard" not in answer.url:
                    sys.exit(f"GET {path} over HTTP answered {answer.status_code}")

            return cold_warm(call)[1]
    finally:
        server.shutdown()
        thread.join()


def measure(size: int, days: int, args, tmp: Path) -> dict:
    """Generate one dataset in a fresh Redis and time the dashboard on it."""
    url = start_redis(tmp)
    data_dir = tmp / "data"
    store = open_store(config.load({"REDIS_URL": url, "DATA_DIR": str(data_dir)}))
    made = gen_scans.generate(store, size, days, args.seed)
    row = {
        "scans": size,
        "days": days,
        "codes": made["codes"],
        "rate": made["scans_per_second"],
        "per_scan": (made["memory_after"] - made["memory_before"]) / max(size, 1),
    }
    print(
        f"{size:,} scans over {days} days: {made['seconds']} s, "
        f"{made['scans_per_second']:,}/s, {row['per_scan']:.0f} bytes a scan",
        file=sys.stderr,
        flush=True,
    )
    row["families"], row["fields"] = memory_by_family(store)
    today = query.today(store)
    if days == DAYS:
        row.update(data_step(store, today))

    accounts.add_user(store, VIEWER, "viewer", PASSWORD, by="bench")
    # the staff side only: no redirect recorder or code table beside the page
    app = create_app(
        {"REDIS_URL": url, "SECRET_KEY": "bench-dashboard", "DATA_DIR": str(data_dir),
         "NODE": "admin", "LOG_LEVEL": "WARNING"}
    )  # fmt: skip
    profile = args.profile and size == max(args.sizes)
    times, row["profile"] = page_times(app, store, today, profile)
    row.update(times)
    if profile:
        row["profile_data"] = profile_data_step(store, today)
    store.redis.close()
    stop_children()
    return row


def profile_data_step(store: Store, today) -> str:
    """cProfile of the year's data step on a fresh cube, cold then warm."""
    cube = Cube(store)
    catalog = query.Catalog.read(store)
    filters = query.Filters(today - timedelta(days=DAYS - 1), today)

    def call():
        cube.part(filters.start, filters.end)
        query.tiles(cube, store, filters, catalog)

    found = []
    for name in ("cold", "warm"):
        profiler = cProfile.Profile()
        profiler.runcall(call)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(20)
        found.append(f"-- {name}\n{out.getvalue()}")
    return "".join(found)


def ms(seconds: float | None) -> str:
    """Seconds as milliseconds for the table."""
    return "—" if seconds is None else f"{seconds * 1000:,.0f}"


def report(rows: list[dict], baseline: dict, about: str) -> str:
    """The markdown tables: times, memory, ratios."""
    lines = [f"{about}\n", "### Times (ms; warm = median of 5)\n"]
    lines.append(
        "| scans | gen scans/s | data first read (year) | data warm (year) | "
        "data warm (7 d) | page cold, new process (year) | page warm (year) | "
        "page warm (7 d) | "
        "page live (year) | page warm HTTP (year) | stats cold | stats warm |"
    )
    lines.append("|" + " ---: |" * 12)
    for r in rows:
        lines.append(
            f"| {r['scans']:,} | {r['rate']:,} | {ms(r['data_cold'])} | "
            f"{ms(r['data_warm'])} | {ms(r['data_week'])} | {ms(r['page_cold'])} | "
            f"{ms(r['page_warm'])} | {ms(r['page_week'])} | {ms(r['page_live'])} | "
            f"{ms(r['http_warm'])} | "
            f"{ms(r['stats_cold'])} | {ms(r['stats_warm'])} |"
        )
    b = baseline
    lines.append(
        f"| baseline: {b['scans']:,} over 7 days | {b['rate']:,} | — | — | — | — | — "
        f"| {ms(b['page_week'])} (cold {ms(b['page_cold'])}) | — | "
        f"{ms(b['http_warm'])} | {ms(b['stats_cold'])} | {ms(b['stats_warm'])} |"
    )

    lines += ["\n### Redis memory per scan (bytes)\n"]
    lines.append(
        "| scans | codes | counter fields | total | "
        + " | ".join(FAMILIES)
        + " | other |"
    )
    lines.append("|" + " ---: |" * (5 + len(FAMILIES)))
    for r in rows:
        share = {k: v / r["scans"] for k, v in r["families"].items()}
        cells = [f"{share.get(k, 0):,.1f}" for k in (*FAMILIES, "other")]
        lines.append(
            f"| {r['scans']:,} | {r['codes']} | {r['fields']:,} | "
            f"{r['per_scan']:,.1f} | " + " | ".join(cells) + " |"
        )
    lines.append(
        "\n(total: used_memory after minus before, over the scans; families: "
        "MEMORY USAGE SAMPLES 0 of their keys, over the scans; `other` holds the "
        "catalogue, the days hash and the batch markers)"
    )

    big, small = rows[-1], rows[0]
    lines += ["\n### Ratios\n"]
    for name, key in (("page warm (year)", "page_warm"), ("data warm", "data_warm")):
        lines.append(
            f"- {name}, {big['scans']:,} over {small['scans']:,}: "
            f"{big[key] / small[key]:.2f}"
        )
    lines.append(
        f"- page warm, {big['scans']:,} over a year against {b['scans']:,} over "
        f"a week: {big['page_warm'] / b['page_week']:.2f}"
    )
    return "\n".join(lines) + "\n"


def machine() -> str:
    """What the figures were measured on, in one line."""
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    version = re.search(r"v=([\d.]+)", os.popen(f"{find_binary()} --version").read())
    return (
        f"nproc {os.cpu_count()} · {cpu} · python {platform.python_version()} · "
        f"redis {version.group(1) if version else '?'} · "
        f"load {os.getloadavg()[0]:.2f} at start"
    )


def bench(args) -> str:
    """Every size and the baseline, each in a fresh Redis; the report."""
    about = machine()
    rows = []
    baseline = None
    for size, days in [BASELINE, *((n, DAYS) for n in args.sizes)]:
        tmp = Path(tempfile.mkdtemp(prefix="ciberq-dash-"))
        try:
            row = measure(size, days, args, tmp)
        finally:
            stop_children()
            shutil.rmtree(tmp, ignore_errors=True)
        if days == DAYS:
            rows.append(row)
        else:
            baseline = row
        print(f"done: {size:,} scans", file=sys.stderr, flush=True)

    text = report(rows, baseline, about)
    for row in rows:
        if row.get("profile"):
            text += (
                f"\n### Profile: warm page (year), {row['scans']:,} scans\n\n```\n"
                f"{row['profile']}```\n"
                f"\n### Profile: data step (year), cold then warm, "
                f"{row['scans']:,} scans\n\n```\n{row['profile_data']}```\n"
            )
    return text


def main() -> None:
    """Parse the options, run the sizes, print (and save) the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,1000000,10000000",
        type=lambda text: sorted(int(n) for n in text.split(",")),
        help="scan counts, comma-separated (default 10000,1000000,10000000)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--markdown", metavar="FILE", help="also write the report")
    parser.add_argument(
        "--profile", action="store_true", help="profile the largest size's warm page"
    )
    args = parser.parse_args()

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        text = bench(args)
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_children()
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)


if __name__ == "__main__":
    main()
