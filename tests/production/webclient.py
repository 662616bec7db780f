"""A small HTTP client for driving a running Tremplin server as a browser would (standard library only).

Used by the production smoke test (``smoke.py``) and the load benchmark (``benchmarks/load.py``). It keeps
one keep-alive connection and its cookies, sends the CSRF token and an ``Origin`` on POST, and, as a TLS
reverse proxy would, ``X-Forwarded-Proto: https`` (the server runs with
``SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto``): production settings redirect plain HTTP and mark cookies
``Secure``, which this client sends back over the local plain connection all the same.
"""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class Browser:
    def __init__(self, base_url: str, *, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.netloc = parts.netloc
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Response:
        headers = {
            "Host": self.netloc,
            "X-Forwarded-Proto": "https",
            "User-Agent": "tremplin-production-client",
            **headers,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            started = time.perf_counter()
            try:
                self._connection.request(method, path, body=body, headers=headers)
                raw = self._connection.getresponse()
                data = raw.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: once more on a new one.
                self.close()
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - started
            break
        for line in raw.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(line)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if raw.headers.get("Connection", "").lower() == "close":
            self.close()
        return Response(
            status=raw.status,
            headers={name.lower(): value for name, value in raw.headers.items()},
            body=data,
            seconds=seconds,
            url=path,
        )

    def get(self, path: str, *, follow: bool = True, headers: dict[str, str] | None = None) -> Response:
        response = self._send("GET", path, None, headers or {})
        hops = 0
        while follow and response.status in (301, 302, 303, 307, 308) and hops < 5:
            response = self._send("GET", self._local(response.header("Location"), path), None, headers or {})
            hops += 1
        return response

    def post(self, path: str, fields: dict[str, str], *, csrf_from: Response | None = None) -> Response:
        token = self.cookies.get("csrftoken", "")
        if csrf_from is not None:
            match = CSRF_FIELD.search(csrf_from.body)
            if match:
                token = match.group(1).decode()
        body = urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://{self.netloc}",
            "Referer": f"https://{self.netloc}{path}",
        }
        return self._send("POST", path, body, headers)

    def login(self, email: str, password: str, *, path: str = "/comptes/connexion/") -> Response:
        form = self.get(path)
        if form.status != 200:
            raise AssertionError(f"login page {path}: HTTP {form.status}")
        response = self.post(path, {"username": email, "password": password}, csrf_from=form)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise AssertionError(f"login as {email} refused: HTTP {response.status}")
        return response

    def _local(self, location: str, current: str) -> str:
        target = urlsplit(urljoin(f"https://{self.netloc}{current}", location))
        return target.path + (f"?{target.query}" if target.query else "")
