#!/usr/bin/env python3
"""REST-only conformance checks of hearth with discord.py 2.7.1 (no gateway).

Uses the library's own high-level API against a seeded server: login, users, guild and
channels, messages, history paging, channel management, invites, members; then roles (create,
edit, reorder, delete), member changes (add_roles/remove_roles, nick and roles, timeout and its
lifting), all with `reason=` (X-Audit-Log-Reason), a member without MANAGE_ROLES refused, and
the audit log those changes wrote (action, actor, target, changes, reason; filtered by action and
by user). Then channel permission overwrites: a private channel made with
create_text_channel(overwrites=) and read back (overwrites, overwrites_for, permissions_for),
set_permissions on a role and on members (create, update, overwrite=None) and edit(overwrites=),
all with reason=; an administrator unaffected by an overwrite denying it; the plain bot not seeing
the private channel (fetch_channels leaves it out; fetch_channel, history, fetch_message and send
raise Forbidden 50001) until a member overwrite lets it, then refused set_permissions (Forbidden
50013, no MANAGE_ROLES); category sync (category.create_text_channel without overwrites takes the
category's, permissions_synced; edit(category=, sync_permissions=True); move(category=,
sync_permissions=True), i.e. lock_permissions; a category's change carried over to the channels
in sync only); the audit entries overwrite_create/_update/_delete (extra, allow/deny) and
channel_create/_update/_delete. Then moderation, on throwaway people (registered over plain HTTP,
joining by an invite): member.kick and guild.kick with reason= (a kicked person may join again);
guild.ban(delete_message_seconds=, reason=) of a member (sent in the query string: their messages
of the last seconds gone in every channel, an older one kept) and of non-members, guild.fetch_ban,
guild.bans(limit=, after=, before=), guild.unban(reason=), NotFound 10007 and 10026, a banned
person refused by the invite (403 40007) until unbanned; a moderator's message.delete() of
someone else's message, channel.delete_messages([...]) and channel.purge(limit=) with reason=, an
id older than 14 days refused (HTTPException 50034; no message can be posted in the past, so the
old id is a made-up snowflake beside a real message, which is kept); the plain bot refused kick,
ban, the ban list, unban and deleting others' messages (Forbidden 50013); the audit entries kick,
ban, unban, message_delete (extra.channel, extra.count; of the owner's deletion of someone else's
message over plain HTTP: Discord records none for a bot deleting a single message) and
message_bulk_delete (extra.count). Then direct messages with the seeded person: user.create_dm()
(a DMChannel whose recipient is the person; the person opening the DM over plain HTTP gets the
same channel, type 1, with the bot as its one recipient; fetch_channel reads it back), user.send,
the person's reply over plain HTTP, history and fetch_message in the DM, edit and delete of the
bot's message (NotFound 10008 after), the bot refused the edit (Forbidden 50005) and the deletion
(Forbidden 50003) of the person's message, typing(), the person's GET /users/@me/channels listing
the DM, and a DM to another bot refused (Forbidden 50007).
Environment (from seed.py): COMPAT_BASE, COMPAT_BOT_TOKEN, COMPAT_APP_ID,
COMPAT_USER_ID, COMPAT_USER_NAME, COMPAT_USER_TOKEN, COMPAT_GUILD_ID, COMPAT_GENERAL_ID,
COMPAT_SEED_MESSAGE_ID, COMPAT_PLAIN_ID, COMPAT_PLAIN_TOKEN (a second bot in the guild with no
permissions).

Prints one PASS/FAIL line per check; exits 0 only if every check passed.
"""

import asyncio
import datetime
import json
import os
import sys
import time
import traceback
import urllib.error
import urllib.request

import discord

import dpy_forwards
import dpy_reactions
import dpy_mentions  # tests/compat/dpy_mentions.py, beside this file

OVERALL_TIMEOUT = 120  # seconds for the whole run

ENV = {k: os.environ[k] for k in (
    "COMPAT_BASE", "COMPAT_BOT_TOKEN", "COMPAT_APP_ID", "COMPAT_USER_ID", "COMPAT_USER_NAME",
    "COMPAT_USER_TOKEN", "COMPAT_GUILD_ID", "COMPAT_GENERAL_ID", "COMPAT_SEED_MESSAGE_ID", "COMPAT_PLAIN_ID",
    "COMPAT_PLAIN_TOKEN")}
BOT_ID = int(ENV["COMPAT_APP_ID"])  # a bot's user id is its application id
USER_ID = int(ENV["COMPAT_USER_ID"])
GUILD_ID = int(ENV["COMPAT_GUILD_ID"])
GENERAL_ID = int(ENV["COMPAT_GENERAL_ID"])
SEED_MESSAGE_ID = int(ENV["COMPAT_SEED_MESSAGE_ID"])
PLAIN_ID = int(ENV["COMPAT_PLAIN_ID"])  # the bot without permissions
MEMBER_COUNT = 3  # the owner, this bot and the plain bot
TAG = str(int(time.time() * 1000))[-6:]  # unique names
# Reasons given with reason= (sent as X-Audit-Log-Reason, percent-encoded by discord.py except
# for spaces and slashes); each names one request, so the audit checks can find its entry.
REASONS = {k: f"dpy {k} / café {TAG}" for k in (
    "create", "edit", "create second", "reorder", "give", "take", "nick and roles", "timeout",
    "lift", "reset", "delete", "delete second")}
UNKNOWN_ID = 1234567890123456789  # a well-formed snowflake no object has
# Reasons of the permission overwrite checks (their audit entries are found by them).
OW_REASONS = {k: f"dpy ow {k} / {TAG}" for k in (
    "role", "create", "admin deny", "admin undo", "allow plain", "role create", "role update",
    "role delete", "edit", "rename", "category", "synced", "loose", "move", "drifter", "lock",
    "category change", "desync", "category delete", "delete synced", "delete loose", "delete drifter",
    "delete private",
    "delete category", "delete role")}
# Reasons of the moderation checks (kick, ban, unban, bulk delete; their audit entries are found
# by them).
MOD_REASONS = {k: f"dpy mod {k} / ç {TAG}" for k in (
    "channel", "invite", "kick", "kick again", "ban", "ban outsider", "ban outsider 2", "unban",
    "unban outsider", "unban outsider 2", "bulk", "too old", "purge", "delete channel")}
PASSWORD = "Compat-test-password-1"  # the throwaway people's

# Readable failure details: PermissionOverwrite has no repr of its own.
discord.PermissionOverwrite.__repr__ = lambda self: "PermissionOverwrite({})".format(
    ", ".join(f"{k}={v}" for k, v in self if v is not None))

PREFIX = "dpy"
failures = []
passes = 0


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


async def expect_error(name, coro, exc_type, code=None, status=None):
    """Awaits coro and checks it raises exc_type (with .code / .status when given)."""
    try:
        result = await coro
    except exc_type as err:
        problems = []
        if code is not None and getattr(err, "code", None) != code:
            problems.append(f"code {getattr(err, 'code', None)!r} != {code}")
        if status is not None and getattr(err, "status", None) != status:
            problems.append(f"status {getattr(err, 'status', None)!r} != {status}")
        return check(name, not problems, "; ".join(problems))
    except Exception as err:  # noqa: BLE001 - report whatever else came out
        return check(name, False, f"raised {type(err).__name__}: {err}")
    return check(name, False, f"no exception; returned {result!r}")


class Steps:
    """Runs named groups of checks; an exception inside a group fails that group only."""

    def __init__(self):
        self.state = {}

    async def run(self, name, func):
        try:
            await func()
        except Exception as err:  # noqa: BLE001
            tb = traceback.format_exc(limit=4)
            check(f"{name} (completed without exception)", False, f"{type(err).__name__}: {err}\n{tb}")


