# redis-cli walk-through tests of the RESP port, and redis-server + redis-benchmark for bench/kv-resp.sh.
command -v redis-cli >/dev/null 2>&1 || apt_install redis-tools redis-server
command -v python3 >/dev/null 2>&1 || apt_install python3-minimal  # the 10,000-idle-connections test holds its clients in a python3 child
