from django.core.management.base import BaseCommand, CommandError

from tremplin.privacy.holders import Person
from tremplin.privacy.services import PrivacyError, erase_person_data, find_person_data


class Command(BaseCommand):
    help = (
        "Erase everything the platform holds on a person (found by e-mail address): contacts, "
        "invitations, login records deleted; account, applications, registrations anonymised; the person's "
        "e-mail and names blanked in the audit log. Asks for confirmation unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="the person's e-mail address")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, **options):
        email = options["email"]
        try:
            findings = find_person_data(Person(email=email))
        except PrivacyError as error:
            raise CommandError(str(error)) from None
        if findings.is_empty:
            self.stdout.write(f"Nothing is held on {email}.")
            return
        for key, count in findings.counts().items():
            self.stdout.write(f"  {key}: {count}")
        if not options["yes"]:
            answer = input(f"Erase all of this for {email}? Type 'erase' to confirm: ")
            if answer.strip() != "erase":
                raise CommandError("Nothing erased.")
        counts = erase_person_data(Person(email=email), by=None)
        self.stdout.write(f"Erased: {', '.join(f'{key} {count}' for key, count in counts.items())}.")
