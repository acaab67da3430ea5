# redis-cli walk-through tests of the RESP port, redis-server for the differential tests (Fornax.Kv.Tests,
# RedisDifferentialTests) and for bench/kv-resp.sh beside redis-benchmark.
{ command -v redis-cli && command -v redis-server; } >/dev/null 2>&1 || apt_install redis-tools redis-server
command -v python3 >/dev/null 2>&1 || apt_install python3-minimal  # the 10,000-idle-connections test holds its clients in a python3 child
