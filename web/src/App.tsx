import { createSignal, Show } from "solid-js";
import { savedToken, saveToken } from "./api";
import { Login } from "./Login";
import { Home } from "./Home";

export function App() {
  const [token, setToken] = createSignal(savedToken());
  const signIn = (t: string | null) => {
    saveToken(t);
    setToken(t);
  };
  return (
    <Show when={token()} fallback={<Login onToken={signIn} />}>
      <Home onSignOut={() => signIn(null)} />
    </Show>
  );
}
