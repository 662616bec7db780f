"""Speed of the synergy board, the synergy table, the indicators page and the XLSX export at 5,000
establishments (issue 11: pages under 300 ms p95, export streamed).

Builds a territory (Caux Seine Agglo) with N establishments, their flows, a finished detection run with
its pending leads and a few hundred synergies spread over every status (measurements on the
operational ones), or reuses the one a previous run left in the same database. Then requests each page
with Django's test client signed in as the territory officer, ``--runs`` times, and prints p50, p95 and
max in ms and the number of SQL queries of one request; then downloads the XLSX export and prints the
time to its first byte, the total time, its size and the peak of Python memory while it is built and
sent (tracemalloc, in a separate pass so that tracing does not slow the timed ones). Usage::

    python benchmarks/pages.py [--establishments 5000] [--flows 50000] [--synergies 400] [--runs 20]
    DATABASE_URL=postgres://…/t_perf python benchmarks/pages.py     # builds once, reuses afterwards

Without ``DATABASE_URL`` the database is a new SQLite file in a temporary directory (``--data-dir`` to
keep and reuse one).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CAUX_SEINE = "200010700"
OFFICER = "bench@example.org"
TARGET_MS = 300


def _workspace_pages():
    """The world builder of benchmarks/workspace_pages.py (establishments, flows, synergies)."""
    spec = importlib.util.spec_from_file_location("_bench_pages", ROOT / "benchmarks" / "workspace_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup_django(data_dir: str) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data_dir}/bench.sqlite3")
    os.environ.update(
        TREMPLIN_DATA_DIR=data_dir,
        DEBUG="false",
        TREMPLIN_ENV="test",
        ALLOWED_HOSTS="testserver",
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        DJANGO_SETTINGS_MODULE="tremplin.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def existing_world():
    from tremplin.accounts.models import User
    from tremplin.territories.models import Territory

    officer = User.objects.filter(email=OFFICER).first()
    territory = Territory.objects.filter(epci__siren=CAUX_SEINE).first()
    return (territory, officer) if officer and territory else None


def make_world(establishments: int, flows: int, synergies: int, leads: int):
    """Establishments, flows and synergies of workspace_pages.py, plus a finished detection run with
    ``leads`` pending leads (the newest run, as the indicators read it) and measurements for two years
    on every operational synergy."""
    import random

    from django.utils import timezone

    from tremplin.establishments.models import Establishment
    from tremplin.synergies.enums import OPERATIONAL_STATUSES, LeadStatus, RunStatus, Status
    from tremplin.synergies.models import DetectionRun, Lead, Measurement, Synergy

    territory, officer = _workspace_pages().make_world(establishments, flows, synergies)
    rng = random.Random(11)
    now = timezone.now()
    run = DetectionRun.objects.create(
        territory=territory,
        mode="deductive",
        status=RunStatus.DONE,
        progress=1.0,
        created_by=officer,
        started_at=now,
        finished_at=now,
        establishment_count=establishments,
        flow_count=flows,
        lead_count=leads,
    )
    # Every status, the exits included (workspace_pages.py spreads them over the main line only).
    synergy_ids = list(
        Synergy.objects.filter(territory=territory).order_by("pk").values_list("pk", flat=True)
    )
    Synergy.objects.filter(pk__in=synergy_ids[::9]).update(status=Status.ABANDONED)
    Synergy.objects.filter(pk__in=synergy_ids[4::13]).update(status=Status.PAUSED)
    ids = list(Establishment.objects.filter(territory=territory).values_list("pk", flat=True))
    made = Lead.objects.bulk_create(
        Lead(
            run=run,
            territory=territory,
            rank=rank + 1,
            signature=f"bench-lead:{rank}",
            kind="substitution",
            resource="wood_clean",
            resource_label="Bois propre",
            establishment_ids=rng.sample(ids, 2),
            gain_eur_per_year=rng.uniform(100, 20_000),
            confidence="estimated",
            status=LeadStatus.PENDING if rank % 5 else LeadStatus.DISMISSED,
        )
        for rank in range(leads)
    )
    through = Lead.establishments.through
    through.objects.bulk_create(
        through(lead_id=lead.pk, establishment_id=e) for lead in made for e in lead.establishment_ids
    )
    Measurement.objects.bulk_create(
        Measurement(
            synergy_id=pk,
            year=year,
            tonnes_diverted=rng.uniform(1, 80),
            eur_saved=rng.uniform(100, 30_000),
            eur_earned=rng.uniform(0, 5_000),
            co2_avoided_t=rng.uniform(0, 20),
            jobs=rng.choice([0, 0.5, 1]),
            entered_by=officer,
        )
        for pk in Synergy.objects.filter(territory=territory, status__in=OPERATIONAL_STATUSES).values_list(
            "pk", flat=True
        )
        for year in (2024, 2025)
    )
    return territory, officer


def percentile(durations: list[float], share: float) -> float:
    ordered = sorted(durations)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def time_page(client, url: str, runs: int) -> tuple[list[float], int, int]:
    """Durations of ``runs`` requests (after one warm-up request, which also counts the queries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)  # now: the next request empties the log (request_started)
    assert response.status_code == 200, (url, response.status_code)
    size = len(response.content)
    durations = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        response.content  # noqa: B018 (the whole body is rendered, as a browser would receive it)
        durations.append((time.perf_counter() - start) * 1000)
    return durations, query_count, size


