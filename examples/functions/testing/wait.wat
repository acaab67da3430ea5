;; wait — a function whose time is spent waiting, not computing (as one that waits on a device, a sensor or a model
;; server would): the raw ABI; the request body is a decimal number of milliseconds (empty: 20), the response "done".
;; It sleeps through WASI's poll_oneoff with one relative clock subscription, so it holds its slot at the site for that
;; long without using a core: the scheduling bench runs seven sites in one process, where CPU work would measure the
;; shared host rather than the site's own slots.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "done\n")
  (global $next (mut i32) (i32.const 1024))
  ;; Bump allocator: a fresh instance serves one request; bodies are short numbers, so one page is plenty.
  (func (export "alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (if (i32.gt_u (local.get $len) (i32.const 1024)) (then unreachable))
    (local.set $ptr (global.get $next))
    (global.set $next (i32.add (local.get $ptr) (local.get $len)))
    (local.get $ptr))
  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (local $ms i64)
    (local $i i32)
    (local $c i32)
    (if (i32.eqz (local.get $len))
      (then (local.set $ms (i64.const 20)))
      (else
        (block $done
          (loop $digits
            (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
            (local.set $c (i32.sub (i32.load8_u (i32.add (local.get $ptr) (local.get $i))) (i32.const 48)))
            (br_if $done (i32.gt_u (local.get $c) (i32.const 9)))
            (local.set $ms (i64.add (i64.mul (local.get $ms) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $digits)))))
    ;; subscription at 256 (48 bytes): userdata u64 = 0; tag u8 = 0 (clock); clock: id u32 at +16 = 1 (monotonic),
    ;; timeout u64 at +24 in ns, precision u64 at +32 = 0, flags u16 at +40 = 0 (relative).
    (i64.store (i32.const 256) (i64.const 0))
    (i32.store8 (i32.const 264) (i32.const 0))
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (i64.mul (local.get $ms) (i64.const 1000000)))
    (i64.store (i32.const 288) (i64.const 0))
    (i32.store16 (i32.const 296) (i32.const 0))
    ;; one event out at 512 (32 bytes), the count at 600
    (drop (call $poll_oneoff (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 600)))
    (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 5))))
