import { createEffect, createMemo, createResource, createSignal, For, on, Show } from "solid-js";
import { reconcile } from "solid-js/store";
import { Alert } from "./Alert";
import { api, errorText, type Channel, type ChannelCounters, type Message } from "./api";
import { navigate, paths } from "./router";
import { Composer } from "./Composer";
import { ChannelRetentionForm, RetentionNotice } from "./Retention";
import { InviteDialog } from "./InviteDialog";
import { MessageList } from "./MessageList";
import { MessageSearch } from "./MessageSearch";
import { hasThread } from "./MessageItem";
import { ThreadList, ThreadPanel } from "./ThreadPanel";
import { channelPermissions, guildPermissions, has, P } from "./permissions";
import { STATUS_LABELS } from "./StatusMenu";
import { ago } from "./time";
import { displayName, setState, state, statusOf } from "./store";

/** One open channel: its header, messages, who is typing, and the composer. */
export function ChannelView(props: {
  guild: string;
  channel: Channel;
  jumpTo?: string;
  mayInvite: boolean;
  membersShown: boolean;
  onShowChannels: () => void;
  onToggleMembers: () => void;
}) {
  const [replyTo, setReplyTo] = createSignal<Message | null>(null);
  const [editing, setEditing] = createSignal<string | null>(null);
  const [inviting, setInviting] = createSignal(false);
  const [renaming, setRenaming] = createSignal(false);
  const [counters, setCounters] = createSignal<ChannelCounters | null>(null);
  const [rulesOpen, setRulesOpen] = createSignal(false);
  const [rulesVersion, setRulesVersion] = createSignal(0);
  const [thread, setThread] = createSignal<string | null>(null);
  const [listing, setListing] = createSignal(false);
  const [threadError, setThreadError] = createSignal<string | null>(null);
  // A new channel: no reply or edit carries over.
  createEffect(
    on(
      () => props.channel.id,
      () => {
        setReplyTo(null);
        setEditing(null);
        setInviting(false);
        setRenaming(false);
        setCounters(null);
        setRulesOpen(false);
        setThread(null);
        setListing(false);
        setThreadError(null);
      },
    ),
  );
  const dm = () => props.guild === "@me";
  // In a DM or group DM everyone may read and write; in a guild the roles and overwrites say.
  const perms = createMemo(() =>
    dm()
      ? P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY
      : channelPermissions(state.guilds[props.guild], props.channel, state.me?.id),
  );
  const typers = createMemo(() =>
    Object.keys(state.typing[props.channel.id] ?? {}).map((id) =>
      displayName(
        props.guild,
        state.guilds[props.guild]?.members[id]?.user ??
          state.privateChannels[props.channel.id]?.recipients.find((u) => u.id === id) ?? {
            id,
            username: "someone",
            global_name: null,
          },
      ),
    ),
  );
  // The channel's counters (hearth's extension), read when asked for.
  const showInfo = () => {
    if (counters()) return setCounters(null);
    void api
      .channel(props.channel.id)
      .then((c) => setCounters(c.hearth_counters ?? null))
      .catch(() => undefined);
  };
  // A message's thread: opened when it has one, else started (named after the message).
  const onThread = (m: Message) => {
    setThreadError(null);
    if (hasThread(m)) return setThread(m.id);
    const name = m.content.trim().slice(0, 40) || "Thread";
    api
      .startThread(props.channel.id, m.id, name)
      .then((t) => {
        setState("threads", t.id, reconcile(t));
        setThread(t.id);
      })
      .catch((e) => setThreadError(errorText(e)));
  };
  const threadsHere = () => !dm() && props.channel.type === 0;
  const lastOwn = () => {
    const list = state.messages[props.channel.id]?.list ?? [];
    for (let i = list.length - 1; i >= 0; i--) if (list[i].author.id === state.me?.id) return list[i].id;
    return undefined;
  };

  return (
    <section class="channel-view" aria-label={`${dm() ? "@" : "#"}${props.channel.name}`}>
      <header class="channel-head">
        <button type="button" class="only-phone" onClick={() => props.onShowChannels()}>
          Channels
        </button>
        <h2>
          <span aria-hidden="true">{dm() ? "@" : "#"}</span>
          {props.channel.name}
        </h2>
        <Show when={props.channel.topic}>
          <p class="topic">{props.channel.topic}</p>
        </Show>
        <Show when={dm() && props.channel.type === 1 && state.privateChannels[props.channel.id]?.recipients[0]}>
          {(other) => <DmStatus user={other().id} />}
        </Show>
        <MessageSearch guild={props.guild} channel={props.channel} />
        <div class="head-actions">
          <Show when={props.mayInvite}>
            <button type="button" onClick={() => setInviting(!inviting())} aria-expanded={inviting()}>
              Invite people
            </button>
          </Show>
          <Show when={threadsHere()}>
            <button type="button" onClick={() => setListing(!listing())} aria-expanded={listing()}>
              Threads
            </button>
          </Show>
          <Show when={!dm()}>
            <button type="button" onClick={showInfo} aria-expanded={counters() !== null}>
              Channel info
            </button>
          </Show>
          <Show when={!dm()}>
            <button type="button" onClick={() => props.onToggleMembers()} aria-pressed={props.membersShown}>
              Members
            </button>
          </Show>
          <Show when={dm() && props.channel.type === 3}>
            <button type="button" onClick={() => setRenaming(!renaming())} aria-expanded={renaming()}>
              Rename group
            </button>
          </Show>
          <Show when={dm()}>
            <button type="button" onClick={() => setRulesOpen(!rulesOpen())} aria-expanded={rulesOpen()}>
              Deletion rules
            </button>
          </Show>
          <Show when={dm() && props.channel.type === 3}>
            <button
              type="button"
              onClick={() =>
                void api
                  .leaveGroup(props.channel.id)
                  .then(() => navigate(paths.channel("@me")))
                  .catch(() => undefined)
              }
            >
              Leave group
            </button>
          </Show>
        </div>
      </header>
      <RetentionNotice channel={props.channel.id} version={rulesVersion()} />
      <Show when={rulesOpen()}>
        <ChannelRetentionForm channel={props.channel.id} onSaved={() => setRulesVersion(rulesVersion() + 1)} />
      </Show>
      <Show when={counters()}>
        {(c) => (
          <p class="channel-counters" role="status" aria-label="Channel info">
            {plural(c().members, "member")} · {plural(c().guests, "guest")} · {plural(c().messages, "message")}
            {c().last_activity_at ? ` · last active ${new Date(c().last_activity_at!).toLocaleString()}` : " · no messages yet"}
          </p>
        )}
      </Show>
      <Show when={state.connection === "offline"}>
        <p class="connection" role="status">
          Connection lost. Reconnecting…
        </p>
      </Show>
      <Show when={renaming()}>
        <RenameGroup channel={props.channel} onDone={() => setRenaming(false)} />
      </Show>
      <Show when={inviting()}>
        <InviteDialog
          channel={props.channel}
          mayAdmitGuests={has(guildPermissions(state.guilds[props.guild], state.me?.id), P.MANAGE_GUILD)}
          onClose={() => setInviting(false)}
        />
      </Show>
      <MessageList
        guild={props.guild}
        channel={props.channel}
        jumpTo={props.jumpTo}
        editing={editing()}
        onEdit={setEditing}
        onReply={setReplyTo}
        mayManage={has(perms(), P.MANAGE_MESSAGES)}
        onThread={threadsHere() ? onThread : undefined}
      />
      <Alert message={threadError()} />
      <Show when={listing()}>
        <ThreadList
          parent={props.channel}
          onOpen={(id) => {
            setThread(id);
            setListing(false);
          }}
        />
      </Show>
      <Show when={thread()}>
        {(id) => <ThreadPanel guild={props.guild} parent={props.channel} thread={id()} onClose={() => setThread(null)} />}
      </Show>
      <div class="typing" aria-live="polite">
        <Show when={typers().length > 0}>
          <For each={typers().length > 3 ? [] : typers()}>
            {(name, i) => (
              <>
                <strong>{name}</strong>
                {i() < typers().length - 2 ? ", " : i() === typers().length - 2 ? " and " : ""}
              </>
            )}
          </For>
          {typers().length > 3 ? "Several people are typing…" : typers().length === 1 ? " is typing…" : " are typing…"}
        </Show>
      </div>
      <Composer
        guild={props.guild}
        channel={props.channel}
        maySend={has(perms(), P.SEND_MESSAGES)}
        replyTo={replyTo()}
        onCancelReply={() => setReplyTo(null)}
        onEditLast={() => {
          const id = lastOwn();
          if (id) setEditing(id);
          return Boolean(id);
        }}
      />
    </section>
  );
}

