#!/usr/bin/env python3
"""verify.py EXPECTED PORT...: whether every site on PORT (127.0.0.1) returns, for each key of EXPECTED (lines "key value"),
exactly that value. Reads with MGET, 1,000 keys at a time, over one connection per site; prints one line per site
(the keys that differ, or "identical") and exits 1 when any differs."""
import socket, sys

def reader(sock):
    buf = b""
    while True:
        while b"\r\n" not in buf:
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise EOFError("the site closed the connection")
            buf += chunk
        line, buf = buf.split(b"\r\n", 1)
        if line[:1] == b"$":
            n = int(line[1:])
            if n < 0:
                yield None
                continue
            while len(buf) < n + 2:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    raise EOFError("the site closed the connection")
                buf += chunk
            yield buf[:n]
            buf = buf[n + 2:]
        elif line[:1] == b"*":
            continue  # the MGET array header; its elements follow as bulk strings
        else:
            raise ValueError(f"unexpected reply: {line[:80]!r}")

def mget(keys):
    parts = [b"*%d\r\n$4\r\nMGET\r\n" % (len(keys) + 1)]
    parts += [b"$%d\r\n%s\r\n" % (len(k), k) for k in keys]
    return b"".join(parts)

expected = [line.split(b" ", 1) for line in open(sys.argv[1], "rb").read().splitlines()]
failed = False
for port in sys.argv[2:]:
    sock = socket.create_connection(("127.0.0.1", int(port)))
    replies = reader(sock)
    differ = 0
    for start in range(0, len(expected), 1000):
        chunk = expected[start:start + 1000]
        sock.sendall(mget([k for k, _ in chunk]))
        differ += sum(1 for (_, v) in chunk if next(replies) != v)
    sock.close()
    print(f"  port {port}: {'identical' if differ == 0 else f'{differ} keys differ'}")
    failed |= differ != 0
sys.exit(1 if failed else 0)
