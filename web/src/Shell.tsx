import { createEffect, createMemo, createSignal, For, Show } from "solid-js";
import { api, errorText, type Channel } from "./api";
import { ChannelView } from "./ChannelView";
import { receivedInvites } from "./DirectedInvites";
import { Friends } from "./Friends";
import { useSession } from "./Client";
import { Link } from "./Link";
import { MemberList } from "./MemberList";
import { has, P, channelPermissions, guildPermissions } from "./permissions";
import { navigate, paths, route } from "./router";
import { cmpId, isUnread, privateName, state } from "./store";
import { StatusMenu } from "./StatusMenu";
import { Alert } from "./Alert";
import { ChannelEntry, NotificationSettings } from "./Preferences";
import { isChannelMuted, isFavourite, isServerMuted } from "./preferences";

/** Text-like channels (text, announcement) a person can open. */
const TEXT = new Set([0, 5]);

/** A guild's channels as the sidebar shows them: uncategorised first, then each category. */
export function sidebarGroups(channels: Channel[]) {
  const order = (a: Channel, b: Channel) => a.position - b.position || cmpId(a.id, b.id);
  const cats = channels.filter((c) => c.type === 4).sort(order);
  const inside = (parent: string | null) =>
    channels
      .filter((c) => c.type !== 4 && (c.parent_id ?? null) === parent)
      .sort((a, b) => Number(a.type === 2) - Number(b.type === 2) || order(a, b));
  return [
    { category: null as Channel | null, channels: inside(null) },
    ...cats.map((c) => ({ category: c as Channel | null, channels: inside(c.id) })),
  ];
}

/** The sidebar's groups with the guild's default channels (hearth's extension) first, under
 * "Start here", and taken out of their own group; the rest as they were. */
export function startHere(groups: ReturnType<typeof sidebarGroups>, defaults: string[]) {
  const all = groups.flatMap((g) => g.channels);
  const first = defaults
    .map((id) => all.find((c) => c.id === id && TEXT.has(c.type)))
    .filter((c): c is Channel => !!c);
  if (first.length === 0) return groups.map((g) => ({ ...g, label: g.category?.name }));
  const picked = new Set(first.map((c) => c.id));
  return [
    { category: null as Channel | null, channels: first, label: "Start here" as string | undefined },
    ...groups.map((g) => ({ ...g, channels: g.channels.filter((c) => !picked.has(c.id)), label: g.category?.name })),
  ];
}

/** The sidebar's sections: the person's favourite text channels first ("Favourites"), then the
 * guild's default channels ("Start here"), then the rest by category; each channel shows once. */
export function sidebarSections(guild: string, channels: Channel[], defaults: string[]) {
  const favourite = (c: Channel) => TEXT.has(c.type) && isFavourite(guild, c.id);
  const favourites = sidebarGroups(channels.filter(favourite)).flatMap((g) => g.channels);
  const rest = startHere(sidebarGroups(channels.filter((c) => !favourite(c))), defaults);
  if (favourites.length === 0) return rest;
  return [{ category: null as Channel | null, channels: favourites, label: "Favourites" as string | undefined }, ...rest];
}

/** Whether a channel counts as unread: muted ones (and those of a muted server) never do. */
export function unreadHere(scope: string, c: { id: string; last_message_id?: string | null }): boolean {
  return isUnread(c) && !isChannelMuted(scope, c.id) && !isServerMuted(scope);
}

