// The gateway's events applied to the client's state.
import { batch } from "solid-js";
import { produce, reconcile } from "solid-js/store";
import { api, type Channel, type DirectedInvite, type Guild, type GuildSettings, type Member, type Message, type Presence, type PrivateChannel, type Relationship, type Role } from "./api";
import {
  cmpId,
  guildFromCreate,
  markRead,
  removeMessages,
  setState,
  state,
  upsertMessages,
} from "./store";
import { applyReactionEvent } from "./reactions";

/** DM and group DM channel types. */
const PRIVATE = new Set([1, 3]);

/** How long a typing indicator lasts without a new TYPING_START (as Discord: 10 s). */
const TYPING_MS = 10_000;

/** Guilds READY listed whose GUILD_CREATE has not arrived yet. */
let pending = new Set<string>();
let readyTimer: ReturnType<typeof setTimeout> | undefined;

/** Ready to show once every listed guild arrived (or after 5 s, whatever came). */
function settle() {
  if (pending.size === 0 && !state.ready) {
    clearTimeout(readyTimer);
    setState("ready", true);
  }
}

function setChannel(c: Channel) {
  if (!c.guild_id || !state.guilds[c.guild_id]) return;
  setState("guilds", c.guild_id, "channels", c.id, reconcile(c));
}

