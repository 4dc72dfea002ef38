# Shell functions to run a real Dovecot POP3 server on a directory of Maildirs and ask it for UIDLs.
# Sourced by capture-fixtures.sh and compare.sh. Needs dovecot (Debian: dovecot-pop3d) and python3.
#
# As root, Dovecot's mail and login processes run as the user poplar-dovecot (created if missing, as Dovecot refuses
# root for them); the Maildirs are handed to that user while Dovecot runs. As another user, everything runs as that
# user (Dovecot's rootless mode).

dovecot_fail() { echo "dovecot-lib: $*" >&2; exit 2; }

dovecot_check() {
  command -v dovecot >/dev/null 2>&1 || dovecot_fail "dovecot not found (Debian: apt-get install dovecot-pop3d)"
  command -v python3 >/dev/null 2>&1 || dovecot_fail "python3 not found"
}

# The account Dovecot serves mail as.
dovecot_mail_user() {
  if [ "$(id -u)" -eq 0 ]; then
    id poplar-dovecot >/dev/null 2>&1 \
      || useradd --system --no-create-home --shell /usr/sbin/nologin poplar-dovecot >/dev/null
    echo poplar-dovecot
  else
    id -un
  fi
}

dovecot_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# dovecot_start WORK MAILROOT [UIDL_FORMAT]: starts Dovecot in the foreground mode in the background, serving
# MAILROOT/<user> for every user of WORK/users (lines "user:{PLAIN}password"), on 127.0.0.1, with Dovecot's default
# pop3_uidl_format unless one is given; sets DOVECOT_PORT and DOVECOT_PID.
dovecot_start() {
  local work="$1" mailroot="$2" format="${3:-}" user uid gid group attempt
  user="$(dovecot_mail_user)"
  uid="$(id -u "$user")"; gid="$(id -g "$user")"; group="$(id -gn "$user")"
  mkdir -p "$work/run" "$work/lib" "$work/index"
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$uid:$gid" "$mailroot" "$work/index"
  fi
  for attempt in 1 2 3 4 5; do
    DOVECOT_PORT="$(dovecot_free_port)"
    cat > "$work/dovecot.conf" <<CONF
protocols = pop3
listen = 127.0.0.1
instance_name = poplar-dovecot-$DOVECOT_PORT
base_dir = $work/run
state_dir = $work/lib
log_path = $work/dovecot.log
info_log_path = $work/dovecot.log
ssl = no
login_greeting = poplar-dovecot-$$-$attempt ready
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = $user
default_internal_group = $group
default_login_user = $user
first_valid_uid = $uid
last_valid_uid = $uid
first_valid_gid = $gid
last_valid_gid = $gid
mail_location = maildir:$mailroot/%u:INDEX=$work/index/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $work/users
}
userdb {
  driver = static
  args = uid=$uid gid=$gid
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    address = 127.0.0.1
    port = $DOVECOT_PORT
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
protocol pop3 {
  mail_max_userip_connections = 100
$( [ -n "$format" ] && echo "  pop3_uidl_format = $format" )
}
CONF
    dovecot -F -c "$work/dovecot.conf" >>"$work/dovecot.log" 2>&1 &
    DOVECOT_PID=$!
    # The greeting names this start, so that a server of someone else that took the port is never mistaken for ours.
    if python3 - "$DOVECOT_PORT" "poplar-dovecot-$$-$attempt ready" <<'PY'
import socket, sys, time
deadline = time.time() + 15
while time.time() < deadline:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
        greeting = s.makefile("rb").readline()
        s.close()
        sys.exit(0 if sys.argv[2].encode() in greeting else 1)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
    then
      return 0
    fi
    kill "$DOVECOT_PID" 2>/dev/null; wait "$DOVECOT_PID" 2>/dev/null
  done
  cat "$work/dovecot.log" >&2
  dovecot_fail "Dovecot did not start (log above)"
}

