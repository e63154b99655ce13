#!/usr/bin/python3
"""smtp-hostile.py - a small SMTP server that misbehaves on purpose, for mailreg's tests.

Python asyncio with TLS (the standard library only): with --tls CERT KEY it
speaks SMTPS (TLS from the start, smtps://), else plain SMTP.  It never accepts
a message: every scenario ends a transaction before its reply to the data, so
whatever mailreg sends here must still be queued afterwards.  With --record
FILE it appends the Message-ID of each message whose data it read to the end
(then left unanswered) to FILE, one a line: such a message was with a server
that might still deliver it, so mailreg sends it again (RFC 5321 §4.5.3.2.6:
the one window where a message can arrive twice).

--scenario selects the misbehaviour:
  silent           the greeting is never sent
  trickle-greeting the greeting comes one byte a second, without end
  big-greeting     a greeting of 20 MB: "220-" lines of 1000 bytes, then "220 ready"
  huge-line        a greeting that is one line of 20 MB
  endless-ehlo     the answer to EHLO is "250-" lines without end, as fast as they go
  endless-mail     the same for the answer to MAIL
  trickle-mail     the answer to MAIL comes one byte a second, without end
  mixed            the answer to MAIL mixes codes: "250-2.1.0 Ok" then "550 5.7.1 No"
  garbage          the answer to MAIL is not SMTP ("hello there")
  drop-354         the connection is closed right after DATA's 354
  drop-data        the data is read up to its end, then the connection is closed, unanswered
  trickle-data     the data is read up to its end, its reply comes one byte a second, without end
  silent-data      the data is read up to its end and never answered
  421              MAIL is answered by 421 and the connection closed (every connection)
  auth             AUTH is offered and every login refused with 535
Anything not named by the scenario is answered as a sane server would.
The port (0: any free one) is written to --port-file once the server listens.
Each connection is logged to stderr as "connection N".  Stop it with SIGTERM.
"""
import argparse
import asyncio
import os
import signal
import ssl
import sys

MB = 1 << 20


class Session:
    def __init__(self, scenario, reader, writer, record):
        self.scenario = scenario
        self.reader = reader
        self.writer = writer
        self.record = record

    def line(self, text):
        self.writer.write(text.encode() + b"\r\n")

    async def trickle(self, data):
        """@data one byte a second, again and again, until the client leaves."""
        while True:
            for i in range(len(data)):
                if self.writer.is_closing():
                    return
                self.writer.write(data[i:i + 1])
                await self.writer.drain()
                await asyncio.sleep(1)   # also lets the news of a closed connection in

    async def flood(self, code):
        """Continuation lines without end, as fast as the client takes them."""
        chunk = ("%d-still here, more to come\r\n" % code).encode() * 2000
        while not self.writer.is_closing():
            self.writer.write(chunk)
            await self.writer.drain()
            # drain does not wait on a connection the client closed: yield, so
            # that the news of it comes in (and SIGTERM is heard)
            await asyncio.sleep(0)

    async def greet(self):
        s = self.scenario
        if s == "silent":
            await self.reader.read()        # until the client gives up
            return False
        if s == "trickle-greeting":
            await self.trickle(b"220 hostile.test ESMTP slowly\r\n")
            return False
        if s == "big-greeting":
            filler = b"220-" + b"x" * 994 + b"\r\n"
            for _ in range(20 * MB // len(filler)):
                if self.writer.is_closing():
                    return False
                self.writer.write(filler)
                await self.writer.drain()
                await asyncio.sleep(0)
            self.line("220 hostile.test ready at last")
        elif s == "huge-line":
            self.writer.write(b"220 ")
            for _ in range(20):
                if self.writer.is_closing():
                    return False
                self.writer.write(b"x" * MB)
                await self.writer.drain()
                await asyncio.sleep(0)
            self.line("")
        else:
            self.line("220 hostile.test ESMTP")
        await self.writer.drain()
        return True

    async def run(self):
        if not await self.greet():
            return
        while True:
            raw = await self.reader.readline()
            if not raw:
                return
            words = raw.decode("utf-8", "replace").split()
            cmd = words[0].upper() if words else ""
            if not await self.command(cmd):
                return
            await self.writer.drain()

    async def command(self, cmd):
        s = self.scenario
        if cmd in ("EHLO", "HELO"):
            if s == "endless-ehlo":
                self.line("250-hostile.test")
                await self.flood(250)
                return False
            self.line("250-hostile.test")
            self.line("250-PIPELINING")
            self.line("250-SIZE 100000000")
            if s == "auth":
                self.line("250-AUTH PLAIN LOGIN")
            self.line("250 8BITMIME")
        elif cmd == "AUTH":
            self.line("535 5.7.8 Error: authentication failed")
        elif cmd == "MAIL":
            if s == "endless-mail":
                await self.flood(250)
                return False
            if s == "trickle-mail":
                await self.trickle(b"250 2.1.0 Ok\r\n")
                return False
            if s == "mixed":
                self.line("250-2.1.0 Ok")
                self.line("550 5.7.1 No")
            elif s == "garbage":
                self.line("hello there")
            elif s == "421":
                self.line("421 4.3.2 Service shutting down, closing transmission channel")
                await self.writer.drain()
                return False
            else:
                self.line("250 2.1.0 Ok")
        elif cmd == "RCPT":
            self.line("250 2.1.5 Ok")
        elif cmd == "DATA":
            self.line("354 End data with <CR><LF>.<CR><LF>")
            await self.writer.drain()
            if s == "drop-354":
                return False
            message_id = None
            in_header = True
            while True:
                raw = await self.reader.readline()
                if not raw:
                    return False            # the data was cut: nothing to record
                if raw == b".\r\n":
                    break
                if raw == b"\r\n":
                    in_header = False
                elif in_header and message_id is None and raw[:11].lower() == b"message-id:":
                    message_id = raw[11:].strip().strip(b"<>").decode("utf-8", "replace")
            if self.record:
                with open(self.record, "a") as f:
                    f.write("%s\n" % message_id)
            if s == "trickle-data":
                await self.trickle(b"250 2.0.0 Ok: queued as 1\r\n")
            elif s == "silent-data":
                await self.reader.read()    # until the client gives up
            # drop-data, and every other scenario (each has ended the session
            # before the data): the connection is closed, unanswered
            return False
        elif cmd in ("RSET", "NOOP"):
            self.line("250 2.0.0 Ok")
        elif cmd == "QUIT":
            self.line("221 2.0.0 Bye")
            await self.writer.drain()
            return False
        else:
            self.line("502 5.5.2 Error: command not recognized")
        return True


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--record")
    a = ap.parse_args()
    ctx = None
    if a.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
    connections = 0

    async def serve(reader, writer):
        nonlocal connections
        connections += 1
        print("connection %d" % connections, file=sys.stderr, flush=True)
        try:
            await Session(a.scenario, reader, writer, a.record).run()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass   # the client went away, or the server stops
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", a.port, ssl=ctx)
    port = server.sockets[0].getsockname()[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, a.port_file)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
