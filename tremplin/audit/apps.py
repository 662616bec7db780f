from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tremplin.audit"
    label = "audit"
