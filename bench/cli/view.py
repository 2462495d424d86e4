"""``sumbench view``: build the results site of a run (optionally with a diff against a second
run) and, with ``--serve``, serve it on 127.0.0.1 and open the browser."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bench.cli.errors import err, fail
from bench.store import StoreError

if TYPE_CHECKING:  # the site's modules load when a site is built, not with the command line
    from bench.report.view import Site, ViewOptions


def build_site(
    run_dir: Path,
    out: Path | None = None,
    options: ViewOptions | None = None,
    required: bool = True,
) -> Site | None:
    """Build the site and say where it is; a store error is the command's error exit, or
    only a warning when the site is not ``required`` (a run's results stand without it)."""
    from bench.report.view import build_view

    try:
        site = build_view(run_dir, out, options)
    except StoreError as error:
        if not required:
            err.print(f"[yellow]warning:[/] no results site: {error}", highlight=False)
            return None
        raise fail(str(error)) from None
    err.print(
        f"site: {site.index} ({site.tasks} tasks, {site.texts} with their texts)", highlight=False
    )
    if site.texts < site.tasks:
        err.print(f"[yellow]note:[/] {site.text_note}", highlight=False)
    return site


def view(
    run_dir: Annotated[Path, typer.Argument(help="A results folder written by `sumbench run`.")],
    other: Annotated[
        Path | None,
        typer.Argument(
            help="A newer results folder: adds a diff page (RUN2 - RUN, as compare), and the "
            "site goes into it."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Site folder (default: RUN/view; with RUN2, RUN2/view-vs-<RUN>)."
        ),
    ] = None,
    tasks: Annotated[
        str | None,
        typer.Option("--tasks", help="Where the task texts are (default: the run's task set)."),
    ] = None,
    references: Annotated[
        str | None, typer.Option("--references", help="References folder of those tasks.")
    ] = None,
    do_serve: Annotated[
        bool, typer.Option("--serve", help="Serve the site on 127.0.0.1 until Ctrl-C.")
    ] = False,
    port: Annotated[int, typer.Option(help="Port of --serve (0: any free port).")] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the browser with --serve.")
    ] = True,
) -> None:
    """Build a self-contained results site (works from file://, no network) and print its
    address: the table, per-item distributions, tasks, summaries with evidence, problems."""
    from bench.report.view import ViewOptions

    if out is None and other is not None:  # the run examined is the new one: not inside the old
        out = other / f"view-vs-{run_dir.resolve().name}"
    site = build_site(run_dir, out, ViewOptions(tasks, references, other))
    if site is None:  # not reached: a required site that fails exits
        raise typer.Exit(2)
    if not do_serve:
        typer.echo(site.index.resolve().as_uri())
        return
    import webbrowser  # only here: they cost the command line's start-up otherwise

    from bench.report.view.serve import serve

    try:
        server = serve(site.index.parent, port)
    except OSError as error:
        raise fail(f"cannot serve on 127.0.0.1:{port} ({error}); try --port 0") from None
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    typer.echo(f"serving {url} (Ctrl-C stops)")
    sys.stdout.flush()
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
