# The arm64 smoke test (tests/Fornax.Cli.Tests/Arm64) runs the linux-arm64 build under qemu-user:
# qemu-aarch64 and the arm64 libraries the .NET runtime loads (libssl3 for TLS and ECDSA, libstdc++ for
# Wasmtime's and RocksDB's natives, zlib for compression), from Debian's arm64 archive (multiarch).
if ! command -v qemu-aarch64 >/dev/null 2>&1 \
  || ! dpkg -s libc6:arm64 libssl3:arm64 libstdc++6:arm64 zlib1g:arm64 >/dev/null 2>&1; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    apt_updated=0 # the arm64 package lists come with the next update
  fi
  apt_install qemu-user libc6:arm64 libssl3:arm64 libstdc++6:arm64 zlib1g:arm64
fi
