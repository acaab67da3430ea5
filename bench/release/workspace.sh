# bench/release/workspace.sh — sourced by a benchmark from the clone's root: a scratch directory ($work, removed by the
# benchmark's cleanup), the `fornax` it runs ($fornax, from bench/release/publish.sh: $FORNAX or the release build), and
# a HOME with the CLI's config inside the scratch directory, so `fornax up` writes its contexts there, not to the user's.
# The build comes before HOME changes: a fresh HOME has an empty NuGet cache (the restore alone took ~10 minutes).
work=$(mktemp -d)
fornax=$(bench/release/publish.sh)
export HOME="$work/home" FORNAX_CONFIG="$work/home/.fornax/config"
mkdir -p "$HOME"
