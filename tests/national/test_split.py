"""The single pass that writes one input per partition: cores, margins, what a new pass reuses."""

import pyarrow.parquet as pq
import pytest

from tests.national.samples import sample, write_csv
from tremplin.engine.geo import great_circle_km
from tremplin.national.geography import load_geography
from tremplin.national.reader import InputFileError
from tremplin.national.split import split_file


@pytest.fixture(scope="module")
def split(tmp_path_factory):
    directory = tmp_path_factory.mktemp("split")
    source = write_csv(directory / "stock.csv", sample(per_commune=10).rows)
    partitions = directory / "partitions"
    partitions.mkdir()
    result = split_file(source, partitions, load_geography(), margin_km=15, departements=["14", "50", "61"])
    return source, partitions, result


def table(partitions, code):
    return pq.read_table(partitions / f"{code}.parquet").to_pylist()


def test_each_establishment_is_the_core_of_its_epcis_departement(split):
    _source, partitions, result = split
    assert {code: item.core for code, item in result.partitions.items()} == {"14": 40, "50": 20, "61": 20}
    for code in ("14", "50", "61"):
        assert {row["partition"] for row in table(partitions, code) if row["core"]} == {code}
    caen = result.establishments_by_epci["200065597"]
    assert caen[0] == 20  # Caen and Hérouville-Saint-Clair, 10 each


def test_the_margin_holds_every_establishment_within_reach_and_not_the_far_ones(split):
    _source, partitions, _result = split
    rows = {code: table(partitions, code) for code in ("14", "50", "61")}
    everyone = [row for code in rows for row in rows[code] if row["core"]]
    for code, its in rows.items():
        core = [row for row in its if row["core"]]
        margin = {row["siret"] for row in its if not row["core"]}
        near = {
            other["siret"]
            for other in everyone
            if other["partition"] != code
            and any(great_circle_km(other["lat"], other["lon"], c["lat"], c["lon"]) <= 15 for c in core)
        }
        assert near <= margin
    calvados_margin = {row["commune"] for row in rows["14"] if not row["core"]}
    assert "50129" not in calvados_margin and "61001" not in calvados_margin  # Cherbourg, Alençon: far
    assert "50502" in calvados_margin  # Saint-Lô, 8 km from Calvados


def test_a_second_pass_on_the_same_file_is_skipped(split):
    source, partitions, result = split
    again = split_file(source, partitions, load_geography(), margin_km=15, departements=["14", "50", "61"])
    assert again.resumed and not result.resumed
    assert {c: p.sha256 for c, p in again.partitions.items()} == {
        c: p.sha256 for c, p in result.partitions.items()
    }
    other = split_file(source, partitions, load_geography(), margin_km=10, departements=["14", "50", "61"])
    assert not other.resumed  # another margin: another split


def test_a_file_with_errors_leaves_no_partition_behind(tmp_path):
    rows = sample(per_commune=2).rows
    rows[0].band = "99"
    source = write_csv(tmp_path / "stock.csv", rows)
    partitions = tmp_path / "partitions"
    partitions.mkdir()
    with pytest.raises(InputFileError):
        split_file(source, partitions, load_geography(), margin_km=15, departements=["14"])
    assert list(partitions.iterdir()) == []
