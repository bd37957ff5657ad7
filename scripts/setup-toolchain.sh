#!/usr/bin/env bash
# Installs the pinned Pulumi toolchain into .tools/pulumi/bin (git-ignored), with nothing from the
# internet beyond the package registries:
#   pulumi                   built from the Go module github.com/pulumi/pulumi/pkg/v3 (tools/pulumi-cli)
#   pulumi-language-nodejs   the official Go module when the proxy serves it, else tools/pulumi-language-nodejs
#   pulumi-resource-command  the official Go module when the proxy serves it, else tools/pulumi-resource-command,
#                            installed in the plugin cache ($PULUMI_HOME/plugins/resource-command-v1.2.1), where the
#                            engine finds it by version without the "using ... from $PATH" warning
# and the npm dependencies (npm ci). A second run is a no-op that takes well under a second.
set -euo pipefail
ERR_PREFIX="[setup]"
ERR_HINT="See the lines above for the cause; .tools/pulumi/*.log hold the build logs. Run \`npm run setup\` again once it is fixed (TRACE=1 prints every step)."
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

BIN="$PULUMI_TOOLS_DIR/bin"
STAMP="$PULUMI_TOOLS_DIR/stamp"
PROVIDER_DIR="$PULUMI_HOME/plugins/resource-command-v$PULUMI_COMMAND_VERSION"
# The official plugin modules, pinned to the commits of the releases that match our pins
# (pulumi v3.248.0 and pulumi-command v1.2.1). Neither path has tags of its own.
LANGUAGE_HOST_MODULE="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
LANGUAGE_HOST_VERSION="${LANGUAGE_HOST_VERSION:-v3.0.0-20260624180030-dc7edd58bc13}"
COMMAND_PROVIDER_MODULE="github.com/pulumi/pulumi-command/provider"
COMMAND_PROVIDER_VERSION="${COMMAND_PROVIDER_VERSION:-v0.0.0-20260303235922-7f3eb6f3b77c}"
GO_BUILD_FLAGS=(-trimpath -tags osusergo,grpcnotrace)

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

