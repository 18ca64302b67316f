"""Command: serve (the web interface and the REST API)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Annotated

import typer

from communique.cli.options import (
    DEFAULT_DB,
    DataDirOption,
    DbOption,
    console,
)
from communique.store import is_url

commands = typer.Typer()


@commands.command()
def serve(
    db: DbOption = DEFAULT_DB,
    data_dir: DataDirOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="COMMUNIQUE_TOKEN",
            help="Allow POST /api/v1/documents for clients sending this bearer token "
            "(unset: adding documents over HTTP is off).",
        ),
    ] = None,
    max_body: Annotated[
        int | None,
        typer.Option(min=1, help="Largest request body accepted, in bytes (default 20 MiB)."),
    ] = None,
    public_url: Annotated[
        str | None,
        typer.Option(
            envvar="COMMUNIQUE_PUBLIC_URL",
            help="The URL clients reach the server at (https://archive.example.org): "
            "permalinks, citations, exports and feeds use it, whatever Host a request names.",
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            help="A host name clients may use (repeatable; default: localhost, "
            "127.0.0.1, ::1 and --host); others get 400."
        ),
    ] = None,
    timeout_keep_alive: Annotated[
        int, typer.Option(help="Seconds an idle or slow client may hold a connection.")
    ] = 5,
    max_connections: Annotated[
        int, typer.Option(help="Concurrent connections accepted in all (others get 503).")
    ] = 200,
    max_client_connections: Annotated[
        int, typer.Option(help="Concurrent connections from one client address.")
    ] = 16,
    request_timeout: Annotated[
        float, typer.Option(help="Seconds a client has to send a whole request.")
    ] = 30.0,
    heavy_workers: Annotated[
        int,
        typer.Option(
            min=0,
            help="Processes for heavy analyses (keyness, collocations, verify, "
            "sorted KWIC, subcorpus selection); 0: in the request's thread.",
        ),
    ] = 2,
    heavy_queue: Annotated[
        int, typer.Option(min=0, help="Heavy requests that may wait; more get 503 Retry-After.")
    ] = 8,
    deadline: Annotated[
        float,
        typer.Option(
            min=1,
            help="Seconds a heavy request may take (waiting included) before "
            "it is stopped and answered 503 with Retry-After.",
        ),
    ] = 60.0,
) -> None:
    """Serve the archive: web interface at /, REST API at /api/v1 (docs at /api/v1/docs)."""
    from communique.web import create_app
    from communique.web.app import MAX_BODY
    from communique.web.serving import limit_malloc_arenas, run_server, serve_hosts

    if not is_url(db) and not Path(db).exists():
        console.print(
            f"[red]No archive at {db}.[/] Create one with: communique ingest PATH --db {db}"
        )
        raise typer.Exit(2)
    hosts = None if public_url else serve_hosts(host, allowed_host)
    limit_malloc_arenas()  # before the server's threads start
    with console.status("bringing the search index up to date"):
        web_app = create_app(
            db, token=token, max_body=max_body or MAX_BODY, data_dir=data_dir,
            public_url=public_url, allowed_hosts=hosts,
            heavy_workers=heavy_workers, heavy_queue=heavy_queue, deadline=deadline,
        )  # fmt: skip
    console.print(f"serving {db} on http://{host}:{port}/ (API: http://{host}:{port}/api/v1/docs)")
    # what start-up loaded (the index, the people register, gazetteers) lives as long as the
    # server: kept out of the garbage collector's full passes, which would walk it again and
    # again and stall requests
    gc.collect()
    gc.freeze()
    run_server(web_app, host=host, port=port, timeout_keep_alive=timeout_keep_alive,
               max_connections=max_connections, per_client=max_client_connections,
               request_seconds=request_timeout)  # fmt: skip
