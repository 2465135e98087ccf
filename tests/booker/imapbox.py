"""A real IMAP server on loopback: Debian's dovecot (`dovecot-imapd`, which .ci/run installs),
started from a configuration of its own in a temporary folder — a free port on 127.0.0.1,
one user with a plaintext password, a maildir, no TLS, its log in a file — the bounce mailbox
the worker reads (booker.bounces.reader). Mails are delivered into it by IMAP APPEND, as a
mail server's local delivery would leave them: unread."""

from __future__ import annotations

import getpass
import grp
import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.booker.mailbox import free_port

USER, PASSWORD = "bounces", "test-password"


def dovecot_binary() -> str | None:
    # /usr/sbin is not on a normal user's PATH.
    return shutil.which("dovecot", path=os.pathsep.join(
        [os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"]))


class Dovecot:
    def __init__(self) -> None:
        self.binary = dovecot_binary()
        self.root = Path(tempfile.mkdtemp(prefix="booke-dovecot-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = self.root / "dovecot.log"

    def _accounts(self) -> tuple[str, str, str]:
        """(login user, internal user, mail user): as root, dovecot refuses to run its login
        and mail processes as root, so they take the accounts the package made; otherwise
        every process is the current user."""
        if os.geteuid() == 0:
            return "dovenull", "dovecot", "dovecot"
        me = getpass.getuser()
        return me, me, me

    def _config(self) -> Path:
        login, internal, mail = self._accounts()
        group = grp.getgrgid(pwd.getpwnam(mail).pw_gid).gr_name
        internal_group = grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name
        mail_dir, home = self.root / "mail", self.root / "home"
        for folder in (mail_dir, home):
            folder.mkdir()
        if os.geteuid() == 0:
            # The mail process (not root) writes the maildir under this folder.
            for path in (self.root, mail_dir, home):
                shutil.chown(path, mail, group)
        users = self.root / "users"
        users.write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        config = self.root / "dovecot.conf"
        config.write_text(f"""
protocols = imap
listen = 127.0.0.1
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.log}
info_log_path = {self.log}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{mail_dir}/%u
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {internal_group}
mail_uid = {mail}
mail_gid = {group}
first_valid_uid = 0
first_valid_gid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = static
  args = uid={mail} gid={group} home={home}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""")
        return config

    def start(self) -> Dovecot:
        assert self.binary, "dovecot is not installed (apt-get install dovecot-imapd)"
        config = self._config()
        # To a file, not a pipe nobody reads: a full pipe would stall the server.
        with open(self.root / "stderr.log", "wb") as stderr:
            self.process = subprocess.Popen(  # noqa: S603 # our own binary and config
                [self.binary, "-F", "-c", str(config)],
                stdout=subprocess.DEVNULL, stderr=stderr)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self._failure()
            try:
                with self.connect():
                    return self
            except (OSError, imaplib.IMAP4.error):
                time.sleep(0.1)
        raise AssertionError(self._failure())

    def _failure(self) -> str:
        logs = [path.read_text(errors="replace") for path in
                (self.log, self.root / "stderr.log") if path.exists()]
        return f"dovecot did not start on port {self.port}:\n" + "\n".join(logs)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            imap.login(USER, PASSWORD)
            imap.select("INBOX")
        except Exception:
            imap.shutdown()
            raise
        return imap

    def settings(self) -> dict[str, object]:
        """The settings that make booker.bounces.reader read this mailbox."""
        return {"BOOKE_BOUNCE_IMAP_HOST": "127.0.0.1", "BOOKE_BOUNCE_IMAP_PORT": self.port,
                "BOOKE_BOUNCE_IMAP_USER": USER, "BOOKE_BOUNCE_IMAP_PASSWORD": PASSWORD,
                "BOOKE_BOUNCE_IMAP_SSL": "none", "BOOKE_BOUNCE_IMAP_FOLDER": "INBOX"}

    def deliver(self, raw: bytes) -> int:
        """`raw` appended to the inbox, unread. Returns its UID."""
        with self.connect() as imap:
            typ, data = imap.append("INBOX", None, None, raw)
            assert typ == "OK", data
            # "[APPENDUID <validity> <uid>] Append completed."
            return int(data[0].split(b"]")[0].split()[-1])

    def empty(self) -> None:
        with self.connect() as imap:
            typ, data = imap.uid("SEARCH", None, "ALL")
            if data[0]:
                imap.uid("STORE", b",".join(data[0].split()), "+FLAGS", "(\\Deleted)")
                imap.expunge()

    def flags(self) -> dict[int, set[str]]:
        """Each mail's flags, by UID."""
        with self.connect() as imap:
            typ, data = imap.uid("SEARCH", None, "ALL")
            if not data[0]:
                return {}
            typ, data = imap.uid("FETCH", b",".join(data[0].split()), "(FLAGS)")
        found = {}
        for line in data:
            if not line:
                continue
            text = line.decode()
            uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
            inside = text.split("FLAGS (")[1].split(")")[0]
            found[uid] = set(inside.split())
        return found