async def main():
    discord.http.Route.BASE = ENV["COMPAT_BASE"] + "/api/v10"
    intents = discord.Intents.default()
    intents.members = True  # Guild.fetch_members refuses to run without it (no gateway involved)
    client = discord.Client(intents=intents)
    s = Steps()
    st = s.state

    async with client:
        # --- login: GET /users/@me, GET /oauth2/applications/@me -------------------------
        async def login():
            await client.login(ENV["COMPAT_BOT_TOKEN"])
            check_eq("login: client.user.id is the bot", client.user.id, BOT_ID)
            check("login: client.user.bot is True", client.user.bot is True, repr(client.user.bot))
            check_eq("login: client.application_id", client.application_id, BOT_ID)
            app = await client.application_info()
            check_eq("application_info: name", app.name, "compat-bot")
            check_eq("application_info: owner id", app.owner.id, USER_ID)
        await s.run("login", login)
        if client.user is None:
            check("login succeeded (later checks need it)", False)
            return

        async def users():
            user = await client.fetch_user(USER_ID)
            check_eq("fetch_user: id", user.id, USER_ID)
            check_eq("fetch_user: name", user.name, ENV["COMPAT_USER_NAME"])
            check("fetch_user: not a bot", user.bot is False, repr(user.bot))
            await expect_error("fetch_user(unknown) raises NotFound 10013",
                               client.fetch_user(UNKNOWN_ID), discord.NotFound, code=10013)
        await s.run("users", users)

        # --- guild and channels ----------------------------------------------------------
        async def guild():
            g = await client.fetch_guild(GUILD_ID, with_counts=True)
            st["guild"] = g
            check_eq("fetch_guild: name", g.name, "Compat")
            check_eq("fetch_guild: owner_id", g.owner_id, USER_ID)
            check_eq("fetch_guild: approximate_member_count", g.approximate_member_count, MEMBER_COUNT)
            check("fetch_guild: @everyone role present",
                  g.default_role is not None and g.default_role.id == GUILD_ID,
                  repr(g.roles))
            channels = await g.fetch_channels()
            by_id = {c.id: c for c in channels}
            check("guild.fetch_channels: contains general", GENERAL_ID in by_id, repr(channels))
            if GENERAL_ID in by_id:
                check_eq("guild.fetch_channels: general is a TextChannel",
                         type(by_id[GENERAL_ID]).__name__, "TextChannel")
                check_eq("guild.fetch_channels: general name", by_id[GENERAL_ID].name, "general")
            ch = await client.fetch_channel(GENERAL_ID)
            st["general"] = ch
            check("fetch_channel(general): TextChannel", isinstance(ch, discord.TextChannel), repr(ch))
            check_eq("fetch_channel(general): guild id", ch.guild.id, GUILD_ID)
            check_eq("fetch_channel(general): name", ch.name, "general")
            await expect_error("fetch_channel(unknown) raises NotFound 10003",
                               client.fetch_channel(UNKNOWN_ID), discord.NotFound, code=10003, status=404)
            await expect_error("fetch_guild(unknown) raises NotFound 10004",
                               client.fetch_guild(UNKNOWN_ID), discord.NotFound, code=10004, status=404)
        await s.run("guild", guild)
        g = st.get("guild")
        general = st.get("general")
        if g is None or general is None:
            check("guild and general channel fetched (later checks need them)", False)
            return

        # --- messages --------------------------------------------------------------------
        async def messages():
            seed = await general.fetch_message(SEED_MESSAGE_ID)
            check_eq("fetch_message(seed): content", seed.content, "seed message from the owner")
            check_eq("fetch_message(seed): author is the owner", seed.author.id, USER_ID)

            msg = await general.send("hello from dpy")
            st["hello"] = msg
            check_eq("send: content", msg.content, "hello from dpy")
            check_eq("send: author is the bot", msg.author.id, BOT_ID)
            check_eq("send: type default", msg.type, discord.MessageType.default)
            check_eq("send: channel id", msg.channel.id, GENERAL_ID)
            check("send: created_at is aware datetime", msg.created_at.tzinfo is not None)

            reply = await general.send("a reply from dpy", reference=msg)
            check_eq("reply: type is reply", reply.type, discord.MessageType.reply)
            check("reply: reference.message_id",
                  reply.reference is not None and reply.reference.message_id == msg.id,
                  repr(reply.reference))

            edited = await msg.edit(content="hello from dpy (edited)")
            check_eq("edit: content", edited.content, "hello from dpy (edited)")
            check("edit: edited_at set", edited.edited_at is not None, repr(edited.edited_at))

            fetched = await general.fetch_message(msg.id)
            check_eq("fetch_message: edited content", fetched.content, "hello from dpy (edited)")
            check("fetch_message: edited_at set", fetched.edited_at is not None)

            await msg.delete()
            check("message.delete returned", True)
            await expect_error("fetch_message(deleted) raises NotFound 10008",
                               general.fetch_message(msg.id), discord.NotFound, code=10008, status=404)
            await expect_error("send('') raises HTTPException 50006",
                               general.send(""), discord.HTTPException, code=50006, status=400)

            async with general.typing():
                pass
            check("typing() context manager (POST /typing)", True)
        await s.run("messages", messages)

        # --- history and paging ----------------------------------------------------------
        async def history():
            ch = await g.create_text_channel("dpy-history")
            st["history_channel"] = ch
            sent = []
            for i in range(120):  # more than one page of 100
                sent.append((await ch.send(f"h{i}")).id)
            check("history: 120 messages sent, ids increasing", sent == sorted(sent))

            latest = [m.id async for m in ch.history(limit=5)]
            check_eq("history(limit=5): newest first", latest, list(reversed(sent[-5:])))

            everything = [m.id async for m in ch.history(limit=None)]
            check_eq("history(limit=None): all 120, newest first (before= paging)", everything,
                     list(reversed(sent)))

            oldest = [m.id async for m in ch.history(limit=3, oldest_first=True)]
            check_eq("history(limit=3, oldest_first=True): oldest three ascending", oldest, sent[:3])

            after = [m.id async for m in ch.history(limit=None, after=discord.Object(id=sent[9]))]
            check_eq("history(after=10th, limit=None): 110 ascending (after= paging)", after, sent[10:])

            after_before = [m.id async for m in ch.history(limit=None, after=discord.Object(id=sent[4]),
                                                             before=discord.Object(id=sent[115]))]
            check_eq("history(after=5th, before=116th): ascending window", after_before, sent[5:115])

            before = [m.id async for m in ch.history(limit=150, before=discord.Object(id=sent[110]))]
            check_eq("history(before=111th, limit=150): 110 newest first", before,
                     list(reversed(sent[:110])))

            around = [m.id async for m in ch.history(limit=5, around=discord.Object(id=sent[60]))]
            check("history(around=61st, limit=5): contains the anchor", sent[60] in around, repr(around))
            check_eq("history(around=61st, limit=5): the 5 surrounding messages",
                     sorted(around), sent[58:63])

            general_hist = [m async for m in general.history(limit=10, oldest_first=True)]
            check("history(general, oldest_first): seed message first",
                  bool(general_hist) and general_hist[0].id == SEED_MESSAGE_ID,
                  repr([m.id for m in general_hist]))
        await s.run("history", history)

        # --- channel management ----------------------------------------------------------
        async def channels():
            made = await g.create_text_channel("dpy-made", topic="made by discord.py")
            check("create_text_channel: TextChannel", isinstance(made, discord.TextChannel), repr(made))
            check_eq("create_text_channel: name", made.name, "dpy-made")
            check_eq("create_text_channel: topic", made.topic, "made by discord.py")
            check_eq("create_text_channel: guild", made.guild.id, GUILD_ID)

            edited = await made.edit(name="dpy-renamed", topic="edited by discord.py")
            check("channel.edit: returns the channel", edited is not None)
            if edited is not None:
                check_eq("channel.edit: name", edited.name, "dpy-renamed")
                check_eq("channel.edit: topic", edited.topic, "edited by discord.py")
            refetched = await client.fetch_channel(made.id)
            check_eq("fetch_channel after edit: name", refetched.name, "dpy-renamed")

            cat = await g.create_category("Cat")
            check("create_category: CategoryChannel", isinstance(cat, discord.CategoryChannel), repr(cat))
            check_eq("create_category: name", cat.name, "Cat")
            child = await g.create_text_channel("dpy-child", category=cat)
            check_eq("create_text_channel(category=): category_id", child.category_id, cat.id)

            for ch in (child, made, cat):
                await ch.delete()
            await expect_error("fetch_channel(deleted) raises NotFound 10003",
                               client.fetch_channel(made.id), discord.NotFound, code=10003)
            names = [c.name for c in await g.fetch_channels()]
            check("fetch_channels after delete: deleted channels gone",
                  not {"dpy-renamed", "dpy-child", "Cat"} & set(names), repr(names))
            hist = st.get("history_channel")
            if hist is not None:
                await hist.delete()
        await s.run("channels", channels)

        # --- invites ---------------------------------------------------------------------
        async def invites():
            inv = await general.create_invite(max_age=600, max_uses=3, unique=True)
            check("create_invite: has a code", bool(inv.code), repr(inv))
            check_eq("create_invite: max_age", inv.max_age, 600)
            check_eq("create_invite: max_uses", inv.max_uses, 3)
            check_eq("create_invite: channel id", inv.channel.id if inv.channel else None, GENERAL_ID)
            check_eq("create_invite: guild id", inv.guild.id if inv.guild else None, GUILD_ID)

            fetched = await client.fetch_invite(inv.code, with_counts=True)
            check_eq("fetch_invite: code", fetched.code, inv.code)
            check_eq("fetch_invite: guild name", getattr(fetched.guild, "name", None), "Compat")
            check_eq("fetch_invite(with_counts): approximate_member_count",
                     fetched.approximate_member_count, MEMBER_COUNT)

            listed = await g.invites()
            check("guild.invites: contains the invite", inv.code in [i.code for i in listed],
                  repr([i.code for i in listed]))
            chan_listed = await general.invites()
            check("channel.invites: contains the invite", inv.code in [i.code for i in chan_listed])

            await inv.delete()
            await expect_error("fetch_invite(deleted) raises NotFound 10006",
                               client.fetch_invite(inv.code), discord.NotFound, code=10006)
        await s.run("invites", invites)

        # --- members ---------------------------------------------------------------------
        async def members():
            listed = [m async for m in g.fetch_members(limit=10)]
            ids = [m.id for m in listed]
            check_eq("fetch_members(limit=10): owner, bot and plain bot", sorted(ids),
                     sorted([USER_ID, BOT_ID, PLAIN_ID]))
            # The server lists members ascending by user id; discord.py yields each page reversed.
            check_eq("fetch_members: page yielded in reverse of the ascending wire order", ids,
                     sorted(ids, reverse=True))
            one = [m async for m in g.fetch_members(limit=1)]
            check_eq("fetch_members(limit=1): one member", len(one), 1)

            bot = await g.fetch_member(BOT_ID)
            check_eq("fetch_member(bot): id", bot.id, BOT_ID)
            check("fetch_member(bot): bot flag", bot.bot is True)
            check("fetch_member(bot): has a role (permissions=8 at authorize)", len(bot.roles) >= 2,
                  repr(bot.roles))
            owner = await g.fetch_member(USER_ID)
            check_eq("fetch_member(owner): name", owner.name, ENV["COMPAT_USER_NAME"])
            check("fetch_member(owner): joined_at set", owner.joined_at is not None)
            await expect_error("fetch_member(unknown) raises NotFound 10007",
                               g.fetch_member(UNKNOWN_ID), discord.NotFound, code=10007)
        await s.run("members", members)

        # --- roles -----------------------------------------------------------------------
        async def roles():
            perms = discord.Permissions(send_messages=True, manage_messages=True, kick_members=True)
            name = f"dpy-role-{TAG}"
            role = await g.create_role(name=name, permissions=perms, colour=discord.Colour(0x3498DB),
                                       hoist=True, mentionable=True, reason=REASONS["create"])
            st["role"] = role
            check("create_role: returns a Role", isinstance(role, discord.Role), repr(role))
            check_eq("create_role: name", role.name, name)
            check_eq("create_role: permissions", role.permissions, perms)
            check_eq("create_role: colour (colors.primary_color)", role.colour.value, 0x3498DB)
            check("create_role: hoist", role.hoist is True, repr(role.hoist))
            check("create_role: mentionable", role.mentionable is True, repr(role.mentionable))
            check("create_role: not managed", role.managed is False, repr(role.managed))
            check_eq("create_role: position 1 (the bottom, above @everyone)", role.position, 1)

            new_perms = discord.Permissions(send_messages=True, manage_nicknames=True)
            edited = await role.edit(name=f"{name}-edited", permissions=new_perms,
                                     colour=discord.Colour(0xE74C3C), reason=REASONS["edit"])
            check("role.edit: returns the Role", isinstance(edited, discord.Role), repr(edited))
            if edited is None:
                return
            st["role"] = edited
            check_eq("role.edit: id", edited.id, role.id)
            check_eq("role.edit: name", edited.name, f"{name}-edited")
            check_eq("role.edit: permissions", edited.permissions, new_perms)
            check_eq("role.edit: colour", edited.colour.value, 0xE74C3C)
            check("role.edit: hoist kept", edited.hoist is True, repr(edited.hoist))

            second = await g.create_role(name=f"dpy-second-{TAG}", reason=REASONS["create second"])
            st["second"] = second
            check_eq("create_role (second): position 1", second.position, 1)
            by_id = {r.id: r for r in await g.fetch_roles()}
            check("fetch_roles: both new roles and @everyone",
                  {role.id, second.id, GUILD_ID} <= set(by_id), repr(sorted(by_id)))
            check_eq("fetch_roles: the first role moved up to position 2",
                     by_id[role.id].position if role.id in by_id else None, 2)

            moved = await g.edit_role_positions({edited: 1, second: 2}, reason=REASONS["reorder"])
            positions = {r.id: r.position for r in moved}
            check_eq("edit_role_positions: positions swapped", (positions.get(role.id), positions.get(second.id)),
                     (1, 2))
            check("edit_role_positions: answers every role, @everyone at 0",
                  positions.get(GUILD_ID) == 0, repr(positions))
            fetched = await g.fetch_role(role.id)
            check_eq("fetch_role after the reorder: position", fetched.position, 1)
            check_eq("fetch_role: name", fetched.name, f"{name}-edited")
            await expect_error("fetch_role(unknown) raises NotFound 10011",
                               g.fetch_role(UNKNOWN_ID), discord.NotFound, code=10011, status=404)
        await s.run("roles", roles)

        # --- a member without MANAGE_ROLES (the plain bot, no permissions) ---------------
        async def refused():
            plain_client = discord.Client(intents=discord.Intents.default())
            async with plain_client:
                await plain_client.login(ENV["COMPAT_PLAIN_TOKEN"])
                check_eq("plain bot: login", plain_client.user.id, PLAIN_ID)
                pg = await plain_client.fetch_guild(GUILD_ID)
                await expect_error("plain bot: guild.create_role raises Forbidden 50013",
                                   pg.create_role(name="refused", reason="must be refused"),
                                   discord.Forbidden, code=50013, status=403)
                role = pg.get_role(st["role"].id) if "role" in st else None
                if check("plain bot: the fetched guild has the new role", role is not None):
                    await expect_error("plain bot: role.edit raises Forbidden 50013",
                                       role.edit(name="refused"), discord.Forbidden, code=50013, status=403)
                    await expect_error("plain bot: role.delete raises Forbidden 50013",
                                       role.delete(), discord.Forbidden, code=50013, status=403)

                async def read_log():
                    return [e async for e in pg.audit_logs(limit=1)]
                await expect_error("plain bot: guild.audit_logs raises Forbidden 50013 (no VIEW_AUDIT_LOG)",
                                   read_log(), discord.Forbidden, code=50013, status=403)
        await s.run("refused", refused)

        # --- member changes --------------------------------------------------------------
        async def member_changes():
            role, second = st.get("role"), st.get("second")
            if role is None or second is None:
                check("member changes: the roles were made (needed here)", False)
                return
            g2 = await client.fetch_guild(GUILD_ID)  # its role cache has the new roles
            plain = await g2.fetch_member(PLAIN_ID)
            check("fetch_member(plain): a bot", plain.bot is True, repr(plain.bot))
            check("fetch_member(plain): no timeout", plain.timed_out_until is None, repr(plain.timed_out_until))

            await plain.add_roles(role, reason=REASONS["give"])
            after = await g2.fetch_member(PLAIN_ID)
            check("member.add_roles: the member has the role", role in after.roles, repr(after.roles))
            await after.remove_roles(role, reason=REASONS["take"])
            after = await g2.fetch_member(PLAIN_ID)
            check("member.remove_roles: the role is gone", role not in after.roles, repr(after.roles))

            nick = f"dpy-nick-{TAG}"
            edited = await after.edit(nick=nick, roles=[second], reason=REASONS["nick and roles"])
            check("member.edit(nick=, roles=): returns the Member", isinstance(edited, discord.Member),
                  repr(edited))
            if edited is None:
                return
            check_eq("member.edit: nick", edited.nick, nick)
            check_eq("member.edit: display_name is the nick", edited.display_name, nick)
            check_eq("member.edit: roles (besides @everyone)",
                     [r.id for r in edited.roles if not r.is_default()], [second.id])

            until = discord.utils.utcnow().replace(microsecond=123456) + datetime.timedelta(minutes=10)
            st["until"] = until
            result = await edited.timeout(until, reason=REASONS["timeout"])
            check("member.timeout(until): returns None", result is None, repr(result))
            timed = await g2.fetch_member(PLAIN_ID)
            check_eq("member.timeout: timed_out_until (to the microsecond)", timed.timed_out_until, until)
            check("member.timeout: is_timed_out()", timed.is_timed_out())

            lifted = await timed.edit(timed_out_until=None, reason=REASONS["lift"])
            check("member.edit(timed_out_until=None): timeout lifted",
                  lifted is not None and lifted.timed_out_until is None,
                  repr(lifted and lifted.timed_out_until))
            check("member.edit(timed_out_until=None): not is_timed_out()",
                  lifted is not None and not lifted.is_timed_out())

            reset = await (lifted or timed).edit(nick=None, roles=[], reason=REASONS["reset"])
            check("member.edit(nick=None, roles=[]): nick cleared", reset is not None and reset.nick is None,
                  repr(reset and reset.nick))
            check_eq("member.edit(nick=None, roles=[]): only @everyone left",
                     [r.id for r in reset.roles] if reset else None, [GUILD_ID])
        await s.run("member changes", member_changes)

        async def delete_roles():
            role, second = st.get("role"), st.get("second")
            if role is None or second is None:
                check("delete roles: the roles were made (needed here)", False)
                return
            result = await role.delete(reason=REASONS["delete"])
            check("role.delete: returns None", result is None, repr(result))
            await second.delete(reason=REASONS["delete second"])
            await expect_error("fetch_role(deleted) raises NotFound 10011",
                               g.fetch_role(role.id), discord.NotFound, code=10011, status=404)
            left = {r.id for r in await g.fetch_roles()}
            check("fetch_roles: both deleted roles gone", not {role.id, second.id} & left, repr(sorted(left)))
        await s.run("delete roles", delete_roles)

        # --- the audit log of all that ---------------------------------------------------
        async def audit():
            role, second = st.get("role"), st.get("second")
            if role is None or second is None:
                check("audit log: the roles were made (needed here)", False)
                return
            A = discord.AuditLogAction
            mine = [e async for e in g.audit_logs(limit=100, user=discord.Object(id=BOT_ID))]
            ids = [e.id for e in mine]
            check("audit_logs(user=bot): entries, newest first", bool(ids) and ids == sorted(ids, reverse=True),
                  repr(ids))
            check("audit_logs(user=bot): every entry's user is the bot (a User from `users`)",
                  all(isinstance(e.user, discord.User) and e.user.id == BOT_ID for e in mine),
                  repr([e.user for e in mine]))

            def entry(label, action, target_id, reason):
                found = [e for e in mine if e.action == action and e.target is not None
                         and e.target.id == target_id and e.reason == reason]
                check(f"audit: one {action.name} entry for {label} (target, reason)", len(found) == 1,
                      f"found {len(found)}; entries: "
                      + repr([(e.action.name, getattr(e.target, 'id', None), e.reason) for e in mine]))
                return found[0] if found else None

            e = entry("the role's creation", A.role_create, role.id, REASONS["create"])
            if e:
                check("audit role_create: target is a Role (cached, or an Object of type Role once deleted)",
                      isinstance(e.target, discord.Role) or getattr(e.target, "type", None) is discord.Role,
                      repr(e.target))
                check_eq("audit role_create: after.name", e.after.name, f"dpy-role-{TAG}")
                check_eq("audit role_create: after.permissions",
                         e.after.permissions,
                         discord.Permissions(send_messages=True, manage_messages=True, kick_members=True))
                check_eq("audit role_create: after.colour", getattr(e.after.colour, "value", None), 0x3498DB)
                check("audit role_create: after.hoist and after.mentionable",
                      e.after.hoist is True and e.after.mentionable is True, repr(e.after))
            e = entry("the role's edit", A.role_update, role.id, REASONS["edit"])
            if e:
                check_eq("audit role_update: name before/after", (e.before.name, e.after.name),
                         (f"dpy-role-{TAG}", f"dpy-role-{TAG}-edited"))
                check_eq("audit role_update: permissions after",
                         e.after.permissions, discord.Permissions(send_messages=True, manage_nicknames=True))
                check_eq("audit role_update: colour before/after",
                         (getattr(e.before.colour, "value", None), getattr(e.after.colour, "value", None)),
                         (0x3498DB, 0xE74C3C))
            entry("the second role's creation", A.role_create, second.id, REASONS["create second"])
            e = entry("the first role's move", A.role_update, role.id, REASONS["reorder"])
            if e:
                check_eq("audit role_update (reorder): first role position 2 -> 1",
                         (e.before.position, e.after.position), (2, 1))
            e = entry("the second role's move", A.role_update, second.id, REASONS["reorder"])
            if e:
                check_eq("audit role_update (reorder): second role position 1 -> 2",
                         (e.before.position, e.after.position), (1, 2))
            e = entry("add_roles", A.member_role_update, PLAIN_ID, REASONS["give"])
            if e:
                check("audit member_role_update ($add): target is the plain bot (a User)",
                      isinstance(e.target, discord.User), repr(e.target))
                check_eq("audit member_role_update ($add): after.roles",
                         [(r.id, getattr(r, "name", None)) for r in e.after.roles],
                         [(role.id, f"dpy-role-{TAG}-edited")])
            e = entry("remove_roles", A.member_role_update, PLAIN_ID, REASONS["take"])
            if e:
                check_eq("audit member_role_update ($remove): before.roles",
                         [r.id for r in e.before.roles], [role.id])
            e = entry("the nick", A.member_update, PLAIN_ID, REASONS["nick and roles"])
            if e:
                check_eq("audit member_update: nick before/after", (e.before.nick, e.after.nick),
                         (None, f"dpy-nick-{TAG}"))
            e = entry("the roles set by member.edit", A.member_role_update, PLAIN_ID, REASONS["nick and roles"])
            if e:
                check_eq("audit member_role_update (member.edit roles=): after.roles",
                         [r.id for r in e.after.roles], [second.id])
            e = entry("the timeout", A.member_update, PLAIN_ID, REASONS["timeout"])
            if e:
                check_eq("audit member_update (timeout): after.timed_out_until",
                         e.after.timed_out_until, st.get("until"))
            e = entry("the timeout's lifting", A.member_update, PLAIN_ID, REASONS["lift"])
            if e:
                check_eq("audit member_update (lift): timed_out_until before/after",
                         (e.before.timed_out_until, e.after.timed_out_until), (st.get("until"), None))
            e = entry("the reset", A.member_update, PLAIN_ID, REASONS["reset"])
            if e:
                check_eq("audit member_update (reset): nick before/after", (e.before.nick, e.after.nick),
                         (f"dpy-nick-{TAG}", None))
            entry("the reset's roles", A.member_role_update, PLAIN_ID, REASONS["reset"])
            e = entry("the role's deletion", A.role_delete, role.id, REASONS["delete"])
            if e:
                check_eq("audit role_delete: before.name", e.before.name, f"dpy-role-{TAG}-edited")
                check_eq("audit role_delete: before.permissions",
                         e.before.permissions, discord.Permissions(send_messages=True, manage_nicknames=True))
            entry("the second role's deletion", A.role_delete, second.id, REASONS["delete second"])

            # Filters: by action, by user, both; limit.
            deletes = [e async for e in g.audit_logs(limit=100, action=A.role_delete)]
            check("audit_logs(action=role_delete): only role_delete entries",
                  bool(deletes) and all(e.action is A.role_delete for e in deletes),
                  repr([e.action for e in deletes]))
            check("audit_logs(action=role_delete): both deleted roles",
                  {role.id, second.id} <= {e.target.id for e in deletes}, repr([e.target for e in deletes]))
            updates = [e async for e in g.audit_logs(limit=100, action=A.member_update,
                                                     user=discord.Object(id=BOT_ID))]
            check_eq("audit_logs(action=member_update, user=bot): the 4 member_update entries",
                     sorted(e.reason for e in updates),
                     sorted(REASONS[k] for k in ("nick and roles", "timeout", "lift", "reset")))
            none = [e async for e in g.audit_logs(limit=100, user=discord.Object(id=PLAIN_ID))]
            check_eq("audit_logs(user=plain bot): nothing (its refused attempts left no entry)",
                     [(e.action, e.reason) for e in none], [])
            two = [e.id async for e in g.audit_logs(limit=2)]
            check_eq("audit_logs(limit=2): the 2 newest entries", two, ids[:2])
        await s.run("audit log", audit)

        await s.run("permission overwrites", lambda: overwrites(client, s.state))

        await s.run("moderation", lambda: moderation(client))

        await s.run("direct messages", lambda: direct_messages(client))
        await s.run("forwards and system messages", lambda: dpy_forwards.run(client, sys.modules[__name__]))
        await s.run("reactions", lambda: dpy_reactions.reactions(client, GENERAL_ID, check, check_eq, expect_error))

        await s.run("mentions", lambda: dpy_mentions.mentions(client, check, check_eq, GUILD_ID, GENERAL_ID, USER_ID, TAG))

        await s.run("threads", lambda: __import__("dpy_threads").threads(client, check, check_eq, expect_error, GUILD_ID, GENERAL_ID, USER_ID))

    # `async with client` closed it; close() is idempotent and is the documented way out.
    await client.close()


