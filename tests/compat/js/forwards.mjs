// discord.js checks of forwards and system messages, run by rest.mjs (which passes its check
// helpers and seeded ids as `h`): Message#forward from the DM with the seeded person into that
// DM (the reference's type, HAS_SNAPSHOT, the snapshot's content), the forward fetched again
// after the original is deleted; a person joining by invite, whose join message
// (MessageType.UserJoin) the history of the system channel lists.
import {
  Client,
  ClientUser,
  MessageFlags,
  MessageReferenceType,
  MessageType,
  Routes,
} from 'discord.js';

export async function forwards(h) {
  const client = new Client({ intents: [], rest: { api: `${h.BASE}/api`, timeout: 15_000, retries: 1 } });
  client.rest.setToken(h.BOT_TOKEN);
  try {
    client.user = new ClientUser(client, await client.rest.get(Routes.user()));
    client.users.cache.set(client.user.id, client.user);
    const person = await client.users.fetch(h.USER_ID);
    const dm = await person.createDM();
    const text = `worth forwarding, from djs (${h.TAG})`;
    const original = await dm.send(text);
    const fwd = await original.forward(dm);
    h.checkEq('message.forward(dm): its own content is empty', fwd.content, '');
    h.checkEq('message.forward: reference type Forward', fwd.reference?.type, MessageReferenceType.Forward);
    h.checkEq('message.forward: reference messageId is the original', fwd.reference?.messageId, original.id);
    h.check('message.forward: flags has HasSnapshot', fwd.flags.has(MessageFlags.HasSnapshot), `${fwd.flags.bitfield}`);
    h.checkEq('message.forward: messageSnapshots holds the original content',
      [...fwd.messageSnapshots.values()].map((s) => s.content), [text]);
    await original.delete();
    const again = await dm.messages.fetch({ message: fwd.id, force: true });
    h.checkEq('messages.fetch(the forward) after the original is deleted: the snapshot stays',
      [...again.messageSnapshots.values()].map((s) => s.content), [text]);
    await again.delete();
  } finally {
    await client.destroy();
  }

  const general = h.GENERAL_ID;
  const invite = await h.rest.post(Routes.channelInvites(general), { body: { max_age: 600, unique: true } });
  const name = `djs_joiner_${h.TAG}`;
  const { token } = await h.restAs('POST', '/auth/register', { username: name, password: h.PASSWORD });
  const joiner = (await h.restAs('GET', '/users/@me', undefined, token)).id;
  await h.restAs('POST', `/invites/${invite.code}`, undefined, token);
  const recent = await h.rest.get(Routes.channelMessages(general), { query: new URLSearchParams({ limit: '20' }) });
  const joins = recent.filter((m) => m.type === MessageType.UserJoin);
  h.checkEq('history: the join message of the person who joined (MessageType.UserJoin)',
    joins.slice(0, 1).map((m) => m.author.id), [joiner]);
  await h.restAs('DELETE', `/users/@me/guilds/${h.GUILD_ID}`, undefined, token);
  await h.rest.delete(Routes.invite(invite.code));
}
