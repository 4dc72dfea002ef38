#!/usr/bin/env bash
# Captures the fixtures of DovecotFixturesTest: for each scenario of dovecot-lib.sh, a Maildir as a real Dovecot left it
# after serving it over POP3, with its dovecot-uidlist, and the UIDL listing Dovecot gave. Writes
# src/test/resources/dovecot/<scenario>/ (replacing what is there):
#   Maildir/cur, Maildir/new, Maildir/dovecot-uidlist   the Maildir (Dovecot's index and uidvalidity files left out)
#   uidl.txt                 "n uidl size" for each message, as Dovecot listed them (UIDL and LIST)
#   uidl-format.txt          the pop3_uidl_format Dovecot used, if not its default
#   dovecot-uidlist.before   the uidlist before Dovecot first served the Maildir, for scenarios that had one
#   dovecot-version.txt      the Dovecot that served it
#
# Usage: capture-fixtures.sh [OUTPUT_DIRECTORY]. Needs dovecot (Debian: apt-get install dovecot-pop3d) and python3.
# As root, Dovecot serves the mail as the user poplar-dovecot (created if missing); otherwise as the calling user.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=dovecot-lib.sh
. "$here/dovecot-lib.sh"
dovecot_check

out="${1:-$here/../resources/dovecot}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
chmod 755 "$work"
trap 'dovecot_stop; rm -rf "$work"' EXIT

for scenario in $DOVECOT_SCENARIOS; do
  echo "capturing $scenario" >&2
  mkdir -p "$work/$scenario"
  "scenario_$scenario" "$work/$scenario"
  target="$out/$scenario"
  rm -rf "$target"
  mkdir -p "$target/Maildir"
  cp -R "$work/$scenario/mail/alice/cur" "$work/$scenario/mail/alice/new" "$target/Maildir/"
  cp "$work/$scenario/mail/alice/dovecot-uidlist" "$target/Maildir/"
  cp "$work/$scenario/uidl.txt" "$target/uidl.txt"
  if [ -s "$work/$scenario/format" ]; then
    cp "$work/$scenario/format" "$target/uidl-format.txt"
  fi
  if [ -f "$work/$scenario/dovecot-uidlist.before" ]; then
    cp "$work/$scenario/dovecot-uidlist.before" "$target/"
  fi
  dovecot --version > "$target/dovecot-version.txt"
done
if [ "$(id -u)" -eq 0 ] && [ -n "${SUDO_UID:-}" ]; then
  chown -R "$SUDO_UID:${SUDO_GID:-$SUDO_UID}" "$out"
fi
echo "fixtures written to $out" >&2
