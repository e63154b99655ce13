#!/usr/bin/python3
"""smtp-receiver.py - a real SMTP server on 127.0.0.1 for mailreg's tests.

aiosmtpd (Debian's python3-aiosmtpd).  Every accepted message is stored as the
exact bytes received after DATA (CRLF line ends, dots unstuffed) in
DIR/NNNNNN.eml, with its envelope in DIR/NNNNNN.json.  Failures are injected by
the server, never by mocks in mailreg:
  - a recipient whose local part starts with "tempfail4xx" gets 451 at RCPT,
    "tempfailonce" gets 451 the first time only, "tempfail432" gets Exchange's
    432, "perm5xx" gets 550;
  - the file given by --control, while it exists, holds one line
    "rcpt CODE TEXT" or "data CODE TEXT": that reply for every RCPT or for every
    end of DATA; or "pause": the end of DATA is answered once the line is gone;
  - --fail-share P (with --seed N) fails that share of the transactions, at
    random, with one of: 452 at RCPT, 451 at the end of DATA, or 421 at the
    end of DATA followed by closing the connection (the message is not stored);
    each injected reply is logged to stderr as "fault CODE RCPT";
  - --tls CERT KEY offers STARTTLS, --auth USER:PASSWORD requires AUTH (over TLS
    when --tls is given); --oauth2 USER:FILE requires AUTH XOAUTH2 with the
    bearer token FILE holds when the client logs in (so a test can expire it);
  - --hold-after N: once N messages are stored (counting those already in
    DIR), the end of the next DATA is never answered: a client sending a
    batch stops there, however fast it is, until it is killed;
  - PIPELINING (RFC 2920) is offered, as by Postfix and Exchange (aiosmtpd
    reads commands in order from its stream), unless --no-pipelining.
Every command refused as broken (500-502, 504, 555: bad syntax, unknown
command or parameter) is logged to stderr as "broken command: REPLY"; one out
of sequence (503, e.g. DATA after every RCPT of a pipelined envelope was
refused) as "out of sequence: REPLY".
The envelope file also holds "accepted_at", the time (Unix seconds) the 250
to DATA was given, and "pipelined": whether DATA had already arrived when RCPT
was read (the client sent the envelope in one go).
The port (0: any free one) is written to --port-file once the server listens.
Stop it with SIGTERM.
"""
import argparse
import asyncio
import base64
import json
import os
import random
import signal
import ssl
import sys
import time

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, store, control, fail_share=0.0, seed=None, pipelining=True, oauth2=None, hold_after=None):
        self.store = store
        self.hold_after = hold_after
        self.pipelining = pipelining
        self.oauth2 = oauth2
        self.control = control
        self.fail_share = fail_share
        self.random = random.Random(seed)
        self.count = len([n for n in os.listdir(store) if n.endswith(".eml")])
        self.failed_once = set()

    def _control(self, stage):
        try:
            with open(self.control) as f:
                words = f.readline().split(None, 1)
        except (OSError, TypeError):
            return None
        if words == [stage]:
            return ""
        if len(words) == 2 and words[0] == stage:
            return words[1].strip()
        return None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

    async def auth_XOAUTH2(self, server, args):
        """RFC 7628's predecessor as Gmail and Microsoft 365 speak it:
        base64("user=U" ^A "auth=Bearer T" ^A ^A)."""
        if self.oauth2 is None:
            return AuthResult(success=False, handled=False)
        if len(args) == 1:
            data = await server.challenge_auth("")
            if data is MISSING:
                return AuthResult(success=False)
        else:
            data = base64.b64decode(args[1])
        fields = dict(f.split("=", 1) for f in data.decode("utf-8", "replace").split("\x01") if "=" in f)
        user, token_file = self.oauth2
        with open(token_file) as f:
            token = f.read().strip()
        ok = fields.get("user") == user and fields.get("auth") == "Bearer " + token
        print("xoauth2 %s" % ("ok" if ok else "refused"), file=sys.stderr, flush=True)
        return AuthResult(success=ok, handled=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("tempfail4xx"):
            return "451 4.3.0 Temporary failure, try again later"
        if local.startswith("tempfailonce") and address not in self.failed_once:
            self.failed_once.add(address)
            return "451 4.3.0 Temporary failure, try again later"
        if local.startswith("tempfail432"):
            return "432 4.7.12 A password transition is needed"
        if local.startswith("perm5xx"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        reply = self._control("rcpt")
        if reply:
            return reply
        if not envelope.rcpt_tos and self.fail_share > 0 and self.random.random() < self.fail_share:
            envelope.fault = self.random.choice((421, 451, 452))
            print("fault %d %s" % (envelope.fault, address), file=sys.stderr, flush=True)
            if envelope.fault == 452:
                return "452 4.3.1 Insufficient system storage"
        envelope.rcpt_tos.append(address)
        # aiosmtpd's stream reader holds what came in with this command
        buffered = bytes(getattr(getattr(server, "_reader", None), "_buffer", b""))
        envelope.pipelined = buffered.upper().startswith(b"DATA")
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = self._control("data")
        if reply:
            return reply
        fault = getattr(envelope, "fault", None)
        if fault == 451:
            return "451 4.3.0 Temporary local problem, try again later"
        if fault == 421:
            # the reply goes out first: the handler returns without yielding
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
            return "421 4.3.2 Service shutting down, closing transmission channel"
        while self._control("pause") is not None:
            await asyncio.sleep(0.1)
        if self.hold_after is not None and self.count >= self.hold_after:
            print("hold: %d stored, the end of DATA stays unanswered" % self.count, file=sys.stderr, flush=True)
            await asyncio.Event().wait()
        self.count += 1
        name = os.path.join(self.store, "%06d" % self.count)
        with open(name + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(name + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "helo": session.host_name,
                       "tls": session.ssl is not None,
                       "auth": session.authenticated, "peer": list(session.peer),
                       "accepted_at": time.time(),
                       "pipelined": getattr(envelope, "pipelined", False)}, f)
        os.rename(name + ".tmp", name + ".eml")
        return "250 2.0.0 OK: queued as %06d" % self.count


class LoggingSMTP(SMTP):
    """SMTP that says on stderr which commands it refused as broken."""

    async def push(self, status):
        text = status.decode("utf-8", "replace") if isinstance(status, bytes) else status
        if text[:3] in ("500", "501", "502", "504", "555"):
            print("broken command: %s" % text, file=sys.stderr, flush=True)
        elif text[:3] == "503":
            print("out of sequence: %s" % text, file=sys.stderr, flush=True)
        return await super().push(status)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--control")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--auth")
    ap.add_argument("--fail-share", type=float, default=0.0)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--no-pipelining", action="store_true")
    ap.add_argument("--oauth2")
    ap.add_argument("--hold-after", type=int)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    oauth2 = tuple(a.oauth2.split(":", 1)) if a.oauth2 else None
    handler = Handler(a.dir, a.control, a.fail_share, a.seed, not a.no_pipelining, oauth2, a.hold_after)
    ctx = None
    if a.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
    user, _, password = (a.auth or "").partition(":")

    def authenticator(server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and data.login.decode() == user
              and data.password.decode() == password)
        # aiosmtpd 1.4.3 sends no reply to a failed AUTH unless handled=False:
        # the client would wait for minutes.
        return AuthResult(success=ok, handled=False)

    def factory():
        return LoggingSMTP(handler, hostname="mx.test.invalid", tls_context=ctx, require_starttls=bool(ctx),
                    auth_required=bool(a.auth or a.oauth2), auth_require_tls=bool(ctx),
                    authenticator=authenticator if a.auth else None, timeout=60)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", a.port))
    port = server.sockets[0].getsockname()[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(a.port_file + ".tmp", a.port_file)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
