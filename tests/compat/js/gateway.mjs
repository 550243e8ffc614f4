// Gateway conformance checks of hearth with a real discord.js 14 Client.
//
// The client logs in (GET /gateway/bot, then the WebSocket it names), then reacts to what a person
// (the seeded user, acting over plain REST with fetch) does: it must see the person's message,
// reply, edit and delete its reply and see the matching events, and see a channel the person creates.
// Then the person creates, edits and deletes a role, gives it to the plain bot (a member without
// permissions) and changes that member (roles, nick, a timeout and its lifting): the client must
// emit roleCreate/roleUpdate/roleDelete and guildMemberUpdate with the new state, its caches
// (guild.roles.cache, member.roles.cache, nickname, communicationDisabledUntil) must follow, and
// guild.fetchAuditLogs filtered by the person must show the person's role creation. Then permission
// overwrites: the person creates a channel private to the person (@everyone denied ViewChannel);
// the client, an administrator, emits channelCreate with the overwrites and
// guildAuditLogEntryCreate (intent GuildModeration) for it. The plain bot connects as a second
// Client: the channel is not in its GUILD_CREATE (guild.channels.cache) and no event of it reaches
// it (a message posted there does not; checked once a later message in general arrived). A member
// overwrite for the plain bot brings it channelCreate and the messages posted there; the client
// emits channelUpdate (old/new permissionOverwrites) and guildAuditLogEntryCreate
// ChannelOverwriteCreate (extra the cached GuildMember); a changed @everyone overwrite gives both
// channelUpdate and ChannelOverwriteUpdate (extra guild.roles.everyone); removing the member
// overwrite gives the plain bot channelDelete and nothing of the channel afterwards (its messages,
// its deletion), the client ChannelOverwriteDelete and ChannelDelete; the plain bot (no
// ViewAuditLog) receives no audit entries. Then moderation: the person adds a throwaway bot
// (guildMemberAdd), which connects as a third Client, and bulk-deletes its messages
// (messageDeleteBulk with the cached messages, gone from channel.messages.cache; the plain bot gets
// the MESSAGE_DELETE_BULK too); kicks it (guildMemberRemove, gone from guild.members.cache; the
// throwaway bot gets guildDelete), adds it again (guildCreate for the throwaway bot), bans it with
// delete_message_seconds in the JSON body (guildMemberRemove, guildBanAdd and guild.bans.cache,
// messageDeleteBulk of its last message, guildDelete; adding it again answers 403 40007) and lifts
// the ban (guildBanRemove); each with its guildAuditLogEntryCreate (MessageBulkDelete, MemberKick,
// MemberBanAdd, MemberBanRemove). The plain bot (intent GuildModeration but no BanMembers)
// receives no GUILD_BAN_ADD/REMOVE, and the banned bot nothing more of the guild.
//
// Direct messages: before the client logs in, the person opens a DM with the bot over REST; READY's
// private_channels carries it, which discord.js does not cache, so the person's first message there
// takes the partial path (Partials.Channel and the payload's channel_type: messageCreate with a
// DMChannel, isDMBased(), type DM, no guild); DMChannel.fetch() and user.createDM() give that
// same channel. In it the person types (typingStart, intent DirectMessageTyping), the bot sends
// (user.send; messageCreate for its own message), the person replies (messageCreate on the cached
// DMChannel; on the wire MESSAGE_CREATE with channel_type 1 and no guild_id or member), the bot
// reads the history, edits and deletes its message (messageUpdate, messageDelete), and the person
// edits and deletes the reply (the same events). Then a DM bot (made by the person, in no guild,
// intents DirectMessages and DirectMessageTyping only: no MessageContent, no partials) logs in as
// another Client, opens a new DM with the person (user.createDM(): CHANNEL_CREATE of the DM
// reaches it, the person lists the DM), sends there, and receives the person's typing and reply on
// the cached DMChannel, the reply with its content (Discord sends DM content without the intent).
//
// Environment (from seed.py): COMPAT_BASE, COMPAT_BOT_TOKEN, COMPAT_APP_ID, COMPAT_USER_ID,
// COMPAT_USER_TOKEN, COMPAT_GUILD_ID, COMPAT_GENERAL_ID, COMPAT_PLAIN_ID, COMPAT_PLAIN_TOKEN. Optional (run.sh's cluster mode):
// COMPAT_EXPECT_GATEWAY_URL, the ws:// URL of the node the gateway session must be on: READY's
// resume_gateway_url must be it.
//
// Failover phase (run.sh's cluster mode sets COMPAT_FAILOVER_DIR and COMPAT_FAILOVER_RESUME_URL):
// once every check above passed, the bot creates `ready` in COMPAT_FAILOVER_DIR; the runner then
// SIGKILLs the node holding the session and writes the kill's Unix time to `killed` there. Left to
// discord.js's own reconnection logic, the shard must resume its old session, get INVALID_SESSION
// (d: false) from the surviving node, identify again and receive READY (with resume_gateway_url
// COMPAT_FAILOVER_RESUME_URL, the surviving node's) within FAILOVER_LIMIT_MS of the kill; then
// shardReady fires and the person's next message reaches messageCreate. The seconds from the kill
// to that READY are printed and written to `report` there.
//
// Prints one PASS/FAIL line per check; exits 0 only if every check passed. Every wait is bounded.
// discord.js turns a TypeError in a packet handler (a malformed dispatch) into an unhandled
// rejection: that is reported as a FAIL with the error and the last payloads received.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AuditLogEvent,
  ChannelType,
  Client,
  Events,
  GatewayIntentBits,
  GuildMember,
  MessageType,
  OverwriteType,
  Partials,
  PermissionFlagsBits,
  PermissionsBitField,
  Status,
  TextChannel,
  version,
} from 'discord.js';

const FAILOVER_DIR = process.env.COMPAT_FAILOVER_DIR; // cluster mode: run the failover phase
const FAILOVER_RESUME_URL = process.env.COMPAT_FAILOVER_RESUME_URL; // the surviving node's
const FAILOVER_LIMIT_MS = 30_000; // from the kill to the new READY
const KILL_TIMEOUT_MS = 20_000; // for the runner to kill the node once asked
const OVERALL_TIMEOUT_MS = FAILOVER_DIR ? 180_000 : 90_000;
const READY_TIMEOUT_MS = 30_000; // ClientReady waits up to 15 s for missing GUILD_CREATEs
const EVENT_TIMEOUT_MS = 15_000;
const HTTP_TIMEOUT_MS = 10_000;
const PREFIX = 'djs-gw';

const need = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${PREFIX}: missing environment variable ${name}`);
    process.exit(2);
  }
  return value;
};
const BASE = need('COMPAT_BASE').replace(/\/+$/, '');
const BOT_TOKEN = need('COMPAT_BOT_TOKEN');
const BOT_ID = need('COMPAT_APP_ID'); // a bot's user id is its application id
const USER_ID = need('COMPAT_USER_ID');
const USER_TOKEN = need('COMPAT_USER_TOKEN');
const GUILD_ID = need('COMPAT_GUILD_ID');
const GENERAL_ID = need('COMPAT_GENERAL_ID');
const PLAIN_ID = need('COMPAT_PLAIN_ID'); // the bot without permissions, a member the person changes
const PLAIN_TOKEN = need('COMPAT_PLAIN_TOKEN'); // its token: the second gateway client
const RUN_TAG = String(Date.now()).slice(-6);
const EXPECT_GATEWAY = process.env.COMPAT_EXPECT_GATEWAY_URL; // cluster mode: node B's gateway

const failures = [];
let passes = 0;
const rawLog = []; // last gateway payloads received, for failure reports
const readyPayloads = []; // the `d` of every READY received
const readyTimes = []; // when each of them arrived (ms since 1970)
const debugLog = []; // [ms since 1970, message] of the debug events during the failover
let recordDebug = false;
const startedAt = Date.now();

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
// Snowflake strings compared numerically.
const bySnowflake = (a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
const recentPayloads = (n = 6) =>
  rawLog.slice(-n).map((p) => `    ${show(p).slice(0, 600)}`).join('\n') || '    (none)';

function finish(code) {
  const total = passes + failures.length;
  console.log(`${PREFIX}: finished in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  if (failures.length > 0) {
    console.log(`${PREFIX}: ${failures.length} of ${total} checks FAILED: ${failures.join(', ')}`);
    process.exit(code || 1);
  }
  console.log(`${PREFIX}: all ${total} checks passed`);
  process.exit(code);
}

