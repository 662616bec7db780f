"""How a partition is cut and which margin its runs get (tremplin.national.compute), on hand-made inputs."""

import numpy as np
import pytest

from tremplin.national import compute


class LeanSets:
    """Stands for MarginLinks: a tile's lean set is its core and ``extra`` establishments per core one."""

    def __init__(self, n, extra, floor=0):
        self.n, self.extra, self.floor = n, extra, floor
        self.asked = []

    def mask(self, core):
        self.asked.append(len(core))
        size = min(self.n, len(core) * (1 + self.extra) + self.floor)
        return np.r_[np.ones(size, bool), np.zeros(self.n - size, bool)]


def _grid(n):
    side = int(np.ceil(np.sqrt(n)))
    lon = np.array([i % side for i in range(n)], dtype=float) * 0.01
    lat = 45.0 + np.array([i // side for i in range(n)], dtype=float) * 0.01
    return [f"e{i}" for i in range(n)], lon, lat


def test_a_tile_whose_lean_set_is_too_big_is_halved_until_it_fits(monkeypatch):
    monkeypatch.setattr(compute, "MIN_TILE_CORE", 2)
    ids, lon, lat = _grid(64)
    links = LeanSets(10_000, extra=3)  # lean = 4 x core
    cut = compute._lean_tiles([np.arange(64)], links, ids, lon, lat, max_lean=40)
    tiles = [tile for tile, _lean in cut]
    # each tile with its lean set, as positions in the pool
    assert [len(lean) for _tile, lean in cut] == [32] * 8
    assert all(lean.tolist() == list(range(32)) for _tile, lean in cut)
    # 64 -> 32 -> 16 -> 8 core establishments (a lean set of 32 <= 40): eight tiles.
    assert sorted(len(t) for t in tiles) == [8] * 8
    assert sorted(np.concatenate(tiles).tolist()) == list(range(64))  # each core establishment once
    # Halves are cut in space: each tile is a block of the grid, not a scatter of it.
    for tile in tiles:
        assert np.ptp(lon[tile]) * np.ptp(lat[tile]) <= 0.04 * 0.02 + 1e-12


def test_halving_stops_at_the_smallest_tile(monkeypatch):
    monkeypatch.setattr(compute, "MIN_TILE_CORE", 5)
    ids, lon, lat = _grid(40)
    # Every tile brings 1,000 others whatever its size (a dense area's rare resources): halving cannot
    # bring it under the limit, and stops once a half would have fewer than 5 core establishments.
    links = LeanSets(10_000, extra=0, floor=1_000)
    tiles = [tile for tile, _ in compute._lean_tiles([np.arange(40)], links, ids, lon, lat, max_lean=100)]
    assert sorted(len(t) for t in tiles) == [5] * 8
    assert sorted(np.concatenate(tiles).tolist()) == list(range(40))


def test_a_tile_that_fits_is_kept_whole(monkeypatch):
    monkeypatch.setattr(compute, "MIN_TILE_CORE", 2)
    ids, lon, lat = _grid(30)
    links = LeanSets(10_000, extra=1)
    cut = compute._lean_tiles([np.arange(15), np.arange(15, 30)], links, ids, lon, lat, max_lean=30)
    assert [t.tolist() for t, _ in cut] == [list(range(15)), list(range(15, 30))]
    assert [len(lean) for _, lean in cut] == [30, 30]
    assert links.asked == [15, 15]


@pytest.mark.parametrize(
    ("tiles", "core", "margin", "lean"), [(1, 10, 10, False), (1, 10, 11, True), (2, 10, 0, True)]
)
def test_links_are_computed_only_where_they_save_work(tiles, core, margin, lean):
    assert compute.use_lean_margin(tiles, core, margin) is lean
