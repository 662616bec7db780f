from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "tremplin.coaching"
    label = "coaching"

    def ready(self):
        from tremplin.coaching import journal_strategy  # noqa: F401  (the journal's sentences of the strategy)
