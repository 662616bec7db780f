"""Speed of a territory's workspace pages with a large economic fabric (issue 4, item 10).

Builds a throwaway SQLite database (migrations, Normandy's geography) in a temporary directory, puts
5,000 establishments, 50,000 flows and a few hundred synergies in Caux Seine Agglo, then requests each
page with Django's test client, logged in as the territory officer, 20 times, and prints the median and
95th percentile in ms (target: under 300 ms for list and map pages), the size of the map's GeoJSON
(raw and gzipped), and the time of the report operations. Finally it runs the detection benchmark
(``benchmarks/detection_run.py``, 2,000 establishments, target under 30 s) in its own process. Usage::

    python benchmarks/workspace_pages.py [--establishments 5000] [--flows 50000] [--runs 20] [--no-detection]
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CAUX_SEINE = "200010700"
TARGET_MS = 300


def setup_django(data_dir: str) -> None:
    os.environ.update(
        TREMPLIN_DATA_DIR=data_dir,
        DATABASE_URL=f"sqlite:///{data_dir}/bench.sqlite3",
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


def make_world(establishment_count: int, flow_count: int, synergy_count: int):
    import random

    from tremplin.accounts.models import Membership, Role, User
    from tremplin.engine import default_knowledge_base
    from tremplin.engine.headcount import all_headcount_bands
    from tremplin.engine.naf import all_naf_codes
    from tremplin.establishments.models import Engagement, Establishment
    from tremplin.establishments.siret import luhn_check_digit
    from tremplin.flows.models import Flow
    from tremplin.geo.loading import load_geography
    from tremplin.geo.models import Epci
    from tremplin.synergies.enums import PIPELINE
    from tremplin.synergies.models import StatusChange, Synergy, SynergyParticipant
    from tremplin.territories.models import Territory

    load_geography("28")
    territory = Territory.objects.create(epci=Epci.objects.get(siren=CAUX_SEINE))
    officer = User.objects.create_user(email="bench@example.org", password="x")
    Membership.objects.create(user=officer, role=Role.TERRITORY_TEAM, territory=territory)
    rng = random.Random(2026)
    communes = list(territory.epci.communes.all())
    codes = all_naf_codes("subclass")
    bands = [band.code for band in all_headcount_bands()]
    rows = []
    for index in range(establishment_count):
        body = f"{60000000 + index:08d}"
        siren = body + luhn_check_digit(body)
        commune = rng.choice(communes)
        rows.append(
            Establishment(
                territory=territory,
                siret=siren + "0001" + luhn_check_digit(siren + "0001"),
                name=f"{rng.choice(['Atelier', 'Société', 'Garage', 'Ferme', 'Usine'])} {index:05d}",
                naf_code=rng.choice(codes),
                headcount_band=rng.choice(bands),
                commune=commune,
                latitude=commune.centroid_lat + rng.gauss(0, 0.01),
                longitude=commune.centroid_lon + rng.gauss(0, 0.015),
                engagement=rng.choice(Engagement.values),
            )
        )
    Establishment.objects.bulk_create(rows, batch_size=1000)
    ids = list(Establishment.objects.filter(territory=territory).values_list("pk", flat=True))
    resources = list(default_knowledge_base().resources.values())
    flows = []
    for _index in range(flow_count):
        resource = rng.choice(resources)
        quantity = round(rng.uniform(1, 500), 2)
        flows.append(
            Flow(
                establishment_id=rng.choice(ids),
                direction=rng.choice(["in", "out"]),
                resource=resource.code,
                quantity=quantity,
                unit=resource.unit,
                quantity_per_year=quantity,
                frequency="year",
                basis="declared",
            )
        )
    Flow.objects.bulk_create(flows, batch_size=2000)
    from django.utils import timezone

    now = timezone.now()
    for index in range(synergy_count):
        mutualisation = index % 4 == 0
        synergy = Synergy.objects.create(
            territory=territory,
            kind="mutualisation" if mutualisation else "substitution",
            resource=resources[index % len(resources)].code,
            resource_label=resources[index % len(resources)].label,
            status=PIPELINE[index % len(PIPELINE)],
            basis="estimated",
            confidence="estimated",
            unit="t",
            quantity=rng.uniform(1, 100),
            gain_eur_per_year=rng.uniform(100, 50_000),
            tonnes_diverted_per_year=rng.uniform(1, 100),
            co2_avoided_t_per_year=rng.uniform(0, 30),
            signature=f"bench:{index}",
            status_changed_at=now,
        )
        members = rng.sample(ids, 4 if mutualisation else 2)
        roles = ["member"] * 4 if mutualisation else ["source", "target"]
        SynergyParticipant.objects.bulk_create(
            SynergyParticipant(synergy=synergy, establishment_id=m, role=r)
            for m, r in zip(members, roles, strict=True)
        )
        StatusChange.objects.create(synergy=synergy, from_status="", to_status=synergy.status, at=now)
    return territory, officer


def timed(client, url: str, runs: int, **headers) -> tuple[list[float], object]:
    durations, response = [], None
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        durations.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return durations, response


def report(label: str, durations: list[float], extra: str = "", target: float | None = TARGET_MS) -> bool:
    median = statistics.median(durations)
    p95 = sorted(durations)[max(0, round(0.95 * len(durations)) - 1)]
    ok = target is None or p95 < target
    mark = "" if target is None else ("  ok" if ok else f"  OVER {target:.0f} ms")
    print(f"{label:<58} median {median:8.1f} ms   p95 {p95:8.1f} ms{mark}{extra}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=5000)
    parser.add_argument("--flows", type=int, default=50000)
    parser.add_argument("--synergies", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-detection", action="store_true")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="tremplin-bench-")
    setup_django(workdir)
    from django.test import Client
    from django.urls import reverse

    t0 = time.perf_counter()
    territory, officer = make_world(args.establishments, args.flows, args.synergies)
    print(
        f"setup: {args.establishments} establishments, {args.flows} flows, {args.synergies} synergies "
        f"in {time.perf_counter() - t0:.1f} s (SQLite, {workdir})\n"
    )
    client = Client()
    client.force_login(officer)
    pk = {"territory_pk": territory.pk}
    all_ok = True

    pages = [
        ("establishments list", reverse("establishment_list", kwargs=pk), True),
        ("map page", reverse("territory_map_page", kwargs=pk), True),
        ("map GeoJSON: establishments", reverse("territory_map_points", kwargs=pk), True),
        (
            "map GeoJSON: establishments, section C",
            reverse("territory_map_points", kwargs=pk) + "?section=C",
            True,
        ),
        (
            "map GeoJSON: resource + estimated",
            reverse("territory_map_points", kwargs=pk) + "?resource=wood_clean&estimated=1",
            True,
        ),
        ("map GeoJSON: synergies", reverse("territory_map_synergies", kwargs=pk), True),
        ("map GeoJSON: perimeter and communes", reverse("territory_map", kwargs={"pk": territory.pk}), True),
        ("synergies table (not mine)", reverse("synergy_table", kwargs=pk), True),
        ("synergies board (not mine)", reverse("synergy_board", kwargs=pk), True),
        ("flows page (not mine)", reverse("territory_flows", kwargs=pk), True),
        ("indicators page (not mine)", reverse("territory_indicators", kwargs=pk), False),
        ("reports list", reverse("report_list", kwargs=pk), True),
    ]
    print(f"Pages, {args.runs} runs each (target: p95 under {TARGET_MS} ms for list and map pages)")
    for label, url, is_list_or_map in pages:
        durations, response = timed(client, url, args.runs)
        extra = ""
        if "GeoJSON" in label:
            body = response.content
            extra = f"   {len(body) / 1024:7.0f} KiB raw, {len(gzip.compress(body)) / 1024:5.0f} KiB gzipped"
        all_ok &= report(label, durations, extra, TARGET_MS if is_list_or_map else None)
    durations, response = timed(
        client, reverse("territory_map_points", kwargs=pk), args.runs, accept_encoding="gzip"
    )
    report(
        "map GeoJSON: establishments, gzip on the wire",
        durations,
        f"   {len(response.content) / 1024:5.0f} KiB sent",
    )

    print("\nReports and exports (no target: downloads and operations)")
    from tremplin.reports.snapshots import freeze_report

    runs = max(3, args.runs // 5)
    durations = []
    for index in range(runs):
        start = time.perf_counter()
        snapshot = freeze_report(territory, kind="adhoc", by=officer, title=f"Bench {index}")
        durations.append((time.perf_counter() - start) * 1000)
    report("freeze_report (indicators, synergy table, map input)", durations, target=None)
    for label, url in (
        ("report page", reverse("report_detail", kwargs={"pk": snapshot.pk})),
        ("report PDF", reverse("report_pdf", kwargs={"pk": snapshot.pk})),
        ("XLSX export (3 sheets + sources)", reverse("territory_export_xlsx", kwargs=pk)),
        ("CSV export: flows", reverse("territory_export_csv", kwargs={**pk, "sheet": "flux"})),
        ("GeoJSON export: flows", reverse("territory_map_export", kwargs={**pk, "layer": "flows"})),
    ):
        durations, response = timed(client, url, runs)
        report(label, durations, f"   {len(response.content) / 1024:7.0f} KiB", target=None)

    if not args.no_detection:
        print("\nDetection run (benchmarks/detection_run.py --size 2000, own database), target under 30 s")
        result = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "detection_run.py"), "--size", "2000"],
            capture_output=True,
            text=True,
            check=False,
        )
        print(result.stdout.strip() or result.stderr.strip())
        all_ok &= result.returncode == 0
    return 0 if all_ok else 2


if __name__ == "__main__":
    sys.exit(main())
