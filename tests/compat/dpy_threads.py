"""Threads through discord.py's own API: message.create_thread (the thread has the message's id),
channel.create_thread(type=public_thread), thread.send, thread.join / leave / add_user /
remove_user / fetch_members, thread.edit(archived=True) and a message unarchiving it,
guild.active_threads() and channel.archived_threads(). Called from dpy_rest.py's main with its
check helpers."""

import discord


async def threads(client, check, check_eq, expect_error, guild_id, general_id, user_id):
    g = await client.fetch_guild(guild_id)
    channel = await client.fetch_channel(general_id)
    starter = await channel.send("dpy thread starter")

    thread = await starter.create_thread(name="dpy thread", auto_archive_duration=60)
    check_eq("message.create_thread: the thread has the message's id", thread.id, starter.id)
    check_eq("message.create_thread: a public thread", thread.type, discord.ChannelType.public_thread)
    check_eq("message.create_thread: its parent", thread.parent_id, general_id)
    check_eq("message.create_thread: auto_archive_duration", thread.auto_archive_duration, 60)
    await expect_error("message.create_thread again -> 400 160004",
                       starter.create_thread(name="again"), discord.HTTPException, code=160004)

    sent = await thread.send("dpy in the thread")
    check_eq("thread.send: posted in the thread", sent.channel.id, thread.id)

    other = await channel.create_thread(name="dpy standalone", type=discord.ChannelType.public_thread)
    check_eq("channel.create_thread: a public thread of the channel",
             (other.type, other.parent_id), (discord.ChannelType.public_thread, general_id))

    await other.join()
    await other.add_user(discord.Object(id=user_id))
    members = await other.fetch_members()
    check("thread.join + add_user: both in fetch_members",
          {m.id for m in members} >= {client.user.id, user_id}, repr([m.id for m in members]))
    await other.remove_user(discord.Object(id=user_id))
    await other.leave()
    members = await other.fetch_members()
    check("thread.remove_user + leave: neither in fetch_members",
          not ({m.id for m in members} & {user_id}), repr([m.id for m in members]))

    active = await g.active_threads()
    check("guild.active_threads(): both threads",
          {thread.id, other.id} <= {t.id for t in active}, repr([t.id for t in active]))

    archived = await other.edit(archived=True)
    check_eq("thread.edit(archived=True): archived", archived.archived, True)
    old = [t async for t in channel.archived_threads()]
    check("channel.archived_threads(): the archived thread", other.id in {t.id for t in old},
          repr([t.id for t in old]))
    await other.send("wake up")
    again = await client.fetch_channel(other.id)
    check_eq("a message unarchives the thread", again.archived, False)
