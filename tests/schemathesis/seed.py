#!/usr/bin/env python3
"""Seed a fresh hearth server over plain HTTP, so that schemathesis reaches the handlers with
real ids and tokens instead of stopping at 401 and 404.

Creates an owner (the person schemathesis acts as) with a guild holding a category, a text
channel under it and the guild's `general` channel, a role, a message and an invite (and two
directed invites of the owner's to another person); a bot
application added to the guild with permissions (so it has a role of its own); a member who
joined by the invite; and a second person whose token only `POST /auth/logout` uses (the
owner's token must survive the run). Destructive operations get objects of their own, so that
deleting them does not take the rest away: a spare guild, channel, role, message and invite,
and a spare member (to kick and ban).

Prints `export NAME=value` lines (shell-quoted) on stdout for run.sh to source; diagnostics go
to stderr.

Usage: seed.py BASE_URL      (e.g. http://127.0.0.1:8080)
"""

import json
import shlex
import sys
import time
import urllib.error
import urllib.request

TIMEOUT = 10  # seconds per request
PASSWORD = "Schemathesis-seed-password-1"


def call(base, method, path, body=None, token=None, expect=(200, 201, 204)):
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

    def person(name):
        body = {"username": f"st_{name}_{suffix}", "password": PASSWORD}
        token = call(base, "POST", "/auth/register", body, expect=(201,))["token"]
        return token, call(base, "GET", "/users/@me", token=token)["id"]

    owner, owner_id = person("owner")
    member, member_id = person("member")
    spare_member, spare_member_id = person("spare")
    logout_token, _ = person("logout")

    guild = call(base, "POST", "/guilds", {"name": "Schemathesis"}, token=owner, expect=(201,))
    guild_id = guild["id"]
    general_id = guild["system_channel_id"]
    spare_guild_id = call(base, "POST", "/guilds", {"name": "Spare"}, token=owner,
                          expect=(201,))["id"]

    channels = f"/guilds/{guild_id}/channels"
    category_id = call(base, "POST", channels, {"name": "Text", "type": 4}, token=owner,
                       expect=(201,))["id"]
    channel_id = call(base, "POST", channels, {"name": "fuzz", "parent_id": category_id},
                      token=owner, expect=(201,))["id"]
    spare_channel_id = call(base, "POST", channels, {"name": "spare"}, token=owner,
                            expect=(201,))["id"]

    roles = f"/guilds/{guild_id}/roles"
    role_id = call(base, "POST", roles, {"name": "fuzzers", "permissions": "3072"},
                   token=owner)["id"]
    spare_role_id = call(base, "POST", roles, {"name": "spare"}, token=owner)["id"]

    messages = f"/channels/{channel_id}/messages"
    message_id = call(base, "POST", messages, {"content": "seed"}, token=owner)["id"]
    spare_message_id = call(base, "POST", messages, {"content": "spare"}, token=owner)["id"]

    invites = f"/channels/{channel_id}/invites"
    invite = call(base, "POST", invites, {"max_age": 0, "unique": True}, token=owner)["code"]
    spare_invite = call(base, "POST", invites, {"max_age": 0, "unique": True},
                        token=owner)["code"]
    for token in (member, spare_member):
        call(base, "POST", f"/invites/{invite}", token=token)
    call(base, "PUT", f"/guilds/{guild_id}/members/{member_id}/roles/{role_id}", token=owner)

    # Directed invites of the owner's to a person outside the guild (the owner sends them:
    # answering one is the recipient's, so the owner's accept and decline are refused, 403).
    _, invitee_id = person("invitee")
    directed = f"/guilds/{guild_id}/directed-invites"
    directed_id = call(base, "POST", directed, {"recipient_id": invitee_id}, token=owner)["id"]
    spare_directed_id = call(base, "POST", directed,
                             {"recipient_id": invitee_id, "channel_id": channel_id},
                             token=owner)["id"]

    app = call(base, "POST", "/applications", {"name": "schemathesis-bot"}, token=owner,
               expect=(201,))
    call(base, "POST", f"/oauth2/authorize?client_id={app['id']}&scope=bot&permissions=8",
         {"guild_id": guild_id, "authorize": True}, token=owner)

    values = {
        "ST_TOKEN": owner,
        "ST_LOGOUT_TOKEN": logout_token,
        "ST_BOT_TOKEN": f"Bot {app['token']}",
        "ST_USER_ID": owner_id,
        "ST_MEMBER_ID": member_id,
        "ST_SPARE_MEMBER_ID": spare_member_id,
        "ST_BOT_ID": app["id"],
        "ST_GUILD_ID": guild_id,
        "ST_SPARE_GUILD_ID": spare_guild_id,
        "ST_GENERAL_ID": general_id,
        "ST_CATEGORY_ID": category_id,
        "ST_CHANNEL_ID": channel_id,
        "ST_SPARE_CHANNEL_ID": spare_channel_id,
        "ST_ROLE_ID": role_id,
        "ST_SPARE_ROLE_ID": spare_role_id,
        "ST_MESSAGE_ID": message_id,
        "ST_SPARE_MESSAGE_ID": spare_message_id,
        "ST_INVITE_CODE": invite,
        "ST_SPARE_INVITE_CODE": spare_invite,
        "ST_DIRECTED_INVITE_ID": directed_id,
        "ST_SPARE_DIRECTED_INVITE_ID": spare_directed_id,
    }
    for name, value in values.items():
        print(f"export {name}={shlex.quote(str(value))}")


if __name__ == "__main__":
    main()
