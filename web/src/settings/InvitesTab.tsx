// The server's invite links (MANAGE_GUILD): who made them, to which channel, how often used,
// when they expire; revoke one, or make a new one.
import { createMemo, createSignal, For, Show } from "solid-js";
import type { Channel } from "../api";
import { InviteDialog } from "../InviteDialog";
import { channelPermissions, has, P } from "../permissions";
import { sidebarGroups } from "../Shell";
import { state } from "../store";
import { settingsApi } from "./api";
import { Alert, useAction, useRestList } from "./shared";

export function InvitesTab(props: { guild: string }) {
  const invites = useRestList(() => settingsApi.invites(props.guild), () => props.guild);
  const action = useAction();
  const channels = createMemo(() =>
    sidebarGroups(Object.values(state.guilds[props.guild]?.channels ?? {}))
      .flatMap((g) => g.channels)
      .filter(
        (c) =>
          (c.type === 0 || c.type === 5) &&
          has(channelPermissions(state.guilds[props.guild], c, state.me?.id), P.CREATE_INSTANT_INVITE),
      ),
  );
  const [pick, setPick] = createSignal("");
  const [dialogFor, setDialogFor] = createSignal<Channel | null>(null);
  const chosen = () => channels().find((c) => c.id === pick()) ?? channels()[0];
  return (
    <>
      <h2>Invites</h2>
      <Show when={channels().length > 0}>
        <div class="settings-form inline">
          <label for="invite-channel">Invite to channel</label>
          <div class="input-row">
            <select id="invite-channel" onChange={(e) => setPick(e.currentTarget.value)}>
              <For each={channels()}>
                {(c) => (
                  <option value={c.id} selected={c.id === chosen()?.id}>
                    #{c.name}
                  </option>
                )}
              </For>
            </select>
            <button type="button" aria-expanded={!!dialogFor()} onClick={() => setDialogFor(dialogFor() ? null : (chosen() ?? null))}>
              Create invite
            </button>
          </div>
        </div>
      </Show>
      <Show when={dialogFor()}>
        {(c) => (
          <InviteDialog
            channel={c()}
            onClose={() => {
              setDialogFor(null);
              void invites.refresh();
            }}
          />
        )}
      </Show>
      <div class="buttons">
        <button type="button" class="secondary" disabled={invites.loading()} onClick={() => void invites.refresh()}>
          Refresh
        </button>
      </div>
      <Alert message={invites.error()} />
      <Alert message={action.error()} />
      <Show when={invites.data()} fallback={<p role="status">Loading invites…</p>}>
        <div class="table-wrap">
          <table class="settings-table">
            <caption class="sr-only">Invite links</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Channel</th>
                <th scope="col">Made by</th>
                <th scope="col">Uses</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              <For
                each={invites.data()}
                fallback={
                  <tr>
                    <td colSpan={6} class="hint">
                      No invite links.
                    </td>
                  </tr>
                }
              >
                {(i) => (
                  <tr>
                    <td>
                      <code>{i.code}</code>
                    </td>
                    <td>{i.channel ? `#${i.channel.name}` : "—"}</td>
                    <td>{i.inviter ? i.inviter.global_name || i.inviter.username : "—"}</td>
                    <td>
                      {i.uses ?? 0} / {i.max_uses ? i.max_uses : "∞"}
                    </td>
                    <td>{i.expires_at ? new Date(i.expires_at).toLocaleString() : "Never"}</td>
                    <td>
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Revoke invite ${i.code}`}
                        disabled={action.busy()}
                        onClick={() => void action.run(() => settingsApi.revokeInvite(i.code))}
                      >
                        Revoke
                      </button>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </div>
      </Show>
    </>
  );
}
