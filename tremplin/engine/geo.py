"""Distances and the spatial index used to find neighbours without comparing every pair.

Points are placed on a sphere of the Earth's mean radius in 3-D Cartesian coordinates; a k-d tree
(:class:`scipy.spatial.cKDTree`) on those finds neighbours within a chord length, which converts exactly to
a great-circle distance.  This works anywhere on the globe, without choosing a projection.

Road distance is estimated as the great-circle distance times a *detour factor* (1.3 by default, see
``SOURCES.md``: ``circuity``); a road router can replace the estimate when the caller configures one.

>>> round(great_circle_km(49.18, -0.37, 49.44, 1.10), 1)  # Caen -> Rouen
110.4
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

__all__ = [
    "EARTH_RADIUS_KM",
    "NeighbourIndex",
    "great_circle_km",
    "great_circle_km_array",
    "to_xyz",
]

#: Mean Earth radius (IUGG), km.
EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def great_circle_km_array(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Vectorised :func:`great_circle_km` on numpy arrays (degrees in, km out)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def to_xyz(lat, lon) -> np.ndarray:
    """Cartesian coordinates (km) of points on the sphere, shape (n, 3)."""
    phi, lam = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    cos_phi = np.cos(phi)
    return EARTH_RADIUS_KM * np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def _chord(km: float) -> float:
    half_angle = min(km / (2 * EARTH_RADIUS_KM), math.pi / 2)
    return 2 * EARTH_RADIUS_KM * math.sin(half_angle)


def _arc(chord: np.ndarray) -> np.ndarray:
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, chord / (2 * EARTH_RADIUS_KM)))


class NeighbourIndex:
    """Nearest neighbours of query points among indexed points, within a great-circle radius.

    Results are deterministic and independent of input order: neighbours are ordered by distance, then
    by the ``keys`` given for the indexed points, and a tie at the cut-off is resolved by that order too.

    >>> index = NeighbourIndex([49.0, 49.01, 50.0], [0.0, 0.0, 0.0], keys=[0, 1, 2])
    >>> rows, cols, km = index.query([49.0], [0.0], k=5, radius_km=10)
    >>> cols.tolist(), [round(float(d), 2) for d in km]
    ([0, 1], [0.0, 1.11])
    """

    def __init__(self, lat, lon, keys) -> None:
        self.keys = np.asarray(keys)
        self.size = len(self.keys)
        self._tree = cKDTree(to_xyz(lat, lon)) if self.size else None

    def query(self, lat, lon, *, k: int, radius_km: float):
        """Return ``(query_rows, indexed_positions, great_circle_km)`` arrays of the pairs found.

        Each query point gets at most ``k`` neighbours within ``radius_km``.
        """
        empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0))
        lat = np.asarray(lat, dtype=float)
        if self._tree is None or lat.size == 0 or k <= 0:
            return empty
        points = to_xyz(lat, lon)
        radius = _chord(radius_km) * (1 + 1e-12)
        kk = min(k + 1, self.size)
        workers = -1 if len(points) * kk > 200_000 else 1  # threads pay off on big queries only
        dist, idx = self._tree.query(points, k=kk, distance_upper_bound=radius, workers=workers)
        dist = dist.reshape(len(points), kk)
        idx = idx.reshape(len(points), kk)
        rows_list, cols_list, dist_list = [], [], []
        if kk > k:
            # A query whose (k+1)-th neighbour lies as close as its k-th has a tie at the cut: redo it
            # exactly with a ball query so that the kept neighbours do not depend on the tree's layout.
            tie = np.isfinite(dist[:, k]) & (dist[:, k] <= dist[:, k - 1] * (1 + 1e-12) + 1e-9)
        else:
            tie = np.zeros(len(points), dtype=bool)
        plain = ~tie
        if plain.any():
            d, i = dist[plain, :k], idx[plain, :k]
            finite = np.isfinite(d)
            r = np.repeat(np.flatnonzero(plain)[:, None], d.shape[1], axis=1)
            rows_list.append(r[finite])
            cols_list.append(i[finite])
            dist_list.append(d[finite])
        for row in np.flatnonzero(tie):
            cut = dist[row, k - 1] * (1 + 1e-12) + 1e-9
            found = np.asarray(self._tree.query_ball_point(points[row], cut), dtype=np.int64)
            d = np.linalg.norm(self._tree.data[found] - points[row], axis=1)
            order = np.lexsort((self.keys[found], d))[:k]
            rows_list.append(np.full(len(order), row, dtype=np.int64))
            cols_list.append(found[order])
            dist_list.append(d[order])
        rows = np.concatenate(rows_list).astype(np.int64)
        cols = np.concatenate(cols_list).astype(np.int64)
        chord = np.concatenate(dist_list)
        # Grouped by query point, then by distance, then by key: the order never depends on the tree. The
        # tree already gives each point's neighbours by distance, so a full sort is needed only to put the
        # redone tie rows back in place or to order neighbours at exactly the same distance by key.
        if len(rows_list) > 1:
            order = np.argsort(rows, kind="stable")
            rows, cols, chord = rows[order], cols[order], chord[order]
        keys = self.keys[cols]
        same = (rows[1:] == rows[:-1]) & (chord[1:] == chord[:-1])
        if same.any() and (keys[1:][same] < keys[:-1][same]).any():
            order = np.lexsort((keys, chord, rows))
            rows, cols, chord = rows[order], cols[order], chord[order]
        return rows, cols, _arc(chord)
