#!/usr/bin/env python3
"""A minimal Nostr relay that speaks only NIP-01 (REQ, EVENT, CLOSE) and no NIP-77 negentropy.

The peer for testing a sync client's fallback from negentropy to plain REQ paging, against a relay we
did not build into PurplePages (the rust-nostr SDK's own LocalRelay always serves negentropy, so it
cannot stand in for a relay without it).

    req_only_relay.py [--host 127.0.0.1] [--port 0] [--events-in IN.jsonl] [--events-out OUT.jsonl]
        [--negentropy-reply notice|neg-err|silent] [--max-limit N] [--auth-greeting]

- Serves the events of --events-in (JSONL, one signed NIP-01 event per line; ids and signatures are
  verified with the rust-nostr SDK, and replaceable events keep only the newest, as below).
- REQ: each filter honours ids, authors, kinds, since, until, limit and #<letter> tag filters
  (ids and authors match whole hex strings). Matches are ordered newest first, ties on created_at in
  ascending id order, and the filter's limit cuts that order: the same cut a real relay makes when many
  events share a second. --max-limit caps every filter's limit and is the limit of a filter without
  one (default: no cap). The union of the filters' events goes out in that order, then EOSE; the
  subscription then stays open and gets matching events stored later, until CLOSE.
- EVENT: verified (OK false "invalid: ..." when the id or signature is wrong), then stored with
  NIP-01 replaceable semantics: kinds 0, 3 and 10000-19999 per (pubkey, kind), 30000-39999 per
  (pubkey, kind, d tag), the newer created_at wins and on a tie the lower id; 20000-29999 are only
  passed to live subscriptions. Always OK true for a valid event ("duplicate: ..." when it was
  already there or a newer version is). Kind 5 deletes nothing.
- NEG-OPEN, NEG-MSG, NEG-CLOSE: per --negentropy-reply: `notice` (default) answers each with
  ["NOTICE", "ERROR: negentropy is not supported ..."], as relays without NIP-77 answer an unknown
  message; `neg-err` answers NEG-OPEN and NEG-MSG with ["NEG-ERR", id, "blocked: ..."] and ignores
  NEG-CLOSE; `silent` ignores all three.
- Anything else (COUNT, AUTH, text that is not JSON) gets a NOTICE.
- --auth-greeting sends ["AUTH", challenge] first on every connection (as PurplePages does), for
  clients that wait for it; the relay never requires AUTH.

Prints "ready ws://HOST:PORT" on stdout once listening (with --port 0 the kernel picks the port), and
one line per message received on stderr ("recv REQ sub-1 [...]", "recv NEG-OPEN neg-1", ...). On
SIGTERM or SIGINT it writes every stored event to --events-out (JSONL, the bytes it got, newest first)
and exits 0. Run it with the interop virtual environment's python (scripts/install-deps creates it).
"""

import argparse
import asyncio
import json
import secrets
import signal
import sys

from nostr_sdk import Event
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

NEGENTROPY_TYPES = ("NEG-OPEN", "NEG-MSG", "NEG-CLOSE")


def dumps(value):
    """Compact JSON, as relays send it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def log(text):
    print(text, file=sys.stderr, flush=True)


def sort_key(event):
    """Newest first; ties on created_at in ascending id order."""
    return (-event["created_at"], event["id"])


def replacement_key(event):
    """The key a replaceable or addressable event is replaced under, or None."""
    kind = event["kind"]
    if kind in (0, 3) or 10000 <= kind < 20000:
        return (event["pubkey"], kind)
    if 30000 <= kind < 40000:
        d = next((tag[1] for tag in event["tags"] if len(tag) > 1 and tag[0] == "d"), "")
        return (event["pubkey"], kind, d)
    return None


def check_event(event, raw):
    """Why the event (parsed, and its JSON text) is invalid, or None."""
    fields = {"id": str, "pubkey": str, "created_at": int, "kind": int, "tags": list, "content": str, "sig": str}
    for name, kind in fields.items():
        if not isinstance(event.get(name), kind) or (kind is int and isinstance(event.get(name), bool)):
            return f"invalid: missing or mistyped {name}"
    try:
        if not Event.from_json(raw).verify():
            return "invalid: bad id or signature"
    except Exception as error:  # the SDK raises its own error types
        return f"invalid: {error}"
    return None


class Store:
    """The relay's events, with NIP-01 replaceable semantics."""

    def __init__(self):
        self.events = {}  # id -> (event dict, raw JSON text)
        self.replaceable = {}  # replacement key -> id
        self.ordered = None  # cached list of events in sort_key order

    def add(self, event, raw):
        """Stores the event; returns (stored, message)."""
        event_id = event["id"]
        if event_id in self.events:
            return False, "duplicate: already have this event"
        if 20000 <= event["kind"] < 30000:
            return False, ""
        key = replacement_key(event)
        if key is not None:
            current_id = self.replaceable.get(key)
            if current_id is not None:
                current = self.events[current_id][0]
                if sort_key(current) <= sort_key(event):
                    return False, "duplicate: have a newer version"
                del self.events[current_id]
            self.replaceable[key] = event_id
        self.events[event_id] = (event, raw)
        self.ordered = None
        return True, ""

    def in_order(self):
        if self.ordered is None:
            self.ordered = sorted(self.events.values(), key=lambda item: sort_key(item[0]))
        return self.ordered


