#!/usr/bin/env python3
"""Gateway conformance checks of hearth with a real discord.py 2.7.1 Client.

The bot connects as the spec's section 1.1 says (Route.BASE, DEFAULT_GATEWAY from
GET /api/v10/gateway, Asset.BASE), then reacts to what a person (the seeded user, acting over
plain REST with urllib) does: it must see the person's typing and message, reply, edit and delete
its reply and see the matching events, and see a channel the person creates. Then the person
creates, edits and deletes a role, gives it to the plain bot (a member without permissions) and
changes that member (roles, nick, a timeout and its lifting): the bot must get
on_guild_role_create/update/delete and on_member_update with the new state, its caches
(guild.get_role, member.roles, nick, timed_out_until) must follow, and the audit log filtered by
the person must show the person's role creation. Then permission overwrites: the person creates a
channel private to the person (@everyone denied VIEW_CHANNEL); the bot, an administrator, gets
on_guild_channel_create with the overwrites and on_audit_log_entry_create (intent
GUILD_MODERATION) for it. The plain bot connects as a second gateway client: the channel is not in
its GUILD_CREATE (guild.get_channel is None) and no event of it reaches it (a message posted there
does not; checked once a later message in general arrived). A member overwrite for the plain bot
brings it on_guild_channel_create and the messages posted there; the bot gets
on_guild_channel_update (before/after overwrites) and on_audit_log_entry_create overwrite_create
(extra the cached Member); a changed @everyone overwrite gives both on_guild_channel_update and
overwrite_update (extra guild.default_role); removing the member overwrite gives the plain bot
on_guild_channel_delete and nothing of the channel afterwards (its messages, its deletion), the bot
overwrite_delete and channel_delete; the plain bot (no VIEW_AUDIT_LOG) receives no audit entries.
Then moderation: the person adds a throwaway bot (on_member_join), which connects as a third
gateway client, and bulk-deletes its messages (on_raw_bulk_message_delete, on_bulk_message_delete
with the cached messages, gone from client.cached_messages; the plain bot gets the
MESSAGE_DELETE_BULK too); kicks it (on_member_remove, gone from guild.members; the throwaway bot
gets on_guild_remove, GUILD_DELETE), adds it again (on_guild_join for the throwaway bot: its
GUILD_CREATE has no `unavailable`), bans it with delete_message_seconds in the query
(on_member_remove, on_member_ban, the bulk delete of its last message, on_guild_remove; adding it
again answers 403 40007), and lifts the ban (on_member_unban); each with its
on_audit_log_entry_create (message_bulk_delete, kick, ban, unban). The plain bot (intent
GUILD_MODERATION but no BAN_MEMBERS) receives no GUILD_BAN_ADD/REMOVE, and the banned bot nothing
more of the guild.

Direct messages: before the bot connects, the person opens a DM with it over REST; READY's
private_channels lists it (discord.py does not cache it from there). In it the person types
(on_typing with a DMChannel and a User) and writes (on_message: guild None, a DMChannel, author a
User; on the wire MESSAGE_CREATE with channel_type 1 and no guild_id or member); the bot's
user.create_dm() gives the same channel, it answers (user.send; on_message for its own message, no
guild), reads the history, edits and deletes its message (on_message_edit, on_message_delete), and
the person edits and deletes theirs (the same events). Then a DM bot (made by the person, in no guild, discord.py's default intents: no
message_content, no members) connects as another gateway client, opens a new DM with the person
(user.create_dm(): CHANNEL_CREATE of the DM reaches it, the person lists the DM), sends there, and
receives the person's typing (on_raw_typing: discord.py resolves the typing user only with the
members intent) and reply with its content (Discord sends DM content without the intent).

Environment (from seed.py): COMPAT_BASE, COMPAT_BOT_TOKEN, COMPAT_APP_ID, COMPAT_USER_ID,
COMPAT_USER_TOKEN, COMPAT_GUILD_ID, COMPAT_GENERAL_ID, COMPAT_PLAIN_ID, COMPAT_PLAIN_TOKEN. Optional (run.sh's cluster mode):
COMPAT_EXPECT_GATEWAY_URL, the ws:// URL of the node the gateway session must be on: GET /gateway
must name it and READY's resume_gateway_url must be it.

Failover phase (run.sh's cluster mode sets COMPAT_FAILOVER_DIR and COMPAT_FAILOVER_RESUME_URL):
once every check above passed, the bot creates `ready` in COMPAT_FAILOVER_DIR; the runner then
SIGKILLs the node holding the session and writes the kill's Unix time to `killed` there. Left to
discord.py's own reconnection logic, the bot must send RESUME for its old session, get
INVALID_SESSION (d: false) from the surviving node, IDENTIFY again and receive READY (with
resume_gateway_url COMPAT_FAILOVER_RESUME_URL, the surviving node's) within FAILOVER_LIMIT
seconds of the kill; then on_ready fires again and the person's next message reaches on_message.
The seconds from the kill to that READY are printed and written to `report` there.

Prints one PASS/FAIL line per check; exits 0 only if every check passed. Every wait is bounded.
"""

import asyncio
import collections
import datetime
import json
import os
import sys
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

import discord
import yarl

OVERALL_TIMEOUT = 90   # seconds for the whole run
READY_TIMEOUT = 30     # on_ready comes 2 s after the last GUILD_CREATE
EVENT_TIMEOUT = 15     # any single gateway event after the action that causes it
HTTP_TIMEOUT = 10      # one urllib request

ENV = {k: os.environ[k] for k in (
    "COMPAT_BASE", "COMPAT_BOT_TOKEN", "COMPAT_APP_ID", "COMPAT_USER_ID", "COMPAT_USER_TOKEN",
    "COMPAT_GUILD_ID", "COMPAT_GENERAL_ID", "COMPAT_PLAIN_ID", "COMPAT_PLAIN_TOKEN")}
BASE = ENV["COMPAT_BASE"].rstrip("/")
BOT_ID = int(ENV["COMPAT_APP_ID"])  # a bot's user id is its application id
USER_ID = int(ENV["COMPAT_USER_ID"])
GUILD_ID = int(ENV["COMPAT_GUILD_ID"])
GENERAL_ID = int(ENV["COMPAT_GENERAL_ID"])
PLAIN_ID = int(ENV["COMPAT_PLAIN_ID"])  # the bot without permissions, a member the person changes
RUN_TAG = str(int(time.time() * 1000))[-6:]
EXPECT_GATEWAY = os.environ.get("COMPAT_EXPECT_GATEWAY_URL")  # cluster mode: node B's gateway
FAILOVER_DIR = os.environ.get("COMPAT_FAILOVER_DIR")  # cluster mode: run the failover phase
FAILOVER_RESUME_URL = os.environ.get("COMPAT_FAILOVER_RESUME_URL")  # the surviving node's
FAILOVER_LIMIT = 30    # seconds from the kill to the new READY
KILL_TIMEOUT = 20      # seconds for the runner to kill the node once asked
if FAILOVER_DIR:
    OVERALL_TIMEOUT += 90

PREFIX = "dpy-gw"
failures = []
passes = 0
raw_log = collections.deque(maxlen=40)  # last gateway payloads received, for failure reports
ready_payloads = []  # the `d` of every READY received
wire = []  # (unix time, "recv" or "send", op, t, d) of every gateway payload, for the failover


def check(name, ok, detail=""):
    """Records one named check."""
    global passes
    if ok:
        passes += 1
        print(f"PASS {PREFIX}: {name}", flush=True)
    else:
        failures.append(name)
        print(f"FAIL {PREFIX}: {name}" + (f" -- {detail}" if detail else ""), flush=True)
    return ok


def check_eq(name, actual, expected):
    return check(name, actual == expected, f"got {actual!r}, expected {expected!r}")


def user_rest(method, path, body=None, reason=None):
    """One request to /api/v10 as the person (blocking; run it with asyncio.to_thread)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + "/api/v10" + path, data=data, method=method)
    req.add_header("Authorization", ENV["COMPAT_USER_TOKEN"])
    if reason is not None:
        req.add_header("X-Audit-Log-Reason", urllib.parse.quote(reason, safe=""))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    if status >= 300:
        raise RuntimeError(f"{method} {path} as the person -> {status}: {raw[:300]!r}")
    return json.loads(raw) if raw else None


class Waiters:
    """Futures resolved by event handlers when an event matching a predicate arrives."""

    def __init__(self):
        self.pending = collections.defaultdict(list)  # event -> [(predicate, future)]

    def expect(self, event, predicate):
        fut = asyncio.get_running_loop().create_future()
        self.pending[event].append((predicate, fut))
        return fut

    def feed(self, event, *args):
        for predicate, fut in list(self.pending[event]):
            if fut.done():
                continue
            try:
                matched = predicate(*args)
            except Exception:  # noqa: BLE001 - a predicate error just means "not this one"
                matched = False
            if matched:
                fut.set_result(args)
                self.pending[event].remove((predicate, fut))


async def wait_event(name, fut, client_task, timeout=EVENT_TIMEOUT):
    """Waits for fut (an expected event) while watching the client task; returns args or None."""
    done, _ = await asyncio.wait({fut, client_task}, timeout=timeout,
                                 return_when=asyncio.FIRST_COMPLETED)
    if fut in done:
        check(name, True)
        return fut.result()
    if client_task in done:
        exc = client_task.exception() if not client_task.cancelled() else None
        check(name, False, f"the client stopped before the event: {exc!r}")
    else:
        check(name, False, f"no event within {timeout}s; last payloads received:\n{recent_payloads()}")
    fut.cancel()
    return None


def recent_payloads(n=6):
    return "\n".join(f"    {p[:600]}" for p in list(raw_log)[-n:]) or "    (none)"


def user_status(method, path, body=None):
    """Like user_rest, but answers (status, decoded body) whatever the status."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + "/api/v10" + path, data=data, method=method)
    req.add_header("Authorization", ENV["COMPAT_USER_TOKEN"])
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, (json.loads(raw) if raw else {})
    except ValueError:
        return status, {"raw": raw[:300]}


