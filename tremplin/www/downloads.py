"""Responses that hand out a file or a data export (XLSX, CSV, GeoJSON, PDF, iCalendar, documents).

They carry companies' flows, costs and contacts: neither the browser nor a proxy may keep a copy
(``Cache-Control: private, no-store``), or the next person on a shared computer could read it from the
cache. Every such view is decorated with ``@download``; tests/www/test_downloads.py finds the views that
build file responses and fails if one is not.
"""

from functools import wraps

from django.utils.cache import patch_cache_control

__all__ = ["download"]


def download(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response

    wrapper.is_download = True
    return wrapper
