"""Candidate generation of the engine against the same query in PostGIS.

The engine finds, for every substitution rule, the ``k`` nearest compatible receivers of each supply
within the rule's distance limit (a k-d tree over 3-D points, see ``tremplin/engine/geo.py``). This
script builds the same inputs as ``benchmarks/detect.py`` (seeded establishments, estimated flows), loads
them into PostGIS and runs the equivalent query (``ORDER BY geom <-> geom LIMIT k`` inside a LATERAL join,
``ST_DWithin`` for the limit, a GiST index), then prints both timings and checks both found the same pairs.

It needs a PostgreSQL server with the PostGIS extension, given by ``--dsn`` (the database must exist;
the script creates and drops its own schema). On Debian::

    apt-get install postgresql-15-postgis-3
    python benchmarks/postgis_candidates.py --dsn postgres://postgres@127.0.0.1:5432/bench --sizes 10000

Distances: the engine measures great-circle distances on a sphere; PostGIS measures them here as a French
user would, on Lambert-93 (EPSG:2154) planar coordinates with a GiST index per resource (btree_gist), the
fastest set-up we found (``geography`` with one index over all flows was about 200 times slower than the
engine at 10 000 establishments). Pairs at the very edge of a limit may differ between the two; the
``common`` column counts the pairs both found.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def _generate(n: int, density: float):
    import importlib.util

    spec = importlib.util.spec_from_file_location("detect_bench", HERE / "detect.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(n, density)


def engine_candidates(establishments):
    """(seconds, set of (rule id, supply flow, demand flow)) of the engine's neighbour search alone."""
    from tremplin.engine import Parameters, default_knowledge_base
    from tremplin.engine import naf as naf_module
    from tremplin.engine.context import build_context
    from tremplin.engine.substitution import (
        DemandIndexes,
        _neighbours,
        flow_groups,
        neighbour_count,
        receiver_mask,
        road_km,
        rule_distance_limit,
    )

    kb = default_knowledge_base()
    params = Parameters()
    ctx = build_context(establishments, None, kb, params)
    started = time.perf_counter()
    groups = flow_groups(ctx)
    naf_unique, naf_ids = np.unique(np.asarray(ctx.naf, dtype=object), return_inverse=True)
    ancestors = [tuple(naf_module.naf_ancestors(code)) for code in naf_unique]
    parts = []
    jobs = []
    indexes = DemandIndexes(ctx)
    for rule in kb.rules:
        out_r, in_r = ctx.resource_index[rule.output], ctx.resource_index[rule.input]
        supplies, demands = groups.get((1, out_r)), groups.get((0, in_r))
        if supplies is None or demands is None:
            continue
        demands = demands[receiver_mask(ctx, rule, naf_ids, ancestors)[ctx.f_comp[demands]]]
        if len(demands) == 0:
            continue
        dmax = rule_distance_limit(ctx, rule, ctx.resources[out_r])
        key = (in_r, "*" in rule.receivers or tuple(sorted(rule.receivers)))
        s_flow, t_flow, gc = _neighbours(ctx, supplies, demands, dmax / params.detour_factor, indexes, key)
        other = ctx.f_comp[s_flow] != ctx.f_comp[t_flow]
        s_flow, t_flow, gc = s_flow[other], t_flow[other], gc[other]
        keep = road_km(ctx, s_flow, t_flow, gc) <= dmax + 1e-9
        parts.append((rule.id, s_flow[keep], t_flow[keep]))
        jobs.append((rule, out_r, in_r, dmax / params.detour_factor, neighbour_count(params, len(supplies))))
    elapsed = time.perf_counter() - started
    found = {
        (rule_id, s, t) for rule_id, ss, tt in parts for s, t in zip(ss.tolist(), tt.tolist(), strict=True)
    }
    return elapsed, found, ctx, jobs, (naf_ids, ancestors)


