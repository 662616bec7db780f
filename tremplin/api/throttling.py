"""Rate limits of the API: per token, per signed-in person (session), per client address (anonymous).

Each limit is a rate in django-ninja's notation (``"600/min"``, ``"20/s"``, ``"10000/day"``) read from the
settings at each call (``API_RATE_PER_TOKEN``, ``API_RATE_PER_USER``, ``API_RATE_ANONYMOUS``; empty: no
limit). The throttles plug into django-ninja's throttling (:class:`ninja.throttling.BaseThrottle`, given to
the NinjaAPI), which answers 429 with ``Retry-After`` through the handler of :mod:`tremplin.api.errors`.

They count in fixed windows in Django's cache (``cache.incr``, atomic in the shared caches), like the
questionnaire links' limits: ninja's own SimpleRateThrottle keeps the request's state on the throttle
object, which one process's threads share, and rewrites a list of every timestamp at each call. A fixed
window lets a client make up to twice the rate across the boundary of two windows; what matters here
is a ceiling on sustained use. The default cache counts per process: a deployment with several web
processes points CACHE_BACKEND at a shared cache (README, "Configuration").

Ninja runs the throttles after authentication, so a call without a valid token never reaches them: the
error handler of a failed authentication counts it against its address (:func:`anonymous_refused`), which
bounds how fast a client may try tokens.
"""

from __future__ import annotations

import functools
import threading
import time

from django.conf import settings
from django.core.cache import cache
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from tremplin.www.questionnaire.throttle import client_ip

_state = threading.local()


@functools.lru_cache(maxsize=16)
def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/min"`` → (600, 60), by ninja's own reading of a rate (ValueError when it is not one)."""
    throttle = SimpleRateThrottle(rate)
    return throttle.num_requests, throttle.duration


def _limit(setting: str) -> tuple[int, int] | None:
    rate = getattr(settings, setting, None)
    return parse_rate(rate) if rate else None


def _hit(scope: str, ident: str, limit: tuple[int, int], now: float | None = None) -> float | None:
    """Count one call; None when within the limit, else the seconds until the window ends."""
    count, window = limit
    now = time.time() if now is None else now
    key = f"api-rate:{scope}:{ident}:{int(now // window)}"
    cache.add(key, 0, timeout=window + 1)
    try:
        calls = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 1)
        calls = 1
    if calls > count:
        return max(1.0, window - now % window)
    return None


class _CacheRateThrottle(BaseThrottle):
    scope = ""
    setting = ""

    def ident(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request) -> bool:
        _state.wait = None
        limit = _limit(self.setting)
        ident = self.ident(request)
        if limit is None or ident is None:
            return True
        _state.wait = _hit(self.scope, ident, limit)
        return _state.wait is None

    def wait(self) -> float | None:
        # Ninja asks right after allow_request, in the same thread.
        return getattr(_state, "wait", None)


class TokenThrottle(_CacheRateThrottle):
    """Calls made with one personal token."""

    scope = "token"
    setting = "API_RATE_PER_TOKEN"

    def ident(self, request):
        token = getattr(request, "api_token", None)
        return str(token.pk) if token is not None else None


class SessionUserThrottle(_CacheRateThrottle):
    """Calls made from the platform's pages with a person's session (not with a token)."""

    scope = "user"
    setting = "API_RATE_PER_USER"

    def ident(self, request):
        if getattr(request, "api_token", None) is not None:
            return None
        user = getattr(request, "user", None)
        return str(user.pk) if user is not None and user.is_authenticated else None


class AnonymousThrottle(_CacheRateThrottle):
    """Calls without a person (operations open to all), per client address."""

    scope = "anonymous"
    setting = "API_RATE_ANONYMOUS"

    def ident(self, request):
        user = getattr(request, "user", None)
        if getattr(request, "api_token", None) is not None or (user is not None and user.is_authenticated):
            return None
        return client_ip(request)


THROTTLES = [TokenThrottle(), SessionUserThrottle(), AnonymousThrottle()]


def anonymous_refused(request) -> float | None:
    """Count a call refused for want of valid credentials against its address; the seconds to wait when
    the address went over ``API_RATE_ANONYMOUS``, else None."""
    limit = _limit("API_RATE_ANONYMOUS")
    if limit is None:
        return None
    return _hit("anonymous", client_ip(request), limit)
