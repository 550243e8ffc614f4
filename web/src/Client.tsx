import { createContext, createMemo, Match, onCleanup, onMount, Switch, useContext } from "solid-js";
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

  // Plain values for the keyed screens below (no read of a route that has just changed).
  const inviteCode = createMemo(() => {
    const r = route();
    return r.kind === "invite" ? r.code : undefined;
  });
  const settingsGuild = createMemo(() => {
    const r = route();
    return r.kind === "guildSettings" ? r.guild : undefined;
  });

  return (
    <SessionContext.Provider value={session}>
      <Switch fallback={<Shell />}>
        <Match when={!state.ready}>
          <p class="loading" role="status">
            Connecting…
          </p>
        </Match>
        <Match when={inviteCode()} keyed>
          {(code) => <InviteView code={code} />}
        </Match>
        <Match when={settingsGuild()} keyed>
          {(guild) => <GuildSettings guild={guild} />}
        </Match>
        <Match when={route().kind === "userSettings"}>
          <UserSettings />
        </Match>
      </Switch>
    </SessionContext.Provider>
  );
}
