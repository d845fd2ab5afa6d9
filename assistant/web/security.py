"""Who may use the web app: allowed origins (CORS and framing), an optional access token, a rate limit.

Gradio on its own sends no X-Frame-Options or Content-Security-Policy and, reached by any host name other
than localhost, answers every origin with credentials. Byline's default is same-origin only: a request
carrying a foreign ``Origin`` is refused (403) unless that origin is listed in ``BYLINE_ALLOWED_ORIGINS``, and
pages may be framed only by the app itself and by those origins (``frame-ancestors``).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.errors import BylineError, ConfigError

TOKEN_COOKIE = "byline_token"
# Code and fonts only, no article data: loadable without the token so the embed script can start.
PUBLIC_PREFIXES = (
    "/gradio.js",
    "/assets/",
    "/static/",
    "/widget/assets/",
    "/widget/static/",
    "/favicon.ico",
    "/healthz",
)
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


class RateLimitedError(BylineError):
    hint = "Wait a minute and ask again (the limit is BYLINE_RATE_LIMIT_PER_MINUTE questions per session)."


def normalise_origin(origin: str) -> str:
    """``scheme://host[:port]`` in lower case, default port dropped; raises ConfigError if it is not an origin."""
    parts = urlsplit(origin.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
    ):
        raise ConfigError(
            f"Not an origin: {origin!r} — BYLINE_ALLOWED_ORIGINS takes scheme://host[:port] values, "
            'e.g. ["https://intranet.example.com"].'
        )
    port = parts.port
    host = parts.hostname.lower()
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[parts.scheme] else "")


def _host_key(host_header: str, scheme: str) -> str:
    """Host header -> ``host[:port]`` without the scheme's default port."""
    host = host_header.strip().lower()
    default = _DEFAULT_PORTS.get(scheme)
    if default and host.endswith(f":{default}"):
        host = host[: -len(f":{default}")]
    return host


def origin_allowed(origin: str, host_header: str | None, allowed: Iterable[str]) -> bool:
    """True when ``origin`` is the app's own (same host and port as the request) or listed in ``allowed``."""
    try:
        norm = normalise_origin(origin)
    except ConfigError:
        return False  # "null" (sandboxed/file pages) and garbage are never allowed
    if norm in allowed:
        return True
    scheme, _, netloc = norm.partition("://")
    return host_header is not None and _host_key(host_header, scheme) == netloc


def frame_ancestors(allowed: Sequence[str]) -> str:
    """The CSP that limits who may frame the app."""
    return "frame-ancestors " + " ".join(["'self'", *allowed])


class SecurityMiddleware:
    """ASGI middleware: refuses foreign origins, checks the access token, adds framing headers."""

    def __init__(self, app: ASGIApp, allowed_origins: Sequence[str] = (), token: str | None = None) -> None:
        self.app = app
        self.allowed = [normalise_origin(o) for o in allowed_origins]
        self.token = token or None
        self.cookie_value = hashlib.sha256(token.encode()).hexdigest() if token else ""
        self.csp = frame_ancestors(self.allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is not None and not origin_allowed(origin, headers.get("host"), self.allowed):
            await self._refuse(
                scope, receive, send, 403, f"Origin {origin} is not allowed (BYLINE_ALLOWED_ORIGINS)."
            )
            return
        set_cookie = False
        if (
            self.token
            and scope["type"] == "http"
            and scope["method"] != "OPTIONS"
            and not self._public(scope)
        ):
            via_query = self._query_token(scope)
            if via_query is not None and hmac.compare_digest(via_query, self.token):
                set_cookie = True
            elif not self._token_ok(headers):
                await self._refuse(
                    scope,
                    receive,
                    send,
                    401,
                    "Access token required: add ?token=... or 'Authorization: Bearer ...'.",
                )
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out["Content-Security-Policy"] = self.csp
                if not self.allowed:
                    out["X-Frame-Options"] = "SAMEORIGIN"  # older browsers ignore frame-ancestors
                out["X-Content-Type-Options"] = "nosniff"
                out["Referrer-Policy"] = "same-origin"
                if set_cookie:
                    secure = "; Secure" if scope.get("scheme") == "https" else ""
                    same_site = "None" if secure else "Lax"  # cross-site iframes need None, which needs https
                    out.append(
                        "Set-Cookie",
                        f"{TOKEN_COOKIE}={self.cookie_value}; Path=/; HttpOnly; SameSite={same_site}{secure}",
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _public(self, scope: Scope) -> bool:
        path = scope.get("path", "")
        return any(path == p or path.startswith(p) for p in PUBLIC_PREFIXES)

    @staticmethod
    def _query_token(scope: Scope) -> str | None:
        values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
        return values[0] if values else None

    def _token_ok(self, headers: Headers) -> bool:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(auth[7:].strip(), self.token or ""):
            return True
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == TOKEN_COOKIE and hmac.compare_digest(value, self.cookie_value):
                return True
        return False

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = PlainTextResponse(text, status_code=status, headers={"Content-Security-Policy": self.csp})
        await response(scope, receive, send)


class RateLimiter:
    """At most ``per_minute`` calls per key in any 60-second window (0 = unlimited). Thread-safe."""

    def __init__(
        self, per_minute: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute = per_minute
        self.window_s = window_s
        self.clock = clock
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Record one call for ``key``; raise RateLimitedError if it is over the limit."""
        if self.per_minute <= 0:
            return
        now = self.clock()
        with self._lock:
            calls = self._calls.setdefault(key, deque())
            while calls and now - calls[0] >= self.window_s:
                calls.popleft()
            if len(calls) >= self.per_minute:
                wait = int(self.window_s - (now - calls[0])) + 1
                raise RateLimitedError(
                    f"Too many questions: {self.per_minute} per minute; try again in {wait}s."
                )
            calls.append(now)
            if len(self._calls) > 10_000:  # forget idle sessions so memory stays bounded
                self._calls = {k: v for k, v in self._calls.items() if v and now - v[-1] < self.window_s}
