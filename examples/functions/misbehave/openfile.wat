;; Misbehaviour: tries to open /etc/passwd through the first preopened directory (fd 3), the way
;; wasi-libc's fopen does. Fornax grants no preopens, so both calls must fail with EBADF (8).
;; Prints a WAGI response "prestat=<errno> open=<errno>" with one-digit errnos.
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get"
    (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; Response template: 26 header bytes, then "prestat=? open=?\n" (17 bytes); digits at 34 and 41.
  (data (i32.const 0) "Content-Type: text/plain\n\nprestat=? open=?\n")
  (data (i32.const 200) "etc/passwd")
  (func $digit (param $errno i32) (result i32)
    ;; Errnos above 9 print as '+': the test only needs to see that the call failed.
    (if (result i32) (i32.gt_u (local.get $errno) (i32.const 9))
      (then (i32.const 43))
      (else (i32.add (i32.const 48) (local.get $errno)))))
  (func (export "_start")
    (i32.store8 (i32.const 34)
      (call $digit (call $fd_prestat_get (i32.const 3) (i32.const 300))))
    (i32.store8 (i32.const 41)
      (call $digit
        (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 10) (i32.const 0)
          (i64.const 2) (i64.const 2) (i32.const 0) (i32.const 300))))
    (i32.store (i32.const 100) (i32.const 0))
    (i32.store (i32.const 104) (i32.const 43))
    (drop (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 400)))))
