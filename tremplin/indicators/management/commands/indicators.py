"""``tremplin indicators --territory SIREN [--json] [--at YYYY-MM-DD]``: a territory's indicators."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from tremplin.indicators.compute import FIGURES, territory_indicators
from tremplin.territories.models import Territory

HELP = """Print the indicators of a territory (the same figures as its Indicators page).

With --json, one JSON object with these stable keys:
  territory {id, siren, name}; at (ISO date-time or null);
  mobilisation {establishments, met, engaged};
  flows {declared, workshop, estimated}  (estimated: flows the engine estimates from the activity code
    and headcount, for which no flow of that resource and direction is known);
  pipeline {leads_pending, synergies, by_status {detected, qualified, under_study, being_implemented,
    operational, monitored, paused, abandoned}, by_kind {substitution, mutualisation}, operational,
    operational_consented, operational_unconsented  (operational or monitored with / without every
    participant's consent), conversion_rate  ((operational + monitored) / all synergies ever accepted;
    null when none)};
  environment {tonnes_diverted_per_year, co2_avoided_t_per_year};
  economy {eur_saved_per_year, eur_earned_per_year};
  social {jobs_fte};
  each figure of the last three families being {potential_estimated, operational_estimated,
    operational_measured, measured_synergies}  (operational: with every participant's consent);
  sources {estimated, measured}.
"""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        kwargs["formatter_class"] = RawDescriptionHelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "--territory", required=True, metavar="SIREN", help="SIREN of the territory's EPCI"
        )
        parser.add_argument("--json", action="store_true", help="print JSON (keys above)")
        parser.add_argument(
            "--at", metavar="YYYY-MM-DD", help="indicators as they stood at the end of that day"
        )

    def handle(self, *args, **options):
        territory, at = options["territory"], options["at"]
        try:
            place = Territory.objects.select_related("epci").get(epci__siren=territory)
        except Territory.DoesNotExist:
            raise CommandError(f"no territory with the SIREN {territory}") from None
        moment = None
        if at:
            day = parse_date(at)
            if day is None:
                raise CommandError(f"--at expects YYYY-MM-DD, got {at!r}")
            moment = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.max.time()))
        indicators = territory_indicators(place, at=moment)
        if options["json"]:
            self.stdout.write(_dumps(indicators))
        else:
            self.stdout.write(_text(indicators))


def _dumps(indicators) -> str:
    return json.dumps(indicators, ensure_ascii=False, indent=2, sort_keys=True)


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", " ")
    return str(value)


def _text(i: dict) -> str:
    lines = [f"{i['territory']['name']} (SIREN {i['territory']['siren']})"]
    m, f, p = i["mobilisation"], i["flows"], i["pipeline"]
    lines.append(
        f"Établissements : {m['establishments']} ; rencontrés : {m['met']} ; engagés : {m['engaged']}"
    )
    lines.append(
        f"Flux déclarés : {f['declared']} ; en atelier : {f['workshop']} ; estimés : {f['estimated']}"
    )
    rate = "—" if p["conversion_rate"] is None else f"{p['conversion_rate'] * 100:.1f} %"
    lines.append(
        f"Pistes à examiner : {p['leads_pending']} ; synergies : {p['synergies']} ; "
        f"taux de conversion : {rate}"
    )
    lines.append("  par statut : " + ", ".join(f"{k} {v}" for k, v in p["by_status"].items()))
    lines.append("  par type : " + ", ".join(f"{k} {v}" for k, v in p["by_kind"].items()))
    lines.append("Chiffre : potentiel estimé / opérationnel estimé / opérationnel mesuré")
    for family, key, _e, _m in FIGURES:
        figure = i[family][key]
        lines.append(
            f"  {key} : {_fmt(figure['potential_estimated'])} / {_fmt(figure['operational_estimated'])} / "
            f"{_fmt(figure['operational_measured'])}"
        )
    return "\n".join(lines)
