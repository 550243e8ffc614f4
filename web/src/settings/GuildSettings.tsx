// A server's settings: one tab per area the viewer may manage (the server checks every request
// again; the tabs only follow what the viewer's roles allow).
import { createMemo, createSignal, For, Match, Show, Switch } from "solid-js";
import { has, guildPermissions, P } from "../permissions";
import { Link } from "../Link";
import { paths } from "../router";
import { state } from "../store";
import { AuditLogTab } from "./AuditLogTab";
import { BansTab } from "./BansTab";
import { ChannelsTab } from "./ChannelsTab";
import { InvitesTab } from "./InvitesTab";
import { MembersTab } from "./MembersTab";
import { OverviewTab } from "./OverviewTab";
import { RolesTab } from "./RolesTab";
import "./settings.css";

type TabId = "overview" | "channels" | "roles" | "members" | "bans" | "invites" | "audit";

const TABS: { id: TabId; label: string; allowed: (p: bigint) => boolean }[] = [
  { id: "overview", label: "Overview", allowed: (p) => has(p, P.MANAGE_GUILD) },
  { id: "channels", label: "Channels", allowed: (p) => has(p, P.MANAGE_CHANNELS) },
  { id: "roles", label: "Roles", allowed: (p) => has(p, P.MANAGE_ROLES) },
  {
    id: "members",
    label: "Members",
    allowed: (p) =>
      has(p, P.KICK_MEMBERS) || has(p, P.BAN_MEMBERS) || has(p, P.MODERATE_MEMBERS) || has(p, P.MANAGE_ROLES),
  },
  { id: "bans", label: "Bans", allowed: (p) => has(p, P.BAN_MEMBERS) },
  { id: "invites", label: "Invites", allowed: (p) => has(p, P.MANAGE_GUILD) },
  { id: "audit", label: "Audit log", allowed: (p) => has(p, P.VIEW_AUDIT_LOG) },
];

export function GuildSettings(props: { guild: string }) {
  const guild = () => state.guilds[props.guild];
  const perms = createMemo(() => guildPermissions(guild(), state.me?.id));
  const visible = createMemo(() => TABS.filter((t) => t.allowed(perms())));
  const [picked, setPicked] = createSignal<TabId | null>(null);
  const current = createMemo(() => visible().find((t) => t.id === picked()) ?? visible()[0]);

  const onTabKey = (e: KeyboardEvent) => {
    const list = visible();
    const i = list.findIndex((t) => t.id === current()?.id);
    let next = -1;
    if (e.key === "ArrowDown" || e.key === "ArrowRight") next = (i + 1) % list.length;
    else if (e.key === "ArrowUp" || e.key === "ArrowLeft") next = (i - 1 + list.length) % list.length;
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = list.length - 1;
    if (next < 0) return;
    e.preventDefault();
    setPicked(list[next].id);
    document.getElementById(`settings-tab-${list[next].id}`)?.focus();
  };

  return (
    <div class="settings-page">
      <header class="settings-head">
        <div>
          <h1>Server settings</h1>
          <Show when={guild()}>
            <p class="settings-sub">{guild()!.name}</p>
          </Show>
        </div>
        <Link class="settings-close" href={guild() ? paths.channel(props.guild) : "/"}>
          Close
        </Link>
      </header>
      <Show
        when={guild()}
        fallback={
          <main class="settings-body">
            <p>You are not a member of this server (any more).</p>
          </main>
        }
      >
        <Show
          when={visible().length > 0}
          fallback={
            <main class="settings-body">
              <p>You have no permission to manage this server.</p>
            </main>
          }
        >
          <div class="settings-layout">
            <div class="settings-tabs" role="tablist" aria-label="Server settings sections" aria-orientation="vertical" onKeyDown={onTabKey}>
              <For each={visible()}>
                {(t) => (
                  <button
                    type="button"
                    role="tab"
                    id={`settings-tab-${t.id}`}
                    aria-controls={`settings-panel-${t.id}`}
                    aria-selected={current()?.id === t.id}
                    tabIndex={current()?.id === t.id ? 0 : -1}
                    onClick={() => setPicked(t.id)}
                  >
                    {t.label}
                  </button>
                )}
              </For>
            </div>
            <Show when={current()} keyed>
              {(t) => (
                <section class="settings-panel" role="tabpanel" id={`settings-panel-${t.id}`} aria-labelledby={`settings-tab-${t.id}`}>
                  <Switch>
                    <Match when={t.id === "overview"}>
                      <OverviewTab guild={props.guild} />
                    </Match>
                    <Match when={t.id === "channels"}>
                      <ChannelsTab guild={props.guild} />
                    </Match>
                    <Match when={t.id === "roles"}>
                      <RolesTab guild={props.guild} />
                    </Match>
                    <Match when={t.id === "members"}>
                      <MembersTab guild={props.guild} />
                    </Match>
                    <Match when={t.id === "bans"}>
                      <BansTab guild={props.guild} />
                    </Match>
                    <Match when={t.id === "invites"}>
                      <InvitesTab guild={props.guild} />
                    </Match>
                    <Match when={t.id === "audit"}>
                      <AuditLogTab guild={props.guild} />
                    </Match>
                  </Switch>
                </section>
              )}
            </Show>
          </div>
        </Show>
      </Show>
    </div>
  );
}
