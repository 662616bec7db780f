from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

RATE_SETTINGS = ("API_RATE_PER_TOKEN", "API_RATE_PER_USER", "API_RATE_ANONYMOUS")


class ApiConfig(AppConfig):
    name = "tremplin.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        from tremplin.api import journal  # noqa: F401  (the sentences of this app's audit entries)
        from tremplin.api.throttling import parse_rate

        # A rate the throttles cannot read would fail every call: refuse to start instead.
        for name in RATE_SETTINGS:
            rate = getattr(settings, name, "")
            try:
                if rate:
                    parse_rate(rate)
            except ValueError:
                raise ImproperlyConfigured(
                    f'{name} must be a rate such as "600/min", "20/s" or "10000/day", got {rate!r}'
                ) from None
