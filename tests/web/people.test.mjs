// People in the web client, against a running hearth (HEARTH_URL): two people become friends
// (a request by username, accepted), DM each other in real time (one starts it from the member
// list, the other finds it under Direct messages, unread, and answers from the friends list's
// Message button works too), see each other's presence (offline with when last seen as soon as
// one's network drops), and one blocks the other, who can no longer write. A group DM is made,
// renamed and left.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, BASE, browser, person, register, unique } from "./support.mjs";

const message = (page, text) => page.getByRole("article").filter({ hasText: text });

test("two people become friends, DM each other in real time, and one blocks the other", async () => {
  const ann = await person();
  const ben = await person();
  const a = ann.page;
  const b = ben.page;
  const annName = `ann_p_${unique}`;
  const benName = `ben_p_${unique}`;

  await register(a, annName);
  await a.getByLabel("Server name").fill("Porch");
  await a.getByRole("button", { name: "Create server" }).click();
  await a.getByRole("textbox", { name: "Message #general" }).waitFor();
  const guild = (await api(a, "GET", "/users/@me/guilds")).body[0].id;
  const channels = (await api(a, "GET", `/guilds/${guild}/channels`)).body;
  const invite = (await api(a, "POST", `/channels/${channels[0].id}/invites`, {})).body;
  await register(b, benName, `/invite/${invite.code}`);
  await b.getByRole("button", { name: "Accept invite" }).click();
  await b.getByRole("textbox", { name: "Message #general" }).waitFor();

  // Friends: Ann asks by username at home; Ben sees the request and accepts it.
  await a.getByRole("link", { name: "Home" }).click();
  const annFriends = a.getByRole("region", { name: "Friends" });
  await annFriends.getByLabel("Add a friend by username").fill(benName);
  await annFriends.getByRole("button", { name: "Send friend request" }).click();
  await annFriends.getByRole("status").filter({ hasText: "Friend request sent" }).waitFor();
  await annFriends.getByRole("button", { name: `Cancel request to ${benName}` }).waitFor();
  await b.getByRole("link", { name: "Home" }).click();
  const benFriends = b.getByRole("region", { name: "Friends" });
  await benFriends.getByRole("button", { name: `Accept ${annName}` }).click();
  await benFriends.getByRole("button", { name: `Message ${annName}` }).waitFor();
  await annFriends.getByRole("button", { name: `Message ${benName}` }).waitFor();
  await b.getByRole("link", { name: "Porch" }).click();
  await a.getByRole("link", { name: "Porch" }).click();

  // Ann opens a DM from the member list.
  const members = a.getByRole("complementary", { name: "Members" });
  const benEntry = members.getByRole("listitem").filter({ hasText: benName });
  await benEntry.waitFor();
  await benEntry.hover();
  await benEntry.getByRole("button", { name: `Message ${benName}` }).click();
  const annBox = a.getByRole("textbox", { name: `Message @${benName}` });
  await annBox.waitFor();
  await annBox.fill("psst, ben");
  await annBox.press("Enter");
  await message(a, "psst, ben").waitFor();

  // Ben finds it at home, marked unread, and answers.
  await b.getByRole("link", { name: "Home" }).click();
  const dms = b.getByRole("navigation", { name: "Direct messages" });
  const conversation = dms.getByRole("link", { name: new RegExp(annName) });
  await conversation.getByRole("img", { name: "unread" }).waitFor();
  await conversation.click();
  await message(b, "psst, ben").waitFor();
  await conversation.getByRole("img", { name: "unread" }).waitFor({ state: "detached" });
  const benBox = b.getByRole("textbox", { name: `Message @${annName}` });
  await benBox.fill("hi ann, what's up");
  await benBox.press("Enter");
  await message(a, "hi ann, what's up").waitFor();
  // Typing shows in a DM too.
  await annBox.fill("writing back…");
  await b.getByText(`${annName} is typing…`).waitFor();

  // Presence: Ann sees Ben online in the DM's header and her friends list. When Ben's
  // network drops, Ann sees him offline at once, with when he was last seen; back online, he
  // resumes his session and shows online again.
  const dmStatus = a.locator(".dm-status");
  await dmStatus.filter({ hasText: "Online" }).waitFor();
  await ben.context.setOffline(true);
  await dmStatus.filter({ hasText: "Last seen just now" }).waitFor();
  await ben.context.setOffline(false);
  await dmStatus.filter({ hasText: "Online" }).waitFor();

  // Reloading keeps the conversation, from READY's list.
  await b.reload();
  await b.getByRole("textbox", { name: `Message @${annName}` }).waitFor();
  await message(b, "hi ann, what's up").waitFor();
  assert.equal(await message(b, "psst, ben").count(), 1);

  // Ben blocks Ann from his friends list: Ann's next message is refused in words.
  await b.getByRole("link", { name: "Home" }).click();
  await b.getByRole("navigation", { name: "Direct messages" }).getByRole("link", { name: /Friends/ }).click();
  await benFriends.getByRole("button", { name: `Block ${annName}` }).click();
  await benFriends.getByRole("button", { name: `Unblock ${annName}` }).waitFor();
  await annBox.fill("are you there?");
  await annBox.press("Enter");
  await a.getByRole("alert").filter({ hasText: "Cannot send messages to this user" }).waitFor();
  assert.equal(await message(b, "are you there?").count(), 0);

  assert.deepEqual(ann.problems, []);
  assert.deepEqual(ben.problems, []);
  await ann.context.close();
  await ben.context.close();
});

