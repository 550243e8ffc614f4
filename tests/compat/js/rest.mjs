// REST-only conformance checks of hearth with discord.js 14 (no gateway).
//
// Uses the REST client discord.js re-exports from @discordjs/rest, plus the high-level managers
// of a Client that never logs in: guilds, channels, messages, members; then roles
// (guild.roles.create/edit/setPositions/delete), member changes (member.roles.add/remove,
// setNickname, edit({roles}), timeout, disableCommunicationUntil), all with a reason
// (X-Audit-Log-Reason) where discord.js sends one, a member without MANAGE_ROLES refused, and the
// audit log those changes wrote (guild.fetchAuditLogs: action, executor, target, changes, reason;
// filtered by type and by user). Then channel permission overwrites: a private channel made with
// guild.channels.create({permissionOverwrites}) and read back (permissionOverwrites.cache,
// permissionsFor), permissionOverwrites.create/edit/delete on a role and a member and
// permissionOverwrites.set, all with a reason; the plain bot not seeing the private channel
// (guild.channels.fetch() leaves it out; channels.fetch, and over REST its messages, one message
// and a POST, answer 403 50001) until a member overwrite lets it, then refused
// permissionOverwrites.edit/delete/set (403 50013); category sync (category.children.create
// without overwrites takes the category's, setParent(cat, {lockPermissions: true}),
// lockPermissions(), permissionsLocked, a category's change carried over to the channels in sync
// only); the audit entries ChannelOverwriteCreate/Update/Delete (extra, changes) and
// ChannelCreate/Update/Delete. Then moderation, on throwaway people (registered over plain HTTP,
// joining by an invite): guild.members.kick and member.kick with a reason (a kicked person may
// join again); guild.members.ban({deleteMessageSeconds, reason}) of a member (sent in the JSON
// body: their messages of the last seconds gone in every channel, an older one kept),
// guild.bans.create of non-members (an empty body), guild.bans.fetch(user) and ({limit, after,
// before}), guild.bans.remove(user, reason), 404 10007 and 10026, a banned person refused by the
// invite (403 40007) until unbanned; a moderator's message.delete() of someone else's message,
// channel.bulkDelete([ids]) and channel.bulkDelete(n), an id older than 14 days refused (400
// 50034; the old id is a made-up snowflake beside a real message, which is kept); the plain bot
// refused kick, ban, the ban list, unban and deleting others' messages (403 50013); the audit
// entries MemberKick, MemberBanAdd, MemberBanRemove, MessageDelete (extra channel and count; of
// the owner's deletion of someone else's message over plain HTTP: Discord records none for a bot
// deleting a single message) and MessageBulkDelete (extra count). Then direct messages with the
// seeded person: POST /users/@me/channels {recipient_id} (type 1, the person as the one recipient;
// the person opening it over plain HTTP gets the same channel, with the bot as recipient), the
// bot's GET /users/@me/channels, user.createDM() (a DMChannel, isDMBased) and
// client.channels.fetch of it, user.send, the person's reply over plain HTTP, dm.messages.fetch
// (history and one message), edit and delete of the bot's message (404 10008 after), the bot
// refused the edit (403 50005) and the deletion (403 50003) of the person's message,
// dm.sendTyping(), and a DM to another bot refused (403 50007). Environment (from seed.py):
// COMPAT_BASE, COMPAT_BOT_TOKEN, COMPAT_APP_ID, COMPAT_USER_ID, COMPAT_USER_NAME,
// COMPAT_USER_TOKEN, COMPAT_GUILD_ID, COMPAT_GENERAL_ID, COMPAT_SEED_MESSAGE_ID, COMPAT_PLAIN_ID,
// COMPAT_PLAIN_TOKEN (a second bot in the guild with no permissions).
//
// Prints one PASS/FAIL line per check; exits 0 only if every check passed.

import { setTimeout as sleep } from 'node:timers/promises';
import {
  AuditLogEvent,
  CategoryChannel,
  ChannelType,
  Client,
  ClientUser,
  DMChannel,
  DiscordAPIError,
  GuildBan,
  GuildMember,
  OverwriteType,
  PermissionFlagsBits,
  PermissionsBitField,
  REST,
  Role,
  Routes,
  SnowflakeUtil,
  TextChannel,
  User,
  version,
} from 'discord.js';
import { forwards } from './forwards.mjs';

import { reactions } from './reactions.mjs';
import { mentions } from './mentions.mjs';

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
const USER_TOKEN = need('COMPAT_USER_TOKEN'); // the owner's: a person's deletion of another's message
const GUILD_ID = need('COMPAT_GUILD_ID');
const GENERAL_ID = need('COMPAT_GENERAL_ID');
const SEED_MESSAGE_ID = need('COMPAT_SEED_MESSAGE_ID');
const PLAIN_ID = need('COMPAT_PLAIN_ID'); // the bot without permissions
const PLAIN_TOKEN = need('COMPAT_PLAIN_TOKEN');
const MEMBER_COUNT = 3; // the owner, this bot and the plain bot
const TAG = String(Date.now()).slice(-6); // unique names
// Reasons (sent as X-Audit-Log-Reason, encodeURIComponent'd by discord.js); each names one
// request, so the audit checks can find its entry.
const REASONS = Object.fromEntries(
  ['create', 'edit', 'create second', 'give', 'take', 'nick', 'roles', 'timeout', 'lift', 'reset', 'delete',
    'delete second'].map((k) => [k, `djs ${k} / ünïcode ${TAG}`]),
);
const UNKNOWN_ID = '1234567890123456789'; // a well-formed snowflake no object has
// Reasons of the permission overwrite checks (their audit entries are found by them).
const OW = Object.fromEntries(
  ['role', 'create', 'allow plain', 'role create', 'role update', 'role delete', 'set', 'rename', 'category',
    'synced', 'loose', 'move', 'desync', 'category change', 'lock', 'delete synced', 'delete loose',
    'delete private', 'delete category', 'delete role'].map((k) => [k, `djs ow ${k} / ünïcode ${TAG}`]),
);

// Reasons of the moderation checks (their audit entries are found by them).
const MOD = Object.fromEntries(
  ['channel', 'invite', 'kick', 'kick again', 'ban', 'ban outsider', 'ban outsider 2', 'unban', 'unban outsider',
    'unban outsider 2', 'delete channel'].map((k) => [k, `djs mod ${k} / ünïcode ${TAG}`]),
);
const PASSWORD = 'Compat-test-password-1'; // the throwaway people's

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

