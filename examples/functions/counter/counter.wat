;; counter — WAGI ABI in WAT. Keeps a global counter, increments it once per run and prints it.
;; Each request gets a fresh instance, so the response is always "1": state never leaks.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $count (mut i32) (i32.const 0))
  ;; "Content-Type: text/plain\n\n" is 26 bytes; the digit goes at offset 26.
  (data (i32.const 0) "Content-Type: text/plain\n\n0\n")
  (func (export "_start")
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    ;; One decimal digit is enough for a demo; counts above 9 would show as ':' and beyond.
    (i32.store8 (i32.const 26) (i32.add (i32.const 48) (global.get $count)))
    ;; iovec at 100: { buf = 0, len = 28 }
    (i32.store (i32.const 100) (i32.const 0))
    (i32.store (i32.const 104) (i32.const 28))
    (drop (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 200)))))
