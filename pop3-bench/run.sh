#!/usr/bin/env bash
# Builds the harness, the C load generator and the canned-reply server, then runs the same loads over the same
# fixture against Poplar, Dovecot, GreenMail, Apache James and the canned-reply server, and prints a markdown table
# (JSON beside it).
# See pop3-bench/README.md. Options of this script: --install-deps, --no-build; every other option goes to the
# harness (run.sh --help lists them).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
install_deps=0
build=1
mode=smoke
out=""
targets="poplar,dovecot,greenmail,james,canned"
targets_given=0
args=()
while (($#)); do
  case "$1" in
    --install-deps) install_deps=1 ;;
    --no-build) build=0 ;;
    --full) mode=full; args+=("$1") ;;
    --smoke) mode=smoke; args+=("$1") ;;
    --out) out="${2:?run.sh: option --out needs a value}"; shift ;;
    --targets) targets="${2:?run.sh: option --targets needs a value}"; targets_given=1; args+=("$1" "$2"); shift ;;
    -h|--help)
      sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
      echo "  --install-deps          apt-get install dovecot-pop3d, gcc, libssl-dev and openssl first (root)"
      echo "  --no-build              use the jar and binary already built"
      [[ -f "$here/target/pop3-bench.jar" ]] && java -jar "$here/target/pop3-bench.jar" --help
      exit 0 ;;
    *) args+=("$1") ;;
  esac
  shift
done
out="${out:-$here/target/bench-$mode}"

fail() { echo "run.sh: $*" >&2; exit 2; }

if ((install_deps)); then
  [[ $(id -u) -eq 0 ]] || fail "--install-deps needs root"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-pop3d gcc libssl-dev openssl >/dev/null
fi
for tool in java mvn gcc openssl; do
  command -v "$tool" >/dev/null || fail "$tool not found (JDK 17, Maven, gcc, openssl are needed; see README.md)"
done
[[ -f /usr/include/openssl/ssl.h ]] || fail "OpenSSL headers not found: apt-get install -y libssl-dev (or --install-deps)"

# Without --targets, the harness leaves Dovecot out (with a warning) where it cannot run; named with --targets, it
# must run.
if [[ ",$targets," == *",dovecot,"* ]] && ((!targets_given)); then
  if ! command -v dovecot >/dev/null || [[ $(id -u) -ne 0 ]]; then
    targets=""
  fi
fi
if [[ ",$targets," == *",dovecot,"* ]]; then
  command -v dovecot >/dev/null || fail "dovecot not found: apt-get install -y dovecot-pop3d (or --install-deps), or leave it out with --targets"
  [[ $(id -u) -eq 0 ]] || fail "the dovecot target runs Dovecot's master process as root; run as root or leave it out with --targets"
  # Dovecot's mail processes need an ordinary user (it refuses root): the fixture's mail is served as this one.
  id poplarbench >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin poplarbench
fi

# 10,000 idle sessions take 10,000 descriptors in the generator and as many in the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (($(ulimit -n) < 12000)); then
  echo "run.sh: warning: ulimit -n is $(ulimit -n); the full idle-session load needs more than 10,000" >&2
fi

if ((build)); then
  echo "[bench] building pop3-bench, the C load generator and the canned-reply server" >&2
  (cd "$root" && mvn -B -q -pl pop3-bench -am package -DskipTests)
  for program in pop3-canned pop3-load; do
    gcc -O2 -Wall -o "$here/target/$program" "$here/src/main/c/$program.c" -lssl -lcrypto -lpthread
  done
fi

harness=""
cleanup() {
  # The harness stops the server it is running when it gets SIGTERM; Dovecot's master pid file is the fallback.
  if [[ -n "$harness" ]] && kill -0 "$harness" 2>/dev/null; then
    kill "$harness" 2>/dev/null || true
    timeout 60 tail --pid="$harness" -f /dev/null || true
    kill -9 "$harness" 2>/dev/null || true
  fi
  local pidfile
  for pidfile in "$out"/work/dovecot-*/run/master.pid; do
    [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$out"
java -Xmx2g -Dpoplar.repo="$root" -jar "$here/target/pop3-bench.jar" --out "$out" \
  --canned-binary "$here/target/pop3-canned" --load-binary "$here/target/pop3-load" "${args[@]}" &
harness=$!
status=0
wait "$harness" || status=$?
harness=""
exit "$status"
