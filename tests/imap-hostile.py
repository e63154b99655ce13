#!/usr/bin/python3
"""imap-hostile.py - a small IMAPS server that misbehaves on purpose, for mailreg's tests.

Python asyncio with TLS (the standard library only).  It serves one mailbox,
INBOX, whose state lives in a directory so that a hostile run and a later sane
run see the same mail:
  DIR/state.json       {"uidvalidity": N, "uidnext": N}
  DIR/INBOX/UID.eml    the messages (served with CRLF line ends)
  DIR/moved/NAME/UID.eml  messages moved away by UID MOVE (or COPY + EXPUNGE)
Add messages with --add FILE... (no server is started then).

--scenario selects the misbehaviour; `sane` serves the mailbox correctly:
  no-uid        FETCH responses to UID FETCH BODY.PEEK[] without the UID item
  other-uid     ... carrying another UID (UID + 500)
  nul           a NUL byte before the literal
  lit-abc, lit-neg, lit-12x, lit-space, lit-plus
                literal sizes {abc}, {-5}, {12x}, { 7}, {+}
  premature-ok  the tagged OK first, then the FETCH responses, then an OK
                carrying the next command's tag
  nonexistent   the list FETCH (RFC822.SIZE) also names UID 1000000
  unasked       60 unasked FETCH responses (UIDs 2000...), each with a 64 KB
                literal, before the asked ones
  select-drop   the connection is closed when SELECT arrives
  select-trickle  SELECT is answered by "* OK still here" every 0.2 s, without end
  fetch-trickle   the answer to UID FETCH BODY.PEEK[] comes one byte every 0.1 s
  unasked-big   36 unasked FETCH responses, each with a literal of 4 MB - 1
                (half of them name their UID after the literal), before the
                asked ones: 144 MB, more than a client keeping them could
                hold within the tests' 128 MB
  dup-body      every asked message answered twice, each time with its body
  uv-fetch      the mailbox is renumbered (UIDVALIDITY + 1) while the answer
                to UID FETCH BODY.PEEK[] is sent: "* OK [UIDVALIDITY n]" in it
  uv-drop       UID FETCH is answered; at the first UID MOVE the mailbox is
                renumbered (UIDVALIDITY + 1) and the connection closed
  uv-missing    SELECT is answered without UIDVALIDITY
  uv-zero       ... with UIDVALIDITY 0
  bye-literal   the answer to UID FETCH BODY.PEEK[] stops halfway through the
                first literal with "* BYE" and the connection is closed
  lit-huge      the answer to UID FETCH BODY.PEEK[] is a literal {99999999999}
                followed by data without end
  lit-4g        ... a literal {4294967295} followed by data without end
  greeting-huge a greeting of 20 MB without a line end, then silence
  silent        the connection is accepted and never greeted
  idle-flood    IDLE is offered; after DONE "* OK still here" comes every
                0.01 s, without end
Any LOGIN is accepted.  The port (0: any free one) is written to --port-file
once the server listens.  With --sane-file PATH, a connection made while PATH
exists is served sanely whatever the scenario (the test's pass after the
hostile one, without a second server).  Stop it with SIGTERM.
"""
import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import ssl
import sys


class Mailbox:
    def __init__(self, root):
        self.root = root
        self.inbox = os.path.join(root, "INBOX")
        os.makedirs(self.inbox, exist_ok=True)
        self.state_path = os.path.join(root, "state.json")
        if not os.path.exists(self.state_path):
            self._save({"uidvalidity": 1700000000, "uidnext": 1})

    def _save(self, state):
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f)
        os.rename(tmp, self.state_path)

    def state(self):
        with open(self.state_path) as f:
            return json.load(f)

    def add(self, data):
        st = self.state()
        uid = st["uidnext"]
        with open(os.path.join(self.inbox, "%d.eml" % uid), "wb") as f:
            f.write(data)
        st["uidnext"] = uid + 1
        self._save(st)
        return uid

    def uids(self):
        return sorted(int(n[:-4]) for n in os.listdir(self.inbox) if n.endswith(".eml"))

    def body(self, uid):
        with open(os.path.join(self.inbox, "%d.eml" % uid), "rb") as f:
            data = f.read()
        return re.sub(rb"\r?\n", b"\r\n", data)

    def renumber(self):
        """The mailbox recreated: a new UIDVALIDITY (the UIDs stay, as a
        server may well give them again)."""
        st = self.state()
        st["uidvalidity"] += 1
        st["renumbered"] = True
        self._save(st)
        return st["uidvalidity"]

    def move(self, uid, mailbox):
        dest = os.path.join(self.root, "moved", re.sub(r"[^A-Za-z0-9&,.-]", "_", mailbox))
        os.makedirs(dest, exist_ok=True)
        shutil.move(os.path.join(self.inbox, "%d.eml" % uid), os.path.join(dest, "%d.eml" % uid))


