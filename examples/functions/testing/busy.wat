;; busy — CPU work on demand, for load and spill-out tests: the raw ABI; the request body is a decimal number of loop
;; iterations (empty: 10 million, tens of milliseconds), the response "done".
(module
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
    (local $n i64)
    (local $i i32)
    (local $c i32)
    (local $acc i64)
    (if (i32.eqz (local.get $len))
      (then (local.set $n (i64.const 10000000)))
      (else
        (block $done
          (loop $digits
            (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
            (local.set $c (i32.sub (i32.load8_u (i32.add (local.get $ptr) (local.get $i))) (i32.const 48)))
            (br_if $done (i32.gt_u (local.get $c) (i32.const 9)))
            (local.set $n (i64.add (i64.mul (local.get $n) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $digits)))))
    ;; The work: a counted loop the compiler cannot drop (its sum lands in memory).
    (block $end
      (loop $spin
        (br_if $end (i64.eqz (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $spin)))
    (i64.store (i32.const 0) (local.get $acc))
    (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 5))))
