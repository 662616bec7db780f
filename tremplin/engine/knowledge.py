"""The knowledge base: references, resource catalogue, recovery routes, substitution rules, sector
profiles and mutualisation kinds.

Reference data lives in readable files under ``data/`` (YAML and CSV, see ``data/SOURCES.md``).
:func:`load_knowledge_base` reads and validates all of them at once, then generates the systematic
substitution rules (:mod:`tremplin.engine.rulegen`); any problem is a
:class:`~tremplin.engine.exceptions.KnowledgeBaseError` naming the file and the entry, never a silent skip.
:func:`default_knowledge_base` caches the packaged files.

>>> kb = default_knowledge_base()
>>> kb.resource("gypsum_fgd").label
'Gypse de désulfuration des fumées'
>>> kb.resource("gypsum_fgd").waste_codes[0].code
'10 01 05'
>>> [r.id for r in kb.rules_from("gypsum_fgd") if r.origin == "named"]
['SUB-GYP-01']
>>> kb.citation("ademe_chaleur_fatale_2017")
'La chaleur fatale industrielle — ADEME, 2017'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from . import naf as naf_module
from .exceptions import UnknownResource
from .units import unit_kind

__all__ = [
    "DATA_DIR",
    "REFERENCE_KINDS",
    "REGULATORY_FLAGS",
    "RESOURCE_ROLES",
    "RULE_ORIGINS",
    "Family",
    "KnowledgeBase",
    "MutualisationKind",
    "NetGroup",
    "ProfileRow",
    "RecoveryOperation",
    "RecoveryRoute",
    "Reference",
    "Resource",
    "Substitute",
    "SubstitutionRule",
    "TransportClass",
    "WasteCode",
    "default_knowledge_base",
    "load_knowledge_base",
]

DATA_DIR = Path(__file__).parent / "data"

#: Kinds of reference: a public statistic, a legal text, a study, an EU Best Available Techniques
#: reference document, a documented real case, or an estimate of the Tremplin team (which must say what
#: it rests on and how it was derived).
REFERENCE_KINDS = ("statistic", "regulation", "study", "bref", "case", "estimate")

#: What a resource is: a waste (it has List of Waste codes), a by-product that is not a waste, a utility
#: (steam, heat, water, gases, electricity), a market or virgin input, the feedstock of a recovery route
#: (what a waste-treatment or recovery plant takes in), or a shareable good or service.
RESOURCE_ROLES = ("waste", "byproduct", "utility", "input", "feedstock", "shareable")

#: Where a substitution rule comes from: written by hand (named), or generated from the structures of
#: the catalogue (see :mod:`tremplin.engine.rulegen`).
RULE_ORIGINS = ("named", "substitute", "recovery", "cascade", "identity")

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
    "icpe_receveur_autorise": "Autorisation du receveur : une rubrique ICPE de son installation couvre ce "
    "déchet (registre des installations classées, Géorisques).",
    "icpe_receveur_a_verifier": "Autorisation du receveur à vérifier (rubriques ICPE 27xx et 35xx).",
    "icpe_receveur_non_autorise": "Autorisation du receveur : aucune de ses rubriques ICPE ne couvre ce "
    "déchet.",
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
    "canalisation_dediee": "Canalisation dédiée entre les sites : servitudes, autorisations de voirie, "
    "contrat de fourniture de long terme et secours de l'approvisionnement.",
    "securite_gaz": "Gaz sous pression ou inflammable : étude de dangers, canalisation de transport "
    "soumise au code de l'environnement (art. R554-1 et suivants).",
    "qualite_alimentaire": "Usage alimentaire : pureté et traçabilité conformes aux exigences du receveur "
    "(additif E290 pour le CO2, contact alimentaire).",
}


@dataclass(frozen=True)
class Reference:
    """A readable reference behind one or more figures of the knowledge base.

    ``kb.citation(key)`` gives ``"Title — Publisher, Year"``.  An estimate (``kind == "estimate"``) says
    what it rests on and how it was derived; its title reads « Estimation Tremplin d'après … (méthode : …) »,
    and ``based_on`` lists the keys of the published references it was derived from.
    """

    key: str
    kind: str
    title: str
    publisher: str = ""
    year: int | None = None
    url: str = ""
    note: str = ""
    rests_on: str = ""
    method: str = ""
    based_on: tuple[str, ...] = ()

    @property
    def citation(self) -> str:
        tail = ", ".join(part for part in (self.publisher, str(self.year) if self.year else "") if part)
        return f"{self.title} — {tail}" if tail else self.title

    @property
    def is_estimate(self) -> bool:
        return self.kind == "estimate"


@dataclass(frozen=True)
class WasteCode:
    """A European List of Waste code, e.g. ``WasteCode("14 06 03", True)`` for a hazardous solvent."""

    code: str
    hazardous: bool

    def __str__(self) -> str:
        return self.code + ("*" if self.hazardous else "")

    @property
    def chapter(self) -> str:
        """The two-digit chapter of the List of Waste (the producing activity), e.g. ``"10"``."""
        return self.code[:2]

    @property
    def subchapter(self) -> str:
        """The four-digit sub-chapter, e.g. ``"10 01"`` (power stations and other combustion plants)."""
        return self.code[:5]


@dataclass(frozen=True)
class Family:
    code: str
    label: str
    kind: str  # material | energy | water | shareable


@dataclass(frozen=True)
class NetGroup:
    """Resources netted together within one site (all steam levels, all hot-water temperatures…).

    Inside a group, a supply of a higher ``grade`` (pressure, temperature, purity, quality rank) can serve a
    demand of a lower or equal grade: the cascade rules generated from it use ``cascade_ratio``.
    """

    code: str
    label: str
    scale: str
    cascade_ratio: float
    pretreatment: str
    pretreatment_cost: float
    sources: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class TransportClass:
    """How a resource travels, and what distance costs (see ``reference_flow`` for pipes sized to a flow).

    Trucks cost ``eur_per_t`` of handling plus ``eur_per_t_km`` per road km.  Pipes cost a fixed
    ``fixed_eur_per_km_year`` per km of pipe and per year whatever the flow: the annuity of the investment
    ``capex_eur_per_km`` over ``lifetime_years`` at ``discount_rate``, plus ``om_share`` of the investment a
    year for operation and maintenance.  A large flow can therefore pay for a longer pipe than a small one,
    up to ``max_distance_km``, the ceiling of the mode as real networks show it.
    """

    code: str
    label: str
    mode: str  # truck | pipe | grid | local
    max_distance_km: float
    eur_per_t_km: float
    eur_per_t: float
    co2_kg_per_t_km: float
    fixed_eur_per_km_year: float
    capex_eur_per_km: float = 0.0
    lifetime_years: float = 0.0
    discount_rate: float = 0.0
    om_share: float = 0.0
    #: The yearly flow (in ``reference_unit``) that the investment per km is quoted for; a pipe for a
    #: smaller or larger flow costs in proportion to its diameter, about the square root of the flow
    #: (``Parameters.pipe_scale_exponent``), within bounds. None: the cost does not depend on the flow.
    reference_flow: float | None = None
    reference_unit: str = ""
    note: str = ""
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @staticmethod
    def annuity_factor(rate: float, years: float) -> float:
        """Share of an investment repaid each year over ``years`` at ``rate`` (0.0578 at 4 %, 30 years)."""
        if years <= 0:
            return 0.0
        if rate == 0:
            return 1.0 / years
        return rate / (1.0 - (1.0 + rate) ** -years)

    def break_even_km(self, yearly_gain_before_pipe: float) -> float:
        """Longest pipe a yearly gain can pay for (capped by the mode's ceiling); trucks: the ceiling."""
        if self.mode != "pipe" or self.fixed_eur_per_km_year <= 0:
            return self.max_distance_km
        return max(0.0, min(self.max_distance_km, yearly_gain_before_pipe / self.fixed_eur_per_km_year))


@dataclass(frozen=True)
class Substitute:
    """A virgin or market input that a resource can replace, declared on the resource (rulegen makes a
    substitution rule of it)."""

    input: str
    ratio: float
    receivers: tuple[str, ...]
    pretreatment: str
    pretreatment_cost: float
    process_co2: float
    flags: tuple[str, ...] = ()
    note: str = ""
    max_distance_km: float | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Resource:
    """One resource of the catalogue; every figure is per default ``unit`` (see data/resources/)."""

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
    #: Resources netted together within one site share a net group (all steam levels: "steam").
    net_group: str = ""
    #: Position on the net group's scale (bar, °C, % purity, quality rank); None when unspecified.
    grade: float | None = None
    #: Recovery routes (see recovery.yaml) that accept it, e.g. ``("R3-compostage", "R1-uve")``.
    recovery: tuple[str, ...] = ()
    #: Virgin or market inputs it can replace (generated into substitution rules).
    substitutes: tuple[Substitute, ...] = ()
    role: str = ""
    description: str = ""
    #: NAF codes (any level) of the activities that buy and sell this resource as their trade (a steam
    #: and heat utility, 35.30, buys an incinerator's steam and sells it on a platform; a gas distributor,
    #: a water utility, an industrial-gas company). Their estimated gisement and besoin of it are never
    #: netted (see ``tremplin.engine.context``). Empty: every site is netted.
    traded_by: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.net_group:
            object.__setattr__(self, "net_group", self.code)
        if not self.role:
            object.__setattr__(self, "role", "waste" if self.waste_codes else "input")

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

    @property
    def waste_chapters(self) -> tuple[str, ...]:
        """The List of Waste chapters of its codes, in order, without repeats."""
        return tuple(dict.fromkeys(code.chapter for code in self.waste_codes))

    @property
    def recovery_operations(self) -> tuple[str, ...]:
        """The Annex II operations (R1…R13 of Directive 2008/98/EC) of its recovery routes."""
        return tuple(dict.fromkeys(route.split("-", 1)[0] for route in self.recovery))

    def is_traded_by(self, naf_ancestors: list[str] | tuple[str, ...]) -> bool:
        """Whether an establishment with these NAF ancestors trades the resource (``traded_by``)."""
        return any(code in self.traded_by for code in naf_ancestors)


@dataclass(frozen=True)
class RecoveryOperation:
    """A recovery operation of Annex II of Directive 2008/98/EC (R1 to R13)."""

    code: str
    label: str


@dataclass(frozen=True)
class RecoveryRoute:
    """One way an operation is carried out by a kind of receiver (a composting platform, a cement kiln in
    co-processing, an electric-arc steelworks…), with the feedstock resource the receiver takes in and the
    gate fee the holder of the waste pays (a negative price of the feedstock)."""

    code: str
    operation: str
    label: str
    feedstock: str
    receivers: tuple[str, ...]
    gate_fee: tuple[float, float]
    pretreatment: str
    pretreatment_cost: float
    process_co2: float
    avoided_co2: float
    transport: str
    flags: tuple[str, ...] = ()
    note: str = ""
    sources: dict[str, str] = field(default_factory=dict, compare=False)


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
    #: named | substitute | recovery | cascade | identity (see RULE_ORIGINS).
    origin: str = "named"
    #: The Annex II recovery operation (R1…R13) a recovery rule carries out, else "".
    operation: str = ""
    #: Receiving NAF codes left to other rules of the same pair (a named rule takes precedence there).
    excluded: tuple[str, ...] = ()

    def accepts(self, naf_ancestors: list[str] | tuple[str, ...]) -> bool:
        """Whether an establishment with these NAF ancestors may receive under this rule."""
        if self.excluded and any(code in self.excluded for code in naf_ancestors):
            return False
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
    #: Largest plausible yearly quantity for one site of this activity (what a large real site has).
    max_per_site: float = math.inf
    #: Every reference of the row (``source`` first).
    sources: tuple[str, ...] = ()

    def raw_quantity(self, headcount: float) -> float:
        if headcount < self.min_headcount:
            return 0.0
        return self.per_employee * headcount + self.per_establishment

    def quantity(self, headcount: float) -> float:
        """Yearly quantity for a site of ``headcount`` employees, bounded by ``max_per_site``."""
        return min(self.raw_quantity(headcount), self.max_per_site)

    def is_bounded(self, headcount: float) -> bool:
        return self.raw_quantity(headcount) > self.max_per_site


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
    #: NAF codes (any level) whose establishments may join; empty = every sector.
    naf_allowed: tuple[str, ...] = ()
    #: NAF codes (any level) whose establishments never join (checked after ``naf_allowed``).
    naf_excluded: tuple[str, ...] = ()
    #: Members must share this NAF level ("section", "division", "group") with the group's seed; "" = any.
    same_sector_level: str = ""
    #: Establishments smaller than this headcount do not join.
    min_headcount: float = 0.0
    #: A group is proposed only if every member gains at least this much a year.
    min_member_gain_eur: float = 0.0

    @property
    def direction(self) -> str:
        return "out" if self.trigger == "shared_waste" else "in"

    def accepts(self, naf_ancestors: list[str] | tuple[str, ...], headcount: float = math.inf) -> bool:
        """Whether an establishment of these NAF ancestors and headcount may join a group of this kind."""
        if headcount < self.min_headcount:
            return False
        if self.naf_allowed and not any(code in self.naf_allowed for code in naf_ancestors):
            return False
        return not any(code in self.naf_excluded for code in naf_ancestors)

    def sector_key(self, naf_code: str) -> str:
        """The code members must share with the seed (``same_sector_level``), or "" when unconstrained."""
        if not self.same_sector_level:
            return ""
        for code in naf_module.naf_ancestors(naf_code):
            if naf_module.naf_level(code) == self.same_sector_level:
                return code
        return naf_code


@dataclass
class KnowledgeBase:
    """All reference data, validated.  Build it with :func:`load_knowledge_base`."""

    version: str
    references: dict[str, Reference]
    families: dict[str, Family]
    transport_classes: dict[str, TransportClass]
    resources: dict[str, Resource]
    rules: list[SubstitutionRule]
    profiles: dict[str, list[ProfileRow]]
    mutualisation_kinds: list[MutualisationKind]
    net_groups: dict[str, NetGroup] = field(default_factory=dict)
    operations: dict[str, RecoveryOperation] = field(default_factory=dict)
    routes: dict[str, RecoveryRoute] = field(default_factory=dict)
    #: Every List of Waste code known to the loader (code -> hazardous).
    list_of_waste: dict[str, bool] = field(default_factory=dict, repr=False)
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

    def rules_to(self, input_: str) -> list[SubstitutionRule]:
        return [rule for rule in self.rules if rule.input == input_]

    def rule(self, rule_id: str) -> SubstitutionRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def reference(self, key: str) -> Reference:
        """The reference registered under ``key`` (KeyError when unknown)."""
        try:
            return self.references[key]
        except KeyError:
            raise KeyError(f"référence inconnue {key!r}") from None

    def citation(self, key: str) -> str:
        """« Title — Publisher, Year » of a reference."""
        return self.reference(key).citation

    @cached_property
    def sources(self) -> dict[str, dict[str, str]]:
        """Readable form of every reference, ``{key: {"title": citation, "url": …, "kind": …}}``."""
        return {
            key: {"title": ref.citation, "url": ref.url, "kind": ref.kind}
            for key, ref in self.references.items()
        }

    def source_title(self, key: str) -> str:
        ref = self.references.get(key)
        return ref.citation if ref else key

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

    def receivers_of(self, resource: str) -> list[SubstitutionRule]:
        """Rules through which a supply of ``resource`` can go somewhere, best-documented first."""
        order = {origin: i for i, origin in enumerate(RULE_ORIGINS)}
        return sorted(self.rules_from(resource), key=lambda r: (order.get(r.origin, 99), r.id))


def load_knowledge_base(directory: str | Path | None = None) -> KnowledgeBase:
    """Read and validate every reference file in ``directory`` (the packaged ``data/`` by default)."""
    from .knowledge_files import read_knowledge_base  # the reader needs the records defined above

    return read_knowledge_base(Path(directory) if directory is not None else DATA_DIR)


@cache
def default_knowledge_base() -> KnowledgeBase:
    """The packaged knowledge base, loaded once."""
    return load_knowledge_base()