def matches(event, filter_):
    if "ids" in filter_ and event["id"] not in filter_["ids"]:
        return False
    if "authors" in filter_ and event["pubkey"] not in filter_["authors"]:
        return False
    if "kinds" in filter_ and event["kind"] not in filter_["kinds"]:
        return False
    if "since" in filter_ and event["created_at"] < filter_["since"]:
        return False
    if "until" in filter_ and event["created_at"] > filter_["until"]:
        return False
    for name, values in filter_.items():
        if len(name) == 2 and name[0] == "#":
            if not any(len(tag) > 1 and tag[0] == name[1] and tag[1] in values for tag in event["tags"]):
                return False
    return True


def check_filter(filter_):
    """Why the filter is malformed, or None."""
    if not isinstance(filter_, dict):
        return "a filter is not an object"
    for name, values in filter_.items():
        if name in ("ids", "authors") or (len(name) == 2 and name[0] == "#"):
            if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
                return f"{name} is not a list of strings"
    if "kinds" in filter_:
        kinds = filter_["kinds"]
        if not isinstance(kinds, list) or not all(isinstance(k, int) and not isinstance(k, bool) for k in kinds):
            return "kinds is not a list of integers"
    for name in ("since", "until", "limit"):
        if name in filter_ and (not isinstance(filter_[name], int) or isinstance(filter_[name], bool)):
            return f"{name} is not an integer"
    return None


def compile_filter(filter_):
    """The filter with its lists as sets, for matching (check_filter accepted it)."""
    return {
        name: frozenset(values) if isinstance(values, list) else values
        for name, values in filter_.items()
    }


