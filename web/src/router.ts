// The client's own paths, read from and written to the address bar (the server answers
// index.html at each of them, so a reload or a shared link opens the same screen).
import { createSignal } from "solid-js";

const [path, setPath] = createSignal(location.pathname);
window.addEventListener("popstate", () => setPath(location.pathname));

/** Goes to a path of the client (a new history entry unless `replace`). */
export function navigate(to: string, replace = false) {
  if (to === location.pathname) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  setPath(to);
}

export type Route =
  | { kind: "home" }
  | { kind: "channel"; guild: string; channel?: string; message?: string }
  | { kind: "invite"; code: string }
  | { kind: "guildSettings"; guild: string }
  | { kind: "userSettings" };

const ID = /^[0-9]{1,20}$/;

/** What the current path names. */
export function route(): Route {
  const parts = path().split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "channels" && parts[1] === "@me") {
    const [, , channel, message] = parts;
    return {
      kind: "channel",
      guild: "@me",
      channel: channel && ID.test(channel) ? channel : undefined,
      message: message && ID.test(message) ? message : undefined,
    };
  }
  if (parts[0] === "channels" && parts[1] && ID.test(parts[1])) {
    const [, guild, channel, message] = parts;
    return {
      kind: "channel",
      guild,
      channel: channel && ID.test(channel) ? channel : undefined,
      message: message && ID.test(message) ? message : undefined,
    };
  }
  if (parts[0] === "invite" && parts[1]) return { kind: "invite", code: parts[1] };
  if (parts[0] === "settings" && parts[1] === "user") return { kind: "userSettings" };
  if (parts[0] === "settings" && parts[1] === "guild" && parts[2] && ID.test(parts[2])) {
    return { kind: "guildSettings", guild: parts[2] };
  }
  return { kind: "home" };
}

export const paths = {
  channel: (guild: string, channel?: string, message?: string) =>
    "/channels/" + [guild, channel, message].filter(Boolean).join("/"),
  guildSettings: (guild: string) => `/settings/guild/${guild}`,
  userSettings: () => "/settings/user",
};
