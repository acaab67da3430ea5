;; Misbehaviour: writes a valid WAGI header, then 64 KiB blocks of 'x' to stdout forever.
;; The host must stop it at the output cap instead of buffering without bound.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (data (i32.const 0) "Content-Type: text/plain\n\n")
  (func (export "_start")
    (local $i i32)
    (i32.store (i32.const 100) (i32.const 0))
    (i32.store (i32.const 104) (i32.const 26))
    (drop (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 200)))
    ;; Fill 64 KiB at 65536 with 'x'.
    (memory.fill (i32.const 65536) (i32.const 120) (i32.const 65536))
    (i32.store (i32.const 100) (i32.const 65536))
    (i32.store (i32.const 104) (i32.const 65536))
    (loop $more
      ;; Stop if the host refuses the write (non-zero errno); otherwise keep going.
      (br_if $more (i32.eqz (call $fd_write (i32.const 1) (i32.const 100) (i32.const 1) (i32.const 200)))))))