// One plain request to /api/v10, for what the library has no call for (a person's account,
// joining by invite): {status, data}.
async function http(method, path, body, token) {
  const res = await fetch(`${BASE}/api/v10${path}`, {
    method,
    headers: { ...(token ? { Authorization: token } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: res.status, data };
}

// http(), failing unless the answer is a success.
async function restAs(method, path, body, token) {
  const { status, data } = await http(method, path, body, token);
  if (status >= 300) throw new Error(`${method} ${path} -> ${status}: ${show(data)?.slice(0, 300)}`);
  return data;
}

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
    checkEq('GET /guilds/{id}: approximate_member_count', guild.approximate_member_count, MEMBER_COUNT);
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
    checkEq('GET /invites/{code}?with_counts: approximate_member_count', fetched.approximate_member_count, MEMBER_COUNT);

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
    checkEq(
      'GET /guilds/{id}/members: owner, bot and plain bot',
      [...userIds].sort(bySnowflake),
      [USER_ID, BOT_ID, PLAIN_ID].sort(bySnowflake),
    );
    checkEq('GET /guilds/{id}/members: ascending by user id', userIds, [...userIds].sort(bySnowflake));
    const firstId = userIds[0];
    const rest1 = await rest.get(Routes.guildMembers(GUILD_ID), {
      query: new URLSearchParams({ limit: '10', after: firstId ?? '0' }),
    });
    checkEq('GET /guilds/{id}/members?after=first: the others', rest1.map((m) => m.user?.id), userIds.slice(1));

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
      checkEq('client.guilds.fetch: approximateMemberCount', guild.approximateMemberCount, MEMBER_COUNT);
      const channel = await client.channels.fetch(GENERAL_ID);
      check('client.channels.fetch(general): TextChannel', channel instanceof TextChannel, `${channel?.constructor?.name}`);
      const sent = await channel.send('hello from the djs client');
      checkEq('TextChannel.send: content', sent.content, 'hello from the djs client');
      const latest = await channel.messages.fetch({ limit: 3 });
      check('channel.messages.fetch({limit:3}): contains the new message', latest.has(sent.id), show([...latest.keys()]));
      const owner = await guild.members.fetch(USER_ID);
      checkEq('guild.members.fetch(id): username', owner.user.username, USER_NAME);
      const listed = await guild.members.list({ limit: 10 });
      checkEq('guild.members.list: size', listed.size, MEMBER_COUNT);
      await sent.delete();
      check('Message.delete: resolved', true);
    } finally {
      await client.destroy();
    }
  });

  // Roles, member changes and the audit log, through a Client's managers (REST only). discord.js
  // sets client.user from READY; this client never connects, so it is set from GET /users/@me as
  // the READY handler would (GuildMemberManager.edit reads client.user.id).
  await step('roles, member changes and the audit log', async () => {
    const options = { intents: [], rest: { api: `${BASE}/api`, timeout: 15_000, retries: 1 } };
    const client = new Client(options);
    client.rest.setToken(BOT_TOKEN);
    const plainClient = new Client(options);
    plainClient.rest.setToken(PLAIN_TOKEN);
    try {
      client.user = new ClientUser(client, await client.rest.get(Routes.user()));
      client.users.cache.set(client.user.id, client.user);
      const guild = await client.guilds.fetch({ guild: GUILD_ID, force: true });
      const bits = (list) => new PermissionsBitField(list).bitfield;
      const perms = [PermissionFlagsBits.SendMessages, PermissionFlagsBits.ManageMessages, PermissionFlagsBits.KickMembers];
      const newPerms = [PermissionFlagsBits.SendMessages, PermissionFlagsBits.ManageNicknames];

      // --- roles ---
      const name = `djs-role-${TAG}`;
      const role = await guild.roles.create({
        name,
        permissions: perms,
        colors: { primaryColor: 0x2ecc71 },
        hoist: true,
        mentionable: true,
        reason: REASONS.create,
      });
      check('guild.roles.create: a Role', role instanceof Role, `${role?.constructor?.name}`);
      checkEq('guild.roles.create: name', role.name, name);
      checkEq('guild.roles.create: permissions', String(role.permissions.bitfield), String(bits(perms)));
      checkEq('guild.roles.create: colors.primaryColor', role.colors.primaryColor, 0x2ecc71);
      checkEq('guild.roles.create: hoist, mentionable, managed', [role.hoist, role.mentionable, role.managed], [true, true, false]);
      checkEq('guild.roles.create: rawPosition 1 (the bottom, above @everyone)', role.rawPosition, 1);
      check('guild.roles.create: in guild.roles.cache', guild.roles.cache.get(role.id) === role);

      const edited = await guild.roles.edit(role, {
        name: `${name}-edited`,
        permissions: newPerms,
        colors: { primaryColor: 0xe67e22 },
        reason: REASONS.edit,
      });
      checkEq('guild.roles.edit: id', edited.id, role.id);
      checkEq('guild.roles.edit: name', edited.name, `${name}-edited`);
      checkEq('guild.roles.edit: permissions', String(edited.permissions.bitfield), String(bits(newPerms)));
      checkEq('guild.roles.edit: colors.primaryColor', edited.colors.primaryColor, 0xe67e22);
      checkEq('guild.roles.edit: hoist kept', edited.hoist, true);

      const second = await guild.roles.create({ name: `djs-second-${TAG}`, reason: REASONS['create second'] });
      checkEq('guild.roles.create (second): rawPosition 1', second.rawPosition, 1);
      const movedUp = await guild.roles.fetch(role.id, { force: true });
      checkEq('guild.roles.fetch(id, {force}): the first role moved up to rawPosition 2', movedUp?.rawPosition, 2);

      // setPositions takes no reason (discord.js sends no X-Audit-Log-Reason for it).
      const sameGuild = await guild.roles.setPositions([
        { role: role.id, position: 1 },
        { role: second, position: 2 },
      ]);
      check('guild.roles.setPositions: resolves the guild', sameGuild === guild, `${sameGuild?.constructor?.name}`);
      checkEq(
        'guild.roles.setPositions: cached rawPositions swapped',
        [guild.roles.cache.get(role.id)?.rawPosition, guild.roles.cache.get(second.id)?.rawPosition],
        [1, 2],
      );
      const all = await guild.roles.fetch();
      checkEq(
        'guild.roles.fetch(): rawPositions on the server swapped, @everyone at 0',
        [all.get(role.id)?.rawPosition, all.get(second.id)?.rawPosition, all.get(GUILD_ID)?.rawPosition],
        [1, 2, 0],
      );
      checkEq('guild.roles.fetch(unknown): null (10011 Unknown Role)', await guild.roles.fetch(UNKNOWN_ID, { force: true }), null);

      // --- a member without MANAGE_ROLES (the plain bot, no permissions) ---
      const plainGuild = await plainClient.guilds.fetch({ guild: GUILD_ID, force: true });
      await expectApiError(
        'plain bot: guild.roles.create -> 403 50013',
        plainGuild.roles.create({ name: 'refused', reason: 'must be refused' }),
        403,
        50013,
      );
      await expectApiError('plain bot: guild.roles.edit -> 403 50013', plainGuild.roles.edit(role.id, { name: 'refused' }), 403, 50013);
      await expectApiError('plain bot: guild.roles.delete -> 403 50013', plainGuild.roles.delete(role.id), 403, 50013);
      await expectApiError('plain bot: guild.fetchAuditLogs -> 403 50013 (no VIEW_AUDIT_LOG)', plainGuild.fetchAuditLogs({ limit: 1 }), 403, 50013);

      // --- member changes ---
      const fetchPlain = () => guild.members.fetch({ user: PLAIN_ID, force: true });
      const ownRoles = (m) => [...m.roles.cache.keys()].filter((id) => id !== GUILD_ID);
      let plain = await fetchPlain();
      check('guild.members.fetch(plain): a GuildMember, a bot', plain instanceof GuildMember && plain.user.bot === true);
      checkEq('guild.members.fetch(plain): not timed out', plain.communicationDisabledUntilTimestamp, null);

      const added = await plain.roles.add(role, REASONS.give);
      check('member.roles.add: the returned member has the role', added.roles.cache.has(role.id), show(ownRoles(added)));
      plain = await fetchPlain();
      check('member.roles.add: the fetched member has the role', plain.roles.cache.has(role.id), show(ownRoles(plain)));
      await plain.roles.remove(role, REASONS.take);
      plain = await fetchPlain();
      check('member.roles.remove: the fetched member lost the role', !plain.roles.cache.has(role.id), show(ownRoles(plain)));

      const nick = `djs-nick-${TAG}`;
      const nicked = await plain.setNickname(nick, REASONS.nick);
      checkEq('member.setNickname: nickname', nicked.nickname, nick);
      checkEq('member.setNickname: displayName', nicked.displayName, nick);
      const withRoles = await nicked.edit({ roles: [second], reason: REASONS.roles });
      checkEq('member.edit({roles}): roles besides @everyone', ownRoles(withRoles), [second.id]);

      const t0 = Date.now();
      const timed = await withRoles.timeout(10 * 60_000, REASONS.timeout);
      const t1 = Date.now();
      const until = timed.communicationDisabledUntilTimestamp;
      check(
        'member.timeout(10 min): communicationDisabledUntil 10 minutes ahead',
        typeof until === 'number' && until >= t0 + 600_000 && until <= t1 + 600_000,
        `got ${show(until)}, expected within [${t0 + 600_000}, ${t1 + 600_000}]`,
      );
      check('member.timeout: isCommunicationDisabled()', timed.isCommunicationDisabled() === true);
      plain = await fetchPlain();
      checkEq('member.timeout: the fetched member has the same communicationDisabledUntilTimestamp',
        plain.communicationDisabledUntilTimestamp, until);

      const lifted = await plain.disableCommunicationUntil(null, REASONS.lift);
      checkEq('member.disableCommunicationUntil(null): timeout lifted', lifted.communicationDisabledUntilTimestamp, null);
      check('member.disableCommunicationUntil(null): not isCommunicationDisabled()', lifted.isCommunicationDisabled() === false);

      const reset = await lifted.edit({ nick: null, roles: [], reason: REASONS.reset });
      checkEq('member.edit({nick: null, roles: []}): nickname cleared', reset.nickname, null);
      checkEq('member.edit({nick: null, roles: []}): no role besides @everyone', ownRoles(reset), []);

      // --- deletion ---
      await guild.roles.delete(role, REASONS.delete);
      check('guild.roles.delete: gone from guild.roles.cache', !guild.roles.cache.has(role.id));
      await second.delete(REASONS['delete second']);
      checkEq('guild.roles.fetch(deleted, {force}): null (10011)', await guild.roles.fetch(role.id, { force: true }), null);
      const left = await guild.roles.fetch();
      check('guild.roles.fetch(): both deleted roles gone', !left.has(role.id) && !left.has(second.id), show([...left.keys()]));

      // --- the audit log of all that ---
      const logs = await guild.fetchAuditLogs({ user: BOT_ID, limit: 100 });
      const entries = [...logs.entries.values()];
      const entryIds = entries.map((e) => e.id);
      check(
        'fetchAuditLogs({user: bot}): entries, newest first',
        entries.length > 0 && show(entryIds) === show([...entryIds].sort(bySnowflake).reverse()),
        show(entryIds),
      );
      check(
        "fetchAuditLogs({user: bot}): every entry's executor is the bot (a User from `users`)",
        entries.every((e) => e.executorId === BOT_ID && e.executor instanceof User && e.executor.id === BOT_ID),
        show(entries.map((e) => e.executorId)),
      );
      const summary = () => show(entries.map((e) => [e.action, e.targetId, e.reason]));
      const entry = (label, action, targetId, reason, pred = () => true) => {
        const found = entries.filter((e) => e.action === action && e.targetId === targetId && e.reason === reason && pred(e));
        check(`audit: one ${AuditLogEvent[action]} entry for ${label} (target, reason)`, found.length === 1,
          `found ${found.length}; entries: ${summary()}`);
        return found[0];
      };
      const changed = (e, key) => e.changes.find((c) => c.key === key);

      let e = entry("the role's creation", AuditLogEvent.RoleCreate, role.id, REASONS.create);
      if (e) {
        checkEq('audit RoleCreate: actionType Create, targetType Role', [e.actionType, e.targetType], ['Create', 'Role']);
        checkEq('audit RoleCreate: target is the (deleted) role, by id', e.target?.id, role.id);
        checkEq('audit RoleCreate: name', changed(e, 'name')?.new, name);
        checkEq('audit RoleCreate: permissions', changed(e, 'permissions')?.new, String(bits(perms)));
        checkEq('audit RoleCreate: color', changed(e, 'color')?.new, 0x2ecc71);
        checkEq('audit RoleCreate: hoist, mentionable', [changed(e, 'hoist')?.new, changed(e, 'mentionable')?.new], [true, true]);
      }
      e = entry("the role's edit", AuditLogEvent.RoleUpdate, role.id, REASONS.edit);
      if (e) {
        checkEq('audit RoleUpdate: actionType Update', e.actionType, 'Update');
        checkEq('audit RoleUpdate: name old/new', [changed(e, 'name')?.old, changed(e, 'name')?.new], [name, `${name}-edited`]);
        checkEq('audit RoleUpdate: permissions old/new', [changed(e, 'permissions')?.old, changed(e, 'permissions')?.new],
          [String(bits(perms)), String(bits(newPerms))]);
        checkEq('audit RoleUpdate: color old/new', [changed(e, 'color')?.old, changed(e, 'color')?.new], [0x2ecc71, 0xe67e22]);
      }
      entry("the second role's creation", AuditLogEvent.RoleCreate, second.id, REASONS['create second']);
      e = entry("the first role's move (no reason)", AuditLogEvent.RoleUpdate, role.id, null, (x) => changed(x, 'position'));
      if (e) checkEq('audit RoleUpdate (setPositions): first role position 2 -> 1', [changed(e, 'position').old, changed(e, 'position').new], [2, 1]);
      e = entry("the second role's move (no reason)", AuditLogEvent.RoleUpdate, second.id, null, (x) => changed(x, 'position'));
      if (e) checkEq('audit RoleUpdate (setPositions): second role position 1 -> 2', [changed(e, 'position').old, changed(e, 'position').new], [1, 2]);
      e = entry('member.roles.add', AuditLogEvent.MemberRoleUpdate, PLAIN_ID, REASONS.give);
      if (e) {
        checkEq('audit MemberRoleUpdate: targetType User', e.targetType, 'User');
        check('audit MemberRoleUpdate: target is the plain bot (a User)', e.target instanceof User && e.target.id === PLAIN_ID, show(e.target));
        checkEq('audit MemberRoleUpdate: $add', changed(e, '$add')?.new, [{ id: role.id, name: `${name}-edited` }]);
      }
      e = entry('member.roles.remove', AuditLogEvent.MemberRoleUpdate, PLAIN_ID, REASONS.take);
      if (e) checkEq('audit MemberRoleUpdate: $remove', changed(e, '$remove')?.new?.map((r) => r.id), [role.id]);
      e = entry('member.setNickname', AuditLogEvent.MemberUpdate, PLAIN_ID, REASONS.nick);
      if (e) {
        checkEq('audit MemberUpdate: nick new', changed(e, 'nick')?.new, nick);
        check('audit MemberUpdate: no old nick', changed(e, 'nick')?.old == null, show(changed(e, 'nick')));
      }
      e = entry('member.edit({roles})', AuditLogEvent.MemberRoleUpdate, PLAIN_ID, REASONS.roles);
      if (e) checkEq('audit MemberRoleUpdate (edit roles): $add', changed(e, '$add')?.new?.map((r) => r.id), [second.id]);
      e = entry('member.timeout', AuditLogEvent.MemberUpdate, PLAIN_ID, REASONS.timeout);
      if (e) {
        const c = changed(e, 'communication_disabled_until');
        checkEq('audit MemberUpdate (timeout): communication_disabled_until new', c?.new ? Date.parse(c.new) : null, until);
      }
      e = entry('member.disableCommunicationUntil(null)', AuditLogEvent.MemberUpdate, PLAIN_ID, REASONS.lift);
      if (e) {
        const c = changed(e, 'communication_disabled_until');
        checkEq('audit MemberUpdate (lift): communication_disabled_until old, no new',
          [c?.old ? Date.parse(c.old) : null, c && 'new' in c], [until, false]);
      }
      e = entry('the reset', AuditLogEvent.MemberUpdate, PLAIN_ID, REASONS.reset);
      if (e) checkEq('audit MemberUpdate (reset): nick old', changed(e, 'nick')?.old, nick);
      entry("the reset's roles", AuditLogEvent.MemberRoleUpdate, PLAIN_ID, REASONS.reset);
      e = entry("the role's deletion", AuditLogEvent.RoleDelete, role.id, REASONS.delete);
      if (e) {
        checkEq('audit RoleDelete: actionType Delete', e.actionType, 'Delete');
        checkEq('audit RoleDelete: name old', changed(e, 'name')?.old, `${name}-edited`);
        checkEq('audit RoleDelete: target {id} (the role is gone)', show(e.target), show({ id: role.id }));
      }
      entry("the second role's deletion", AuditLogEvent.RoleDelete, second.id, REASONS['delete second']);

      // Filters: by type, by user, both; limit.
      const deletes = [...(await guild.fetchAuditLogs({ type: AuditLogEvent.RoleDelete, limit: 100 })).entries.values()];
      check('fetchAuditLogs({type: RoleDelete}): only RoleDelete entries',
        deletes.length > 0 && deletes.every((x) => x.action === AuditLogEvent.RoleDelete), show(deletes.map((x) => x.action)));
      check('fetchAuditLogs({type: RoleDelete}): both deleted roles',
        [role.id, second.id].every((id) => deletes.some((x) => x.targetId === id)), show(deletes.map((x) => x.targetId)));
      const updates = [...(await guild.fetchAuditLogs({ type: AuditLogEvent.MemberUpdate, user: BOT_ID, limit: 100 })).entries.values()];
      checkEq('fetchAuditLogs({type: MemberUpdate, user: bot}): this script\'s 4 MemberUpdate entries',
        updates.filter((x) => x.reason?.startsWith('djs ')).map((x) => x.reason).sort(),
        [REASONS.nick, REASONS.timeout, REASONS.lift, REASONS.reset].sort());
      check('fetchAuditLogs({type: MemberUpdate, user: bot}): only MemberUpdate entries by the bot',
        updates.every((x) => x.action === AuditLogEvent.MemberUpdate && x.executorId === BOT_ID), show(updates.map((x) => [x.action, x.executorId])));
      const byPlain = await guild.fetchAuditLogs({ user: PLAIN_ID });
      checkEq('fetchAuditLogs({user: plain bot}): nothing (its refused attempts left no entry)', byPlain.entries.size, 0);
      const two = await guild.fetchAuditLogs({ limit: 2 });
      checkEq('fetchAuditLogs({limit: 2}): the 2 newest entries', [...two.entries.keys()], entryIds.slice(0, 2));
    } finally {
      await client.destroy();
      await plainClient.destroy();
    }
  });

  // Channel permission overwrites through a Client's managers (REST only): a private channel made
  // with overwrites and read back, permissionOverwrites.create/edit/delete/set with reasons, the
  // plain bot not seeing it until a member overwrite lets it, refused MANAGE_ROLES; category sync
  // (children.create, setParent with lockPermissions, lockPermissions(), a category's change
  // carried over, permissionsLocked); the audit entries of all that.
  await step('permission overwrites', async () => {
    const options = { intents: [], rest: { api: `${BASE}/api`, timeout: 15_000, retries: 1 } };
    const client = new Client(options);
    client.rest.setToken(BOT_TOKEN);
    const plainClient = new Client(options);
    plainClient.rest.setToken(PLAIN_TOKEN);
    const plainRest = new REST({ version: '10', api: `${BASE}/api`, timeout: 15_000, retries: 1 }).setToken(PLAIN_TOKEN);
    const F = PermissionFlagsBits;
    const bits = (list) => String(new PermissionsBitField(list).bitfield);
    // [id, type, allow, deny] of each overwrite, by id.
    const owList = (channel) =>
      [...channel.permissionOverwrites.cache.values()]
        .map((o) => [o.id, o.type, String(o.allow.bitfield), String(o.deny.bitfield)])
        .sort((a, b) => bySnowflake(a[0], b[0]));
    const ow = (id, type, allow, deny) => [id, type, bits(allow), bits(deny)];
    const sorted = (list) => [...list].sort((a, b) => bySnowflake(a[0], b[0]));
    const refetch = (guild, channel) => guild.channels.fetch(channel.id ?? channel, { force: true });
    try {
      client.user = new ClientUser(client, await client.rest.get(Routes.user()));
      client.users.cache.set(client.user.id, client.user);
      const guild = await client.guilds.fetch({ guild: GUILD_ID, force: true });
      const everyone = guild.roles.everyone;
      const owner = await guild.members.fetch({ user: USER_ID, force: true });
      const plain = await guild.members.fetch({ user: PLAIN_ID, force: true });
      const role = await guild.roles.create({ name: `djs-ow-${TAG}`, reason: OW.role });

      // --- a private channel: @everyone denied ViewChannel, the owner allowed ---
      const ch = await guild.channels.create({
        name: `djs-private-${TAG}`,
        type: ChannelType.GuildText,
        permissionOverwrites: [
          { id: everyone, deny: [F.ViewChannel] },
          { id: owner, allow: [F.ViewChannel, F.SendMessages] },
        ],
        reason: OW.create,
      });
      const privateOws = sorted([
        ow(GUILD_ID, OverwriteType.Role, [], [F.ViewChannel]),
        ow(USER_ID, OverwriteType.Member, [F.ViewChannel, F.SendMessages], []),
      ]);
      check('guild.channels.create({permissionOverwrites}): a TextChannel in guild.channels.cache',
        ch instanceof TextChannel && guild.channels.cache.get(ch.id) === ch, `${ch?.constructor?.name}`);
      checkEq('guild.channels.create({permissionOverwrites}): permissionOverwrites.cache', owList(ch), privateOws);
      checkEq('guild.channels.fetch(id, {force}): the overwrites read back', owList(await refetch(guild, ch)), privateOws);
      check('channel.permissionsFor(plain): no ViewChannel (computed from the overwrites)',
        ch.permissionsFor(plain)?.has(F.ViewChannel) === false, show(ch.permissionsFor(plain)?.toArray()));
      const listed = await guild.channels.fetch();
      check('guild.channels.fetch() (administrator): has the private channel', listed.has(ch.id), show([...listed.keys()]));
      const secret = await ch.send(`secret ${TAG}`);

      // --- the plain bot (no permissions) may not view it ---
      const plainGuild = await plainClient.guilds.fetch({ guild: GUILD_ID, force: true });
      let seen = await plainGuild.channels.fetch();
      check('plain bot: guild.channels.fetch() leaves the private channel out (general listed)',
        !seen.has(ch.id) && seen.has(GENERAL_ID), show([...seen.keys()]));
      await expectApiError('plain bot: client.channels.fetch(private) -> 403 50001', plainClient.channels.fetch(ch.id), 403, 50001);
      await expectApiError('plain bot: guild.channels.fetch(private, {force}) -> 403 50001',
        plainGuild.channels.fetch(ch.id, { force: true }), 403, 50001);
      await expectApiError('plain bot REST: GET /channels/{private}/messages -> 403 50001',
        plainRest.get(Routes.channelMessages(ch.id)), 403, 50001);
      await expectApiError('plain bot REST: GET /channels/{private}/messages/{id} -> 403 50001',
        plainRest.get(Routes.channelMessage(ch.id, secret.id)), 403, 50001);
      await expectApiError('plain bot REST: POST /channels/{private}/messages -> 403 50001',
        plainRest.post(Routes.channelMessages(ch.id), { body: { content: 'must be refused' } }), 403, 50001);

      const same = await ch.permissionOverwrites.create(plain, { ViewChannel: true }, { reason: OW['allow plain'] });
      check('permissionOverwrites.create(member): resolves the channel', same === ch, `${same?.constructor?.name}`);
      const pch = await plainClient.channels.fetch(ch.id, { force: true });
      check('plain bot, allowed by a member overwrite: client.channels.fetch(private) is the TextChannel',
        pch instanceof TextChannel && pch.id === ch.id, `${pch?.constructor?.name}`);
      checkEq('plain bot: the fetched channel shows its own overwrite',
        pch.permissionOverwrites.cache.get(PLAIN_ID) && owList(pch).find((o) => o[0] === PLAIN_ID),
        ow(PLAIN_ID, OverwriteType.Member, [F.ViewChannel], []));
      seen = await plainGuild.channels.fetch();
      check('plain bot: guild.channels.fetch() now lists the private channel', seen.has(ch.id), show([...seen.keys()]));
      const history = await pch.messages.fetch({ limit: 5 });
      checkEq('plain bot: channel.messages.fetch() now has the secret message', [...history.keys()], [secret.id]);
      const mine = await pch.send(`plain in private ${TAG}`);
      checkEq('plain bot: channel.send() to the private channel now works', mine.channelId, ch.id);
      await mine.delete();
      await expectApiError('plain bot: permissionOverwrites.edit -> 403 50013 (no MANAGE_ROLES)',
        pch.permissionOverwrites.edit(plainGuild.roles.everyone, { SendMessages: false }, { reason: 'must be refused' }),
        403, 50013);
      await expectApiError('plain bot: permissionOverwrites.delete -> 403 50013',
        pch.permissionOverwrites.delete(PLAIN_ID, 'must be refused'), 403, 50013);
      await expectApiError('plain bot: permissionOverwrites.set -> 403 50013', pch.permissionOverwrites.set([]), 403, 50013);

      // --- a role's overwrite: create, edit (merged with the cached one), delete ---
      await ch.permissionOverwrites.create(role, { ViewChannel: true, SendMessages: false }, { reason: OW['role create'] });
      let fetched = await refetch(guild, ch);
      checkEq('permissionOverwrites.create(role): read back', owList(fetched).find((o) => o[0] === role.id),
        ow(role.id, OverwriteType.Role, [F.ViewChannel], [F.SendMessages]));
      await fetched.permissionOverwrites.edit(role, { SendMessages: true, EmbedLinks: false }, { reason: OW['role update'] });
      fetched = await refetch(guild, ch);
      checkEq('permissionOverwrites.edit(role): merged with the existing overwrite, read back',
        owList(fetched).find((o) => o[0] === role.id),
        ow(role.id, OverwriteType.Role, [F.ViewChannel, F.SendMessages], [F.EmbedLinks]));
      await fetched.permissionOverwrites.delete(role, OW['role delete']);
      fetched = await refetch(guild, ch);
      check('permissionOverwrites.delete(role): gone', !fetched.permissionOverwrites.cache.has(role.id), show(owList(fetched)));

      // --- permissionOverwrites.set: replaces them all ---
      const setOws = [
        { id: everyone, deny: [F.ViewChannel] },
        { id: owner, allow: [F.ViewChannel, F.SendMessages] },
        { id: plain, allow: [F.ViewChannel], deny: [F.SendMessages] },
        { id: role, allow: [F.ViewChannel], deny: [F.AddReactions] },
      ];
      const wanted = sorted([
        ...privateOws,
        ow(PLAIN_ID, OverwriteType.Member, [F.ViewChannel], [F.SendMessages]),
        ow(role.id, OverwriteType.Role, [F.ViewChannel], [F.AddReactions]),
      ]);
      const edited = await ch.permissionOverwrites.set(setOws, OW.set);
      checkEq('permissionOverwrites.set([...]): the returned channel', owList(edited), wanted);
      checkEq('permissionOverwrites.set([...]): read back', owList(await refetch(guild, ch)), wanted);
      const renamed = await ch.setName(`djs-private-renamed-${TAG}`, OW.rename);
      checkEq('channel.setName: renamed, overwrites kept', [renamed.name, owList(renamed)], [`djs-private-renamed-${TAG}`, wanted]);

      // --- category sync ---
      const cat = await guild.channels.create({
        name: `djs-cat-${TAG}`,
        type: ChannelType.GuildCategory,
        permissionOverwrites: [{ id: everyone, deny: [F.SendMessages] }, { id: role, allow: [F.SendMessages] }],
        reason: OW.category,
      });
      check('guild.channels.create({type: GuildCategory}): a CategoryChannel', cat instanceof CategoryChannel, `${cat?.constructor?.name}`);
      const catOws = sorted([
        ow(GUILD_ID, OverwriteType.Role, [], [F.SendMessages]),
        ow(role.id, OverwriteType.Role, [F.SendMessages], []),
      ]);
      checkEq('category: permissionOverwrites.cache', owList(cat), catOws);
      const synced = await cat.children.create({ name: `djs-synced-${TAG}`, reason: OW.synced });
      checkEq('category.children.create (no overwrites): parentId', synced.parentId, cat.id);
      checkEq("category.children.create (no overwrites): the category's overwrites", owList(synced), catOws);
      checkEq('category.children.create: permissionsLocked', synced.permissionsLocked, true);

      const loose = await guild.channels.create({
        name: `djs-loose-${TAG}`,
        permissionOverwrites: [{ id: role, deny: [F.AttachFiles] }],
        reason: OW.loose,
      });
      checkEq('a channel without a category: permissionsLocked null', loose.permissionsLocked, null);
      const moved = await loose.setParent(cat, { lockPermissions: true, reason: OW.move });
      checkEq('setParent(category, {lockPermissions: true}): parentId', moved.parentId, cat.id);
      checkEq("setParent(category, {lockPermissions: true}): the category's overwrites", owList(moved), catOws);
      checkEq('setParent(category, {lockPermissions: true}): permissionsLocked', moved.permissionsLocked, true);

      await synced.permissionOverwrites.edit(everyone, { AddReactions: false }, { reason: OW.desync });
      let diverged = await refetch(guild, synced);
      checkEq('a channel changed on its own: permissionsLocked false', diverged.permissionsLocked, false);
      await cat.permissionOverwrites.edit(role, { AttachFiles: true }, { reason: OW['category change'] });
      const catNow = await refetch(guild, cat);
      const roleNow = ow(role.id, OverwriteType.Role, [F.SendMessages, F.AttachFiles], []);
      checkEq("category's permissionOverwrites.edit: read back", owList(catNow).find((o) => o[0] === role.id), roleNow);
      const movedNow = await refetch(guild, moved);
      checkEq("a category's change carries over to the channel in sync", owList(movedNow), owList(catNow));
      checkEq('the channel in sync: permissionsLocked still true', movedNow.permissionsLocked, true);
      diverged = await refetch(guild, synced);
      checkEq("the channel out of sync keeps its own overwrites",
        owList(diverged), sorted([ow(GUILD_ID, OverwriteType.Role, [], [F.SendMessages, F.AddReactions]), ow(role.id, OverwriteType.Role, [F.SendMessages], [])]));
      const relocked = await diverged.lockPermissions();
      checkEq("lockPermissions(): the category's overwrites again", owList(relocked), owList(catNow));
      checkEq('lockPermissions(): permissionsLocked', relocked.permissionsLocked, true);

      // --- deletions, then the audit log (the role is deleted last: entries name it) ---
      await synced.delete(OW['delete synced']);
      await moved.delete(OW['delete loose']);
      await ch.delete(OW['delete private']);
      await cat.delete(OW['delete category']);

      const list = async (type) => [...(await guild.fetchAuditLogs({ type, user: BOT_ID, limit: 100 })).entries.values()];
      const [creates, updates, deletes] = await Promise.all([
        list(AuditLogEvent.ChannelOverwriteCreate),
        list(AuditLogEvent.ChannelOverwriteUpdate),
        list(AuditLogEvent.ChannelOverwriteDelete),
      ]);
      const changed = (e, key) => e.changes.find((c) => c.key === key);
      const one = (entries, label, targetId, reason, extraId) => {
        const found = entries.filter((e) => e.targetId === targetId && e.reason === reason && (extraId === undefined || e.extra?.id === extraId));
        check(`audit: one ${AuditLogEvent[entries[0]?.action] ?? 'matching'} entry for ${label} (target, reason, extra)`, found.length === 1,
          `found ${found.length}; entries: ${show(entries.map((e) => [e.action, e.targetId, e.extra?.id, e.reason]).slice(0, 20))}`);
        return found[0];
      };
      let e = one(creates, 'permissionOverwrites.create(role)', ch.id, OW['role create'], role.id);
      if (e) {
        checkEq('audit ChannelOverwriteCreate: actionType Create, targetType Channel', [e.actionType, e.targetType], ['Create', 'Channel']);
        check('audit ChannelOverwriteCreate: extra is the Role', e.extra instanceof Role && e.extra.id === role.id, show(e.extra));
        checkEq('audit ChannelOverwriteCreate: allow/deny new', [changed(e, 'allow')?.new, changed(e, 'deny')?.new],
          [bits([F.ViewChannel]), bits([F.SendMessages])]);
        checkEq('audit ChannelOverwriteCreate: id and type new', [changed(e, 'id')?.new, changed(e, 'type')?.new], [role.id, 0]);
      }
      e = one(updates, 'permissionOverwrites.edit(role)', ch.id, OW['role update'], role.id);
      if (e) {
        checkEq('audit ChannelOverwriteUpdate: actionType Update', e.actionType, 'Update');
        checkEq('audit ChannelOverwriteUpdate: allow old/new', [changed(e, 'allow')?.old, changed(e, 'allow')?.new],
          [bits([F.ViewChannel]), bits([F.ViewChannel, F.SendMessages])]);
        checkEq('audit ChannelOverwriteUpdate: deny old/new', [changed(e, 'deny')?.old, changed(e, 'deny')?.new],
          [bits([F.SendMessages]), bits([F.EmbedLinks])]);
      }
      e = one(deletes, 'permissionOverwrites.delete(role)', ch.id, OW['role delete'], role.id);
      if (e) {
        checkEq('audit ChannelOverwriteDelete: actionType Delete', e.actionType, 'Delete');
        checkEq('audit ChannelOverwriteDelete: allow/deny old', [changed(e, 'allow')?.old, changed(e, 'deny')?.old],
          [bits([F.ViewChannel, F.SendMessages]), bits([F.EmbedLinks])]);
      }
      e = one(creates, 'permissionOverwrites.create(plain member)', ch.id, OW['allow plain'], PLAIN_ID);
      if (e) {
        check('audit ChannelOverwriteCreate (member): extra is the plain bot (a cached GuildMember)',
          e.extra instanceof GuildMember && e.extra.id === PLAIN_ID, show(e.extra));
        checkEq('audit ChannelOverwriteCreate (member): type new 1', changed(e, 'type')?.new, 1);
      }
      one(updates, "permissionOverwrites.set changing the plain bot's", ch.id, OW.set, PLAIN_ID);
      one(creates, "permissionOverwrites.set adding the role's", ch.id, OW.set, role.id);
      check('audit: permissionOverwrites.set left the unchanged overwrites alone (no entry for @everyone or the owner)',
        ![...creates, ...updates, ...deletes].some((x) => x.reason === OW.set && [GUILD_ID, USER_ID].includes(x.extra?.id)));
      one(updates, "the category's permissionOverwrites.edit", cat.id, OW['category change'], role.id);

      const chCreates = await list(AuditLogEvent.ChannelCreate);
      e = one(chCreates, 'the private channel', ch.id, OW.create);
      if (e) {
        checkEq('audit ChannelCreate: name, type', [changed(e, 'name')?.new, changed(e, 'type')?.new], [`djs-private-${TAG}`, 0]);
      }
      e = one(chCreates, 'the category', cat.id, OW.category);
      if (e) checkEq('audit ChannelCreate (category): type 4', changed(e, 'type')?.new, 4);
      e = one(await list(AuditLogEvent.ChannelUpdate), 'channel.setName', ch.id, OW.rename);
      if (e) {
        checkEq('audit ChannelUpdate: name old/new', [changed(e, 'name')?.old, changed(e, 'name')?.new],
          [`djs-private-${TAG}`, `djs-private-renamed-${TAG}`]);
      }
      e = one(await list(AuditLogEvent.ChannelDelete), 'channel.delete', ch.id, OW['delete private']);
      if (e) {
        checkEq('audit ChannelDelete: actionType Delete, name old', [e.actionType, changed(e, 'name')?.old],
          ['Delete', `djs-private-renamed-${TAG}`]);
        checkEq('audit ChannelDelete: target {id} (the channel is gone)', e.target?.id, ch.id);
      }
      await guild.roles.delete(role, OW['delete role']);
    } finally {
      await client.destroy();
      await plainClient.destroy();
    }
  });

  // Kick, ban and bulk delete through a Client's managers (REST only), on throwaway people
  // (registered over plain HTTP, joining by an invite): guild.members.kick and member.kick with a
  // reason, a kicked person joining again; guild.members.ban({deleteMessageSeconds, reason}) of a
  // member (sent in the JSON body: their messages of the last seconds gone in every channel, older
  // ones kept), guild.bans.create of non-members, guild.bans.fetch(user) / ({limit, after,
  // before}), guild.bans.remove(user, reason), 404 10007 and 10026, a banned person refused by the
  // invite (403 40007) and let in again once unbanned; a moderator's message.delete() of someone
  // else's message, channel.bulkDelete([ids]) (others' messages included), an id older than 14
  // days refused (400 50034, nothing deleted), channel.bulkDelete(n); the plain bot refused kick,
  // ban, the bans, unban and deleting others' messages (403 50013); the audit entries MemberKick,
  // MemberBanAdd, MemberBanRemove, MessageDelete (extra channel and count; of the owner's
  // deletion, as Discord logs none of a bot's single deletion) and MessageBulkDelete (extra count).
  await step('moderation', async () => {
    const options = { intents: [], rest: { api: `${BASE}/api`, timeout: 15_000, retries: 1 } };
    const client = new Client(options);
    client.rest.setToken(BOT_TOKEN);
    const plainClient = new Client(options);
    plainClient.rest.setToken(PLAIN_TOKEN);
    const historyIds = async (channel) => [...(await channel.messages.fetch({ limit: 50, cache: false })).keys()];
    const refetch = (channel, id) => channel.messages.fetch({ message: id, force: true });
    try {
      client.user = new ClientUser(client, await client.rest.get(Routes.user()));
      client.users.cache.set(client.user.id, client.user);
      const guild = await client.guilds.fetch({ guild: GUILD_ID, force: true });
      const general = await client.channels.fetch(GENERAL_ID);
      const mod = await guild.channels.create({ name: `djs-mod-${TAG}`, reason: MOD.channel });
      const invite = await guild.invites.create(general, { maxAge: 600, unique: true, reason: MOD.invite });
      const ids = {};
      const tokens = {};
      for (const key of ['kickee', 'bannee', 'poster', 'outsider', 'outsider2']) {
        tokens[key] = (await restAs('POST', '/auth/register', { username: `djs_${key}_${TAG}`, password: PASSWORD })).token;
        ids[key] = (await restAs('GET', '/users/@me', null, tokens[key])).id;
      }
      // POST /invites/{code} as a throwaway person: [status, error code or null].
      const join = async (key) => {
        const { status, data } = await http('POST', `/invites/${invite.code}`, null, tokens[key]);
        return [status, status >= 300 ? data?.code : null];
      };
      // A message posted by a throwaway person; its id.
      const post = async (key, channelId, content) =>
        (await restAs('POST', `/channels/${channelId}/messages`, { content }, tokens[key])).id;

      for (const key of ['kickee', 'bannee', 'poster']) {
        checkEq(`a throwaway person (${key}) joins by invite (POST /invites/{code})`, await join(key), [200, null]);
      }
      let kickee = await guild.members.fetch({ user: ids.kickee, force: true });
      checkEq('guild.members.fetch(the person who joined): id', kickee.id, ids.kickee);
      const posted = await post('poster', GENERAL_ID, `the poster's message ${TAG}`);
      const posted2 = await post('poster', GENERAL_ID, `the poster's second message ${TAG}`);

      // --- the plain bot (no permissions) may not moderate ---
      const plainGuild = await plainClient.guilds.fetch({ guild: GUILD_ID, force: true });
      await expectApiError('plain bot: guild.members.kick -> 403 50013 (no KickMembers)',
        plainGuild.members.kick(ids.kickee, 'must be refused'), 403, 50013);
      await expectApiError('plain bot: guild.members.ban -> 403 50013 (no BanMembers)',
        plainGuild.members.ban(ids.kickee, { deleteMessageSeconds: 0, reason: 'must be refused' }), 403, 50013);
      await expectApiError('plain bot: guild.bans.fetch(user) -> 403 50013',
        plainGuild.bans.fetch({ user: ids.kickee, force: true }), 403, 50013);
      await expectApiError('plain bot: guild.bans.fetch({limit}) -> 403 50013', plainGuild.bans.fetch({ limit: 10 }), 403, 50013);
      await expectApiError('plain bot: guild.bans.remove -> 403 50013', plainGuild.bans.remove(ids.kickee, 'must be refused'), 403, 50013);
      const pgeneral = await plainClient.channels.fetch(GENERAL_ID);
      const othersMessage = await pgeneral.messages.fetch(posted);
      await expectApiError("plain bot: message.delete() of someone else's message -> 403 50013", othersMessage.delete(), 403, 50013);
      await expectApiError('plain bot: channel.bulkDelete -> 403 50013 (no ManageMessages)',
        pgeneral.bulkDelete([posted, posted2]), 403, 50013);
      checkEq('the refused kick left the member in the guild', (await guild.members.fetch({ user: ids.kickee, force: true })).id, ids.kickee);
      checkEq('the refused deletes left the messages', [(await refetch(general, posted)).id, (await refetch(general, posted2)).id],
        [posted, posted2]);

      // --- a moderator deletes someone else's message ---
      const theirs = await refetch(general, posted);
      checkEq("the person's message: author", theirs.author.id, ids.poster);
      const same = await theirs.delete();
      check("message.delete() of someone else's message (ManageMessages): resolves the message", same === theirs);
      await expectApiError('the deleted message: messages.fetch -> 404 10008', refetch(general, posted), 404, 10008);
      // Discord writes no audit entry when a bot deletes a single message (its staff, in
      // discord/discord-api-docs#7856): the entry checked below is of the owner (a person) deleting
      // the poster's other message, over plain HTTP.
      await restAs('DELETE', `/channels/${GENERAL_ID}/messages/${posted2}`, null, USER_TOKEN);
      await expectApiError('the message the owner deleted: messages.fetch -> 404 10008', refetch(general, posted2), 404, 10008);

      // --- kick ---
      const kicked = await guild.members.kick(ids.kickee, MOD.kick);
      checkEq('guild.members.kick(id, reason): resolves the (cached) member', kicked?.id, ids.kickee);
      await expectApiError('guild.members.kick: guild.members.fetch then -> 404 10007',
        guild.members.fetch({ user: ids.kickee, force: true }), 404, 10007);
      await expectApiError('guild.members.kick(someone not a member) -> 404 10007',
        guild.members.kick(ids.kickee, 'not a member'), 404, 10007);
      checkEq('a kicked person may join again by invite', await join('kickee'), [200, null]);
      kickee = await guild.members.fetch({ user: ids.kickee, force: true });
      const kickedAgain = await kickee.kick(MOD['kick again']);
      checkEq('member.kick(reason): resolves the member', kickedAgain?.id, ids.kickee);
      await expectApiError('member.kick: guild.members.fetch then -> 404 10007',
        guild.members.fetch({ user: ids.kickee, force: true }), 404, 10007);

      // --- ban a member, deleting their messages of the last 2 seconds ---
      const older = await post('bannee', GENERAL_ID, `the bannee, before the window ${TAG}`);
      await sleep(3000);
      const recent = await post('bannee', GENERAL_ID, `the bannee, in the window ${TAG}`);
      const recentMod = await post('bannee', mod.id, `the bannee, in the window, another channel ${TAG}`);
      const bannee = await guild.members.fetch({ user: ids.bannee, force: true });
      // discord.js sends delete_message_seconds in the JSON body.
      const banned = await guild.members.ban(bannee, { deleteMessageSeconds: 2, reason: MOD.ban });
      check('guild.members.ban(member, {deleteMessageSeconds, reason}): resolves the member', banned === bannee);
      await expectApiError('guild.members.ban: the member is gone (guild.members.fetch -> 404 10007)',
        guild.members.fetch({ user: ids.bannee, force: true }), 404, 10007);
      await expectApiError('ban {deleteMessageSeconds: 2}: their message of the last seconds in general is gone (10008)',
        refetch(general, recent), 404, 10008);
      await expectApiError('ban {deleteMessageSeconds: 2}: and the one in another channel (10008)', refetch(mod, recentMod), 404, 10008);
      checkEq('ban {deleteMessageSeconds: 2}: their message of 3 s before is kept', (await refetch(general, older)).id, older);
      const ban = await guild.bans.fetch(ids.bannee);
      check('guild.bans.fetch(user): a GuildBan with the User', ban instanceof GuildBan && ban.user?.id === ids.bannee
        && ban.user?.username === `djs_bannee_${TAG}`, show([ban?.constructor?.name, ban?.user?.id, ban?.user?.username]));
      checkEq('guild.bans.fetch(user): reason', ban.reason, MOD.ban);
      check('guild.bans.fetch(user): in guild.bans.cache', guild.bans.cache.get(ids.bannee) === ban);
      checkEq('a banned person cannot join by invite: POST /invites/{code} -> 403 40007', await join('bannee'), [403, 40007]);
      await expectApiError('guild.bans.fetch(someone not banned) -> 404 10026',
        guild.bans.fetch({ user: ids.kickee, force: true }), 404, 10026);

      // --- bans of non-members; the ban list and its paging ---
      await guild.bans.create(ids.outsider, { reason: MOD['ban outsider'] }); // body {} (no deleteMessageSeconds)
      await guild.members.ban(ids.outsider2, { deleteMessageSeconds: 0, reason: MOD['ban outsider 2'] });
      const ours = { [ids.bannee]: MOD.ban, [ids.outsider]: MOD['ban outsider'], [ids.outsider2]: MOD['ban outsider 2'] };
      const all = await guild.bans.fetch({ limit: 1000 });
      const every = [...all.keys()];
      check('guild.bans.fetch({limit: 1000}): our three bans among them, by ascending user id',
        Object.keys(ours).every((id) => all.has(id)) && show(every) === show([...every].sort(bySnowflake)), show(every));
      checkEq('guild.bans.fetch({limit: 1000}): reasons',
        Object.fromEntries(Object.keys(ours).sort(bySnowflake).map((id) => [id, all.get(id)?.reason])), ours);
      checkEq('guild.bans.fetch({limit: 2}): the first two', [...(await guild.bans.fetch({ limit: 2 })).keys()], every.slice(0, 2));
      checkEq('guild.bans.fetch({after: the first}): the others', [...(await guild.bans.fetch({ after: every[0] })).keys()],
        every.slice(1));
      checkEq('guild.bans.fetch({before: the last}): the others, ascending',
        [...(await guild.bans.fetch({ before: every.at(-1) })).keys()], every.slice(0, -1));
      checkEq('guild.bans.fetch({before: the last, limit: 1}): the one just below it',
        [...(await guild.bans.fetch({ before: every.at(-1), limit: 1 })).keys()], every.slice(-2, -1));

      // --- unban ---
      const removed = await guild.bans.remove(ids.bannee, MOD.unban);
      checkEq('guild.bans.remove(user, reason): resolves the (cached) User', removed?.id, ids.bannee);
      await expectApiError('guild.bans.remove: guild.bans.fetch then -> 404 10026',
        guild.bans.fetch({ user: ids.bannee, force: true }), 404, 10026);
      await expectApiError('guild.bans.remove(someone not banned) -> 404 10026', guild.bans.remove(ids.bannee, 'not banned'), 404, 10026);
      checkEq('an unbanned person may join again by invite', await join('bannee'), [200, null]);
      await guild.bans.remove(ids.outsider, MOD['unban outsider']);
      await guild.bans.remove(ids.outsider2, MOD['unban outsider 2']);
      const left = await guild.bans.fetch({ limit: 1000 });
      check('guild.bans.fetch(): none of ours left', !Object.keys(ours).some((id) => left.has(id)), show([...left.keys()]));

      // --- bulk delete (discord.js sends no reason with it) ---
      const p1 = await post('poster', mod.id, `bulk 1 ${TAG}`);
      const p2 = await post('poster', mod.id, `bulk 2 ${TAG}`);
      const b1 = await mod.send(`bulk 3 ${TAG}`);
      const gone = await mod.bulkDelete([p1, p2, b1.id]);
      checkEq('channel.bulkDelete([3 ids]): a Collection of the three ids', [...gone.keys()].sort(bySnowflake),
        [p1, p2, b1.id].sort(bySnowflake));
      let history = await historyIds(mod);
      check('channel.bulkDelete([3 ids]): the three are gone (another\'s included)', ![p1, p2, b1.id].some((id) => history.includes(id)),
        show(history));
      const kept = await mod.send(`kept ${TAG}`);
      const tooOld = String(SnowflakeUtil.generate({ timestamp: Date.now() - 15 * 24 * 3600 * 1000 }));
      await expectApiError('channel.bulkDelete with an id older than 14 days -> 400 50034', mod.bulkDelete([tooOld, kept.id]), 400, 50034);
      checkEq('the refused bulk delete deleted nothing', (await refetch(mod, kept.id)).id, kept.id);
      const m1 = await mod.send(`n 1 ${TAG}`);
      const m2 = await post('poster', mod.id, `n 2 ${TAG}`);
      const m3 = await mod.send(`n 3 ${TAG}`);
      const m4 = await mod.send(`n 4 ${TAG}`);
      const newest = await mod.bulkDelete(3);
      checkEq('channel.bulkDelete(3): the three newest, newest first', [...newest.keys()], [m4.id, m3.id, m2]);
      history = await historyIds(mod);
      checkEq('channel.bulkDelete(3): the older messages are left', history, [m1.id, kept.id]);

      // --- the audit log ---
      const list = async (type) => [...(await guild.fetchAuditLogs({ type, user: BOT_ID, limit: 100 })).entries.values()];
      const one = (entries, label, targetId, reason) => {
        const found = entries.filter((e) => e.targetId === targetId && e.reason === reason);
        check(`audit: one ${AuditLogEvent[entries[0]?.action] ?? 'matching'} entry for ${label} (target, reason)`, found.length === 1,
          `found ${found.length}; entries: ${show(entries.map((e) => [e.action, e.targetId, e.reason]).slice(0, 20))}`);
        return found[0];
      };
      const kicks = await list(AuditLogEvent.MemberKick);
      let e = one(kicks, 'guild.members.kick', ids.kickee, MOD.kick);
      if (e) {
        checkEq('audit MemberKick: actionType Delete, targetType User', [e.actionType, e.targetType], ['Delete', 'User']);
        check('audit MemberKick: target is the person (a User)', e.target instanceof User && e.target.username === `djs_kickee_${TAG}`,
          show(e.target));
        checkEq('audit MemberKick: executor is the bot', e.executorId, BOT_ID);
      }
      one(kicks, 'member.kick', ids.kickee, MOD['kick again']);
      check('audit MemberKick: the refused and the failed kicks left no entry',
        !kicks.some((x) => ['must be refused', 'not a member'].includes(x.reason)));
      const bans = await list(AuditLogEvent.MemberBanAdd);
      e = one(bans, 'guild.members.ban of a member', ids.bannee, MOD.ban);
      if (e) {
        checkEq('audit MemberBanAdd: actionType Delete', e.actionType, 'Delete');
        check('audit MemberBanAdd: target is the person (a User)', e.target instanceof User && e.target.id === ids.bannee, show(e.target));
      }
      one(bans, 'guild.bans.create of a non-member', ids.outsider, MOD['ban outsider']);
      one(bans, 'guild.members.ban of a non-member', ids.outsider2, MOD['ban outsider 2']);
      const unbans = await list(AuditLogEvent.MemberBanRemove);
      e = one(unbans, 'guild.bans.remove', ids.bannee, MOD.unban);
      if (e) checkEq('audit MemberBanRemove: actionType Create', e.actionType, 'Create');
      one(unbans, 'guild.bans.remove of a non-member', ids.outsider, MOD['unban outsider']);
      one(unbans, 'guild.bans.remove of another non-member', ids.outsider2, MOD['unban outsider 2']);
      const deletes = [...(await guild.fetchAuditLogs({ type: AuditLogEvent.MessageDelete, user: USER_ID, limit: 100 })).entries.values()]
        .filter((x) => x.targetId === ids.poster);
      if (checkEq("audit MessageDelete (fetchAuditLogs({type, user: the owner})): one entry for the owner's deletion of the poster's message (target the author)",
        deletes.length, 1)) {
        const [d] = deletes;
        checkEq('audit MessageDelete: extra.channel is general (cached), extra.count 1', [d.extra?.channel === general, d.extra?.count],
          [true, 1]);
        checkEq('audit MessageDelete: executor the owner, no reason', [d.executorId, d.reason], [USER_ID, null]);
      }
      const bulks = (await list(AuditLogEvent.MessageBulkDelete)).filter((x) => x.targetId === mod.id);
      checkEq('audit MessageBulkDelete: two entries for the channel (the refused one made none), extra.count 3 each, no reason',
        bulks.map((x) => [x.extra?.count, x.reason]), [[3, null], [3, null]]);
      if (bulks.length > 0) check('audit MessageBulkDelete: target is the cached channel', bulks[0].target === mod, show(bulks[0].target));

      // --- leave things as they were: the people leave, the channel and the invite go ---
      for (const key of ['bannee', 'poster']) await restAs('DELETE', `/users/@me/guilds/${GUILD_ID}`, null, tokens[key]);
      await mod.delete(MOD['delete channel']);
      await invite.delete();
      const after = await client.guilds.fetch({ guild: GUILD_ID, withCounts: true, force: true });
      checkEq('after the moderation checks: approximateMemberCount is back to the seeded members', after.approximateMemberCount,
        MEMBER_COUNT);
    } finally {
      await client.destroy();
      await plainClient.destroy();
    }
  });

  // A DM between the bot and the seeded person: over the REST client, then through a Client's
  // managers (REST only); the person acts over plain HTTP.
  await step('reactions', () => reactions({ base: BASE, token: BOT_TOKEN, guildId: GUILD_ID, generalId: GENERAL_ID, check, checkEq }));
  await step('threads', async () => (await import('./threads.mjs')).threads({ BASE, BOT_TOKEN, GUILD_ID, GENERAL_ID, USER_ID, check, checkEq }));

  await step('direct messages', async () => {
    const opened = await rest.post(Routes.userChannels(), { body: { recipient_id: USER_ID } });
    checkEq('POST /users/@me/channels {recipient_id}: type 1 (DM)', opened.type, ChannelType.DM);
    checkEq('POST /users/@me/channels: recipients is the person alone', (opened.recipients ?? []).map((r) => r.id), [USER_ID]);
    check('POST /users/@me/channels: no guild_id', !('guild_id' in opened) || opened.guild_id === null, show(opened));
    const again = await rest.post(Routes.userChannels(), { body: { recipient_id: USER_ID } });
    checkEq('POST /users/@me/channels again: the same DM', again.id, opened.id);
    const theirs = await restAs('POST', '/users/@me/channels', { recipient_id: BOT_ID }, USER_TOKEN);
    checkEq("the person's POST /users/@me/channels {recipient_id: the bot}: the same DM, the bot as recipient",
      [theirs.id, (theirs.recipients ?? []).map((r) => r.id)], [opened.id, [BOT_ID]]);
    const listed = await rest.get(Routes.userChannels());
    check("the bot's GET /users/@me/channels lists the DM", listed.some((c) => c.id === opened.id && c.type === 1),
      show(listed).slice(0, 300));

    const client = new Client({ intents: [], rest: { api: `${BASE}/api`, timeout: 15_000, retries: 1 } });
    client.rest.setToken(BOT_TOKEN);
    try {
      // DMs need client.user (UserManager.dmChannel compares recipients with it).
      client.user = new ClientUser(client, await client.rest.get(Routes.user()));
      client.users.cache.set(client.user.id, client.user);
      const person = await client.users.fetch(USER_ID);
      const dm = await person.createDM();
      check('user.createDM(): a DMChannel', dm instanceof DMChannel, `${dm?.constructor?.name}`);
      checkEq('user.createDM(): the same DM, type DM, isDMBased()', [dm.id, dm.type, dm.isDMBased()],
        [opened.id, ChannelType.DM, true]);
      checkEq('user.createDM(): recipientId is the person', dm.recipientId, USER_ID);
      check('user.createDM(): not partial', dm.partial === false, show(dm.partial));
      const fetched = await client.channels.fetch(dm.id, { force: true });
      check('client.channels.fetch(the DM): the cached DMChannel, recipient the person',
        fetched === dm && fetched.recipient?.id === USER_ID, `${fetched?.constructor?.name} ${fetched?.recipientId}`);

      const text = `hello in a DM from djs (${TAG})`;
      const sent = await person.send(text);
      checkEq('user.send: content, author the bot', [sent.content, sent.author?.id], [text, BOT_ID]);
      check('user.send: in the DM (message.channel), no guild', sent.channel === dm && sent.guildId === null
        && !sent.inGuild(), `${sent.channelId} ${sent.guildId}`);
      const replyText = `a reply in the DM from the person (${TAG})`;
      const reply = await restAs('POST', `/channels/${dm.id}/messages`, { content: replyText }, USER_TOKEN);

      const history = await dm.messages.fetch({ limit: 10 });
      checkEq("dm.messages.fetch({limit: 10}): the person's reply, then the bot's message (newest first)",
        [...history.keys()].slice(0, 2), [reply.id, sent.id]);
      const got = await dm.messages.fetch({ message: reply.id, force: true });
      checkEq('dm.messages.fetch(the reply): content, author the person, no guild', [got.content, got.author?.id, got.guildId],
        [replyText, USER_ID, null]);
      await expectApiError("editing the person's message in the DM -> 403 50005", dm.messages.edit(reply.id, 'not mine'), 403,
        50005);
      await expectApiError("deleting the person's message in the DM -> 403 50003 (a DM has no moderators)",
        dm.messages.delete(reply.id), 403, 50003);

      const edited = await sent.edit(`${text} (edited)`);
      checkEq('DM message.edit: content', edited.content, `${text} (edited)`);
      check('DM message.edit: editedTimestamp set', typeof edited.editedTimestamp === 'number', show(edited.editedTimestamp));
      const refetched = await dm.messages.fetch({ message: sent.id, force: true });
      checkEq('dm.messages.fetch after the edit: content', refetched.content, `${text} (edited)`);
      await sent.delete();
      await expectApiError('dm.messages.fetch(deleted) -> 404 10008', dm.messages.fetch({ message: sent.id, force: true }),
        404, 10008);
      const left = await dm.messages.fetch({ limit: 10, cache: false });
      checkEq('dm.messages.fetch after the deletion: the reply only is left of the two',
        [...left.keys()].filter((id) => id === reply.id || id === sent.id), [reply.id]);
      await dm.sendTyping();
      check('dm.sendTyping(): resolved', true);

      await expectApiError('a DM to another bot (POST /users/@me/channels {recipient_id: the plain bot}) -> 403 50007',
        rest.post(Routes.userChannels(), { body: { recipient_id: PLAIN_ID } }), 403, 50007);
    } finally {
      await client.destroy();
    }
  });

  await step('forwards and system messages', () =>
    forwards({ BASE, BOT_TOKEN, USER_ID, GUILD_ID, GENERAL_ID, TAG, PASSWORD, rest, check, checkEq, restAs }));
  await step('mentions', () => mentions({ base: BASE, token: BOT_TOKEN, guildId: GUILD_ID, generalId: GENERAL_ID, userId: USER_ID, tag: TAG, check, checkEq }));
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