class OtherBot:
    """Another bot connected to the gateway beside the one under test (the plain bot, a throwaway
    bot, a DM bot): its events through Waiters (message, guild_channel_create/update/delete,
    guild_join, guild_available, guild_remove, raw_bulk_message_delete, raw_typing, and "dispatch"
    (t, d) for every dispatch) and every dispatch it received."""

    EVENTS = ("message", "guild_channel_create", "guild_channel_update", "guild_channel_delete", "guild_join",
              "guild_available", "guild_remove", "raw_bulk_message_delete", "raw_typing")

    def __init__(self, token, label, role, intents):
        self.token, self.label, self.role = token, label, role
        self.client = discord.Client(intents=intents, enable_debug_events=True)
        self.waiters = Waiters()
        self.dispatches = []  # (t, d) of every dispatch received
        self.ready = asyncio.Event()
        self.task = None

        async def on_socket_raw_receive(msg):
            try:
                payload = json.loads(msg.decode() if isinstance(msg, bytes) else msg)
            except (TypeError, ValueError, UnicodeDecodeError):
                return
            if isinstance(payload, dict) and payload.get("op") == 0:
                self.dispatches.append((payload.get("t"), payload.get("d") or {}))
                self.waiters.feed("dispatch", payload.get("t"), payload.get("d") or {})

        async def on_ready():
            self.ready.set()

        def feeder(event):
            async def handler(*args):
                self.waiters.feed(event, *args)
            return handler

        # What Client.event does: the handler as the instance's on_<event> attribute.
        self.client.on_socket_raw_receive = on_socket_raw_receive
        self.client.on_ready = on_ready
        for event in self.EVENTS:
            setattr(self.client, f"on_{event}", feeder(event))

    async def start(self):
        """Connects; True once on_ready fired (a check)."""
        self.task = asyncio.create_task(self.client.start(self.token), name=f"{self.label}.start")
        return await wait_event(f"{self.label} ({self.role}): on_ready", asyncio.ensure_future(self.ready.wait()),
                                self.task, timeout=READY_TIMEOUT) is not None

    async def marker(self, label):
        """The person posts in general; once this bot has that message, whatever was published
        before it has been delivered."""
        content = f"marker {label} ({RUN_TAG})"
        got = self.waiters.expect("message", lambda m: m.content == content)
        await asyncio.to_thread(user_rest, "POST", f"/channels/{GENERAL_ID}/messages", {"content": content})
        return await wait_event(f"{self.label}: on_message for the person's marker in general ({label})", got,
                                self.task)

    async def close(self):
        if self.task is None:
            return
        await self.client.close()
        try:
            await asyncio.wait_for(self.task, 10)
        except Exception as err:  # noqa: BLE001
            check(f"{self.label}: client.start returned cleanly after close()", False, f"{type(err).__name__}: {err}")


async def main():
    discord.http.Route.BASE = BASE + "/api/v10"
    gateway = await asyncio.to_thread(
        lambda: json.load(urllib.request.urlopen(BASE + "/api/v10/gateway", timeout=HTTP_TIMEOUT)))
    check("GET /api/v10/gateway: url is ws:// without query",
          str(gateway.get("url", "")).startswith("ws") and "?" not in gateway.get("url", ""),
          repr(gateway))
    if EXPECT_GATEWAY:
        check_eq("cluster: GET /api/v10/gateway names the gateway node", gateway.get("url"),
                 EXPECT_GATEWAY)
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway["url"])
    discord.asset.Asset.BASE = BASE

    intents = discord.Intents.default()
    intents.message_content = True
    intents.members = True
    client = discord.Client(intents=intents, enable_debug_events=True)
    waiters = Waiters()
    ready = asyncio.Event()

    @client.event
    async def on_socket_raw_receive(msg):
        at = time.time()
        raw_log.append(msg if isinstance(msg, str) else repr(msg))
        payload = note_wire(at, "recv", msg)
        if payload is not None and payload.get("t") == "READY":
            ready_payloads.append(payload.get("d") or {})
            waiters.feed("raw_ready", at, payload.get("d") or {})

    @client.event
    async def on_socket_raw_send(msg):
        note_wire(time.time(), "send", msg)

    @client.event
    async def on_ready():
        ready.set()

    @client.event
    async def on_message(message):
        waiters.feed("message", message)

    @client.event
    async def on_message_edit(before, after):
        waiters.feed("message_edit", before, after)

    @client.event
    async def on_message_delete(message):
        waiters.feed("message_delete", message)

    @client.event
    async def on_guild_channel_create(channel):
        waiters.feed("guild_channel_create", channel)

    @client.event
    async def on_guild_channel_update(before, after):
        waiters.feed("guild_channel_update", before, after)

    @client.event
    async def on_guild_channel_delete(channel):
        waiters.feed("guild_channel_delete", channel)

    @client.event
    async def on_audit_log_entry_create(entry):
        waiters.feed("audit_log_entry", entry)

    @client.event
    async def on_typing(channel, user, when):
        waiters.feed("typing", channel, user, when)

    @client.event
    async def on_guild_role_create(role):
        waiters.feed("role_create", role)

    @client.event
    async def on_guild_role_update(before, after):
        waiters.feed("role_update", before, after)

    @client.event
    async def on_guild_role_delete(role):
        waiters.feed("role_delete", role)

    @client.event
    async def on_member_update(before, after):
        waiters.feed("member_update", before, after)

    @client.event
    async def on_member_join(member):
        waiters.feed("member_join", member)

    @client.event
    async def on_member_remove(member):
        waiters.feed("member_remove", member)

    @client.event
    async def on_member_ban(guild, user):
        waiters.feed("member_ban", guild, user)

    @client.event
    async def on_member_unban(guild, user):
        waiters.feed("member_unban", guild, user)

    @client.event
    async def on_bulk_message_delete(messages):
        waiters.feed("bulk_message_delete", messages)

    @client.event
    async def on_raw_bulk_message_delete(payload):
        waiters.feed("raw_bulk_message_delete", payload)

    @client.event
    async def on_error(event, *args, **kwargs):
        check(f"event handler {event} ran without exception", False, traceback.format_exc(limit=6))

    # The person opens a DM with the bot before it connects: READY's private_channels must carry it.
    dm = await asyncio.to_thread(user_rest, "POST", "/users/@me/channels", {"recipient_id": str(BOT_ID)})
    check_eq("the person's POST /users/@me/channels {recipient_id: the bot}: a DM (type 1) with the bot",
             (dm.get("type"), [r.get("id") for r in dm.get("recipients", [])]), (1, [str(BOT_ID)]))

    client_task = asyncio.create_task(client.start(ENV["COMPAT_BOT_TOKEN"]), name="client.start")
    try:
        await scenario(client, client_task, waiters, ready, int(dm["id"]))
        if FAILOVER_DIR:
            await failover(client, client_task, waiters, ready)
    finally:
        await client.close()
        try:
            await asyncio.wait_for(client_task, 10)
            check("client.start returned cleanly after client.close()", True)
        except Exception as err:  # noqa: BLE001
            check("client.start returned cleanly after client.close()", False,
                  f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=8)}")


