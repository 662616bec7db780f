import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tremplin.installations.services import IcpeRejected, import_icpe
from tremplin.territories.commands import add_territory_argument, territory_of


class Command(BaseCommand):
    help = (
        "Import the installations classées (ICPE) of a territory from the JSON of Géorisques' API v1 "
        "(/api/v1/installations_classees?code_insee=…); all or nothing."
    )

    def add_arguments(self, parser):
        add_territory_argument(parser)
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="date the file was downloaded (default: the file's modification date)",
        )
        parser.add_argument("file", type=Path, metavar="FILE.json")

    def handle(self, *args, territory, file, date=None, **options):
        workspace = territory_of(territory)
        if not file.is_file():
            raise CommandError(f"fichier introuvable : {file}")
        file_date = date or dt.date.fromtimestamp(file.stat().st_mtime)
        try:
            report = import_icpe(
                workspace, file.read_bytes(), by=None, filename=file.name, file_date=file_date
            )
        except IcpeRejected as rejected:
            for error in rejected.errors[:100]:
                self.stderr.write(str(error))
            if len(rejected.errors) > 100:
                self.stderr.write(f"… et {len(rejected.errors) - 100} autre(s) erreur(s) non listée(s)")
            raise CommandError(
                f"{file.name} refusé : {len(rejected.errors)} erreur(s), rien n'a été modifié"
            ) from None
        self.stdout.write(report.summary())
