"""make bench: region-scale benchmarks on PostgreSQL, written to var/bench/results.json.

Each entry compares, side by side in one run, the time Quartiere takes to answer at the server
(Django's WSGI handler called in this process as a WSGI server calls it, through the whole
middleware stack: ``bench/server.py``) with the lower bound named by the issue: the bare SQL
that the answer needs, run through the same connection.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/quartiere_bench"


EXPECTED_LABS = {"district": 2, "region": 100}


def _ensure_database(url: str, scale: str) -> bool:
    """Create the benchmark database, or recreate it when it is not at ``scale``.

    Returns True when the database must be seeded.
    """
    import psycopg

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    # Only a missing database or one without the seed is rebuilt; any other error (a server
    # down, a wrong password) stops here instead of dropping a seed that took minutes to build.
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    labs = -1
    if exists:
        try:
            with psycopg.connect(url) as conn:
                row = conn.execute("SELECT count(*) FROM accounts_lab").fetchone()
                labs = row[0] if row else -1
        except psycopg.errors.UndefinedTable:
            labs = -1
    if labs == EXPECTED_LABS[scale]:
        return False
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def _private_redis() -> str:
    """Start a throw-away Redis for this run and return its URL ("" when there is none).

    Production shares a Redis cache between workers (CACHE_URL); the benchmarks measure that
    set-up, including what it enables (cached sessions and auth context, accounts/authcache.py).
    """
    import atexit
    import shutil
    import socket
    import subprocess

    server = shutil.which("redis-server")
    if not server:
        return ""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(  # noqa: S603 - a fixed local binary with fixed arguments
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    atexit.register(proc.terminate)
    for _ in range(50):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    return ""


def timed(fn: Callable[[], Any], *, runs: int, warmup: int = 3) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def side_by_side(
    server: Callable[[], Any], baseline: Callable[[], Any], *, runs: int
) -> tuple[float, float]:
    """Alternate the two measurements in rounds so both see the same machine state."""
    s_samples: list[float] = []
    b_samples: list[float] = []
    for _ in range(3):
        server()
        baseline()
    for _ in range(runs):
        start = time.perf_counter()
        server()
        s_samples.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        baseline()
        b_samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(s_samples), statistics.median(b_samples)


# One module per context; each exposes BENCHMARKS = {name: fn(*, runs, side_by_side)} and may
# expose ensure(scale) to add the rows its benchmarks need.
BENCH_MODULES = [
    "people_search",
    "reports",
    "activities",
    "participation",
    "training",
    "relocation",
    "programme",
]


def _bench_modules() -> list[Any]:
    import importlib

    found = []
    for name in BENCH_MODULES:
        try:
            found.append(importlib.import_module(f"bench.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
    return found


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--scale", default="region", choices=["district", "region"])
    parser.add_argument("--only", default="", help="run only benchmarks whose name has this")
    args = parser.parse_args()

    # Each scale has its own default database, so a district run never drops the region seed.
    default = DEFAULT_URL if args.scale == "region" else f"{DEFAULT_URL}_{args.scale}"
    url = os.environ.get("DATABASE_URL") or default
    if not url.startswith("postgres"):
        sys.exit("make bench runs on PostgreSQL: set DATABASE_URL=postgres://...")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("QUARTIERE_ENV", "development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartiere.settings")
    # Intake queues its e-mails as production does (a database task), instead of sending them.
    os.environ.setdefault("QUARTIERE_TASKS", "database")
    if "CACHE_URL" not in os.environ:
        os.environ["CACHE_URL"] = _private_redis()
    print(f"cache: {os.environ['CACHE_URL'] or 'local memory (no redis-server found)'}")
    import django

    django.setup()
    from django.core.management import call_command

    modules = [
        m
        for m in _bench_modules()
        if not args.only or any(args.only in name for name in m.BENCHMARKS)
    ]
    # A module with NEEDS_DATABASE = False (e.g. the relocation solver on generated instances)
    # runs without the seeded database; the others need it at the chosen scale.
    needs_database = any(getattr(m, "NEEDS_DATABASE", True) for m in modules)
    must_seed = _ensure_database(url, args.scale) if needs_database else False
    if needs_database:
        call_command("collectstatic", "--noinput", verbosity=0)
        call_command("migrate", "--noinput", verbosity=0)
    if must_seed:
        print(f"seeding the {args.scale}-scale benchmark database once (a few minutes)...")
        start = time.monotonic()
        call_command("seed_demo", scale=args.scale, seed=2026)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"seeded in {time.monotonic() - start:.0f} s")
    benchmarks: dict[str, Any] = {}
    for module in modules:
        # ``ensure(scale)`` adds the data a module's benchmarks need (once, kept in the database).
        if hasattr(module, "ensure"):
            module.ensure(args.scale)
        benchmarks.update(module.BENCHMARKS)

    results: dict[str, dict[str, Any]] = {}
    print(f"{'benchmark':<52} {'value':>14} {'baseline':>14}  ratio")
    for name, bench in benchmarks.items():
        if args.only and args.only not in name:
            continue
        for variant, entry in bench(runs=args.runs, side_by_side=side_by_side).items():
            key = f"{name}.{variant}" if variant else name
            results[key] = entry
            unit = entry["unit"]
            print(
                f"{key:<52} {entry['value']:8.2f} {unit:<5} {entry['baseline']:8.2f} {unit:<5} "
                f"{entry['ratio']:5.2f}"
            )
    out = Path("var/bench/results.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.update(results)
    out.write_text(json.dumps(previous, indent=2, sort_keys=True) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