async def scenario(client, client_task, waiters, ready, dm_id):
    # --- connect: login over REST, HELLO/IDENTIFY/READY/GUILD_CREATE, on_ready ----------------
    started = time.monotonic()
    ready_task = asyncio.ensure_future(ready.wait())
    if await wait_event("on_ready fires", ready_task, client_task, timeout=READY_TIMEOUT) is None:
        return
    print(f"{PREFIX}: on_ready after {time.monotonic() - started:.1f}s", flush=True)
    if EXPECT_GATEWAY:
        check_eq("cluster: READY resume_gateway_url is the gateway node's (the session is there)",
                 [d.get("resume_gateway_url") for d in ready_payloads], [EXPECT_GATEWAY])

    check("client.user is set", client.user is not None)
    if client.user is None:
        return
    check_eq("client.user.id is the bot", client.user.id, BOT_ID)
    check("client.user.bot is True", client.user.bot is True, repr(client.user.bot))

    guild = client.get_guild(GUILD_ID)
    check("seeded guild is in client.guilds", guild is not None,
          f"client.guilds = {[(g.id, g.name) for g in client.guilds]!r}")
    if guild is None:
        return
    check_eq("guild.name", guild.name, "Compat")
    check_eq("guild.owner_id is the person", guild.owner_id, USER_ID)
    general = guild.get_channel(GENERAL_ID)
    check("guild has the general channel (TextChannel)", isinstance(general, discord.TextChannel),
          f"{general!r}; channels = {[(c.id, c.name) for c in guild.channels]!r}")
    if general is None:
        return
    check_eq("general.name", general.name, "general")
    check("guild.default_role is @everyone (id == guild id)",
          guild.default_role is not None and guild.default_role.id == GUILD_ID, repr(guild.roles))
    check("guild.me is the bot", guild.me is not None and guild.me.id == BOT_ID, repr(guild.me))
    check("the person is a cached member", guild.get_member(USER_ID) is not None,
          repr([m.id for m in guild.members]))
    check("guild.chunked (all members sent in GUILD_CREATE)", guild.chunked,
          f"member_count={guild.member_count!r}, cached={len(guild.members)}")
    if guild.me is not None:
        check("bot can send in general (permissions from roles)",
              general.permissions_for(guild.me).send_messages)

    # --- typing: POST /channels/{general}/typing as the person -> on_typing -----------------
    typing = waiters.expect("typing", lambda ch, user, when: ch.id == GENERAL_ID and user.id == USER_ID)
    await asyncio.to_thread(user_rest, "POST", f"/channels/{GENERAL_ID}/typing")
    got = await wait_event("on_typing for the person's POST /typing", typing, client_task)
    if got:
        ch, user, when = got
        check("on_typing: user is a Member of the guild", isinstance(user, discord.Member), repr(user))
        check("on_typing: when is an aware datetime", when.tzinfo is not None, repr(when))

    # --- the person's message -> on_message ---------------------------------------------------
    content = f"hello bot, from a person ({RUN_TAG})"
    incoming = waiters.expect("message", lambda m: m.content == content)
    posted = await asyncio.to_thread(user_rest, "POST", f"/channels/{GENERAL_ID}/messages",
                                     {"content": content})
    got = await wait_event("on_message for the person's REST message", incoming, client_task)
    if got is None:
        return
    message = got[0]
    check_eq("on_message: id matches the REST response", message.id, int(posted["id"]))
    check_eq("on_message: content (message_content intent)", message.content, content)
    check_eq("on_message: author is the person", message.author.id, USER_ID)
    check("on_message: author is a Member", isinstance(message.author, discord.Member),
          repr(message.author))
    check("on_message: guild is the seeded guild", message.guild is not None and message.guild.id == GUILD_ID,
          repr(message.guild))
    check("on_message: channel is general", message.channel is general, repr(message.channel))
    check_eq("on_message: type default", message.type, discord.MessageType.default)

    # --- reply -> on_message for the bot's own reply -----------------------------------------
    reply_text = f"pong from dpy ({RUN_TAG})"
    own = waiters.expect("message", lambda m: m.author.id == BOT_ID and m.content == reply_text)
    reply = await message.reply(reply_text)
    check_eq("message.reply: content", reply.content, reply_text)
    got = await wait_event("on_message for the bot's own reply", own, client_task)
    if got is None:
        return
    seen = got[0]
    check_eq("own reply on_message: id matches the REST response", seen.id, reply.id)
    check_eq("own reply on_message: type reply", seen.type, discord.MessageType.reply)
    check("own reply on_message: reference to the person's message",
          seen.reference is not None and seen.reference.message_id == message.id, repr(seen.reference))
    check("own reply on_message: author is the bot (client.user)", seen.author == client.user
          or seen.author.id == BOT_ID, repr(seen.author))

    # --- edit -> on_message_edit(before, after) ----------------------------------------------
    edited_text = reply_text + " (edited)"
    edit = waiters.expect("message_edit", lambda before, after: after.id == reply.id)
    edited = await reply.edit(content=edited_text)
    check_eq("reply.edit: content", edited.content, edited_text)
    got = await wait_event("on_message_edit for the edited reply", edit, client_task)
    if got:
        before, after = got
        check_eq("on_message_edit: before.content", before.content, reply_text)
        check_eq("on_message_edit: after.content", after.content, edited_text)
        check("on_message_edit: after.edited_at set", after.edited_at is not None, repr(after.edited_at))

    # --- delete -> on_message_delete ----------------------------------------------------------
    delete = waiters.expect("message_delete", lambda m: m.id == reply.id)
    await reply.delete()
    got = await wait_event("on_message_delete for the deleted reply", delete, client_task)
    if got:
        check_eq("on_message_delete: content of the cached message", got[0].content, edited_text)

    # --- channel created by the person -> on_guild_channel_create -------------------------------
    name = f"dpy-gw-{RUN_TAG}"
    created = waiters.expect("guild_channel_create", lambda c: c.name == name)
    made = await asyncio.to_thread(user_rest, "POST", f"/guilds/{GUILD_ID}/channels",
                                   {"name": name, "type": 0})
    got = await wait_event("on_guild_channel_create for the person's new channel", created, client_task)
    if got:
        ch = got[0]
        check_eq("on_guild_channel_create: id matches the REST response", ch.id, int(made["id"]))
        check("on_guild_channel_create: TextChannel in the seeded guild",
              isinstance(ch, discord.TextChannel) and ch.guild.id == GUILD_ID, repr(ch))
        check("new channel is in guild.channels", guild.get_channel(ch.id) is ch)

    await direct_messages(client, client_task, waiters, dm_id)
    await dm_bot(client_task)

    await roles_and_members(client, client_task, waiters, guild)

    intents = discord.Intents.default()
    intents.message_content = True
    plain = OtherBot(ENV["COMPAT_PLAIN_TOKEN"], "plain bot", "a second gateway client", intents)
    try:
        await private_channel(client, client_task, waiters, guild, plain)

        await moderation(client, client_task, waiters, guild, plain)
    finally:
        await plain.close()

    check("client still connected at the end", not client.is_closed() and not client_task.done())


def wire_dispatch(t, pred):
    """The `d` of the last dispatch `t` the bot received matching pred, or None."""
    for _, direction, op, name, d in reversed(wire):
        if direction == "recv" and op == 0 and name == t and isinstance(d, dict) and pred(d):
            return d
    return None


