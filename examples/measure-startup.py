#!/usr/bin/env python3
"""Start-up of the standalone server: from launching bin/poplar to the first successful login, fresh processes.

    python3 examples/measure-startup.py [--runs 11] [--home examples/target/poplar-VERSION]

Unpack the distribution first (mvn package builds examples/target/poplar-VERSION.tar.gz; without --home the script
unpacks it into a temporary directory). It writes a configuration like the example one (Maildir store, a users file
with a SHA512-CRYPT password (--scheme), PEM certificate files, POP3 and POP3S listeners), then for each mode starts the server
--runs times on a free port, logs in over plain POP3 from loopback as soon as the port answers, and stops it with
SIGTERM. Modes: "cds" uses the class-data-sharing archive (made once by `bin/poplar cds`, not timed), "no-cds" runs
with POPLAR_CDS=off. Prints the median, min and max per mode, in milliseconds, and the median CPU time the JVM used
up to the login (less sensitive than wall time to other work on the machine), and the load average.
"""
import argparse
import glob
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def try_login(port, user, password):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        f = s.makefile("rwb")
        if not f.readline().startswith(b"+OK"):
            return False
        for command in (b"USER " + user.encode(), b"PASS " + password.encode()):
            f.write(command + b"\r\n")
            f.flush()
            reply = f.readline()
            if not reply.startswith(b"+OK"):
                raise RuntimeError("login refused: %r" % reply)
        f.write(b"QUIT\r\n")
        f.flush()
        f.readline()
        return True


def fixture(home, work, scheme):
    mail = os.path.join(work, "mail", "alice")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(mail, sub))
    with open(os.path.join(mail, "new", "1700000000.M1P1.bench,S=20"), "w") as f:
        f.write("Subject: hi\n\nhello\n")
    hashed = subprocess.run([os.path.join(home, "bin", "poplar"), "pw", "-s", scheme, "-p", "alice-pass"], check=True,
                            capture_output=True, text=True).stdout.strip()
    with open(os.path.join(work, "users"), "w") as f:
        f.write("alice:" + hashed + "\n")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", os.path.join(work, "key.pem"), "-out", os.path.join(work, "chain.pem"), "-days", "30",
                    "-subj", "/CN=localhost"], check=True, capture_output=True)


def config(work, port, tls_port):
    path = os.path.join(work, "poplar-%d.yaml" % port)
    with open(path, "w") as f:
        f.write("""listeners:
  - {name: pop3, address: 127.0.0.1, port: %d}
  - {name: pop3s, address: 127.0.0.1, port: %d, implicit_tls: true}
tls: {certificate: chain.pem, key: key.pem}
store: {maildir: {root: mail}}
auth: {users_file: users}
logging: {level: warn}
""" % (port, tls_port))
    return path


def cpu_millis(pid):
    """CPU time (user + system) the server's JVM has used so far: less sensitive to a busy machine than wall time."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def one_start(home, work, env):
    port, tls_port = free_port(), free_port()
    conf = config(work, port, tls_port)
    launched = time.perf_counter()
    process = subprocess.Popen([os.path.join(home, "bin", "poplar"), "--config", conf], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = launched + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError("the server exited: " + process.stderr.read().decode())
            try:
                if try_login(port, "alice", "alice-pass"):
                    elapsed = (time.perf_counter() - launched) * 1000
                    return elapsed, cpu_millis(process.pid)
            except OSError:
                if time.perf_counter() > deadline:
                    raise
                time.sleep(0.001)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        os.remove(conf)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--scheme", default="SHA512-CRYPT", help="the users file's password scheme")
    parser.add_argument("--home", help="an unpacked distribution (default: unpack examples/target/poplar-*.tar.gz)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="poplar-startup-")
    try:
        home = args.home
        if home is None:
            archives = glob.glob(os.path.join(HERE, "target", "poplar-*.tar.gz"))
            if not archives:
                sys.exit("no examples/target/poplar-*.tar.gz: run mvn package first, or pass --home")
            subprocess.run(["tar", "-xzf", archives[0], "-C", work], check=True)
            home = glob.glob(os.path.join(work, "poplar-*"))[0]
        fixture(home, work, args.scheme)
        cache = os.path.join(work, "cache")
        env = dict(os.environ, POPLAR_CDS_DIR=cache)
        subprocess.run([os.path.join(home, "bin", "poplar"), "cds"], env=env, check=True, capture_output=True)
        modes = {"cds": env, "no-cds": dict(env, POPLAR_CDS="off")}
        results = {name: [] for name in modes}
        for _ in range(args.runs):
            for name, mode_env in modes.items():  # interleaved, so that drift affects both alike
                results[name].append(one_start(home, work, mode_env))
        for name, runs in results.items():
            times = [wall for wall, _ in runs]
            cpu = [used for _, used in runs]
            print("%-7s start to first login: median %.0f ms (min %.0f, max %.0f) over %d runs; CPU time of the JVM "
                  "median %.0f ms" % (name, statistics.median(times), min(times), max(times), len(times),
                                      statistics.median(cpu)))
        print("load average: %.1f %.1f %.1f on %d processors" % (os.getloadavg() + (os.cpu_count(),)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
