# shellcheck shell=bash disable=SC2034  # globals here are read by the scripts that source this
# Shared by the scripts in scripts/: logging, paths, tool installs and crate discovery.
# Source it; it expects `set -euo pipefail` in the caller.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MESI_CACHE_DIR="${MESI_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mesi}"

# Pinned tool versions (see SPEC.md "Build facts").
BINARYEN_VERSION="132.0.0"
COSMWASM_CHECK_VERSION="3.0.10"
WASM_TARGET="wasm32-unknown-unknown"
MAX_WASM_BYTES=819200

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command after printing it.
run() {
    printf '+ %s\n' "$*" >&2
    "$@"
}

# Cargo is where rustup puts it, also when PATH was not set up by a login shell.
if ! command -v cargo >/dev/null 2>&1 && [[ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]]; then
    export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

workspace_metadata() {
    cargo metadata --format-version 1 --no-deps --locked --manifest-path "$REPO_ROOT/Cargo.toml" ||
        die "cargo metadata failed: the workspace manifests above need fixing first"
}

cargo_target_dir() {
    local metadata
    metadata="$(workspace_metadata)"
    python3 -c 'import json, sys; print(json.loads(sys.argv[1])["target_directory"])' "$metadata"
}

# Sets CONTRACTS to lines "<package> <lib crate name> <schema bin or ->", one for every
# package under contracts/ whose library is a cdylib, i.e. every deployable contract.
load_contracts() {
    local metadata listing
    metadata="$(workspace_metadata)"
    listing="$(python3 -c '
import json, os, sys
meta = json.loads(sys.stdin.read())
contracts_dir = os.path.join(meta["workspace_root"], "contracts") + os.sep
for pkg in sorted(meta["packages"], key=lambda p: p["name"]):
    if not pkg["manifest_path"].startswith(contracts_dir):
        continue
    libs = [t for t in pkg["targets"] if "cdylib" in t["crate_types"]]
    if not libs:
        continue
    schema_bins = [t["name"] for t in pkg["targets"]
                   if "bin" in t["kind"] and t["name"].endswith("-schema")]
    print(pkg["name"], libs[0]["name"], schema_bins[0] if schema_bins else "-")
' <<<"$metadata")"
    [[ -n "$listing" ]] || die "no contract crates (cdylib packages) found under contracts/"
    mapfile -t CONTRACTS <<<"$listing"
}

ensure_wasm_target() {
    if rustup target list --installed | grep -qx "$WASM_TARGET"; then
        return
    fi
    log "installing the Rust target $WASM_TARGET"
    run rustup target add "$WASM_TARGET"
}

ensure_rustfmt() {
    if cargo fmt --version >/dev/null 2>&1; then
        return
    fi
    log "installing rustfmt"
    rustup component add rustfmt || log "rustfmt is not available; formatting will not be checked"
}

ensure_clippy() {
    if cargo clippy --version >/dev/null 2>&1; then
        return
    fi
    log "installing clippy"
    rustup component add clippy || log "clippy is not available; lints will not be checked"
}

# binaryen from npm: Debian's older wasm-opt lacks --llvm-memory-copy-fill-lowering.
WASM_OPT=""
ensure_wasm_opt() {
    local prefix="$MESI_CACHE_DIR/binaryen-$BINARYEN_VERSION"
    local wanted="version ${BINARYEN_VERSION%%.*}"
    local candidate
    for candidate in "${MESI_WASM_OPT:-}" "$prefix/node_modules/.bin/wasm-opt" "$(command -v wasm-opt || true)"; do
        if [[ -n "$candidate" && -x "$candidate" ]] && "$candidate" --version | grep -q "$wanted"; then
            WASM_OPT="$candidate"
            return
        fi
    done
    command -v npm >/dev/null 2>&1 || die "npm is needed to install binaryen $BINARYEN_VERSION"
    log "installing binaryen $BINARYEN_VERSION (wasm-opt) from npm into $prefix"
    mkdir -p "$prefix"
    run npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
    WASM_OPT="$prefix/node_modules/.bin/wasm-opt"
    "$WASM_OPT" --version | grep -q "$wanted" || die "$WASM_OPT is not binaryen $BINARYEN_VERSION"
}

