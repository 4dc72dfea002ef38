#!/usr/bin/env python3
"""Writes users/doveadm.passwd and users/doveadm.passwords for the tests of pop3-auth-passwd.

Every entry is the output of Dovecot's own `doveadm pw` (Debian's dovecot-core 2.3), and the comment above it is
the exact command that produced it (`-O`: without reading dovecot.conf). The tests verify each entry, and hash each
password again with the entry's salt and cost to get exactly the same line. Run again only to refresh the fixtures.

Needs: doveadm (apt-get install dovecot-core).
"""
import os
import shlex
import subprocess
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "users")

# user, password, doveadm arguments after "pw"
ENTRIES = [
    ("plain", "pw of plain \u00fc\u2713", ["-s", "PLAIN"]),
    ("cram-md5", "pw of cram-md5 \u00fc\u2713", ["-s", "CRAM-MD5"]),
    ("cram-md5-long", "L" * 100, ["-s", "CRAM-MD5"]),
    ("hmac-md5", "pw of hmac-md5", ["-s", "HMAC-MD5"]),
    ("ssha256", "pw of ssha256 \u00fc\u2713", ["-s", "SSHA256"]),
    ("ssha512", "pw of ssha512 \u00fc\u2713", ["-s", "SSHA512"]),
    ("sha256-crypt", "pw of sha256-crypt \u00fc\u2713", ["-s", "SHA256-CRYPT"]),
    ("sha512-crypt", "pw of sha512-crypt \u00fc\u2713", ["-s", "SHA512-CRYPT"]),
    ("sha512-crypt-rounds", "pw of sha512-crypt-rounds", ["-s", "SHA512-CRYPT", "-r", "10000"]),
    ("blf-crypt", "pw of blf-crypt \u00fc\u2713", ["-s", "BLF-CRYPT"]),
    ("blf-crypt-cost4", "pw of blf-crypt-cost4", ["-s", "BLF-CRYPT", "-r", "4"]),
    ("argon2i", "pw of argon2i \u00fc\u2713", ["-s", "ARGON2I"]),
    ("argon2id", "pw of argon2id \u00fc\u2713", ["-s", "ARGON2ID"]),
    ("scram-sha-1", "pw of scram-sha-1 \u00fc\u2713", ["-s", "SCRAM-SHA-1"]),
    ("scram-sha-256", "pw of scram-sha-256 \u00fc\u2713", ["-s", "SCRAM-SHA-256"]),
    # NFKC (SASLprep) would change the ligature and the no-break space: Dovecot hashes the octets as they are.
    ("scram-sha-256-unnormalized", "caf\u00e9 \ufb01x\u00a0y", ["-s", "SCRAM-SHA-256"]),
]


def main():
    passwd = ["# Written by src/test/scripts/generate-doveadm-fixtures.py; passwords in doveadm.passwords.",
              "# Each line is the output of the doveadm command in the comment above it.", ""]
    passwords = []
    for user, password, args in ENTRIES:
        command = ["doveadm", "-O", "pw"] + args + ["-p", password]
        field = subprocess.run(command, capture_output=True, check=True).stdout.decode().strip()
        passwd.append("# " + shlex.join(command))
        passwd.append(user + ":" + field)
        passwords.append(user + "\t" + password)
    with open(os.path.join(OUT, "doveadm.passwd"), "w", encoding="utf-8") as out:
        out.write("\n".join(passwd) + "\n")
    with open(os.path.join(OUT, "doveadm.passwords"), "w", encoding="utf-8") as out:
        out.write("\n".join(passwords) + "\n")


if __name__ == "__main__":
    sys.exit(main())
