// REST-only conformance checks of hearth with discord.js 14 (no gateway).
//
// Uses the REST client discord.js re-exports from @discordjs/rest, plus a few high-level
// managers of a Client that never logs in. Environment (from seed.py): COMPAT_BASE,
// COMPAT_BOT_TOKEN, COMPAT_APP_ID, COMPAT_USER_ID, COMPAT_USER_NAME, COMPAT_GUILD_ID,
// COMPAT_GENERAL_ID, COMPAT_SEED_MESSAGE_ID.
//
// Prints one PASS/FAIL line per check; exits 0 only if every check passed.

import { Client, DiscordAPIError, REST, Routes, TextChannel, version } from 'discord.js';

const OVERALL_TIMEOUT_MS = 120_000;
const PREFIX = 'djs';

const need = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${PREFIX}: missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
};
const BASE = need('COMPAT_BASE');
const BOT_TOKEN = need('COMPAT_BOT_TOKEN');
const BOT_ID = need('COMPAT_APP_ID'); // a bot's user id is its application id
const USER_ID = need('COMPAT_USER_ID');
const USER_NAME = need('COMPAT_USER_NAME');
const GUILD_ID = need('COMPAT_GUILD_ID');
const GENERAL_ID = need('COMPAT_GENERAL_ID');
const SEED_MESSAGE_ID = need('COMPAT_SEED_MESSAGE_ID');
const UNKNOWN_ID = '1234567890123456789'; // a well-formed snowflake no object has

const failures = [];
let passes = 0;

function check(name, ok, detail = '') {
  if (ok) {
    passes += 1;
    console.log(`PASS ${PREFIX}: ${name}`);
  } else {
    failures.push(name);
    console.log(`FAIL ${PREFIX}: ${name}${detail ? ` -- ${detail}` : ''}`);
  }
  return ok;
}

const show = (v) => JSON.stringify(v);
const checkEq = (name, actual, expected) =>
  check(name, show(actual) === show(expected), `got ${show(actual)}, expected ${show(expected)}`);

// Awaits promise and checks it rejects with DiscordAPIError of the given status and code.
async function expectApiError(name, promise, status, code) {
  try {
    const result = await promise;
    return check(name, false, `no error; resolved ${show(result)?.slice(0, 200)}`);
  } catch (err) {
    if (!(err instanceof DiscordAPIError)) {
      return check(name, false, `${err?.constructor?.name}: ${err?.message}`);
    }
    return check(
      name,
      err.status === status && err.code === code,
      `status ${err.status} code ${err.code} (${err.message}), expected status ${status} code ${code}`,
    );
  }
}

// Runs a named group of checks; an exception inside fails that group only.
async function step(name, fn) {
  try {
    await fn();
  } catch (err) {
    check(`${name} (completed without exception)`, false, `${err?.stack ?? err}`);
  }
}

