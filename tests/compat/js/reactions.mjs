// Reactions with discord.js, through a Client's managers over REST (called from rest.mjs's
// main): message.react (twice the same: one reaction), the fetched message's reactions cache
// (count, me), reaction.users.fetch(), reaction.users.remove(), reactions.removeAll(), the
// emoji's own remove(), a custom emoji refused (400 10014).

import { Client, DiscordAPIError } from 'discord.js';

export async function reactions({ base, token, generalId, check, checkEq }) {
  const client = new Client({ intents: [], rest: { api: `${base}/api`, timeout: 15_000, retries: 1 } });
  client.rest.setToken(token);
  try {
    const me = await client.rest.get('/users/@me');
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
    got = await channel.messages.fetch({ message: sent.id, force: true });
    checkEq('message.reactions.removeAll()', summary(got), []);
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
