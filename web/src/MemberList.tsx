import { createEffect, createMemo, For, Show } from "solid-js";
import { api, type Member, type Role } from "./api";
import { navigate, paths } from "./router";
import { STATUS_LABELS } from "./StatusMenu";
import { cmpId, displayName, setState, state } from "./store";

/** Members fetched once per guild per page load (the gateway keeps them current after). */
const fetched = new Set<string>();

async function fetchMembers(guild: string) {
  if (fetched.has(guild)) return;
  fetched.add(guild);
  let after: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await api.members(guild, after).catch(() => [] as Member[]);
    for (const m of page) {
      if (state.guilds[guild]) setState("guilds", guild, "members", m.user.id, m);
    }
    if (page.length < 1000) break;
    after = page[page.length - 1].user.id;
  }
}

/** Opens (or finds) the DM with `user` and shows it. */
async function openDm(user: string) {
  const c = await api.openDm(user);
  setState("privateChannels", c.id, c);
  navigate(paths.channel("@me", c.id));
}

/** A guild's members grouped as Discord does: by their highest hoisted role, then online, then
 * offline; guests (hearth's extension) apart, under "Guests", after the others. */
export function MemberList(props: { guild: string; onBack: () => void }) {
  createEffect(() => void fetchMembers(props.guild));
  const g = () => state.guilds[props.guild];
  // One's own presence is not sent to oneself: it is what this client chose.
  const statusOf = (id: string) => {
    const s = id === state.me?.id ? state.status : (g()?.presences[id]?.status ?? "offline");
    return s === "invisible" ? "offline" : s;
  };
  const groups = createMemo(() => {
    const guild = g();
    if (!guild) return [];
    const hoisted = Object.values(guild.roles)
      .filter((r) => r.hoist && r.id !== guild.id)
      .sort((a, b) => b.position - a.position || cmpId(a.id, b.id));
    const rank = new Map(hoisted.map((r, i) => [r.id, i]));
    const buckets = new Map<string, Member[]>();
    for (const m of Object.values(guild.members)) {
      let key = "offline";
      if (m.hearth_kind === "guest") {
        key = "guests";
      } else if (statusOf(m.user.id) !== "offline") {
        const top = m.roles.filter((r) => rank.has(r)).sort((a, b) => rank.get(a)! - rank.get(b)!)[0];
        key = top ?? "online";
      }
      if (!buckets.has(key)) buckets.set(key, []);
      buckets.get(key)!.push(m);
    }
    const byName = (a: Member, b: Member) =>
      displayName(props.guild, a.user).localeCompare(displayName(props.guild, b.user));
    const out: { label: string; role?: Role; members: Member[] }[] = [];
    for (const r of hoisted) {
      if (buckets.has(r.id)) out.push({ label: r.name, role: r, members: buckets.get(r.id)!.sort(byName) });
    }
    if (buckets.has("online")) out.push({ label: "Online", members: buckets.get("online")!.sort(byName) });
    if (buckets.has("offline")) out.push({ label: "Offline", members: buckets.get("offline")!.sort(byName) });
    if (buckets.has("guests")) out.push({ label: "Guests", members: buckets.get("guests")!.sort(byName) });
    return out;
  });
  const customOf = (id: string) =>
    id === state.me?.id
      ? state.customStatus
      : g()?.presences[id]?.activities?.find((a) => a.type === 4)?.state;
  return (
    <aside class="members" aria-label="Members">
      <button type="button" class="only-phone" onClick={() => props.onBack()}>
        Back to chat
      </button>
      <For each={groups()}>
        {(group) => (
          <section>
            <h2 class="category">
              {group.label} — {group.members.length}
            </h2>
            <ul>
              <For each={group.members}>
                {(m) => (
                  <li class="member" classList={{ offline: statusOf(m.user.id) === "offline" }}>
                    <span class={`presence-dot ${statusOf(m.user.id)}`} role="img" aria-label={STATUS_LABELS[statusOf(m.user.id)]} />
                    <span class="member-name" style={roleColor(props.guild, m)}>
                      {displayName(props.guild, m.user)}
                    </span>
                    <Show when={m.user.bot}>
                      <span class="badge">BOT</span>
                    </Show>
                    <GuestBadge member={m} />
                    <Show when={m.user.id !== state.me?.id}>
                      <button
                        type="button"
                        class="dm-button"
                        aria-label={`Message ${displayName(props.guild, m.user)}`}
                        onClick={() => void openDm(m.user.id)}
                      >
                        Message
                      </button>
                    </Show>
                    <Show when={statusOf(m.user.id) !== "offline" && customOf(m.user.id)}>
                      <span class="custom-status">{customOf(m.user.id)}</span>
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </section>
        )}
      </For>
    </aside>
  );
}

/** The colour of a member's highest coloured role, as a style object (CSSOM; CSP allows it). */
export function roleColor(guild: string, m: { roles?: string[] } | undefined): { color?: string } {
  const g = state.guilds[guild];
  if (!g || !m?.roles) return {};
  const top = m.roles
    .map((r) => g.roles[r])
    .filter((r) => r && r.color)
    .sort((a, b) => b.position - a.position)[0];
  return top ? { color: `#${top.color.toString(16).padStart(6, "0")}` } : {};
}

/** The "Guest" badge shown beside a guest's name (hearth's extension), with their expiry. */
export function GuestBadge(props: { member: { hearth_kind?: string; hearth_guest_expires_at?: string | null } | undefined }) {
  const until = () => props.member?.hearth_guest_expires_at;
  return (
    <Show when={props.member?.hearth_kind === "guest"}>
      <span class="badge guest-badge" title={until() ? `Guest until ${new Date(until()!).toLocaleString()}` : "Guest"}>
        Guest
      </span>
    </Show>
  );
}
