// Who is banned and why (BAN_MEMBERS); lifting a ban lets them join again with an invite.
import { For, Show } from "solid-js";
import { settingsApi } from "./api";
import { Alert, useAction, useRestList } from "./shared";

export function BansTab(props: { guild: string }) {
  const bans = useRestList(() => settingsApi.bans(props.guild), () => props.guild);
  const action = useAction();
  return (
    <>
      <h2>Bans</h2>
      <Alert message={bans.error()} />
      <Alert message={action.error()} />
      <Show when={bans.data()} fallback={<p role="status">Loading bans…</p>}>
        <ul class="settings-list" aria-label="Banned users">
          <For each={bans.data()} fallback={<li class="hint">Nobody is banned.</li>}>
            {(b) => {
              const name = b.user.global_name || b.user.username;
              return (
                <li class="settings-item">
                  <div class="settings-row">
                    <span class="settings-name">
                      <strong>{name}</strong>
                      <span class="hint">{b.user.username}</span>
                      <span class="ban-reason">{b.reason ? `Reason: ${b.reason}` : "No reason given"}</span>
                    </span>
                    <span class="row-actions">
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Unban ${name}`}
                        disabled={action.busy()}
                        onClick={() => void action.run(() => settingsApi.unban(props.guild, b.user.id))}
                      >
                        Unban
                      </button>
                    </span>
                  </div>
                </li>
              );
            }}
          </For>
        </ul>
      </Show>
    </>
  );
}