async def direct_messages(client, client_task, waiters, dm_id):
    """The DM the person opened before the bot connected: in READY's private_channels; the
    person's typing and message reach the bot; user.create_dm() gives the same channel; the bot
    writes, reads the history, edits and deletes; the person edits and deletes."""
    listed = (ready_payloads[-1] if ready_payloads else {}).get("private_channels") or []
    check("READY private_channels: the DM the person opened, type 1, the person its recipient",
          any(c.get("id") == str(dm_id) and c.get("type") == 1
              and [r.get("id") for r in c.get("recipients", [])] == [str(USER_ID)] for c in listed),
          repr(listed)[:400])
    # discord.py (2.7) does not read READY's private_channels (Discord sends bots none): the DM is
    # not cached, so the person's first message builds its DMChannel from the message.
    check("the DM is not cached after READY (discord.py keeps no private_channels from it)",
          client.get_channel(dm_id) is None, repr(client.get_channel(dm_id)))
    person = client.get_user(USER_ID)
    if not check("the person is a cached user", person is not None):
        return

    # --- the person types in the DM -> on_typing(DMChannel, User) ----------------------------------
    typing = waiters.expect("typing", lambda ch, user, when: ch.id == dm_id and user.id == USER_ID)
    await asyncio.to_thread(user_rest, "POST", f"/channels/{dm_id}/typing")
    got = await wait_event("on_typing for the person's typing in the DM (intent DIRECT_MESSAGE_TYPING)", typing,
                           client_task)
    if got:
        ch, user, when = got
        check("on_typing (DM): the channel is a DMChannel, the user a User (not a Member)",
              isinstance(ch, discord.DMChannel) and isinstance(user, discord.User)
              and not isinstance(user, discord.Member), repr((ch, user)))

    # --- the person writes -> on_message in the DM -------------------------------------------------
    text = f"the person writes in the DM ({RUN_TAG})"
    incoming = waiters.expect("message", lambda m: m.author.id == USER_ID and m.channel.id == dm_id)
    posted = await asyncio.to_thread(user_rest, "POST", f"/channels/{dm_id}/messages", {"content": text})
    got = await wait_event("on_message for the person's message in the DM (intent DIRECT_MESSAGES)", incoming,
                           client_task)
    if got is None:
        return
    m = got[0]
    check_eq("DM on_message: id matches the REST response, content", (m.id, m.content), (int(posted["id"]), text))
    check("DM on_message: message.guild is None, the channel a DMChannel",
          m.guild is None and isinstance(m.channel, discord.DMChannel), repr((m.guild, m.channel)))
    check("DM on_message: the author is the person, a User (not a Member)",
          m.author.id == USER_ID and isinstance(m.author, discord.User) and not isinstance(m.author, discord.Member),
          repr(m.author))
    d = wire_dispatch("MESSAGE_CREATE", lambda d: d.get("id") == posted["id"]) or {}
    check("DM MESSAGE_CREATE on the wire: channel_type 1, no guild_id, no member",
          d.get("channel_type") == 1 and "guild_id" not in d and "member" not in d,
          repr({k: d.get(k) for k in ("channel_type", "guild_id", "member")}))

    # --- the bot opens the DM from its side and answers ----------------------------------------------
    dm = await person.create_dm()
    check("user.create_dm() (POST /users/@me/channels): the DM the person opened (the same from either side)",
          isinstance(dm, discord.DMChannel) and dm.id == dm_id and getattr(dm.recipient, "id", None) == USER_ID,
          repr(dm))
    check("client.get_channel(the DM) is that DMChannel now", client.get_channel(dm_id) is dm)
    answer = f"an answer in the DM from dpy ({RUN_TAG})"
    own = waiters.expect("message", lambda x: x.author.id == BOT_ID and x.content == answer)
    sent = await person.send(answer)
    check("user.send: in the DM, no guild", sent.channel is dm and sent.guild is None,
          repr((sent.channel, sent.guild)))
    got = await wait_event("on_message for the bot's own DM", own, client_task)
    if got:
        x = got[0]
        check("own DM on_message: id, guild None, a DMChannel",
              x.id == sent.id and x.guild is None and isinstance(x.channel, discord.DMChannel)
              and x.channel.id == dm_id, repr((x.id, x.guild, x.channel)))
    listed = [x.id async for x in dm.history(limit=5)]
    check_eq("DMChannel.history(limit=5): the bot's answer, then the person's message", listed[:2], [sent.id, m.id])

    # --- the bot edits and deletes its message ----------------------------------------------------
    edit = waiters.expect("message_edit", lambda b, a: a.id == sent.id)
    edited = await sent.edit(content=answer + " (edited)")
    check_eq("DM message.edit: content", edited.content, answer + " (edited)")
    got = await wait_event("on_message_edit for the bot's edited DM", edit, client_task)
    if got:
        before, after = got
        check_eq("DM on_message_edit: before and after content, no guild", (before.content, after.content, after.guild),
                 (answer, answer + " (edited)", None))
    delete = waiters.expect("message_delete", lambda x: x.id == sent.id)
    await sent.delete()
    got = await wait_event("on_message_delete for the bot's deleted DM", delete, client_task)
    if got:
        check_eq("DM on_message_delete: content of the cached message", got[0].content, answer + " (edited)")

    # --- the person edits and deletes their message ---------------------------------------------------
    edit = waiters.expect("message_edit", lambda b, a: a.id == m.id)
    await asyncio.to_thread(user_rest, "PATCH", f"/channels/{dm_id}/messages/{m.id}", {"content": text + " (edited)"})
    got = await wait_event("on_message_edit for the person's edited DM", edit, client_task)
    if got:
        check_eq("on_message_edit (the person's DM): before and after content", (got[0].content, got[1].content),
                 (text, text + " (edited)"))
    delete = waiters.expect("message_delete", lambda x: x.id == m.id)
    await asyncio.to_thread(user_rest, "DELETE", f"/channels/{dm_id}/messages/{m.id}")
    await wait_event("on_message_delete for the person's deleted DM", delete, client_task)


async def dm_bot(client_task):
    """A bot the person makes, in no guild, with discord.py's default intents (no message_content,
    no members), opens a new DM with the person: CHANNEL_CREATE reaches it; the person's typing and
    reply reach it, the reply with its content."""
    app = await asyncio.to_thread(user_rest, "POST", "/applications", {"name": f"dpy-gw-dm-{RUN_TAG}"})
    bot = OtherBot(app["token"], "DM bot", "in no guild, default intents", discord.Intents.default())
    try:
        if not await bot.start():
            return
        c = bot.client
        check("DM bot: no guild, no private channel at READY", not c.guilds and not c.private_channels,
              repr((c.guilds, c.private_channels)))
        person = await c.fetch_user(USER_ID)
        created = bot.waiters.expect("dispatch", lambda t, d: t == "CHANNEL_CREATE" and d.get("type") == 1)
        dm = await person.create_dm()
        check("DM bot: user.create_dm(): a new DMChannel with the person",
              isinstance(dm, discord.DMChannel) and getattr(dm.recipient, "id", None) == USER_ID, repr(dm))
        got = await wait_event("DM bot: CHANNEL_CREATE for the DM it opened", created, bot.task)
        if got:
            d = got[1]
            check_eq("DM bot: CHANNEL_CREATE: the DM's id, the person as its recipient",
                     (d.get("id"), [r.get("id") for r in d.get("recipients", [])]), (str(dm.id), [str(USER_ID)]))
        listing = await asyncio.to_thread(user_rest, "GET", "/users/@me/channels")
        check("the person's GET /users/@me/channels lists the new DM with the DM bot",
              any(x.get("id") == str(dm.id) and [r.get("id") for r in x.get("recipients", [])] == [app["id"]]
                  for x in listing), repr(listing)[:400])
        await dm.send(f"a DM from the DM bot ({RUN_TAG})")

        typing = bot.waiters.expect("raw_typing", lambda p: p.channel_id == dm.id and p.user_id == USER_ID)
        await asyncio.to_thread(user_rest, "POST", f"/channels/{dm.id}/typing")
        got = await wait_event("DM bot: on_raw_typing for the person's typing in the DM", typing, bot.task)
        if got:
            check("DM bot: on_raw_typing: no guild_id", got[0].guild_id is None, repr(got[0]))

        text = f"the person answers the DM bot ({RUN_TAG})"
        incoming = bot.waiters.expect("message", lambda m: m.author.id == USER_ID and m.channel.id == dm.id)
        await asyncio.to_thread(user_rest, "POST", f"/channels/{dm.id}/messages", {"content": text})
        got = await wait_event("DM bot: on_message for the person's reply", incoming, bot.task)
        if got:
            m = got[0]
            check("DM bot: on_message: guild None, a DMChannel", m.guild is None and isinstance(m.channel, discord.DMChannel),
                  repr((m.guild, m.channel)))
            check_eq("DM bot (no message_content intent): the DM's content is there", m.content, text)
    finally:
        await bot.close()


