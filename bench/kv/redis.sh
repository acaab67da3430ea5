# Sourced by the KV benchmarks that run redis-server beside the sites: needs $work (a scratch directory, removed by the
# caller). redis_start PORT NAME [PRIMARY-PORT] starts a redis-server as the baselines run it (appendonly yes,
# appendfsync everysec, no RDB snapshots; a replica of PRIMARY-PORT when given) in $work/NAME, waits until it answers,
# and leaves its pid in $redis_last_pid; redis_stop_all stops every one started (call it from the caller's trap), and
# kv_bench_cleanup also stops the tree of bench/kv/tree.sh if one was started and removes $work (a trap of its own).
redis_pids=""
redis_last_pid=""
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
redis_start() {
  local replica_of=()
  [ -n "${3:-}" ] && replica_of=(--replicaof 127.0.0.1 "$3")
  mkdir -p "$work/$2"
  redis-server --port "$1" --bind 127.0.0.1 --dir "$work/$2" --appendonly yes --appendfsync everysec --save "" "${replica_of[@]}" --daemonize no >"$work/$2.log" 2>&1 &
  redis_last_pid=$!
  redis_pids="$redis_pids $redis_last_pid"
  until redis-cli -p "$1" ping >/dev/null 2>&1; do sleep 0.1; done
}
# Waits until the replica on PORT has its link to its primary up.
redis_linked() { until redis-cli -p "$1" info replication | grep -q 'master_link_status:up'; do sleep 0.1; done; }
redis_stop_all() { for pid in $redis_pids; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done; }
kv_bench_cleanup() {
  kv_tree_down 2>/dev/null || true
  redis_stop_all
  rm -rf "$work"
}