ensure_node_modules() {
  local want have
  want=$(sha256sum "$REPO_ROOT/package-lock.json" | cut -d' ' -f1)
  have=$(cat "$REPO_ROOT/node_modules/.lock-hash" 2>/dev/null || true)
  [ "$want" = "$have" ] && return 0
  say "installing npm dependencies (npm ci)"
  (cd "$REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed (see above)"
  echo "$want" > "$REPO_ROOT/node_modules/.lock-hash"
}

stamp_value() {
  {
    echo "$PULUMI_VERSION $PULUMI_COMMAND_VERSION $LANGUAGE_HOST_VERSION $COMMAND_PROVIDER_VERSION"
    cat "$REPO_ROOT/tools/pulumi-cli/go.mod" "$REPO_ROOT/tools/pulumi-cli/go.sum" "${BASH_SOURCE[0]}"
    find "$REPO_ROOT/tools/pulumi-language-nodejs" "$REPO_ROOT/tools/pulumi-resource-command" -type f -name '*.js' | sort | xargs cat
  } | sha256sum | cut -d' ' -f1
}

# A pulumi elsewhere on PATH that is the pinned version or newer.
existing_pulumi() {
  local p v
  p=$(PATH="${PATH//$BIN:/}" command -v pulumi 2>/dev/null) || return 1
  v=$("$p" version 2>/dev/null | sed 's/^v//')
  [ -n "$v" ] || return 1
  [ "$(printf '%s\n%s\n' "$PULUMI_VERSION" "$v" | sort -V | head -n1)" = "$PULUMI_VERSION" ] || return 1
  echo "$p"
}

build_pulumi() {
  local found
  if found=$(existing_pulumi); then
    say "using $found ($("$found" version)), already on PATH"
    ln -sf "$found" "$BIN/pulumi"
    return
  fi
  command -v go >/dev/null || die "Go is needed to build the Pulumi CLI, and 'go' is not on PATH"
  say "building pulumi v$PULUMI_VERSION from github.com/pulumi/pulumi/pkg/v3 (cold: about 5-10 minutes on 2 cores)"
  local log="$PULUMI_TOOLS_DIR/build-pulumi.log"
  if ! (cd "$REPO_ROOT/tools/pulumi-cli" && CGO_ENABLED=0 go build "${GO_BUILD_FLAGS[@]}" \
        -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
        -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "building github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$PULUMI_VERSION failed: $(grep -m1 -E 'go: |error' "$log" || tail -n1 "$log")"
  fi
}

# Tries the official Go plugin; prints why not when the module cannot be had.
build_official_plugin() { # <destination> <module> <version> <main package> <extra ldflags>
  local dest=$1 module=$2 version=$3 pkg=$4 ldflags=$5 name work log
  name=$(basename "$dest")
  work=$(mktemp -d) log="$PULUMI_TOOLS_DIR/build-$name.log"
  say "trying the official $name: $module@$version"
  if (cd "$work" && go mod init probe >/dev/null 2>&1 &&
      GONOSUMDB=github.com/pulumi GOFLAGS=-mod=mod go get "$module@$version" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION" &&
      GOFLAGS=-mod=mod CGO_ENABLED=0 go build "${GO_BUILD_FLAGS[@]}" -ldflags "$ldflags" -o "$dest" "$pkg") >"$log" 2>&1; then
    rm -rf "$work"
    return 0
  fi
  rm -rf "$work"
  say "the official $name cannot be built here: $module@$version: $(grep -m1 -E 'go: |error' "$log" | cut -c1-300)"
  return 1
}

install_node_plugin() { # <destination> <script>
  mkdir -p "$(dirname "$1")"
  cat > "$1" <<EOF
#!/bin/sh
# Installed by scripts/setup-toolchain.sh: the official Go plugin could not be built here (see README).
exec node "$REPO_ROOT/$2" "\$@"
EOF
  chmod +x "$1"
  say "installed $(basename "$1") -> $2 (compatible Node.js implementation)"
}

ensure_plugin() { # <destination> <module> <version> <main package> <ldflags> <fallback script>
  local dest=$1 name
  name=$(basename "$dest")
  mkdir -p "$(dirname "$dest")"
  if PATH="${PATH//$BIN:/}" command -v "$name" >/dev/null 2>&1; then
    ln -sf "$(PATH="${PATH//$BIN:/}" command -v "$name")" "$dest"
    say "using $name already on PATH"
  elif ! build_official_plugin "$@"; then
    install_node_plugin "$dest" "$6"
  fi
}

main() {
  local started=$SECONDS
  mkdir -p "$BIN"
  ensure_node_modules
  if [ -x "$BIN/pulumi" ] && [ -x "$BIN/pulumi-language-nodejs" ] && [ -x "$PROVIDER_DIR/pulumi-resource-command" ] &&
     [ "$(cat "$STAMP" 2>/dev/null)" = "$(stamp_value)" ]; then
    say "toolchain up to date in .tools/pulumi/bin ($(pulumi version))"
    return 0
  fi
  build_pulumi
  ensure_plugin "$BIN/pulumi-language-nodejs" "$LANGUAGE_HOST_MODULE" "$LANGUAGE_HOST_VERSION" \
    "$LANGUAGE_HOST_MODULE" "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
    tools/pulumi-language-nodejs/host.js
  ensure_plugin "$PROVIDER_DIR/pulumi-resource-command" "$COMMAND_PROVIDER_MODULE" "$COMMAND_PROVIDER_VERSION" \
    "$COMMAND_PROVIDER_MODULE/cmd/pulumi-resource-command" \
    "-X github.com/pulumi/pulumi-command/provider/pkg/version.Version=$PULUMI_COMMAND_VERSION" \
    tools/pulumi-resource-command/provider.js
  "$BIN/pulumi" version >/dev/null || die "the built pulumi does not run"
  stamp_value > "$STAMP"
  say "toolchain ready in .tools/pulumi/bin after $((SECONDS - started)) s: pulumi $(pulumi version)"
}

main "$@"
