"""The web application: server-rendered pages and the REST API over one archive.

``create_app(db)`` builds it; ``communique serve`` runs it under uvicorn. Everything the pages
need (CSS, JS, the API browser) is served by the application itself: no CDN. Safety lives here:
a Content-Security-Policy and other headers on every response, a cap on request bodies, and
errors that are JSON under ``/api`` and a plain page elsewhere, never a traceback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from communique.analysis.corpus import Preparing
from communique.search.ast import QueryError, QueryOverBudget, QueryTooCostly
from communique.search.cancel import Cancelled
from communique.web.disconnect import CancelOnDisconnect
from communique.web.heavy import Busy
from communique.web.jobs import AsyncJobs, Jobs
from communique.web.openapi import describe
from communique.web.service import ArchiveService, BadRequest, impossible_date

HERE = Path(__file__).parent
STATIC = HERE / "static"
MAX_BODY = 20 * 1024 * 1024  # bytes: the largest request (an upload) accepted
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
log = logging.getLogger("communique.web")


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(self.limit)(scope, receive, send)
            return
        seen, over, started = 0, False, False

        async def limited() -> Message:
            nonlocal seen, over
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                over = True
                raise _BodyTooLarge
            return message

        async def checked_send(message: Message) -> None:
            # whatever the app answers once the body went over the cap (FastAPI turns the error
            # raised while it parses a form into a 400) is replaced by the 413 below
            nonlocal started
            if over and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, checked_send)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _too_large(self.limit)(scope, receive, send)


class HostGuard:
    """Links (permalinks, feeds, citations) are built from the request's host: this keeps a
    forged ``Host`` header out of them. With ``public_url`` every request is seen as addressed
    to it; otherwise a ``Host`` outside ``allowed_hosts`` (names, matched without the port) is
    refused with 400. Neither given: the host is taken as sent (the library's default;
    ``communique serve`` always gives one)."""

    def __init__(
        self, app: ASGIApp, public_url: str | None, allowed_hosts: list[str] | None
    ) -> None:
        self.app = app
        self.public: tuple[str, str] | None = None
        if public_url:
            parts = urlsplit(public_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"public URL {public_url!r}: give http(s)://host[:port]")
            self.public = (parts.scheme, parts.netloc)
        self.allowed = {h.lower().strip("[]") for h in allowed_hosts} if allowed_hosts else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope.get("headers") or [] if k != b"host"]
        if self.public is not None:
            scheme, netloc = self.public
            scope = {**scope, "scheme": scheme, "headers": [*headers, (b"host", netloc.encode())]}
        elif self.allowed is not None:
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            name = urlsplit(f"//{host}").hostname or ""
            if name not in self.allowed:
                response = JSONResponse(
                    {"error": "bad_request", "message": "this server does not answer for the "
                     "host named in the request (see: communique serve --public-url, "
                     "--allowed-host)"},
                    status_code=400, headers=SECURITY_HEADERS,
                )  # fmt: skip
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {"error": "payload_too_large", "message": f"the request body is over {limit} bytes"},
        status_code=413,
        headers=SECURITY_HEADERS,  # this middleware runs outside the one that adds them
    )


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the API routes at ``path`` take (with HEAD for GET, and OPTIONS), read off
    the OpenAPI description; empty when no API route has that path."""
    methods: set[str] = set()
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            methods |= {m.upper() for m in operations if m.isalpha()}
    if not methods:
        return []
    return sorted(methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set()))


def _error(request: Request, status: int, code: str, message: str) -> Response:
    if _wants_json(request):
        response: Response = JSONResponse({"error": code, "message": message}, status_code=status)
    else:
        from communique.web.pages import error_page  # pages import the app's helpers

        response = error_page(request, status, message)
    response.headers.update(SECURITY_HEADERS)  # a 500 bypasses the middleware that adds them
    return response


