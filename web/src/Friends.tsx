import { createMemo, createSignal, For, Show, type JSX } from "solid-js";
import { Alert } from "./Alert";
import { DirectedInvites } from "./DirectedInvites";
import { api, errorText, type Relationship } from "./api";
import { navigate, paths } from "./router";
import { STATUS_LABELS } from "./StatusMenu";
import { setState, state, statusOf } from "./store";

const nameOf = (r: Relationship) => r.nickname || r.user.global_name || r.user.username;

/** Friends, friend requests and blocks: adding by username, accepting, removing, blocking. */
export function Friends() {
  const [name, setName] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const of = (type: number) =>
    createMemo(() =>
      Object.values(state.relationships)
        .filter((r) => r.type === type)
        .sort((a, b) => nameOf(a).localeCompare(nameOf(b))),
    );
  const friends = of(1);
  const incoming = of(3);
  const outgoing = of(4);
  const blocked = of(2);

  /** Runs a change, saying in words when it is refused. */
  const run = async (change: () => Promise<unknown>, done?: string) => {
    setError(null);
    setNotice(null);
    try {
      await change();
      if (done) setNotice(done);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const add = (e: SubmitEvent) => {
    e.preventDefault();
    const who = name().trim();
    void run(async () => {
      await api.addFriend(who);
      setName("");
    }, `Friend request sent to ${who}.`);
  };
  const message = (user: string) =>
    run(async () => {
      const c = await api.openDm(user);
      setState("privateChannels", c.id, c);
      navigate(paths.channel("@me", c.id));
    });

  const row = (r: Relationship, actions: JSX.Element) => (
    <li class="friend">
      <Show when={r.type === 1}>
        <span class={`presence-dot ${statusOf(r.id)}`} role="img" aria-label={STATUS_LABELS[statusOf(r.id)]} />
      </Show>
      <span class="friend-name">{nameOf(r)}</span>
      <span class="hint">{r.user.username}</span>
      <span class="friend-actions">{actions}</span>
    </li>
  );
  const section = (title: string, list: () => Relationship[], actions: (r: Relationship) => JSX.Element) => (
    <Show when={list().length > 0}>
      <section aria-label={title}>
        <h3 class="category">
          {title} — {list().length}
        </h3>
        <ul>
          <For each={list()}>{(r) => row(r, actions(r))}</For>
        </ul>
      </section>
    </Show>
  );

  return (
    <section class="friends" aria-label="Friends">
      <h2>Friends</h2>
      <form class="add-friend" onSubmit={add}>
        <label for="add-friend">Add a friend by username</label>
        <div class="copy-row">
          <input id="add-friend" required maxLength={32} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit">Send friend request</button>
        </div>
      </form>
      <Alert message={error()} />
      <Show when={notice()}>
        <p role="status">{notice()}</p>
      </Show>
      <DirectedInvites />
      {section("Requests received", incoming, (r) => (
        <>
          <button type="button" onClick={() => void run(() => api.relate(r.id))} aria-label={`Accept ${nameOf(r)}`}>
            Accept
          </button>
          <button type="button" onClick={() => void run(() => api.unrelate(r.id))} aria-label={`Decline ${nameOf(r)}`}>
            Decline
          </button>
        </>
      ))}
      {section("Requests sent", outgoing, (r) => (
        <button type="button" onClick={() => void run(() => api.unrelate(r.id))} aria-label={`Cancel request to ${nameOf(r)}`}>
          Cancel
        </button>
      ))}
      {section("Friends", friends, (r) => (
        <>
          <button type="button" onClick={() => void message(r.id)} aria-label={`Message ${nameOf(r)}`}>
            Message
          </button>
          <button type="button" onClick={() => void run(() => api.unrelate(r.id))} aria-label={`Remove ${nameOf(r)}`}>
            Remove
          </button>
          <button type="button" class="danger" onClick={() => void run(() => api.relate(r.id, 2))} aria-label={`Block ${nameOf(r)}`}>
            Block
          </button>
        </>
      ))}
      {section("Blocked", blocked, (r) => (
        <button type="button" onClick={() => void run(() => api.unrelate(r.id))} aria-label={`Unblock ${nameOf(r)}`}>
          Unblock
        </button>
      ))}
      <Show when={friends().length >= 2}>
        <GroupDm friends={friends()} />
      </Show>
      <Show when={Object.keys(state.relationships).length === 0 && Object.keys(state.directedInvites).length === 0}>
        <p class="hint">No friends yet. Add someone by their username.</p>
      </Show>
    </section>
  );
}

/** Starting a group DM with some friends (up to 9), optionally named. */
function GroupDm(props: { friends: Relationship[] }) {
  const [picked, setPicked] = createSignal<string[]>([]);
  const [name, setName] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const toggle = (id: string, on: boolean) =>
    setPicked((p) => (on ? [...p.filter((x) => x !== id), id] : p.filter((x) => x !== id)));
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const c = await api.openGroup(picked(), name().trim() || undefined);
      setState("privateChannels", c.id, c);
      navigate(paths.channel("@me", c.id));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="group-dm" onSubmit={create}>
      <fieldset>
        <legend>Start a group DM</legend>
        <For each={props.friends}>
          {(r) => (
            <label class="check">
              <input
                type="checkbox"
                checked={picked().includes(r.id)}
                disabled={!picked().includes(r.id) && picked().length >= 9}
                onChange={(e) => toggle(r.id, e.currentTarget.checked)}
              />
              {nameOf(r)}
            </label>
          )}
        </For>
      </fieldset>
      <label for="group-name">Group name (optional)</label>
      <input id="group-name" maxLength={100} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
      <button type="submit" disabled={picked().length < 2}>
        Create group DM
      </button>
      <Alert message={error()} />
    </form>
  );
}
