"""The knowledge base: resource catalogue, substitution rules, sector profiles, mutualisation kinds.

Reference data lives in readable files under ``data/`` (YAML and CSV).  :func:`load_knowledge_base` reads
and validates all of them at once; any problem is a :class:`~tremplin.engine.exceptions.KnowledgeBaseError`
naming the file and the entry, never a silent skip.  :func:`default_knowledge_base` caches the packaged
files.

>>> kb = default_knowledge_base()
>>> kb.resource("gypsum_fgd").label
'Gypse de désulfuration des fumées'
>>> kb.resource("gypsum_fgd").waste_codes[0].code
'10 01 05'
>>> [r.id for r in kb.rules_from("gypsum_fgd")]
['SUB-GYP-01']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from . import naf as naf_module
from .exceptions import UnknownResource
from .units import unit_kind

__all__ = [
    "DATA_DIR",
    "REGULATORY_FLAGS",
    "Family",
    "KnowledgeBase",
    "MutualisationKind",
    "ProfileRow",
    "Resource",
    "SubstitutionRule",
    "TransportClass",
    "WasteCode",
    "default_knowledge_base",
    "load_knowledge_base",
]

DATA_DIR = Path(__file__).parent / "data"

#: Regulatory points a synergy may raise, with the French text shown to the officer.
REGULATORY_FLAGS: dict[str, str] = {
    "statut_dechet": "Statut de déchet : le producteur reste responsable jusqu'au traitement final "
    "(registre chronologique, traçabilité, repreneur autorisé).",
    "dechet_dangereux": "Déchet dangereux : bordereau de suivi (Trackdéchets), transport ADR, installation "
    "de traitement autorisée.",
    "sous_produit": "Vérifier les critères du sous-produit (art. L541-4-2 du code de l'environnement) : "
    "utilisation certaine, sans transformation autre que la pratique industrielle courante, produit "
    "faisant partie intégrante du procédé, conforme à l'usage.",
    "sortie_statut_dechet": "Sortie du statut de déchet possible (art. L541-4-3 et D541-12-4 du code de "
    "l'environnement) : critères, contrôle qualité, attestation de conformité.",
    "icpe_receveur": "Le receveur doit disposer de l'autorisation, de l'enregistrement ou de la déclaration "
    "ICPE correspondant au traitement de ce déchet (rubriques 27xx).",
    "sous_produits_animaux": "Sous-produits animaux : règlement (CE) n° 1069/2009, agrément sanitaire de "
    "l'installation, document d'accompagnement commercial.",
    "alimentation_animale": "Alimentation animale : enregistrement du fournisseur comme exploitant du "
    "secteur de l'alimentation animale (règlement (CE) n° 183/2005).",
    "plan_epandage": "Épandage : plan d'épandage, analyses agronomiques et respect de la directive nitrates.",
    "reut": "Réutilisation d'eaux usées traitées : autorisation préfectorale (décret n° 2022-336) et suivi "
    "sanitaire.",
    "autoconsommation_collective": "Autoconsommation collective : personne morale organisatrice, convention "
    "avec le gestionnaire de réseau, périmètre de 2 km (jusqu'à 20 km par dérogation).",
    "collecte_agreee": "Huiles usagées : remise obligatoire à un ramasseur agréé.",
    "tracabilite_terres": "Terres excavées : traçabilité (registre national des déchets, terres excavées et "
    "sédiments) et compatibilité avec le site receveur.",
}


@dataclass(frozen=True)
class WasteCode:
    """A European List of Waste code, e.g. ``WasteCode("14 06 03", True)`` for a hazardous solvent."""

    code: str
    hazardous: bool

    def __str__(self) -> str:
        return self.code + ("*" if self.hazardous else "")


@dataclass(frozen=True)
class Family:
    code: str
    label: str
    kind: str  # material | energy | water | shareable


@dataclass(frozen=True)
class TransportClass:
    code: str
    label: str
    mode: str  # truck | pipe | grid | local
    max_distance_km: float
    eur_per_t_km: float
    eur_per_t: float
    co2_kg_per_t_km: float
    fixed_eur_per_km_year: float
    sources: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Resource:
    """One resource of the catalogue; every figure is per default ``unit`` (see resources.yaml)."""

    code: str
    family: str
    label: str
    unit: str
    transport: str
    price: tuple[float, float]
    treatment_cost: tuple[float, float]
    virgin_co2: float
    disposal_co2: float
    density: float | None = None
    mwh_per_t: float | None = None
    waste_codes: tuple[WasteCode, ...] = ()
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def is_waste(self) -> bool:
        """True when the resource, as an output, is a waste with a List of Waste code."""
        return bool(self.waste_codes)

    @property
    def hazardous(self) -> bool:
        return any(code.hazardous for code in self.waste_codes)

    @property
    def unit_kind(self) -> str:
        return unit_kind(self.unit)


@dataclass(frozen=True)
class SubstitutionRule:
    id: str
    output: str
    input: str
    receivers: tuple[str, ...]
    ratio: float
    pretreatment: str
    pretreatment_cost: float
    process_co2: float
    flags: tuple[str, ...] = ()
    note: str = ""
    max_distance_km: float | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def accepts(self, naf_ancestors: list[str] | tuple[str, ...]) -> bool:
        """Whether an establishment with these NAF ancestors may receive under this rule."""
        return "*" in self.receivers or any(code in self.receivers for code in naf_ancestors)


@dataclass(frozen=True)
class ProfileRow:
    naf: str
    direction: str  # "in" or "out"
    resource: str
    per_employee: float
    per_establishment: float
    min_headcount: float
    source: str
    note: str = ""

    def quantity(self, headcount: float) -> float:
        if headcount < self.min_headcount:
            return 0.0
        return self.per_employee * headcount + self.per_establishment


@dataclass(frozen=True)
class MutualisationKind:
    code: str
    label: str
    description: str
    trigger: str  # shared_waste | shared_need
    resources: tuple[str, ...]
    radius_km: float
    min_members: int
    max_members: int
    unit_cost: float | str
    reference_quantity: float
    scale_exponent: float
    floor: float
    ceiling: float
    coordination_eur_per_member: float
    co2_kg_per_unit: float
    diversion_fraction: float
    unit_cost_by_resource: dict[str, float] = field(default_factory=dict, compare=False)
    co2_kg_per_unit_by_resource: dict[str, float] = field(default_factory=dict, compare=False)
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def direction(self) -> str:
        return "out" if self.trigger == "shared_waste" else "in"


@dataclass
class KnowledgeBase:
    """All reference data, validated.  Build it with :func:`load_knowledge_base`."""

    version: str
    sources: dict[str, dict[str, str]]
    families: dict[str, Family]
    transport_classes: dict[str, TransportClass]
    resources: dict[str, Resource]
    rules: list[SubstitutionRule]
    profiles: dict[str, list[ProfileRow]]
    mutualisation_kinds: list[MutualisationKind]
    _profile_cache: dict[str, tuple[ProfileRow, ...]] = field(default_factory=dict, repr=False)

    def resource(self, code: str) -> Resource:
        try:
            return self.resources[code]
        except KeyError:
            raise UnknownResource(code) from None

    def transport_for(self, resource: Resource | str) -> TransportClass:
        if isinstance(resource, str):
            resource = self.resource(resource)
        return self.transport_classes[resource.transport]

    def rules_from(self, output: str) -> list[SubstitutionRule]:
        return [rule for rule in self.rules if rule.output == output]

    def profile_for(self, naf: str) -> tuple[ProfileRow, ...]:
        """Profile rows for a NAF code, merged from ``*`` down to the most specific level that has rows.

        A more specific level overrides the same (direction, resource) of a broader one; a row whose
        intensities are zero removes an inherited flow.
        """
        cached = self._profile_cache.get(naf)
        if cached is not None:
            return cached
        levels = ["*", *reversed(naf_module.naf_ancestors(naf))]
        merged: dict[tuple[str, str], ProfileRow] = {}
        for level in levels:
            for row in self.profiles.get(level, ()):
                merged[(row.direction, row.resource)] = row
        result = tuple(row for row in merged.values() if row.per_employee > 0 or row.per_establishment > 0)
        self._profile_cache[naf] = result
        return result

    def source_title(self, key: str) -> str:
        return self.sources.get(key, {}).get("title", key)


def load_knowledge_base(directory: str | Path | None = None) -> KnowledgeBase:
    """Read and validate every reference file in ``directory`` (the packaged ``data/`` by default)."""
    from .knowledge_files import read_knowledge_base  # the reader needs the records defined above

    return read_knowledge_base(Path(directory) if directory is not None else DATA_DIR)


@cache
def default_knowledge_base() -> KnowledgeBase:
    """The packaged knowledge base, loaded once."""
    return load_knowledge_base()
