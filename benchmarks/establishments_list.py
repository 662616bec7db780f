"""Speed of the establishments list page with many establishments in one territory.

Creates a throwaway SQLite database, loads Normandy's geography, puts N establishments (5,000 by
default) in Caux Seine Agglo, then requests the list page with Django's test client — plain, filtered,
searched, sorted, a far page — several times each and prints the median and 95th percentile in ms.
With ``--import-rows R`` it also times a SIRENE import of R rows through the same operation the web
page and the command line use. Usage::

    python benchmarks/establishments_list.py [--count 5000] [--runs 30] [--import-rows 20000]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup_django(data_dir: str) -> None:
    os.environ["TREMPLIN_DATA_DIR"] = data_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ["DEBUG"] = "false"
    os.environ["TREMPLIN_ENV"] = "test"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tremplin.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_world(count: int):
    import random

    from tremplin.accounts.models import Membership, Role, User
    from tremplin.engine.headcount import all_headcount_bands
    from tremplin.engine.naf import all_naf_codes
    from tremplin.establishments.models import Engagement, Establishment
    from tremplin.establishments.siret import luhn_check_digit
    from tremplin.geo.loading import load_geography
    from tremplin.geo.models import Epci
    from tremplin.territories.models import Territory

    load_geography("28")
    territory = Territory.objects.create(epci=Epci.objects.get(siren="200010700"))
    officer = User.objects.create_user(email="bench@example.org", password="x")
    Membership.objects.create(user=officer, role=Role.TERRITORY_TEAM, territory=territory)
    rng = random.Random(42)
    communes = list(territory.epci.communes.all())
    codes = all_naf_codes("subclass")
    bands = [band.code for band in all_headcount_bands()]
    rows = []
    for index in range(count):
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
                latitude=commune.centroid_lat,
                longitude=commune.centroid_lon,
                engagement=rng.choice(Engagement.values),
            )
        )
    Establishment.objects.bulk_create(rows, batch_size=1000)
    return territory, officer


def time_list(territory, officer, runs: int) -> None:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(officer)
    url = reverse("establishment_list", kwargs={"territory_pk": territory.pk})
    cases = {
        "plain": {},
        "section C": {"section": "C"},
        "search 'atelier'": {"q": "atelier"},
        "size + commune": {"size": "small", "commune": "76114"},
        "sort commune desc": {"sort": "-commune"},
        "page 60": {"page": "60"},
    }
    print(f"{'case':<20} {'median ms':>10} {'p95 ms':>8}  rows")
    for label, params in cases.items():
        client.get(url, params)  # warm-up
        durations = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url, params)
            durations.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        durations.sort()
        p95 = durations[min(len(durations) - 1, round(0.95 * len(durations)) - 1)]
        count = re.search(r'data-count="(\d+)"', response.content.decode())[1]
        print(f"{label:<20} {statistics.median(durations):>10.1f} {p95:>8.1f}  {count}")


def time_import(territory, rows: int) -> None:
    from tremplin.establishments.services import import_establishments
    from tremplin.establishments.siret import luhn_check_digit

    communes = list(territory.epci.communes.values_list("insee_code", flat=True))
    lines = [
        "siret;etatAdministratifEtablissement;denominationUsuelleEtablissement;activitePrincipaleEtablissement;"
        "trancheEffectifsEtablissement;codeCommuneEtablissement;coordonneeLambertAbscisseEtablissement;"
        "coordonneeLambertOrdonneeEtablissement"
    ]
    for index in range(rows):
        body = f"{70000000 + index:08d}"
        siren = body + luhn_check_digit(body)
        siret = siren + "0001" + luhn_check_digit(siren + "0001")
        state = "F" if index % 10 == 0 else "A"
        x, y = (f"{520000 + index % 9000}", f"{6936000 + index % 5000}") if index % 3 else ("[ND]", "[ND]")
        lines.append(f"{siret};{state};Site {index};10.71C;11;{communes[index % len(communes)]};{x};{y}")
    data = ("\n".join(lines) + "\n").encode()
    for label in ("first import", "re-import"):
        start = time.perf_counter()
        report = import_establishments(territory, io.BytesIO(data), kind="sirene", by=None)
        elapsed = time.perf_counter() - start
        print(
            f"SIRENE {label} of {rows} rows ({len(data) / 1e6:.1f} MB): {elapsed:.2f} s — {report.summary()}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--import-rows", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        territory, officer = make_world(args.count)
        print(f"{args.count} establishments in {territory}")
        time_list(territory, officer, args.runs)
        if args.import_rows:
            time_import(territory, args.import_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
