"""``tremplin seed-programme``: the reference Normandy 2019 call and its demonstration applications."""

from django.core.management.base import BaseCommand, CommandError

from tremplin.geo.models import Region
from tremplin.programme.services.reference import NORMANDY, seed_reference_call


class Command(BaseCommand):
    help = (
        "Charge l'édition de référence (appel Tremplin EIT Normandie 2019 : 8 places, critères, comité) "
        "et une douzaine de candidatures de démonstration d'EPCI normands. Idempotent. Nécessite la "
        "géographie de la Normandie (tremplin load-geo --region 28) ; à lancer après tremplin seed-demo "
        "pour que le membre du comité de démonstration y siège."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-applications", action="store_true", help="l'appel et son comité seulement")

    def handle(self, *args, no_applications, **options):
        if not Region.objects.filter(code=NORMANDY).exists():
            raise CommandError(
                "Région Normandie introuvable : lancez d'abord « tremplin load-geo --region 28 »."
            )
        report = seed_reference_call(with_applications=not no_applications)
        call = report.call
        self.stdout.write(
            f"{'Créé' if report.created_call else 'Déjà présent'} : {call.title} ({call.places} places)"
        )
        for seat in report.committee:
            self.stdout.write(f"  Comité : {seat.organisation} — {seat.member.email}")
        if report.applications:
            eligible = sum(1 for application in report.applications if application.eligible)
            self.stdout.write(
                f"  {len(report.applications)} candidatures de démonstration, dont {eligible} éligibles"
            )
        if report.missing_epcis:
            self.stdout.write(self.style.WARNING(f"  EPCI absents : {', '.join(report.missing_epcis)}"))
        self.stdout.write(self.style.SUCCESS("Terminé."))
