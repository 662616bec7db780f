"""The journal's sentences of people and roles (invitations, access levels)."""

from django.utils.translation import gettext_lazy as _

from tremplin.audit.display import VIA_LABELS, register

VIA_LABELS["email_invitation"] = _("invitation by e-mail, accepted")


def _literal(text) -> str:
    """A name put into a sentence before the journal formats it with the entry's values."""
    return str(text).replace("%", "%%")


def _invited(values) -> str:
    from tremplin.accounts.models import MemberAccess
    from tremplin.geo.models import Region

    sentence = str(_("Invited %(invitee)s to the role “%(role)s”"))
    access = values.get("access")
    if access:
        sentence += f" ({_literal(MemberAccess(access).label)})"
    region_id = values.get("region_id")
    if region_id:
        region = Region.objects.filter(pk=region_id).first()
        if region is not None:
            sentence += " — " + _literal(region.name)
    return sentence


register("people.invitation.sent", _invited, "function")
register("people.invitation.revoked", _("Withdrew the invitation of %(invitee)s to the role “%(role)s”"))
register("people.invitation.accepted", _("Accepted the invitation to the role “%(role)s”"))
register("account.created.by_invitation", _("Created an account by following an invitation"))
register(
    "role.access.changed",
    lambda values: (
        _("Let %(person)s edit the workspace")
        if values.get("after") == "edit"
        else _("Made %(person)s a read-only member of the team")
    ),
)