def download(client, url: str) -> tuple[float, float, int]:
    """Time to the first byte of the body, total time (ms) and size of one download."""
    start = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    first, size = None, 0
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        if first is None:
            first = time.perf_counter()
        size += len(chunk)
    end = time.perf_counter()
    if hasattr(response, "close"):
        response.close()
    return (first - start) * 1000, (end - start) * 1000, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=5000)
    parser.add_argument("--flows", type=int, default=50000)
    parser.add_argument("--synergies", type=int, default=400)
    parser.add_argument("--leads", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--data-dir", help="keep the SQLite database here and reuse it next time")
    args = parser.parse_args()

    data_dir = args.data_dir or tempfile.mkdtemp(prefix="tremplin-bench-")
    os.makedirs(data_dir, exist_ok=True)
    setup_django(data_dir)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from tremplin.establishments.models import Establishment
    from tremplin.flows.models import Flow
    from tremplin.synergies.models import Synergy

    start = time.perf_counter()
    world = existing_world()
    if world is None:
        world = make_world(args.establishments, args.flows, args.synergies, args.leads)
        built = f"built in {time.perf_counter() - start:.1f} s"
    else:
        built = "reused"
    territory, officer = world
    print(
        f"{connection.vendor}: {Establishment.objects.filter(territory=territory).count()} establishments, "
        f"{Flow.objects.for_territory(territory).count()} flows, "
        f"{Synergy.objects.filter(territory=territory).count()} synergies ({built})\n"
    )

    client = Client()
    client.force_login(officer)
    pk = {"territory_pk": territory.pk}
    pages = [
        ("synergy board", reverse("synergy_board", kwargs=pk)),
        ("synergy table", reverse("synergy_table", kwargs=pk)),
        ("synergy table, filtered (status)", reverse("synergy_table", kwargs=pk) + "?status=under_study"),
        ("indicators page", reverse("territory_indicators", kwargs=pk)),
    ]
    all_ok = True
    print(f"Pages, {args.runs} runs each, target p95 under {TARGET_MS} ms")
    print(f"{'page':<36}{'p50':>9}{'p95':>9}{'max':>9}{'queries':>9}{'KiB':>8}")
    for label, url in pages:
        durations, queries, size = time_page(client, url, args.runs)
        p95 = percentile(durations, 0.95)
        ok = p95 < TARGET_MS
        all_ok &= ok
        print(
            f"{label:<36}{statistics.median(durations):9.1f}{p95:9.1f}{max(durations):9.1f}"
            f"{queries:9d}{size / 1024:8.0f}{'' if ok else '  OVER'}"
        )

    url = reverse("territory_export_xlsx", kwargs=pk)
    print(f"\nXLSX export, {args.export_runs} runs (ms)")
    timings = [download(client, url) for _ in range(args.export_runs)]
    tracemalloc.start()
    download(client, url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"first byte p50 {statistics.median(t[0] for t in timings):8.0f}   "
        f"total p50 {statistics.median(t[1] for t in timings):8.0f}   "
        f"max {max(t[1] for t in timings):8.0f}   {timings[-1][2] / 1024:6.0f} KiB   "
        f"peak Python memory {peak / 2**20:6.1f} MiB"
    )
    return 0 if all_ok else 2


if __name__ == "__main__":
    sys.exit(main())
