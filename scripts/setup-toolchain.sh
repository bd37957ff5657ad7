#!/usr/bin/env bash
# Installs the pinned, official Pulumi toolchain (git-ignored, in .tools/pulumi) and the npm dependencies:
#   pulumi                   the CLI, built from the Go module github.com/pulumi/pulumi/pkg/v3 (tools/pulumi-cli)
#   pulumi-language-nodejs   the official language host, in .tools/pulumi/bin beside the CLI
#   pulumi-resource-command  the official provider, in the plugin cache ($PULUMI_HOME/plugins/resource-command-v1.2.1),
#                            where the engine finds it by version
# Each plugin comes from the first of: an official build already in place at the pinned version;
# `pulumi plugin install` (where the network allows it); a build from the pinned upstream sources in the
# offline mirror (lib/vendor.sh, checksums verified first). Otherwise setup stops and says what is missing.
# `--languages python,go` also builds those language hosts (for programs that use the component package).
# A second run is a no-op that takes well under a second.
set -euo pipefail
ERR_PREFIX="[setup]"
ERR_HINT="See the lines above for the cause; .tools/pulumi/*.log hold the build logs. Run \`npm run setup\` again once it is fixed (TRACE=1 prints every step)."
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$REPO_ROOT/scripts/lib/vendor.sh"

BIN="$PULUMI_TOOLS_DIR/bin"
STAMP="$PULUMI_TOOLS_DIR/stamp"
PROVIDER_DIR="$PULUMI_HOME/plugins/resource-command-v$PULUMI_COMMAND_VERSION"
# No -trimpath: it would drop -ldflags from the build info, and `go version -m` shows the stamped version
# only with them. The CLI and the plugins share these flags, so they share the Go build cache too.
GO_BUILD_FLAGS=(-tags osusergo,grpcnotrace)
# The version each official binary carries (-X ... in its build settings, as `go version -m` shows).
LANGUAGE_VERSION_FLAG="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
COMMAND_VERSION_FLAG="github.com/pulumi/pulumi-command/provider/pkg/version.Version=$PULUMI_COMMAND_VERSION"
COMMAND_MAIN="github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command"
language_main() { echo "github.com/pulumi/pulumi/sdk/$1/cmd/pulumi-language-$1/v3"; } # nodejs, python
LANGUAGE_MAIN_GO="github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3"

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

languages=(nodejs)
while [ $# -gt 0 ]; do
  case $1 in
    --languages) IFS=, read -ra extra <<< "${2:-}"; languages+=("${extra[@]}"); shift 2 ;;
    *) die "unknown argument $1 (setup takes --languages python,go)" ;;
  esac
done
for l in "${languages[@]}"; do case $l in nodejs|python|go) ;; *) die "no language host '$l' (nodejs, python, go)" ;; esac; done

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
    echo "$PULUMI_VERSION $PULUMI_COMMAND_VERSION ${languages[*]}"
    cat "$REPO_ROOT/tools/pulumi-cli/go.mod" "$REPO_ROOT/tools/pulumi-cli/go.sum" "${BASH_SOURCE[0]}" "$REPO_ROOT/scripts/lib/vendor.sh"
  } | sha256sum | cut -d' ' -f1
}

