import { createResource, createSignal, Show } from "solid-js";
import { api, errorText } from "./api";
import { navigate, paths } from "./router";
import { state } from "./store";
import { Alert } from "./Alert";
import { Link } from "./Link";

/** Opening an invite link: what it joins, and joining. */
export function InviteView(props: { code: string }) {
  const [invite] = createResource(() => props.code, api.invite);
  const accept = async () => {
    const inv = await api.acceptInvite(props.code);
    const guild = inv.guild?.id ?? invite()?.guild?.id;
    if (guild) navigate(paths.channel(guild, inv.channel?.id ?? undefined), true);
  };
  const member = () => Boolean(invite()?.guild && state.guilds[invite()!.guild!.id]);
  return (
    <main class="invite-page">
      <Show
        when={invite()}
        fallback={
          <Show when={invite.error} fallback={<p role="status">Opening the invite…</p>}>
            <h1>This invite is invalid or has expired.</h1>
            <p>Ask for a new link.</p>
            <Link href="/">Go to your servers</Link>
          </Show>
        }
      >
        {(inv) => (
          <section class="invite-card" aria-label="Invite">
            <p>{inv().inviter ? `${inv().inviter!.global_name ?? inv().inviter!.username} invited you to join` : "You are invited to join"}</p>
            <h1>{inv().guild?.name}</h1>
            <Show when={inv().approximate_member_count !== undefined}>
              <p class="counts">
                {inv().approximate_presence_count ?? 0} online · {inv().approximate_member_count} members
              </p>
            </Show>
            <Show
              when={!member()}
              fallback={
                <button type="button" onClick={() => navigate(paths.channel(inv().guild!.id, inv().channel?.id), true)}>
                  You are a member: open the server
                </button>
              }
            >
              <InviteAccept onAccept={accept} />
            </Show>
          </section>
        )}
      </Show>
    </main>
  );
}

function InviteAccept(props: { onAccept: () => Promise<void> }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onAccept();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={() => void accept()} disabled={busy()}>
        Accept invite
      </button>
      <Alert message={error()} />
    </>
  );
}