async def overwrites(client, st):
    """Channel permission overwrites through the library's own API: a private channel made with
    overwrites and read back, set_permissions (create, update, delete) with reasons, edit(overwrites=),
    the plain bot (no permissions) not seeing the private channel until a member overwrite lets it,
    and refused MANAGE_ROLES; category sync (create in a category, edit(category=, sync_permissions=),
    a category's change carried over); the audit entries of all that."""
    R = OW_REASONS
    P = discord.PermissionOverwrite
    A = discord.AuditLogAction
    g = await client.fetch_guild(GUILD_ID)
    role = await g.create_role(name=f"dpy-ow-{TAG}", reason=R["role"])
    g = await client.fetch_guild(GUILD_ID)  # its role cache has the new role
    everyone = g.default_role
    owner = await g.fetch_member(USER_ID)
    plain = await g.fetch_member(PLAIN_ID)
    me = await g.fetch_member(BOT_ID)
    made = {}  # name -> channel, deleted at the end

    def by_id(channel):
        """{target id: PermissionOverwrite} of a channel's overwrites."""
        return {t.id: ow for t, ow in channel.overwrites.items()}

    # --- a private channel: @everyone denied VIEW_CHANNEL, the owner allowed ---------------------
    hidden, owner_ow = P(view_channel=False), P(view_channel=True, send_messages=True)
    ch = await g.create_text_channel(f"dpy-private-{TAG}", overwrites={everyone: hidden, owner: owner_ow},
                                     reason=R["create"])
    made["private"] = ch
    check_eq("create_text_channel(overwrites=): overwrites_for(@everyone)", ch.overwrites_for(everyone), hidden)
    check_eq("create_text_channel(overwrites=): overwrites_for(owner)", ch.overwrites_for(owner), owner_ow)
    check("create_text_channel(overwrites=): channel.overwrites has the @everyone Role and the owner",
          set(by_id(ch)) == {GUILD_ID, USER_ID}
          and any(isinstance(t, discord.Role) and t.is_default() for t in ch.overwrites), repr(ch.overwrites))
    fetched = await g.fetch_channel(ch.id)
    check_eq("guild.fetch_channel: the overwrites read back", by_id(fetched), {GUILD_ID: hidden, USER_ID: owner_ow})
    check("permissions_for(plain) from the fetched overwrites: no view_channel",
          fetched.permissions_for(plain).view_channel is False, repr(fetched.permissions_for(plain)))
    listed = {c.id: c for c in await g.fetch_channels()}
    check("guild.fetch_channels (administrator): has the private channel with its overwrites",
          ch.id in listed and by_id(listed[ch.id]) == by_id(fetched), repr(listed.get(ch.id)))
    secret = await ch.send(f"secret {TAG}")

    # An administrator holds every permission whatever the overwrites.
    await ch.set_permissions(me, view_channel=False, send_messages=False, reason=R["admin deny"])
    again = await g.fetch_channel(ch.id)
    check_eq("set_permissions(the bot itself, view_channel=False): the member overwrite is stored",
             again.overwrites_for(me), P(view_channel=False, send_messages=False))
    sent = await ch.send("an administrator ignores overwrites")
    check("an administrator denied VIEW_CHANNEL/SEND_MESSAGES by an overwrite still sends there",
          sent.channel.id == ch.id)
    await sent.delete()
    await ch.set_permissions(me, overwrite=None, reason=R["admin undo"])

    # --- the plain bot (no permissions) may not view it --------------------------------------
    plain_client = discord.Client(intents=discord.Intents.default())
    async with plain_client:
        await plain_client.login(ENV["COMPAT_PLAIN_TOKEN"])
        pg = await plain_client.fetch_guild(GUILD_ID)
        seen = {c.id for c in await pg.fetch_channels()}
        check("plain bot: guild.fetch_channels() leaves the private channel out (general listed)",
              ch.id not in seen and GENERAL_ID in seen, repr(sorted(seen)))
        await expect_error("plain bot: client.fetch_channel(private) raises Forbidden 50001",
                           plain_client.fetch_channel(ch.id), discord.Forbidden, code=50001, status=403)
        await expect_error("plain bot: guild.fetch_channel(private) raises Forbidden 50001",
                           pg.fetch_channel(ch.id), discord.Forbidden, code=50001, status=403)
        pm = plain_client.get_partial_messageable(ch.id, guild_id=GUILD_ID)

        async def history():
            return [m async for m in pm.history(limit=5)]
        await expect_error("plain bot: history() of the private channel raises Forbidden 50001",
                           history(), discord.Forbidden, code=50001, status=403)
        await expect_error("plain bot: fetch_message in the private channel raises Forbidden 50001",
                           pm.fetch_message(secret.id), discord.Forbidden, code=50001, status=403)
        await expect_error("plain bot: send to the private channel raises Forbidden 50001",
                           pm.send("must be refused"), discord.Forbidden, code=50001, status=403)

        await ch.set_permissions(plain, view_channel=True, reason=R["allow plain"])
        got = await plain_client.fetch_channel(ch.id)
        check("plain bot, allowed by a member overwrite: fetch_channel(private) is the TextChannel",
              isinstance(got, discord.TextChannel) and got.id == ch.id, repr(got))
        check("plain bot: the fetched channel shows its own overwrite",
              got.overwrites_for(plain) == P(view_channel=True), repr(got.overwrites))
        seen = {c.id for c in await pg.fetch_channels()}
        check("plain bot: guild.fetch_channels() now lists the private channel", ch.id in seen, repr(sorted(seen)))
        check_eq("plain bot: history() now has the secret message",
                 [m.id for m in await history()], [secret.id])
        mine = await pm.send(f"plain in private {TAG}")
        check("plain bot: send to the private channel now works", mine.channel.id == ch.id, repr(mine))
        await mine.delete()
        await expect_error("plain bot: set_permissions raises Forbidden 50013 (no MANAGE_ROLES)",
                           got.set_permissions(pg.default_role, send_messages=False, reason="must be refused"),
                           discord.Forbidden, code=50013, status=403)
        plain_self = await pg.fetch_member(PLAIN_ID)
        await expect_error("plain bot: set_permissions(overwrite=None) raises Forbidden 50013",
                           got.set_permissions(plain_self, overwrite=None), discord.Forbidden, code=50013, status=403)

    # --- set_permissions on a role: create, update, delete -----------------------------------
    first = P(view_channel=True, send_messages=False)
    await ch.set_permissions(role, overwrite=first, reason=R["role create"])
    check_eq("set_permissions(role, overwrite=): read back", (await g.fetch_channel(ch.id)).overwrites_for(role), first)
    await ch.set_permissions(role, view_channel=True, send_messages=True, embed_links=False, reason=R["role update"])
    second = P(view_channel=True, send_messages=True, embed_links=False)
    check_eq("set_permissions(role, **perms) on an existing overwrite: read back",
             (await g.fetch_channel(ch.id)).overwrites_for(role), second)
    await ch.set_permissions(role, overwrite=None, reason=R["role delete"])
    after = await g.fetch_channel(ch.id)
    check("set_permissions(role, overwrite=None): the overwrite is gone",
          role.id not in by_id(after) and after.overwrites_for(role).is_empty(), repr(after.overwrites))

    # --- edit(overwrites=) replaces them all ---------------------------------------------------
    wanted = {everyone: hidden, owner: owner_ow, plain: P(view_channel=True, send_messages=False),
              role: P(view_channel=True, add_reactions=False)}
    edited = await after.edit(overwrites=wanted, reason=R["edit"])
    expected = {t.id: ow for t, ow in wanted.items()}
    check_eq("channel.edit(overwrites=): the returned channel's overwrites", by_id(edited) if edited else None,
             expected)
    check_eq("channel.edit(overwrites=): read back", by_id(await g.fetch_channel(ch.id)), expected)
    renamed = await edited.edit(name=f"dpy-private-renamed-{TAG}", topic="private", reason=R["rename"])
    check_eq("channel.edit(name=): renamed, overwrites kept", (renamed.name, by_id(renamed)),
             (f"dpy-private-renamed-{TAG}", expected))

    # --- category sync --------------------------------------------------------------------------
    cat_ow = {everyone: P(send_messages=False), role: P(send_messages=True)}
    cat = await g.create_category(f"dpy-cat-{TAG}", overwrites=cat_ow, reason=R["category"])
    made["category"] = cat
    cat_ids = {t.id: ow for t, ow in cat_ow.items()}
    check_eq("create_category(overwrites=): overwrites", by_id(cat), cat_ids)
    # discord.py sends `permission_overwrites: []` here (its default when no overwrites are given);
    # Discord (as far as known; its docs do not say) treats that like no list: the channel starts
    # in sync with its category, as the channels its own client creates there do.
    synced = await cat.create_text_channel(f"dpy-synced-{TAG}", reason=R["synced"])
    made["synced"] = synced
    check_eq("category.create_text_channel (no overwrites): the category's overwrites", by_id(synced), cat_ids)
    check("category.create_text_channel: permissions_synced", synced.permissions_synced is True,
          repr(synced.overwrites))
    check_eq("category.create_text_channel: category", synced.category_id, cat.id)

    loose = await g.create_text_channel(f"dpy-loose-{TAG}", overwrites={role: P(attach_files=False)},
                                        reason=R["loose"])
    made["loose"] = loose
    # The category is cached (create_category put it there): discord.py sends its overwrites with
    # parent_id (PATCH /channels/{id} has no lock_permissions in discord.py).
    moved = await loose.edit(category=cat, sync_permissions=True, reason=R["move"])
    check_eq("edit(category=, sync_permissions=True): category", moved.category_id if moved else None, cat.id)
    check_eq("edit(category=, sync_permissions=True): the category's overwrites", by_id(moved), cat_ids)
    check("edit(category=, sync_permissions=True): permissions_synced", moved.permissions_synced is True,
          repr(moved.overwrites))
    # channel.move(category=, sync_permissions=True): PATCH /guilds/{id}/channels with
    # lock_permissions, the server copying the category's overwrites.
    drifter = await g.create_text_channel(f"dpy-drifter-{TAG}", overwrites={role: P(embed_links=False)},
                                          reason=R["drifter"])
    made["drifter"] = drifter
    await drifter.move(end=True, category=cat, sync_permissions=True, reason=R["lock"])
    drifted = await g.fetch_channel(drifter.id)
    check_eq("move(category=, sync_permissions=True): category", drifted.category_id, cat.id)
    check_eq("move(category=, sync_permissions=True): the category's overwrites (lock_permissions)",
             by_id(drifted), cat_ids)

    changed = P(send_messages=True, attach_files=True)
    await cat.set_permissions(role, overwrite=changed, reason=R["category change"])
    for label, c in (("edit(category=, sync_permissions=True)", moved),
                     ("move(category=, sync_permissions=True)", drifter)):
        f = await g.fetch_channel(c.id)
        check_eq(f"a category's set_permissions carries over to a channel in sync ({label})",
                 f.overwrites_for(role), changed)
    desynced = P(send_messages=False, add_reactions=False)
    await drifter.set_permissions(everyone, overwrite=desynced, reason=R["desync"])
    await cat.set_permissions(role, overwrite=None, reason=R["category delete"])
    f_drifter, f_moved = await g.fetch_channel(drifter.id), await g.fetch_channel(moved.id)
    check_eq("a channel changed on its own leaves sync: keeps its overwrites when the category's change",
             by_id(f_drifter), {GUILD_ID: desynced, role.id: changed})
    check_eq("the channel still in sync follows the category's deletion", by_id(f_moved),
             {GUILD_ID: P(send_messages=False)})

    # --- deletions, then the audit log -----------------------------------------------------------
    for key, channel in (("synced", synced), ("loose", moved), ("drifter", drifter), ("private", ch),
                         ("category", cat)):
        await channel.delete(reason=R[f"delete {key}"])
    made.clear()
    await role.delete(reason=R["delete role"])

    async def entries(action):
        return [e async for e in g.audit_logs(limit=100, action=action, user=discord.Object(id=BOT_ID))]

    def one(found, label, target_id, reason):
        mine = [e for e in found if e.reason == reason and e.target is not None and e.target.id == target_id]
        check(f"audit: one entry for {label} (target, reason)", len(mine) == 1,
              f"found {len(mine)}: {[(e.action.name, getattr(e.target, 'id', None), e.reason) for e in found][:20]!r}")
        return mine[0] if mine else None

    creates = await entries(A.overwrite_create)
    updates = await entries(A.overwrite_update)
    deletes = await entries(A.overwrite_delete)

    def extra_id(e):
        """The overwrite's role or member: entry.extra, else the id in its changes (discord.py
        resolves a member's extra from its cache or the log's `users` only)."""
        if e.extra is not None:
            return getattr(e.extra, "id", None)
        return getattr(e.after, "id", None) or getattr(e.before, "id", None)

    e = one([x for x in creates if extra_id(x) == role.id], "set_permissions(role) creating it (overwrite_create)",
            ch.id, R["role create"])
    if e:
        check("audit overwrite_create: extra is the Role", isinstance(e.extra, discord.Role) and e.extra.id == role.id,
              repr(e.extra))
        check_eq("audit overwrite_create: after.allow / after.deny",
                 (e.after.allow, e.after.deny), first.pair())
        check_eq("audit overwrite_create: after.id", getattr(e.after, "id", None), role.id)
        check("audit overwrite_create: target is the channel (by id)", e.target.id == ch.id, repr(e.target))
    e = one([x for x in updates if extra_id(x) == role.id], "set_permissions(role) changing it (overwrite_update)",
            ch.id, R["role update"])
    if e:
        check_eq("audit overwrite_update: before/after allow",
                 (e.before.allow, e.after.allow), (first.pair()[0], second.pair()[0]))
        check_eq("audit overwrite_update: before/after deny",
                 (e.before.deny, e.after.deny), (first.pair()[1], second.pair()[1]))
    e = one([x for x in deletes if extra_id(x) == role.id], "set_permissions(role, overwrite=None) (overwrite_delete)",
            ch.id, R["role delete"])
    if e:
        check_eq("audit overwrite_delete: before.allow / before.deny", (e.before.allow, e.before.deny), second.pair())
        check_eq("audit overwrite_delete: before.id", getattr(e.before, "id", None), role.id)
    e = one([x for x in creates if extra_id(x) == PLAIN_ID], "set_permissions(plain member) (overwrite_create)",
            ch.id, R["allow plain"])
    if e:
        check_eq("audit overwrite_create (member): after.id", getattr(e.after, "id", None), PLAIN_ID)
        check_eq("audit overwrite_create (member): after.allow", e.after.allow, P(view_channel=True).pair()[0])
    one([x for x in creates if extra_id(x) == BOT_ID], "the bot's own member overwrite (overwrite_create)",
        ch.id, R["admin deny"])
    one([x for x in deletes if extra_id(x) == BOT_ID], "its removal (overwrite_delete)", ch.id, R["admin undo"])
    # edit(overwrites=): the plain bot's overwrite changed, the role's added. (An update's changes
    # carry no id: a member's entry is the one whose extra is not a Role.)
    e = one([x for x in updates if not isinstance(x.extra, discord.Role)],
            "edit(overwrites=) changing the plain bot's (overwrite_update)", ch.id, R["edit"])
    if e:
        check_eq("audit overwrite_update (member): deny before/after",
                 (e.before.deny, e.after.deny), (discord.Permissions.none(), P(send_messages=False).pair()[1]))
    one([x for x in creates if extra_id(x) == role.id], "edit(overwrites=) adding the role's (overwrite_create)",
        ch.id, R["edit"])
    check("audit: edit(overwrites=) left the unchanged overwrites alone (no entry for @everyone or the owner)",
          not [x for x in creates + updates + deletes if x.reason == R["edit"] and extra_id(x) in (GUILD_ID, USER_ID)])
    one([x for x in updates if extra_id(x) == role.id], "a category's set_permissions (overwrite_update)",
        cat.id, R["category change"])

    made_entries = await entries(A.channel_create)
    e = one(made_entries, "the private channel's creation (channel_create)", ch.id, R["create"])
    if e:
        check_eq("audit channel_create: after.name, after.type", (e.after.name, e.after.type),
                 (f"dpy-private-{TAG}", discord.ChannelType.text))
    e = one(made_entries, "the category's creation (channel_create)", cat.id, R["category"])
    if e:
        check_eq("audit channel_create (category): after.type", e.after.type, discord.ChannelType.category)
    e = one(await entries(A.channel_update), "the rename (channel_update)", ch.id, R["rename"])
    if e:
        check_eq("audit channel_update: name before/after", (e.before.name, e.after.name),
                 (f"dpy-private-{TAG}", f"dpy-private-renamed-{TAG}"))
    e = one(await entries(A.channel_delete), "the private channel's deletion (channel_delete)", ch.id,
            R["delete private"])
    if e:
        check_eq("audit channel_delete: before.name", e.before.name, f"dpy-private-renamed-{TAG}")


