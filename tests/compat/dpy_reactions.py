"""Reactions with discord.py 2.7.1, REST only (called from dpy_rest.py's main).

In general, on a message the bot sends: message.add_reaction (twice the same: one reaction),
the fetched message's reactions (emoji, count, me, in order of first reaction), history carrying
them too, reaction.users(), message.remove_reaction(emoji, client.user), clear_reaction(emoji),
clear_reactions(), a custom emoji refused (HTTPException 10014), a reaction on a deleted message
refused (NotFound 10008).
"""

import discord


async def reactions(client, general_id, check, check_eq, expect_error):
    ch = await client.fetch_channel(general_id)
    msg = await ch.send("dpy reactions")

    def summary(m):
        return [(str(r.emoji), r.count, r.me) for r in m.reactions]

    await msg.add_reaction("👍")
    await msg.add_reaction("👍")
    await msg.add_reaction("🎉")
    got = await ch.fetch_message(msg.id)
    check_eq("reactions: fetch_message lists them (emoji, count, me)", summary(got),
             [("👍", 1, True), ("🎉", 1, True)])
    check("reactions: the emoji is a unicode PartialEmoji",
          got.reactions and got.reactions[0].is_custom_emoji() is False, repr(got.reactions))
    in_history = [m async for m in ch.history(limit=5) if m.id == msg.id]
    check_eq("reactions: history carries them", [summary(m) for m in in_history],
             [[("👍", 1, True), ("🎉", 1, True)]])
    users = [u.id async for u in got.reactions[0].users()]
    check_eq("reaction.users(): the bot", users, [client.user.id])

    await msg.remove_reaction("🎉", client.user)
    check_eq("message.remove_reaction(emoji, client.user)", summary(await ch.fetch_message(msg.id)),
             [("👍", 1, True)])
    await msg.add_reaction("🎉")
    await msg.clear_reaction("🎉")
    check_eq("message.clear_reaction(emoji)", summary(await ch.fetch_message(msg.id)), [("👍", 1, True)])
    await msg.clear_reactions()
    check_eq("message.clear_reactions()", summary(await ch.fetch_message(msg.id)), [])

    await expect_error("add_reaction(custom emoji) raises HTTPException 10014",
                       msg.add_reaction("<:blob:123456789012345678>"), discord.HTTPException, code=10014)
    await msg.delete()
    await expect_error("add_reaction on a deleted message raises NotFound 10008",
                       msg.add_reaction("👍"), discord.NotFound, code=10008)
