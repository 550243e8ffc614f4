// Reactions with discord.js, through a Client's managers over REST (called from rest.mjs's
// main): message.react (twice the same: one reaction), the fetched message's reactions cache
// (count, me), reaction.users.fetch(), reaction.users.remove(), reactions.removeAll(), the
// emoji's own remove(), a custom emoji refused (400 10014). REST only, with client.user set.

import { Client, ClientUser, DiscordAPIError, Routes } from 'discord.js';

export async function reactions({ base, token, guildId, generalId, check, checkEq }) {
  const client = new Client({ intents: [], rest: { api: `${base}/api`, timeout: 15_000, retries: 1 } });
  client.rest.setToken(token);
  try {
    // The client never connects: client.user is set from GET /users/@me as READY would
    // (a fetched message's own reactions put client.user in their users cache).
    const me = new ClientUser(client, await client.rest.get(Routes.user()));
    client.user = me;
    client.users.cache.set(me.id, me);
    // A guild channel is built only once its guild is cached.
    await client.guilds.fetch({ guild: guildId, force: true });
    const channel = await client.channels.fetch(generalId);
    const sent = await channel.send('djs reactions');
    await sent.react('👍');
    await sent.react('👍');
    await sent.react('🎉');
    const summary = (m) => [...m.reactions.cache.values()].map((r) => [r.emoji.name, r.count, r.me]);
    let got = await channel.messages.fetch({ message: sent.id, force: true });
    checkEq('reactions: messages.fetch lists them (name, count, me)', summary(got), [['👍', 1, true], ['🎉', 1, true]]);
    const users = await got.reactions.cache.get('👍').users.fetch();
    checkEq('reaction.users.fetch(): the bot', [...users.keys()], [me.id]);
    await got.reactions.cache.get('🎉').users.remove(me.id);
    got = await channel.messages.fetch({ message: sent.id, force: true });
    checkEq('reaction.users.remove(own id)', summary(got), [['👍', 1, true]]);
    await got.react('🎉');
    got = await channel.messages.fetch({ message: sent.id, force: true });
    await got.reactions.cache.get('🎉').remove();
    got = await channel.messages.fetch({ message: sent.id, force: true });
    checkEq('messageReaction.remove() (one emoji)', summary(got), [['👍', 1, true]]);
    await got.reactions.removeAll();
    // discord.js empties its cache on the gateway's MESSAGE_REACTION_REMOVE_ALL (this client
    // has no gateway), and a message without reactions has no `reactions` key (as on Discord),
    // which a refetch does not read as "none": the raw message tells.
    const raw = await client.rest.get(Routes.channelMessage(generalId, sent.id));
    checkEq('message.reactions.removeAll(): the message has none', raw.reactions ?? [], []);
    try {
      await got.react('blob:123456789012345678');
      check('react(custom emoji) -> 400 10014', false, 'no error');
    } catch (err) {
      check(
        'react(custom emoji) -> 400 10014',
        err instanceof DiscordAPIError && err.status === 400 && err.code === 10014,
        `${err?.status} ${err?.code} ${err?.message}`,
      );
    }
    await sent.delete();
  } finally {
    await client.destroy();
  }
}
