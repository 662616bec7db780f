"""Rate limits on the look-ups of questionnaire links, per client address and per link.

A link's token has 256 bits and cannot be guessed, but nothing should let a client try tokens, or hammer
one link (each look-up may send a fresh link by e-mail), as fast as it likes. Counters live in Django's
cache (``CACHES["default"]``), in fixed windows of ``QUESTIONNAIRE_LINK_WINDOW_SECONDS``. The default
local-memory cache counts per process: fine on a developer's machine, but a deployment with several
worker processes sets a shared cache (see README, "Configuration").

django-axes (used for logins) counts failed *authentications* per user name; token look-ups are not
logins, so they get this small counter instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from tremplin.questionnaire.models import token_digest


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or, behind ``TRUSTED_PROXY_COUNT`` reverse proxies that
    append to ``X-Forwarded-For``, the address the outermost trusted proxy saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


@dataclass(frozen=True)
class Throttled:
    retry_after: int  # seconds until the current window ends


def _hit(key: str, limit: int, window: int, now: float) -> bool:
    """Count one look-up under ``key``; True when it goes over ``limit`` in the current window."""
    cache_key = f"questionnaire-link:{key}:{int(now // window)}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    return count > limit


def check_link_lookup(request, token: str) -> Throttled | None:
    """Count a look-up of ``token`` from this client; a ``Throttled`` when either limit is exceeded.

    Both counters always advance, so a client spreading its attempts over many tokens is held by the
    per-address limit, and many clients sharing one link by the per-link limit."""
    window = settings.QUESTIONNAIRE_LINK_WINDOW_SECONDS
    now = time.time()
    over_ip = _hit(f"ip:{client_ip(request)}", settings.QUESTIONNAIRE_LINK_LOOKUPS_PER_IP, window, now)
    over_link = _hit(
        f"link:{token_digest(token)[:32]}", settings.QUESTIONNAIRE_LINK_LOOKUPS_PER_LINK, window, now
    )
    if over_ip or over_link:
        return Throttled(retry_after=max(1, int(window - now % window)))
    return None
