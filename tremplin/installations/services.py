"""Operations on a territory's installations classées: import a Géorisques file, confirm or refuse the
establishment proposed for an installation. Each checks its actor, runs in one transaction and writes the
journal."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from tremplin.accounts.scoping import scope_for
from tremplin.audit.log import log_action
from tremplin.establishments.models import Establishment
from tremplin.installations.georisques import IcpeError, parse_installations
from tremplin.installations.models import Installation, Match, Rubrique

__all__ = [
    "IcpeNotAllowed",
    "IcpeRejected",
    "IcpeReport",
    "confirm_match",
    "import_icpe",
    "reject_match",
]

#: Largest file read (the import page also applies IMPORT_MAX_UPLOAD_BYTES to the upload).
MAX_BYTES = 50 * 1024 * 1024
_LEGAL_FORMS = {"sa", "sas", "sasu", "sarl", "eurl", "snc", "sci", "sca", "scop", "gie", "ste", "societe"}


class IcpeNotAllowed(Exception):
    """The actor is not on the territory's team."""


class IcpeRejected(Exception):
    """The file is refused whole; ``errors`` say where and why."""

    def __init__(self, errors: list[IcpeError]):
        super().__init__(f"{len(errors)} erreur(s)")
        self.errors = errors


@dataclass
class IcpeReport:
    filename: str
    file_date: dt.date
    installations: int = 0
    rubriques: int = 0
    created: int = 0
    updated: int = 0
    matched: int = 0
    proposed: int = 0
    unmatched: int = 0
    skipped_outside: int = 0
    duplicates: int = 0
    outside: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.installations} installation(s), {self.rubriques} rubrique(s) : {self.created} créée(s), "
            f"{self.updated} mise(s) à jour ; {self.matched} rattachée(s) par SIRET, {self.proposed} "
            f"proposée(s) par nom et commune, {self.unmatched} sans établissement ; "
            f"{self.skipped_outside} hors du territoire"
        )


def _check_actor(territory, by) -> None:
    if by is not None and territory.pk not in scope_for(by).editor_territory_ids:
        raise IcpeNotAllowed(_("Only the territory's team may import installations classées."))