export function applyEvent(t: string, d: any) {
  if (applyReactionEvent(t, d)) return;
  switch (t) {
    case "READY":
      batch(() => {
        setState("me", d.user);
        // Guilds arrive in their GUILD_CREATE; ones no longer listed are gone.
        const listed = new Set<string>((d.guilds ?? []).map((g: { id: string }) => g.id));
        for (const id of Object.keys(state.guilds)) {
          if (!listed.has(id)) setState("guilds", produce((gs) => delete gs[id]));
        }
        setState(
          "privateChannels",
          reconcile(Object.fromEntries((d.private_channels ?? []).map((c: PrivateChannel) => [c.id, c]))),
        );
        setState(
          "relationships",
          reconcile(Object.fromEntries((d.relationships ?? []).map((r: Relationship) => [r.id, r]))),
        );
        setState(
          "friendPresences",
          reconcile(Object.fromEntries((d.presences ?? []).map((p: Presence) => [p.user.id, p]))),
        );
        // READY does not carry directed invites: they are read once per session.
        void loadDirectedInvites();
        const entries: GuildSettings[] = d.user_guild_settings?.entries ?? [];
        setState("guildSettings", reconcile(Object.fromEntries(entries.map((e) => [e.guild_id ?? "@me", e]))));
        pending = listed;
        clearTimeout(readyTimer);
        readyTimer = setTimeout(() => setState("ready", true), 5000);
        settle();
      });
      break;
    case "GUILD_CREATE":
      setState("guilds", (d as Guild).id, reconcile(guildFromCreate(d as Guild)));
      for (const t of (d.threads ?? []) as Channel[]) setState("threads", t.id, reconcile(t));
      pending.delete((d as Guild).id);
      settle();
      break;
    case "GUILD_UPDATE":
      if (state.guilds[d.id]) {
        batch(() => {
          setState("guilds", d.id, "name", d.name);
          setState("guilds", d.id, "owner_id", d.owner_id);
          if (Array.isArray(d.hearth_default_channel_ids)) {
            setState("guilds", d.id, "defaultChannels", d.hearth_default_channel_ids as string[]);
          }
          if (Array.isArray(d.roles)) {
            for (const r of d.roles as Role[]) setState("guilds", d.id, "roles", r.id, reconcile(r));
          }
        });
      }
      break;
    case "GUILD_DELETE":
      setState("guilds", produce((gs) => delete gs[d.id]));
      break;
    case "CHANNEL_CREATE":
    case "CHANNEL_UPDATE":
      if (PRIVATE.has(d.type)) setState("privateChannels", d.id, reconcile(d as PrivateChannel));
      else setChannel(d as Channel);
      break;
    case "CHANNEL_RECIPIENT_ADD":
      if (state.privateChannels[d.channel_id]) {
        setState("privateChannels", d.channel_id, "recipients", (rs) => [...rs.filter((u) => u.id !== d.user.id), d.user]);
      }
      break;
    case "CHANNEL_RECIPIENT_REMOVE":
      if (state.privateChannels[d.channel_id]) {
        setState("privateChannels", d.channel_id, "recipients", (rs) => rs.filter((u) => u.id !== d.user.id));
      }
      break;
    case "CHANNEL_DELETE":
      if (PRIVATE.has(d.type)) setState("privateChannels", produce((cs) => delete cs[d.id]));
      if (d.guild_id && state.guilds[d.guild_id]) {
        setState("guilds", d.guild_id, "channels", produce((cs) => delete cs[d.id]));
      }
      break;
    case "GUILD_ROLE_CREATE":
    case "GUILD_ROLE_UPDATE":
      if (state.guilds[d.guild_id]) setState("guilds", d.guild_id, "roles", d.role.id, reconcile(d.role));
      break;
    case "GUILD_ROLE_DELETE":
      if (state.guilds[d.guild_id]) setState("guilds", d.guild_id, "roles", produce((rs) => delete rs[d.role_id]));
      break;
    case "GUILD_MEMBER_ADD":
    case "GUILD_MEMBER_UPDATE": {
      const g = state.guilds[d.guild_id];
      if (!g) break;
      const prev = g.members[d.user.id];
      const member: Member = { ...(prev ?? { joined_at: d.joined_at ?? "" }), ...d };
      setState("guilds", d.guild_id, "members", d.user.id, reconcile(member));
      break;
    }
    case "GUILD_MEMBER_REMOVE":
      if (state.guilds[d.guild_id]) {
        setState("guilds", d.guild_id, "members", produce((ms) => delete ms[d.user.id]));
      }
      break;
    case "PRESENCE_UPDATE": {
      const p = d as Presence & { guild_id?: string };
      if (p.guild_id && state.guilds[p.guild_id]) {
        setState("guilds", p.guild_id, "presences", p.user.id, reconcile(p));
      } else if (!p.guild_id) {
        // A friend's presence comes without a guild.
        setState("friendPresences", p.user.id, reconcile(p));
      }
      break;
    }
    case "THREAD_CREATE":
    case "THREAD_UPDATE":
      setState("threads", d.id, reconcile(d as Channel));
      break;
    case "THREAD_DELETE":
      setState("threads", produce((t) => delete t[d.id]));
      break;
    case "THREAD_MEMBERS_UPDATE":
      if (state.threads[d.id]) setState("threads", d.id, "member_count", d.member_count);
      break;
    case "MESSAGE_CREATE": {
      const m = d as Message;
      batch(() => {
        // Appended only where the list reaches the present (otherwise it is fetched later).
        if (state.messages[m.channel_id]?.latest) upsertMessages(m.channel_id, [m]);
        const dm = state.privateChannels[m.channel_id];
        if (!m.guild_id && dm && (!dm.last_message_id || cmpId(m.id, dm.last_message_id) > 0)) {
          setState("privateChannels", m.channel_id, "last_message_id", m.id);
        }
        if (m.guild_id && state.guilds[m.guild_id]?.channels[m.channel_id]) {
          const last = state.guilds[m.guild_id].channels[m.channel_id].last_message_id;
          if (!last || cmpId(m.id, last) > 0) {
            setState("guilds", m.guild_id, "channels", m.channel_id, "last_message_id", m.id);
          }
        }
        if (m.author.id === state.me?.id) markRead(m.channel_id, m.id);
        if (state.typing[m.channel_id]?.[m.author.id]) {
          setState("typing", m.channel_id, produce((t) => delete t[m.author.id]));
        }
      });
      break;
    }
    case "MESSAGE_UPDATE": {
      const list = state.messages[d.channel_id]?.list;
      const i = list?.findIndex((m) => m.id === d.id) ?? -1;
      if (i >= 0) setState("messages", d.channel_id, "list", i, (old) => ({ ...old, ...d }));
      break;
    }
    case "MESSAGE_DELETE":
      removeMessages(d.channel_id, [d.id]);
      break;
    case "MESSAGE_DELETE_BULK":
      removeMessages(d.channel_id, d.ids ?? []);
      break;
    case "TYPING_START": {
      if (d.user_id === state.me?.id) break;
      const until = Date.now() + TYPING_MS;
      if (!state.typing[d.channel_id]) setState("typing", d.channel_id, {});
      setState("typing", d.channel_id, d.user_id, until);
      if (d.member?.user && d.guild_id && state.guilds[d.guild_id] && !state.guilds[d.guild_id].members[d.user_id]) {
        setState("guilds", d.guild_id, "members", d.user_id, d.member);
      }
      setTimeout(() => {
        if ((state.typing[d.channel_id]?.[d.user_id] ?? 0) <= Date.now()) {
          setState("typing", d.channel_id, produce((t) => delete t[d.user_id]));
        }
      }, TYPING_MS + 50);
      break;
    }
    case "RELATIONSHIP_ADD":
    case "RELATIONSHIP_UPDATE":
      setState("relationships", d.id, reconcile(d as Relationship));
      break;
    case "RELATIONSHIP_REMOVE":
      batch(() => {
        setState("relationships", produce((rs) => delete rs[d.id]));
        setState("friendPresences", produce((ps) => delete ps[d.id]));
      });
      break;
    case "DIRECTED_INVITE_CREATE":
    case "DIRECTED_INVITE_UPDATE":
      // Only pending invites are shown: an answered, cancelled or expired one goes.
      if (d.status === 0) setState("directedInvites", d.id, reconcile(d as DirectedInvite));
      else setState("directedInvites", produce((is) => delete is[d.id]));
      break;
    case "USER_GUILD_SETTINGS_UPDATE":
      setState("guildSettings", (d as GuildSettings).guild_id ?? "@me", reconcile(d as GuildSettings));
      break;
    case "USER_UPDATE":
      if (state.me && d.id === state.me.id) setState("me", reconcile(d));
      break;
  }
}

/** Reads the pending directed invites (received and sent) into the store. */
async function loadDirectedInvites() {
  try {
    const list = await api.directedInvites();
    setState("directedInvites", reconcile(Object.fromEntries(list.map((i) => [i.id, i]))));
  } catch {
    // Offline: the next READY reads them again.
  }
}
