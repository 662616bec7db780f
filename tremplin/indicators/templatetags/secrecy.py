"""``{% secret_label %}``: what a withheld figure shows instead of its value."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tremplin.indicators.secrecy import minimum_companies

register = template.Library()


@register.simple_tag
def secret_label():
    n = minimum_companies()
    return format_html(
        '<span class="secret-figure" data-secret="true">{}</span>',
        _("secret (fewer than %(n)s companies)") % {"n": n},
    )
