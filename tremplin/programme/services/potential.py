"""Objective synergy potential of an applicant's territory, from the detection engine.

Computed over the establishments recorded in the workspace of the applicant EPCI (deductive mode:
flows estimated from activity codes and sizes), when the application is submitted, when the programme
team loads a SIRENE extract for the call's applicants (:mod:`tremplin.programme.services.extracts`) or
when it asks; the result is stored with its date and its source (``figures["source"]``: the register
extract, its stock date and the establishments it gave the workspace), never recomputed on a page view.

When the workspace has no establishment yet (or there is no workspace), the figure is the applicant
EPCI's row in the newest loaded national or regional potential (:mod:`tremplin.potentials`), stored with
that release's source sentence, computation date and basis (``figures["release"]``); loading a release
recomputes the undecided applications concerned. Without such a row, there is no figure.
"""

from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from tremplin import engine
from tremplin.audit.log import log_action
from tremplin.engine.headcount import headcount_band
from tremplin.establishments.models import Establishment
from tremplin.programme.models import Application
from tremplin.programme.services.permissions import require_programme_team
from tremplin.territories.models import Territory

METHOD = "engine.synergy_potential, deductive"
RELEASE_METHOD = "potential release (tremplin potential), deductive"


def _release_figures(epci) -> tuple[float, dict] | None:
    """The score and figures of the newest loaded release row of ``epci``, or None."""
    from tremplin.potentials.models import EpciPotential

    row = EpciPotential.objects.newest_for(epci)
    if row is None:
        return None
    release = row.release
    return row.score, {
        "method": RELEASE_METHOD,
        "establishments": 0,
        "release": {
            "id": release.pk,
            "source": row.source,
            "computed_at": release.computed_at.isoformat(),
            "kb_version": release.kb_version,
            "file_name": release.file_name,
            "basis": row.basis,
            "establishments": row.establishments,
            "employees": row.employees,
            "leads": row.leads,
            "substitution_leads": row.substitution_leads,
            "mutualisation_leads": row.mutualisation_leads,
            "tonnes_per_year": row.tonnes_per_year,
            "co2e_t_per_year": row.co2e_t_per_year,
            "gain_eur_per_year": row.gain_eur_per_year,
            "score": row.score,
        },
    }


def _engine_establishments(epci) -> tuple[list[engine.Establishment], int]:
    territory = Territory.objects.filter(epci=epci).first()
    if territory is None:
        return [], 0
    # Only aggregates leave this function: the committee never sees the establishment records, which
    # stay confidential to the territory (hence no visible_to here).
    rows = Establishment.objects.for_territory(territory).only(
        "pk", "name", "naf_code", "latitude", "longitude", "headcount_band", "is_demo"
    )
    items, demo = [], 0
    for row in rows:
        demo += row.is_demo
        items.append(
            engine.Establishment(
                id=str(row.pk),
                name=row.name,
                naf=row.naf_code,
                lat=row.latitude,
                lon=row.longitude,
                headcount=float(headcount_band(row.headcount_band).representative),
            )
        )
    return items, demo


def compute_potential(
    application: Application, *, by=None, now=None, source: dict | None = None
) -> Application:
    """Run the engine on the applicant territory's establishments and store the figure.

    With no establishment recorded, the figure is the EPCI's row of the newest loaded potential
    release; without one either, it stays empty (``potential_score`` None) and the page says so,
    instead of showing a zero that would read as "no potential". ``source``: the register extract that
    just filled the workspace; otherwise the latest one that did, if any.
    """
    from tremplin.programme.services.extracts import register_source

    now = now or timezone.now()
    source = source or register_source(application)
    items, demo = _engine_establishments(application.epci)
    if items:
        result = engine.synergy_potential(items)
        figures = asdict(result)
        figures.update(
            {"method": METHOD, "knowledge_base": engine.default_knowledge_base().version, "demo": demo}
        )
        application.potential_score = result.score
    elif (from_release := _release_figures(application.epci)) is not None:
        application.potential_score, figures = from_release
    else:
        figures = {"method": METHOD, "establishments": 0}
        application.potential_score = None
    if source:
        figures["source"] = source
    application.potential_figures = figures
    application.potential_establishments = len(items)
    application.potential_computed_at = now
    application.save(
        update_fields=[
            "potential_score",
            "potential_figures",
            "potential_establishments",
            "potential_computed_at",
            "updated_at",
        ]
    )
    log_action(
        by,
        "application.potential.computed",
        application,
        call=application.call,
        at=now,
        score=application.potential_score,
        establishments=len(items),
        release=figures.get("release", {}).get("id"),
    )
    return application


@transaction.atomic
def refresh_potential(application: Application, *, by, now=None) -> Application:
    """The programme team recomputes the figure on demand (e.g. after the territory's import)."""
    require_programme_team(by)
    return compute_potential(application, by=by, now=now)