async def roles_and_members(client, client_task, waiters, guild):
    """The person creates, edits and deletes a role and changes the plain bot's membership."""
    plain = guild.get_member(PLAIN_ID)
    if not check("the plain bot is a cached member", plain is not None,
                 repr([m.id for m in guild.members])):
        return
    own_roles = [r for r in guild.me.roles if not r.is_default()] if guild.me else []
    bot_role = own_roles[-1] if own_roles else None
    check("the bot has its own (managed) role", bot_role is not None and bot_role.managed,
          repr(own_roles))
    # Role.is_bot_managed and Guild.self_role read the role's tags.bot_id.
    check("the bot's role is_bot_managed() and is guild.self_role (tags.bot_id)",
          bot_role is not None and bot_role.is_bot_managed() and guild.self_role == bot_role,
          repr((bot_role, guild.self_role)))

    def role_ids(member):
        return [r.id for r in member.roles if not r.is_default()]

    # --- POST /guilds/{id}/roles -> on_guild_role_create (+ on_guild_role_update: moved up) ----
    name = f"dpy-gw-role-{RUN_TAG}"
    perms = discord.Permissions(send_messages=True, manage_messages=True)
    reason = f"dpy-gw role by the person {RUN_TAG}"
    created = waiters.expect("role_create", lambda r: r.name == name)
    moved = None
    if bot_role is not None:
        old_position = bot_role.position
        moved = waiters.expect("role_update", lambda b, a: a.id == bot_role.id and a.position == old_position + 1)
    made = await asyncio.to_thread(
        user_rest, "POST", f"/guilds/{GUILD_ID}/roles",
        {"name": name, "permissions": str(perms.value), "color": 0x1ABC9C, "hoist": True}, reason)
    role_id = int(made["id"])
    got = await wait_event("on_guild_role_create for the person's new role", created, client_task)
    if got is None:
        return
    role = got[0]
    check_eq("on_guild_role_create: id matches the REST response", role.id, role_id)
    check_eq("on_guild_role_create: permissions", role.permissions, perms)
    check_eq("on_guild_role_create: colour", role.colour.value, 0x1ABC9C)
    check("on_guild_role_create: hoist, not mentionable", role.hoist and not role.mentionable,
          repr((role.hoist, role.mentionable)))
    check_eq("on_guild_role_create: position 1", role.position, 1)
    check("guild.get_role(new id) is the role", guild.get_role(role_id) is role, repr(guild.get_role(role_id)))
    if moved is not None:
        got = await wait_event("on_guild_role_update for the bot's own role, moved up by one", moved, client_task)
        if got:
            check_eq("the bot's role position in the cache", guild.get_role(bot_role.id).position,
                     got[0].position + 1)

    # --- PATCH /guilds/{id}/roles/{role} -> on_guild_role_update(before, after) ----------------
    new_perms = discord.Permissions(send_messages=True, manage_nicknames=True)
    updated = waiters.expect("role_update", lambda b, a: a.id == role_id and a.name == f"{name}-edited")
    await asyncio.to_thread(
        user_rest, "PATCH", f"/guilds/{GUILD_ID}/roles/{role_id}",
        {"name": f"{name}-edited", "permissions": str(new_perms.value), "color": 0x9B59B6}, reason)
    got = await wait_event("on_guild_role_update for the person's edit", updated, client_task)
    if got:
        before, after = got
        check_eq("on_guild_role_update: before.name", before.name, name)
        check_eq("on_guild_role_update: after.permissions", after.permissions, new_perms)
        check_eq("on_guild_role_update: colour before/after", (before.colour.value, after.colour.value),
                 (0x1ABC9C, 0x9B59B6))
        check("guild.get_role: the cached role has the new name",
              getattr(guild.get_role(role_id), "name", None) == f"{name}-edited", repr(guild.get_role(role_id)))

    # --- PUT /guilds/{id}/members/{plain}/roles/{role} -> on_member_update ---------------------
    given = waiters.expect("member_update", lambda b, a: a.id == PLAIN_ID and role_id in role_ids(a))
    await asyncio.to_thread(user_rest, "PUT", f"/guilds/{GUILD_ID}/members/{PLAIN_ID}/roles/{role_id}",
                            None, reason)
    got = await wait_event("on_member_update for the role given to the plain bot", given, client_task)
    if got:
        before, after = got
        check("on_member_update: before.roles without the role", role_id not in role_ids(before),
              repr(before.roles))
        check("member.roles in the cache has the role", role_id in role_ids(guild.get_member(PLAIN_ID)),
              repr(guild.get_member(PLAIN_ID).roles))
        check("role.members has the plain bot", PLAIN_ID in [m.id for m in guild.get_role(role_id).members])

    # --- PATCH /guilds/{id}/members/{plain} {nick, roles: []} -> on_member_update ---------------
    nick = f"dpy-gw-nick-{RUN_TAG}"
    renamed = waiters.expect("member_update", lambda b, a: a.id == PLAIN_ID and a.nick == nick)
    await asyncio.to_thread(user_rest, "PATCH", f"/guilds/{GUILD_ID}/members/{PLAIN_ID}",
                            {"nick": nick, "roles": []}, reason)
    got = await wait_event("on_member_update for the plain bot's new nick and roles", renamed, client_task)
    if got:
        before, after = got
        check_eq("on_member_update: roles before/after", (role_ids(before), role_ids(after)), ([role_id], []))
        cached = guild.get_member(PLAIN_ID)
        check_eq("cached member: nick and display_name", (cached.nick, cached.display_name), (nick, nick))

    # --- timeout: PATCH communication_disabled_until -> on_member_update ------------------------
    until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)).replace(microsecond=654321)
    timed = waiters.expect("member_update", lambda b, a: a.id == PLAIN_ID and a.timed_out_until is not None)
    await asyncio.to_thread(user_rest, "PATCH", f"/guilds/{GUILD_ID}/members/{PLAIN_ID}",
                            {"communication_disabled_until": until.isoformat()}, reason)
    got = await wait_event("on_member_update for the plain bot's timeout", timed, client_task)
    if got:
        before, after = got
        check("on_member_update: before not timed out", before.timed_out_until is None, repr(before.timed_out_until))
        check_eq("on_member_update: after.timed_out_until", after.timed_out_until, until)
        check("cached member: is_timed_out()", guild.get_member(PLAIN_ID).is_timed_out())

    lifted = waiters.expect("member_update", lambda b, a: a.id == PLAIN_ID and b.timed_out_until is not None
                            and a.timed_out_until is None)
    await asyncio.to_thread(user_rest, "PATCH", f"/guilds/{GUILD_ID}/members/{PLAIN_ID}",
                            {"communication_disabled_until": None}, reason)
    got = await wait_event("on_member_update for the timeout's lifting", lifted, client_task)
    if got:
        check("cached member: not is_timed_out()", not guild.get_member(PLAIN_ID).is_timed_out())

    cleared = waiters.expect("member_update", lambda b, a: a.id == PLAIN_ID and b.nick == nick and a.nick is None)
    await asyncio.to_thread(user_rest, "PATCH", f"/guilds/{GUILD_ID}/members/{PLAIN_ID}", {"nick": None}, reason)
    if await wait_event("on_member_update for the cleared nick", cleared, client_task):
        check_eq("cached member: display_name back to the username", guild.get_member(PLAIN_ID).display_name,
                 guild.get_member(PLAIN_ID).name)

    # --- DELETE /guilds/{id}/roles/{role} -> on_guild_role_delete -------------------------------
    deleted = waiters.expect("role_delete", lambda r: r.id == role_id)
    await asyncio.to_thread(user_rest, "DELETE", f"/guilds/{GUILD_ID}/roles/{role_id}", None, reason)
    got = await wait_event("on_guild_role_delete for the person's role", deleted, client_task)
    if got:
        check_eq("on_guild_role_delete: the cached role (name)", got[0].name, f"{name}-edited")
        check("guild.get_role(deleted id) is None", guild.get_role(role_id) is None)

    # --- the audit log, filtered by the person -------------------------------------------------
    entries = [e async for e in guild.audit_logs(limit=20, user=discord.Object(id=USER_ID),
                                                   action=discord.AuditLogAction.role_create)]
    mine = [e for e in entries if e.target is not None and e.target.id == role_id]
    check("audit_logs(user=person, action=role_create): the person's role", len(mine) == 1,
          repr([(e.action, e.user, e.target) for e in entries]))
    check("audit_logs(user=person, action=role_create): only the person's role_create entries",
          all(e.action is discord.AuditLogAction.role_create and e.user.id == USER_ID for e in entries))
    if mine:
        check("audit entry: user is the person, a cached Member", isinstance(mine[0].user, discord.Member)
              and mine[0].user.id == USER_ID, repr(mine[0].user))
        check_eq("audit entry: reason", mine[0].reason, reason)


