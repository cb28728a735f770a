"""``rangeload get``, ``list``, ``resume``, ``remove``: headless downloads on the engine.

``get`` exits 0 only when every file is complete and verified. Ctrl-C pauses and saves;
running the same command again finds the stored download (same URL and folder) and
resumes it, also after a ``kill -9``. Progress is one redrawn line on a terminal and
plain lines otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType

from gui_app.commands.request_flags import RequestFlags, all_urls, parse_headers, tls_settings
from gui_app.engine import (
    DIRECT,
    MAX_CONNECTIONS,
    Checksum,
    DownloadError,
    DownloadEvent,
    DownloadId,
    DownloadManager,
    DownloadRecord,
    DownloadRemoved,
    DownloadRequest,
    DownloadSnapshot,
    DownloadState,
    EngineOptions,
    InvalidURLError,
    ProxySettings,
    RefreshRefusedError,
    Store,
    TlsSettings,
    held_by_a_process,
    host_of,
    same_origin,
    secrets_in_words,
    secrets_of,
    validate_url,
    with_cookies,
)
from gui_app.ground.units import format_bytes, format_duration, format_rate, parse_rate

__all__ = ["run_get", "run_list", "run_refresh", "run_remove", "run_resume"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PLAIN_PROGRESS_EVERY = 5.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _UsageError(Exception):
    """A bad argument; the message says which and why."""


def _error(message: str) -> None:
    with contextlib.suppress(OSError):  # a closed terminal (SIGHUP) takes no more lines
        print(f"rangeload: {message}", file=sys.stderr)


def _open_store() -> Store:
    store = Store.default()
    if store.recovered_from is not None:
        _error(
            f"warning: the download list could not be read and was moved to "
            f"{store.recovered_from}; starting a new list"
        )
    store.all()  # reads every row once: unreadable ones are set aside and named here
    for message in store.set_aside_rows:
        _error(f"warning: {message}")
    return store


def _proxies(args: argparse.Namespace) -> ProxySettings:
    """``get``'s ``-x`` for everything, ``--no-proxy`` for nothing, else the environment's."""
    if args.no_proxy:
        return ProxySettings()
    if args.proxy:
        return ProxySettings.manual(args.proxy)
    return ProxySettings.from_environment(os.environ)


@contextmanager
def _manager(
    proxies: ProxySettings | None = None,
    limit: int | None = None,
    jobs: int = 3,
    tls: TlsSettings = TlsSettings(),  # noqa: B008  # a frozen value
) -> Iterator[tuple[Store, DownloadManager]]:
    """The shared store and a manager that runs only the downloads this command names,
    ``jobs`` at a time, through ``proxies`` (None: the environment's, as curl reads them)."""
    if proxies is None:
        proxies = ProxySettings.from_environment(os.environ)
    options = EngineOptions(max_concurrent=jobs, global_rate_limit=limit, proxies=proxies, tls=tls)
    store = _open_store()
    manager = DownloadManager(store, options=options)
    manager.start(resume_running=False, run_queued=False)
    try:
        yield store, manager
    finally:
        manager.shutdown()
        store.close()


def _requests(args: argparse.Namespace) -> list[DownloadRequest]:
    dest = Path(args.dir).expanduser()
    try:
        dest.mkdir(parents=True, exist_ok=True)  # as wget and aria2c do
    except OSError as error:
        raise _UsageError(f"cannot make the destination folder {dest}: {error.strerror}") from None
    urls = all_urls(args.urls, args.input_file)
    if args.output and len(urls) > 1:
        raise _UsageError("-o/--output names one file; give one URL with it")
    if not 1 <= args.connections <= MAX_CONNECTIONS:
        raise _UsageError(f"-c/--connections must be between 1 and {MAX_CONNECTIONS}")
    if not 1 <= args.jobs <= 64:
        raise _UsageError("-j must be between 1 and 64")
    try:
        checksum = Checksum.parse(args.checksum) if args.checksum else None
    except ValueError as error:
        raise _UsageError(f"--checksum: {error}") from None
    flags = RequestFlags(args)
    requests = []
    for url in urls:
        try:
            valid = validate_url(url)
        except InvalidURLError as error:
            raise _UsageError(f"{error}") from None
        requests.append(
            DownloadRequest(
                url=valid,
                dest_dir=dest.resolve(),
                filename=args.output,
                connections=args.connections,
                checksum=checksum,
                headers=flags.headers(valid),
                login=flags.login(valid),
                cookies=flags.cookies(),
                # Kept with the download, so that resume and refresh go the same way.
                proxy=DIRECT if args.no_proxy else args.proxy,
            )
        )
    return requests


def _find_stored(
    records: Sequence[DownloadRecord], request: DownloadRequest
) -> DownloadRecord | None:
    """The stored download the same command started before, if any (newest first)."""
    for record in reversed(records):
        if record.url != request.url or record.dest_dir != request.dest_dir:
            continue
        if request.filename and record.filename != request.filename:
            continue
        if record.state is DownloadState.COMPLETED:
            if record.path is not None and record.path.exists():
                return record
            continue
        return record
    return None


def run_get(args: argparse.Namespace) -> int:
    try:
        requests = _requests(args)
        limit = parse_rate(args.limit) if args.limit else None
        proxies = _proxies(args)
    except (_UsageError, ValueError, InvalidURLError) as error:
        _error(str(error))
        return EXIT_USAGE
    ids: list[DownloadId | None] = []
    new: list[DownloadRequest] = []
    with _manager(proxies, limit, args.jobs, tls_settings(args)) as (store, manager):
        stored = _stored_by_place(store.all())
        for request in requests:
            record = _find_stored(stored.get((request.url, request.dest_dir), ()), request)
            if record is not None and record.state is DownloadState.COMPLETED:
                if not args.quiet:
                    print(f"already downloaded: {record.path}")
                ids.append(record.id)
                continue
            if record is not None:
                if not args.quiet:
                    print(f"resuming #{record.id} {record.display_name}")
                # This command line says what is wanted now (a corrected checksum, a fresh
                # token): it replaces what the earlier run stored.
                # Its cookies: those a redirect set stay, the command line's replace theirs.
                cookies = with_cookies(record.cookies, request.cookies)
                manager.set_options(record.id, replace(request.options, cookies=cookies))
                manager.resume(record.id)
                ids.append(record.id)
            else:
                ids.append(None)
                new.append(request)
        added = iter(manager.add_many(new))  # one store transaction for a list of links
        return _follow(
            manager, [i if i is not None else next(added) for i in ids], quiet=args.quiet
        )


def _stored_by_place(
    records: Sequence[DownloadRecord],
) -> dict[tuple[str, Path], list[DownloadRecord]]:
    """The stored downloads by URL and folder (a list of 1,000 links looks each up once)."""
    places: dict[tuple[str, Path], list[DownloadRecord]] = {}
    for record in records:
        places.setdefault((record.url, record.dest_dir), []).append(record)
    return places


def run_refresh(args: argparse.Namespace) -> int:
    """A stopped download's new address (an expired link renewed), keeping its bytes."""
    try:
        headers = tuple(parse_headers(args.headers)) if args.headers else None
    except ValueError as error:
        _error(str(error))
        return EXIT_USAGE
    with _manager(tls=tls_settings(args)) as (store, manager):
        record = next((r for r in store.all() if r.id == args.id), None)
        if record is None:
            _error(f"no stored download with id {args.id} (see 'rangeload list')")
            return EXIT_USAGE
        _say_secrets_left(record, args.url, headers)
        try:
            manager.refresh(args.id, args.url, headers)
        except RefreshRefusedError as error:
            if not args.restart:
                _error(
                    f"#{args.id} {record.display_name}: {error}; --restart starts over "
                    "from the new address"
                )
                return EXIT_FAILED
            manager.restart(args.id, args.url, headers=headers)
            if not args.quiet:
                print(f"#{args.id} {record.display_name}: {error}; starting over from it")
            return _follow(manager, [args.id], quiet=args.quiet)
        except (ValueError, DownloadError) as error:
            _error(f"#{args.id} {record.display_name}: {error}")
            return EXIT_FAILED if isinstance(error, DownloadError) else EXIT_USAGE
        if not args.quiet:
            kept = format_bytes(record.done_bytes)
            print(f"#{args.id} {record.display_name}: new address taken, {kept} kept")
        manager.resume(args.id)
        return _follow(manager, [args.id], quiet=args.quiet)


def _say_secrets_left(
    record: DownloadRecord, url: str, headers: tuple[tuple[str, str], ...] | None
) -> None:
    """Say which of the old origin's secrets a refresh to another origin leaves behind."""
    if same_origin(url, record.url):
        return
    left = secrets_of(record.request if headers is None else replace(record.request, headers=()))
    if left:
        _error(
            f"#{record.id}: {secrets_in_words(left)} given for {host_of(record.url)} "
            f"{'is' if len(left) == 1 else 'are'} not sent to {host_of(url)}; give them "
            "again with -H if that site needs them"
        )


def run_resume(args: argparse.Namespace) -> int:
    with _manager(tls=tls_settings(args)) as (store, manager):
        known = {record.id for record in store.all()}
        missing = [i for i in args.ids if i not in known]
        if missing:
            _error(f"no stored download with id {missing[0]} (see 'rangeload list')")
            return EXIT_USAGE
        for download_id in args.ids:
            manager.resume(download_id)
        return _follow(manager, args.ids, quiet=args.quiet)


def run_remove(args: argparse.Namespace) -> int:
    removed = threading.Semaphore(0)

    def on_event(event: DownloadEvent) -> None:
        if isinstance(event, DownloadRemoved):
            removed.release()

    code = EXIT_OK
    with _manager() as (_, manager):
        manager.subscribe(on_event)
        for download_id in args.ids:
            try:
                manager.remove(download_id, delete_file=args.delete_files)
            except KeyError:
                _error(f"no stored download with id {download_id}")
                code = EXIT_USAGE
                continue
            removed.acquire(timeout=15)
            print(f"removed #{download_id}")
    return code


def run_list(args: argparse.Namespace) -> int:
    store = _open_store()
    try:
        records = store.all()
    finally:
        store.close()
    if not records:
        print("no downloads stored")
        return EXIT_OK
    active = [r.id for r in records if r.state.is_active]
    running = held_by_a_process(store.path.parent / "locks", active) if active else set()
    print(f"{'ID':>4}  {'STATE':<11}  {'DONE':>6}  {'SIZE':>10}  NAME")
    for record in records:
        size = "?" if record.size is None else format_bytes(record.size)
        if record.size:
            done = f"{100 * record.done_bytes / record.size:.0f}%"
        else:
            done = "100%" if record.state is DownloadState.COMPLETED else "-"
        name = record.display_name
        state = record.state.value
        if record.state.is_active and record.id not in running:
            state = "interrupted"  # its process ended unsaved: 'rangeload resume ID'
        line = f"{record.id:>4}  {state:<11}  {done:>6}  {size:>10}  {name}"
        if record.error and record.state is not DownloadState.COMPLETED:
            line += f"  ({record.error})"
        print(line)
    return EXIT_OK


# -- following downloads to the end ------------------------------------------------------


def _follow(manager: DownloadManager, ids: Sequence[DownloadId], *, quiet: bool) -> int:
    interrupted = threading.Event()
    caught: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)
        interrupted.set()

    terminal = sys.stderr.isatty() and not quiet
    wanted = frozenset(ids)
    last_plain = time.monotonic()
    with contextlib.ExitStack() as stack:
        # Ctrl-C, a shutdown or systemd (SIGTERM), a closed terminal (SIGHUP): each pauses
        # and saves, as aria2c does, and the exit code says which (128 + the signal).
        for stopping in STOP_SIGNALS:
            stack.callback(signal.signal, stopping, signal.signal(stopping, on_signal))
        shown = None
        if terminal:  # rich, only where there is a terminal to draw on
            from gui_app.commands.progress import TerminalProgress

            shown = stack.enter_context(TerminalProgress(sys.stderr))
        while not manager.wait(ids, timeout=0.25):
            if interrupted.is_set():
                for download_id in ids:
                    manager.pause(download_id)
                manager.wait(ids, timeout=10)
                break
            if shown is not None:
                shown.show(_ours(manager.snapshot(), wanted))
            elif not quiet and time.monotonic() - last_plain >= PLAIN_PROGRESS_EVERY:
                last_plain = time.monotonic()
                for snapshot in manager.active_snapshot():
                    if snapshot.id in wanted and snapshot.state is DownloadState.RUNNING:
                        print(_progress_text(snapshot), flush=True)
        if shown is not None:
            shown.show(_ours(manager.snapshot(), wanted))
    code = _summarize(manager, ids, quiet=quiet, interrupted=interrupted.is_set())
    return 128 + caught[0] if caught and code == EXIT_INTERRUPTED else code


def _ours(
    snapshots: Sequence[DownloadSnapshot], wanted: frozenset[DownloadId]
) -> list[DownloadSnapshot]:
    return [s for s in snapshots if s.id in wanted]


def _progress_text(snapshot: DownloadSnapshot) -> str:
    record = snapshot.record
    name = record.display_name
    size = "?" if record.size is None else format_bytes(record.size)
    fraction = snapshot.fraction
    percent = "" if fraction is None else f"{100 * fraction:5.1f}% "
    return (
        f"{name}: {percent}{format_bytes(snapshot.done_bytes)} of {size} at "
        f"{format_rate(snapshot.speed)}, ETA {format_duration(snapshot.eta)}, "
        f"{len(snapshot.connections)} connections"
    )


def _summarize(
    manager: DownloadManager, ids: Sequence[DownloadId], *, quiet: bool, interrupted: bool
) -> int:
    code = EXIT_OK
    for download_id in ids:
        snapshot = manager.get(download_id)
        if snapshot is None:
            continue
        record = snapshot.record
        name = record.display_name
        if record.state is DownloadState.COMPLETED:
            if not quiet:
                size = format_bytes(record.size or 0)
                print(f"done: {record.path} ({size})")
            continue
        if record.state is DownloadState.PAUSED and interrupted:
            _error(
                f"{name}: paused at {format_bytes(record.done_bytes)}; run the same "
                "command again to resume"
            )
            code = max(code, EXIT_INTERRUPTED)
        else:
            _error(f"{name}: {record.error or record.state.value}")
            code = EXIT_FAILED if code == EXIT_OK else code
    return code
