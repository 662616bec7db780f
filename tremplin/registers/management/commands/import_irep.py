"""``tremplin import-irep ZIP --territory <id or SIREN> [--year YYYY] [--confirm-name-matches]``.

All or nothing: a refused zip lists its bad rows (file, row, field) and changes nothing. Establishments
matched by SIRET are imported; those matched only by name and commune are listed and left out unless
``--confirm-name-matches`` says the officer checked them (the import page asks for each one).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tremplin.registers.irep import IrepRejected
from tremplin.registers.services import apply_irep_import, prepare_irep_import
from tremplin.territories.commands import territory_of


class Command(BaseCommand):
    help = "Import the waste flows of an IREP / GEREP yearly zip (Géorisques) for a territory."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="ZIP")
        parser.add_argument("--territory", required=True, metavar="ID|SIREN")
        parser.add_argument(
            "--year", type=int, help="year of the lines to import (when the zip holds several)"
        )
        parser.add_argument(
            "--confirm-name-matches",
            action="store_true",
            help="also import the establishments matched by name and commune (checked by the officer)",
        )

    def handle(self, *args, file, territory, year=None, confirm_name_matches=False, **options):
        workspace = territory_of(territory)
        if not file.is_file():
            raise CommandError(f"fichier introuvable : {file}")
        try:
            with transaction.atomic(), file.open("rb") as stream:
                job = prepare_irep_import(workspace, stream, by=None, filename=file.name, year=year)
                proposed = job.payload["proposed"]
                confirmed = {p["register_id"] for p in proposed} if confirm_name_matches else set()
                outcome = apply_irep_import(job, by=None, confirmed=confirmed)
        except IrepRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            if rejected.omitted:
                self.stderr.write(f"… et {rejected.omitted} autre(s) erreur(s) non listée(s)")
            raise CommandError(f"{file.name} refusé : rien n'a été modifié") from None
        self.stdout.write(
            f"IREP {job.year} : {outcome['establishments']} établissement(s), "
            f"{outcome['flows_created']} flux créés, {outcome['flows_replaced']} flux du registre remplacés"
        )
        if proposed and not confirm_name_matches:
            self.stdout.write(
                f"{len(proposed)} rapprochement(s) par nom et commune laissé(s) de côté "
                "(--confirm-name-matches pour les importer) :"
            )
            for p in proposed:
                self.stdout.write(
                    f"  {p['register_name']} ({p['register_commune']}) → {p['establishment_name']}"
                )
        for code, count in job.payload["unmapped_codes"].items():
            self.stdout.write(f"code déchet {code} absent du catalogue : {count} ligne(s) non importée(s)")
