#!/usr/bin/env bash
# Starts a real Dovecot on Maildirs, lists the UIDLs it gives over POP3, and compares them (and their order) with what
# MaildirStore presents of the same Maildirs afterwards. Exits 0 if every listing matches, 1 if one differs, 2 if
# something is missing (dovecot, python3, Maven).
#
# Usage:
#   compare.sh                              every scenario of dovecot-lib.sh (fresh, grown, migrated, courier, format)
#   compare.sh --maildir DIR [--format F]   a copy of the Maildir DIR (DIR itself is not changed), with Dovecot's
#                                           pop3_uidl_format F (default: Dovecot's own)
# Environment: POPLAR_CLASSPATH, the class path of pop3-store-maildir's tests, skips the Maven build of it;
# MAVEN_ARGS, extra arguments for that build (for example -o).
#
# As root, Dovecot serves the mail as the user poplar-dovecot (created if missing); otherwise as the calling user
# (Dovecot's rootless mode). Needs dovecot (Debian: apt-get install dovecot-pop3d), python3, Java 17 and Maven.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
# shellcheck source=dovecot-lib.sh
. "$here/dovecot-lib.sh"
dovecot_check

maildir=""
format=""
while (($#)); do
  case "$1" in
    --maildir) maildir="${2:?compare.sh: --maildir needs a directory}"; shift ;;
    --format) format="${2:?compare.sh: --format needs a value}"; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

work="$(mktemp -d)"
chmod 755 "$work"
trap 'dovecot_stop; rm -rf "$work"' EXIT

if [ -n "${POPLAR_CLASSPATH:-}" ]; then
  classpath="$POPLAR_CLASSPATH"
else
  command -v mvn >/dev/null 2>&1 || dovecot_fail "mvn not found (or set POPLAR_CLASSPATH)"
  echo "compare.sh: building the class path of pop3-store-maildir's tests" >&2
  # shellcheck disable=SC2086
  (cd "$repo" && mvn -B -q ${MAVEN_ARGS:-} -pl pop3-store-maildir -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=test >&2)
  classpath="$repo/pop3-store-maildir/target/test-classes:$repo/pop3-store-maildir/target/classes:$(cat "$work/classpath.txt")"
fi

failures=0
compare() {
  local name="$1" dir="$2"
  java -cp "$classpath" dev.poplar.pop3.store.maildir.UidlListingMain "$dir/mail" alice "$(cat "$dir/format")" \
    > "$dir/poplar.txt" 2> "$dir/poplar.log" || { cat "$dir/poplar.log" >&2; dovecot_fail "the store failed on $name"; }
  if diff <(cut -d' ' -f1,2 "$dir/uidl.txt") <(cut -d' ' -f1,2 "$dir/poplar.txt") > "$dir/diff.txt"; then
    echo "same   $name: $(wc -l < "$dir/uidl.txt") UIDLs"
  else
    echo "DIFFER $name (< Dovecot, > MaildirStore):"
    cat "$dir/diff.txt"
    failures=$((failures + 1))
  fi
}

if [ -n "$maildir" ]; then
  [ -d "$maildir/cur" ] && [ -d "$maildir/new" ] || dovecot_fail "$maildir is not a Maildir (no cur/ and new/)"
  mkdir -p "$work/given"
  scenario_setup "$work/given"
  cp -R "$maildir/." "$work/given/mail/alice/"
  rm -f "$work/given/mail/alice/poplar.lock"
  printf '%s' "$format" > "$work/given/format"
  scenario_serve "$work/given" ""
  compare "$maildir" "$work/given"
else
  for scenario in $DOVECOT_SCENARIOS; do
    mkdir -p "$work/$scenario"
    "scenario_$scenario" "$work/$scenario"
    compare "$scenario" "$work/$scenario"
  done
fi

if ((failures)); then
  echo "compare.sh: $failures listing(s) differ" >&2
  exit 1
fi
