// discord.js: mentions. The bot (an administrator) posts a message mentioning the seeded person,
// a mentionable role and @everyone: message.mentions.users, .roles and .everyone are filled, in
// the answer and when fetched again; allowedMentions narrows them (no users, no @everyone, one
// listed role), on send and on edit. Called from rest.mjs's main.

import { Client, Routes } from 'discord.js';

export async function mentions({ base, token, guildId, generalId, userId, tag, check, checkEq }) {
  const client = new Client({ intents: [], rest: { api: `${base}/api`, timeout: 15_000, retries: 1 } });
  client.rest.setToken(token);
  const sent = [];
  let role;
  try {
    const guild = await client.guilds.fetch({ guild: guildId, force: true });
    role = await guild.roles.create({ name: `djs mention ${tag}`, mentionable: true });
    const channel = await client.channels.fetch(generalId);
    const content = `hi <@${userId}> <@&${role.id}> @everyone ${tag}`;
    const m = await channel.send(content);
    sent.push(m);
    checkEq('mentions: message.mentions.users is the person', [...m.mentions.users.keys()], [userId]);
    checkEq('mentions: message.mentions.roles is the role', [...m.mentions.roles.keys()], [role.id]);
    check('mentions: message.mentions.everyone', m.mentions.everyone === true, String(m.mentions.everyone));
    const again = await channel.messages.fetch({ message: m.id, force: true });
    checkEq('mentions: messages.fetch keeps the mentions',
      [[...again.mentions.users.keys()], [...again.mentions.roles.keys()], again.mentions.everyone],
      [[userId], [role.id], true]);

    const quiet = await channel.send({ content, allowedMentions: { parse: [], roles: [role.id] } });
    sent.push(quiet);
    checkEq('mentions: allowedMentions {parse: [], roles: [role]}',
      [[...quiet.mentions.users.keys()], [...quiet.mentions.roles.keys()], quiet.mentions.everyone],
      [[], [role.id], false]);

    // Message.edit needs a logged-in client (it compares the author with client.user): the
    // edit goes through the client's REST manager, and its answer through the message manager.
    const raw = await client.rest.patch(Routes.channelMessage(generalId, m.id), {
      body: { content: `only <@${userId}> ${tag}`, allowed_mentions: { parse: [] } },
    });
    const edited = channel.messages._add(raw);
    checkEq('mentions: an edit with allowed_mentions {parse: []} clears them',
      [[...edited.mentions.users.keys()], [...edited.mentions.roles.keys()], edited.mentions.everyone],
      [[], [], false]);
  } finally {
    for (const message of sent) await message.delete();
    if (role) await role.delete();
    await client.destroy();
  }
}