// A crash inside discord.js (e.g. a dispatch missing a key it indexes) must show as a FAIL.
process.on('unhandledRejection', (err) => {
  check('no unhandled promise rejection', false, `${err?.stack ?? err}\n  last payloads received:\n${recentPayloads()}`);
  finish(1);
});
process.on('uncaughtException', (err) => {
  check('no uncaught exception', false, `${err?.stack ?? err}\n  last payloads received:\n${recentPayloads()}`);
  finish(1);
});

// One request to /api/v10 as the person (with an X-Audit-Log-Reason when `reason` is given).
async function userRest(method, path, body, reason) {
  const res = await fetch(`${BASE}/api/v10${path}`, {
    method,
    headers: {
      Authorization: USER_TOKEN,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
      ...(reason ? { 'X-Audit-Log-Reason': encodeURIComponent(reason) } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} as the person -> ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

// Resolves with the listener's arguments when `event` fires with arguments matching `predicate`,
// or with null after `ms` (recording a FAIL). Register before doing the action that causes it.
function expectEvent(client, event, predicate, name, ms = EVENT_TIMEOUT_MS) {
  return new Promise((resolve) => {
    const listener = (...args) => {
      let matched = false;
      try {
        matched = predicate(...args);
      } catch {
        matched = false;
      }
      if (!matched) return;
      clearTimeout(timer);
      client.off(event, listener);
      check(name, true);
      resolve(args);
    };
    const timer = setTimeout(() => {
      client.off(event, listener);
      check(name, false, `no ${event} within ${ms / 1000}s; last payloads received:\n${recentPayloads()}`);
      resolve(null);
    }, ms);
    client.on(event, listener);
  });
}

// Like userRest, but resolves {status, data} whatever the status.
async function userStatus(method, path, body) {
  const res = await fetch(`${BASE}/api/v10${path}`, {
    method,
    headers: { Authorization: USER_TOKEN, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await res.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { raw: text.slice(0, 300) };
  }
  return { status: res.status, data };
}

// Another bot connected to the gateway beside the one under test (the plain bot, a throwaway
// bot): its Client, every dispatch it received ([t, d]), and a marker.
function otherBot(token, label, intents) {
  const client = new Client({ intents, rest: { api: `${BASE}/api`, cdn: BASE, timeout: 15_000, retries: 1 } });
  const dispatches = [];
  client.on(Events.Raw, (packet) => {
    if (packet?.op === 0) dispatches.push([packet.t, packet.d ?? {}]);
  });
  client.on(Events.Error, (err) => check(`${label}: no client error event`, false, `${err?.stack ?? err}`));
  let started = false;
  return {
    client,
    dispatches,
    get started() {
      return started;
    },
    // Logs in; true once ClientReady fired (a check).
    async start(role) {
      started = true;
      const ready = expectEvent(client, Events.ClientReady, () => true, `${label} (${role}): ClientReady`, READY_TIMEOUT_MS);
      await client.login(token);
      return (await ready) !== null;
    },
    // The person posts in general; once this bot has that message, whatever was published before
    // it has been delivered.
    async marker(name) {
      const content = `marker ${name} (${RUN_TAG})`;
      const got = expectEvent(client, Events.MessageCreate, (m) => m.content === content,
        `${label}: messageCreate for the person's marker in general (${name})`);
      await userRest('POST', `/channels/${GENERAL_ID}/messages`, { content });
      return got;
    },
    async destroy() {
      await client.destroy();
    },
  };
}

async function scenario(client) {
  console.log(`${PREFIX}: discord.js ${version} against ${BASE}`);
  // The person opens a DM with the bot before it logs in: READY's private_channels must carry it.
  const opened = await userRest('POST', '/users/@me/channels', { recipient_id: BOT_ID });
  checkEq("the person's POST /users/@me/channels {recipient_id: the bot}: a DM (type 1) with the bot",
    [opened.type, (opened.recipients ?? []).map((r) => r.id)], [1, [BOT_ID]]);
  const readyAt = Date.now();
  const ready = expectEvent(client, Events.ClientReady, () => true, 'ClientReady fires', READY_TIMEOUT_MS);
  await client.login(BOT_TOKEN);
  check('client.login resolved', true);
  if (!(await ready)) return;
  console.log(`${PREFIX}: ClientReady after ${((Date.now() - readyAt) / 1000).toFixed(1)}s`);
  if (EXPECT_GATEWAY) {
    checkEq(
      "cluster: READY resume_gateway_url is the gateway node's (the session is there)",
      readyPayloads.map((d) => d?.resume_gateway_url),
      [EXPECT_GATEWAY],
    );
  }

  checkEq('client.user.id is the bot', client.user?.id, BOT_ID);
  check('client.user.bot is true', client.user?.bot === true, show(client.user?.bot));
  checkEq('client.application.id', client.application?.id, BOT_ID);

  const guild = client.guilds.cache.get(GUILD_ID);
  check('seeded guild is in client.guilds.cache', guild !== undefined, show([...client.guilds.cache.keys()]));
  if (!guild) return;
  check('guild.available', guild.available === true, show(guild.available));
  checkEq('guild.name', guild.name, 'Compat');
  checkEq('guild.ownerId is the person', guild.ownerId, USER_ID);
  const general = guild.channels.cache.get(GENERAL_ID);
  check(
    'guild.channels.cache has general (TextChannel)',
    general instanceof TextChannel,
    `${general?.constructor?.name}; cached: ${show(guild.channels.cache.map((c) => [c.id, c.name]))}`,
  );
  if (!general) return;
  checkEq('general.name', general.name, 'general');
  check('client.channels.cache has general', client.channels.cache.get(GENERAL_ID) === general);
  check('guild.roles.everyone (id == guild id)', guild.roles.everyone?.id === GUILD_ID, show([...guild.roles.cache.keys()]));
  checkEq('guild.members.me is the bot', guild.members.me?.id, BOT_ID);
  check('the person is a cached member', guild.members.cache.has(USER_ID), show([...guild.members.cache.keys()]));
  check(
    'bot can send in general (permissions from roles)',
    general.permissionsFor(client.user)?.has('SendMessages') === true,
  );

  // --- the person's message -> messageCreate -------------------------------------------------
  const content = `hello bot, from a person (${RUN_TAG})`;
  const incoming = expectEvent(client, Events.MessageCreate, (m) => m.content === content,
    "messageCreate for the person's REST message");
  const posted = await userRest('POST', `/channels/${GENERAL_ID}/messages`, { content });
  const got = await incoming;
  if (!got) return;
  const [message] = got;
  checkEq('messageCreate: id matches the REST response', message.id, posted.id);
  checkEq('messageCreate: content (MessageContent intent)', message.content, content);
  checkEq('messageCreate: author is the person', message.author?.id, USER_ID);
  checkEq('messageCreate: guildId', message.guildId, GUILD_ID);
  check('messageCreate: channel is general', message.channel === general, `${message.channel?.id}`);
  checkEq('messageCreate: member is the person', message.member?.id, USER_ID);
  checkEq('messageCreate: type Default', message.type, MessageType.Default);

  // --- reply -> messageCreate for the bot's own reply ------------------------------------------
  const replyText = `pong from djs (${RUN_TAG})`;
  const own = expectEvent(client, Events.MessageCreate,
    (m) => m.author?.id === BOT_ID && m.content === replyText, "messageCreate for the bot's own reply");
  const reply = await message.reply(replyText);
  checkEq('message.reply: content', reply.content, replyText);
  const ownGot = await own;
  if (!ownGot) return;
  const [seen] = ownGot;
  checkEq('own reply messageCreate: id matches the REST response', seen.id, reply.id);
  checkEq('own reply messageCreate: type Reply', seen.type, MessageType.Reply);
  checkEq("own reply messageCreate: reference to the person's message", seen.reference?.messageId, message.id);

  // --- edit -> messageUpdate(old, new) ----------------------------------------------------------
  const editedText = `${replyText} (edited)`;
  const update = expectEvent(client, Events.MessageUpdate, (oldM, newM) => newM.id === reply.id,
    'messageUpdate for the edited reply');
  const edited = await reply.edit(editedText);
  checkEq('message.edit: content', edited.content, editedText);
  const updGot = await update;
  if (updGot) {
    const [oldM, newM] = updGot;
    checkEq('messageUpdate: old content', oldM.content, replyText);
    checkEq('messageUpdate: new content', newM.content, editedText);
    check('messageUpdate: new editedTimestamp set', typeof newM.editedTimestamp === 'number', show(newM.editedTimestamp));
  }

  // --- delete -> messageDelete -------------------------------------------------------------------
  const del = expectEvent(client, Events.MessageDelete, (m) => m.id === reply.id, 'messageDelete for the deleted reply');
  await reply.delete();
  const delGot = await del;
  if (delGot) checkEq('messageDelete: content of the cached message', delGot[0].content, editedText);

  // --- channel created by the person -> channelCreate -------------------------------------------
  const name = `djs-gw-${RUN_TAG}`;
  const created = expectEvent(client, Events.ChannelCreate, (c) => c.name === name,
    "channelCreate for the person's new channel");
  const made = await userRest('POST', `/guilds/${GUILD_ID}/channels`, { name, type: 0 });
  const chGot = await created;
  if (chGot) {
    const [ch] = chGot;
    checkEq('channelCreate: id matches the REST response', ch.id, made.id);
    checkEq('channelCreate: type GuildText', ch.type, ChannelType.GuildText);
    checkEq('channelCreate: guild', ch.guild?.id, GUILD_ID);
    check('new channel is in guild.channels.cache', guild.channels.cache.get(ch.id) === ch);
  }

  await directMessages(client, opened.id);
  await dmBot();

  await rolesAndMembers(client, guild);

  const plain = otherBot(PLAIN_TOKEN, 'plain bot', [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.MessageContent,
    GatewayIntentBits.GuildModeration,
  ]);
  try {
    await privateChannel(client, guild, plain);

    await moderation(client, guild, plain);
  } finally {
    await plain.destroy();
  }

  checkEq('client.ws.status is Ready at the end', client.ws.status, Status.Ready);
}

// The `d` of the latest dispatch `t` among the last payloads received matching pred, or undefined.
const rawDispatch = (t, pred) => rawLog.findLast((p) => p?.op === 0 && p.t === t && pred(p.d ?? {}))?.d;

// The DM the person opened before the client logged in: not cached (discord.js ignores READY's
// private_channels), so its first message takes the partial path; then the cached DMChannel:
// typing, messages both ways, history, edits and deletions.
async function directMessages(client, dmId) {
  const listed = readyPayloads.at(-1)?.private_channels ?? [];
  check("READY private_channels: the DM the person opened, type 1, the person its recipient",
    listed.some((c) => c.id === dmId && c.type === 1 && show((c.recipients ?? []).map((r) => r.id)) === show([USER_ID])),
    show(listed).slice(0, 300));
  check('the DM is not cached at ClientReady (discord.js does not read private_channels)', !client.channels.cache.has(dmId));

  // --- the person writes in the uncached DM: the partial path (Partials.Channel, channel_type) ---
  const first = `the person opens with a DM (${RUN_TAG})`;
  const incoming = expectEvent(client, Events.MessageCreate, (m) => m.channelId === dmId && m.author?.id === USER_ID,
    "messageCreate for the person's message in an uncached DM (Partials.Channel, channel_type 1)");
  const posted = await userRest('POST', `/channels/${dmId}/messages`, { content: first });
  const got = await incoming;
  if (!got) return;
  const [message] = got;
  checkEq('partial DM messageCreate: id, content', [message.id, message.content], [posted.id, first]);
  checkEq('partial DM messageCreate: channel isDMBased(), type DM, guildId null, inGuild() false, no member',
    [message.channel?.isDMBased(), message.channel?.type, message.guildId, message.inGuild(), message.member],
    [true, ChannelType.DM, null, false, null]);
  checkEq('partial DM: channel.recipientId is the person (from the author)', message.channel?.recipientId, USER_ID);
  check('partial DM: the channel is now in client.channels.cache', client.channels.cache.get(dmId) === message.channel);
  const full = await message.channel.fetch();
  check('DMChannel.fetch() (POST /users/@me/channels): the same channel, the person its recipient',
    full === message.channel && full.recipient?.id === USER_ID, `${full?.id} ${full?.recipientId}`);
  const person = await client.users.fetch(USER_ID);
  const dm = await person.createDM();
  check('user.createDM(): that same cached DMChannel (the same DM from either side)', dm === message.channel && dm.id === dmId,
    `${dm?.id}`);

  // --- the person types in the DM -> typingStart -----------------------------------------------------
  const typing = expectEvent(client, Events.TypingStart, (t) => t.channel?.id === dmId && t.user?.id === USER_ID,
    'typingStart for the person typing in the DM (intent DirectMessageTyping)');
  await userRest('POST', `/channels/${dmId}/typing`);
  const tGot = await typing;
  if (tGot) {
    check('typingStart (DM): the cached DMChannel, not in a guild, no member',
      tGot[0].channel === dm && !tGot[0].inGuild() && tGot[0].member === null, `${tGot[0].channel?.id} ${tGot[0].guild?.id}`);
  }

  // --- the bot writes: user.send -> messageCreate for its own message ----------------------------------
  const text = `hello in a DM from djs (${RUN_TAG})`;
  const own = expectEvent(client, Events.MessageCreate, (m) => m.author?.id === BOT_ID && m.content === text,
    "messageCreate for the bot's own DM (intent DirectMessages)");
  const sent = await person.send(text);
  check('user.send: in the DMChannel, no guild', sent.channel === dm && sent.guildId === null, `${sent.channelId}`);
  const ownGot = await own;
  if (ownGot) checkEq("own DM messageCreate: id, the DMChannel", [ownGot[0].id, ownGot[0].channel === dm], [sent.id, true]);

  // --- the person replies -> messageCreate on the cached DMChannel -------------------------------------
  const replyText = `a reply in the DM from the person (${RUN_TAG})`;
  const replied = expectEvent(client, Events.MessageCreate, (m) => m.channelId === dmId && m.content === replyText,
    "messageCreate for the person's reply in the cached DM");
  const reply = await userRest('POST', `/channels/${dmId}/messages`, { content: replyText });
  const rGot = await replied;
  if (!rGot) return;
  const [m] = rGot;
  checkEq("DM messageCreate: id, author the person, the cached DMChannel, guildId null",
    [m.id, m.author?.id, m.channel === dm, m.guildId], [reply.id, USER_ID, true, null]);
  const d = rawDispatch('MESSAGE_CREATE', (x) => x.id === reply.id) ?? {};
  check('DM MESSAGE_CREATE on the wire: channel_type 1, no guild_id, no member',
    d.channel_type === 1 && !('guild_id' in d) && !('member' in d),
    show({ channel_type: d.channel_type, guild_id: d.guild_id, member: d.member }));

  const history = await dm.messages.fetch({ limit: 5 });
  checkEq("dm.messages.fetch({limit: 5}): the reply, the bot's message, the person's first (newest first)",
    [...history.keys()].slice(0, 3), [reply.id, sent.id, posted.id]);

  // --- the bot edits and deletes its message ---------------------------------------------------------
  const update = expectEvent(client, Events.MessageUpdate, (o, n) => n.id === sent.id, "messageUpdate for the bot's edited DM");
  const edited = await sent.edit(`${text} (edited)`);
  checkEq('DM message.edit: content', edited.content, `${text} (edited)`);
  const uGot = await update;
  if (uGot) {
    checkEq('DM messageUpdate: old and new content, no guild', [uGot[0].content, uGot[1].content, uGot[1].guildId],
      [text, `${text} (edited)`, null]);
  }
  const del = expectEvent(client, Events.MessageDelete, (x) => x.id === sent.id, "messageDelete for the bot's deleted DM");
  await sent.delete();
  const dGot = await del;
  if (dGot) checkEq('DM messageDelete: content of the cached message', dGot[0].content, `${text} (edited)`);

  // --- the person edits and deletes the reply ---------------------------------------------------------
  const theirUpdate = expectEvent(client, Events.MessageUpdate, (o, n) => n.id === reply.id,
    "messageUpdate for the person's edited DM");
  await userRest('PATCH', `/channels/${dmId}/messages/${reply.id}`, { content: `${replyText} (edited)` });
  const tuGot = await theirUpdate;
  if (tuGot) checkEq("messageUpdate (the person's DM): new content", tuGot[1].content, `${replyText} (edited)`);
  const theirDel = expectEvent(client, Events.MessageDelete, (x) => x.id === reply.id, "messageDelete for the person's deleted DM");
  await userRest('DELETE', `/channels/${dmId}/messages/${reply.id}`);
  await theirDel;
}

// A bot the person makes, in no guild, with intents DirectMessages and DirectMessageTyping only (no
// MessageContent) and no partials, opens a new DM with the person: CHANNEL_CREATE reaches it; the
// person's typing and reply reach it on the cached DMChannel, the reply with its content.
async function dmBot() {
  const app = await userRest('POST', '/applications', { name: `djs-gw-dm-${RUN_TAG}` });
  const bot = otherBot(app.token, 'DM bot', [GatewayIntentBits.DirectMessages, GatewayIntentBits.DirectMessageTyping]);
  try {
    if (!(await bot.start('in no guild, no MessageContent intent, no partials'))) return;
    const c = bot.client;
    checkEq('DM bot: no guild, no channel cached at ClientReady', [c.guilds.cache.size, c.channels.cache.size], [0, 0]);
    const person = await c.users.fetch(USER_ID);
    const created = expectEvent(c, Events.Raw, (p) => p?.t === 'CHANNEL_CREATE' && p.d?.type === 1,
      'DM bot: CHANNEL_CREATE for the DM it opened');
    const dm = await person.createDM();
    checkEq('DM bot: user.createDM(): a new DMChannel with the person', [dm.type, dm.recipientId], [ChannelType.DM, USER_ID]);
    const cGot = await created;
    if (cGot) {
      checkEq('DM bot: CHANNEL_CREATE: the DM, the person its recipient',
        [cGot[0].d.id, (cGot[0].d.recipients ?? []).map((r) => r.id)], [dm.id, [USER_ID]]);
    }
    const listing = await userRest('GET', '/users/@me/channels');
    check("the person's GET /users/@me/channels lists the new DM with the DM bot",
      listing.some((x) => x.id === dm.id && show((x.recipients ?? []).map((r) => r.id)) === show([app.id])),
      show(listing).slice(0, 300));
    await dm.send(`a DM from the DM bot (${RUN_TAG})`);

    const typing = expectEvent(c, Events.TypingStart, (t) => t.channel?.id === dm.id && t.user?.id === USER_ID,
      "DM bot: typingStart for the person's typing in the DM");
    await userRest('POST', `/channels/${dm.id}/typing`);
    const tGot = await typing;
    if (tGot) check('DM bot: typingStart: the cached DMChannel', tGot[0].channel === dm);

    const text = `the person answers the DM bot (${RUN_TAG})`;
    const incoming = expectEvent(c, Events.MessageCreate, (m) => m.channelId === dm.id && m.author?.id === USER_ID,
      "DM bot: messageCreate for the person's reply (the DM it opened is cached: no partials needed)");
    await userRest('POST', `/channels/${dm.id}/messages`, { content: text });
    const got = await incoming;
    if (got) {
      const [m] = got;
      check('DM bot: messageCreate: the cached DMChannel, isDMBased(), no guild', m.channel === dm && m.channel.isDMBased()
        && m.guildId === null);
      checkEq('DM bot (no MessageContent intent): the DM content is there', m.content, text);
    }
  } finally {
    await bot.destroy();
  }
}

// The person creates, edits and deletes a role and changes the plain bot's membership.
async function rolesAndMembers(client, guild) {
  const plain = guild.members.cache.get(PLAIN_ID);
  if (!check('the plain bot is a cached member', plain instanceof GuildMember, show([...guild.members.cache.keys()]))) return;
  const ownRoles = (m) => [...m.roles.cache.keys()].filter((id) => id !== GUILD_ID);
  const botRole = guild.members.me?.roles.cache.find((r) => r.managed);
  check('guild.members.me.roles.cache: the bot has its own (managed) role', botRole !== undefined,
    show(guild.members.me ? ownRoles(guild.members.me) : null));
  // botRole and role.tags.botId come from the role's tags.bot_id.
  check('guild.members.me.roles.botRole is that role (tags.bot_id)', botRole !== undefined
    && guild.members.me.roles.botRole?.id === botRole.id && botRole.tags?.botId === client.user.id,
    show(botRole?.tags ?? null));
  const reason = `djs-gw role by the person ${RUN_TAG}`;
  const bits = (list) => String(new PermissionsBitField(list).bitfield);

  // --- POST /guilds/{id}/roles -> roleCreate (+ roleUpdate: the bot's role moved up) ---------
  const name = `djs-gw-role-${RUN_TAG}`;
  const perms = [PermissionFlagsBits.SendMessages, PermissionFlagsBits.ManageMessages];
  const created = expectEvent(client, Events.GuildRoleCreate, (r) => r.name === name,
    "roleCreate for the person's new role");
  const oldBotPosition = botRole?.rawPosition;
  const moved = botRole
    ? expectEvent(client, Events.GuildRoleUpdate, (o, n) => n.id === botRole.id && n.rawPosition === oldBotPosition + 1,
      "roleUpdate for the bot's own role, moved up by one")
    : null;
  const made = await userRest('POST', `/guilds/${GUILD_ID}/roles`,
    { name, permissions: bits(perms), color: 0x1abc9c, hoist: true }, reason);
  const createdGot = await created;
  if (!createdGot) return;
  const [role] = createdGot;
  checkEq('roleCreate: id matches the REST response', role.id, made.id);
  checkEq('roleCreate: permissions', String(role.permissions.bitfield), bits(perms));
  checkEq('roleCreate: colors.primaryColor', role.colors.primaryColor, 0x1abc9c);
  checkEq('roleCreate: hoist, mentionable', [role.hoist, role.mentionable], [true, false]);
  checkEq('roleCreate: rawPosition 1', role.rawPosition, 1);
  check('guild.roles.cache has the role', guild.roles.cache.get(role.id) === role);
  if (moved && (await moved)) {
    checkEq("the bot's role rawPosition in the cache", guild.roles.cache.get(botRole.id)?.rawPosition, oldBotPosition + 1);
  }

  // --- PATCH /guilds/{id}/roles/{role} -> roleUpdate(old, new) --------------------------------
  const newPerms = [PermissionFlagsBits.SendMessages, PermissionFlagsBits.ManageNicknames];
  const updated = expectEvent(client, Events.GuildRoleUpdate, (o, n) => n.id === role.id && n.name === `${name}-edited`,
    "roleUpdate for the person's edit");
  await userRest('PATCH', `/guilds/${GUILD_ID}/roles/${role.id}`,
    { name: `${name}-edited`, permissions: bits(newPerms), color: 0x9b59b6 }, reason);
  const updGot = await updated;
  if (updGot) {
    const [oldRole, newRole] = updGot;
    checkEq('roleUpdate: old name', oldRole.name, name);
    checkEq('roleUpdate: new permissions', String(newRole.permissions.bitfield), bits(newPerms));
    checkEq('roleUpdate: colors.primaryColor old/new', [oldRole.colors.primaryColor, newRole.colors.primaryColor], [0x1abc9c, 0x9b59b6]);
    checkEq('guild.roles.cache: the role has the new name', guild.roles.cache.get(role.id)?.name, `${name}-edited`);
  }

  // --- PUT /guilds/{id}/members/{plain}/roles/{role} -> guildMemberUpdate ---------------------
  const given = expectEvent(client, Events.GuildMemberUpdate, (o, n) => n.id === PLAIN_ID && n.roles.cache.has(role.id),
    'guildMemberUpdate for the role given to the plain bot');
  await userRest('PUT', `/guilds/${GUILD_ID}/members/${PLAIN_ID}/roles/${role.id}`, null, reason);
  const givenGot = await given;
  if (givenGot) {
    const [oldM] = givenGot;
    check('guildMemberUpdate: old member without the role', !oldM.roles.cache.has(role.id), show(ownRoles(oldM)));
    check('member.roles.cache (cached member) has the role', guild.members.cache.get(PLAIN_ID)?.roles.cache.has(role.id) === true);
    check('role.members has the plain bot', role.members.has(PLAIN_ID), show([...role.members.keys()]));
  }

  // --- PATCH /guilds/{id}/members/{plain} {nick, roles: []} -> guildMemberUpdate ---------------
  const nick = `djs-gw-nick-${RUN_TAG}`;
  const renamed = expectEvent(client, Events.GuildMemberUpdate, (o, n) => n.id === PLAIN_ID && n.nickname === nick,
    "guildMemberUpdate for the plain bot's new nick and roles");
  await userRest('PATCH', `/guilds/${GUILD_ID}/members/${PLAIN_ID}`, { nick, roles: [] }, reason);
  const renamedGot = await renamed;
  if (renamedGot) {
    const [oldM, newM] = renamedGot;
    checkEq('guildMemberUpdate: roles old/new', [ownRoles(oldM), ownRoles(newM)], [[role.id], []]);
    const cached = guild.members.cache.get(PLAIN_ID);
    checkEq('cached member: nickname and displayName', [cached?.nickname, cached?.displayName], [nick, nick]);
  }

  // --- timeout: PATCH communication_disabled_until -> guildMemberUpdate -------------------------
  const until = new Date(Date.now() + 10 * 60_000);
  const timed = expectEvent(client, Events.GuildMemberUpdate,
    (o, n) => n.id === PLAIN_ID && n.communicationDisabledUntilTimestamp !== null, "guildMemberUpdate for the plain bot's timeout");
  await userRest('PATCH', `/guilds/${GUILD_ID}/members/${PLAIN_ID}`, { communication_disabled_until: until.toISOString() }, reason);
  const timedGot = await timed;
  if (timedGot) {
    const [oldM, newM] = timedGot;
    checkEq('guildMemberUpdate: old communicationDisabledUntilTimestamp', oldM.communicationDisabledUntilTimestamp, null);
    checkEq('guildMemberUpdate: new communicationDisabledUntil', newM.communicationDisabledUntil?.toISOString(), until.toISOString());
    check('cached member: isCommunicationDisabled()', guild.members.cache.get(PLAIN_ID)?.isCommunicationDisabled() === true);
  }
  const lifted = expectEvent(client, Events.GuildMemberUpdate,
    (o, n) => n.id === PLAIN_ID && o.communicationDisabledUntilTimestamp !== null && n.communicationDisabledUntilTimestamp === null,
    "guildMemberUpdate for the timeout's lifting");
  await userRest('PATCH', `/guilds/${GUILD_ID}/members/${PLAIN_ID}`, { communication_disabled_until: null }, reason);
  if (await lifted) {
    check('cached member: not isCommunicationDisabled()', guild.members.cache.get(PLAIN_ID)?.isCommunicationDisabled() === false);
  }
  const cleared = expectEvent(client, Events.GuildMemberUpdate, (o, n) => n.id === PLAIN_ID && o.nickname === nick && n.nickname === null,
    'guildMemberUpdate for the cleared nick');
  await userRest('PATCH', `/guilds/${GUILD_ID}/members/${PLAIN_ID}`, { nick: null }, reason);
  if (await cleared) {
    const cached = guild.members.cache.get(PLAIN_ID);
    checkEq('cached member: displayName back to the user name', cached?.displayName, cached?.user.displayName);
  }

  // --- DELETE /guilds/{id}/roles/{role} -> roleDelete ------------------------------------------
  const deleted = expectEvent(client, Events.GuildRoleDelete, (r) => r.id === role.id, "roleDelete for the person's role");
  await userRest('DELETE', `/guilds/${GUILD_ID}/roles/${role.id}`, null, reason);
  const delGot = await deleted;
  if (delGot) {
    checkEq('roleDelete: the cached role (name)', delGot[0].name, `${name}-edited`);
    check('guild.roles.cache no longer has the role', !guild.roles.cache.has(role.id));
  }

  // --- the audit log, filtered by the person ----------------------------------------------------
  const logs = await guild.fetchAuditLogs({ type: AuditLogEvent.RoleCreate, user: USER_ID, limit: 20 });
  const entries = [...logs.entries.values()];
  const mine = entries.filter((e) => e.targetId === role.id);
  check('fetchAuditLogs({type: RoleCreate, user: person}): the person\'s role', mine.length === 1,
    show(entries.map((e) => [e.action, e.executorId, e.targetId])));
  check('fetchAuditLogs({type: RoleCreate, user: person}): only RoleCreate entries by the person',
    entries.every((e) => e.action === AuditLogEvent.RoleCreate && e.executorId === USER_ID));
  if (mine.length === 1) {
    checkEq('audit entry: executor is the person', mine[0].executor?.id, USER_ID);
    checkEq('audit entry: reason', mine[0].reason, reason);
  }
}

// A channel private to the person, seen by a second gateway client, the plain bot (the bot under
// test is an administrator: overwrites do not hide anything from it).
async function privateChannel(client, guild, plain) {
  const F = PermissionFlagsBits;
  const VIEW = String(F.ViewChannel);
  const reason = `djs-gw overwrites by the person ${RUN_TAG}`;
  const targets = (c) => [...c.permissionOverwrites.cache.keys()].sort();
  const isAudit = (action, id) => (e) => e.action === action && e.targetId === id;

  // --- the person creates a channel only the person may view ---
  const name = `djs-gw-private-${RUN_TAG}`;
  const seen = expectEvent(client, Events.ChannelCreate, (c) => c.name === name,
    "administrator: channelCreate for the person's private channel");
  const logged = expectEvent(client, Events.GuildAuditLogEntryCreate,
    (e) => e.action === AuditLogEvent.ChannelCreate && e.changes.some((c) => c.key === 'name' && c.new === name),
    'guildAuditLogEntryCreate: ChannelCreate (intent GuildModeration, ViewAuditLog)');
  const made = await userRest('POST', `/guilds/${GUILD_ID}/channels`, {
    name,
    type: 0,
    permission_overwrites: [{ id: GUILD_ID, type: 0, deny: VIEW }, { id: USER_ID, type: 1, allow: VIEW }],
  }, reason);
  const pid = made.id;
  const got = await seen;
  if (!got) return;
  const [ch] = got;
  checkEq('channelCreate: id matches the REST response', ch.id, pid);
  checkEq("channelCreate: @everyone's overwrite denies ViewChannel",
    ch.permissionOverwrites.cache.get(GUILD_ID)?.deny.has(F.ViewChannel), true);
  check('permissionsFor(plain bot) from the cached overwrites: no ViewChannel',
    ch.permissionsFor(PLAIN_ID)?.has(F.ViewChannel) === false, show(ch.permissionsFor(PLAIN_ID)?.toArray()));
  check('permissionsFor(the bot), an administrator: ViewChannel', ch.permissionsFor(client.user)?.has(F.ViewChannel) === true);
  const loggedGot = await logged;
  if (loggedGot) {
    const [e, g] = loggedGot;
    check('audit entry: the guild, target the cached channel, executor the person, the reason',
      g === guild && e.target === ch && e.executorId === USER_ID && e.reason === reason,
      show([g?.id, e.targetId, e.executorId, e.reason]));
  }

  // --- the plain bot connects: GUILD_CREATE without the private channel ---
  const plainClient = plain.client;
  const { dispatches, marker } = plain;
  const aboutPrivate = (since = 0) => dispatches.slice(since).filter(([t, d]) =>
    d.channel_id === pid || (String(t).startsWith('CHANNEL_') && d.id === pid)
    || (t === 'GUILD_CREATE' && (d.channels ?? []).some((c) => c.id === pid))).map(([t]) => t);

  if (!(await plain.start('a second gateway client'))) return;
  const pguild = plainClient.guilds.cache.get(GUILD_ID);
  if (!check('plain bot: the seeded guild is in its cache', pguild !== undefined)) return;
  check('plain bot: guild.channels.cache has general', pguild.channels.cache.has(GENERAL_ID));
  check('plain bot: the private channel is not in GUILD_CREATE (not in guild.channels.cache)',
    !pguild.channels.cache.has(pid) && !plainClient.channels.cache.has(pid) && aboutPrivate().length === 0,
    show(pguild.channels.cache.map((c) => [c.id, c.name])));

  // --- messages there reach the administrator only ---
  let text = `secret from the person (${RUN_TAG})`;
  let adminMsg = expectEvent(client, Events.MessageCreate, (m) => m.content === text,
    'administrator: messageCreate in the private channel');
  let mark = dispatches.length;
  await userRest('POST', `/channels/${pid}/messages`, { content: text });
  await adminMsg;
  if (await marker('after the private message')) {
    check('plain bot: no event of the private channel (no MESSAGE_CREATE)', aboutPrivate(mark).length === 0,
      show(aboutPrivate(mark)));
  }

  // --- a member overwrite lets the plain bot view it: channelCreate to it ---
  const gained = expectEvent(plainClient, Events.ChannelCreate, (c) => c.id === pid,
    'plain bot: channelCreate once a member overwrite lets it view the channel');
  let updated = expectEvent(client, Events.ChannelUpdate, (o, n) => n.id === pid && n.permissionOverwrites.cache.has(PLAIN_ID),
    'administrator: channelUpdate with the new member overwrite');
  let audit = expectEvent(client, Events.GuildAuditLogEntryCreate, isAudit(AuditLogEvent.ChannelOverwriteCreate, pid),
    'guildAuditLogEntryCreate: ChannelOverwriteCreate');
  await userRest('PUT', `/channels/${pid}/permissions/${PLAIN_ID}`, { type: 1, allow: VIEW }, reason);
  const gainedGot = await gained;
  if (gainedGot) {
    const [pch] = gainedGot;
    check('plain bot: a TextChannel in guild.channels.cache', pch instanceof TextChannel && pguild.channels.cache.get(pid) === pch,
      `${pch?.constructor?.name}`);
    check('plain bot: its own overwrite, and permissionsFor(me) has ViewChannel',
      pch.permissionOverwrites.cache.get(PLAIN_ID)?.allow.has(F.ViewChannel) === true
      && pch.permissionsFor(plainClient.user)?.has(F.ViewChannel) === true, show(targets(pch)));
  }
  let updGot = await updated;
  if (updGot) {
    const [oldC, newC] = updGot;
    checkEq('channelUpdate: overwrite targets old/new', [targets(oldC), targets(newC)],
      [[GUILD_ID, USER_ID].sort(), [GUILD_ID, USER_ID, PLAIN_ID].sort()]);
    checkEq('channelUpdate: the new member overwrite (type Member, allow ViewChannel)',
      [newC.permissionOverwrites.cache.get(PLAIN_ID)?.type, String(newC.permissionOverwrites.cache.get(PLAIN_ID)?.allow.bitfield)],
      [OverwriteType.Member, VIEW]);
    check('the cached channel is updated', guild.channels.cache.get(pid)?.permissionOverwrites.cache.has(PLAIN_ID) === true);
  }
  let auditGot = await audit;
  if (auditGot) {
    const [e] = auditGot;
    check('audit ChannelOverwriteCreate: extra is the plain bot (cached GuildMember)',
      e.extra instanceof GuildMember && e.extra.id === PLAIN_ID, show(e.extra));
    checkEq('audit ChannelOverwriteCreate: allow new, reason, executor',
      [e.changes.find((c) => c.key === 'allow')?.new, e.reason, e.executorId], [VIEW, reason, USER_ID]);
  }

  text = `for the plain bot too (${RUN_TAG})`;
  const plainMsg = expectEvent(plainClient, Events.MessageCreate, (m) => m.content === text,
    'plain bot: messageCreate in the private channel it may now view');
  await userRest('POST', `/channels/${pid}/messages`, { content: text });
  const plainMsgGot = await plainMsg;
  if (plainMsgGot) {
    check('plain bot: message.channel is the cached channel', plainMsgGot[0].channel === pguild.channels.cache.get(pid));
  }

  // --- @everyone's overwrite changed: both receive channelUpdate ---
  const deniesSend = (o, n) => n.id === pid && n.permissionOverwrites.cache.get(GUILD_ID)?.deny.has(F.SendMessages) === true;
  const adminUpd = expectEvent(client, Events.ChannelUpdate, deniesSend,
    "administrator: channelUpdate for @everyone's changed overwrite");
  const plainUpd = expectEvent(plainClient, Events.ChannelUpdate, deniesSend, 'plain bot (may view): channelUpdate too');
  audit = expectEvent(client, Events.GuildAuditLogEntryCreate, isAudit(AuditLogEvent.ChannelOverwriteUpdate, pid),
    'guildAuditLogEntryCreate: ChannelOverwriteUpdate');
  await userRest('PUT', `/channels/${pid}/permissions/${GUILD_ID}`,
    { type: 0, deny: String(F.ViewChannel | F.SendMessages) }, reason);
  updGot = await adminUpd;
  if (updGot) {
    const [oldC, newC] = updGot;
    checkEq("channelUpdate: @everyone's deny old/new",
      [String(oldC.permissionOverwrites.cache.get(GUILD_ID)?.deny.bitfield), String(newC.permissionOverwrites.cache.get(GUILD_ID)?.deny.bitfield)],
      [VIEW, String(F.ViewChannel | F.SendMessages)]);
  }
  const plainUpdGot = await plainUpd;
  if (plainUpdGot) {
    const perms = plainUpdGot[1].permissionsFor(plainClient.user);
    check('plain bot: permissionsFor(me): ViewChannel, no SendMessages',
      perms?.has(F.ViewChannel) === true && perms?.has(F.SendMessages) === false, show(perms?.toArray()));
  }
  auditGot = await audit;
  if (auditGot) {
    const [e] = auditGot;
    check('audit ChannelOverwriteUpdate: extra is @everyone (guild.roles.everyone)', e.extra === guild.roles.everyone, show(e.extra));
    const deny = e.changes.find((c) => c.key === 'deny');
    checkEq('audit ChannelOverwriteUpdate: deny old/new', [deny?.old, deny?.new], [VIEW, String(F.ViewChannel | F.SendMessages)]);
  }

  // --- the member overwrite removed: channelDelete to the plain bot ---
  const lost = expectEvent(plainClient, Events.ChannelDelete, (c) => c.id === pid,
    'plain bot: channelDelete once the overwrite is removed');
  updated = expectEvent(client, Events.ChannelUpdate, (o, n) => n.id === pid && !n.permissionOverwrites.cache.has(PLAIN_ID),
    'administrator: channelUpdate without the member overwrite');
  audit = expectEvent(client, Events.GuildAuditLogEntryCreate, isAudit(AuditLogEvent.ChannelOverwriteDelete, pid),
    'guildAuditLogEntryCreate: ChannelOverwriteDelete');
  await userRest('DELETE', `/channels/${pid}/permissions/${PLAIN_ID}`, null, reason);
  if (await lost) {
    check('plain bot: the channel left guild.channels.cache and client.channels.cache',
      !pguild.channels.cache.has(pid) && !plainClient.channels.cache.has(pid));
  }
  await updated;
  auditGot = await audit;
  if (auditGot) {
    const [e] = auditGot;
    checkEq('audit ChannelOverwriteDelete: extra is the plain bot, allow old', [e.extra?.id, e.changes.find((c) => c.key === 'allow')?.old],
      [PLAIN_ID, VIEW]);
  }

  mark = dispatches.length;
  text = `secret again (${RUN_TAG})`;
  adminMsg = expectEvent(client, Events.MessageCreate, (m) => m.content === text,
    'administrator: messageCreate in the private channel (again)');
  await userRest('POST', `/channels/${pid}/messages`, { content: text });
  await adminMsg;

  // --- the channel deleted: the administrator is told, the plain bot is not ---
  const gone = expectEvent(client, Events.ChannelDelete, (c) => c.id === pid, 'administrator: channelDelete for the private channel');
  audit = expectEvent(client, Events.GuildAuditLogEntryCreate, isAudit(AuditLogEvent.ChannelDelete, pid),
    'guildAuditLogEntryCreate: ChannelDelete');
  await userRest('DELETE', `/channels/${pid}`, null, reason);
  if (await gone) check('administrator: guild.channels.cache no longer has it', !guild.channels.cache.has(pid));
  auditGot = await audit;
  if (auditGot) checkEq('audit ChannelDelete: name old', auditGot[0].changes.find((c) => c.key === 'name')?.old, name);
  if (await marker('after the view was taken away')) {
    check('plain bot: no event of the channel after losing view (message, deletion)', aboutPrivate(mark).length === 0,
      show(aboutPrivate(mark)));
  }
  check('plain bot (no ViewAuditLog): no GUILD_AUDIT_LOG_ENTRY_CREATE received',
    !dispatches.some(([t]) => t === 'GUILD_AUDIT_LOG_ENTRY_CREATE'));
}

// The person adds a throwaway bot (a third gateway client), bulk-deletes its messages, kicks it,
// adds it again and bans it (deleting its recent messages), then lifts the ban. The client (an
// administrator) sees the bulk deletes, the member leaving, the ban and the unban, with their audit
// entries; the throwaway bot loses the guild (guildDelete) and gets it back (guildCreate); the
// plain bot (no BanMembers) gets no ban event.
async function moderation(client, guild, plain) {
  const reason = `djs-gw moderation by the person ${RUN_TAG}`;
  if (!plain.started && !(await plain.start('a second gateway client'))) return;
  const plainMark = plain.dispatches.length;
  const isAudit = (action, id) => (e) => e.action === action && e.targetId === id;

  // --- the person adds a throwaway bot: guildMemberAdd; it connects as a third client ---
  const app = await userRest('POST', '/applications', { name: `djs-gw-target-${RUN_TAG}` });
  const tid = app.id;
  const addPath = `/oauth2/authorize?client_id=${tid}&scope=bot&permissions=0`;
  const addBody = { guild_id: GUILD_ID, authorize: true };
  let joined = expectEvent(client, Events.GuildMemberAdd, (m) => m.id === tid, 'guildMemberAdd for the throwaway bot the person added');
  await userRest('POST', addPath, addBody);
  const joinedGot = await joined;
  if (!joinedGot) return;
  check('guild.members.cache has the new bot', guild.members.cache.get(tid) === joinedGot[0]);
  const target = otherBot(app.token, 'target bot', [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages]);
  try {
    if (!(await target.start('a third gateway client'))) return;
    let tguild = target.client.guilds.cache.get(GUILD_ID);
    if (!check('target bot: the seeded guild is in its cache', tguild !== undefined)) return;

    // --- the person bulk-deletes the target bot's messages: messageDeleteBulk ---
    const texts = [1, 2].map((i) => `from the target bot ${i} (${RUN_TAG})`);
    const seen = texts.map((t, i) => expectEvent(client, Events.MessageCreate, (m) => m.content === t,
      `messageCreate for the target bot's message ${i + 1} (now in the channel's message cache)`));
    const sent = [];
    for (const t of texts) sent.push(await tguild.channels.cache.get(GENERAL_ID).send(t));
    await Promise.all(seen);
    const ids = sent.map((m) => m.id).sort(bySnowflake);
    const sameIds = (coll) => show([...coll.keys()].sort(bySnowflake)) === show(ids);
    const bulk = expectEvent(client, Events.MessageBulkDelete, (msgs) => sameIds(msgs),
      "messageDeleteBulk for the person's bulk delete");
    const plainBulk = expectEvent(plain.client, Events.Raw, (p) => p?.t === 'MESSAGE_DELETE_BULK' && show([...p.d.ids].sort(bySnowflake)) === show(ids),
      'plain bot (may view general): MESSAGE_DELETE_BULK too');
    let audit = expectEvent(client, Events.GuildAuditLogEntryCreate, isAudit(AuditLogEvent.MessageBulkDelete, GENERAL_ID),
      'guildAuditLogEntryCreate: MessageBulkDelete');
    await userRest('POST', `/channels/${GENERAL_ID}/messages/bulk-delete`, { messages: ids }, reason);
    const bulkGot = await bulk;
    if (bulkGot) {
      const [msgs, channel] = bulkGot;
      check('messageDeleteBulk: the channel is the cached general', channel === guild.channels.cache.get(GENERAL_ID));
      checkEq('messageDeleteBulk: the cached messages (contents)', [...msgs.values()].map((m) => m.content).sort(), texts);
      check("the deleted messages left the channel's message cache", !ids.some((id) => channel.messages.cache.has(id)));
    }
    let auditGot = await audit;
    if (auditGot) {
      const [e] = auditGot;
      checkEq('audit MessageBulkDelete: extra.count, executor (the person), reason', [e.extra?.count, e.executorId, e.reason],
        [2, USER_ID, reason]);
      check('audit MessageBulkDelete: target is the cached channel', e.target === guild.channels.cache.get(GENERAL_ID));
    }
    await plainBulk;

    // --- the person kicks it: guildMemberRemove, and guildDelete for the bot ---
    let removed = expectEvent(client, Events.GuildMemberRemove, (m) => m.id === tid, "guildMemberRemove for the person's kick");
    let lost = expectEvent(target.client, Events.GuildDelete, (g) => g.id === GUILD_ID, 'target bot: guildDelete (GUILD_DELETE) once kicked');
    audit = expectEvent(client, Events.GuildAuditLogEntryCreate, isAudit(AuditLogEvent.MemberKick, tid), 'guildAuditLogEntryCreate: MemberKick');
    await userRest('DELETE', `/guilds/${GUILD_ID}/members/${tid}`, null, reason);
    const removedGot = await removed;
    if (removedGot) {
      check('guildMemberRemove: the cached GuildMember', removedGot[0] instanceof GuildMember && removedGot[0].joinedTimestamp !== null);
      check('guild.members.cache no longer has the kicked bot', !guild.members.cache.has(tid));
    }
    if (await lost) check('target bot: the guild left client.guilds.cache', !target.client.guilds.cache.has(GUILD_ID));
    auditGot = await audit;
    if (auditGot) checkEq('audit MemberKick: executor (the person), reason', [auditGot[0].executorId, auditGot[0].reason], [USER_ID, reason]);

    // --- added again: guildCreate for it ---
    joined = expectEvent(client, Events.GuildMemberAdd, (m) => m.id === tid, 'guildMemberAdd for the kicked bot, added again');
    const regained = expectEvent(target.client, Events.GuildCreate, (g) => g.id === GUILD_ID, 'target bot: guildCreate once added again');
    await userRest('POST', addPath, addBody);
    await joined;
    await regained;
    tguild = target.client.guilds.cache.get(GUILD_ID);
    if (!check('target bot: the guild is in its cache again', tguild !== undefined)) return;

    // --- the person bans it, deleting its last minute of messages ---
    const text = `from the target bot, before its ban (${RUN_TAG})`;
    const lastSeen = expectEvent(client, Events.MessageCreate, (m) => m.content === text, "messageCreate for the target bot's message before its ban");
    const last = await tguild.channels.cache.get(GENERAL_ID).send(text);
    await lastSeen;
    removed = expectEvent(client, Events.GuildMemberRemove, (m) => m.id === tid, "guildMemberRemove for the person's ban");
    const banned = expectEvent(client, Events.GuildBanAdd, (b) => b.user.id === tid, 'guildBanAdd (GUILD_BAN_ADD: intent GuildModeration, BanMembers)');
    const swept = expectEvent(client, Events.MessageBulkDelete, (msgs) => show([...msgs.keys()]) === show([last.id]),
      "messageDeleteBulk for the ban's deletion (delete_message_seconds in the JSON body)");
    lost = expectEvent(target.client, Events.GuildDelete, (g) => g.id === GUILD_ID, 'target bot: guildDelete (GUILD_DELETE) once banned');
    audit = expectEvent(client, Events.GuildAuditLogEntryCreate, isAudit(AuditLogEvent.MemberBanAdd, tid), 'guildAuditLogEntryCreate: MemberBanAdd');
    // delete_message_seconds in the JSON body, as discord.js sends it.
    await userRest('PUT', `/guilds/${GUILD_ID}/bans/${tid}`, { delete_message_seconds: 60 }, reason);
    if (await removed) check('guild.members.cache no longer has the banned bot', !guild.members.cache.has(tid));
    const bannedGot = await banned;
    if (bannedGot) {
      const [ban] = bannedGot;
      check('guildBanAdd: a GuildBan of the cached guild, the bot', ban.guild === guild && ban.user.bot === true, show([ban.guild?.id, ban.user?.id]));
      check('guild.bans.cache has it', guild.bans.cache.get(tid) === ban);
    }
    const sweptGot = await swept;
    if (sweptGot) checkEq('messageDeleteBulk (ban): the channel is general, the cached message', [sweptGot[1].id, sweptGot[0].first()?.content], [GENERAL_ID, text]);
    if (await lost) check('target bot: the guild left client.guilds.cache again', !target.client.guilds.cache.has(GUILD_ID));
    const afterBan = target.dispatches.length;
    auditGot = await audit;
    if (auditGot) checkEq('audit MemberBanAdd: executor (the person), reason', [auditGot[0].executorId, auditGot[0].reason], [USER_ID, reason]);
    const fetched = await guild.bans.fetch({ user: tid, force: true });
    checkEq('guild.bans.fetch(user): the bot, the reason', [fetched.user.id, fetched.reason], [tid, reason]);
    const { status, data } = await userStatus('POST', addPath, addBody);
    checkEq('a banned bot cannot be added: POST /oauth2/authorize -> 403 40007', [status, data.code], [403, 40007]);

    // --- the person lifts the ban: guildBanRemove ---
    const unbanned = expectEvent(client, Events.GuildBanRemove, (b) => b.user.id === tid, 'guildBanRemove (GUILD_BAN_REMOVE)');
    audit = expectEvent(client, Events.GuildAuditLogEntryCreate, isAudit(AuditLogEvent.MemberBanRemove, tid), 'guildAuditLogEntryCreate: MemberBanRemove');
    await userRest('DELETE', `/guilds/${GUILD_ID}/bans/${tid}`, null, reason);
    if (await unbanned) check('guild.bans.cache no longer has it', !guild.bans.cache.has(tid));
    auditGot = await audit;
    if (auditGot) checkEq('audit MemberBanRemove: reason', auditGot[0].reason, reason);

    // --- what the other two bots received ---
    if (await plain.marker('after the moderation')) {
      const kinds = plain.dispatches.slice(plainMark).map(([t]) => t);
      check('plain bot (intent GuildModeration, no BanMembers): no GUILD_BAN_ADD or GUILD_BAN_REMOVE',
        !kinds.includes('GUILD_BAN_ADD') && !kinds.includes('GUILD_BAN_REMOVE'), show(kinds));
      checkEq('plain bot: MESSAGE_DELETE_BULK for the bulk delete and for the ban (it may view general)',
        kinds.filter((t) => t === 'MESSAGE_DELETE_BULK').length, 2);
      check('plain bot (no GuildMembers intent, no ViewAuditLog): no GUILD_MEMBER_ADD/REMOVE, no audit entry',
        !kinds.some((t) => ['GUILD_MEMBER_ADD', 'GUILD_MEMBER_REMOVE', 'GUILD_AUDIT_LOG_ENTRY_CREATE'].includes(t)), show(kinds));
      const since = target.dispatches.slice(afterBan).filter(([, d]) => d.guild_id === GUILD_ID || d.id === GUILD_ID);
      check('target bot: nothing more of the guild after its GUILD_DELETE (the unban, the marker)', since.length === 0,
        show(since.map(([t]) => t)));
    }
  } finally {
    await target.destroy();
  }
}

const watchdog = setTimeout(() => {
  check(`whole run finished within ${OVERALL_TIMEOUT_MS / 1000}s`, false, `last payloads received:\n${recentPayloads()}`);
  finish(1);
}, OVERALL_TIMEOUT_MS);
watchdog.unref();

const client = new Client({
  intents: [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.MessageContent,
    GatewayIntentBits.GuildMembers,
    GatewayIntentBits.GuildModeration,
    GatewayIntentBits.DirectMessages,
    GatewayIntentBits.DirectMessageTyping,
  ],
  // A DM the client did not open or see created is not cached: its messages need Partials.Channel.
  partials: [Partials.Channel],
  rest: { api: `${BASE}/api`, cdn: BASE, timeout: 15_000, retries: 1 },
});
client.on(Events.Raw, (packet) => {
  rawLog.push(packet);
  if (packet?.t === 'READY') {
    readyPayloads.push(packet.d);
    readyTimes.push(Date.now());
  }
  if (rawLog.length > 40) rawLog.shift();
});
client.on(Events.Error, (err) => check('no client error event', false, `${err?.stack ?? err}`));
client.on(Events.ShardError, (err) => check('no shard error event', false, `${err?.stack ?? err}`));
const closes = [];
client.on(Events.ShardDisconnect, (ev) => closes.push(ev?.code));
client.on(Events.ShardReconnecting, () => closes.push('reconnecting'));
client.on(Events.Debug, (message) => {
  if (recordDebug) debugLog.push([Date.now(), String(message)]);
});

// The stripped contents of `path` once it exists (polling), or null after `ms`.
async function waitFile(path, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      return (await readFile(path, 'utf8')).trim();
    } catch (err) {
      if (err?.code !== 'ENOENT') throw err;
      await sleep(50);
    }
  }
  return null;
}

// The node holding the session is killed; discord.js must move the bot to the other node.
async function failover() {
  if (failures.length > 0) {
    check('failover: phase run (every earlier check passed)', false, `skipped, earlier checks failed: ${failures.join(', ')}`);
    return;
  }
  const oldSession = readyPayloads.at(-1)?.session_id;
  const closesMark = closes.length;
  const newReady = expectEvent(client, Events.Raw, (p) => p?.t === 'READY' && p.d?.session_id !== oldSession,
    'failover: a new READY (new session) after the kill', FAILOVER_LIMIT_MS + 15_000);
  const shardReady = expectEvent(client, Events.ShardReady, () => true, 'failover: shardReady fires again',
    FAILOVER_LIMIT_MS + 15_000 + READY_TIMEOUT_MS);
  recordDebug = true;
  await writeFile(join(FAILOVER_DIR, 'ready.tmp'), `${oldSession}\n`);
  await rename(join(FAILOVER_DIR, 'ready.tmp'), join(FAILOVER_DIR, 'ready'));
  console.log(`${PREFIX}: failover: asked the runner to kill the gateway node (session ${oldSession})`);

  const killed = await waitFile(join(FAILOVER_DIR, 'killed'), KILL_TIMEOUT_MS);
  if (!check('failover: the runner killed the node holding the session', killed !== null,
    `no ${FAILOVER_DIR}/killed within ${KILL_TIMEOUT_MS / 1000}s`)) return;
  const killedAt = Number(killed) * 1000;
  const debugSummary = () => debugLog.slice(-25).map(([at, m]) =>
    `    +${((at - killedAt) / 1000).toFixed(2)}s ${m.replaceAll('\n', ' | ')}`).join('\n') || '    (none)';
  const got = await newReady;
  if (!got) {
    console.log(`${PREFIX}: failover: debug events since the kill:\n${debugSummary()}`);
    return;
  }
  const [packet] = got;
  const index = readyPayloads.lastIndexOf(packet.d);
  const took = ((index >= 0 ? readyTimes[index] : Date.now()) - killedAt) / 1000;
  // The shard's connection steps (its debug events, first line) with their time since the kill.
  const steps = debugLog
    .filter(([, m]) => /Connecting to|unexpected code|Resuming session|Invalid session|Identifying/.test(m))
    .map(([at, m]) => `+${((at - killedAt) / 1000).toFixed(2)}s ${m.split('\n')[0].replace(/^\[WS => [^\]]*\] /, '')}`);
  if (index >= 0) steps.push(`+${took.toFixed(2)}s READY`);
  console.log(`${PREFIX}: failover: new READY ${took.toFixed(2)}s after the SIGKILL of the gateway node; `
    + `since the kill: ${steps.join(', ')}`);
  await writeFile(join(FAILOVER_DIR, 'report'), `${took.toFixed(2)}\n`);
  check(`failover: new READY within ${FAILOVER_LIMIT_MS / 1000}s of the kill`, took <= FAILOVER_LIMIT_MS / 1000,
    `took ${took.toFixed(2)}s`);
  checkEq("failover: new READY's resume_gateway_url is the surviving node's", packet.d?.resume_gateway_url,
    FAILOVER_RESUME_URL);

  // The library's own path (its debug events): resume the old session at resume_gateway_url ->
  // INVALID_SESSION false -> identify again -> READY.
  const find = (from, pred) => {
    for (let i = Math.max(from, 0); i < debugLog.length; i += 1) if (pred(debugLog[i][1])) return i;
    return -1;
  };
  const resume = find(0, (m) => m.includes('Resuming session') && m.includes(`resume url: ${EXPECT_GATEWAY}`));
  check('failover: resumed the old session at its resume_gateway_url after the kill', resume >= 0,
    `debug events since the kill:\n${debugSummary()}`);
  const invalid = find(resume, (m) => m.includes('Invalid session; will attempt to resume: false'));
  check('failover: resume answered INVALID_SESSION (d: false)', resume >= 0 && invalid > resume,
    `debug events since the kill:\n${debugSummary()}`);
  const identify = find(invalid, (m) => m.includes('Identifying'));
  check('failover: identified again after INVALID_SESSION', invalid >= 0 && identify > invalid,
    `debug events since the kill:\n${debugSummary()}`);

  if (!(await shardReady)) return;
  console.log(`${PREFIX}: failover: shardReady ${((Date.now() - killedAt) / 1000).toFixed(2)}s after the kill`);
  const guild = client.guilds.cache.get(GUILD_ID);
  check('failover: seeded guild is in client.guilds.cache again', guild?.available === true,
    show([...client.guilds.cache.keys()]));
  const since = closes.slice(closesMark);
  check('failover: shardReconnecting and no unrecoverable shardDisconnect',
    since.includes('reconnecting') && since.every((c) => c === 'reconnecting'), show(since));

  const content = `after the failover, from a person (${RUN_TAG})`;
  const incoming = expectEvent(client, Events.MessageCreate, (m) => m.content === content,
    "failover: messageCreate for the person's REST message");
  const posted = await userRest('POST', `/channels/${GENERAL_ID}/messages`, { content });
  const msgGot = await incoming;
  if (msgGot) {
    const [message] = msgGot;
    checkEq('failover: messageCreate: id matches the REST response', message.id, posted.id);
    checkEq('failover: messageCreate: author is the person', message.author?.id, USER_ID);
    checkEq('failover: messageCreate: channelId is general', message.channelId, GENERAL_ID);
  }
  checkEq('failover: client.ws.status is Ready at the end', client.ws.status, Status.Ready);
}

try {
  await scenario(client);
} catch (err) {
  check('run without unexpected exception', false, `${err?.stack ?? err}`);
}
check('no gateway disconnect or reconnect during the run', closes.length === 0, show(closes));
if (FAILOVER_DIR) {
  try {
    await failover();
  } catch (err) {
    check('failover: run without unexpected exception', false, `${err?.stack ?? err}`);
  }
}
try {
  await client.destroy();
  check('client.destroy resolved', true);
} catch (err) {
  check('client.destroy resolved', false, `${err?.stack ?? err}`);
}
clearTimeout(watchdog);
finish(0);
