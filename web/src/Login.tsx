import { createSignal } from "solid-js";
import { api, ApiError } from "./api";
import { Alert } from "./Alert";

/** Log in, or create an account with the same two fields. */
export function Login(props: { onToken: (token: string) => void }) {
  const [username, setUsername] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const run = async (creating: boolean) => {
    setError(null);
    setBusy(true);
    try {
      const { token } = creating
        ? await api.register(username().trim(), password())
        : await api.login(username().trim(), password());
      props.onToken(token);
    } catch (e) {
      if (e instanceof ApiError) {
        setError(e.fieldMessage() ?? e.message);
      } else {
        setError("The server could not be reached.");
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <h1>hearth</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(false);
        }}
      >
        <label for="login-username">Username</label>
        <input
          id="login-username"
          autocomplete="username"
          required
          value={username()}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          type="password"
          autocomplete="current-password"
          required
          value={password()}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <Alert message={error()} />
        <div class="buttons">
          <button type="submit" disabled={busy()}>
            Log in
          </button>
          <button type="button" disabled={busy()} onClick={() => void run(true)}>
            Create account
          </button>
        </div>
      </form>
    </main>
  );
}