/** The signed-in layout: servers, channels, the open channel, its members. */
export function Shell() {
  const session = useSession();
  const r = createMemo(() => {
    const x = route();
    return x.kind === "channel" ? x : null;
  });
  const guild = createMemo(() => (r() ? state.guilds[r()!.guild] : undefined));
  const channels = createMemo(() => Object.values(guild()?.channels ?? {}));
  const groups = createMemo(() => startHere(sidebarGroups(channels()), guild()?.defaultChannels ?? []));
  // The first default channel when there is one (where a new member starts).
  const firstText = createMemo(() =>
    groups()
      .flatMap((g) => g.channels)
      .find((c) => TEXT.has(c.type)),
  );
  // A guild without a channel in the path opens its first text channel.
  createEffect(() => {
    const x = r();
    if (x && guild() && !x.channel && firstText()) navigate(paths.channel(x.guild, firstText()!.id), true);
  });
  const channel = createMemo(() => (r()?.channel ? guild()?.channels[r()!.channel!] : undefined));
  // A DM or group DM open at /channels/@me/{id}.
  const dm = createMemo(() => (r()?.guild === "@me" && r()?.channel ? state.privateChannels[r()!.channel!] : undefined));
  // At phone width one pane shows at a time.
  const [pane, setPane] = createSignal<"channels" | "chat" | "members">("chat");
  const phone = window.matchMedia("(max-width: 760px)");
  // The member list starts shown where there is room for it.
  const [showMembers, setShowMembers] = createSignal(!window.matchMedia("(max-width: 1100px)").matches);
  const perms = createMemo(() => guildPermissions(guild(), state.me?.id));
  const [notifications, setNotifications] = createSignal(false);
  // The server is told which channel was opened (it keeps one a minute).
  createEffect(() => {
    const open = channel()?.id ?? dm()?.id;
    if (open) void api.recordAccess(open).catch(() => undefined);
  });
  const mayManage = createMemo(
    () =>
      has(perms(), P.MANAGE_GUILD) ||
      has(perms(), P.MANAGE_CHANNELS) ||
      has(perms(), P.MANAGE_ROLES) ||
      has(perms(), P.KICK_MEMBERS) ||
      has(perms(), P.BAN_MEMBERS) ||
      has(perms(), P.MODERATE_MEMBERS) ||
      has(perms(), P.VIEW_AUDIT_LOG),
  );

  return (
    <div
      class="shell"
      classList={{
        "home-list": route().kind === "home",
        "pane-channels": pane() === "channels",
        "pane-members": pane() === "members",
        "no-members": !showMembers() && pane() !== "members",
      }}
    >
      <ServerRail current={r()?.guild} onPick={() => setPane("chat")} />
      <aside class="sidebar" aria-label="Channels">
        <Show
          when={guild()}
          fallback={
            <div class="sidebar-home">
              <DirectMessages current={dm()?.id} onPick={() => setPane("chat")} />
              <NewServer />
            </div>
          }
        >
          {(g) => (
            <>
              <header class="sidebar-head">
                <h1>{g().name}</h1>
                <Show when={mayManage()}>
                  <Link class="icon-button" href={paths.guildSettings(g().id)}>
                    Server settings
                  </Link>
                </Show>
                <button
                  type="button"
                  class="icon-button"
                  aria-expanded={notifications()}
                  onClick={() => setNotifications(!notifications())}
                >
                  Notification settings
                </button>
              </header>
              <Show when={notifications()}>
                <NotificationSettings guild={g().id} onClose={() => setNotifications(false)} />
              </Show>
              <nav class="channel-list" aria-label="Channel list">
                <For each={sidebarSections(g().id, channels(), guild()?.defaultChannels ?? [])}>
                  {(group) => (
                    <Show when={group.category || group.channels.length > 0}>
                      <section
                        aria-label={!group.category ? group.label : undefined}
                        classList={{ "start-here": group.label === "Start here" && !group.category }}
                      >
                        <Show when={group.label}>
                          <h2 class="category">{group.label}</h2>
                        </Show>
                        <ul>
                          <For each={group.channels}>
                            {(c) => (
                              <Show
                                when={TEXT.has(c.type)}
                                fallback={
                                  <li>
                                    <span class="channel voice">{c.name}</span>
                                  </li>
                                }
                              >
                                <ChannelEntry scope={g().id} channel={c.id} name={`#${c.name}`} favourites={true}>
                                  <Link
                                    class="channel"
                                    classList={{
                                      current: c.id === r()?.channel,
                                      unread: unreadHere(g().id, c) && c.id !== r()?.channel,
                                    }}
                                    href={paths.channel(g().id, c.id)}
                                    aria-current={c.id === r()?.channel ? "page" : undefined}
                                    onFollow={() => setPane("chat")}
                                  >
                                    <span aria-hidden="true">#</span>
                                    {c.name}
                                    <Show when={isChannelMuted(g().id, c.id)}>
                                      <span class="sr-only"> (muted)</span>
                                    </Show>
                                    <Show when={unreadHere(g().id, c) && c.id !== r()?.channel}>
                                      <span class="unread-dot" aria-label="unread" role="img" />
                                    </Show>
                                  </Link>
                                </ChannelEntry>
                              </Show>
                            )}
                          </For>
                        </ul>
                      </section>
                    </Show>
                  )}
                </For>
              </nav>
            </>
          )}
        </Show>
        <footer class="me-bar">
          <StatusMenu />
          <Link href={paths.userSettings()}>User settings</Link>
          <button type="button" onClick={() => void api.logout().catch(() => undefined).then(session.signOut)}>
            Log out
          </button>
        </footer>
      </aside>
      <main class="chat">
        <Show when={dm()}>
          {(c) => (
            <ChannelView
              guild="@me"
              channel={{ id: c().id, type: c().type, name: privateName(c()), position: 0 }}
              jumpTo={r()?.message}
              mayInvite={false}
              onShowChannels={() => setPane("channels")}
              onToggleMembers={() => undefined}
              membersShown={false}
            />
          )}
        </Show>
        <Show
          when={guild() && channel()}
          fallback={
            <Show when={!dm()}>
              <Show
                when={!guild()}
                fallback={
                  <div class="chat-empty">
                    <button type="button" class="only-phone" onClick={() => setPane("channels")}>
                      Channels
                    </button>
                    <p>This server has no channel you can read yet.</p>
                  </div>
                }
              >
                <div class="chat-empty">
                  <button type="button" class="only-phone" onClick={() => setPane("channels")}>
                    Conversations
                  </button>
                  <Friends />
                </div>
              </Show>
            </Show>
          }
        >
          <ChannelView
            guild={guild()!.id}
            channel={channel()!}
            jumpTo={r()?.message}
            mayInvite={has(channelPermissions(guild(), channel(), state.me?.id), P.CREATE_INSTANT_INVITE)}
            onShowChannels={() => setPane("channels")}
            onToggleMembers={() => (phone.matches ? setPane("members") : setShowMembers(!showMembers()))}
            membersShown={showMembers()}
          />
        </Show>
      </main>
      <Show when={guild() && (showMembers() || pane() === "members")}>
        <MemberList guild={guild()!.id} onBack={() => setPane("chat")} />
      </Show>
    </div>
  );
}