// Snowflake strings compared numerically.
const bySnowflake = (a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
const ids = (list) => list.map((m) => m.id);

const rest = new REST({ version: '10', api: `${BASE}/api`, timeout: 15_000, retries: 1 }).setToken(BOT_TOKEN);
const state = {};

async function main() {
  console.log(`${PREFIX}: discord.js ${version} against ${BASE}`);

  await step('identity', async () => {
    const me = await rest.get(Routes.user()); // the default '@me' is put in the path as is
    checkEq('GET /users/@me: id is the bot', me.id, BOT_ID);
    check('GET /users/@me: bot flag', me.bot === true, show(me.bot));
    check('GET /users/@me: id is a string snowflake', typeof me.id === 'string');
    // An explicit '@me' argument is percent-encoded by discord-api-types' Routes: /users/%40me.
    // discord.js itself does this for members (guild.members.editMe -> /guilds/{id}/members/%40me).
    const meEncoded = await rest.get(Routes.user('@me')).catch((err) => err);
    check(
      "GET /users/%40me (Routes.user('@me')): id is the bot",
      meEncoded?.id === BOT_ID,
      meEncoded instanceof Error ? `${meEncoded.status ?? ''} ${meEncoded.message}` : show(meEncoded),
    );

    const app = await rest.get(Routes.currentApplication());
    checkEq('GET /applications/@me: id', app.id, BOT_ID);
    checkEq('GET /applications/@me: name', app.name, 'compat-bot');
    checkEq('GET /applications/@me: owner id', app.owner?.id, USER_ID);
    const oauthApp = await rest.get(Routes.oauth2CurrentApplication());
    checkEq('GET /oauth2/applications/@me: id', oauthApp.id, BOT_ID);

    const user = await rest.get(Routes.user(USER_ID));
    checkEq('GET /users/{id}: username', user.username, USER_NAME);
    await expectApiError('GET /users/{unknown} -> 404 10013', rest.get(Routes.user(UNKNOWN_ID)), 404, 10013);

    const badRest = new REST({ version: '10', api: `${BASE}/api`, timeout: 15_000, retries: 0 }).setToken('not-a-token');
    await expectApiError('GET /users/@me with a bad token -> 401 code 0', badRest.get(Routes.user('@me')), 401, 0);
  });

  await step('gateway info', async () => {
    const gw = await rest.get(Routes.gatewayBot());
    check('GET /gateway/bot: url is ws(s):// without query', /^wss?:\/\/[^?]+$/.test(gw.url ?? ''), show(gw.url));
    check(
      'GET /gateway/bot: session_start_limit.remaining >= 1',
      (gw.session_start_limit?.remaining ?? 0) >= 1,
      show(gw.session_start_limit),
    );
  });

  await step('guild', async () => {
    const guild = await rest.get(Routes.guild(GUILD_ID), { query: new URLSearchParams({ with_counts: 'true' }) });
    checkEq('GET /guilds/{id}?with_counts=true: name', guild.name, 'Compat');
    checkEq('GET /guilds/{id}: owner_id', guild.owner_id, USER_ID);
    checkEq('GET /guilds/{id}: approximate_member_count', guild.approximate_member_count, 2);
    check(
      'GET /guilds/{id}: @everyone role id == guild id, permissions is a string',
      (guild.roles ?? []).some((r) => r.id === GUILD_ID && typeof r.permissions === 'string'),
      show(guild.roles),
    );
    checkEq('GET /guilds/{id}: system_channel_id is general', guild.system_channel_id, GENERAL_ID);
    await expectApiError('GET /guilds/{unknown} -> 404 10004', rest.get(Routes.guild(UNKNOWN_ID)), 404, 10004);

    const channels = await rest.get(Routes.guildChannels(GUILD_ID));
    const general = channels.find((c) => c.id === GENERAL_ID);
    check('GET /guilds/{id}/channels: contains general', general !== undefined, show(ids(channels)));
    checkEq('GET /guilds/{id}/channels: general is text (type 0)', general?.type, 0);
    checkEq('GET /guilds/{id}/channels: general name', general?.name, 'general');

    const ch = await rest.get(Routes.channel(GENERAL_ID));
    checkEq('GET /channels/{general}: guild_id', ch.guild_id, GUILD_ID);
    await expectApiError('GET /channels/{unknown} -> 404 10003', rest.get(Routes.channel(UNKNOWN_ID)), 404, 10003);
  });

  await step('messages', async () => {
    const seed = await rest.get(Routes.channelMessage(GENERAL_ID, SEED_MESSAGE_ID));
    checkEq('GET seed message: author is the owner', seed.author?.id, USER_ID);

    const msg = await rest.post(Routes.channelMessages(GENERAL_ID), { body: { content: 'hello from djs' } });
    checkEq('POST message: content', msg.content, 'hello from djs');
    checkEq('POST message: author is the bot', msg.author?.id, BOT_ID);
    checkEq('POST message: type 0', msg.type, 0);
    checkEq('POST message: channel_id', msg.channel_id, GENERAL_ID);
    check(
      'POST message: timestamp ISO 8601 with offset',
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/.test(msg.timestamp ?? ''),
      show(msg.timestamp),
    );

    const nonce = `djs-${Date.now()}`;
    const first = await rest.post(Routes.channelMessages(GENERAL_ID), {
      body: { content: 'nonce test', nonce, enforce_nonce: true },
    });
    checkEq('POST message with nonce: nonce echoed', first.nonce, nonce);
    const again = await rest.post(Routes.channelMessages(GENERAL_ID), {
      body: { content: 'nonce test', nonce, enforce_nonce: true },
    });
    checkEq('POST message with a repeated enforce_nonce: same message returned', again.id, first.id);

    const reply = await rest.post(Routes.channelMessages(GENERAL_ID), {
      body: { content: 'a reply from djs', message_reference: { message_id: msg.id } },
    });
    checkEq('reply: type 19', reply.type, 19);
    checkEq('reply: message_reference.message_id', reply.message_reference?.message_id, msg.id);
    checkEq('reply: referenced_message.id', reply.referenced_message?.id, msg.id);

    const edited = await rest.patch(Routes.channelMessage(GENERAL_ID, msg.id), {
      body: { content: 'hello from djs (edited)' },
    });
    checkEq('PATCH message: content', edited.content, 'hello from djs (edited)');
    check('PATCH message: edited_timestamp set', typeof edited.edited_timestamp === 'string', show(edited.edited_timestamp));

    const fetched = await rest.get(Routes.channelMessage(GENERAL_ID, msg.id));
    checkEq('GET message: edited content', fetched.content, 'hello from djs (edited)');

    await rest.delete(Routes.channelMessage(GENERAL_ID, msg.id));
    check('DELETE message: resolved', true);
    await expectApiError(
      'GET deleted message -> 404 10008',
      rest.get(Routes.channelMessage(GENERAL_ID, msg.id)),
      404,
      10008,
    );
    await expectApiError(
      'POST empty message -> 400 50006',
      rest.post(Routes.channelMessages(GENERAL_ID), { body: { content: '' } }),
      400,
      50006,
    );

    await rest.post(Routes.channelTyping(GENERAL_ID));
    check('POST /typing: resolved', true);
  });

  await step('history', async () => {
    const ch = await rest.post(Routes.guildChannels(GUILD_ID), { body: { name: 'djs-history', type: 0 } });
    state.historyChannel = ch.id;
    const sent = [];
    for (let i = 0; i < 12; i += 1) {
      sent.push((await rest.post(Routes.channelMessages(ch.id), { body: { content: `h${i}` } })).id);
    }
    check('history: ids increase', show([...sent].sort(bySnowflake)) === show(sent));
    const get = (params) => rest.get(Routes.channelMessages(ch.id), { query: new URLSearchParams(params) });
    const newestFirst = (list) => [...list].reverse();

    checkEq('history limit=5: newest five, newest first', ids(await get({ limit: '5' })), newestFirst(sent.slice(-5)));
    checkEq('history default limit: all 12 newest first', ids(await get({})), newestFirst(sent));
    checkEq(
      'history before=8th limit=3: 5th..7th newest first',
      ids(await get({ before: sent[7], limit: '3' })),
      newestFirst(sent.slice(4, 7)),
    );
    checkEq(
      'history after=3rd limit=4: 4th..7th newest first',
      ids(await get({ after: sent[2], limit: '4' })),
      newestFirst(sent.slice(3, 7)),
    );
    checkEq(
      'history after=0 limit=3: oldest three, newest first',
      ids(await get({ after: '0', limit: '3' })),
      newestFirst(sent.slice(0, 3)),
    );
    const around = ids(await get({ around: sent[6], limit: '5' }));
    checkEq('history around=7th limit=5: 5th..9th newest first', around, newestFirst(sent.slice(4, 9)));
    await expectApiError('history limit=0 -> 400 50035', get({ limit: '0' }), 400, 50035);

    await rest.delete(Routes.channel(ch.id));
  });

  await step('channels', async () => {
    const made = await rest.post(Routes.guildChannels(GUILD_ID), {
      body: { name: 'djs-made', type: 0, topic: 'made by discord.js' },
    });
    checkEq('POST /guilds/{id}/channels: name', made.name, 'djs-made');
    checkEq('POST /guilds/{id}/channels: topic', made.topic, 'made by discord.js');
    checkEq('POST /guilds/{id}/channels: guild_id', made.guild_id, GUILD_ID);

    const cat = await rest.post(Routes.guildChannels(GUILD_ID), { body: { name: 'DjsCat', type: 4 } });
    checkEq('create category: type 4', cat.type, 4);

    const edited = await rest.patch(Routes.channel(made.id), {
      body: { name: 'djs-renamed', topic: 'edited by discord.js', parent_id: cat.id },
    });
    checkEq('PATCH /channels/{id}: name', edited.name, 'djs-renamed');
    checkEq('PATCH /channels/{id}: topic', edited.topic, 'edited by discord.js');
    checkEq('PATCH /channels/{id}: parent_id', edited.parent_id, cat.id);

    const deleted = await rest.delete(Routes.channel(made.id));
    checkEq('DELETE /channels/{id}: returns the channel', deleted?.id, made.id);
    await rest.delete(Routes.channel(cat.id));
    await expectApiError('GET deleted channel -> 404 10003', rest.get(Routes.channel(made.id)), 404, 10003);
  });

  await step('invites', async () => {
    const inv = await rest.post(Routes.channelInvites(GENERAL_ID), {
      body: { max_age: 600, max_uses: 3, unique: true, temporary: false },
    });
    check('POST /channels/{id}/invites: code', typeof inv.code === 'string' && inv.code.length > 0, show(inv));
    checkEq('POST invite: max_age', inv.max_age, 600);
    checkEq('POST invite: max_uses', inv.max_uses, 3);
    checkEq('POST invite: guild.id', inv.guild?.id, GUILD_ID);
    checkEq('POST invite: channel.id', inv.channel?.id, GENERAL_ID);

    const fetched = await rest.get(Routes.invite(inv.code), { query: new URLSearchParams({ with_counts: 'true' }) });
    checkEq('GET /invites/{code}?with_counts: code', fetched.code, inv.code);
    checkEq('GET /invites/{code}?with_counts: approximate_member_count', fetched.approximate_member_count, 2);

    const guildInvites = await rest.get(Routes.guildInvites(GUILD_ID));
    check('GET /guilds/{id}/invites: contains it', guildInvites.some((i) => i.code === inv.code));
    const channelInvites = await rest.get(Routes.channelInvites(GENERAL_ID));
    check('GET /channels/{id}/invites: contains it', channelInvites.some((i) => i.code === inv.code));

    await rest.delete(Routes.invite(inv.code));
    check('DELETE /invites/{code}: resolved', true);
    await expectApiError('GET deleted invite -> 404 10006', rest.get(Routes.invite(inv.code)), 404, 10006);
  });

  await step('members', async () => {
    const members = await rest.get(Routes.guildMembers(GUILD_ID), { query: new URLSearchParams({ limit: '10' }) });
    const userIds = members.map((m) => m.user?.id);
    checkEq('GET /guilds/{id}/members: owner and bot', [...userIds].sort(bySnowflake), [USER_ID, BOT_ID].sort(bySnowflake));
    checkEq('GET /guilds/{id}/members: ascending by user id', userIds, [...userIds].sort(bySnowflake));
    const firstId = userIds[0];
    const rest1 = await rest.get(Routes.guildMembers(GUILD_ID), {
      query: new URLSearchParams({ limit: '10', after: firstId ?? '0' }),
    });
    checkEq('GET /guilds/{id}/members?after=first: the second only', rest1.map((m) => m.user?.id), userIds.slice(1));

    const bot = await rest.get(Routes.guildMember(GUILD_ID, BOT_ID));
    checkEq('GET /guilds/{id}/members/{bot}: user.id', bot.user?.id, BOT_ID);
    check('GET member: roles is an array without @everyone', Array.isArray(bot.roles) && !bot.roles.includes(GUILD_ID));
    checkEq('GET member: flags is 0', bot.flags, 0);
    await expectApiError(
      'GET /guilds/{id}/members/{unknown} -> 404 10007',
      rest.get(Routes.guildMember(GUILD_ID, UNKNOWN_ID)),
      404,
      10007,
    );
  });

  // High-level managers of a Client that never connects to the gateway (REST only).
  await step('client managers', async () => {
    const client = new Client({ intents: [], rest: { api: `${BASE}/api`, timeout: 15_000, retries: 1 } });
    client.rest.setToken(BOT_TOKEN);
    try {
      const guild = await client.guilds.fetch({ guild: GUILD_ID, withCounts: true, force: true });
      checkEq('client.guilds.fetch: name', guild.name, 'Compat');
      checkEq('client.guilds.fetch: approximateMemberCount', guild.approximateMemberCount, 2);
      const channel = await client.channels.fetch(GENERAL_ID);
      check('client.channels.fetch(general): TextChannel', channel instanceof TextChannel, `${channel?.constructor?.name}`);
      const sent = await channel.send('hello from the djs client');
      checkEq('TextChannel.send: content', sent.content, 'hello from the djs client');
      const latest = await channel.messages.fetch({ limit: 3 });
      check('channel.messages.fetch({limit:3}): contains the new message', latest.has(sent.id), show([...latest.keys()]));
      const owner = await guild.members.fetch(USER_ID);
      checkEq('guild.members.fetch(id): username', owner.user.username, USER_NAME);
      const listed = await guild.members.list({ limit: 10 });
      checkEq('guild.members.list: size', listed.size, 2);
      await sent.delete();
      check('Message.delete: resolved', true);
    } finally {
      await client.destroy();
    }
  });
}

const watchdog = setTimeout(() => {
  check(`whole run finished within ${OVERALL_TIMEOUT_MS / 1000}s`, false);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
watchdog.unref();

try {
  await main();
} catch (err) {
  check('run without unexpected exception', false, `${err?.stack ?? err}`);
}
clearTimeout(watchdog);
const total = passes + failures.length;
if (failures.length > 0) {
  console.log(`${PREFIX}: ${failures.length} of ${total} checks FAILED: ${failures.join(', ')}`);
  process.exit(1);
}
console.log(`${PREFIX}: all ${total} checks passed`);
process.exit(0);
