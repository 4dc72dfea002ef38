#!/usr/bin/env python3
"""Writes the reference users file for PasswdFileAuthenticatorTest.

Every hash comes from a tool other than Poplar: Dovecot's own `doveadm pw` (the reference for the
passwd-file format), `openssl passwd`, Apache's `htpasswd`, the argon2 reference CLI, and Python's
crypt (libxcrypt) and hashlib. Run it again only to refresh the fixtures; the tests read the files
it wrote (users/reference.passwd and users/reference.passwords, a tab-separated user and password).

Needs: doveadm (dovecot-core), openssl, htpasswd (apache2-utils), argon2, python3 < 3.13.
"""
import base64
import crypt
import hashlib
import os
import subprocess
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "users")


def run(*args, stdin=None):
    return subprocess.run(args, input=stdin, capture_output=True, check=True).stdout.decode().strip()


def doveadm(scheme, password):
    return run("doveadm", "pw", "-s", scheme, "-p", password)


def ssha(algorithm, password, salt_length):
    salt = os.urandom(salt_length)
    digest = hashlib.new(algorithm, password.encode() + salt).digest()
    return base64.b64encode(digest + salt).decode()


def argon2(password, *options):
    return run("argon2", base64.b64encode(os.urandom(12)).decode(), *options, "-e", stdin=password.encode())


def main():
    entries = []

    def add(user, password, secret, extra=""):
        entries.append((user, password, secret, extra))

    pw = lambda user: "pw of " + user + " \u00fc\u2713"
    for scheme in ["PLAIN", "CLEARTEXT", "SHA256-CRYPT", "SHA512-CRYPT", "SSHA256", "SSHA512", "BLF-CRYPT",
                   "ARGON2ID", "ARGON2I"]:
        user = scheme.lower() + "-doveadm"
        add(user, pw(user), doveadm(scheme, pw(user)))
    user = "sha256crypt-openssl"
    add(user, pw(user), "{SHA256-CRYPT}" + run("openssl", "passwd", "-5", pw(user)))
    user = "sha512crypt-openssl"
    add(user, pw(user), "{SHA512-CRYPT}" + run("openssl", "passwd", "-6", pw(user)))
    user = "sha256crypt-rounds-python"
    add(user, pw(user), "{SHA256-CRYPT}" + crypt.crypt(pw(user), crypt.mksalt(crypt.METHOD_SHA256, rounds=2000)))
    user = "sha512crypt-rounds-python"
    add(user, pw(user), "{SHA512-CRYPT}" + crypt.crypt(pw(user), crypt.mksalt(crypt.METHOD_SHA512, rounds=10000)))
    user = "ssha256-python"
    add(user, pw(user), "{SSHA256}" + ssha("sha256", pw(user), 8))
    user = "ssha512-python"
    add(user, pw(user), "{SSHA512}" + ssha("sha512", pw(user), 16))
    user = "blfcrypt-htpasswd"
    add(user, pw(user), "{BLF-CRYPT}" + run("htpasswd", "-nbB", "-C", "5", user, pw(user)).split(":", 1)[1])
    user = "blfcrypt-long-htpasswd"
    long_password = "L" * 100
    add(user, long_password, "{BLF-CRYPT}" + run("htpasswd", "-nbB", "-C", "4", user, long_password).split(":", 1)[1])
    user = "blfcrypt-2b-python"
    add(user, pw(user), "{BLF-CRYPT}" + crypt.crypt(pw(user), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))
    user = "argon2id-cli"
    add(user, pw(user), "{ARGON2ID}" + argon2(pw(user), "-id", "-t", "2", "-k", "4096", "-p", "2"))
    user = "argon2id-v10-cli"
    add(user, pw(user), "{ARGON2ID}" + argon2(pw(user), "-id", "-t", "1", "-k", "1024", "-v", "10"))
    user = "argon2i-cli"
    add(user, pw(user), "{ARGON2I}" + argon2(pw(user), "-i", "-t", "2", "-k", "2048", "-l", "24"))
    user = "crypt-sha512-without-scheme"
    add(user, pw(user), run("openssl", "passwd", "-6", pw(user)))
    user = "crypt-bcrypt"
    add(user, pw(user), "{CRYPT}" + crypt.crypt(pw(user), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))
    user = "extra-fields"
    add(user, pw(user), doveadm("SHA512-CRYPT", pw(user)), ":1000:1000::/home/extra::userdb_quota_rule=*:storage=1G")
    user = "alice@example.org"
    add(user, pw(user), doveadm("SSHA512", pw(user)))

    with open(os.path.join(OUT, "reference.passwd"), "w", encoding="utf-8") as out:
        out.write("# Reference hashes from doveadm pw, openssl passwd, htpasswd, argon2 and python crypt/hashlib.\n")
        out.write("# Written by src/test/scripts/generate-users-fixtures.py; the passwords are in reference.passwords.\n")
        out.write("\n")
        for user, _, secret, extra in entries:
            out.write(f"{user}:{secret}{extra}\n")
    with open(os.path.join(OUT, "reference.passwords"), "w", encoding="utf-8") as out:
        for user, password, _, _ in entries:
            out.write(f"{user}\t{password}\n")


if __name__ == "__main__":
    sys.exit(main())
