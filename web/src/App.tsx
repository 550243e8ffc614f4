import { createSignal, Show } from "solid-js";
import { savedToken, saveToken } from "./api";
import { Client } from "./Client";
import { Login } from "./Login";

export function App() {
  const [token, setToken] = createSignal(savedToken());
  const signIn = (t: string | null) => {
    saveToken(t);
    setToken(t);
  };
  // A new token starts a new client (and gateway session); none shows the login form, which
  // keeps the address (an invite link opens its page once logged in).
  return (
    <Show when={token()} keyed fallback={<Login onToken={signIn} />}>
      <Client onSignOut={() => signIn(null)} />
    </Show>
  );
}
