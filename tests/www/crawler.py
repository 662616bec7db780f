"""A bounded crawler for the test client: from a start page, follow every same-site link and GET form
(with the values the form shows), and record each response. Used by the re-audit (tests/www/test_crawl.py)."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

#: Never followed: they end the session, change the language or leave the platform's pages.
SKIPPED = re.compile(r"^/(comptes/deconnexion/|i18n/|admin/|static/|media/)")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self.inline_scripts: list[str] = []
        self.handlers: list[str] = []
        self.javascript_urls: list[str] = []
        self._in_script_without_src = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._in_script_without_src = not values.get("src") and values.get("type") != "application/json"
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        elif tag == "form":
            self._form = {
                "method": (values.get("method") or "get").lower(),
                "action": values.get("action"),
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and values.get("name"):
            kind = (values.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in values:
                return
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            self._form["fields"].append((values["name"], values.get("value") or ""))
        elif self._form is not None and tag == "select" and values.get("name"):
            self._select = values["name"]
            self._form["fields"].append((self._select, None))  # the first option, unless one is selected
        elif self._form is not None and tag == "option" and self._select:
            fields = self._form["fields"]
            name, chosen = fields[-1]
            if chosen is None or "selected" in values:
                fields[-1] = (name, values.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "script":
            self._in_script_without_src = False

    def handle_data(self, data):
        if self._in_script_without_src and data.strip():
            self.inline_scripts.append(data.strip()[:80])


@dataclass
class Visit:
    url: str
    status: int
    content_type: str
    headers: dict
    problems: list[str] = field(default_factory=list)


def _same_site(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:")):
        return None
    absolute = urljoin(base, href)
    parts = urlsplit(absolute)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path
    if SKIPPED.match(path):
        return None
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return path + (f"?{query}" if query else "")


def close_response(response) -> None:
    """Close a response (a file response keeps its file open until then) as the test client does: without
    the request-finished signal closing the database connection, which on PostgreSQL holds the test's
    transaction."""
    from django.core.signals import request_finished
    from django.db import close_old_connections

    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def crawl(client, start: str = "/", *, limit: int = 300) -> dict[str, Visit]:
    """Breadth-first from ``start``; returns every URL visited with what it answered."""
    seen: dict[str, Visit] = {}
    queue = deque([start])
    queued = {start}
    while queue and len(seen) < limit:
        url = queue.popleft()
        response = client.get(url)
        close_response(response)
        content_type = response.get("Content-Type", "")
        visit = Visit(url, response.status_code, content_type, dict(response.headers))
        seen[url] = visit
        if response.status_code in (301, 302, 303, 307, 308):
            target = _same_site(url, response["Location"])
            if target and target not in queued:
                queued.add(target)
                queue.append(target)
            continue
        if not content_type.startswith("text/html") or response.status_code != 200:
            continue
        page = _Page()
        page.feed(response.content.decode(response.charset or "utf-8"))
        visit.problems += [f"inline script: {s}" for s in page.inline_scripts]
        visit.problems += [f"event handler: {h}" for h in page.handlers]
        visit.problems += [f"javascript: URL: {j}" for j in page.javascript_urls]
        found = list(page.links)
        for form in page.forms:
            if form["method"] != "get":
                continue
            action = form["action"] or url.split("?")[0]
            fields = [(name, value or "") for name, value in form["fields"]]
            found.append(action + ("?" + urlencode(fields) if fields else ""))
        for href in found:
            target = _same_site(url, href)
            if target and target not in queued:
                queued.add(target)
                queue.append(target)
    return seen


# --- Forms, with their fields, for the hostile-values tests -------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # text, email, hidden, number, date, textarea, select, checkbox, radio, file…
    value: str = ""
    options: list[str] = field(default_factory=list)
    multiple: bool = False


@dataclass
class Form:
    method: str
    action: str
    fields: list[FormField] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self._form = Form((values.get("method") or "get").lower(), values.get("action") or "")
            self.forms.append(self._form)
            return
        if self._form is None or (not values.get("name") and tag != "option"):
            return
        if tag == "input":
            kind = (values.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in values:
                return
            self._form.fields.append(FormField(values["name"], kind, values.get("value") or ""))
        elif tag == "textarea":
            self._textarea = FormField(values["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = FormField(values["name"], "select", multiple="multiple" in values)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = values.get("value", "")
            self._select.options.append(value)
            if "selected" in values:
                self._select.value = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None:  # a browser drops the newline that follows <textarea>
                self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms
