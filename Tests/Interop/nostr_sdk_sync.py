#!/usr/bin/env python3
"""NIP-77 negentropy sync with a relay, done by the rust-nostr SDK (the `nostr-sdk` Python bindings).

An interoperability probe for PurplePages: a client we did not write reconciles its own database with
the relay under test.

    nostr_sdk_sync.py --relay ws://127.0.0.1:PORT --direction down|up|both \
        [--filter '{"kinds":[0,3]}'] [--events-in IN.jsonl] [--events-out OUT.jsonl] [--dry-run]
        [--initial-timeout SECONDS] [--timeout SECONDS] [--verbose]

1. Opens a fresh SDK database (NostrLmdb in a temporary directory, removed at exit) and saves every
   event of --events-in (JSONL, one signed NIP-01 event per line; each is verified first).
2. Connects to --relay and runs `Client.sync(filter, with=[relay], opts=SyncOptions().direction(...))`.
3. Writes every event the SDK's database then holds to --events-out (JSONL, the SDK's serialisation),
   and prints one line of JSON to stdout:
   {"relay", "direction", "dry_run", "local", "remote", "sent", "received", "send_failures", "failed",
    "database_events"}, the id lists as hex.

Exit status 0 when the sync succeeded with the relay and every event to send was sent; 1 otherwise, with
the SDK's error message on stderr (the summary is still printed when the sync itself returned); 2 for a
bad argument or input. Run it with the interop virtual environment's python, which scripts/install-deps
creates (.venv-interop/, the pinned versions in Tests/Interop/requirements.txt).
"""

import argparse
import asyncio
import datetime
import json
import os
import sys
import tempfile

from nostr_sdk import (
    ClientBuilder,
    Event,
    Filter,
    LogLevel,
    NostrLmdb,
    RelayLimits,
    RelayUrl,
    SyncDirection,
    SyncOptions,
    init_logger,
    uniffi_set_event_loop,
)

DIRECTIONS = {"down": SyncDirection.DOWN, "up": SyncDirection.UP, "both": SyncDirection.BOTH}


class InputError(Exception):
    """A bad argument or input file: exit status 2."""


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="NIP-77 sync with a relay through the rust-nostr SDK")
    parser.add_argument("--relay", required=True, help="relay URL, ws://127.0.0.1:PORT")
    parser.add_argument("--direction", choices=sorted(DIRECTIONS), default="down")
    parser.add_argument("--filter", default="{}", help="NIP-01 filter as JSON (default: {}, everything)")
    parser.add_argument("--events-in", help="JSONL of signed events the SDK's database starts with")
    parser.add_argument("--events-out", help="JSONL file for every event the SDK's database holds afterwards")
    parser.add_argument("--dry-run", action="store_true", help="reconcile ids only, transfer no event")
    parser.add_argument(
        "--initial-timeout", type=float, default=10.0,
        help="seconds the SDK waits for the relay's first negentropy answer (default 10)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds for the whole run (default 60)")
    parser.add_argument("--verbose", action="store_true", help="the SDK's own log (debug level, on stdout)")
    return parser.parse_args(argv)


def read_events(path):
    """The verified events of the JSONL file at `path` (blank lines skipped)."""
    events = []
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                event = Event.from_json(line)
            except Exception as error:  # the SDK raises its own error types
                raise InputError(f"{path}:{number}: not an event: {error}") from error
            if not event.verify():
                raise InputError(f"{path}:{number}: id or signature does not verify")
            events.append(event)
    return events


def hex_ids(ids):
    return sorted(event_id.to_hex() for event_id in ids)


async def run(arguments):
    try:
        relay_url = RelayUrl.parse(arguments.relay)
    except Exception as error:
        raise InputError(f"bad relay URL {arguments.relay!r}: {error}") from error
    try:
        sync_filter = Filter.from_json(arguments.filter)
    except Exception as error:
        raise InputError(f"bad filter {arguments.filter!r}: {error}") from error
    events = read_events(arguments.events_in) if arguments.events_in else []
    # The SDK calls the database (a NostrDatabase handed in from Python) from its own threads, where
    # asyncio finds no running loop unless told which one to use.
    uniffi_set_event_loop(asyncio.get_running_loop())

    with tempfile.TemporaryDirectory(prefix="nostr-sdk-sync-") as directory:
        database = await NostrLmdb.open(directory + "/db")
        for event in events:
            await database.save_event(event)
        # No size or tag limits of the SDK's own: what is tested is the protocol, not the SDK's limits.
        client = ClientBuilder().database(database).relay_limits(RelayLimits.disable()).build()
        await client.add_relay(relay_url)
        connection = await client.try_connect(datetime.timedelta(seconds=10))
        if connection.failed:
            reasons = "; ".join(f"{url}: {reason}" for url, reason in connection.failed.items())
            print(f"nostr_sdk_sync: cannot connect: {reasons}", file=sys.stderr)
            return 1

        options = SyncOptions().direction(DIRECTIONS[arguments.direction])
        options = options.initial_timeout(datetime.timedelta(seconds=arguments.initial_timeout))
        if arguments.dry_run:
            options = options.dry_run()
        try:
            output = await client.sync(sync_filter, _with=[relay_url], opts=options)
        except Exception as error:
            print(f"nostr_sdk_sync: sync failed: {error}", file=sys.stderr)
            await client.shutdown()
            return 1

        held = await database.query(Filter())
        if arguments.events_out:
            with open(arguments.events_out, "w", encoding="utf-8") as file:
                for event in held:
                    file.write(event.as_json() + "\n")
        await client.shutdown()

    report = output.report
    failed = {str(url): reason for url, reason in output.failed.items()}
    send_failures = {
        str(url): {item.id.to_hex(): item.error for item in items}
        for url, items in report.send_failures.items()
        if items
    }
    summary = {
        "relay": arguments.relay,
        "direction": arguments.direction,
        "dry_run": arguments.dry_run,
        "local": hex_ids(report.local),
        "remote": hex_ids(report.remote.keys()),
        "sent": hex_ids(report.sent.keys()),
        "received": hex_ids(report.received.keys()),
        "send_failures": send_failures,
        "failed": failed,
        "database_events": len(held),
    }
    print(json.dumps(summary, separators=(",", ":")), flush=True)

    status = 0
    if failed:
        for url, reason in failed.items():
            print(f"nostr_sdk_sync: sync with {url} failed: {reason}", file=sys.stderr)
        status = 1
    if not output.success:
        print("nostr_sdk_sync: no relay synced successfully", file=sys.stderr)
        status = 1
    for url, items in send_failures.items():
        for event_id, reason in items.items():
            print(f"nostr_sdk_sync: sending {event_id} to {url} failed: {reason}", file=sys.stderr)
        status = 1
    return status


def main(argv):
    arguments = parse_arguments(argv)
    if arguments.verbose:
        init_logger(LogLevel.DEBUG)
    try:
        return asyncio.run(asyncio.wait_for(run(arguments), timeout=arguments.timeout))
    except InputError as error:
        print(f"nostr_sdk_sync: {error}", file=sys.stderr)
        return 2
    except (asyncio.TimeoutError, TimeoutError):
        print(f"nostr_sdk_sync: timed out after {arguments.timeout} s", file=sys.stderr)
        return 1


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip the interpreter's teardown: the SDK's objects freed then may call back into a closed loop.
    os._exit(status)
