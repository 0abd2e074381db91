"""A real SMTP server for the e-mail channel's tests (runtime-server/tests/email.rs, kill.rs).

aiosmtpd on 127.0.0.1:PORT with STARTTLS required (the certificate and key the test made)
and AUTH required (one user and password). Every message it accepts is written to OUT as
one JSON summary: the envelope (MAIL FROM, RCPT TO), the headers as the message has them,
and each MIME part's content type, file name, size, SHA-256 and (for text parts) its text.
A RCPT TO address given with --reject is refused with 550 (a permanent refusal).

Prints "ready" on standard output once it accepts connections; runs until killed.
"""

import argparse
import asyncio
import email
import hashlib
import json
import os
import ssl
import sys
import time
from email import policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, out, reject):
        self.out = out
        self.reject = set(reject)
        self.n = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=policy.default)
        parts = []
        for part in msg.walk():
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            entry = {
                "content_type": part.get_content_type(),
                "filename": part.get_filename(),
                "size": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
            }
            if part.get_content_maintype() == "text":
                entry["text"] = payload.decode(part.get_content_charset() or "utf-8", "replace")
            parts.append(entry)
        summary = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            # Raw header lines as sent (name, folded value) and decoded values.
            "raw_headers": [[k, v] for k, v in msg.raw_items()],
            "headers": [[k, str(v)] for k, v in msg.items()],
            "parts": parts,
            "size": len(raw),
        }
        self.n += 1
        name = "%d-%06d" % (time.time_ns(), self.n)
        tmp = os.path.join(self.out, name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(summary, f)
        with open(os.path.join(self.out, name + ".eml"), "wb") as f:
            f.write(raw)
        os.rename(tmp, os.path.join(self.out, name + ".json"))
        return "250 Message accepted"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--reject", action="append", default=[])
    a = p.parse_args()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(a.cert, a.key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == a.user.encode()
            and auth_data.password == a.password.encode()
        )
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        Handler(a.out, a.reject),
        hostname="127.0.0.1",
        port=a.port,
        tls_context=ctx,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