def postgis_candidates(dsn: str, ctx, jobs, naf_info) -> tuple[float, float, set]:
    import psycopg

    naf_ids, ancestors = naf_info
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.execute("DROP SCHEMA IF EXISTS bench CASCADE")
        conn.execute("CREATE SCHEMA bench")
        conn.execute(
            "CREATE TABLE bench.flow (id integer primary key, comp integer, dir smallint, res integer,"
            " naf text[], geom geometry(Point, 2154))"
        )
        conn.execute(
            "CREATE TABLE bench.rule (id text primary key, out_res integer, in_res integer,"
            " receivers text[], radius_m float8, k integer)"
        )
        load_started = time.perf_counter()
        conn.execute(
            "CREATE FUNCTION bench.to_l93() RETURNS trigger AS $$ BEGIN"
            " NEW.geom := ST_Transform(NEW.geom, 2154); RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        conn.execute("ALTER TABLE bench.flow ALTER COLUMN geom TYPE geometry(Point)")
        conn.execute(
            "CREATE TRIGGER l93 BEFORE INSERT ON bench.flow FOR EACH ROW EXECUTE FUNCTION bench.to_l93()"
        )
        with conn.cursor().copy("COPY bench.flow (id, comp, dir, res, naf, geom) FROM STDIN") as copy:
            for i in range(len(ctx.f_qty)):
                if ctx.f_qty[i] <= 0:
                    continue
                c = int(ctx.f_comp[i])
                naf = "{" + ",".join(f'"{a}"' for a in ancestors[naf_ids[c]]) + "}"
                copy.write_row(
                    (
                        i,
                        c,
                        int(ctx.f_dir[i]),
                        int(ctx.f_res[i]),
                        naf,
                        f"SRID=4326;POINT({ctx.lon[c]} {ctx.lat[c]})",  # transformed by the trigger below
                    )
                )
        with conn.cursor().copy(
            "COPY bench.rule (id, out_res, in_res, receivers, radius_m, k) FROM STDIN"
        ) as copy:
            for rule, out_r, in_r, radius_km, k in jobs:
                receivers = "{" + ",".join(f'"{r}"' for r in rule.receivers) + "}"
                copy.write_row((rule.id, out_r, in_r, receivers, radius_km * 1000.0, k))
        conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        # What a PostGIS user would build for this query: one spatial index per resource of the demands
        # (btree_gist lets the resource lead the GiST key), and supplies found by resource.
        conn.execute("CREATE INDEX ON bench.flow USING gist (res, geom) WHERE dir = 0")
        conn.execute("CREATE INDEX ON bench.flow (dir, res)")
        conn.execute("ANALYZE bench.flow")
        load_s = time.perf_counter() - load_started
        started = time.perf_counter()
        rows = conn.execute(
            """
            SELECT r.id, s.id, d.id
            FROM bench.rule r
            JOIN bench.flow s ON s.dir = 1 AND s.res = r.out_res
            CROSS JOIN LATERAL (
                SELECT d.id FROM bench.flow d
                WHERE d.dir = 0 AND d.res = r.in_res AND d.comp <> s.comp
                  AND (r.receivers = '{*}' OR d.naf && r.receivers)
                  AND ST_DWithin(s.geom, d.geom, r.radius_m)
                ORDER BY s.geom <-> d.geom
                LIMIT r.k
            ) d
            """
        ).fetchall()
        query_s = time.perf_counter() - started
        conn.execute("DROP SCHEMA bench CASCADE")
    return load_s, query_s, {(r, s, d) for r, s, d in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True, help="PostgreSQL database with PostGIS available")
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--density", type=float, default=3.0)
    args = parser.parse_args()
    print(
        "N | engine s | PostGIS load s | PostGIS query s | speed-up | pairs engine | pairs PostGIS | common"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        establishments = _generate(n, args.density)
        engine_s, engine_pairs, ctx, jobs, naf_info = engine_candidates(establishments)
        load_s, query_s, pg_pairs = postgis_candidates(args.dsn, ctx, jobs, naf_info)
        common = len(engine_pairs & pg_pairs)
        print(
            f"{n} | {engine_s:.2f} | {load_s:.2f} | {query_s:.2f} | x{query_s / max(engine_s, 1e-9):.1f} | "
            f"{len(engine_pairs)} | {len(pg_pairs)} | {common}",
            flush=True,
        )


if __name__ == "__main__":
    main()
