import { Markdown, type Resolver } from "./Markdown";
import { navigate, paths } from "./router";
import { displayName, state } from "./store";

/** Mentions by name, from what the client knows of the guild. */
function resolver(guild: string): Resolver {
  return {
    user: (id) => {
      const m = state.guilds[guild]?.members[id];
      if (m) return displayName(guild, m.user);
      if (id === state.me?.id) return displayName(guild, state.me);
      // In a DM or group DM: its people.
      for (const c of Object.values(state.privateChannels)) {
        const u = c.recipients.find((r) => r.id === id);
        if (u) return displayName(undefined, u);
      }
      return undefined;
    },
    role: (id) => {
      const r = state.guilds[guild]?.roles[id];
      return r ? { name: r.name, color: r.color } : undefined;
    },
    channel: (id) => state.guilds[guild]?.channels[id]?.name,
    channelHref: (id) => (state.guilds[guild]?.channels[id] ? paths.channel(guild, id) : undefined),
  };
}

/** A message's text: the safe Markdown subset, mentions shown by name. */
export function MessageText(props: { guild: string; content: string }) {
  // A channel mention opens the channel in place (no page load).
  const follow = (e: MouseEvent) => {
    const a = (e.target as Element).closest?.("a.md-mention-channel");
    if (a && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
      e.preventDefault();
      navigate(a.getAttribute("href") ?? "/");
    }
  };
  return (
    <span class="md" onClick={follow}>
      <Markdown content={props.content} resolve={resolver(props.guild)} />
    </span>
  );
}
