#!/usr/bin/env bash
# Builds the Debian package from the metadata in Cargo.toml ([package.metadata.deb]):
# the release binary, then the man pages and shell completions that binary generates from
# its own command-line definitions (into <target dir>/release/assets/), then
# `cargo deb --no-build`. Extra arguments go to cargo deb (e.g. --output DIR).
# Needs cargo-deb: cargo install --locked cargo-deb
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo deb --version >/dev/null 2>&1; then
  echo "build-deb.sh: cargo-deb is missing: cargo install --locked cargo-deb" >&2
  exit 1
fi

# The target dir as cargo sees it (CARGO_TARGET_DIR, .cargo/config.toml or ./target).
target=$(cargo metadata --format-version 1 --no-deps --locked |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target" ] || { echo "build-deb.sh: cannot find cargo's target dir" >&2; exit 1; }

cargo build --release --locked
bin="$target/release/skriptoteket-admin"
assets="$target/release/assets"
rm -rf "$assets"
mkdir -p "$assets/man" "$assets/completions"
"$bin" man --dir "$assets/man"
gzip -9n "$assets"/man/*.1
"$bin" completions bash >"$assets/completions/skriptoteket-admin"
"$bin" completions zsh >"$assets/completions/_skriptoteket-admin"
"$bin" completions fish >"$assets/completions/skriptoteket-admin.fish"

# cargo-deb reads the asset paths as target/release/..., mapped to the real target dir.
cargo deb --no-build "$@"