async def private_channel(client, client_task, waiters, guild, plain):
    """A channel private to the person, seen by a second gateway client, the plain bot (the bot
    under test is an administrator: overwrites do not hide anything from it)."""
    A = discord.AuditLogAction
    VIEW, SEND = discord.Permissions(view_channel=True).value, discord.Permissions(send_messages=True).value
    reason = f"dpy-gw overwrites by the person {RUN_TAG}"

    def ids(overwrites):
        return {t.id for t in overwrites}

    # --- the person creates a channel only the person may view ---------------------------------
    name = f"dpy-gw-private-{RUN_TAG}"
    seen = waiters.expect("guild_channel_create", lambda c: c.name == name)
    logged = waiters.expect("audit_log_entry", lambda e: e.action is A.channel_create
                            and getattr(e.after, "name", None) == name)
    made = await asyncio.to_thread(user_rest, "POST", f"/guilds/{GUILD_ID}/channels", {
        "name": name, "type": 0, "permission_overwrites": [
            {"id": str(GUILD_ID), "type": 0, "deny": str(VIEW)},
            {"id": str(USER_ID), "type": 1, "allow": str(VIEW)}]}, reason)
    pid = int(made["id"])
    got = await wait_event("administrator: on_guild_channel_create for the person's private channel", seen,
                           client_task)
    if got is None:
        return
    ch = got[0]
    plain_member = guild.get_member(PLAIN_ID)
    check_eq("on_guild_channel_create: id matches the REST response", ch.id, pid)
    check("on_guild_channel_create: overwrites_for(@everyone).view_channel is False",
          ch.overwrites_for(guild.default_role).view_channel is False, repr(ch.overwrites))
    check("permissions_for(plain bot) from the cached overwrites: no view_channel",
          ch.permissions_for(plain_member).view_channel is False)
    check("permissions_for(guild.me), an administrator: view_channel", ch.permissions_for(guild.me).view_channel)
    got = await wait_event("on_audit_log_entry_create: channel_create (intent GUILD_MODERATION, VIEW_AUDIT_LOG)",
                           logged, client_task)
    if got:
        e = got[0]
        check("audit entry: target is the cached channel, user the person, the reason",
              e.target is ch and e.user is not None and e.user.id == USER_ID and e.reason == reason,
              repr((e.target, e.user, e.reason)))

    # --- the plain bot connects: GUILD_CREATE without the private channel ----------------------
    dispatches = plain.dispatches
    pw = plain.waiters

    def about_private(since=0):
        """The dispatches since index `since` that concern the private channel."""
        out = []
        for t, d in dispatches[since:]:
            if d.get("channel_id") == str(pid) or (str(t).startswith("CHANNEL_") and d.get("id") == str(pid)) \
                    or (t == "GUILD_CREATE" and str(pid) in [c.get("id") for c in d.get("channels", [])]):
                out.append(t)
        return out

    marker = plain.marker
    if not await plain.start():
        return
    plain_client, plain_task = plain.client, plain.task
    pguild = plain_client.get_guild(GUILD_ID)
    if not check("plain bot: the seeded guild is in its cache", pguild is not None):
        return
    check("plain bot: guild.get_channel(general) is cached", pguild.get_channel(GENERAL_ID) is not None)
    check("plain bot: the private channel is not in GUILD_CREATE (guild.get_channel is None)",
          pguild.get_channel(pid) is None and not about_private(),
          repr([(c.id, c.name) for c in pguild.channels]))

    # --- messages there reach the administrator only ----------------------------------------
    text = f"secret from the person ({RUN_TAG})"
    admin_msg = waiters.expect("message", lambda m: m.content == text)
    mark = len(dispatches)
    await asyncio.to_thread(user_rest, "POST", f"/channels/{pid}/messages", {"content": text})
    await wait_event("administrator: on_message in the private channel", admin_msg, client_task)
    if await marker("after the private message"):
        check("plain bot: no event of the private channel (no MESSAGE_CREATE)", not about_private(mark),
              repr(about_private(mark)))

    # --- a member overwrite lets the plain bot view it: CHANNEL_CREATE to it -----------------
    gained = pw.expect("guild_channel_create", lambda c: c.id == pid)
    updated = waiters.expect("guild_channel_update", lambda b, a: a.id == pid and PLAIN_ID in ids(a.overwrites))
    logged = waiters.expect("audit_log_entry", lambda e: e.action is A.overwrite_create and e.target.id == pid)
    await asyncio.to_thread(user_rest, "PUT", f"/channels/{pid}/permissions/{PLAIN_ID}",
                            {"type": 1, "allow": str(VIEW)}, reason)
    got = await wait_event("plain bot: on_guild_channel_create once a member overwrite lets it view the channel",
                           gained, plain_task)
    if got:
        pch = got[0]
        check("plain bot: the channel is a TextChannel in its cache", isinstance(pch, discord.TextChannel)
              and pguild.get_channel(pid) is pch, repr(pch))
        check("plain bot: its overwrite in the channel, and permissions_for(me).view_channel",
              pch.overwrites_for(pguild.me).view_channel is True and pch.permissions_for(pguild.me).view_channel,
              repr(pch.overwrites))
    got = await wait_event("administrator: on_guild_channel_update with the new member overwrite", updated,
                           client_task)
    if got:
        before, after = got
        check_eq("on_guild_channel_update: overwrite targets before/after",
                 (ids(before.overwrites), ids(after.overwrites)),
                 ({GUILD_ID, USER_ID}, {GUILD_ID, USER_ID, PLAIN_ID}))
        check("on_guild_channel_update: after.overwrites_for(plain bot) allows view_channel",
              after.overwrites_for(plain_member) == discord.PermissionOverwrite(view_channel=True))
        check("the cached channel is updated", guild.get_channel(pid) is not None
              and PLAIN_ID in ids(guild.get_channel(pid).overwrites))
    got = await wait_event("on_audit_log_entry_create: overwrite_create", logged, client_task)
    if got:
        e = got[0]
        check("audit overwrite_create: extra is the plain bot (cached Member)",
              isinstance(e.extra, discord.Member) and e.extra.id == PLAIN_ID, repr(e.extra))
        check_eq("audit overwrite_create: after.allow, reason, user", (e.after.allow.value, e.reason, e.user.id),
                 (VIEW, reason, USER_ID))

    text = f"for the plain bot too ({RUN_TAG})"
    plain_msg = pw.expect("message", lambda m: m.content == text)
    await asyncio.to_thread(user_rest, "POST", f"/channels/{pid}/messages", {"content": text})
    got = await wait_event("plain bot: on_message in the private channel it may now view", plain_msg, plain_task)
    if got:
        check("plain bot: message.channel is the cached channel", got[0].channel is pguild.get_channel(pid),
              repr(got[0].channel))

    # --- @everyone's overwrite changed: both receive CHANNEL_UPDATE ------------------------------
    def denies_send(b, a):
        return a.id == pid and a.overwrites_for(a.guild.default_role).send_messages is False
    admin_upd = waiters.expect("guild_channel_update", denies_send)
    plain_upd = pw.expect("guild_channel_update", denies_send)
    logged = waiters.expect("audit_log_entry", lambda e: e.action is A.overwrite_update and e.target.id == pid)
    await asyncio.to_thread(user_rest, "PUT", f"/channels/{pid}/permissions/{GUILD_ID}",
                            {"type": 0, "deny": str(VIEW | SEND)}, reason)
    got = await wait_event("administrator: on_guild_channel_update for @everyone's changed overwrite", admin_upd,
                           client_task)
    if got:
        check_eq("on_guild_channel_update: @everyone's send_messages before/after",
                 (got[0].overwrites_for(guild.default_role).send_messages,
                  got[1].overwrites_for(guild.default_role).send_messages), (None, False))
    got = await wait_event("plain bot (may view): on_guild_channel_update too", plain_upd, plain_task)
    if got:
        check("plain bot: permissions_for(me): view_channel, no send_messages",
              got[1].permissions_for(pguild.me).view_channel and not got[1].permissions_for(pguild.me).send_messages)
    got = await wait_event("on_audit_log_entry_create: overwrite_update", logged, client_task)
    if got:
        e = got[0]
        check("audit overwrite_update: extra is @everyone (guild.default_role)", e.extra is guild.default_role,
              repr(e.extra))
        check_eq("audit overwrite_update: deny before/after", (e.before.deny.value, e.after.deny.value),
                 (VIEW, VIEW | SEND))

    # --- the member overwrite removed: CHANNEL_DELETE to the plain bot ---------------------------
    lost = pw.expect("guild_channel_delete", lambda c: c.id == pid)
    updated = waiters.expect("guild_channel_update", lambda b, a: a.id == pid and PLAIN_ID not in ids(a.overwrites))
    logged = waiters.expect("audit_log_entry", lambda e: e.action is A.overwrite_delete and e.target.id == pid)
    await asyncio.to_thread(user_rest, "DELETE", f"/channels/{pid}/permissions/{PLAIN_ID}", None, reason)
    got = await wait_event("plain bot: on_guild_channel_delete once the overwrite is removed", lost, plain_task)
    if got:
        check("plain bot: guild.get_channel(private) is None again", pguild.get_channel(pid) is None)
    await wait_event("administrator: on_guild_channel_update without the member overwrite", updated, client_task)
    got = await wait_event("on_audit_log_entry_create: overwrite_delete", logged, client_task)
    if got:
        e = got[0]
        check("audit overwrite_delete: extra is the plain bot, before.allow view_channel",
              getattr(e.extra, "id", None) == PLAIN_ID and e.before.allow.value == VIEW, repr((e.extra, e.before)))

    mark = len(dispatches)
    text = f"secret again ({RUN_TAG})"
    admin_msg = waiters.expect("message", lambda m: m.content == text)
    await asyncio.to_thread(user_rest, "POST", f"/channels/{pid}/messages", {"content": text})
    await wait_event("administrator: on_message in the private channel (again)", admin_msg, client_task)

    # --- the channel deleted: the administrator is told, the plain bot is not ---------------------
    gone = waiters.expect("guild_channel_delete", lambda c: c.id == pid)
    logged = waiters.expect("audit_log_entry", lambda e: e.action is A.channel_delete and e.target.id == pid)
    await asyncio.to_thread(user_rest, "DELETE", f"/channels/{pid}", None, reason)
    if await wait_event("administrator: on_guild_channel_delete for the private channel", gone, client_task):
        check("administrator: guild.get_channel(deleted) is None", guild.get_channel(pid) is None)
    got = await wait_event("on_audit_log_entry_create: channel_delete", logged, client_task)
    if got:
        check_eq("audit channel_delete: before.name", getattr(got[0].before, "name", None), name)
    if await marker("after the view was taken away"):
        check("plain bot: no event of the channel after losing view (message, deletion)", not about_private(mark),
              repr(about_private(mark)))
    check("plain bot (no VIEW_AUDIT_LOG): no GUILD_AUDIT_LOG_ENTRY_CREATE received",
          not [t for t, _ in dispatches if t == "GUILD_AUDIT_LOG_ENTRY_CREATE"])


