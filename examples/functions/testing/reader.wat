;; reader — reads one key of its keyspace, for data-locality tests: the raw ABI; the request body is one digit (how many
;; times to read the key, 1 to 9), the key, then optionally a newline and any padding (to make the request large). The
;; response is the value's length, 4 bytes little-endian (-1 when absent). The value lands at 1 MiB, up to 3 MiB long.
(module
  (import "fornax" "get" (func $get (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 64)
  (global $next (mut i32) (i32.const 1024))
  (func (export "alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (if (i32.gt_u (local.get $len) (i32.const 1000000)) (then unreachable))
    (local.set $ptr (global.get $next))
    (global.set $next (i32.add (local.get $ptr) (local.get $len)))
    (local.get $ptr))
  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (local $reads i32)
    (local $keylen i32)
    (local $n i32)
    (if (i32.lt_u (local.get $len) (i32.const 2)) (then unreachable))
    (local.set $reads (i32.sub (i32.load8_u (local.get $ptr)) (i32.const 48)))
    ;; The key: from the second byte to the first newline or the end.
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (i32.add (local.get $keylen) (i32.const 1)) (local.get $len)))
        (br_if $done (i32.eq (i32.load8_u (i32.add (i32.add (local.get $ptr) (i32.const 1)) (local.get $keylen))) (i32.const 10)))
        (local.set $keylen (i32.add (local.get $keylen) (i32.const 1)))
        (br $scan)))
    (block $end
      (loop $read
        (br_if $end (i32.le_s (local.get $reads) (i32.const 0)))
        (local.set $n (call $get (i32.add (local.get $ptr) (i32.const 1)) (local.get $keylen) (i32.const 1048576) (i32.const 3145728)))
        (local.set $reads (i32.sub (local.get $reads) (i32.const 1)))
        (br $read)))
    (i32.store (i32.const 0) (local.get $n))
    (i64.const 4)))
