import { createMemo, createSignal, For, Show } from "solid-js";
import { Alert } from "./Alert";
import { api, errorText, type DirectedInvite } from "./api";
import { navigate, paths } from "./router";
import { cmpId, state } from "./store";

const who = (u: DirectedInvite["sender"]) => u.global_name || u.username;
const target = (i: DirectedInvite) => (i.channel ? `${i.guild.name} #${i.channel.name ?? ""}` : i.guild.name);

/** The pending directed invites the person received (count shown beside Friends). */
export function receivedInvites(): DirectedInvite[] {
  const me = state.me?.id;
  return Object.values(state.directedInvites)
    .filter((i) => i.recipient.id === me)
    .sort((a, b) => cmpId(b.id, a.id));
}

/** Invitations to servers received (accept, decline) and sent (cancel), kept live by the
 * gateway's DIRECTED_INVITE_* events. */
export function DirectedInvites() {
  const [error, setError] = createSignal<string | null>(null);
  const received = createMemo(receivedInvites);
  const sent = createMemo(() =>
    Object.values(state.directedInvites)
      .filter((i) => i.sender.id === state.me?.id)
      .sort((a, b) => cmpId(b.id, a.id)),
  );
  const run = async (change: () => Promise<unknown>) => {
    setError(null);
    try {
      await change();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const accept = (i: DirectedInvite) =>
    run(async () => {
      await api.answerDirectedInvite(i.id, "accept");
      // The server's GUILD_CREATE may still be on its way: the route waits for it.
      navigate(paths.channel(i.guild.id, i.channel?.id));
    });

  return (
    <>
      <Alert message={error()} />
      <Show when={received().length > 0}>
        <section aria-label="Server invites received">
          <h3 class="category">Server invites received — {received().length}</h3>
          <ul>
            <For each={received()}>
              {(i) => (
                <li class="friend directed-invite">
                  <span class="friend-name">{target(i)}</span>
                  <span class="hint">from {who(i.sender)}</span>
                  <Show when={i.message}>
                    <q class="invite-message">{i.message}</q>
                  </Show>
                  <span class="friend-actions">
                    <button type="button" onClick={() => void accept(i)} aria-label={`Accept invite to ${target(i)}`}>
                      Accept
                    </button>
                    <button
                      type="button"
                      onClick={() => void run(() => api.answerDirectedInvite(i.id, "decline"))}
                      aria-label={`Decline invite to ${target(i)}`}
                    >
                      Decline
                    </button>
                  </span>
                </li>
              )}
            </For>
          </ul>
        </section>
      </Show>
      <Show when={sent().length > 0}>
        <section aria-label="Server invites sent">
          <h3 class="category">Server invites sent — {sent().length}</h3>
          <ul>
            <For each={sent()}>
              {(i) => (
                <li class="friend directed-invite">
                  <span class="friend-name">{who(i.recipient)}</span>
                  <span class="hint">to {target(i)}</span>
                  <span class="friend-actions">
                    <button
                      type="button"
                      onClick={() => void run(() => api.cancelDirectedInvite(i.id))}
                      aria-label={`Cancel invite of ${who(i.recipient)} to ${target(i)}`}
                    >
                      Cancel
                    </button>
                  </span>
                </li>
              )}
            </For>
          </ul>
        </section>
      </Show>
    </>
  );
}

/** Inviting one person by username (or a friend picked from a list) to a server, with an
 * optional message: part of the invite dialog. */
export function InvitePerson(props: { guild: string; channel?: string }) {
  const [name, setName] = createSignal("");
  const [message, setMessage] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [notice, setNotice] = createSignal<string | null>(null);
  const friends = createMemo(() =>
    Object.values(state.relationships)
      .filter((r) => r.type === 1)
      .map((r) => r.user.username)
      .sort(),
  );
  const send = async (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    setNotice(null);
    const username = name().trim();
    try {
      await api.sendDirectedInvite(props.guild, username, message().trim(), props.channel);
      setNotice(`Invite sent to ${username}.`);
      setName("");
      setMessage("");
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="invite-person" onSubmit={send}>
      <h3>Invite a person</h3>
      <label for="invite-person-name">Username</label>
      <input
        id="invite-person-name"
        required
        maxLength={32}
        list="invite-person-friends"
        value={name()}
        onInput={(e) => setName(e.currentTarget.value)}
      />
      <datalist id="invite-person-friends">
        <For each={friends()}>{(f) => <option value={f} />}</For>
      </datalist>
      <label for="invite-person-message">Message (optional)</label>
      <textarea
        id="invite-person-message"
        maxLength={1000}
        rows={2}
        value={message()}
        onInput={(e) => setMessage(e.currentTarget.value)}
      />
      <button type="submit">Send invite</button>
      <Alert message={error()} />
      <Show when={notice()}>
        <p role="status">{notice()}</p>
      </Show>
    </form>
  );
}
