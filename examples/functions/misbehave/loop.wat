;; Misbehaviour: spins forever. The epoch deadline must stop it at the function's timeout.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $forever (br $forever))))
