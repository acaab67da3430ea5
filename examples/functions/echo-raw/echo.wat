;; echo — the raw ABI in hand-written WAT: the response is the request body, unchanged.
;; Host contract (docs/functions.md): the host calls alloc(len) for the request, copies the body
;; there, then calls handle(ptr, len); the i64 result packs the response as (ptr << 32) | len.
(module
  (memory (export "memory") 1)
  ;; Bump allocator: a fresh instance serves exactly one request, so nothing is ever freed.
  (global $next (mut i32) (i32.const 1024))
  (func (export "alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $next))
    (global.set $next (i32.add (local.get $ptr) (local.get $len)))
    ;; Grow when the bump pointer passes the end of memory (pages of 64 KiB).
    (if (i32.gt_u (global.get $next) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq
              (memory.grow (i32.add (i32.shr_u (i32.sub (global.get $next) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
              (i32.const -1))
          (then unreachable))))
    (local.get $ptr))
  (func (export "handle") (param $ptr i32) (param $len i32) (result i64)
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $ptr)) (i64.const 32))
      (i64.extend_i32_u (local.get $len)))))