# True when <binary> is an official build of <main package> at the pinned version: `go version -m`
# names the package, and the version stamped into it at build time (-X in -ldflags).
is_official() { # <binary> <main package> <version flag>
  local info
  [ -x "$1" ] || return 1
  info=$(go version -m "$1" 2>/dev/null) || return 1
  grep -qE "^[[:space:]]path[[:space:]]+$2\$" <<< "$info" && grep -qE -- "-X ['\"]?$3['\" ]" <<< "$info"
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

ensure_cli() {
  local found
  is_official "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$LANGUAGE_VERSION_FLAG" && return 0
  if found=$(existing_pulumi); then
    say "using $found ($("$found" version)), already on PATH"
    ln -sf "$found" "$BIN/pulumi"
    return
  fi
  command -v go >/dev/null || die "Go is needed to build the Pulumi CLI, and 'go' is not on PATH"
  say "building pulumi v$PULUMI_VERSION from github.com/pulumi/pulumi/pkg/v3 (cold: about 4-5 minutes on 2 cores)"
  local log="$PULUMI_TOOLS_DIR/build-pulumi.log"
  if ! (cd "$REPO_ROOT/tools/pulumi-cli" && CGO_ENABLED=0 go build "${GO_BUILD_FLAGS[@]}" \
        -ldflags "-X $LANGUAGE_VERSION_FLAG" -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "building github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$PULUMI_VERSION failed: $(grep -m1 -E 'go: |error' "$log" || tail -n1 "$log")"
  fi
}

# A language host: official build in place -> official build on PATH (a Pulumi install) -> built from
# the mirror. Language hosts are not distributed as plugins: they come with the CLI.
ensure_language_host() { # <language>
  local lang=$1 main dest found
  main=$([ "$lang" = go ] && echo "$LANGUAGE_MAIN_GO" || language_main "$lang")
  dest="$BIN/pulumi-language-$lang"
  is_official "$dest" "$main" "$LANGUAGE_VERSION_FLAG" && return 0
  found=$(PATH="${PATH//$BIN:/}" command -v "pulumi-language-$lang" 2>/dev/null || true)
  if [ -n "$found" ] && is_official "$found" "$main" "$LANGUAGE_VERSION_FLAG"; then
    ln -sf "$found" "$dest"
    say "using the official pulumi-language-$lang v$PULUMI_VERSION at $found"
    return 0
  fi
  build_language_host "$lang" "$dest"
  is_official "$dest" "$main" "$LANGUAGE_VERSION_FLAG" || die "the pulumi-language-$lang just built is not $main v$PULUMI_VERSION (go version -m $dest)"
}

# The provider: official build in place -> `pulumi plugin install` -> built from the mirror.
ensure_provider() {
  local dest="$PROVIDER_DIR/pulumi-resource-command" log="$PULUMI_TOOLS_DIR/plugin-install.log"
  is_official "$dest" "$COMMAND_MAIN" "$COMMAND_VERSION_FLAG" && return 0
  say "trying \`pulumi plugin install resource command $PULUMI_COMMAND_VERSION\` (needs access to Pulumi's or GitHub's downloads)"
  if timeout 120 "$BIN/pulumi" plugin install resource command "$PULUMI_COMMAND_VERSION" > "$log" 2>&1 &&
     is_official "$dest" "$COMMAND_MAIN" "$COMMAND_VERSION_FLAG"; then
    say "installed pulumi-resource-command v$PULUMI_COMMAND_VERSION with pulumi plugin install"
    return 0
  fi
  say "no download: $(grep -m1 -iE 'error|fail' "$log" | cut -c1-200 || echo 'timed out')"
  rm -rf "$PROVIDER_DIR" "$PROVIDER_DIR.lock" "$PROVIDER_DIR.partial"
  mkdir -p "$PROVIDER_DIR"
  build_provider "$dest"
  is_official "$dest" "$COMMAND_MAIN" "$COMMAND_VERSION_FLAG" || die "the pulumi-resource-command just built is not $COMMAND_MAIN v$PULUMI_COMMAND_VERSION (go version -m $dest)"
}

main() {
  local started=$SECONDS l
  mkdir -p "$BIN"
  ensure_node_modules
  if [ -x "$BIN/pulumi" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$(stamp_value)" ]; then
    say "toolchain up to date in .tools/pulumi ($("$BIN/pulumi" version); official plugins: ${languages[*]/#/pulumi-language-} pulumi-resource-command v$PULUMI_COMMAND_VERSION)"
    return 0
  fi
  ensure_cli
  for l in "${languages[@]}"; do ensure_language_host "$l"; done
  ensure_provider
  "$BIN/pulumi" version >/dev/null || die "the built pulumi does not run"
  stamp_value > "$STAMP"
  say "toolchain ready in .tools/pulumi after $((SECONDS - started)) s: pulumi $("$BIN/pulumi" version), official ${languages[*]/#/pulumi-language-} and pulumi-resource-command v$PULUMI_COMMAND_VERSION"
}

main