dovecot_stop() {
  if [ -n "${DOVECOT_PID:-}" ] && kill -0 "$DOVECOT_PID" 2>/dev/null; then
    kill "$DOVECOT_PID"
    wait "$DOVECOT_PID" 2>/dev/null || true
  fi
  DOVECOT_PID=""
}

# pop3_listing PORT USER PASSWORD [DELETE...]: prints "n uidl size" for every message (UIDL and LIST), then deletes
# the messages numbered DELETE and quits (the UPDATE state). Refuses a server whose greeting is not this script's.
pop3_listing() {
  python3 - "$@" <<'PY'
import poplib, sys
port, user, password, *delete = sys.argv[1:]
pop = poplib.POP3("127.0.0.1", int(port), timeout=30)
if b"poplar-dovecot-" not in pop.getwelcome():
    sys.exit("not the Dovecot this script started: " + pop.getwelcome().decode("ascii", "replace"))
pop.user(user)
pop.pass_(password)
uidls = {}
for line in pop.uidl()[1]:
    n, uidl = line.decode("ascii").split(" ", 1)
    uidls[int(n)] = uidl
sizes = {}
for line in pop.list()[1]:
    n, size = line.decode("ascii").split(" ", 1)
    sizes[int(n)] = int(size)
for n in sorted(uidls):
    print(n, uidls[n], sizes[n])
for n in delete:
    pop.dele(int(n))
pop.quit()
PY
}

# ---------------------------------------------------------------------------------------------------------------------
# Scenarios: Maildirs as Dovecot leaves them after serving them over POP3. Each scenario_<name> WORK builds
# WORK/mail/alice, lets Dovecot serve it (sessions as described), and leaves:
#   WORK/mail/alice            the Maildir as Dovecot left it
#   WORK/uidl.txt              the last listing Dovecot gave: "n uidl size" per message
#   WORK/format                the pop3_uidl_format Dovecot used (empty: Dovecot's default)
#   WORK/dovecot-uidlist.before (some scenarios) the uidlist as it was before Dovecot served the Maildir
# ---------------------------------------------------------------------------------------------------------------------

DOVECOT_SCENARIOS="fresh grown migrated courier format"

# put MAILDIR SUBDIR NAME TEXT: writes a message file (TEXT with printf escapes: \n, \r).
put() {
  mkdir -p "$1/cur" "$1/new" "$1/tmp"
  printf '%b' "$4" > "$1/$2/$3"
}

scenario_setup() {
  rm -rf "$1/mail" "$1/index" "$1/run" "$1/lib"
  mkdir -p "$1/mail/alice/cur" "$1/mail/alice/new" "$1/mail/alice/tmp"
  echo 'alice:{PLAIN}secret' > "$1/users"
  : > "$1/format"
  rm -f "$1/dovecot-uidlist.before"
}

# scenario_serve WORK SESSION...: serves the Maildir with one POP3 session per argument, each listing the messages and
# then deleting those the argument numbers ("" for none). The last listing goes to WORK/uidl.txt; when the last session
# deleted nothing, one more session must list the same (Dovecot's UIDLs are stable).
scenario_serve() {
  local work="$1" session last=""; shift
  dovecot_start "$work" "$work/mail" "$(cat "$work/format")"
  for session in "$@"; do
    # shellcheck disable=SC2086
    pop3_listing "$DOVECOT_PORT" alice secret $session > "$work/uidl.txt"
    last="$session"
  done
  if [ -z "$last" ]; then
    pop3_listing "$DOVECOT_PORT" alice secret > "$work/uidl.again"
  fi
  dovecot_stop
  if [ -z "$last" ] && ! cmp -s "$work/uidl.txt" "$work/uidl.again"; then
    diff "$work/uidl.txt" "$work/uidl.again" >&2
    dovecot_fail "Dovecot listed other UIDLs the second time"
  fi
  rm -f "$work/uidl.again"
}

