from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "tremplin.programme"
    label = "programme"

    def ready(self):
        from tremplin.programme import documents

        # Replaced and deleted documents leave the disk after commit.
        documents.connect_cleanup(self.get_model("Application"))
