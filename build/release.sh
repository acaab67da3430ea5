#!/usr/bin/env bash
# build/release.sh [version] — the release archives, in artifacts/:
#   fornax-VERSION-linux-x64.tar.gz, fornax-VERSION-linux-arm64.tar.gz and fornax-VERSION-SHA256SUMS.
# Each archive holds one folder fornax-VERSION-RID/ with the `fornax` executable (Native AOT: machine code, no .NET
# runtime to install), the native libraries it loads (Wasmtime, SQLite, RocksDB), Fornax.Core.xml (the field
# descriptions `kubectl explain` shows), the systemd unit and docs/install.md.
# VERSION defaults to 0.0.0-dev.<commit>. FORNAX_RIDS="linux-arm64" builds one architecture only.
# The build is src/Fornax.Cli/Properties/PublishProfiles/release.pubxml; it needs clang, and for linux-arm64 on an x64
# machine lld and Debian's arm64 libc6-dev and libgcc-12-dev (.ci/setup/45-native-aot.sh; docs/install.md, "Build").
set -euo pipefail
cd "$(dirname "$0")/.."

version=${1:-0.0.0-dev.$(git rev-parse --short HEAD 2>/dev/null || echo local)}
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "error: version '$version' is not MAJOR.MINOR.PATCH[-PRERELEASE] (e.g. 1.4.0 or 1.4.0-rc.1)" >&2
  exit 2
fi
rids=${FORNAX_RIDS:-linux-x64 linux-arm64}
out=artifacts
# One timestamp for every file in the archives: the commit's, so the same commit gives the same tar layout.
epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)

# The ELF machine of a file (bytes 18-19 of the header, little-endian): 62 is x86-64, 183 is AArch64.
elf_machine() { od -An -t u2 -j 18 -N 2 "$1" | tr -d ' '; }
expected_machine() { case $1 in linux-x64) echo 62 ;; linux-arm64) echo 183 ;; *) echo "error: unsupported runtime $1" >&2; exit 2 ;; esac; }

mkdir -p "$out/stage"
archives=()
for rid in $rids; do
  machine=$(expected_machine "$rid")
  name=fornax-$version-$rid
  stage=$out/stage/$name
  rm -rf "$stage"
  echo "release: publishing $name"
  dotnet publish src/Fornax.Cli -c Release -r "$rid" -p:PublishProfile=release -p:Version="$version" \
    -o "$stage" --nologo -v quiet

  # Symbols (fornax.dbg, the executable's debug information) and XML docs of the referenced projects are copied beside the executable;
  # the archive does not carry them, except Fornax.Core.xml: the object kinds' doc comments, which the site serves in
  # its OpenAPI schemas as the field descriptions `kubectl explain` prints (src/Fornax.Node/Api/Kube/XmlDocs.cs).
  rm -f "$stage"/*.pdb "$stage"/*.dbg
  find "$stage" -maxdepth 1 -name '*.xml' ! -name Fornax.Core.xml -delete
  # The RocksDB package carries variants beside librocksdb.so: a musl build (for Alpine) and, on x64, a jemalloc build;
  # the store's binding (src/Fornax.Kv/Engine/Storage/Native) imports "rocksdb", i.e. librocksdb.so. These archives
  # are for glibc systems and the site loads librocksdb.so (seen in /proc/PID/maps): the variants would add 6 MB
  # compressed each to the download.
  rm -f "$stage"/librocksdb-musl.so "$stage"/librocksdb-jemalloc.so

  # A release for one architecture must carry nothing of another: check the executable and every native.
  for binary in "$stage/fornax" "$stage"/*.so; do
    [ -e "$binary" ] || continue
    if [ "$(elf_machine "$binary")" != "$machine" ]; then
      echo "error: $binary is not a $rid binary (ELF machine $(elf_machine "$binary"), expected $machine)" >&2
      exit 1
    fi
  done

  cp build/fornax.service docs/install.md "$stage/"
  tar -C "$out/stage" --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"
  archives+=("$name.tar.gz")
done

(cd "$out" && sha256sum "${archives[@]}" > "fornax-$version-SHA256SUMS")
rm -rf "$out/stage"
echo "release: $out/fornax-$version-SHA256SUMS"
(cd "$out" && cat "fornax-$version-SHA256SUMS" && ls -l "${archives[@]}")
