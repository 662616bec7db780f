from django.core.management.base import BaseCommand

from tremplin.privacy.retention import purge


class Command(BaseCommand):
    help = (
        "Delete expired invitations, expired sessions, old one-time form keys, audit entries past "
        "AUDIT_RETENTION_DAYS, accounts never confirmed whose link expired and sign-in attempt records "
        "past LOGIN_ATTEMPTS_RETENTION_DAYS, and import previews left unconfirmed past "
        "IMPORT_PREVIEW_RETENTION_DAYS (idempotent; run it daily, e.g. from cron)."
    )

    def handle(self, *args, **options):
        report = purge()
        self.stdout.write(
            f"invitations: {report.invitations}, sessions: {report.sessions}, "
            f"form submissions: {report.submissions}, audit entries: {report.audit_entries}, "
            f"unconfirmed accounts: {report.unconfirmed_accounts}, "
            f"sign-in attempts: {report.login_attempts}, import previews: {report.import_previews}"
        )
