"""discord.py: mentions. The bot (an administrator) posts a message mentioning the seeded person,
a mentionable role and @everyone: Message.mentions, raw_role_mentions and mention_everyone are
filled, in the answer and when fetched again; AllowedMentions narrows them (no users, no
@everyone, one listed role), on send and on edit. Called from dpy_rest.py's main."""

import discord


async def mentions(client, check, check_eq, guild_id, general_id, user_id, tag):
    guild = await client.fetch_guild(guild_id)
    channel = await client.fetch_channel(general_id)
    role = await guild.create_role(name=f"dpy mention {tag}", mentionable=True)
    sent = []
    try:
        content = f"hi <@{user_id}> <@&{role.id}> @everyone {tag}"
        m = await channel.send(content)
        sent.append(m)
        check_eq("mentions: Message.mentions is the person", [u.id for u in m.mentions], [user_id])
        check_eq("mentions: Message.raw_role_mentions is the role", m.raw_role_mentions, [role.id])
        check("mentions: Message.mention_everyone", m.mention_everyone is True, repr(m.mention_everyone))
        again = await channel.fetch_message(m.id)
        check_eq("mentions: fetch_message keeps the mentions",
                 ([u.id for u in again.mentions], again.raw_role_mentions, again.mention_everyone),
                 ([user_id], [role.id], True))

        narrow = discord.AllowedMentions(everyone=False, users=False, roles=[role])
        quiet = await channel.send(content, allowed_mentions=narrow)
        sent.append(quiet)
        check_eq("mentions: AllowedMentions(users=False, everyone=False, roles=[role])",
                 ([u.id for u in quiet.mentions], quiet.raw_role_mentions, quiet.mention_everyone),
                 ([], [role.id], False))

        edited = await m.edit(content=f"only <@{user_id}> {tag}",
                              allowed_mentions=discord.AllowedMentions.none())
        check_eq("mentions: edit with AllowedMentions.none() clears them",
                 ([u.id for u in edited.mentions], edited.raw_role_mentions, edited.mention_everyone),
                 ([], [], False))
    finally:
        for message in sent:
            await message.delete()
        await role.delete()
