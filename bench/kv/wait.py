#!/usr/bin/env python3
"""SET then WAIT, one at a time, over one connection: the round trip of each, as a client that waits for its write to
reach another copy sees it.

Usage: wait.py PORT COUNT [NUMREPLICAS=1] [--no-wait]
Sends COUNT times `SET key:<i % 10000> <16 bytes>` followed by `WAIT NUMREPLICAS 1000` (both in one write; with
--no-wait the SET alone) and reads the replies. Prints: count, p50, p90, p99, max (microseconds) and how many WAITs
answered fewer than NUMREPLICAS (timed out)."""
import socket
import sys
import time


def read_reply(sock, buf):
    """Reads one simple reply (+, -, :) or bulk string; returns (first line, rest of the buffer)."""
    while b"\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        buf += chunk
    line, _, buf = buf.partition(b"\r\n")
    if line.startswith(b"-"):
        raise RuntimeError(line.decode())
    return line, buf


def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    replicas = int(sys.argv[3]) if len(sys.argv) > 3 and not sys.argv[3].startswith("--") else 1
    wait = "--no-wait" not in sys.argv
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    value = b"v" * 16
    samples, short = [], 0
    buf = b""
    for i in range(count):
        key = b"key:%d" % (i % 10000)
        request = b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\n%s\r\n" % (len(key), key, value)
        if wait:
            request += b"*3\r\n$4\r\nWAIT\r\n$%d\r\n%d\r\n$4\r\n1000\r\n" % (len(str(replicas)), replicas)
        started = time.perf_counter_ns()
        sock.sendall(request)
        _, buf = read_reply(sock, buf)
        if wait:
            line, buf = read_reply(sock, buf)
            short += int(line[1:]) < replicas
        samples.append((time.perf_counter_ns() - started) / 1000)
    samples.sort()
    pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
    print(f"{count} {pick(0.5):.0f} {pick(0.9):.0f} {pick(0.99):.0f} {samples[-1]:.0f} {short}")


main()
