"""Benchmark of a detection run through the platform's service (issue 4, item 10: 2,000 establishments
in under 30 s).

Builds a throwaway SQLite database (migrations, Normandy's geography), places N seeded establishments
in Caux Seine Agglo with the activity mix of ``benchmarks/detect.py``, then times the whole of
``start_detection`` (the task runs in-process: reading the inputs, the engine, storing the leads) and
prints the figures.  Usage::

    python benchmarks/detection_run.py [--size 2000] [--mode deductive|systematic|both]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAUX_SEINE = "200010700"


def _mix():
    spec = importlib.util.spec_from_file_location("_bench_detect", ROOT / "benchmarks" / "detect.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MIX


def _band(headcount: float) -> str:
    for limit, code in ((1, "00"), (3, "01"), (6, "02"), (10, "03"), (20, "11"), (50, "12"), (100, "21")):
        if headcount < limit:
            return code
    return "22" if headcount < 200 else "31"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--mode", default="deductive", choices=["deductive", "systematic", "both"])
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="tremplin-bench-")
    os.environ.update(
        TREMPLIN_DATA_DIR=workdir,
        DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        DJANGO_SETTINGS_MODULE="tremplin.settings",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command

    from tremplin.accounts.models import Membership, Role, User
    from tremplin.establishments.models import Establishment
    from tremplin.establishments.siret import luhn_check_digit
    from tremplin.geo.loading import load_geography
    from tremplin.geo.models import Epci
    from tremplin.synergies.detection import start_detection
    from tremplin.territories.models import Territory

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_geography("28")
    territory = Territory.objects.create(epci=Epci.objects.get(siren=CAUX_SEINE))
    officer = User.objects.create_user(email="bench@example.org", password="x")
    Membership.objects.create(user=officer, role=Role.TERRITORY_TEAM, territory=territory)
    communes = list(territory.epci.communes.all())
    mix = _mix()
    codes = [code for code, _share, _head in mix]
    shares = np.asarray([share for _code, share, _head in mix])
    heads = {code: head for code, _share, head in mix}
    rng = np.random.default_rng(2026)
    chosen = rng.choice(len(codes), size=args.size, p=shares / shares.sum())
    rows = []
    for i, index in enumerate(chosen.tolist()):
        code = codes[index]
        commune = communes[i % len(communes)]
        headcount = max(0.0, rng.lognormal(np.log(heads[code]), 0.6))
        body = f"{50_000_000 + i:08d}"
        siren = body + luhn_check_digit(body)
        rows.append(
            Establishment(
                territory=territory,
                siret=siren + "0001" + luhn_check_digit(siren + "0001"),
                name=f"Établissement {i}",
                naf_code=code,
                headcount_band=_band(headcount),
                commune=commune,
                latitude=commune.centroid_lat + rng.normal(0, 0.01),
                longitude=commune.centroid_lon + rng.normal(0, 0.015),
            )
        )
    Establishment.objects.bulk_create(rows, batch_size=1000)
    setup_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    run = start_detection(territory, mode=args.mode, by=officer)
    run_s = time.perf_counter() - t1
    run.refresh_from_db()
    print(f"setup (migrate, geography, {args.size} establishments): {setup_s:.1f} s")
    print(
        f"detection run ({args.mode}) on {run.establishment_count} establishments: {run_s:.2f} s "
        f"(task {run.duration_s:.2f} s), status {run.status}, {run.flow_count} flows, "
        f"{run.lead_count} leads stored"
    )
    if run.status != "done":
        print(run.error)
        return 1
    return 0 if run_s < 30 else 2


if __name__ == "__main__":
    sys.exit(main())