# A Maildir as an MTA delivered it: Dovecot-style names with and without sizes, Postfix-style names, LF and CRLF
# line ends, messages in new/ and in cur/ with flags, one without a final line end.
scenario_fresh() {
  local w="$1" m="$1/mail/alice"
  scenario_setup "$w"
  put "$m" new '1700000001.M100001P4242.mx1.example.org,S=36,W=38' 'Subject: one\n\nHello from Dovecot.\n'
  put "$m" new '1700000002.M200002P4242.mx1.example.org' 'Subject: two\r\n\r\nCRLF body\r\n.leading dot\r\n'
  put "$m" new '1700000003.V801I4e2bM543210.mx2' 'Subject: three\n\nPostfix names it so.\n'
  put "$m" cur '1700000004.M400004P4242.mx1.example.org,S=25,W=27:2,S' 'Subject: four\n\nseen one\n'
  put "$m" cur '1700000005.M500005P4242.mx1.example.org:2,FS' 'Subject: five\n\nflagged and seen\n'
  put "$m" new '1700000006.M600006P4242.mx1.example.org' 'Subject: six\n\nno final line end'
  scenario_serve "$w" ""
}

# Served once with message 2 deleted (DELE, QUIT), then three more messages arrive and it is served again.
scenario_grown() {
  local w="$1" m="$1/mail/alice" i
  scenario_setup "$w"
  for i in 1 2 3 4; do
    put "$m" new "170000001$i.M10001${i}P77.mx1.example.org" "Subject: first batch $i\n\nbody $i\n"
  done
  scenario_serve "$w" "2"
  for i in 5 6 7; do
    put "$m" new "170000002$i.M20002${i}P78.mx1.example.org" "Subject: second batch $i\n\nbody $i\n"
  done
  scenario_serve "$w" ""
}

# A uidlist written by a migration tool before Dovecot ever served the Maildir: POP3 UIDLs of the old server (P) for
# some messages, a POP3 order (O) for some, a message the list does not name (Dovecot gives it the next UID).
scenario_migrated() {
  local w="$1" m="$1/mail/alice" i
  scenario_setup "$w"
  for i in 1 2 3 4 5; do
    put "$m" cur "170000003$i.M30003${i}P90.old.example.org:2,S" "Subject: migrated $i\n\nbody $i\n"
  done
  put "$m" new '1700000040.M400040P91.mx1.example.org' 'Subject: arrived after the migration\n\nbody\n'
  cat > "$m/dovecot-uidlist" <<'LIST'
3 V1234567890 N300 G0123456789abcdef0123456789abcdef
101 Pold-server-uidl-0001 :1700000031.M300031P90.old.example.org:2,S
102 O2 Pold-server-uidl-0002 :1700000032.M300032P90.old.example.org:2,S
150 O1 :1700000033.M300033P90.old.example.org:2,S
151 :1700000034.M300034P90.old.example.org:2,S
200 G0f0e0d0c :1700000035.M300035P90.old.example.org:2,S
LIST
  cp "$m/dovecot-uidlist" "$w/dovecot-uidlist.before"
  scenario_serve "$w" ""
}

# A version 1 uidlist, as older Dovecot and Courier (courierimapuiddb) wrote it.
scenario_courier() {
  local w="$1" m="$1/mail/alice" i
  scenario_setup "$w"
  for i in 1 2 3; do
    put "$m" cur "170000005$i.M50005${i}P12.courier.example.org:2,S" "Subject: courier $i\n\nbody $i\n"
  done
  printf '1 1100000000 40\n5 1700000051.M500051P12.courier.example.org:2,S\n9 1700000052.M500052P12.courier.example.org\n30 1700000053.M500053P12.courier.example.org:2,S\n' \
    > "$m/dovecot-uidlist"
  cp "$m/dovecot-uidlist" "$w/dovecot-uidlist.before"
  scenario_serve "$w" ""
}

# Another pop3_uidl_format, the one Courier-to-Dovecot migrations use.
scenario_format() {
  local w="$1" m="$1/mail/alice" i
  scenario_setup "$w"
  echo 'UID%u-%v' > "$w/format"
  for i in 1 2 3; do
    put "$m" new "170000006$i.M60006${i}P13.mx1.example.org" "Subject: format $i\n\nbody $i\n"
  done
  scenario_serve "$w" ""
}
