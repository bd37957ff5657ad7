# Builds the official Pulumi plugins from their pinned upstream sources, kept in an offline mirror
# (the Go module proxy serves every dependency of the plugins but refuses the plugin modules themselves).
# The mirror is a folder with the release archives and a SHA256SUMS file:
#   pulumi-command-$PULUMI_COMMAND_VERSION.tar.gz        github.com/pulumi/pulumi-command, provider/
#   pulumi-language-hosts-$PULUMI_VERSION.tar.gz         github.com/pulumi/pulumi, sdk/{nodejs,python,go} language hosts
# It is $PULUMI_LVS_VENDOR_DIR, else the first shared/vendor beside this clone or beside the clone it
# was cloned from. Nothing is built from an archive whose checksum does not match.
# Needs: say, die, $PULUMI_TOOLS_DIR, $PULUMI_VERSION, $PULUMI_COMMAND_VERSION, GO_BUILD_FLAGS.

COMMAND_ARCHIVE="pulumi-command-$PULUMI_COMMAND_VERSION.tar.gz"
LANGUAGE_ARCHIVE="pulumi-language-hosts-$PULUMI_VERSION.tar.gz"

# Prints the mirror folder, or fails.
vendor_dir() {
  local d origin candidates=()
  if [ -n "${PULUMI_LVS_VENDOR_DIR:-}" ]; then
    [ -f "$PULUMI_LVS_VENDOR_DIR/SHA256SUMS" ] || die "PULUMI_LVS_VENDOR_DIR=$PULUMI_LVS_VENDOR_DIR has no SHA256SUMS"
    echo "$PULUMI_LVS_VENDOR_DIR"; return 0
  fi
  d=$REPO_ROOT
  while [ "$d" != / ]; do d=$(dirname "$d"); candidates+=("$d/shared/vendor"); done
  # A clone of a local clone (CI's fresh clone of main): look beside the original too.
  origin=$(git -C "$REPO_ROOT" config --get remote.origin.url 2>/dev/null || true)
  origin=${origin#file://}
  if [ -n "$origin" ] && [ -d "$origin" ]; then
    d=$(cd "$origin" && pwd)
    while [ "$d" != / ]; do d=$(dirname "$d"); candidates+=("$d/shared/vendor"); done
  fi
  for d in "${candidates[@]}"; do
    [ -f "$d/SHA256SUMS" ] && { echo "$d"; return 0; }
  done
  return 1
}

# Unpacks <archive> from the mirror into a fresh folder under .tools/pulumi/src; prints that folder.
unpack_verified() { # <archive>
  local dir src
  dir=$(vendor_dir) || die "cannot build the official plugins: no offline mirror of their sources was found (looked for shared/vendor/SHA256SUMS beside this clone; set PULUMI_LVS_VENDOR_DIR to a folder holding $COMMAND_ARCHIVE, $LANGUAGE_ARCHIVE and SHA256SUMS), and they could not be downloaded"
  [ -f "$dir/$1" ] || die "the mirror $dir has no $1"
  grep -qE "  \\*?$1\$" "$dir/SHA256SUMS" || die "$dir/SHA256SUMS has no checksum for $1"
  (cd "$dir" && grep -E "  \\*?$1\$" SHA256SUMS | sha256sum --check --quiet --strict >/dev/null 2>&1) ||
    die "$dir/$1 does not match its checksum in $dir/SHA256SUMS: refusing to build from it"
  src="$PULUMI_TOOLS_DIR/src/${1%.tar.gz}"
  rm -rf "$src"
  mkdir -p "$src"
  tar -xzf "$dir/$1" -C "$src" --strip-components=1
  say "verified and unpacked $1 from $dir" >&2
  echo "$src"
}

go_build_logged() { # <log> <what> <go build args...>
  local log=$1 what=$2
  shift 2
  if ! CGO_ENABLED=0 go build "${GO_BUILD_FLAGS[@]}" "$@" > "$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "building $what failed: $(grep -m1 -E 'go: |error' "$log" || tail -n1 "$log")"
  fi
}

build_provider() { # <destination binary>
  local src
  src=$(unpack_verified "$COMMAND_ARCHIVE")
  say "building the official pulumi-resource-command v$PULUMI_COMMAND_VERSION from its sources (cold: about 3-6 minutes)"
  # Its go.mod and go.sum are complete: every dependency is checked against them.
  (cd "$src/provider" && go_build_logged "$PULUMI_TOOLS_DIR/build-pulumi-resource-command.log" "pulumi-resource-command" \
    -ldflags "-X $COMMAND_VERSION_FLAG" -o "$1" ./cmd/pulumi-resource-command)
}

build_language_host() { # <language> <destination binary>
  local lang=$1 src dir
  src=$(unpack_verified "$LANGUAGE_ARCHIVE")
  dir="$src/sdk/$lang/cmd/pulumi-language-$lang"
  [ "$lang" = go ] && dir="$src/sdk/go/pulumi-language-go"
  say "building the official pulumi-language-$lang v$PULUMI_VERSION from its sources"
  # Upstream builds it inside the monorepo (replace lines to ../../..); here the same pkg/v3 and
  # sdk/v3 releases come from the module proxy, checked against the sums the CLI build pins.
  (
    cd "$dir"
    go mod edit -dropreplace github.com/pulumi/pulumi/pkg/v3 -dropreplace github.com/pulumi/pulumi/sdk/v3 \
      -require "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" -require "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
    grep -E "^github.com/pulumi/pulumi/(pkg|sdk)/v3 v$PULUMI_VERSION[ /]" "$REPO_ROOT/tools/pulumi-cli/go.sum" >> go.sum
    GONOSUMDB="github.com/pulumi/pulumi/*" GOFLAGS=-mod=mod go mod tidy > "$PULUMI_TOOLS_DIR/build-pulumi-language-$lang.log" 2>&1 ||
      die "go mod tidy for pulumi-language-$lang failed: $(grep -m1 -E 'go: |error' "$PULUMI_TOOLS_DIR/build-pulumi-language-$lang.log")"
    go_build_logged "$PULUMI_TOOLS_DIR/build-pulumi-language-$lang.log" "pulumi-language-$lang" \
      -ldflags "-X $LANGUAGE_VERSION_FLAG" -o "$2" .
  )
  # The Python host runs programs through its helper script, which must sit beside it.
  if [ "$lang" = python ]; then
    install -m 0755 "$src/sdk/python/cmd/pulumi-language-python-exec" "$(dirname "$2")/pulumi-language-python-exec"
  fi
}
