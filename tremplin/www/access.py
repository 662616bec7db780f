"""Helpers that every view uses to reach objects through the scoping mechanism."""

from django.http import Http404


def get_visible_or_404(model, user, **lookup):
    """The object matching ``lookup`` among those ``user`` may see; 404 otherwise.

    A 404 (not a 403) for objects outside the scope avoids confirming that an identifier exists.
    """
    try:
        return model.objects.visible_to(user).get(**lookup)
    except (model.DoesNotExist, ValueError):
        raise Http404 from None
