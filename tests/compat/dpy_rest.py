#!/usr/bin/env python3
"""REST-only conformance checks of hearth with discord.py 2.7.1 (no gateway).

Uses the library's own high-level API against a seeded server. Environment (from seed.py):
COMPAT_BASE, COMPAT_BOT_TOKEN, COMPAT_APP_ID, COMPAT_USER_ID, COMPAT_USER_NAME,
COMPAT_GUILD_ID, COMPAT_GENERAL_ID, COMPAT_SEED_MESSAGE_ID.

Prints one PASS/FAIL line per check; exits 0 only if every check passed.
"""

import asyncio
import os
import sys
import traceback

import discord

OVERALL_TIMEOUT = 120  # seconds for the whole run

ENV = {k: os.environ[k] for k in (
    "COMPAT_BASE", "COMPAT_BOT_TOKEN", "COMPAT_APP_ID", "COMPAT_USER_ID", "COMPAT_USER_NAME",
    "COMPAT_GUILD_ID", "COMPAT_GENERAL_ID", "COMPAT_SEED_MESSAGE_ID")}
BOT_ID = int(ENV["COMPAT_APP_ID"])  # a bot's user id is its application id
USER_ID = int(ENV["COMPAT_USER_ID"])
GUILD_ID = int(ENV["COMPAT_GUILD_ID"])
GENERAL_ID = int(ENV["COMPAT_GENERAL_ID"])
SEED_MESSAGE_ID = int(ENV["COMPAT_SEED_MESSAGE_ID"])
UNKNOWN_ID = 1234567890123456789  # a well-formed snowflake no object has

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
            check_eq("fetch_guild: approximate_member_count", g.approximate_member_count, 2)
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
                     fetched.approximate_member_count, 2)

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
            check_eq("fetch_members(limit=10): owner and bot", sorted(ids), sorted([USER_ID, BOT_ID]))
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

    # `async with client` closed it; close() is idempotent and is the documented way out.
    await client.close()


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
