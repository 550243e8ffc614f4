"""discord.py checks of forwards and system messages, run by dpy_rest.py's main (which passes
itself as `h`, for its check helpers and the seeded ids): Message.forward into the DM with the
seeded person (the snapshot's content, the reference's type, HAS_SNAPSHOT), the forward fetched
back and still whole after the original is deleted; a person joining by invite, whose join
message (MessageType.new_member) the history lists in the system channel."""

import discord


async def run(client, h):
    g = await client.fetch_guild(h.GUILD_ID)
    general = await g.fetch_channel(h.GENERAL_ID)
    person = await client.fetch_user(h.USER_ID)
    dm = await person.create_dm()

    text = f"worth forwarding, from dpy ({h.TAG})"
    original = await general.send(text)
    fwd = await original.forward(dm)
    h.check_eq("Message.forward(dm): the forward is in the DM", fwd.channel.id, dm.id)
    h.check_eq("Message.forward: its own content is empty", fwd.content, "")
    h.check_eq("Message.forward: reference type forward",
               getattr(fwd.reference, "type", None), discord.MessageReferenceType.forward)
    h.check_eq("Message.forward: reference.message_id is the original", fwd.reference.message_id, original.id)
    h.check("Message.forward: flags.forwarded", fwd.flags.forwarded, repr(fwd.flags))
    snapshots = fwd.message_snapshots
    h.check_eq("Message.forward: one snapshot with the original's content",
               [s.content for s in snapshots], [text])
    await original.delete()
    again = await dm.fetch_message(fwd.id)
    h.check_eq("fetch_message(the forward) after the original's deletion: the snapshot stays",
               [s.content for s in again.message_snapshots], [text])
    await h.expect_error("forwarding a deleted message raises HTTPException 50035",
                         original.forward(dm), discord.HTTPException, 50035)
    await again.delete()

    invite = await general.create_invite(max_age=600, unique=True)
    name = f"dpy_joiner_{h.TAG}"
    token = (await h.rest_as("POST", "/auth/register", {"username": name, "password": h.PASSWORD}))["token"]
    joiner = int((await h.rest_as("GET", "/users/@me", token=token))["id"])
    await h.rest_as("POST", f"/invites/{invite.code}", None, token)
    joins = [m async for m in general.history(limit=20) if m.type == discord.MessageType.new_member]
    h.check_eq("history: the join message of the person who joined (MessageType.new_member)",
               [m.author.id for m in joins[:1]], [joiner])
    if joins:
        h.check("the join message's system_content names the person", name in joins[0].system_content,
                joins[0].system_content)
    await h.rest_as("DELETE", f"/users/@me/guilds/{h.GUILD_ID}", None, token)
    await invite.delete()
