"""Loading a potential result: one operation, all or nothing, audited.

Who loads: any member of the programme team (bound to a region or not: the file is national data, the
same for every region, and a regional result only adds rows), or the platform's operator on the command
line (``by=None``). Nobody else.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tremplin.audit.log import log_action
from tremplin.geo.models import Epci
from tremplin.potentials.models import EpciPotential, FamilyPotential, PotentialRelease
from tremplin.potentials.reading import ParsedFiles, parse_files
from tremplin.programme.exceptions import NotAllowed, ProgrammeError

__all__ = ["AlreadyLoaded", "load_release"]


class AlreadyLoaded(ProgrammeError):
    default_message = _("This file is already loaded.")


def _require_loader(by) -> None:
    from tremplin.programme.services.permissions import is_programme_team

    if by is not None and not is_programme_team(by):
        raise NotAllowed()


def load_release(
    main_name: str,
    main_content: bytes,
    *,
    by,
    family_name: str = "",
    family_content: bytes | None = None,
    skip_unknown: bool = False,
    now=None,
) -> PotentialRelease:
    """Check both files in full, then write the release, its rows and its families in one transaction.

    Raises :class:`~tremplin.potentials.reading.PotentialFileRejected` (errors by line and field) or
    :class:`AlreadyLoaded`, having written nothing. The potential of every undecided applicant whose
    workspace has no establishment is then taken from the newest release (in the same transaction).
    ``skip_unknown``: rows of EPCIs the platform's geography does not hold are left aside (counted in
    ``skipped_epcis``) instead of refusing the file, for a national file on a regional platform.
    """
    _require_loader(by)
    now = now or timezone.now()
    epci_ids = dict(Epci.objects.values_list("siren", "pk"))
    parsed = parse_files(
        main_name,
        main_content,
        epci_ids,
        family_name=family_name,
        family_content=family_content,
        skip_unknown=skip_unknown,
    )
    digest = hashlib.sha256(main_content).hexdigest()
    with transaction.atomic():
        if PotentialRelease.objects.filter(digest=digest).exists():
            raise AlreadyLoaded()
        release = _write(parsed, epci_ids, main_name, family_name, by, now, digest)
        refreshed = refresh_applicants(release, by=by, now=now)
        log_action(
            by,
            "potential.release.loaded",
            release,
            at=now,
            file=main_name,
            family_file=family_name,
            epcis=len(parsed.rows),
            skipped_epcis=len(parsed.skipped),
            families=len(parsed.families),
            computed_at=parsed.computed_at.isoformat(),
            kb_version=parsed.kb_version,
            applications_refreshed=refreshed,
        )
    return release


def _write(parsed: ParsedFiles, epci_ids, main_name, family_name, by, now, digest) -> PotentialRelease:
    release = PotentialRelease.objects.create(
        source=parsed.source,
        digest=digest,
        computed_at=parsed.computed_at,
        kb_version=parsed.kb_version,
        basis=parsed.basis,
        file_name=main_name[:255],
        family_file_name=family_name[:255] if parsed.families or family_name else "",
        epci_count=len(parsed.rows),
        skipped_epcis=len(parsed.skipped),
        loaded_by=by if by is not None and by.is_authenticated else None,
        loaded_at=now,
    )
    EpciPotential.objects.bulk_create(
        [
            EpciPotential(
                release=release,
                epci_id=epci_ids[row.siren],
                name=row.name,
                department_code=row.department_code,
                region_code=row.region_code,
                establishments=row.establishments,
                employees=row.employees,
                leads=row.leads,
                substitution_leads=row.substitution_leads,
                mutualisation_leads=row.mutualisation_leads,
                leads_per_100=row.leads_per_100,
                tonnes_per_year=row.tonnes_per_year,
                co2e_t_per_year=row.co2e_t_per_year,
                gain_eur_per_year=row.gain_eur_per_year,
                score=row.score,
                basis=row.basis,
                source=row.source,
            )
            for row in parsed.rows
        ],
        batch_size=500,
    )
    if parsed.families:
        row_ids = dict(release.rows.values_list("epci__siren", "pk"))
        FamilyPotential.objects.bulk_create(
            [
                FamilyPotential(
                    row_id=row_ids[family.siren],
                    family=family.family,
                    leads=family.leads,
                    tonnes_per_year=family.tonnes_per_year,
                    co2e_t_per_year=family.co2e_t_per_year,
                    gain_eur_per_year=family.gain_eur_per_year,
                )
                for family in parsed.families
            ],
            batch_size=1000,
        )
    return release


def refresh_applicants(release: PotentialRelease, *, by, now=None) -> int:
    """Recompute the potential of the undecided applications of the release's EPCIs whose workspace
    had no establishment at their last computation (their figure now comes from the newest release).
    Decided applications keep the figure the committee scored on. Returns how many were recomputed."""
    from tremplin.programme.models import Application, ApplicationStatus
    from tremplin.programme.services.potential import compute_potential

    applications = (
        Application.objects.submitted()
        .exclude(status__in=[ApplicationStatus.SELECTED, ApplicationStatus.NOT_SELECTED])
        .filter(epci__potentials__release=release)
        .exclude(potential_establishments__gt=0)
        .select_related("call", "epci")
    )
    count = 0
    for application in applications:
        compute_potential(application, by=by, now=now)
        count += 1
    return count