class Relay:
    def __init__(self, store, negentropy_reply, max_limit, auth_greeting):
        self.store = store
        self.negentropy_reply = negentropy_reply
        self.max_limit = max_limit
        self.auth_greeting = auth_greeting
        self.subscriptions = {}  # connection -> {subscription id: filters}

    def stored_matches(self, filters):
        """Raw JSON of the stored events the filters select, in sort_key order."""
        selected = {}
        for filter_ in filters:
            limit = filter_.get("limit")
            if self.max_limit is not None:
                limit = self.max_limit if limit is None else min(limit, self.max_limit)
            if limit is not None and limit <= 0:
                continue
            taken = 0
            if "ids" in filter_:
                events = self.store.events
                candidates = sorted(
                    (events[event_id] for event_id in filter_["ids"] if event_id in events),
                    key=lambda item: sort_key(item[0]))
            else:
                candidates = self.store.in_order()
            for event, raw in candidates:
                if matches(event, filter_):
                    selected[event["id"]] = (event, raw)
                    taken += 1
                    if limit is not None and taken >= limit:
                        break
        return [raw for event, raw in sorted(selected.values(), key=lambda item: sort_key(item[0]))]

    async def handle(self, connection):
        self.subscriptions[connection] = {}
        try:
            if self.auth_greeting:
                await connection.send(dumps(["AUTH", secrets.token_hex(16)]))
            async for text in connection:
                await self.receive(connection, text)
        except ConnectionClosed:
            pass
        finally:
            del self.subscriptions[connection]

    async def notice(self, connection, text):
        await connection.send(dumps(["NOTICE", text]))

    async def receive(self, connection, text):
        if isinstance(text, bytes):
            log("recv binary")
            await self.notice(connection, "ERROR: binary messages are not supported")
            return
        try:
            message = json.loads(text)
        except ValueError:
            log("recv malformed")
            await self.notice(connection, "ERROR: bad msg: not JSON")
            return
        if not isinstance(message, list) or not message or not isinstance(message[0], str):
            log("recv malformed")
            await self.notice(connection, "ERROR: bad msg: not an array starting with a string")
            return
        kind = message[0]
        if kind == "EVENT":
            await self.receive_event(connection, message, text)
        elif kind == "REQ":
            await self.receive_request(connection, message)
        elif kind == "CLOSE":
            log(f"recv CLOSE {message[1] if len(message) > 1 else ''}")
            if len(message) > 1:
                self.subscriptions[connection].pop(message[1], None)
        elif kind in NEGENTROPY_TYPES:
            await self.receive_negentropy(connection, message)
        elif kind == "AUTH" and len(message) > 1 and isinstance(message[1], dict) and "id" in message[1]:
            log("recv AUTH")
            await connection.send(dumps(["OK", message[1]["id"], False, "error: AUTH is not supported"]))
        else:
            log(f"recv {kind}")
            await self.notice(connection, f"ERROR: bad msg: unknown message type {kind}")

    async def receive_event(self, connection, message, text):
        if len(message) != 2 or not isinstance(message[1], dict) or not isinstance(message[1].get("id"), str):
            log("recv EVENT malformed")
            await self.notice(connection, "ERROR: bad msg: EVENT needs one event with an id")
            return
        event = message[1]
        # Keep the bytes the client sent: the object runs from the first "{" to the last "}".
        raw = text[text.index("{") : text.rindex("}") + 1]
        try:
            if json.loads(raw) != event:
                raw = dumps(event)
        except ValueError:
            raw = dumps(event)
        log(f"recv EVENT {event['id']}")
        problem = check_event(event, raw)
        if problem is not None:
            await connection.send(dumps(["OK", event["id"], False, problem]))
            return
        stored, reason = self.store.add(event, raw)
        await connection.send(dumps(["OK", event["id"], True, reason]))
        if stored or 20000 <= event["kind"] < 30000:
            await self.broadcast(event, raw)

    async def broadcast(self, event, raw):
        for connection, subscriptions in list(self.subscriptions.items()):
            for subscription_id, filters in list(subscriptions.items()):
                if any(matches(event, filter_) for filter_ in filters):
                    try:
                        await connection.send('["EVENT",' + dumps(subscription_id) + "," + raw + "]")
                    except ConnectionClosed:
                        pass

    async def receive_request(self, connection, message):
        if len(message) < 2 or not isinstance(message[1], str):
            log("recv REQ malformed")
            await self.notice(connection, "ERROR: bad msg: REQ needs a subscription id")
            return
        subscription_id = message[1]
        filters = message[2:]
        log(f"recv REQ {subscription_id} {dumps(filters)}")
        problems = [problem for problem in map(check_filter, filters) if problem is not None]
        if not filters or problems:
            reason = problems[0] if problems else "no filters"
            await connection.send(dumps(["CLOSED", subscription_id, f"invalid: {reason}"]))
            return
        filters = [compile_filter(filter_) for filter_ in filters]
        self.subscriptions[connection][subscription_id] = filters
        prefix = '["EVENT",' + dumps(subscription_id) + ","
        for raw in self.stored_matches(filters):
            await connection.send(prefix + raw + "]")
        await connection.send(dumps(["EOSE", subscription_id]))

    async def receive_negentropy(self, connection, message):
        kind = message[0]
        subscription_id = message[1] if len(message) > 1 and isinstance(message[1], str) else ""
        log(f"recv {kind} {subscription_id}")
        if self.negentropy_reply == "notice":
            await self.notice(connection, f"ERROR: negentropy is not supported (got {kind})")
        elif self.negentropy_reply == "neg-err" and kind != "NEG-CLOSE":
            await connection.send(
                dumps(["NEG-ERR", subscription_id, "blocked: negentropy is not supported by this relay"]))


def load_events(path, store):
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            raw = line.strip()
            if not raw:
                continue
            try:
                event = json.loads(raw)
            except ValueError as error:
                raise SystemExit(f"req_only_relay: {path}:{number}: not JSON: {error}")
            problem = check_event(event, raw) if isinstance(event, dict) else "not an object"
            if problem is not None:
                raise SystemExit(f"req_only_relay: {path}:{number}: {problem}")
            store.add(event, raw)


def write_events(path, store):
    with open(path, "w", encoding="utf-8") as file:
        for _, raw in store.in_order():
            file.write(raw + "\n")


async def main(arguments):
    store = Store()
    if arguments.events_in:
        load_events(arguments.events_in, store)
    relay = Relay(store, arguments.negentropy_reply, arguments.max_limit, arguments.auth_greeting)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # A parent may start it with these signals blocked (threads of a Swift test process block most
    # signals, and a child inherits the mask), which would leave SIGTERM pending for ever.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    async with serve(
        relay.handle, arguments.host, arguments.port, max_size=16 << 20, ping_interval=None, close_timeout=1
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"ready ws://{arguments.host}:{port}", flush=True)
        await stop.wait()
        if arguments.events_out:
            write_events(arguments.events_out, store)
        log(f"stopped holding {len(store.events)} events")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="a NIP-01 relay without negentropy, for interop tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    parser.add_argument("--events-in", help="JSONL of signed events to serve")
    parser.add_argument("--events-out", help="JSONL file for every stored event, written on SIGTERM")
    parser.add_argument("--negentropy-reply", choices=("notice", "neg-err", "silent"), default="notice")
    parser.add_argument("--max-limit", type=int, help="cap on every filter's limit, and the limit without one")
    parser.add_argument("--auth-greeting", action="store_true", help='greet each connection with ["AUTH", challenge]')
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse_arguments(sys.argv[1:])))
