import { createResource, createSignal, For, Show } from "solid-js";
import { api, ApiError } from "./api";

/** The signed-in person: their servers, making a new one, logging out. */
export function Home(props: { onSignOut: () => void }) {
  const [me] = createResource(() =>
    api.me().catch((e) => {
      // A revoked or expired token: back to the login form.
      if (e instanceof ApiError && e.status === 401) props.onSignOut();
      throw e;
    }),
  );
  const [guilds, { refetch }] = createResource(api.guilds);
  const [name, setName] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);

  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api.createGuild(name().trim());
      setName("");
      await refetch();
    } catch (err) {
      setError(err instanceof ApiError ? (err.fieldMessage() ?? err.message) : String(err));
    }
  };

  const logOut = async () => {
    await api.logout().catch(() => undefined);
    props.onSignOut();
  };

  return (
    <div class="home">
      <header>
        <span class="me">{me()?.global_name ?? me()?.username}</span>
        <button type="button" onClick={() => void logOut()}>
          Log out
        </button>
      </header>
      <nav aria-label="Servers">
        <ul>
          <For each={guilds() ?? []}>{(g) => <li>{g.name}</li>}</For>
        </ul>
        <Show when={guilds() && guilds()!.length === 0}>
          <p>No servers yet.</p>
        </Show>
      </nav>
      <form class="new-server" onSubmit={create}>
        <label for="new-server-name">Server name</label>
        <input
          id="new-server-name"
          required
          maxLength={100}
          value={name()}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit">Create server</button>
        <Show when={error()}>
          <p class="error" role="alert">
            {error()}
          </p>
        </Show>
      </form>
    </div>
  );
}