def uid_set(text, uids):
    """The UIDs of @uids in the set @text ("1:5,7", "6:*"; RFC 3501 §6.4.8:
    n:* includes the highest UID even when it is below n)."""
    top = uids[-1] if uids else 0
    out = set()
    for part in text.split(","):
        if ":" in part:
            a, b = part.split(":", 1)
            a = top if a == "*" else int(a)
            b = top if b == "*" else int(b)
            lo, hi = min(a, b), max(a, b)
            out.update(u for u in uids if lo <= u <= hi)
        else:
            u = top if part == "*" else int(part)
            if u in uids:
                out.add(u)
    return sorted(out)


def next_tag(tag):
    m = re.match(r"^(.*?)(\d+)$", tag)
    if not m:
        return tag + "1"
    return m.group(1) + str(int(m.group(2)) + 1).zfill(len(m.group(2)))


BAD_LITERALS = {"lit-abc": b"{abc}", "lit-neg": b"{-5}", "lit-12x": b"{12x}",
                "lit-space": b"{ 7}", "lit-plus": b"{+}"}


class Session:
    def __init__(self, box, scenario, reader, writer):
        self.box = box
        self.scenario = scenario
        self.reader = reader
        self.writer = writer
        self.selected = False
        self.trickle = None     # bytes to send slowly (fetch-trickle)
        self.endless = None     # bytes sent after the answer until the client leaves
        self.bulk = None        # the answer in large pieces, each drained (unasked-big)
        self.hang_up = False    # the connection is closed after the answer (bye-literal)
        self.caps = "IMAP4rev1 UIDPLUS MOVE" + (" IDLE" if scenario == "idle-flood" else "")

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.writer.write(data)

    def line(self, text):
        self.send(text.encode() + b"\r\n" if isinstance(text, str) else text + b"\r\n")

    def gone(self):
        """The client went away (writes to a lost connection are dropped
        without pausing the writer, so drain() alone never notices)."""
        return self.writer.is_closing() or self.reader.exception() is not None or self.reader._eof

    async def stream(self, chunk):
        """Send @chunk again and again until the client goes away."""
        while not self.gone():
            self.send(chunk)
            await self.writer.drain()
            await asyncio.sleep(0)   # drain() need not yield: let SIGTERM in

    async def run(self):
        if self.scenario == "silent":
            await self.reader.read()        # until the client gives up
            return
        if self.scenario == "greeting-huge":
            self.send("* OK ")
            chunk = b"A" * (1 << 20)
            for _ in range(20):
                self.send(chunk)
                await self.writer.drain()
            await self.reader.read()
            return
        self.line("* OK [CAPABILITY %s] hostile test server ready" % self.caps)
        await self.writer.drain()
        while True:
            raw = await self.reader.readline()
            if not raw:
                return
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            parts = text.split(" ", 2)
            if len(parts) < 2:
                self.line("* BAD no tag")
                continue
            tag, cmd = parts[0], parts[1].upper()
            args = parts[2] if len(parts) > 2 else ""
            if cmd == "UID":
                sub = args.split(" ", 1)
                cmd = "UID " + sub[0].upper()
                args = sub[1] if len(sub) > 1 else ""
            if not await self.command(tag, cmd, args):
                return
            await self.writer.drain()

    async def command(self, tag, cmd, args):
        box = self.box
        if cmd == "CAPABILITY":
            self.line("* CAPABILITY " + self.caps)
            self.line(tag + " OK CAPABILITY done")
        elif cmd == "LOGIN":
            self.line(tag + " OK [CAPABILITY %s] logged in" % self.caps)
        elif cmd == "LOGOUT":
            self.line("* BYE bye")
            self.line(tag + " OK LOGOUT done")
            await self.writer.drain()
            return False
        elif cmd in ("SELECT", "EXAMINE"):
            if self.scenario == "select-drop":
                return False
            if self.scenario == "select-trickle":
                while not self.writer.is_closing():   # until the client gives up
                    self.line("* OK still here")
                    await self.writer.drain()
                    await asyncio.sleep(0.2)
                return False
            st = box.state()
            self.line("* %d EXISTS" % len(box.uids()))
            if self.scenario == "uv-zero":
                self.line("* OK [UIDVALIDITY 0] ok")
            elif self.scenario != "uv-missing":
                self.line("* OK [UIDVALIDITY %d] ok" % st["uidvalidity"])
            self.line("* OK [UIDNEXT %d] ok" % st["uidnext"])
            self.line(tag + " OK [READ-WRITE] selected")
            self.selected = True
        elif cmd in ("NOOP", "CREATE", "CHECK"):
            self.line(tag + " OK done")
        elif cmd == "IDLE":
            self.line("+ idling")
            await self.writer.drain()
            done = await self.reader.readline()
            if not done:
                return False
            if self.scenario == "idle-flood":
                while not self.gone():
                    self.line("* OK still here")
                    await self.writer.drain()
                    await asyncio.sleep(0.01)
                return False
            self.line(tag + " OK IDLE done")
        elif cmd == "UID FETCH":
            self.fetch(tag, args)
            if self.bulk is not None:
                chunks, self.bulk = self.bulk, None
                for c in chunks:
                    if self.gone():
                        return False
                    self.send(c)
                    await self.writer.drain()
            if self.endless is not None:
                await self.writer.drain()
                await self.stream(self.endless)
                return False
            if self.hang_up:
                await self.writer.drain()
                return False
            if self.trickle is not None:
                data, self.trickle = self.trickle, None
                for i in range(len(data)):
                    if self.writer.is_closing():
                        return False
                    self.send(data[i:i + 1])
                    await self.writer.drain()
                    await asyncio.sleep(0.1)
        elif cmd == "UID SEARCH":
            m = re.match(r"(?i)^UID (\S+)$", args)
            found = uid_set(m.group(1), box.uids()) if m else box.uids()
            self.line("* SEARCH" + "".join(" %d" % u for u in found))
            self.line(tag + " OK SEARCH done")
        elif cmd in ("UID MOVE", "UID COPY"):
            if self.scenario == "uv-drop" and not box.state().get("renumbered"):
                box.renumber()
                return False
            m = re.match(r'^(\S+) "?([^"]*)"?$', args)
            uids = box.uids()
            chosen = uid_set(m.group(1), uids)
            if cmd == "UID MOVE":
                for u in reversed(chosen):
                    self.line("* %d EXPUNGE" % (uids.index(u) + 1))
                    box.move(u, m.group(2))
            self.line(tag + " OK done")
        elif cmd in ("UID STORE", "UID EXPUNGE"):
            self.line(tag + " OK done")
        else:
            self.line(tag + " BAD unknown command")
        return True

    def fetch(self, tag, args):
        box = self.box
        m = re.match(r"^(\S+) \((.*)\)$", args)
        if not m:
            self.line(tag + " BAD bad FETCH")
            return
        uids = box.uids()
        chosen = uid_set(m.group(1), uids)
        items = m.group(2).upper()
        if "BODY.PEEK[" not in items or "HEADER.FIELDS" in items:
            # the list of new messages: UID and size (and maybe a header field)
            for u in chosen:
                body = box.body(u)
                text = "* %d FETCH (UID %d RFC822.SIZE %d" % (uids.index(u) + 1, u, len(body))
                if "HEADER.FIELDS" in items:
                    mid = re.search(rb"(?im)^Message-ID:[^\r\n]*\r\n", body)
                    field = (mid.group(0) if mid else b"") + b"\r\n"
                    self.send(text + " BODY[HEADER.FIELDS (MESSAGE-ID)] {%d}\r\n" % len(field))
                    self.send(field)
                    self.line(")")
                else:
                    self.line(text + ")")
            if self.scenario == "nonexistent":
                self.line("* %d FETCH (UID 1000000 RFC822.SIZE 100)" % (len(uids) + 1))
            self.line(tag + " OK FETCH done")
            return
        header_only = "BODY.PEEK[HEADER]" in items
        out = []
        if self.scenario == "unasked":
            filler = b"X" * 65536
            for k in range(60):
                out.append(b"* 1 FETCH (UID %d BODY[] {%d}\r\n" % (2000 + k, len(filler)) + filler + b")\r\n")
        if self.scenario in ("lit-huge", "lit-4g"):
            size = b"{99999999999}" if self.scenario == "lit-huge" else b"{4294967295}"
            self.send(b"* 1 FETCH (UID %d BODY[] %s\r\n" % (chosen[0] if chosen else 1, size))
            self.endless = b"X" * 65536
            return
        if self.scenario == "bye-literal" and chosen:
            body = box.body(chosen[0])
            self.send(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (uids.index(chosen[0]) + 1, chosen[0], len(body)))
            self.send(body[:len(body) // 2] + b"\r\n* BYE shutting down now\r\n")
            self.hang_up = True
            return
        for u in chosen:
            body = box.body(u)
            if header_only:
                body = body.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
            seq = uids.index(u) + 1
            section = b"BODY[HEADER]" if header_only else b"BODY[]"
            lit = b"{%d}" % len(body)
            uid_item = b"UID %d " % u
            if self.scenario == "no-uid":
                uid_item = b""
            elif self.scenario == "other-uid":
                uid_item = b"UID %d " % (u + 500)
            elif self.scenario == "nul":
                lit = b"\0" + lit
            elif self.scenario in BAD_LITERALS:
                lit = BAD_LITERALS[self.scenario]
            out.append(b"* %d FETCH (%s%s %s\r\n" % (seq, uid_item, section, lit) + body + b")\r\n")
            if self.scenario == "dup-body":
                out.append(out[-1])
            if self.scenario == "uv-fetch" and len(out) == 1:
                out.append(b"* OK [UIDVALIDITY %d] mailbox renumbered\r\n" % box.renumber())
        if self.scenario == "premature-ok":
            self.line(tag + " OK FETCH done")
            for o in out:
                self.send(o)
            self.line(next_tag(tag) + " OK FETCH done")
            return
        if self.scenario == "fetch-trickle":
            self.trickle = b"".join(out) + tag.encode() + b" OK FETCH done\r\n"
            return
        if self.scenario == "unasked-big":
            self.bulk = self.unasked_big(out) + [tag.encode() + b" OK FETCH done\r\n"]
            return
        for o in out:
            self.send(o)
        self.line(tag + " OK FETCH done")

    def unasked_big(self, out):
        """36 literals of 4 MB - 1 nobody asked for, then the asked ones."""
        filler = b"X" * ((4 << 20) - 1)
        chunks = []
        for k in range(36):
            if k % 2:
                chunks += [b"* 1 FETCH (UID %d BODY[] {%d}\r\n" % (2000 + k, len(filler)), filler, b")\r\n"]
            else:   # the UID after the literal: it cannot be skipped unread
                chunks += [b"* 1 FETCH (BODY[] {%d}\r\n" % len(filler), filler, b" UID %d)\r\n" % (2000 + k)]
        return chunks + out


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--add", nargs="*")
    ap.add_argument("--scenario", default="sane")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--sane-file")
    a = ap.parse_args()
    box = Mailbox(a.dir)
    if a.add is not None:
        for path in a.add:
            with open(path, "rb") as f:
                print(box.add(f.read()))
        return
    ctx = None
    if a.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls[0], a.tls[1])

    async def serve(reader, writer):
        try:
            sane = a.sane_file is not None and os.path.exists(a.sane_file)
            await Session(box, "sane" if sane else a.scenario, reader, writer).run()
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
