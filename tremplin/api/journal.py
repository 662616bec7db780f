"""The journal's sentences of the API's own actions."""

from django.utils.translation import gettext_lazy as _

from tremplin.audit.display import register

register("api.token.created", _("Created the API token “%(name)s”"))
register("api.token.revoked", _("Revoked the API token “%(name)s”"))
