from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tremplin.accounts"
    label = "accounts"

    def ready(self):
        from tremplin.accounts import journal, signals  # noqa: F401  (journal: the sentences of this app)

        signals.connect()