test("a group DM of friends: made, written in by all, left", async () => {
  const people = [];
  for (const who of ["amy", "bo", "cy"]) {
    const p = await person();
    await register(p.page, `${who}_g_${unique}`);
    await p.page.getByLabel("Server name").waitFor();
    p.name = `${who}_g_${unique}`;
    p.id = (await api(p.page, "GET", "/users/@me")).body.id;
    people.push(p);
  }
  const [amy, bo, cy] = people;
  // Amy befriends both (set up over the API; the friends screens are tested above).
  for (const friend of [bo, cy]) {
    assert.equal((await api(amy.page, "POST", "/users/@me/relationships", { username: friend.name })).status, 204);
    assert.equal((await api(friend.page, "PUT", `/users/@me/relationships/${amy.id}`, {})).status, 204);
  }
  const a = amy.page;
  await a.getByRole("navigation", { name: "Direct messages" }).getByRole("link", { name: /Friends/ }).click();
  const form = a.getByRole("group", { name: "Start a group DM" });
  await form.getByLabel(bo.name).check();
  await form.getByLabel(cy.name).check();
  await a.getByLabel("Group name (optional)").fill("Picnic");
  await a.getByRole("button", { name: "Create group DM" }).click();
  const box = (p) => p.getByRole("textbox", { name: "Message @Picnic" });
  await box(a).fill("saturday at noon?");
  await box(a).press("Enter");
  for (const p of [bo, cy]) {
    const link = p.page.getByRole("navigation", { name: "Direct messages" }).getByRole("link", { name: /Picnic/ });
    await link.click();
    await p.page.getByRole("article").filter({ hasText: "saturday at noon?" }).waitFor();
  }
  await box(bo.page).fill("I'll bring bread");
  await box(bo.page).press("Enter");
  await cy.page.getByRole("article").filter({ hasText: "I'll bring bread" }).waitFor();
  await a.getByRole("article").filter({ hasText: "I'll bring bread" }).waitFor();
  // Bo renames it: everyone's list follows.
  await bo.page.getByRole("button", { name: "Rename group" }).click();
  await bo.page.getByLabel("Group name").fill("Picnic club");
  await bo.page.getByRole("button", { name: "Save" }).click();
  for (const p of people) {
    await p.page.getByRole("navigation", { name: "Direct messages" }).getByRole("link", { name: /Picnic club/ }).waitFor();
  }
  const renamedBox = (p) => p.getByRole("textbox", { name: "Message @Picnic club" });
  await renamedBox(a).waitFor();
  // Cy leaves: the group goes from Cy's list, the others keep writing.
  await cy.page.getByRole("button", { name: "Leave group" }).click();
  await cy.page
    .getByRole("navigation", { name: "Direct messages" })
    .getByRole("link", { name: /Picnic club/ })
    .waitFor({ state: "detached" });
  await renamedBox(a).fill("see you there");
  await renamedBox(a).press("Enter");
  await bo.page.getByRole("article").filter({ hasText: "see you there" }).waitFor();
  for (const p of people) {
    assert.deepEqual(p.problems, []);
    await p.context.close();
  }
});

test.after(async () => {
  await browser.close();
});
