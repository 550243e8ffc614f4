#!/usr/bin/env python3
"""Seed a fresh hearth server over plain HTTP for the compatibility bots.

Creates a user, an application (bot), a guild, adds the bot to the guild (with ADMINISTRATOR,
so it gets a managed role of its own), adds a second, "plain" bot with no permissions at all
(no role: only @everyone's bits; the target of the role, nick and timeout checks, and the actor
that must be refused MANAGE_ROLES and VIEW_AUDIT_LOG) and posts one message as the user in the
guild's `general` channel. Prints `export NAME=value` lines (shell-quoted) on stdout for
run.sh to source; diagnostics go to stderr.

Usage: seed.py BASE_URL      (e.g. http://127.0.0.1:8080)
"""

import json
import shlex
import sys
import time
import urllib.error
import urllib.request

TIMEOUT = 10  # seconds per request


def call(base, method, path, body=None, token=None, expect=(200, 201)):
    """One JSON request to /api/v10; returns the decoded body or exits on a bad status."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + "/api/v10" + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", token)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    if status not in expect:
        sys.exit(f"seed: {method} {path} -> {status} (expected {expect}): {raw[:500]!r}")
    print(f"seed: {method} {path} -> {status}", file=sys.stderr)
    return json.loads(raw) if raw else None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    base = sys.argv[1].rstrip("/")
    suffix = str(int(time.time() * 1000))[-6:]  # unique names if a data dir is reused

    username = f"compat_owner_{suffix}"
    user_token = call(base, "POST", "/auth/register",
                      {"username": username, "password": "Compat-test-password-1"},
                      expect=(201,))["token"]
    me = call(base, "GET", "/users/@me", token=user_token)

    app = call(base, "POST", "/applications", {"name": "compat-bot"}, token=user_token, expect=(201,))
    bot_token = app["token"]

    guild = call(base, "POST", "/guilds", {"name": "Compat"}, token=user_token, expect=(201,))
    general_id = guild.get("system_channel_id")
    if not general_id:
        sys.exit(f"seed: the new guild has no system_channel_id: {guild!r}")

    call(base, "POST",
         f"/oauth2/authorize?client_id={app['id']}&scope=bot&permissions=8",
         {"guild_id": guild["id"], "authorize": True}, token=user_token)

    plain = call(base, "POST", "/applications", {"name": "compat-plain"}, token=user_token,
                 expect=(201,))
    call(base, "POST",
         f"/oauth2/authorize?client_id={plain['id']}&scope=bot&permissions=0",
         {"guild_id": guild["id"], "authorize": True}, token=user_token)

    seed_msg = call(base, "POST", f"/channels/{general_id}/messages",
                    {"content": "seed message from the owner"}, token=user_token)

    values = {
        "COMPAT_BASE": base,
        "COMPAT_USER_ID": me["id"],
        "COMPAT_USER_NAME": username,
        "COMPAT_USER_TOKEN": user_token,
        "COMPAT_APP_ID": app["id"],
        "COMPAT_BOT_TOKEN": bot_token,
        "COMPAT_PLAIN_ID": plain["id"],
        "COMPAT_PLAIN_TOKEN": plain["token"],
        "COMPAT_GUILD_ID": guild["id"],
        "COMPAT_GENERAL_ID": general_id,
        "COMPAT_SEED_MESSAGE_ID": seed_msg["id"],
    }
    for name, value in values.items():
        print(f"export {name}={shlex.quote(str(value))}")


if __name__ == "__main__":
    main()