async def moderation(client, client_task, waiters, guild, plain):
    """The person adds a throwaway bot (a third gateway client), bulk-deletes its messages, kicks
    it, adds it again and bans it (deleting its recent messages), then lifts the ban. The bot under
    test (an administrator) sees the bulk deletes, the member leaving, the ban and the unban, with
    their audit entries; the throwaway bot loses the guild (GUILD_DELETE) and gets it back; the
    plain bot (no BAN_MEMBERS) gets no ban event."""
    A = discord.AuditLogAction
    reason = f"dpy-gw moderation by the person {RUN_TAG}"
    if plain.task is None and not await plain.start():
        return
    plain_mark = len(plain.dispatches)

    # --- the person adds a throwaway bot: on_member_join; it connects as a third client ------------
    app = await asyncio.to_thread(user_rest, "POST", "/applications", {"name": f"dpy-gw-target-{RUN_TAG}"})
    tid = int(app["id"])
    add = (f"/oauth2/authorize?client_id={tid}&scope=bot&permissions=0", {"guild_id": str(GUILD_ID), "authorize": True})
    joined = waiters.expect("member_join", lambda m: m.id == tid)
    await asyncio.to_thread(user_rest, "POST", *add)
    got = await wait_event("on_member_join for the throwaway bot the person added", joined, client_task)
    if got is None:
        return
    check("guild.get_member(the new bot) is the joined Member", guild.get_member(tid) is got[0], repr(got[0]))
    target = OtherBot(app["token"], "target bot", "a third gateway client", discord.Intents.default())
    try:
        if not await target.start():
            return
        tguild = target.client.get_guild(GUILD_ID)
        if not check("target bot: the seeded guild is in its cache", tguild is not None):
            return

        # --- the person bulk-deletes the target bot's messages: MESSAGE_DELETE_BULK ------------------
        texts = [f"from the target bot {i} ({RUN_TAG})" for i in (1, 2)]
        seen = [waiters.expect("message", lambda m, t=t: m.content == t) for t in texts]
        sent = [await tguild.get_channel(GENERAL_ID).send(t) for t in texts]
        for i, fut in enumerate(seen, 1):
            await wait_event(f"on_message for the target bot's message {i} (now in the message cache)", fut,
                             client_task)
        ids = {m.id for m in sent}
        raw_bulk = waiters.expect("raw_bulk_message_delete", lambda p: p.message_ids == ids)
        bulk = waiters.expect("bulk_message_delete", lambda msgs: {m.id for m in msgs} == ids)
        plain_bulk = plain.waiters.expect("raw_bulk_message_delete", lambda p: p.message_ids == ids)
        logged = waiters.expect("audit_log_entry", lambda e: e.action is A.message_bulk_delete and e.reason == reason)
        await asyncio.to_thread(user_rest, "POST", f"/channels/{GENERAL_ID}/messages/bulk-delete",
                                {"messages": [str(i) for i in sorted(ids)]}, reason)
        got = await wait_event("on_raw_bulk_message_delete for the person's bulk delete", raw_bulk, client_task)
        if got:
            p = got[0]
            check_eq("on_raw_bulk_message_delete: channel_id, guild_id", (p.channel_id, p.guild_id), (GENERAL_ID, GUILD_ID))
            check_eq("on_raw_bulk_message_delete: cached_messages", sorted(m.id for m in p.cached_messages), sorted(ids))
        got = await wait_event("on_bulk_message_delete with the cached messages", bulk, client_task)
        if got:
            check_eq("on_bulk_message_delete: their contents", sorted(m.content for m in got[0]), texts)
            check("the deleted messages left client.cached_messages", not ids & {m.id for m in client.cached_messages})
        got = await wait_event("on_audit_log_entry_create: message_bulk_delete", logged, client_task)
        if got:
            e = got[0]
            check_eq("audit message_bulk_delete: extra.count, target (general), user (the person)",
                     (e.extra.count, getattr(e.target, "id", None), getattr(e.user, "id", None)), (2, GENERAL_ID, USER_ID))
        await wait_event("plain bot (may view general): on_raw_bulk_message_delete too", plain_bulk, plain.task)

        # --- the person kicks it: GUILD_MEMBER_REMOVE, and GUILD_DELETE to the bot ---------------------
        removed = waiters.expect("member_remove", lambda m: m.id == tid)
        lost = target.waiters.expect("guild_remove", lambda g: g.id == GUILD_ID)
        logged = waiters.expect("audit_log_entry", lambda e: e.action is A.kick and e.target.id == tid)
        await asyncio.to_thread(user_rest, "DELETE", f"/guilds/{GUILD_ID}/members/{tid}", None, reason)
        got = await wait_event("on_member_remove for the person's kick", removed, client_task)
        if got:
            check("on_member_remove: the cached Member", isinstance(got[0], discord.Member) and got[0].joined_at is not None,
                  repr(got[0]))
            check("guild.get_member(the kicked bot) is None", guild.get_member(tid) is None)
        if await wait_event("target bot: on_guild_remove (GUILD_DELETE) once kicked", lost, target.task):
            check("target bot: the guild left client.guilds", target.client.get_guild(GUILD_ID) is None)
        got = await wait_event("on_audit_log_entry_create: kick", logged, client_task)
        if got:
            check_eq("audit kick: user (the person), reason", (getattr(got[0].user, "id", None), got[0].reason),
                     (USER_ID, reason))

        # --- added again: GUILD_CREATE to it (a guild joined: on_guild_join) -----------------------------
        joined = waiters.expect("member_join", lambda m: m.id == tid)
        regained = target.waiters.expect("guild_join", lambda g: g.id == GUILD_ID)
        available = target.waiters.expect("guild_available", lambda g: g.id == GUILD_ID)
        await asyncio.to_thread(user_rest, "POST", *add)
        await wait_event("on_member_join for the kicked bot, added again", joined, client_task)
        # discord.py calls on_guild_join for a GUILD_CREATE without `unavailable` (Discord's for a
        # guild joined), on_guild_available for one with `unavailable: false` (a guild back from an
        # outage).
        if not await wait_event("target bot: on_guild_join once added again (GUILD_CREATE without `unavailable`)",
                                regained, target.task) and available.done():
            print(f"{PREFIX}: NOTE the target bot got on_guild_available instead: its GUILD_CREATE had "
                  f"unavailable={[d.get('unavailable', 'absent') for t, d in target.dispatches if t == 'GUILD_CREATE']}",
                  flush=True)
        available.cancel()
        tguild = target.client.get_guild(GUILD_ID)
        if not check("target bot: the guild is in its cache again", tguild is not None):
            return

        # --- the person bans it, deleting its last minute of messages ------------------------------------
        text = f"from the target bot, before its ban ({RUN_TAG})"
        seen = waiters.expect("message", lambda m: m.content == text)
        last = await tguild.get_channel(GENERAL_ID).send(text)
        await wait_event("on_message for the target bot's message before its ban", seen, client_task)
        removed = waiters.expect("member_remove", lambda m: m.id == tid)
        banned = waiters.expect("member_ban", lambda g, u: u.id == tid)
        raw_swept = waiters.expect("raw_bulk_message_delete", lambda p: p.message_ids == {last.id})
        swept = waiters.expect("bulk_message_delete", lambda msgs: [m.id for m in msgs] == [last.id])
        lost = target.waiters.expect("guild_remove", lambda g: g.id == GUILD_ID)
        logged = waiters.expect("audit_log_entry", lambda e: e.action is A.ban and e.target.id == tid)
        # delete_message_seconds in the query string, as discord.py sends it.
        await asyncio.to_thread(user_rest, "PUT", f"/guilds/{GUILD_ID}/bans/{tid}?delete_message_seconds=60", None,
                                reason)
        got = await wait_event("on_member_remove for the person's ban", removed, client_task)
        if got:
            check("guild.get_member(the banned bot) is None", guild.get_member(tid) is None)
        got = await wait_event("on_member_ban (GUILD_BAN_ADD: intent GUILD_MODERATION, BAN_MEMBERS)", banned, client_task)
        if got:
            g, user = got
            check("on_member_ban: the cached Guild, the banned bot", g is guild and user.id == tid and user.bot,
                  repr((g, user)))
            # discord.py (state.py, parse_guild_ban_add) relies on Discord sending GUILD_BAN_ADD before
            # GUILD_MEMBER_REMOVE, handing the still cached Member to on_member_ban; hearth does too.
            check("on_member_ban: a Member (GUILD_BAN_ADD came before GUILD_MEMBER_REMOVE)",
                  isinstance(user, discord.Member), type(user).__name__)
        got = await wait_event("on_raw_bulk_message_delete for the ban's deletion (delete_message_seconds in the query)",
                               raw_swept, client_task)
        if got:
            check_eq("on_raw_bulk_message_delete (ban): channel_id", got[0].channel_id, GENERAL_ID)
        await wait_event("on_bulk_message_delete with the banned bot's cached message", swept, client_task)
        if await wait_event("target bot: on_guild_remove (GUILD_DELETE) once banned", lost, target.task):
            check("target bot: the guild left client.guilds again", target.client.get_guild(GUILD_ID) is None)
        after_ban = len(target.dispatches)
        got = await wait_event("on_audit_log_entry_create: ban", logged, client_task)
        if got:
            check_eq("audit ban: user (the person), reason", (getattr(got[0].user, "id", None), got[0].reason),
                     (USER_ID, reason))
        entry = await guild.fetch_ban(discord.Object(id=tid))
        check_eq("guild.fetch_ban: the bot, the reason", (entry.user.id, entry.reason), (tid, reason))
        status, data = await asyncio.to_thread(user_status, "POST", *add)
        check_eq("a banned bot cannot be added: POST /oauth2/authorize -> 403 40007", (status, data.get("code")),
                 (403, 40007))

        # --- the person lifts the ban: GUILD_BAN_REMOVE ----------------------------------------------
        unbanned = waiters.expect("member_unban", lambda g, u: u.id == tid)
        logged = waiters.expect("audit_log_entry", lambda e: e.action is A.unban and e.target.id == tid)
        await asyncio.to_thread(user_rest, "DELETE", f"/guilds/{GUILD_ID}/bans/{tid}", None, reason)
        got = await wait_event("on_member_unban (GUILD_BAN_REMOVE)", unbanned, client_task)
        if got:
            check("on_member_unban: the cached Guild, a User", got[0] is guild and isinstance(got[1], discord.User),
                  repr(got))
        got = await wait_event("on_audit_log_entry_create: unban", logged, client_task)
        if got:
            check_eq("audit unban: reason", got[0].reason, reason)

        # --- what the other two bots received ----------------------------------------------------------
        if await plain.marker("after the moderation"):
            kinds = [t for t, _ in plain.dispatches[plain_mark:]]
            check("plain bot (intent GUILD_MODERATION, no BAN_MEMBERS): no GUILD_BAN_ADD or GUILD_BAN_REMOVE",
                  not {"GUILD_BAN_ADD", "GUILD_BAN_REMOVE"} & set(kinds), repr(kinds))
            check_eq("plain bot: MESSAGE_DELETE_BULK for the bulk delete and for the ban (it may view general)",
                     kinds.count("MESSAGE_DELETE_BULK"), 2)
            check("plain bot (no GUILD_MEMBERS intent, no VIEW_AUDIT_LOG): no GUILD_MEMBER_ADD/REMOVE, no audit entry",
                  not {"GUILD_MEMBER_ADD", "GUILD_MEMBER_REMOVE", "GUILD_AUDIT_LOG_ENTRY_CREATE"} & set(kinds),
                  repr(kinds))
            since = [(t, d) for t, d in target.dispatches[after_ban:]
                     if d.get("guild_id") == str(GUILD_ID) or d.get("id") == str(GUILD_ID)]
            check("target bot: nothing more of the guild after its GUILD_DELETE (the unban, the marker)", not since,
                  repr([t for t, _ in since]))
    finally:
        await target.close()