def normalised_name(name: str) -> str:
    """Name compared without accents, case, punctuation or legal form: « SAS Valo-Caux » ~ « VALO CAUX ».

    >>> normalised_name("S.A.S. Éco-Valor  Normandie")
    'eco valor normandie'
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace(".", "")
    words = "".join(c if c.isalnum() else " " for c in text).split()
    return " ".join(w for w in words if w not in _LEGAL_FORMS)


def _matcher(territory):
    rows = Establishment.objects.filter(territory=territory).values_list(
        "pk", "siret", "name", "commune__insee_code"
    )
    by_siret, by_name = {}, {}
    for pk, siret, name, insee in rows:
        by_siret[siret] = pk
        by_name.setdefault((normalised_name(name), insee), []).append(pk)
    return by_siret, by_name


def import_icpe(territory, content: bytes, *, by, filename: str = "", file_date: dt.date) -> IcpeReport:
    """Import the installations of a Géorisques file into the territory: all or nothing.

    Installations of communes outside the territory are skipped. An installation already imported (same
    AIOT code) is updated and its rubriques replaced; a link the team confirmed or refused is kept."""
    _check_actor(territory, by)
    if len(content) > MAX_BYTES:
        raise IcpeRejected([IcpeError("fichier", "taille", f"plus de {MAX_BYTES // 1_000_000} Mo")])
    parsed = parse_installations(content)
    if parsed.errors:
        raise IcpeRejected(parsed.errors)
    communes = set(territory.epci.communes.values_list("insee_code", flat=True))
    report = IcpeReport(filename=filename, file_date=file_date, duplicates=parsed.duplicates)
    by_siret, by_name = _matcher(territory)
    with transaction.atomic():
        existing = {i.aiot_code: i for i in Installation.objects.filter(territory=territory)}
        for item in parsed.installations:
            if item.commune_insee not in communes:
                report.skipped_outside += 1
                report.outside.append(item.aiot_code)
                continue
            installation = existing.get(item.aiot_code)
            created = installation is None
            if created:
                installation = Installation(territory=territory, aiot_code=item.aiot_code)
            for name in (
                "name",
                "siret",
                "address",
                "postal_code",
                "commune_insee",
                "commune_name",
                "latitude",
                "longitude",
                "regime",
                "seveso",
                "activity_state",
                "naf_code",
                "ied",
                "updated_in_source",
            ):
                setattr(installation, name, getattr(item, name))
            installation.source_filename, installation.source_date = filename[:255], file_date
            _link(installation, item, by_siret, by_name)
            installation.save()
            installation.rubriques.all().delete()
            Rubrique.objects.bulk_create(
                Rubrique(installation=installation, **r.__dict__) for r in item.rubriques
            )
            report.installations += 1
            report.rubriques += len(item.rubriques)
            report.created += created
            report.updated += not created
            if installation.match == Match.SIRET or installation.match == Match.CONFIRMED:
                report.matched += 1
            elif installation.match == Match.PROPOSED:
                report.proposed += 1
            else:
                report.unmatched += 1
        log_action(
            by,
            "installations.imported",
            None,
            territory=territory,
            filename=filename,
            file_date=file_date.isoformat(),
            installations=report.installations,
            rubriques=report.rubriques,
            matched=report.matched,
            proposed=report.proposed,
            skipped_outside=report.skipped_outside,
        )
    return report


def _link(installation: Installation, item, by_siret: dict, by_name: dict) -> None:
    if item.siret and item.siret in by_siret:
        installation.establishment_id, installation.match = by_siret[item.siret], Match.SIRET
        return
    if installation.match in (Match.CONFIRMED, Match.REJECTED) and installation.pk:
        return  # the team's decision stands
    candidates = by_name.get((normalised_name(item.name), item.commune_insee), [])
    if len(candidates) == 1:
        installation.establishment_id, installation.match = candidates[0], Match.PROPOSED
    else:
        installation.establishment_id, installation.match = None, Match.NONE


def _decide(installation: Installation, *, by, confirm: bool) -> Installation:
    if by is None or installation.territory_id not in scope_for(by).editor_territory_ids:
        raise IcpeNotAllowed(_("Only the territory's team may link installations classées."))
    with transaction.atomic():
        installation = Installation.objects.select_for_update().get(pk=installation.pk)
        if installation.match != Match.PROPOSED or installation.establishment_id is None:
            raise IcpeNotAllowed(_("This installation has no establishment waiting for confirmation."))
        establishment_id = installation.establishment_id
        if confirm:
            installation.match = Match.CONFIRMED
        else:
            installation.match, installation.establishment_id = Match.REJECTED, None
        installation.save(update_fields=["match", "establishment"])
        log_action(
            by,
            "installations.match.confirmed" if confirm else "installations.match.rejected",
            installation,
            territory=installation.territory,
            establishment_id=establishment_id,
        )
    return installation


def confirm_match(installation: Installation, *, by) -> Installation:
    """The team confirms that the proposed establishment (same name and commune) runs this installation."""
    return _decide(installation, by=by, confirm=True)


def reject_match(installation: Installation, *, by) -> Installation:
    """The team refuses the proposal; a later import does not propose it again."""
    return _decide(installation, by=by, confirm=False)


def receiver_authorisations(territory) -> dict[str, list]:
    """What detection needs (``engine.detect(..., authorisations=...)``): for each establishment linked to
    an installation (same SIRET, or confirmed), the rubriques of its installations with their source."""
    from tremplin.engine import AuthorisedRubrique

    found: dict[str, list] = {}
    installations = Installation.objects.for_territory(territory).linked().prefetch_related("rubriques")
    for installation in installations:
        rubriques = found.setdefault(str(installation.establishment_id), [])
        source = installation.source_text()
        rubriques.extend(
            AuthorisedRubrique(r.code, r.alinea, r.regime or r.regime_label, r.nature[:200], source)
            for r in installation.rubriques.all()
        )
    return found
