# shellcheck shell=bash disable=SC2034  # globals here are read by the scripts that source this
# wasmd as a tool: built once from the Go module proxy into the cache, reused afterwards.
# Source it after common.sh.
#
# Pinned: wasmd v0.61.14 (Cosmos SDK 0.53, CometBFT 0.38, wasmvm 3.0.x, capabilities up to
# cosmwasm_2_2, so cosmwasm-std 2.3 contracts run on it). v0.61.0-v0.61.4 are retracted.
WASMD_VERSION="v0.61.14"
# wasmd pins bytedance/sonic v1.14.2, which does not compile on Go 1.26 (its runtime stubs
# stop at `!go1.26`: "undefined: GoMapIterator"). sonic v1.15.5 supports Go 1.17-1.27; it is
# the only module changed from wasmd's own go.mod, so the machine's Go builds it as it is.
WASMD_SONIC_VERSION="v1.15.5"
WASMD_SONIC_LOADER_VERSION="v0.5.3"

# The shared library of the wasm VM, as the wasmvm Go module ships it for this machine.
wasmvm_library_name() {
    case "$(uname -m)" in
    x86_64 | amd64) echo "libwasmvm.x86_64.so" ;;
    aarch64 | arm64) echo "libwasmvm.aarch64.so" ;;
    *) die "wasmvm ships no library for $(uname -m)" ;;
    esac
}

# Sets WASMD to a wasmd binary: $MESI_WASMD when set, else the cached build of
# $WASMD_VERSION, building it first when it is missing (here on 2 cores, the first build took
# 12 minutes from empty Go caches, downloads included, and 23 with other builds running).
WASMD=""
ensure_wasmd() {
    if [[ -n "${MESI_WASMD:-}" ]]; then
        [[ -x "$MESI_WASMD" ]] || die "MESI_WASMD=$MESI_WASMD is not an executable"
        "$MESI_WASMD" version >/dev/null 2>&1 || die "MESI_WASMD=$MESI_WASMD does not run (\`$MESI_WASMD version\` failed)"
        WASMD="$MESI_WASMD"
        return
    fi
    local root="$MESI_CACHE_DIR/wasmd-$WASMD_VERSION"
    if [[ -x "$root/bin/wasmd" ]] && [[ "$("$root/bin/wasmd" version 2>&1)" == "${WASMD_VERSION#v}" ]]; then
        WASMD="$root/bin/wasmd"
        return
    fi
    build_wasmd "$root"
    WASMD="$root/bin/wasmd"
}

# build_wasmd ROOT: builds wasmd into ROOT/bin (the binary and libwasmvm beside it).
build_wasmd() {
    local root="$1"
    command -v go >/dev/null 2>&1 || die "Go is needed to build wasmd (or set MESI_WASMD to a wasmd $WASMD_VERSION)"
    command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || die "a C compiler is needed to build wasmd (cgo)"
    local started module_dir wasmvm_dir library
    started=$(now)
    log "building wasmd $WASMD_VERSION into $root with $(go version | cut -d' ' -f3) (the first build takes 12-25 minutes on 2 cores)"
    rm -rf "$root/src" "$root/bin.new"
    mkdir -p "$root"
    # `go install module@version` refuses a module with replace directives, as wasmd's go.mod
    # has: download the module's source (outside any module) and build it where it lies.
    module_dir="$(cd "$root" && GOFLAGS=-mod=mod go mod download -json "github.com/CosmWasm/wasmd@$WASMD_VERSION" |
        python3 -c 'import json, sys; d = json.load(sys.stdin); print(d.get("Dir") or sys.exit(d.get("Error", "no Dir")))')" ||
        die "go mod download github.com/CosmWasm/wasmd@$WASMD_VERSION failed"
    cp -r "$module_dir" "$root/src"
    chmod -R u+w "$root/src"
    (
        cd "$root/src"
        run go get "github.com/bytedance/sonic@$WASMD_SONIC_VERSION" \
            "github.com/bytedance/sonic/loader@$WASMD_SONIC_LOADER_VERSION"
        # As wasmd's Makefile builds it with LEDGER_ENABLED=false: tag netgo, and
        # -checklinkname=0 for sonic/loader's go:linkname into the runtime. The rpath $ORIGIN
        # lets the binary find libwasmvm beside it, so it does not depend on the module cache.
        local version_pkg="github.com/cosmos/cosmos-sdk/version"
        run env CGO_ENABLED=1 nice -n 10 go build -mod=mod -trimpath -tags netgo -ldflags "-checklinkname=0 \
            -X $version_pkg.Name=wasm -X $version_pkg.AppName=wasmd -X $version_pkg.Version=${WASMD_VERSION#v} \
            -X $version_pkg.BuildTags=netgo -X github.com/CosmWasm/wasmd/app.Bech32Prefix=wasm \
            -extldflags '-Wl,-rpath,\$ORIGIN'" -o "$root/bin.new/wasmd" ./cmd/wasmd
    ) || die "building wasmd failed (the output is above; the sources are in $root/src)"
    library="$(wasmvm_library_name)"
    wasmvm_dir="$(cd "$root/src" && go list -m -f '{{.Dir}}' github.com/CosmWasm/wasmvm/v3)" ||
        die "cannot find the wasmvm module of wasmd $WASMD_VERSION"
    cp "$wasmvm_dir/internal/api/$library" "$root/bin.new/$library"
    chmod 755 "$root/bin.new/$library"
    [[ "$("$root/bin.new/wasmd" version 2>&1)" == "${WASMD_VERSION#v}" ]] ||
        die "the wasmd just built does not run: $("$root/bin.new/wasmd" version 2>&1 | tail -n 5)"
    rm -rf "$root/bin"
    mv "$root/bin.new" "$root/bin"
    rm -rf "$root/src"
    log "built wasmd $WASMD_VERSION in $(($(now) - started)) s: $root/bin/wasmd"
}
