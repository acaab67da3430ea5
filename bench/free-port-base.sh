#!/usr/bin/env bash
# bench/free-port-base.sh N: prints a port P (a multiple of 16 from 20000 up to the kernel's ephemeral range) such that
# P … P+N-1 are all free on 127.0.0.1 now, for a `fornax up --base-port P` tree of a benchmark (4 ports per site).
# Below the ephemeral range: a free port there could be taken by a connection (the load generator's) before a site binds.
set -euo pipefail
python3 - "${1:?usage: bench/free-port-base.sh NUMBER-OF-PORTS}" <<'PY'
import random, socket, sys
count = int(sys.argv[1])
try:
    ephemeral = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    ephemeral = 32768
for _ in range(200):
    base = random.randrange(20000, max(20016, ephemeral - count), 16)
    socks = []
    try:
        for port in range(base, base + count):
            s = socket.socket(); s.bind(("127.0.0.1", port)); socks.append(s)
        print(base)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
else:
    sys.exit(f"no {count} consecutive free ports found between 20000 and {ephemeral}")
PY
