from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tremplin.accounts"
    label = "accounts"

    def ready(self):
        from tremplin.accounts import signals

        signals.connect()
