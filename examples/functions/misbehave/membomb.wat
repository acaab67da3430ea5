;; Misbehaviour: grows memory one page at a time, forever. When the store limit refuses a grow
;; (memory.grow returns -1) it aborts with `unreachable`, as an allocator that cannot get memory does.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $grow
      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1))
        (then unreachable))
      (br $grow))))
