// The settings screens in Chromium, against a running hearth (HEARTH_URL). One story, test by
// test: an owner renames their server; makes a category and channels, renames, moves and
// deletes one; makes a role with a colour, shown separately, with a permission; a second person
// joins through an invite link, gets the role and shows under it in the member list; a private
// channel shows to them only with the role; the owner times them out, kicks them, bans and
// unbans them (their page loses the server), revokes the invite, reads all of it in words in
// the audit log, and changes their own display name. No page breaks its Content-Security-Policy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, BASE, browser, person, register, unique } from "./support.mjs";



/** Waits until `check` returns something truthy (polling), or fails with `what`. */
async function until(what, check, timeout = 10_000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) assert.fail(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The aria-labels of the buttons matching `pattern`, in page order. */
async function labels(page, pattern) {
  return page
    .getByRole("button", { name: pattern })
    .evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
}

/** Signs up and waits for the signed-in layout. */
async function signUp(page, name) {
  await register(page, name);
  await page.getByRole("navigation", { name: "Servers" }).waitFor();
}

const ALICE = `alice_s_${unique}`;
const BOB = `bob_s_${unique}`;

// What the story carries from one test to the next.
const s = {};

async function openSettings(tab) {
  const { page } = s.alice;
  if (!page.url().includes("/settings/guild/")) {
    await page.getByRole("link", { name: "Server settings" }).click();
  }
  await page.getByRole("heading", { name: "Server settings" }).waitFor();
  if (tab) {
    await page.getByRole("tab", { name: tab }).click();
    await page.getByRole("tabpanel", { name: tab }).waitFor();
  }
  return page.getByRole("tabpanel", { name: tab });
}

async function closeSettings() {
  const { page } = s.alice;
  await page.getByRole("link", { name: "Close" }).click();
  await page.getByRole("navigation", { name: "Channel list" }).waitFor();
}

test("the owner renames their server in its settings", async () => {
  s.alice = await person();
  const { page, problems } = s.alice;
  await signUp(page, ALICE);
  await page.getByLabel("Server name").fill("Hearthside");
  await page.getByRole("button", { name: "Create server" }).click();
  await page.waitForURL(/\/channels\/\d+\/\d+$/);
  [, s.guild, s.general] = page.url().match(/\/channels\/(\d+)\/(\d+)$/);

  await openSettings();
  assert.equal(new URL(page.url()).pathname, `/settings/guild/${s.guild}`);
  const tabs = await page.getByRole("tab").allTextContents();
  assert.deepEqual(tabs, ["Overview", "Channels", "Roles", "Members", "Bans", "Invites", "Audit log"]);
  // Arrow keys move between the tabs.
  await page.getByRole("tab", { name: "Overview" }).focus();
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.getByRole("tab", { name: "Channels" }).getAttribute("aria-selected"), "true");
  await page.keyboard.press("ArrowUp");
  assert.equal(await page.getByRole("tab", { name: "Overview" }).getAttribute("aria-selected"), "true");

  const panel = page.getByRole("tabpanel", { name: "Overview" });
  await panel.getByLabel("Server name").fill("Hearth Hall");
  await panel.getByRole("button", { name: "Save", exact: true }).click();
  await panel.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  await page.locator(".settings-sub", { hasText: "Hearth Hall" }).waitFor();

  await closeSettings();
  await page.getByRole("complementary", { name: "Channels" }).getByRole("heading", { name: "Hearth Hall" }).waitFor();
  assert.deepEqual(problems, []);
});

