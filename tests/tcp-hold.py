#!/usr/bin/python3
"""tcp-hold.py - a TCP relay on 127.0.0.1 that stops a server mid-answer.

For tests that need a server to vanish in the middle of a transfer without
racing the client: the relay passes bytes both ways (TLS included, it never
looks inside) until the server has sent --hold-after bytes in all, counted
over every connection; then it passes no more from the server, so the client
waits, stopped at that point whatever the machine's speed.  It writes "held"
to --state-file when that happens.  SIGTERM closes every connection and the
listening socket: the client sees the connection end mid-answer and a new
connection is refused, as when the server is killed.
The port (any free one) is written to --port-file once the relay listens.
    tcp-hold.py --target PORT --hold-after BYTES --port-file FILE --state-file FILE
"""
import argparse
import os
import signal
import socket
import sys
import threading


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", type=int, required=True)
    ap.add_argument("--hold-after", type=int, required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--state-file", required=True)
    args = ap.parse_args()

    lock = threading.Lock()
    sent = [0]                  # server -> client bytes so far, all connections
    held = threading.Event()    # set once --hold-after is reached

    def pump(src, dst, from_server):
        try:
            while True:
                if from_server and held.is_set():
                    return      # no more from the server; SIGTERM ends it all
                data = src.recv(65536)
                if not data:
                    break
                if from_server:
                    with lock:
                        room = args.hold_after - sent[0]
                        if len(data) >= room:
                            data = data[:room]
                            if not held.is_set():
                                held.set()
                                with open(args.state_file, "w") as f:
                                    f.write("held\n")
                        sent[0] += len(data)
                if data:
                    dst.sendall(data)
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    os.rename(tmp, args.port_file)

    def stop(signum, frame):
        os._exit(0)     # the kernel closes every socket at once
    signal.signal(signal.SIGTERM, stop)

    while True:
        client, _ = listener.accept()
        try:
            server = socket.create_connection(("127.0.0.1", args.target))
        except OSError:
            client.close()
            continue
        threading.Thread(target=pump, args=(client, server, False), daemon=True).start()
        threading.Thread(target=pump, args=(server, client, True), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