def create_app(
    db_path: str | Path,
    *,
    token: str | None = None,
    max_body: int = MAX_BODY,
    service: ArchiveService | None = None,
    data_dir: str | Path | None = None,
    public_url: str | None = None,
    allowed_hosts: list[str] | None = None,
    **service_options: Any,
) -> FastAPI:
    """The application over the archive at ``db_path``.

    ``token``: when set, ``POST /api/v1/documents`` accepts uploads that carry it as
    ``Authorization: Bearer <token>``; unset, adding documents over HTTP is off.
    ``public_url`` / ``allowed_hosts``: where links point (see :class:`HostGuard`).
    ``service_options``: ``ArchiveService``'s (``heavy_workers``, ``heavy_queue``,
    ``deadline``...).
    """
    from communique.web import (
        api_analyse,
        api_export,
        api_jobs,
        api_track,
        api_verify,
        pages_analyse,
        pages_people,
        pages_track,
        pages_verify,
    )
    from communique.web.api import router as api_router
    from communique.web.pages import router as pages_router

    svc = service or ArchiveService(db_path, data_dir=data_dir, **service_options)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        yield
        app.state.jobs.cancel_all()
        svc.close()

    app = FastAPI(
        title="communique",
        summary="A structured, searchable, citable archive of diplomatic transcripts.",
        version="1",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by pages.py from local assets (the default uses a CDN)
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.service = svc
    describe(app)  # the OpenAPI description as the server really answers (web/openapi.py)
    app.state.token = token or None

    @app.middleware("http")
    async def real_dates(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """``from=2020-02-30`` is a 400 everywhere, not a quietly moved bound."""
        wrong = impossible_date(request.query_params)
        if wrong:
            return _error(request, 400, "bad_request", wrong)
        return await call_next(request)

    @app.middleware("http")
    async def options(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """``OPTIONS`` on a route answers ``204`` with ``Allow``: every method it takes."""
        if request.method != "OPTIONS":
            return await call_next(request)
        allowed = allowed_methods(app, request.url.path)
        if not allowed:
            return await call_next(request)
        return Response(status_code=204, headers={"Allow": ", ".join(allowed)})

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        return _error(request, 400, "bad_request", str(exc))

    @app.exception_handler(QueryError)
    @app.exception_handler(QueryTooCostly)
    async def bad_query(request: Request, exc: ValueError) -> Response:
        return _error(request, 400, "bad_request", str(exc))

    @app.exception_handler(QueryOverBudget)
    async def over_budget(request: Request, exc: QueryOverBudget) -> Response:
        response = _error(request, 503, "query_over_budget", str(exc))
        response.headers["retry-after"] = "1"
        return response

    @app.exception_handler(Cancelled)
    async def client_gone(request: Request, exc: Cancelled) -> Response:
        """Nobody reads this answer: the client closed its connection (the work stopped)."""
        return _error(request, 499, "client_closed_request", str(exc))

    @app.exception_handler(Preparing)
    async def preparing(request: Request, exc: Preparing) -> Response:
        response = _error(request, 503, "preparing", str(exc))
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(Busy)
    async def busy(request: Request, exc: Busy) -> Response:
        response = _error(request, 503, "busy", str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first: dict[str, Any] = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x not in ("query", "path"))
        message = f"{where}: {first.get('msg', 'invalid value')}" if where else "invalid request"
        return _error(request, 400, "bad_request", message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                413: "payload_too_large"}.get(exc.status_code, "error")  # fmt: skip
        response = _error(request, exc.status_code, code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("error while serving %s", request.url.path)
        return _error(request, 500, "internal_error", "something went wrong on the server")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api_router)
    for module in (api_analyse, api_export, api_jobs, api_track, api_verify):
        app.include_router(module.router)
    for module in (pages_analyse, pages_people, pages_track, pages_verify):
        app.include_router(module.router, include_in_schema=False)
    app.include_router(pages_router, include_in_schema=False)
    app.state.jobs = Jobs()  # heavy requests that prefer respond-async (web/jobs.py)
    app.add_middleware(AsyncJobs, jobs=app.state.jobs, headers=SECURITY_HEADERS)  # type: ignore[arg-type]
    app.add_middleware(BodyLimit, limit=max_body)  # type: ignore[arg-type]
    if public_url or allowed_hosts:
        app.add_middleware(
            HostGuard,
            public_url=public_url,
            allowed_hosts=allowed_hosts,  # type: ignore[arg-type]
        )
    app.add_middleware(CancelOnDisconnect)  # type: ignore[arg-type]
    return app
