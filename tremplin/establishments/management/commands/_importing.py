"""What ``import-sirene`` and ``import-establishments`` share: find the territory, run the import, print
the report, exit non-zero (naming the first bad rows and counting the others) when the file is refused.

The command reads the file in this process, within the same limits as the import page
(``IMPORT_MAX_ROWS``, ``IMPORT_MAX_ERRORS_LISTED``, the XLSX checks) except the upload size; ``--max-rows``
raises the number of rows for one import (a national SIRENE file has tens of millions).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tremplin.establishments.importers import ImportLimits
from tremplin.imports.services import ImportRejected, import_establishments
from tremplin.territories.models import Territory


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument(
            "--territory", required=True, metavar="SIREN", help="SIREN of the territory's EPCI (9 digits)"
        )
        parser.add_argument(
            "--max-rows",
            type=_positive,
            metavar="N",
            help="largest number of data lines the file may have (default: the IMPORT_MAX_ROWS setting)",
        )
        parser.add_argument(
            "--max-errors",
            type=_positive,
            metavar="N",
            help="errors listed when the file is refused (default: IMPORT_MAX_ERRORS_LISTED)",
        )
        parser.add_argument("file", type=Path, metavar="FILE")

    def handle(self, *args, territory, file, max_rows=None, max_errors=None, **options):
        try:
            workspace = Territory.objects.select_related("epci").get(epci__siren=territory)
        except Territory.DoesNotExist:
            raise CommandError(f"aucun territoire pour l'EPCI de SIREN {territory}") from None
        if not file.is_file():
            raise CommandError(f"fichier introuvable : {file}")
        limits = ImportLimits.from_settings(max_rows=max_rows, max_errors_listed=max_errors)
        with file.open("rb") as stream:
            try:
                report = import_establishments(
                    workspace, stream, kind=self.kind, by=None, filename=file.name, limits=limits
                )
            except ImportRejected as rejected:
                refused = rejected.report
                for error in refused.errors:
                    self.stderr.write(str(error))
                if refused.errors_omitted:
                    self.stderr.write(f"… et {refused.errors_omitted} autre(s) erreur(s) non listée(s)")
                raise CommandError(
                    f"{file.name} refusé : {refused.error_count} erreur(s), rien n'a été modifié"
                ) from None
        self.stdout.write(report.summary())
        if report.located_in_commune:
            self.stdout.write(
                f"{report.located_in_commune} sans coordonnées, placés en un point de leur commune"
            )
        if report.changed:
            self.stdout.write(
                f"{report.changed} établissement(s) modifié(s) : les valeurs remplacées sont gardées "
                f"(import n° {report.job_id})"
            )
