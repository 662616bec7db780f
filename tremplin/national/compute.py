"""The work of one partition, as a Dask worker runs it: read the partition's input file, run the engine
(:func:`tremplin.engine.partition.partition_leads`) and write its leads, atomically, next to it.

The margin written by the split (cut on the communes' bounding boxes) is first narrowed to the
establishments within the margin of a core establishment: the pool. A département whose core exceeds
``max_core`` establishments is cut into tiles (halved along its longer side until each tile's core
fits). Leads are owned by one core establishment (the engine's attribution rule), so a lead is kept by
exactly one tile.

- A département of one tile whose margin does not outnumber its core runs on its full margin.
- Otherwise (tiles, or a margin around a dense area) the engine's links are computed once on the pool
  (:class:`tremplin.engine.margin.MarginLinks`), and each tile runs on its core and the establishments
  of the pool within two rings of links of it (the lean margin). A tile whose lean set still exceeds
  ``LEAN_FACTOR`` x ``max_core`` establishments is halved again, so that a worker's memory stays
  bounded in Paris as in the Creuse.
- The plan of a national run is solved to a relative gap of ``NATIONAL_PLAN_GAP`` (see there).

The result file's metadata holds the fingerprint of what it was computed from (the input file's SHA-256
and the run's parameters): a run skips a partition whose result carries the fingerprint it expects.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import math
import os
import resource
import socket
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tremplin.engine.knowledge import default_knowledge_base
from tremplin.engine.margin import DEFAULT_RINGS, MarginLinks
from tremplin.engine.model import Establishment, Parameters
from tremplin.engine.partition import (
    LeadFigure,
    PartitionResult,
    max_matching_distance_km,
    partition_leads,
    partition_parameters,
)
from tremplin.national.geography import KM_PER_DEGREE

__all__ = [
    "RESULT_FORMAT",
    "RESULT_SCHEMA",
    "compute_partition",
    "engine_parameters",
    "read_result",
    "result_fingerprint",
]

#: Bump when the result files' layout or the way they are computed changes.
RESULT_FORMAT = 5
#: The plan's relative optimality gap in a national run (Parameters.plan_mip_gap). Solved to 1e-6, a
#: connected part of a dense area (measured in Val-d'Oise, 95, of the generated national file: 26,427
#: pipe links, and one of 1,324) runs into the 60 s time limit, so the plan depends on the machine's
#: speed; at 2 % each of the partition's parts took under a second, HiGHS proving them within 1.9 % of
#: their optimum (and the plan's gain 1.5 % below the 1e-6 plan on the parts that one finishes).
NATIONAL_PLAN_GAP = 0.02
METADATA_KEY = b"tremplin"
RESULT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("owner", pa.string()),
        ("owner_epci", pa.string()),
        ("kind", pa.string()),
        ("family", pa.string()),
        ("resource", pa.string()),
        ("tonnes_per_year", pa.float64()),
        ("co2e_t_per_year", pa.float64()),
        ("gain_eur_per_year", pa.float64()),
        ("establishments", pa.list_(pa.string())),
        ("rank_value", pa.float64()),
        ("basis", pa.string()),
    ]
)


def engine_parameters(margin_km: float) -> Parameters:
    """The engine's parameters for partitions with a margin of ``margin_km``: exchanges capped at the
    road distance the margin covers (``margin_km`` x the detour factor), so that no lead of a core
    establishment reaches beyond its partition's margin (see
    :func:`tremplin.engine.partition.max_matching_distance_km`).

    >>> engine_parameters(15.0).max_distance_km
    19.5
    """
    params = Parameters()
    params.max_distance_km = round(margin_km * params.detour_factor, 6)
    params.plan_mip_gap = NATIONAL_PLAN_GAP
    reach = max_matching_distance_km(params=params)
    if reach > margin_km + 1e-6:  # a kind of mutualisation wider than the margin
        raise ValueError(f"a margin of {margin_km:g} km is narrower than the engine's reach ({reach:g} km)")
    return params


def result_fingerprint(input_sha256: str, *, kb_version: str, margin_km: float, max_core: int) -> str:
    """What a partition's result depends on, besides the engine's code."""
    return json.dumps(
        {
            "format": RESULT_FORMAT,
            "input": input_sha256,
            "kb": kb_version,
            "margin_km": float(margin_km),
            "max_core": int(max_core),
            "max_distance_km": engine_parameters(margin_km).max_distance_km,
            "plan_mip_gap": engine_parameters(margin_km).plan_mip_gap,
        },
        sort_keys=True,
    )


def _tiles(indices: np.ndarray, lon: np.ndarray, lat: np.ndarray, max_core: int) -> list[np.ndarray]:
    if len(indices) <= max_core:
        return [indices]
    x, y = lon[indices], lat[indices]
    width = (x.max() - x.min()) * math.cos(math.radians(float(np.mean(y))))
    height = y.max() - y.min()
    axis = x if width >= height else y
    order = np.argsort(axis, kind="stable")
    half = len(indices) // 2
    return _tiles(indices[order[:half]], lon, lat, max_core) + _tiles(
        indices[order[half:]], lon, lat, max_core
    )


#: A tile whose lean set (core and the establishments within DEFAULT_RINGS links of it) exceeds this
#: many times ``max_core`` (110,000 at the default 40,000) is halved again (while its core is at least
#: MIN_TILE_CORE): the engine's memory follows the establishments it runs on, not the core (a tile of
#: Paris, 26,595 core and 104,297 in all, peaks at 2.3 GB in its own process). Around a dense area the
#: lean set shrinks more slowly than the core (in Paris, tiles of 26,595 core keep 75,000 to 105,000
#: establishments, of 13,297 52,000 to 82,000, of 6,649 40,000 to 70,000), so halving costs time
#: there (Paris in 8 tiles, 759,000 establishments run in all; in 16, 1,118,000).
LEAN_FACTOR = 2.75
MIN_TILE_CORE = 2_000


def use_lean_margin(tiles: int, core: int, margin: int) -> bool:
    """Whether a partition's runs get lean margins (the engine's links computed on its pool) rather
    than its full margin: when it is cut into tiles (each tile's full margin would hold the others'
    cores), or when its margin outnumbers its core (around a dense area)."""
    return tiles > 1 or margin > core


def _lean_tiles(
    tiles, links: MarginLinks, ids, lon, lat, max_lean: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The tiles, each with its lean set (positions in ``links.establishments``), a tile whose lean set
    exceeds ``max_lean`` halved until it fits or its halves would have fewer than MIN_TILE_CORE core
    establishments. The lean sets are small (positions), so that the links can be let go before the
    tiles run."""
    result = []
    pending = list(tiles)
    while pending:
        tile = pending.pop(0)
        lean = np.flatnonzero(links.mask({ids[i] for i in tile}))
        if len(tile) >= 2 * MIN_TILE_CORE and len(lean) > max_lean:
            pending[:0] = _tiles(tile, lon, lat, (len(tile) + 1) // 2)
            continue
        result.append((tile, lean))
    return result


def _release_memory() -> None:
    """Collect garbage and hand the freed heap back to the system (glibc's ``malloc_trim``), so that the
    worker's resident memory, which the Dask nanny holds to its limit, is what is alive: after the links
    of Paris the process held 1.5 GB resident, 0.67 GB once trimmed."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _within_reach(lon: np.ndarray, lat: np.ndarray, core: np.ndarray, margin_km: float) -> np.ndarray:
    """Core establishments, and the margin ones within ``margin_km`` of a core one (the split's margin is
    a superset, cut on the communes' bounding boxes). Distances on a plane whose east-west scale is the
    one of the highest latitude of the partition: never longer than the great-circle distance, so no
    establishment within reach is dropped."""
    keep = core.copy()
    if core.all() or not core.any():
        return keep
    from scipy.spatial import cKDTree

    scale = KM_PER_DEGREE * math.cos(math.radians(min(float(np.abs(lat).max()), 89.0)))
    points = np.column_stack([lon * scale, lat * KM_PER_DEGREE])
    distance, _index = cKDTree(points[core]).query(points[~core], distance_upper_bound=margin_km * 1.001)
    keep[~core] = distance <= margin_km * 1.001
    return keep


def compute_partition(
    partitions_dir: str, code: str, fingerprint: str, *, margin_km: float, max_core: int
) -> dict:
    """Compute partition ``code`` and write ``<code>.result.parquet``; return its summary (small: the
    leads stay in the file)."""
    start = time.perf_counter()
    directory = Path(partitions_dir)
    table = pq.read_table(directory / f"{code}.parquet")
    ids = table.column("siret").to_pylist()
    naf = table.column("naf").to_pylist()
    lon = table.column("lon").to_numpy()
    lat = table.column("lat").to_numpy()
    headcount = table.column("headcount").to_pylist()
    core = table.column("core").to_numpy(zero_copy_only=False)
    epci_of = dict(zip(ids, table.column("epci").to_pylist(), strict=True))
    del table
    written_margin = int(len(ids) - core.sum())
    keep = _within_reach(lon, lat, core, margin_km)
    if not keep.all():
        ids = [ids[i] for i in np.flatnonzero(keep)]
        naf = [naf[i] for i in np.flatnonzero(keep)]
        headcount = [headcount[i] for i in np.flatnonzero(keep)]
        lon, lat, core = lon[keep], lat[keep], core[keep]
    establishments = [
        Establishment(ids[i], ids[i], naf[i], float(lat[i]), float(lon[i]), headcount[i])
        for i in range(len(ids))
    ]
    kb = default_knowledge_base()
    params = engine_parameters(margin_km)
    tiles = _tiles(np.flatnonzero(core), lon, lat, max_core)
    margin = len(ids) - int(core.sum())
    # A département cut into tiles, or whose margin outnumbers its core (around a dense area): the
    # engine's links on the whole pool, once, and each tile runs on its core and the establishments
    # within DEFAULT_RINGS links of it (tremplin.engine.margin). Otherwise the links would cost more
    # than they save (measured on the Côte-d'Or, 21: 16,347 core and 8,244 within reach, the lean set
    # keeps 90 % of the pool, and its 0.8 s of links exceed the 0.2 s saved): the full margin.
    lean_sets: list[np.ndarray | None] = [None] * len(tiles)
    link_count = 0
    link_start = time.perf_counter()
    lean_margin = use_lean_margin(len(tiles), int(core.sum()), margin)
    if lean_margin:
        links = MarginLinks(establishments, kb=kb, params=partition_parameters(params))
        link_count = links.links
        cut = _lean_tiles(tiles, links, ids, lon, lat, int(LEAN_FACTOR * max_core))
        tiles, lean_sets = [tile for tile, _ in cut], [lean for _, lean in cut]
        pool = links.establishments
        # The links weigh more than a tile's lean set (Paris: 15 million pairs): let go before the runs.
        del links
        _release_memory()
    link_seconds = time.perf_counter() - link_start
    # Each tile's leads as an Arrow table, compact (Paris has 200,000 leads; as objects, with their
    # strings and tuples, each weighs several hundred bytes, held through every tile after its own).
    tables: list[pa.Table] = []
    seen: set[str] = set()
    runs = []
    for tile, positions in zip(tiles, lean_sets, strict=True):
        tile_core = {ids[i] for i in tile}
        lean = establishments if positions is None else [pool[i] for i in positions]
        result: PartitionResult = partition_leads(lean, tile_core, kb=kb, params=params)
        runs.append(
            {
                "establishments": result.establishments,
                "core": result.core,
                "seconds": result.seconds,
            }
        )
        new = [lead for lead in result.leads if lead.id not in seen]
        seen.update(lead.id for lead in new)
        tables.append(_leads_table(new, epci_of))
        del result, lean, new
        _release_memory()
    out = pa.concat_tables(tables) if tables else _leads_table([], epci_of)
    out = out.sort_by("id") if out.num_rows else out
    del tables, seen
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    summary = {
        "code": code,
        "leads": out.num_rows,
        "establishments": len(ids),
        "core": int(core.sum()),
        "margin": int(len(ids) - core.sum()),
        "margin_written": written_margin,
        "tiles": len(tiles),
        # rings 0: the full margin (no links computed)
        "links": link_count,
        "links_seconds": round(link_seconds, 3),
        "rings": DEFAULT_RINGS if lean_margin else 0,
        "runs": runs,
        "seconds": time.perf_counter() - start,
        "worker": _worker_name(),
        "peak_rss_mb": round(peak_mb, 1),
        "kb_version": kb.version,
        "fingerprint": fingerprint,
    }
    out = out.replace_schema_metadata({METADATA_KEY: json.dumps(summary).encode()})
    final = directory / f"{code}.result.parquet"
    temporary = directory / f".{code}.result.parquet.{os.getpid()}.tmp"
    pq.write_table(out, temporary)
    os.replace(temporary, final)  # a result is there whole, or not at all
    return summary


def _leads_table(leads: list[LeadFigure], epci_of: dict[str, str]) -> pa.Table:
    return pa.table(
        {
            "id": [lead.id for lead in leads],
            "owner": [lead.owner for lead in leads],
            "owner_epci": [epci_of.get(lead.owner) for lead in leads],
            "kind": [lead.kind for lead in leads],
            "family": [lead.family for lead in leads],
            "resource": [lead.resource for lead in leads],
            "tonnes_per_year": [lead.tonnes_per_year for lead in leads],
            "co2e_t_per_year": [lead.co2e_t_per_year for lead in leads],
            "gain_eur_per_year": [lead.gain_eur_per_year for lead in leads],
            "establishments": [list(lead.establishments) for lead in leads],
            "rank_value": [lead.rank_value for lead in leads],
            "basis": [lead.basis for lead in leads],
        },
        schema=RESULT_SCHEMA,
    )


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def read_summary(path: Path) -> dict | None:
    """The summary stored in a result file, or None when there is no readable result."""
    try:
        metadata = pq.read_schema(path).metadata or {}
        return json.loads(metadata[METADATA_KEY])
    except (OSError, KeyError, ValueError, pa.ArrowInvalid):
        return None


def read_result(path: Path) -> tuple[PartitionResult, dict[str, str]]:
    """A result file as the engine's :class:`PartitionResult`, and each lead owner's EPCI."""
    table = pq.read_table(path)
    summary = json.loads(table.schema.metadata[METADATA_KEY])
    columns = table.to_pydict()
    leads = [
        LeadFigure(
            id=columns["id"][i],
            owner=columns["owner"][i],
            kind=columns["kind"][i],
            family=columns["family"][i],
            resource=columns["resource"][i],
            tonnes_per_year=columns["tonnes_per_year"][i],
            co2e_t_per_year=columns["co2e_t_per_year"][i],
            gain_eur_per_year=columns["gain_eur_per_year"][i],
            establishments=tuple(columns["establishments"][i]),
            rank_value=columns["rank_value"][i],
            basis=columns["basis"][i],
        )
        for i in range(table.num_rows)
    ]
    area_of = {
        owner: epci
        for owner, epci in zip(columns["owner"], columns["owner_epci"], strict=True)
        if epci is not None
    }
    result = PartitionResult(
        leads=leads,
        establishments=summary["establishments"],
        core=summary["core"],
        margin=summary["margin"],
        seconds=summary["seconds"],
        knowledge_base_version=summary["kb_version"],
    )
    return result, area_of