function ServerRail(props: { current?: string; onPick: () => void }) {
  const guilds = createMemo(() => Object.values(state.guilds).sort((a, b) => cmpId(a.id, b.id)));
  const unread = (id: string) =>
    Object.values(state.guilds[id]?.channels ?? {}).some((c) => TEXT.has(c.type) && unreadHere(id, c));
  return (
    <nav class="server-rail" aria-label="Servers">
      <ul>
        <li>
          <Link
            class="server home"
            classList={{ unread: Object.values(state.privateChannels).some((c) => unreadHere("@me", c)) }}
            href="/"
            aria-current={!props.current || props.current === "@me" ? "page" : undefined}
            title="Home"
          >
            ⌂<span class="sr-only">Home</span>
          </Link>
        </li>
        <For each={guilds()}>
          {(g) => (
            <li>
              <Link
                class="server"
                classList={{ current: g.id === props.current, unread: unread(g.id) }}
                href={paths.channel(g.id)}
                aria-current={g.id === props.current ? "page" : undefined}
                title={g.name}
                onFollow={() => props.onPick()}
              >
                <span aria-hidden="true">{initials(g.name)}</span>
                <span class="sr-only">{g.name}</span>
              </Link>
            </li>
          )}
        </For>
      </ul>
    </nav>
  );
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  return (words.length > 1 ? words.slice(0, 3).map((w) => [...w][0]).join("") : [...name].slice(0, 2).join("")).toUpperCase();
}

