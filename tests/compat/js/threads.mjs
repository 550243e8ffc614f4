// Threads through discord.js's own managers (a REST-only Client): message.startThread (the thread
// has the message's id), channel.threads.create (a public thread), thread.send, thread.members.add
// and remove, setArchived(true) and a message unarchiving it, channel.threads.fetchActive().
// Called from rest.mjs's main with its check helpers.

import { ChannelType, Client, ThreadChannel } from 'discord.js';

export async function threads({ BASE, BOT_TOKEN, GUILD_ID, GENERAL_ID, USER_ID, check, checkEq }) {
  const client = new Client({ intents: [], rest: { api: `${BASE}/api`, timeout: 15_000, retries: 1 } });
  client.rest.setToken(BOT_TOKEN);
  try {
    await client.guilds.fetch({ guild: GUILD_ID, force: true });
    const channel = await client.channels.fetch(GENERAL_ID);
    const starter = await channel.send('djs thread starter');

    const thread = await starter.startThread({ name: 'djs thread', autoArchiveDuration: 60 });
    check('message.startThread: a ThreadChannel', thread instanceof ThreadChannel, `${thread?.constructor?.name}`);
    checkEq("message.startThread: the thread has the message's id, its parent, public", [thread.id, thread.parentId, thread.type],
      [starter.id, GENERAL_ID, ChannelType.PublicThread]);
    const sent = await thread.send('djs in the thread');
    checkEq('thread.send: posted in the thread', sent.channelId, thread.id);

    const other = await channel.threads.create({ name: 'djs standalone', type: ChannelType.PublicThread });
    checkEq('channel.threads.create: a public thread of the channel', [other.type, other.parentId],
      [ChannelType.PublicThread, GENERAL_ID]);
    await other.members.add(USER_ID);
    const members = await other.members.fetch();
    check('thread.members.add: the person is a member', members.has(USER_ID), `${[...members.keys()]}`);
    await other.members.remove(USER_ID);
    const after = await other.members.fetch({ force: true });
    check('thread.members.remove: the person is no member', !after.has(USER_ID), `${[...after.keys()]}`);

    const active = await channel.threads.fetchActive();
    check('channel.threads.fetchActive: both threads', active.threads.has(thread.id) && active.threads.has(other.id),
      `${[...active.threads.keys()]}`);

    const archived = await other.setArchived(true);
    checkEq('thread.setArchived(true): archived', archived.archived, true);
    await other.send('wake up');
    const again = await client.channels.fetch(other.id, { force: true });
    checkEq('a message unarchives the thread', again.archived, false);
  } finally {
    await client.destroy();
  }
}
