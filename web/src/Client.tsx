import { createContext, Match, onCleanup, onMount, Switch, useContext } from "solid-js";
import { savedToken } from "./api";
import { applyEvent } from "./events";
import { Gateway } from "./gateway";
import { InviteView } from "./InviteView";
import { route } from "./router";
import { Shell } from "./Shell";
import { loadRead, resetState, setState, state } from "./store";
import { catchUp } from "./history";
import { restorePresence, startAutoIdle } from "./presence";
import { GuildSettings } from "./settings/GuildSettings";
import { UserSettings } from "./settings/UserSettings";

export interface Session {
  gateway: Gateway;
  signOut: () => void;
}

const SessionContext = createContext<Session>();

/** The signed-in person's session: its gateway and how to end it. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("no session");
  return s;
}

/** Everything a signed-in person sees, kept live by one gateway connection. */
export function Client(props: { onSignOut: () => void }) {
  const gateway = new Gateway(savedToken() ?? "", {
    dispatch: (t, d) => {
      applyEvent(t, d);
      if (t === "READY") loadRead(d.user.id);
    },
    status: (s) => setState("connection", s),
    fresh: () => void catchUp(),
    unauthorized: () => props.onSignOut(),
  });
  const session: Session = {
    gateway,
    signOut: () => props.onSignOut(),
  };
  onMount(() => {
    restorePresence(gateway);
    gateway.start();
  });
  const stopIdle = startAutoIdle(gateway);
  onCleanup(() => {
    stopIdle();
    gateway.stop();
    resetState();
  });

  return (
    <SessionContext.Provider value={session}>
      <Switch fallback={<Shell />}>
        <Match when={!state.ready}>
          <p class="loading" role="status">
            Connecting…
          </p>
        </Match>
        <Match when={route().kind === "invite" && route()}>
          {(r) => <InviteView code={(r() as { code: string }).code} />}
        </Match>
        <Match when={route().kind === "guildSettings" && route()}>
          {(r) => <GuildSettings guild={(r() as { guild: string }).guild} />}
        </Match>
        <Match when={route().kind === "userSettings"}>
          <UserSettings />
        </Match>
      </Switch>
    </SessionContext.Provider>
  );
}