# cosmwasm-check runs the static checks of cosmwasm-vm. 3.0.11 needs a newer rustc than the
# machine's 1.95, so 3.0.10 is pinned. Installed under the cache so that later runs reuse it.
COSMWASM_CHECK=""
ensure_cosmwasm_check() {
    local root="$MESI_CACHE_DIR/cosmwasm-check-$COSMWASM_CHECK_VERSION"
    local wanted="$COSMWASM_CHECK_VERSION"
    local candidate
    for candidate in "$root/bin/cosmwasm-check" "$(command -v cosmwasm-check || true)"; do
        if [[ -n "$candidate" && -x "$candidate" ]] &&
            [[ "$("$candidate" --version)" == *" $wanted" ]]; then
            COSMWASM_CHECK="$candidate"
            return
        fi
    done
    log "building cosmwasm-check $COSMWASM_CHECK_VERSION into $root (takes about 11 minutes on 2 cores)"
    # A build directory of its own: a rerun after an interruption resumes, and the
    # workspace's target directory does not mix with it.
    run env CARGO_TARGET_DIR="$root/build" \
        cargo install cosmwasm-check --version "$COSMWASM_CHECK_VERSION" --locked --root "$root"
    rm -rf "$root/build"
    COSMWASM_CHECK="$root/bin/cosmwasm-check"
}

# How every artifact is built, contracts and anchors alike: a release build stripped by the
# linker, then wasm-opt, which lowers the bulk-memory instructions cosmwasm-vm rejects and
# shrinks the code.
# Panic locations embed source paths. Cargo passes the workspace's own files as relative
# paths; remapping the cargo registry makes the artifacts, and so their checksums, independent
# of the user's cargo home. (The repository's path is not remapped: it is not embedded, and
# RUSTFLAGS that differ per checkout would make every clone rebuild all dependencies.
# RUSTFLAGS is split at spaces, so a path with a space is left unmapped.)
WASM_RUSTFLAGS='-C link-arg=-s'
for _remap in "${CARGO_HOME:-$HOME/.cargo}/registry/src=/cargo/registry/src" \
    "${CARGO_HOME:-$HOME/.cargo}/git/checkouts=/cargo/git/checkouts"; do
    [[ "$_remap" == *" "* ]] || WASM_RUSTFLAGS+=" --remap-path-prefix=$_remap"
done
unset _remap
WASM_OPT_FLAGS=(-Os --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int
    --llvm-memory-copy-fill-lowering)

# lower_wasm IN OUT: wasm-opt with WASM_OPT_FLAGS (after ensure_wasm_opt); OUT appears whole.
lower_wasm() {
    run "$WASM_OPT" "${WASM_OPT_FLAGS[@]}" "$1" -o "$2.tmp"
    mv "$2.tmp" "$2"
}

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Seconds since the epoch, for step timings.
now() { date +%s; }

# npm_ci_when_changed DIR: `npm ci` in DIR unless node_modules/ was installed from its
# package-lock.json already (a stamp in node_modules/ holds the lock's hash).
npm_ci_when_changed() {
    local dir="$1" stamp sum
    command -v npm >/dev/null 2>&1 || die "npm (with node 20 or newer) is needed in $dir"
    stamp="$dir/node_modules/.mesi-package-lock.sha256"
    sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$sum" ]]; then
        log "installing the dependencies of ${dir#"$REPO_ROOT"/} (npm ci)"
        (cd "$dir" && run npm ci --no-audit --no-fund --loglevel=error)
        printf '%s\n' "$sum" >"$stamp"
    fi
}
