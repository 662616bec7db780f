from django.core.management.base import BaseCommand

from tremplin.questionnaire.services import end_expired_grants


class Command(BaseCommand):
    help = (
        "End the company-contact roles (and sessions) granted by questionnaire links that have expired. "
        "The platform also does it at the contact's next request; run this from cron to tidy up."
    )

    def handle(self, *args, **options):
        count = end_expired_grants()
        self.stdout.write(f"{count} expired invitation(s) ended the access they granted.")
