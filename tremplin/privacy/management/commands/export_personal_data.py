from django.core.management.base import BaseCommand, CommandError

from tremplin.privacy.holders import Person
from tremplin.privacy.services import PrivacyError, export_json, export_person_data


class Command(BaseCommand):
    help = "Write everything the platform holds on a person (found by e-mail address) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="the person's e-mail address")
        parser.add_argument("--out", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        try:
            document = export_person_data(Person(email=options["email"]), by=None)
        except PrivacyError as error:
            raise CommandError(str(error)) from None
        content = export_json(document)
        if options["out"]:
            with open(options["out"], "wb") as out:
                out.write(content)
            counts = sum(len(holder["items"]) for holder in document["records"].values())
            self.stdout.write(
                f"{counts} records, {len(document['audit_entries'])} audit entries → {options['out']}"
            )
        else:
            self.stdout.write(content.decode())