/** The other person's status in a DM header; when they are offline, when they were last seen. */
function DmStatus(props: { user: string }) {
  const status = () => statusOf(props.user);
  const [profile] = createResource(
    () => (status() === "offline" ? props.user : false),
    (id) => api.user(id).catch(() => undefined),
  );
  return (
    <p class="dm-status" role="status">
      <span class={`presence-dot ${status()}`} aria-hidden="true" />
      {status() !== "offline"
        ? STATUS_LABELS[status()]
        : profile()?.last_seen_at
          ? `Last seen ${ago(profile()!.last_seen_at!)}`
          : "Offline"}
    </p>
  );
}

/** Renaming a group DM (an empty name clears it). */
function RenameGroup(props: { channel: Channel; onDone: () => void }) {
  const [name, setName] = createSignal(state.privateChannels[props.channel.id]?.name ?? "");
  const [error, setError] = createSignal<string | null>(null);
  const save = (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    api
      .renameGroup(props.channel.id, name().trim())
      .then((c) => {
        setState("privateChannels", c.id, reconcile(c));
        props.onDone();
      })
      .catch((err) => setError(errorText(err)));
  };
  return (
    <form class="rename-group" onSubmit={save}>
      <label for="group-name">Group name</label>
      <input id="group-name" maxLength={100} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
      <button type="submit">Save</button>
      <button type="button" onClick={() => props.onDone()}>
        Cancel
      </button>
      <Alert message={error()} />
    </form>
  );
}

/** "1 member", "3 members". */
function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
