;; Misbehaviour: traps immediately with `unreachable`.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    unreachable))