async def direct_messages(client):
    """A DM between the bot and the seeded person through the library's own API; the person acts
    over plain HTTP (opening the same DM from their side, replying, listing their DMs)."""
    person_token = ENV["COMPAT_USER_TOKEN"]
    person = await client.fetch_user(USER_ID)
    dm = await person.create_dm()
    check("user.create_dm(): a DMChannel", isinstance(dm, discord.DMChannel), repr(dm))
    check_eq("user.create_dm(): type private (1)", dm.type, discord.ChannelType.private)
    check_eq("user.create_dm(): its recipient is the person", getattr(dm.recipient, "id", None), USER_ID)
    check("user.create_dm(): user.dm_channel is that channel", person.dm_channel is dm, repr(person.dm_channel))
    theirs = await rest_as("POST", "/users/@me/channels", {"recipient_id": str(BOT_ID)}, person_token)
    check_eq("the person's POST /users/@me/channels {recipient_id: the bot}: the same DM, type 1",
             (int(theirs["id"]), theirs["type"]), (dm.id, 1))
    check_eq("the person's view of the DM: recipients is the bot alone",
             [r.get("id") for r in theirs.get("recipients", [])], [str(BOT_ID)])
    fetched = await client.fetch_channel(dm.id)
    check("fetch_channel(the DM): a DMChannel with the person as recipient",
          isinstance(fetched, discord.DMChannel) and getattr(fetched.recipient, "id", None) == USER_ID,
          repr(fetched))

    text = f"hello in a DM from dpy ({TAG})"
    sent = await person.send(text)
    check_eq("user.send: content", sent.content, text)
    check_eq("user.send: author is the bot", sent.author.id, BOT_ID)
    check("user.send: in the DM, no guild", sent.channel is dm and sent.guild is None,
          repr((sent.channel, sent.guild)))
    reply_text = f"a reply in the DM from the person ({TAG})"
    reply_id = int((await rest_as("POST", f"/channels/{dm.id}/messages", {"content": reply_text},
                                  person_token))["id"])

    listed = [m async for m in dm.history(limit=10)]
    check_eq("DMChannel.history(limit=10): the person's reply, then the bot's message (newest first)",
             [m.id for m in listed[:2]], [reply_id, sent.id])
    if listed and listed[0].id == reply_id:
        got = listed[0]
        check("history: the reply's author is the person (a User, not a Member)",
              got.author.id == USER_ID and isinstance(got.author, discord.User), repr(got.author))
        check_eq("history: the reply's content", got.content, reply_text)
    got = await dm.fetch_message(reply_id)
    check_eq("DMChannel.fetch_message(the reply): content, author, no guild",
             (got.content, got.author.id, got.guild), (reply_text, USER_ID, None))
    await expect_error("editing the person's message in the DM raises Forbidden 50005",
                       dm.get_partial_message(reply_id).edit(content="not mine"), discord.Forbidden, code=50005)
    await expect_error("deleting the person's message in the DM raises Forbidden 50003 (a DM has no moderators)",
                       dm.get_partial_message(reply_id).delete(), discord.Forbidden, code=50003, status=403)

    edited = await sent.edit(content=text + " (edited)")
    check_eq("DM message.edit: content", edited.content, text + " (edited)")
    check("DM message.edit: edited_at set", edited.edited_at is not None, repr(edited.edited_at))
    check_eq("DMChannel.fetch_message after the edit: content", (await dm.fetch_message(sent.id)).content,
             text + " (edited)")
    await sent.delete()
    await expect_error("DMChannel.fetch_message(deleted) raises NotFound 10008",
                       dm.fetch_message(sent.id), discord.NotFound, code=10008, status=404)
    check_eq("DMChannel.history after the deletion: the reply only is left of the two",
             [m.id async for m in dm.history(limit=10) if m.id in (reply_id, sent.id)], [reply_id])
    async with dm.typing():
        pass
    check("DMChannel.typing() context manager (POST /typing)", True)

    listing = await rest_as("GET", "/users/@me/channels", None, person_token)
    mine = [c for c in listing if c.get("id") == str(dm.id)]
    check("the person's GET /users/@me/channels lists the DM with the bot as recipient",
          len(mine) == 1 and [r.get("id") for r in mine[0].get("recipients", [])] == [str(BOT_ID)], repr(listing)[:400])

    other_bot = await client.fetch_user(PLAIN_ID)
    await expect_error("a DM to another bot (user.send to the plain bot) raises Forbidden 50007",
                       other_bot.send("bots do not write to bots"), discord.Forbidden, code=50007, status=403)


