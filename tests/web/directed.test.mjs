// Directed invites in the web client, against a running hearth (HEARTH_URL): Ann invites Ben
// to her server from the invite dialog (by username, with a message); Ben sees it live at home,
// counted beside Friends, accepts, and lands in the server; a second invite is declined, and a
// third, cancelled by Ann, disappears from Ben's screen.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, browser, person, register, unique } from "./support.mjs";

test("an invite to a server is seen live, accepted, declined and cancelled", async () => {
  const ann = await person();
  const ben = await person();
  const a = ann.page;
  const b = ben.page;
  const annName = `ann_d_${unique}`;
  const benName = `ben_d_${unique}`;

  await register(a, annName);
  await a.getByLabel("Server name").fill("Lodge");
  await a.getByRole("button", { name: "Create server" }).click();
  await a.getByRole("textbox", { name: "Message #general" }).waitFor();
  await register(b, benName);
  await b.getByRole("link", { name: "Home" }).click();
  const benFriends = b.getByRole("region", { name: "Friends" });
  await benFriends.waitFor();

  // Ann invites Ben by username from the invite dialog, with a message.
  await a.getByRole("button", { name: "Invite people" }).click();
  const dialog = a.getByRole("dialog", { name: "Invite people" });
  await dialog.getByLabel("Username").fill(benName);
  await dialog.getByLabel("Message (optional)").fill("come sit by the fire");
  await dialog.getByRole("button", { name: "Send invite" }).click();
  await dialog.getByRole("status").filter({ hasText: `Invite sent to ${benName}` }).waitFor();

  // Ben sees it live, with the message, counted beside Friends; he accepts and lands there.
  const received = benFriends.getByRole("region", { name: "Server invites received" });
  await received.getByText("come sit by the fire").waitFor();
  await b.getByRole("navigation", { name: "Direct messages" }).getByLabel("server invites").filter({ hasText: "1" }).waitFor();
  await received.getByRole("button", { name: "Accept invite to Lodge" }).click();
  await b.getByRole("link", { name: "Lodge" }).waitFor();
  await b.getByRole("textbox", { name: "Message #general" }).waitFor();

  // A second server of Ann's, for a second and a third invite.
  const made = await api(a, "POST", "/guilds", { name: "Cabin" });
  assert.equal(made.status, 201);
  const cabin = made.body.id;
  const sent = await api(a, "POST", `/guilds/${cabin}/directed-invites`, { username: benName });
  assert.equal(sent.status, 200);

  // Ben declines it: it goes from his list, and from Ann's sent list.
  await b.getByRole("link", { name: "Home" }).click();
  await received.getByRole("button", { name: "Decline invite to Cabin" }).click();
  await received.waitFor({ state: "detached" });
  const declined = await api(b, "GET", `/users/@me/directed-invites/${sent.body.id}`);
  assert.equal(declined.body.status, 2);

  // Ann invites again, sees it under sent invites, and cancels it: it disappears for Ben.
  await a.getByRole("link", { name: "Home" }).click();
  const again = await api(a, "POST", `/guilds/${cabin}/directed-invites`, { username: benName, message: "last call" });
  assert.equal(again.status, 200);
  await received.getByText("last call").waitFor();
  const annSent = a.getByRole("region", { name: "Server invites sent" });
  await annSent.getByRole("button", { name: `Cancel invite of ${benName} to Cabin` }).click();
  await annSent.waitFor({ state: "detached" });
  await received.waitFor({ state: "detached" });
  assert.equal(await b.getByLabel("server invites").count(), 0);
  const cancelled = await api(b, "GET", `/users/@me/directed-invites/${again.body.id}`);
  assert.equal(cancelled.body.status, 3);

  assert.deepEqual(ann.problems, []);
  assert.deepEqual(ben.problems, []);
  await ann.context.close();
  await ben.context.close();
});

test.after(() => browser.close());
