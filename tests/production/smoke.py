"""Smoke test of a running production server (`tremplin serve`), as CI runs it (see .ci/run).

Against a server started with the demonstration data (`tremplin load-geo --region 28`, `tremplin
seed-demo`) and ``SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto``, it checks, and exits non-zero at the first
failure:

1. plain HTTP is redirected to HTTPS, and the home page links its static files under hashed names;
2. a hashed static file is served by WhiteNoise, compressed, with a far-future immutable cache lifetime;
3. the territory officer of Caux Seine Agglo signs in (CSRF token and Origin), sees the home page and the
   territory's page;
4. a detection run started from the detection form is picked up by the background worker and finishes
   ("done") within ``--timeout`` seconds, and its page then lists leads.

Usage::

    python tests/production/smoke.py --url http://127.0.0.1:8000 [--timeout 180]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.production.webclient import Browser

OFFICER = "technicien.cauxseine@demo.tremplin.localhost"
PASSWORD = "demo-tremplin-2026"  # the demonstration's published password (tremplin.demo.services)
TERRITORY_NAME = "Caux Seine"
HASHED_CSS = re.compile(r'href="(/static/css/tremplin\.[0-9a-f]{12}\.css)"')
RUN_STATUS = re.compile(r'data-status="(\w+)"')


class SmokeFailure(AssertionError):
    pass


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SmokeFailure(what)
    print(f"  ok  {what}")


def run(url: str, timeout: float) -> None:
    anonymous = Browser(url)
    plain = anonymous._send("GET", "/", None, {"X-Forwarded-Proto": "http"})
    check(
        plain.status == 301 and plain.header("Location").startswith("https://"),
        f"plain HTTP is redirected to HTTPS ({plain.status} {plain.header('Location')})",
    )
    home = anonymous.get("/")
    check(home.status == 200, f"home page, signed out: HTTP {home.status} in {home.seconds * 1000:.0f} ms")
    check("content-security-policy" in home.headers, "the page carries a Content-Security-Policy")
    css = HASHED_CSS.search(home.text)
    check(css is not None, "the page links the style sheet under its hashed name")

    static = anonymous.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    cache = static.header("Cache-Control")
    check(static.status == 200, f"{css.group(1)}: HTTP {static.status}")
    check("immutable" in cache and "max-age=315360000" in cache, f"cached for ten years, immutable ({cache})")
    check(static.header("Content-Encoding") == "gzip", "served gzip-compressed by WhiteNoise")
    unhashed = anonymous.get("/static/css/tremplin.css")
    check(
        unhashed.status == 200 and "immutable" not in unhashed.header("Cache-Control"),
        f"the unhashed name is served with a short lifetime ({unhashed.header('Cache-Control')})",
    )

    officer = Browser(url)
    officer.login(OFFICER, PASSWORD)
    print(f"  ok  signed in as {OFFICER}")
    home = officer.get("/")
    territories = re.findall(r'href="/territoires/(\d+)/"', home.text)
    check(home.status == 200 and bool(territories), "home page, signed in, links the officer's territory")
    pk = territories[0]
    page = officer.get(f"/territoires/{pk}/")
    check(
        page.status == 200 and TERRITORY_NAME in page.text,
        f"territory page /territoires/{pk}/: HTTP {page.status} in {page.seconds * 1000:.0f} ms",
    )

    form = officer.get(f"/territoires/{pk}/detection/")
    check(form.status == 200, f"detection page: HTTP {form.status}")
    started = officer.post(
        f"/territoires/{pk}/detection/", {"mode": "deductive", "objective": "gain"}, csrf_from=form
    )
    location = started.header("Location")
    match = re.search(r"/detection/(\d+)/", location)
    check(
        started.status == 302 and match is not None,
        f"detection run started (-> {location or started.status})",
    )
    run_pk = match.group(1)
    began = time.monotonic()
    status = "queued"
    while time.monotonic() - began < timeout:
        progress = officer.get(f"/detection/{run_pk}/progression/")
        found = RUN_STATUS.search(progress.text)
        status = found.group(1) if found else f"HTTP {progress.status}"
        if status in ("done", "failed") or progress.status != 200:
            break
        time.sleep(1)
    check(
        status == "done", f"the worker finished run {run_pk}: {status} after {time.monotonic() - began:.0f} s"
    )
    result = officer.get(f"/detection/{run_pk}/")
    leads = len(re.findall(r"/pistes/\d+/accepter/", result.text))
    check(result.status == 200 and leads > 0, f"the run's page lists leads ({leads} on its first page)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for the detection run")
    args = parser.parse_args(argv)
    print(f"Smoke test of {args.url}")
    try:
        run(args.url.rstrip("/"), args.timeout)
    except (SmokeFailure, OSError) as failure:
        print(f"FAILED: {failure}")
        return 1
    print("Smoke test passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