def note_wire(at, direction, msg):
    """Records a gateway payload (op, t, d) in `wire`; returns it parsed, or None."""
    if isinstance(msg, bytes):
        try:
            msg = msg.decode()
        except UnicodeDecodeError:
            return None
    try:
        payload = json.loads(msg)
    except (TypeError, ValueError):
        return None
    if isinstance(payload, dict):
        wire.append((at, direction, payload.get("op"), payload.get("t"), payload.get("d")))
        return payload
    return None


async def wait_file(path, timeout):
    """The stripped contents of `path` once it exists (polling), or None after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                return f.read().strip()
        except FileNotFoundError:
            await asyncio.sleep(0.05)
    return None


def wire_summary(entries):
    return "\n".join(f"    {direction} op={op} t={t} d={json.dumps(d)[:160] if op != 0 else '...'}"
                     for _, direction, op, t, d in entries[-12:]) or "    (none)"


OP_NAMES = {2: "IDENTIFY", 6: "RESUME", 7: "RECONNECT", 9: "INVALID_SESSION", 10: "HELLO"}


def timeline(entries, since):
    """The connection steps among `entries` (heartbeats and dispatches other than READY left out),
    with their seconds since `since`."""
    steps = []
    for at, direction, op, t, d in entries:
        if op in OP_NAMES or t == "READY":
            name = t if op == 0 else OP_NAMES[op] + (f"({json.dumps(d)})" if op == 9 else "")
            steps.append(f"+{at - since:.2f}s {direction} {name}")
    return ", ".join(steps) or "(nothing)"


async def failover(client, client_task, waiters, ready):
    """The node holding the session is killed; discord.py must move the bot to the other node."""
    if failures:
        check("failover: phase run (every earlier check passed)", False,
              f"skipped, earlier checks failed: {', '.join(failures)}")
        return
    old_session = (ready_payloads[-1] if ready_payloads else {}).get("session_id")
    new_ready = waiters.expect("raw_ready", lambda at, d: d.get("session_id") != old_session)
    ready.clear()
    mark = len(wire)
    with open(os.path.join(FAILOVER_DIR, "ready.tmp"), "w") as f:
        f.write(f"{old_session}\n")
    os.replace(os.path.join(FAILOVER_DIR, "ready.tmp"), os.path.join(FAILOVER_DIR, "ready"))
    print(f"{PREFIX}: failover: asked the runner to kill the gateway node (session {old_session})",
          flush=True)

    killed = await wait_file(os.path.join(FAILOVER_DIR, "killed"), KILL_TIMEOUT)
    if not check("failover: the runner killed the node holding the session", killed is not None,
                 f"no {FAILOVER_DIR}/killed within {KILL_TIMEOUT}s"):
        return
    killed_at = float(killed)
    got = await wait_event("failover: a new READY (new session) after the kill", new_ready,
                           client_task, timeout=FAILOVER_LIMIT + 15)
    after = wire[mark:]
    if got is None:
        print(f"{PREFIX}: failover: payloads since the kill:\n{wire_summary(after)}", flush=True)
        return
    ready_at, d = got
    took = ready_at - killed_at
    print(f"{PREFIX}: failover: new READY {took:.2f}s after the SIGKILL of the gateway node; "
          f"since the kill: {timeline(after, killed_at)}", flush=True)
    with open(os.path.join(FAILOVER_DIR, "report"), "w") as f:
        f.write(f"{took:.2f}\n")
    check(f"failover: new READY within {FAILOVER_LIMIT}s of the kill", took <= FAILOVER_LIMIT,
          f"took {took:.2f}s")
    check_eq("failover: new READY's resume_gateway_url is the surviving node's",
             d.get("resume_gateway_url"), FAILOVER_RESUME_URL)

    # The library's own path: RESUME (old session) -> INVALID_SESSION false -> IDENTIFY -> READY.
    steps = [(direction, op) for _, direction, op, t, dd in after]
    resume = next((i for i, (_, direction, op, _t, dd) in enumerate(after)
                   if direction == "send" and op == 6), None)
    check("failover: RESUME sent for the old session after the kill",
          resume is not None and after[resume][4].get("session_id") == old_session,
          f"payloads since the kill:\n{wire_summary(after)}")
    invalid = next((i for i, (_, direction, op, _t, dd) in enumerate(after)
                    if direction == "recv" and op == 9 and (resume is None or i > resume)), None)
    check("failover: RESUME answered INVALID_SESSION (d: false)",
          invalid is not None and after[invalid][4] is False,
          f"payloads since the kill:\n{wire_summary(after)}")
    identify = next((i for i, (_, direction, op, _t, dd) in enumerate(after)
                     if direction == "send" and op == 2 and (invalid is None or i > invalid)), None)
    check("failover: IDENTIFY sent after INVALID_SESSION", invalid is not None and identify is not None,
          f"steps since the kill: {steps}")

    ready_task = asyncio.ensure_future(ready.wait())
    if await wait_event("failover: on_ready fires again", ready_task, client_task,
                        timeout=READY_TIMEOUT) is None:
        return
    print(f"{PREFIX}: failover: on_ready {time.time() - killed_at:.2f}s after the kill", flush=True)
    guild = client.get_guild(GUILD_ID)
    check("failover: seeded guild is in client.guilds again", guild is not None,
          f"client.guilds = {[(g.id, g.name) for g in client.guilds]!r}")

    content = f"after the failover, from a person ({RUN_TAG})"
    incoming = waiters.expect("message", lambda m: m.content == content)
    posted = await asyncio.to_thread(user_rest, "POST", f"/channels/{GENERAL_ID}/messages",
                                     {"content": content})
    got = await wait_event("failover: on_message for the person's REST message", incoming, client_task)
    if got:
        message = got[0]
        check_eq("failover: on_message: id matches the REST response", message.id, int(posted["id"]))
        check_eq("failover: on_message: author is the person", message.author.id, USER_ID)
        check("failover: on_message: channel is general", message.channel.id == GENERAL_ID,
              repr(message.channel))
    check("failover: client still connected at the end",
          not client.is_closed() and not client_task.done())


def entry():
    started = time.monotonic()
    try:
        asyncio.run(asyncio.wait_for(main(), OVERALL_TIMEOUT))
    except asyncio.TimeoutError:
        check(f"whole run finished within {OVERALL_TIMEOUT}s", False, recent_payloads())
    except Exception as err:  # noqa: BLE001
        check("run without unexpected exception", False, f"{type(err).__name__}: {err}")
        traceback.print_exc()
    total = passes + len(failures)
    print(f"{PREFIX}: finished in {time.monotonic() - started:.1f}s")
    if failures:
        print(f"{PREFIX}: {len(failures)} of {total} checks FAILED: {', '.join(failures)}")
        sys.exit(1)
    print(f"{PREFIX}: all {total} checks passed")


if __name__ == "__main__":
    entry()