def http(method, path, body=None, token=None):
    """One plain request to /api/v10 (blocking; run it with asyncio.to_thread): (status, JSON body
    or None). For what the library has no call for: a person's account, joining by invite."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(ENV["COMPAT_BASE"].rstrip("/") + "/api/v10" + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", token)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, (json.loads(raw) if raw else None)
    except ValueError:
        return status, raw


async def rest_as(method, path, body=None, token=None):
    """http() in a thread; raises unless the answer is a success."""
    status, data = await asyncio.to_thread(http, method, path, body, token)
    if status >= 300:
        raise RuntimeError(f"{method} {path} -> {status}: {data!r}"[:400])
    return data


async def moderation(client):
    """Kick, ban and bulk delete through the library's own API, on throwaway people (registered
    over plain HTTP, joining by an invite): member.kick / guild.kick with reason=, a kicked person
    joining again; guild.ban(delete_message_seconds=, reason=) of a member (their messages of the
    last seconds gone in every channel, older ones kept) and of non-members, guild.fetch_ban,
    guild.bans(limit=, after=, before=), guild.unban(reason=), NotFound 10007 and 10026, a banned
    person refused by the invite (403 40007) and let in again once unbanned; a moderator's
    message.delete() of someone else's message, channel.delete_messages([...]) (others' messages
    included), an id older than 14 days refused (HTTPException 50034, nothing deleted),
    channel.purge(limit=); the plain bot refused kick, ban, the bans, unban and deleting others'
    messages (Forbidden 50013); the audit entries kick, ban, unban, message_delete (extra.channel,
    extra.count; of the owner's deletion, as Discord logs none of a bot's single deletion) and
    message_bulk_delete (extra.count)."""
    R = MOD_REASONS
    A = discord.AuditLogAction
    g = await client.fetch_guild(GUILD_ID)
    general = await g.fetch_channel(GENERAL_ID)
    mod = await g.create_text_channel(f"dpy-mod-{TAG}", reason=R["channel"])
    invite = await general.create_invite(max_age=600, unique=True, reason=R["invite"])
    ids, tokens = {}, {}
    for key in ("kickee", "bannee", "poster", "outsider", "outsider2"):
        name = f"dpy_{key}_{TAG}"
        tokens[key] = (await rest_as("POST", "/auth/register", {"username": name, "password": PASSWORD}))["token"]
        ids[key] = int((await rest_as("GET", "/users/@me", token=tokens[key]))["id"])

    async def join(key):
        """POST /invites/{code} as a throwaway person: (status, error code or None)."""
        status, data = await asyncio.to_thread(http, "POST", f"/invites/{invite.code}", None, tokens[key])
        return status, data.get("code") if isinstance(data, dict) and status >= 300 else None

    async def post(key, channel_id, content):
        """A message posted by a throwaway person; its id."""
        return int((await rest_as("POST", f"/channels/{channel_id}/messages", {"content": content},
                                  tokens[key]))["id"])

    async def history(channel):
        return [m.id async for m in channel.history(limit=50)]

    for key in ("kickee", "bannee", "poster"):
        check_eq(f"a throwaway person ({key}) joins by invite (POST /invites/{{code}})", await join(key), (200, None))
    member = await g.fetch_member(ids["kickee"])
    check_eq("fetch_member(the person who joined): id", member.id, ids["kickee"])
    posted = await post("poster", GENERAL_ID, f"the poster's message {TAG}")
    posted2 = await post("poster", GENERAL_ID, f"the poster's second message {TAG}")

    # --- the plain bot (no permissions) may not moderate ------------------------------------------
    plain_client = discord.Client(intents=discord.Intents.default())
    async with plain_client:
        await plain_client.login(ENV["COMPAT_PLAIN_TOKEN"])
        pg = await plain_client.fetch_guild(GUILD_ID)
        target = discord.Object(id=ids["kickee"])
        await expect_error("plain bot: guild.kick raises Forbidden 50013 (no KICK_MEMBERS)",
                           pg.kick(target, reason="must be refused"), discord.Forbidden, code=50013, status=403)
        await expect_error("plain bot: guild.ban raises Forbidden 50013 (no BAN_MEMBERS)",
                           pg.ban(target, delete_message_seconds=0, reason="must be refused"),
                           discord.Forbidden, code=50013, status=403)
        await expect_error("plain bot: guild.fetch_ban raises Forbidden 50013",
                           pg.fetch_ban(target), discord.Forbidden, code=50013, status=403)

        async def plain_bans():
            return [b async for b in pg.bans(limit=10)]
        await expect_error("plain bot: guild.bans() raises Forbidden 50013", plain_bans(),
                           discord.Forbidden, code=50013, status=403)
        await expect_error("plain bot: guild.unban raises Forbidden 50013",
                           pg.unban(target, reason="must be refused"), discord.Forbidden, code=50013, status=403)
        pgeneral = await pg.fetch_channel(GENERAL_ID)
        other = await pgeneral.fetch_message(posted)
        await expect_error("plain bot: message.delete() of someone else's message raises Forbidden 50013",
                           other.delete(), discord.Forbidden, code=50013, status=403)
        await expect_error("plain bot: channel.delete_messages raises Forbidden 50013 (no MANAGE_MESSAGES)",
                           pgeneral.delete_messages([other, discord.Object(id=posted2)], reason="must be refused"),
                           discord.Forbidden, code=50013, status=403)
    check_eq("the refused kick left the member in the guild", (await g.fetch_member(ids["kickee"])).id, ids["kickee"])
    check_eq("the refused deletes left the messages", [(await general.fetch_message(i)).id for i in (posted, posted2)],
             [posted, posted2])

    # --- a moderator deletes someone else's message ------------------------------------------------
    other = await general.fetch_message(posted)
    check_eq("the person's message: author", other.author.id, ids["poster"])
    result = await other.delete()
    check("message.delete() of someone else's message (MANAGE_MESSAGES): returns None", result is None, repr(result))
    await expect_error("the deleted message: fetch_message raises NotFound 10008",
                       general.fetch_message(posted), discord.NotFound, code=10008, status=404)
    # Discord writes no audit entry when a bot deletes a single message (its staff, in
    # discord/discord-api-docs#7856): the entry checked below is of the owner (a person) deleting
    # the poster's other message, over plain HTTP.
    await rest_as("DELETE", f"/channels/{GENERAL_ID}/messages/{posted2}", token=ENV["COMPAT_USER_TOKEN"])
    await expect_error("the message the owner deleted: fetch_message raises NotFound 10008",
                       general.fetch_message(posted2), discord.NotFound, code=10008, status=404)

    # --- kick ------------------------------------------------------------------------------------
    result = await member.kick(reason=R["kick"])
    check("member.kick(reason=): returns None", result is None, repr(result))
    await expect_error("member.kick: fetch_member then raises NotFound 10007",
                       g.fetch_member(ids["kickee"]), discord.NotFound, code=10007, status=404)
    await expect_error("guild.kick(someone not a member) raises NotFound 10007",
                       g.kick(discord.Object(id=ids["kickee"]), reason="not a member"),
                       discord.NotFound, code=10007, status=404)
    check_eq("a kicked person may join again by invite", await join("kickee"), (200, None))
    result = await g.kick(discord.Object(id=ids["kickee"]), reason=R["kick again"])
    check("guild.kick(Object, reason=): returns None", result is None, repr(result))
    await expect_error("guild.kick: fetch_member then raises NotFound 10007",
                       g.fetch_member(ids["kickee"]), discord.NotFound, code=10007, status=404)

    # --- ban a member, deleting their messages of the last 2 seconds ---------------------------------
    older = await post("bannee", GENERAL_ID, f"the bannee, before the window {TAG}")
    await asyncio.sleep(3)
    recent = await post("bannee", GENERAL_ID, f"the bannee, in the window {TAG}")
    recent_mod = await post("bannee", mod.id, f"the bannee, in the window, another channel {TAG}")
    bannee = await g.fetch_member(ids["bannee"])
    result = await g.ban(bannee, delete_message_seconds=2, reason=R["ban"])  # the query string
    check("guild.ban(member, delete_message_seconds=2, reason=): returns None", result is None, repr(result))
    await expect_error("guild.ban: the member is gone (fetch_member raises NotFound 10007)",
                       g.fetch_member(ids["bannee"]), discord.NotFound, code=10007, status=404)
    await expect_error("guild.ban(delete_message_seconds=2): their message of the last seconds in general is gone (10008)",
                       general.fetch_message(recent), discord.NotFound, code=10008, status=404)
    await expect_error("guild.ban(delete_message_seconds=2): and the one in another channel (10008)",
                       mod.fetch_message(recent_mod), discord.NotFound, code=10008, status=404)
    check_eq("guild.ban(delete_message_seconds=2): their message of 3 s before is kept",
             (await general.fetch_message(older)).id, older)
    entry = await g.fetch_ban(discord.Object(id=ids["bannee"]))
    check("guild.fetch_ban: a BanEntry with the User", isinstance(entry.user, discord.User)
          and (entry.user.id, entry.user.name) == (ids["bannee"], f"dpy_bannee_{TAG}"), repr(entry))
    check_eq("guild.fetch_ban: reason", entry.reason, R["ban"])
    check_eq("a banned person cannot join by invite: POST /invites/{code} -> 403 40007", await join("bannee"),
             (403, 40007))
    await expect_error("guild.fetch_ban(someone not banned) raises NotFound 10026",
                       g.fetch_ban(discord.Object(id=ids["kickee"])), discord.NotFound, code=10026, status=404)

    # --- bans of non-members; the ban list and its paging ---------------------------------------------
    await g.ban(discord.Object(id=ids["outsider"]), delete_message_seconds=0, reason=R["ban outsider"])
    await g.ban(discord.Object(id=ids["outsider2"]), reason=R["ban outsider 2"])  # discord.py's default window, 1 day
    ours = {ids["bannee"]: R["ban"], ids["outsider"]: R["ban outsider"], ids["outsider2"]: R["ban outsider 2"]}
    full = [b async for b in g.bans()]
    every = [b.user.id for b in full]
    check("guild.bans(): our three bans among them, by ascending user id",
          set(ours) <= set(every) and every == sorted(every), repr(every))
    check_eq("guild.bans(): reasons", {b.user.id: b.reason for b in full if b.user.id in ours}, ours)
    check_eq("guild.bans(limit=2): the first two", [b.user.id async for b in g.bans(limit=2)], every[:2])
    check_eq("guild.bans(after=the first): the others",
             [b.user.id async for b in g.bans(after=discord.Object(id=every[0]))], every[1:])
    check_eq("guild.bans(before=the last): the others, ascending",
             [b.user.id async for b in g.bans(before=discord.Object(id=every[-1]))], every[:-1])
    check_eq("guild.bans(before=the last, limit=1): the one just below it",
             [b.user.id async for b in g.bans(before=discord.Object(id=every[-1]), limit=1)], every[-2:-1])

    # --- unban -------------------------------------------------------------------------------------
    result = await g.unban(discord.Object(id=ids["bannee"]), reason=R["unban"])
    check("guild.unban(reason=): returns None", result is None, repr(result))
    await expect_error("guild.unban: fetch_ban then raises NotFound 10026",
                       g.fetch_ban(discord.Object(id=ids["bannee"])), discord.NotFound, code=10026, status=404)
    await expect_error("guild.unban(someone not banned) raises NotFound 10026",
                       g.unban(discord.Object(id=ids["bannee"]), reason="not banned"),
                       discord.NotFound, code=10026, status=404)
    check_eq("an unbanned person may join again by invite", await join("bannee"), (200, None))
    await g.unban(discord.Object(id=ids["outsider"]), reason=R["unban outsider"])
    await g.unban(discord.Object(id=ids["outsider2"]), reason=R["unban outsider 2"])
    left = {b.user.id async for b in g.bans()}
    check("guild.bans(): none of ours left", not set(ours) & left, repr(left))

    # --- bulk delete -----------------------------------------------------------------------------------
    p1 = await post("poster", mod.id, f"bulk 1 {TAG}")
    p2 = await post("poster", mod.id, f"bulk 2 {TAG}")
    b1 = await mod.send(f"bulk 3 {TAG}")
    result = await mod.delete_messages([discord.Object(id=p1), discord.Object(id=p2), b1], reason=R["bulk"])
    check("channel.delete_messages([3 messages], reason=): returns None", result is None, repr(result))
    check("channel.delete_messages: the three are gone (another's included)",
          not {p1, p2, b1.id} & set(await history(mod)), repr(await history(mod)))
    kept = await mod.send(f"kept {TAG}")
    too_old = discord.utils.time_snowflake(discord.utils.utcnow() - datetime.timedelta(days=15))
    await expect_error("channel.delete_messages with an id older than 14 days raises HTTPException 50034 (400)",
                       mod.delete_messages([discord.Object(id=too_old), kept], reason=R["too old"]),
                       discord.HTTPException, code=50034, status=400)
    check_eq("the refused bulk delete deleted nothing", (await mod.fetch_message(kept.id)).id, kept.id)
    m1 = await mod.send(f"purge 1 {TAG}")
    m2 = await post("poster", mod.id, f"purge 2 {TAG}")
    m3 = await mod.send(f"purge 3 {TAG}")
    m4 = await mod.send(f"purge 4 {TAG}")
    purged = await mod.purge(limit=3, reason=R["purge"])
    check_eq("channel.purge(limit=3): the three newest, newest first", [m.id for m in purged], [m4.id, m3.id, m2])
    check_eq("channel.purge(limit=3): the older messages are left", await history(mod), [m1.id, kept.id])

    # --- the audit log -----------------------------------------------------------------------------
    async def entries(action):
        return [e async for e in g.audit_logs(limit=100, action=action, user=discord.Object(id=BOT_ID))]

    def one(found, label, target_id, reason):
        mine = [e for e in found if e.reason == reason and e.target is not None and e.target.id == target_id]
        check(f"audit: one entry for {label} (target, reason)", len(mine) == 1,
              f"found {len(mine)}: {[(e.action.name, getattr(e.target, 'id', None), e.reason) for e in found][:20]!r}")
        return mine[0] if mine else None

    kicks = await entries(A.kick)
    e = one(kicks, "member.kick (kick)", ids["kickee"], R["kick"])
    if e:
        check("audit kick: target is the person (a User from the log's users)", isinstance(e.target, discord.User)
              and e.target.name == f"dpy_kickee_{TAG}", repr(e.target))
        check("audit kick: user is the bot", e.user is not None and e.user.id == BOT_ID, repr(e.user))
    one(kicks, "guild.kick (kick)", ids["kickee"], R["kick again"])
    check("audit kick: the refused and the failed kicks left no entry",
          not [x for x in kicks if x.reason in ("must be refused", "not a member")])
    bans = await entries(A.ban)
    e = one(bans, "guild.ban of a member (ban)", ids["bannee"], R["ban"])
    if e:
        check("audit ban: target is the person (a User)", isinstance(e.target, discord.User)
              and e.target.name == f"dpy_bannee_{TAG}", repr(e.target))
    one(bans, "guild.ban of a non-member (ban)", ids["outsider"], R["ban outsider"])
    one(bans, "guild.ban of another non-member (ban)", ids["outsider2"], R["ban outsider 2"])
    unbans = await entries(A.unban)
    one(unbans, "guild.unban (unban)", ids["bannee"], R["unban"])
    one(unbans, "guild.unban of a non-member (unban)", ids["outsider"], R["unban outsider"])
    one(unbans, "guild.unban of another non-member (unban)", ids["outsider2"], R["unban outsider 2"])
    deletes = [x async for x in g.audit_logs(limit=100, action=A.message_delete, user=discord.Object(id=USER_ID))]
    deletes = [x for x in deletes if x.target is not None and x.target.id == ids["poster"]]
    if check_eq("audit message_delete (audit_logs(action=, user=the owner)): one entry for the owner's deletion "
                "of the poster's message (target the author)", len(deletes), 1):
        e = deletes[0]
        check_eq("audit message_delete: extra.channel is general, extra.count 1",
                 (getattr(e.extra.channel, "id", None), e.extra.count), (GENERAL_ID, 1))
        check("audit message_delete: user is the owner, no reason", e.user is not None and e.user.id == USER_ID
              and e.reason is None, repr((e.user, e.reason)))
    bulks = await entries(A.message_bulk_delete)
    e = one(bulks, "channel.delete_messages (message_bulk_delete, target the channel)", mod.id, R["bulk"])
    if e:
        check_eq("audit message_bulk_delete: extra.count", e.extra.count, 3)
    e = one(bulks, "channel.purge (message_bulk_delete)", mod.id, R["purge"])
    if e:
        check_eq("audit message_bulk_delete (purge): extra.count", e.extra.count, 3)
    check("audit: the refused bulk delete (50034) left no entry", not [x for x in bulks if x.reason == R["too old"]])

    # --- leave things as they were: the people leave, the channel and the invite go -------------------
    for key in ("bannee", "poster"):
        await rest_as("DELETE", f"/users/@me/guilds/{GUILD_ID}", token=tokens[key])
    await mod.delete(reason=R["delete channel"])
    await invite.delete()
    after = await client.fetch_guild(GUILD_ID, with_counts=True)
    check_eq("after the moderation checks: approximate_member_count is back to the seeded members",
             after.approximate_member_count, MEMBER_COUNT)


def entry():
    try:
        asyncio.run(asyncio.wait_for(main(), OVERALL_TIMEOUT))
    except asyncio.TimeoutError:
        check(f"whole run finished within {OVERALL_TIMEOUT}s", False)
    except Exception as err:  # noqa: BLE001
        check("run without unexpected exception", False, f"{type(err).__name__}: {err}")
        traceback.print_exc()
    total = passes + len(failures)
    if failures:
        print(f"{PREFIX}: {len(failures)} of {total} checks FAILED: {', '.join(failures)}")
        sys.exit(1)
    print(f"{PREFIX}: all {total} checks passed")


if __name__ == "__main__":
    entry()
