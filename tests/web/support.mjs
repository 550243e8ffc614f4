// What every browser test file shares: the server under test (HEARTH_URL), Debian's chromium
// (never a browser download), a fresh context per person whose page problems are collected
// (a Content-Security-Policy violation or a page error fails the test), signing up, and REST
// calls made with a page's own session.
import { chromium } from "playwright-core";

export const BASE = process.env.HEARTH_URL;
if (!BASE) throw new Error("HEARTH_URL is not set");

export const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
});

/** A fresh browser context (`options`: viewport and the like) and its page. */
export async function person(options) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(String(e)));
  return { context, page, problems };
}

/** Signs up `name` from the login form shown at `path`. */
export async function register(page, name, path = "/login") {
  await page.goto(BASE + path);
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
}

/** A REST call with the page's session token: `{ status, body }`. */
export async function api(page, method, path, body) {
  return page.evaluate(
    async ([method, path, body]) => {
      const headers = { Authorization: localStorage.getItem("hearth.token") };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      const res = await fetch("/api/v10" + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    [method, path, body],
  );
}

/** A token for each test run's names. */
export const unique = Date.now().toString(36);
