import { createSignal, For, Show } from "solid-js";
import { api, errorText, type Channel } from "./api";
import { Alert } from "./Alert";
import { InvitePerson } from "./DirectedInvites";

const EXPIRY: [string, number][] = [
  ["30 minutes", 1800],
  ["1 hour", 3600],
  ["6 hours", 21600],
  ["12 hours", 43200],
  ["1 day", 86400],
  ["7 days", 604800],
  ["Never", 0],
];
const USES: [string, number][] = [
  ["No limit", 0],
  ["1 use", 1],
  ["5 uses", 5],
  ["10 uses", 10],
  ["25 uses", 25],
  ["50 uses", 50],
  ["100 uses", 100],
];

/** How long a guest admitted by a guest invite stays (hearth's extension). */
const GUEST_STAY: [string, number][] = [
  ["1 hour", 3600],
  ["1 day", 86400],
  ["7 days", 604800],
  ["30 days", 2592000],
  ["No limit", 0],
];

/** Making an invite link to a channel, with an expiry and a number of uses; with "guest
 * access" (for those who may manage the server), who joins by it is a guest given only this
 * channel, for a while. */
export function InviteDialog(props: { channel: Channel; mayAdmitGuests?: boolean; onClose: () => void }) {
  const [guest, setGuest] = createSignal(false);
  const [stay, setStay] = createSignal(86400);
  const [maxAge, setMaxAge] = createSignal(86400);
  const [maxUses, setMaxUses] = createSignal(0);
  const [link, setLink] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [copied, setCopied] = createSignal(false);
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    setCopied(false);
    try {
      const inv = await api.createInvite(props.channel.id, maxAge(), maxUses(), guest() ? stay() : undefined);
      setLink(`${location.origin}/invite/${inv.code}`);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <div class="dialog" role="dialog" aria-label="Invite people" onKeyDown={(e) => e.key === "Escape" && props.onClose()}>
      <form onSubmit={create}>
        <h3>Invite people to #{props.channel.name}</h3>
        <label for="invite-expiry">Expire after</label>
        <select id="invite-expiry" value={maxAge()} onChange={(e) => setMaxAge(Number(e.currentTarget.value))}>
          <For each={EXPIRY}>{([label, v]) => <option value={v}>{label}</option>}</For>
        </select>
        <label for="invite-uses">Max number of uses</label>
        <select id="invite-uses" value={maxUses()} onChange={(e) => setMaxUses(Number(e.currentTarget.value))}>
          <For each={USES}>{([label, v]) => <option value={v}>{label}</option>}</For>
        </select>
        <Show when={props.mayAdmitGuests}>
          <label class="check">
            <input type="checkbox" checked={guest()} onChange={(e) => setGuest(e.currentTarget.checked)} />
            Guest access (only this channel)
          </label>
          <Show when={guest()}>
            <label for="invite-guest-stay">Guests stay for</label>
            <select id="invite-guest-stay" value={stay()} onChange={(e) => setStay(Number(e.currentTarget.value))}>
              <For each={GUEST_STAY}>{([label, v]) => <option value={v}>{label}</option>}</For>
            </select>
          </Show>
        </Show>
        <button type="submit">Create invite link</button>
        <Show when={link()}>
          <label for="invite-link">Invite link</label>
          <div class="copy-row">
            <input id="invite-link" readOnly value={link()!} onFocus={(e) => e.currentTarget.select()} />
            <button
              type="button"
              onClick={() =>
                navigator.clipboard?.writeText(link()!).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {copied() ? "Copied" : "Copy"}
            </button>
          </div>
        </Show>
        <Alert message={error()} />
      </form>
      <Show when={props.channel.guild_id}>
        <InvitePerson guild={props.channel.guild_id!} />
      </Show>
      <button type="button" onClick={() => props.onClose()}>
        Close
      </button>
    </div>
  );
}