/** Making a server; it opens when the gateway says it exists. */
function NewServer() {
  const [name, setName] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const g = await api.createGuild(name().trim());
      setName("");
      navigate(paths.channel(g.id));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <>
      <Show when={Object.keys(state.guilds).length === 0}>
        <p>No servers yet.</p>
      </Show>
      <form class="new-server" onSubmit={create}>
        <label for="new-server-name">Server name</label>
        <input id="new-server-name" required maxLength={100} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit">Create server</button>
        <Alert message={error()} />
      </form>
      <JoinByInvite />
    </>
  );
}

/** Joining a server by an invite link or code: opens the invite's page. */
function JoinByInvite() {
  const [link, setLink] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const open = (e: SubmitEvent) => {
    e.preventDefault();
    const text = link().trim();
    const code = text.split("/").filter(Boolean).pop() ?? "";
    if (!/^[A-Za-z0-9]{1,32}$/.test(code)) {
      setError("That is not an invite link.");
      return;
    }
    setError(null);
    navigate(`/invite/${code}`);
  };
  return (
    <form class="new-server" onSubmit={open}>
      <label for="join-invite">Invite link</label>
      <input id="join-invite" required value={link()} onInput={(e) => setLink(e.currentTarget.value)} placeholder="https://…/invite/…" />
      <button type="submit">Join server</button>
      <Alert message={error()} />
    </form>
  );
}

/** The person's DMs and group DMs, the most recently active first. */
function DirectMessages(props: { current?: string; onPick: () => void }) {
  const list = createMemo(() =>
    Object.values(state.privateChannels).sort((a, b) => cmpId(b.last_message_id ?? b.id, a.last_message_id ?? a.id)),
  );
  return (
    <nav class="channel-list dm-list" aria-label="Direct messages">
      <Link
        class="channel"
        classList={{ current: route().kind === "channel" && !props.current }}
        href={paths.channel("@me")}
        onFollow={() => props.onPick()}
      >
        Friends
        <Show when={Object.values(state.relationships).some((r) => r.type === 3)}>
          <span class="badge" aria-label="friend requests">
            {Object.values(state.relationships).filter((r) => r.type === 3).length}
          </span>
        </Show>
        <Show when={receivedInvites().length > 0}>
          <span class="badge invites" aria-label="server invites">
            {receivedInvites().length}
          </span>
        </Show>
      </Link>
      <h2 class="category">Direct messages</h2>
      <Show when={list().length > 0} fallback={<p class="hint">No conversations yet: start one from a member list.</p>}>
        <ul>
          <For each={list()}>
            {(c) => (
              <ChannelEntry scope="@me" channel={c.id} name={privateName(c)} favourites={false}>
                <Link
                  class="channel"
                  classList={{ current: c.id === props.current, unread: unreadHere("@me", c) && c.id !== props.current }}
                  href={paths.channel("@me", c.id)}
                  aria-current={c.id === props.current ? "page" : undefined}
                  onFollow={() => props.onPick()}
                >
                  {privateName(c)}
                  <Show when={isChannelMuted("@me", c.id)}>
                    <span class="sr-only"> (muted)</span>
                  </Show>
                  <Show when={unreadHere("@me", c) && c.id !== props.current}>
                    <span class="unread-dot" aria-label="unread" role="img" />
                  </Show>
                </Link>
              </ChannelEntry>
            )}
          </For>
        </ul>
      </Show>
    </nav>
  );
}
