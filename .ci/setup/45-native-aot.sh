# The Native AOT release build (src/Fornax.Cli/Properties/PublishProfiles/release.pubxml), published by the release and
# arm64 tests (tests/Fornax.Cli.Tests/Release, Arm64): clang compiles and links the executable ILC emits; for
# linux-arm64 from an x64 machine, clang links for aarch64-linux-gnu with lld against Debian's multiarch arm64 C library
# and libgcc (/usr/lib/aarch64-linux-gnu, no separate sysroot); llvm's objcopy strips the symbols into fornax.dbg.
# Sourced after 40-arm64.sh, which adds the arm64 architecture to dpkg.
if ! command -v clang >/dev/null 2>&1 || ! command -v ld.lld >/dev/null 2>&1 || ! command -v llvm-objcopy >/dev/null 2>&1 \
  || ! dpkg -s libc6-dev:arm64 libgcc-12-dev:arm64 >/dev/null 2>&1; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    apt_updated=0 # the arm64 package lists come with the next update
  fi
  apt_install clang lld llvm libc6-dev:arm64 libgcc-12-dev:arm64
fi
