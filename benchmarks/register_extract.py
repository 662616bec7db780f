"""Speed and memory of a SIRENE extract for a call's applicants (issue 10, item 2).

Generates a SIRENE « StockEtablissement » CSV of ``--rows`` rows spread over every commune of Normandy
and as many communes elsewhere (15 % closed establishments), opens a call with ``--applicants``
applicant EPCIs of Normandy, then runs the extract as the worker does (read row by row, split by EPCI,
workspaces written, potentials computed) and prints the time of each phase, the rows read per second,
what a national stock (about 42 million rows) would take at that pace, and the peak resident memory.
Usage::

    python benchmarks/register_extract.py [--rows 500000] [--applicants 8]
    DATABASE_URL=postgres://…/t_bench python benchmarks/register_extract.py

Without ``DATABASE_URL`` the database is a new SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NATIONAL_ROWS = 42_000_000
NAF_CODES = [
    "10.71C",
    "17.12Z",
    "16.10A",
    "52.24A",
    "25.62B",
    "47.11F",
    "56.10A",
    "43.21A",
    "01.11Z",
    "20.14Z",
]
BANDS = ["NN", "00", "01", "02", "03", "11", "12", "21", "22", "31"]


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


def siret(number: int) -> str:
    from tremplin.establishments.siret import luhn_check_digit

    body = f"{number:08d}"
    siren = body + luhn_check_digit(body)
    return siren + "0001" + luhn_check_digit(siren + "0001")


def write_csv(path: Path, rows: int, communes: list[str], seed: int = 10) -> int:
    rng = random.Random(seed)
    elsewhere = [f"{dep:02d}{n:03d}" for dep in (13, 33, 59, 69, 75) for n in range(1, 200)]
    header = (
        "siren;nic;siret;dateDernierTraitementEtablissement;etatAdministratifEtablissement;"
        "denominationUsuelleEtablissement;activitePrincipaleEtablissement;"
        "nomenclatureActivitePrincipaleEtablissement;trancheEffectifsEtablissement;codeCommuneEtablissement;"
        "coordonneeLambertAbscisseEtablissement;coordonneeLambertOrdonneeEtablissement\n"
    )
    with path.open("w", encoding="utf-8") as out:
        out.write(header)
        for number in range(rows):
            value = siret(10_000_000 + number)
            commune = rng.choice(communes) if rng.random() < 0.5 else rng.choice(elsewhere)
            state = "F" if rng.random() < 0.15 else "A"
            out.write(
                f"{value[:9]};{value[9:]};{value};2026-10-{1 + number % 28:02d}T03:00:00;{state};"
                f"Établissement {number};{rng.choice(NAF_CODES)};NAFRev2;{rng.choice(BANDS)};{commune};;\n"
            )
    return path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--applicants", type=int, default=8)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="tremplin-bench-extract-")
    setup_django(data_dir)

    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from tremplin.accounts.models import Membership, Role, User
    from tremplin.geo.loading import load_geography
    from tremplin.geo.models import Commune, Epci, Region
    from tremplin.imports.models import RegisterExtract
    from tremplin.programme.models import Application, Call
    from tremplin.programme.services.extracts import _execute

    start = time.perf_counter()
    if not Epci.objects.exists():
        load_geography("28")
    print(f"{connection.vendor}: geography ready in {time.perf_counter() - start:.1f} s")
    team, _ = User.objects.get_or_create(email="bench-programme@example.org")
    Membership.objects.get_or_create(user=team, role=Role.PROGRAMME_TEAM, defaults={"organisation": "Région"})
    now = timezone.now()
    call = Call.objects.create(
        title="Benchmark",
        region=Region.objects.get(code="28"),
        opens_at=now - dt.timedelta(days=60),
        deadline=now + dt.timedelta(days=30),
        places=8,
    )
    epcis = list(Epci.objects.in_region("28").order_by("-population")[: args.applicants])
    for epci in epcis:
        Application.objects.create(call=call, epci=epci, applicant=team, status="submitted", submitted_at=now)
    communes = list(
        Commune.objects.filter(epci__in=Epci.objects.in_region("28")).values_list("insee_code", flat=True)
    )

    path = Path(data_dir) / "StockEtablissement.csv"
    start = time.perf_counter()
    size = write_csv(path, args.rows, communes)
    print(f"file: {args.rows:,} rows, {size / 1e6:.0f} MB, generated in {time.perf_counter() - start:.1f} s")

    extract = RegisterExtract.objects.create(
        call=call,
        filename=path.name,
        size=size,
        created_by=team,
        status="running",
        started_at=now,
        heartbeat_at=now,
    )
    # Time the phases: writing the workspaces and the engine's potential, the rest being the reading.
    import tremplin.programme.services.extracts as extracts
    import tremplin.programme.services.potential as potential

    spent = {"write": 0.0, "potential": 0.0}

    def timed(name, function):
        def wrapper(*args, **kwargs):
            begin = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - begin

        return wrapper

    extracts.import_parsed = timed("write", extracts.import_parsed)
    potential.compute_potential = timed("potential", potential.compute_potential)
    start = time.perf_counter()
    with path.open("rb") as stream:
        _execute(extract, stream)
    elapsed = time.perf_counter() - start
    reading = elapsed - spent["write"] - spent["potential"]
    extract.refresh_from_db()
    if extract.status != "done":
        print("extract failed:", extract.failure or extract.errors[:3])
        return 1
    rate = extract.rows / reading
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"extract: {extract.rows:,} rows read, {extract.kept:,} kept for {len(extract.results)} applicants "
        f"({extract.skipped_inactive:,} closed, {extract.skipped_outside:,} elsewhere) in {elapsed:.1f} s: "
        f"reading {reading:.1f} s ({rate:,.0f} rows/s), writing {spent['write']:.1f} s, "
        f"engine potential {spent['potential']:.1f} s"
    )
    for item in extract.results:
        print(f"  {item['epci'][:60]:<60} {item['kept']:>7,} kept, potential {item['potential_score']}")
    minutes = NATIONAL_ROWS / rate / 60
    print(f"reading a national stock (~{NATIONAL_ROWS / 1e6:.0f} M rows) at this pace: ~{minutes:.0f} min")
    print(f"peak resident memory of the process: {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
