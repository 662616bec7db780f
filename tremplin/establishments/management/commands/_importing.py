"""What ``import-sirene`` and ``import-establishments`` share: find the territory, run the import, print
the report, exit non-zero (naming every bad row) when the file is refused."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tremplin.establishments.services import ImportRejected, import_establishments
from tremplin.territories.models import Territory


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument(
            "--territory", required=True, metavar="SIREN", help="SIREN of the territory's EPCI (9 digits)"
        )
        parser.add_argument("file", type=Path, metavar="FILE")

    def handle(self, *args, territory, file, **options):
        try:
            workspace = Territory.objects.select_related("epci").get(epci__siren=territory)
        except Territory.DoesNotExist:
            raise CommandError(f"aucun territoire pour l'EPCI de SIREN {territory}") from None
        if not file.is_file():
            raise CommandError(f"fichier introuvable : {file}")
        with file.open("rb") as stream:
            try:
                report = import_establishments(workspace, stream, kind=self.kind, by=None, filename=file.name)
            except ImportRejected as rejected:
                for error in rejected.report.errors:
                    self.stderr.write(str(error))
                raise CommandError(
                    f"{file.name} refusé : {len(rejected.report.errors)} erreur(s), rien n'a été modifié"
                ) from None
        self.stdout.write(report.summary())
        if report.located_in_commune:
            self.stdout.write(
                f"{report.located_in_commune} sans coordonnées, placés en un point de leur commune"
            )
