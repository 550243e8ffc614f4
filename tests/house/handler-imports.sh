#!/usr/bin/env bash
# The api crate's handler modules (one per resource: crates/api/src/<resource>.rs and its
# folder) import shared modules only (access, actor, change, journal, channel_rules,
# overwrite_rules, convert, events, extract, error, ...), never another handler module, so the
# import picture of crates/api has no circle. Prints each offending import; fails if any.
set -euo pipefail
cd "$(dirname "$0")/../.."
handlers=(applications audit auth channel_preferences channels directed_invites gateway guilds health invites members messages
  moderation overwrites private_channels reactions relationships retention roles search threads user_settings users)
bad=0
for h in "${handlers[@]}"; do
  files=("crates/api/src/$h.rs")
  if [ -d "crates/api/src/$h" ]; then
    while IFS= read -r f; do files+=("$f"); done < <(find "crates/api/src/$h" -name '*.rs' | sort)
  fi
  for f in "${files[@]}"; do
    for other in "${handlers[@]}"; do
      [ "$other" = "$h" ] && continue
      if grep -nE "crate::$other\b|crate::\{[^}]*\b$other\b" "$f" >/dev/null; then
        grep -nE "crate::$other\b|crate::\{[^}]*\b$other\b" "$f" | sed "s|^|$f: imports the handler module '$other': |" >&2
        bad=1
      fi
    done
  done
done
[ "$bad" = 0 ] || { echo "move what is shared into a shared module (see docs/architecture.md)" >&2; exit 1; }
echo "handler modules import no other handler module"
