"""Units of quantities and their conversion.

Units belong to a *kind* (mass, volume, energy, area, labour, count).  Conversion inside a kind is a
factor; between mass and volume it needs a density (t/m³), between mass and energy an energy content
(MWh/t), between volume and energy an energy content per m³ (MWh/m³).

>>> convert(2500, "kg", "t")
2.5
>>> convert(10, "m3", "t", density=0.6)
6.0
>>> convert(4, "t", "MWh", mwh_per_t=0.75)
3.0
>>> unit_kind("kWh")
'energy'
"""

from __future__ import annotations

from .exceptions import UnitError

__all__ = ["UNITS", "canonical_unit", "convert", "unit_kind"]

# unit symbol -> (kind, factor to the kind's base unit).  Base units: t, m3, MWh, m2, h, u.
UNITS: dict[str, tuple[str, float]] = {
    "t": ("mass", 1.0),
    "kg": ("mass", 1e-3),
    "g": ("mass", 1e-6),
    "m3": ("volume", 1.0),
    "l": ("volume", 1e-3),
    "hl": ("volume", 0.1),
    "mwh": ("energy", 1.0),
    "kwh": ("energy", 1e-3),
    "gwh": ("energy", 1e3),
    "gj": ("energy", 1 / 3.6),
    "tep": ("energy", 11.63),  # tonne d'équivalent pétrole, convention INSEE/SDES
    "m2": ("area", 1.0),
    "ha": ("area", 1e4),
    "h": ("labour", 1.0),
    "jour": ("labour", 7.0),  # journée de travail de 7 h
    "etp": ("labour", 1607.0),  # durée légale annuelle du travail en France (1 607 h)
    "u": ("count", 1.0),
    "repas": ("count", 1.0),
    "salarie": ("count", 1.0),
}

_ALIASES = {
    "tonne": "t",
    "tonnes": "t",
    "kilogramme": "kg",
    "kilogrammes": "kg",
    "m³": "m3",
    "litre": "l",
    "litres": "l",
    "m²": "m2",
    "unit": "u",
    "unite": "u",
    "unité": "u",
    "unités": "u",
    "unites": "u",
    "units": "u",
    "fte": "etp",
    "jours": "jour",
    "day": "jour",
    "days": "jour",
    "meal": "repas",
    "meals": "repas",
    "salarié": "salarie",
    "salariés": "salarie",
    "salaries": "salarie",
    "employee": "salarie",
    "employees": "salarie",
}

# Display spelling of each canonical unit.
_DISPLAY = {"mwh": "MWh", "kwh": "kWh", "gwh": "GWh", "gj": "GJ", "l": "L", "hl": "hL", "etp": "ETP"}


def _key(unit: str) -> str:
    key = unit.strip().lower().replace(" ", "")
    return _ALIASES.get(key, key)


def canonical_unit(unit: str) -> str:
    """Return the canonical spelling of ``unit``, or raise :class:`UnitError` if unknown.

    >>> canonical_unit(" kwh ")
    'kWh'
    """
    key = _key(unit)
    if key not in UNITS:
        raise UnitError(f"unité inconnue : {unit!r} (connues : {', '.join(sorted(_display_all()))})")
    return _DISPLAY.get(key, key)


def _display_all() -> list[str]:
    return [_DISPLAY.get(k, k) for k in UNITS]


def unit_kind(unit: str) -> str:
    """Return the kind of ``unit`` (mass, volume, energy, area, labour, count)."""
    key = _key(unit)
    if key not in UNITS:
        raise UnitError(f"unité inconnue : {unit!r}")
    return UNITS[key][0]


def convert(
    quantity: float,
    from_unit: str,
    to_unit: str,
    *,
    density: float | None = None,
    mwh_per_t: float | None = None,
) -> float:
    """Convert ``quantity`` from ``from_unit`` to ``to_unit``.

    ``density`` (t/m³) links mass and volume; ``mwh_per_t`` links mass and energy (and, with a density,
    volume and energy).  Raises :class:`UnitError` when the units are unknown or not convertible.
    """
    src, dst = _key(from_unit), _key(to_unit)
    if src not in UNITS:
        raise UnitError(f"unité inconnue : {from_unit!r}")
    if dst not in UNITS:
        raise UnitError(f"unité inconnue : {to_unit!r}")
    src_kind, src_factor = UNITS[src]
    dst_kind, dst_factor = UNITS[dst]
    base = quantity * src_factor
    if src_kind != dst_kind:
        base = _convert_kind(base, src_kind, dst_kind, density, mwh_per_t, from_unit, to_unit)
    return base / dst_factor


def _convert_kind(base, src_kind, dst_kind, density, mwh_per_t, from_unit, to_unit) -> float:
    # Route every cross-kind conversion through mass (tonnes).
    if src_kind == "volume" and density:
        tonnes = base * density
    elif src_kind == "energy" and mwh_per_t:
        tonnes = base / mwh_per_t
    elif src_kind == "mass":
        tonnes = base
    else:
        raise UnitError(f"conversion impossible de {from_unit} en {to_unit} pour cette ressource")
    if dst_kind == "mass":
        return tonnes
    if dst_kind == "volume" and density:
        return tonnes / density
    if dst_kind == "energy" and mwh_per_t:
        return tonnes * mwh_per_t
    raise UnitError(f"conversion impossible de {from_unit} en {to_unit} pour cette ressource")
