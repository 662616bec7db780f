"""Load on a running production server: concurrent users on a territory's workspace pages (issue 11).

Each simulated user is a thread with its own connection and session: it signs in as the demonstration
territory's officer (before the clock starts), then requests the workspace pages of Caux Seine Agglo one
after the other, in its own order, without pause (``--think`` adds one), until ``--duration`` seconds have
passed. It prints, per page and overall, the requests, errors (any status other than 200, or a failed
connection), the median, 95th percentile and maximum time in ms, and the requests per second; then
whether the targets hold: no error, and a p95 under 1 s on every page.

The server must run with the demonstration data and ``SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto`` (as
behind a TLS proxy), e.g. ``make serve-production`` after ``make demo-data``. The client runs on the
same machine as the server and takes some of its processor: figures are a lower bound of the server's.
Usage::

    python benchmarks/load.py --url http://127.0.0.1:8000 [--users 50] [--duration 30] [--think 0]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.production.webclient import Browser

OFFICER = "technicien.cauxseine@demo.tremplin.localhost"
PASSWORD = "demo-tremplin-2026"  # the demonstration's published password (tremplin.demo.services)
TARGET_P95_S = 1.0
# The workspace of a territory (tremplin/www/navigation.py's tabs, the map's data and the synergy table).
PAGES = {
    "territory": "/territoires/{pk}/",
    "establishments": "/territoires/{pk}/etablissements/",
    "flows": "/territoires/{pk}/flux/",
    "map page": "/territoires/{pk}/carte/",
    "map establishments": "/territoires/{pk}/carte/etablissements.geojson",
    "map synergies": "/territoires/{pk}/carte/synergies.geojson",
    "detection": "/territoires/{pk}/detection/",
    "synergy board": "/territoires/{pk}/synergies/",
    "synergy table": "/territoires/{pk}/synergies/tableau/",
    "indicators": "/territoires/{pk}/indicateurs/",
    "reports": "/territoires/{pk}/rapports/",
    "coaching": "/accompagnement/territoire/{pk}/",
    "team": "/comptes/territoires/{pk}/equipe/",
    "journal": "/comptes/territoires/{pk}/journal/",
}


def process_tree_cpu_s(root: int) -> float:
    """Processor seconds (user and system) used so far by a process and its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        ticks[pid] = int(fields[11]) + int(fields[12])
    tree, grown = {root}, True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grown = True
    return sum(ticks.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def territory_of(url: str) -> str:
    browser = Browser(url)
    browser.login(OFFICER, PASSWORD)
    found = re.search(r'href="/territoires/(\d+)/"', browser.get("/").text)
    if not found:
        raise SystemExit("The officer's home page links no territory: is the demonstration loaded?")
    pk = found.group(1)
    for name, path in PAGES.items():  # warm-up: every page answers before the clock starts
        response = browser.get(path.format(pk=pk))
        if response.status != 200:
            raise SystemExit(f"{name} ({path.format(pk=pk)}): HTTP {response.status} before the load")
    browser.close()
    return pk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--think", type=float, default=0.0, help="seconds each user waits between pages")
    parser.add_argument(
        "--server-pid",
        type=int,
        help="process id of `tremplin serve` on this machine: prints the processor time its processes "
        "(gunicorn and the worker, not the database) spent per request",
    )
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    pk = territory_of(url)
    paths = [(name, path.format(pk=pk)) for name, path in PAGES.items()]

    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()
    signed_in = threading.Barrier(args.users + 1)
    sign_ins = threading.Semaphore(4)  # password hashing is slow on purpose: a few at a time
    stop_at: list[float] = []

    def user(index: int) -> None:
        browser = Browser(url)
        try:
            with sign_ins:
                browser.login(OFFICER, PASSWORD)
        except (AssertionError, OSError) as error:
            with lock:
                errors["sign-in"].append(str(error))
        signed_in.wait()
        turn = index
        while time.monotonic() < stop_at[0]:
            name, path = paths[turn % len(paths)]
            turn += 1
            try:
                response = browser.get(path, follow=False)
            except OSError as error:
                with lock:
                    errors[name].append(type(error).__name__)
                browser.close()
                continue
            with lock:
                times[name].append(response.seconds)
                if response.status != 200:
                    errors[name].append(f"HTTP {response.status}")
            if args.think:
                time.sleep(args.think)
        browser.close()

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(args.users)]
    for thread in threads:
        thread.start()
    print(f"Signing in {args.users} users on {url} ...", flush=True)
    stop_at.append(float("inf"))
    signed_in.wait()
    cpu_before = process_tree_cpu_s(args.server_pid) if args.server_pid else 0.0
    started = time.monotonic()
    stop_at[0] = started + args.duration
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cpu_used = process_tree_cpu_s(args.server_pid) - cpu_before if args.server_pid else 0.0

    total = sum(len(v) for v in times.values())
    all_errors = sum(len(v) for v in errors.values())
    print(
        f"\n{args.users} users, {elapsed:.1f} s, think time {args.think:g} s: {total} requests, "
        f"{total / elapsed:.1f} requests/s, {all_errors} errors\n"
    )
    print(f"{'page':<20}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    worst = 0.0
    for name, _path in paths:
        values = times.get(name, [])
        if not values:
            print(f"{name:<20}{0:>9}{len(errors.get(name, [])):>8}")
            continue
        p95 = percentile(values, 0.95)
        worst = max(worst, p95)
        print(
            f"{name:<20}{len(values):>9}{len(errors.get(name, [])):>8}"
            f"{statistics.median(values) * 1000:>9.0f}{p95 * 1000:>9.0f}{max(values) * 1000:>9.0f}"
        )
    every = [value for values in times.values() for value in values]
    if every:
        print(
            f"{'all pages':<20}{len(every):>9}{all_errors:>8}{statistics.median(every) * 1000:>9.0f}"
            f"{percentile(every, 0.95) * 1000:>9.0f}{max(every) * 1000:>9.0f}"
        )
    if args.server_pid and total:
        cores = os.cpu_count() or 1
        print(
            f"\nServer processes: {cpu_used:.1f} processor-seconds, {cpu_used / total * 1000:.0f} ms per "
            f"request (so at most {cores * total / cpu_used:.0f} requests/s on {cores} idle cores, before "
            "the database's share)."
        )
    for name, messages in errors.items():
        print(f"errors on {name}: {', '.join(sorted(set(messages)))}")
    held = all_errors == 0 and worst < TARGET_P95_S and total > 0
    print(
        f"\nTargets (no error, p95 under {TARGET_P95_S * 1000:.0f} ms on every page): "
        f"{'met' if held else 'NOT met'} (worst p95 {worst * 1000:.0f} ms)."
    )
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