test("the owner makes a category and channels, renames, moves and deletes one", async () => {
  const { page, problems } = s.alice;
  const panel = await openSettings("Channels");
  const create = panel.getByRole("form", { name: "Create a channel" });

  await create.getByLabel("Channel name").fill("Projects");
  await create.getByLabel("Channel type").selectOption({ label: "Category" });
  await create.getByRole("button", { name: "Create channel" }).click();
  await panel.getByRole("button", { name: "Edit category Projects" }).waitFor();

  for (const name of ["plans", "ideas"]) {
    await create.getByLabel("Channel name").fill(name);
    await create.getByLabel("Channel type").selectOption({ label: "Text" });
    await create.getByLabel("Category").selectOption({ label: "Projects" });
    await create.getByRole("button", { name: "Create channel" }).click();
    await panel.getByRole("button", { name: `Edit #${name}` }).waitFor();
  }
  const channels = await api(page, "GET", `/guilds/${s.guild}/channels`);
  const byName = Object.fromEntries(channels.body.map((c) => [c.name, c]));
  assert.equal(byName.plans.parent_id, byName.Projects.id);
  assert.equal(byName.ideas.parent_id, byName.Projects.id);
  assert.deepEqual(await labels(panel, /^Edit /), ["Edit #general", "Edit category Projects", "Edit #plans", "Edit #ideas"]);

  // Moving: plans goes below ideas.
  assert.equal(await panel.getByRole("button", { name: "Move #plans up" }).isDisabled(), true);
  await panel.getByRole("button", { name: "Move #plans down" }).click();
  await until("plans below ideas", async () =>
    JSON.stringify(await labels(panel, /^Edit #/)) === JSON.stringify(["Edit #general", "Edit #ideas", "Edit #plans"]),
  );

  // Renaming.
  await panel.getByRole("button", { name: "Edit #plans" }).click();
  const editor = panel.getByRole("region", { name: "Edit #plans" });
  await editor.getByLabel("Name", { exact: true }).fill("roadmap");
  await editor.getByRole("button", { name: "Rename" }).click();
  await panel.getByRole("button", { name: "Edit #roadmap" }).waitFor();
  await panel.getByRole("button", { name: "Edit #roadmap" }).click();

  // Deleting asks first.
  await panel.getByRole("button", { name: "Edit #ideas" }).click();
  const ideas = panel.getByRole("region", { name: "Edit #ideas" });
  await ideas.getByRole("button", { name: "Delete #ideas" }).click();
  const confirm = ideas.getByRole("group", { name: /Delete #ideas\?/ });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await ideas.getByRole("button", { name: "Delete #ideas" }).click();
  await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  await until("ideas gone", async () => (await panel.getByRole("button", { name: "Edit #ideas" }).count()) === 0);

  await closeSettings();
  const sidebar = page.getByRole("navigation", { name: "Channel list" });
  await sidebar.getByRole("heading", { name: "Projects" }).waitFor();
  await sidebar.getByRole("link", { name: "roadmap" }).waitFor();
  assert.equal(await sidebar.getByRole("link", { name: "ideas" }).count(), 0);
  const after = await api(page, "GET", `/guilds/${s.guild}/channels`);
  s.roadmap = after.body.find((c) => c.name === "roadmap").id;
  assert.deepEqual(problems, []);
});

test("the owner makes a role with a colour, shown separately, with a permission", async () => {
  const { page, problems } = s.alice;
  const panel = await openSettings("Roles");
  const create = panel.getByRole("form", { name: "Create a role" });
  await create.getByLabel("Role name").fill("Crew");
  await create.getByRole("button", { name: "Create role" }).click();
  await panel.getByRole("button", { name: "Edit Crew" }).click();
  const editor = panel.getByRole("region", { name: "Edit role Crew" });
  await editor.getByLabel("Colour").fill("#2e86de");
  await editor.getByLabel("Display separately").check();
  await editor.getByLabel("Manage Messages").check();
  await editor.getByRole("button", { name: "Save role" }).click();
  await panel.getByText("shown separately").waitFor();

  const roles = (await api(page, "GET", `/guilds/${s.guild}/roles`)).body;
  const crew = roles.find((r) => r.name === "Crew");
  assert.equal(crew.color, 0x2e86de);
  assert.equal(crew.hoist, true);
  assert.equal(BigInt(crew.permissions) & (1n << 13n), 1n << 13n);
  s.crew = crew.id;
  // Highest first, @everyone last.
  assert.deepEqual(await labels(panel, /^Edit /), ["Edit Crew", "Edit @everyone"]);
  assert.deepEqual(problems, []);
});

test("a second person joins through an invite link and cannot manage the server", async () => {
  const { page } = s.alice;
  const invite = await api(page, "POST", `/channels/${s.general}/invites`, { max_age: 0, max_uses: 0, unique: true });
  assert.equal(invite.status, 200);
  s.code = invite.body.code;

  s.bob = await person();
  const bob = s.bob.page;
  await signUp(bob, BOB);
  await bob.goto(`${BASE}/invite/${s.code}`);
  await bob.getByRole("button", { name: "Accept invite" }).click();
  await bob.waitForURL(new RegExp(`/channels/${s.guild}/\\d+$`));
  await bob.getByRole("navigation", { name: "Servers" }).getByText("Hearth Hall").waitFor();
  await bob.getByRole("navigation", { name: "Channel list" }).getByRole("link", { name: "roadmap" }).waitFor();
  assert.equal(await bob.getByRole("link", { name: "Server settings" }).count(), 0);

  await bob.goto(`${BASE}/settings/guild/${s.guild}`);
  await bob.getByText("You have no permission to manage this server.").waitFor();
  await bob.getByRole("link", { name: "Close" }).click();
  await bob.getByRole("navigation", { name: "Channel list" }).waitFor();
  assert.deepEqual(s.bob.problems, []);
});

test("a private channel shows only to the role allowed to view it", async () => {
  const { page, problems } = s.alice;
  const bobChannels = s.bob.page.getByRole("navigation", { name: "Channel list" });
  const panel = await openSettings("Channels");
  await panel.getByRole("button", { name: "Edit #roadmap" }).click();
  const editor = panel.getByRole("region", { name: "Edit #roadmap" });
  await editor.getByRole("button", { name: "Make private" }).click();
  await editor.getByRole("button", { name: "Make public" }).waitFor();
  const everyone = editor.getByRole("form", { name: "Permissions for @everyone" });
  assert.equal(await everyone.getByRole("radiogroup", { name: "View Channel" }).getByRole("radio", { name: "Deny" }).isChecked(), true);
  await until("roadmap hidden from bob", async () => (await bobChannels.getByRole("link", { name: "roadmap" }).count()) === 0);

  await editor.getByLabel("Add a role or member").selectOption({ label: "@Crew" });
  await editor.getByRole("button", { name: "Add", exact: true }).click();
  const crew = editor.getByRole("form", { name: "Permissions for @Crew" });
  await crew.getByRole("radiogroup", { name: "View Channel" }).getByRole("radio", { name: "Allow" }).check();
  await crew.getByRole("button", { name: "Save permissions for @Crew" }).click();
  await until("overwrite saved", async () => {
    const c = (await api(page, "GET", `/channels/${s.roadmap}`)).body;
    const o = c.permission_overwrites.find((o) => o.id === s.crew);
    return o && o.type === 0 && BigInt(o.allow) === 1n << 10n && o.deny === "0";
  });
  const c = (await api(page, "GET", `/channels/${s.roadmap}`)).body;
  const e = c.permission_overwrites.find((o) => o.id === s.guild);
  assert.equal(BigInt(e.deny) & (1n << 10n), 1n << 10n);
  // Still hidden: bob does not have the role yet.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await bobChannels.getByRole("link", { name: "roadmap" }).count(), 0);
  assert.deepEqual(problems, []);
});

test("the owner gives the role; the member shows under it and sees the private channel", async () => {
  const { page, problems } = s.alice;
  let panel = await openSettings("Members");
  await panel.getByLabel(`Role to give ${BOB}`).selectOption({ label: "Crew" });
  await panel.getByRole("button", { name: `Give ${BOB} the role` }).click();
  await panel.getByRole("list", { name: `Roles of ${BOB}` }).getByText("Crew").waitFor();

  const bob = s.bob.page;
  await bob.getByRole("navigation", { name: "Channel list" }).getByRole("link", { name: "roadmap" }).waitFor();

  // In the owner's member list, bob is now under the role shown separately, in its colour.
  await closeSettings();
  const members = page.getByRole("complementary", { name: "Members" });
  const crewSection = members.locator("section").filter({ has: page.getByRole("heading", { name: /^Crew — 1$/ }) });
  await crewSection.getByText(BOB).waitFor();
  assert.equal(await crewSection.getByText(BOB).evaluate((e) => getComputedStyle(e).color), "rgb(46, 134, 222)");

  // Taking it back hides the channel again; giving it again shows it.
  panel = await openSettings("Members");
  await panel.getByRole("button", { name: `Take the role Crew from ${BOB}` }).click();
  await until("roadmap hidden again", async () =>
    (await bob.getByRole("navigation", { name: "Channel list" }).getByRole("link", { name: "roadmap" }).count()) === 0,
  );
  await panel.getByLabel(`Role to give ${BOB}`).selectOption({ label: "Crew" });
  await panel.getByRole("button", { name: `Give ${BOB} the role` }).click();
  await bob.getByRole("navigation", { name: "Channel list" }).getByRole("link", { name: "roadmap" }).waitFor();
  assert.deepEqual(problems, []);
  assert.deepEqual(s.bob.problems, []);
});

test("the owner times out, kicks, bans and unbans the member, whose page loses the server", async () => {
  const { page, problems } = s.alice;
  const bob = s.bob.page;
  const bobServers = bob.getByRole("navigation", { name: "Servers" });
  let panel = await openSettings("Members");

  // Timeout, then its removal.
  await panel.getByRole("button", { name: `Time out ${BOB}` }).click();
  const timeout = panel.getByRole("form", { name: `Time out ${BOB}` });
  await timeout.getByLabel("Duration").selectOption({ label: "5 minutes" });
  await timeout.getByLabel("Reason (optional)").fill("cool down");
  await timeout.getByRole("button", { name: "Time out", exact: true }).click();
  await panel.getByText(/timed out until/).waitFor();
  const member = (await api(page, "GET", `/guilds/${s.guild}/members/${await bobId()}`)).body;
  const left = Date.parse(member.communication_disabled_until) - Date.now();
  assert.ok(left > 240_000 && left <= 300_000, `timeout ends in ${left} ms`);
  await panel.getByRole("button", { name: `Remove the timeout of ${BOB}` }).click();
  await until("timeout removed", async () => (await panel.getByText(/timed out until/).count()) === 0);

  // Kick: the server leaves bob's list.
  await panel.getByRole("button", { name: `Kick ${BOB}` }).click();
  const kick = panel.getByRole("form", { name: `Kick ${BOB}` });
  await kick.getByLabel("Reason (optional)").fill("spamming");
  await kick.getByRole("button", { name: "Kick", exact: true }).click();
  await until("bob kicked", async () => (await bobServers.getByText("Hearth Hall").count()) === 0);
  await until("bob gone from members", async () => (await panel.getByRole("button", { name: `Kick ${BOB}` }).count()) === 0);

  // Back through the invite.
  await bob.goto(`${BASE}/invite/${s.code}`);
  await bob.getByRole("button", { name: "Accept invite" }).click();
  await bobServers.getByText("Hearth Hall").waitFor();

  // Ban: gone again, and listed in Bans with the reason.
  await panel.getByRole("button", { name: `Ban ${BOB}` }).click();
  const ban = panel.getByRole("form", { name: `Ban ${BOB}` });
  await ban.getByLabel("Reason (optional)").fill("again");
  await ban.getByRole("button", { name: "Ban", exact: true }).click();
  await until("bob banned", async () => (await bobServers.getByText("Hearth Hall").count()) === 0);

  panel = await openSettings("Bans");
  const banned = panel.getByRole("list", { name: "Banned users" });
  await banned.getByText("Reason: again").waitFor();
  await banned.getByText(BOB).first().waitFor();
  // A banned person cannot join again.
  await bob.goto(`${BASE}/invite/${s.code}`);
  await bob.getByRole("button", { name: "Accept invite" }).click();
  await bob.getByRole("alert").waitFor();

  await panel.getByRole("button", { name: `Unban ${BOB}` }).click();
  await panel.getByText("Nobody is banned.").waitFor();
  assert.deepEqual(problems, []);
  assert.deepEqual(s.bob.problems, []);
});

async function bobId() {
  if (!s.bobId) s.bobId = (await api(s.bob.page, "GET", "/users/@me")).body.id;
  return s.bobId;
}

test("the owner revokes an invite", async () => {
  const { page, problems } = s.alice;
  const panel = await openSettings("Invites");
  const row = panel.getByRole("row").filter({ hasText: s.code });
  await row.waitFor();
  assert.match(await row.innerText(), /#general/);
  assert.match(await row.innerText(), new RegExp(ALICE));
  assert.match(await row.innerText(), /Never/);
  await row.getByRole("button", { name: `Revoke invite ${s.code}` }).click();
  await until("invite gone", async () => (await panel.getByRole("row").filter({ hasText: s.code }).count()) === 0);
  assert.equal((await api(page, "GET", `/invites/${s.code}`)).status, 404);

  // A new one through the invite dialog shows in the list when it closes.
  await panel.getByRole("button", { name: "Create invite" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite people" });
  await dialog.getByRole("button", { name: "Create invite link" }).click();
  const link = await dialog.getByLabel("Invite link").inputValue();
  const code = link.split("/invite/")[1];
  await dialog.getByRole("button", { name: "Close" }).click();
  await panel.getByRole("row").filter({ hasText: code }).waitFor();
  assert.deepEqual(problems, []);
});

test("the audit log says what happened in words", async () => {
  const { page, problems } = s.alice;
  const panel = await openSettings("Audit log");
  const list = panel.getByRole("list", { name: "Audit log entries" });
  await list.getByRole("listitem").first().waitFor();
  const text = (await list.innerText()).replace(/\s+/g, " ");
  for (const words of [
    `${ALICE} renamed the server from Hearthside to Hearth Hall`,
    `${ALICE} created the category Projects`,
    `${ALICE} created the channel #plans`,
    `${ALICE} renamed the channel #plans to #roadmap`,
    `${ALICE} deleted the channel #ideas`,
    `${ALICE} created the role Crew`,
    `${ALICE} set permissions for @Crew in #roadmap`,
    `${ALICE} gave ${BOB} the role Crew`,
    `${ALICE} took the role Crew from ${BOB}`,
    `${ALICE} timed out ${BOB} until`,
    `: cool down`,
    `${ALICE} removed the timeout of ${BOB}`,
    `${ALICE} kicked ${BOB}: spamming`,
    `${ALICE} banned ${BOB}: again`,
    `${ALICE} unbanned ${BOB}`,
    `${ALICE} revoked the invite ${s.code}`,
  ]) {
    assert.ok(text.includes(words), `the audit log says "${words}"`);
  }
  assert.deepEqual(problems, []);
});

test("a person changes their display name and sees it in the sidebar", async () => {
  const { page, problems } = s.alice;
  await closeSettings();
  await page.getByRole("link", { name: "User settings" }).click();
  await page.getByRole("heading", { name: "User settings" }).waitFor();
  await page.getByRole("textbox", { name: "Display name" }).fill("Captain Alice");
  await page.getByRole("button", { name: "Save display name" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  assert.equal((await api(page, "GET", "/users/@me")).body.global_name, "Captain Alice");

  await page.getByRole("textbox", { name: "Username" }).fill(`${ALICE}_2`);
  await page.getByRole("button", { name: "Save username" }).click();
  await until("username saved", async () => (await api(page, "GET", "/users/@me")).body.username === `${ALICE}_2`);

  await page.getByRole("link", { name: "Close" }).click();
  await page.getByRole("complementary", { name: "Channels" }).getByText("Captain Alice").waitFor();
  assert.deepEqual(problems, []);
});

test("the settings fit a phone's width", async () => {
  const { page, problems } = s.alice;
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`${BASE}/settings/guild/${s.guild}`);
  for (const tab of ["Overview", "Channels", "Roles", "Members", "Invites", "Audit log"]) {
    const panel = await openSettings(tab);
    if (tab === "Channels") await panel.getByRole("button", { name: "Edit #roadmap" }).click();
    if (tab === "Roles") await panel.getByRole("button", { name: "Edit Crew" }).click();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `${tab} is ${width} px wide`);
  }
  await page.goto(`${BASE}/settings/user`);
  await page.getByRole("heading", { name: "User settings" }).waitFor();
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 360);

  // Logging out from the user settings ends the session.
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("button", { name: "Log in" }).waitFor();
  assert.deepEqual(problems, []);
});

test.after(async () => {
  await s.alice?.context.close();
  await s.bob?.context.close();
  await browser.close();
});
