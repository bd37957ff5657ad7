# Sourced by every entry point (setup, test, demo, lab): the pinned toolchain and a local-only Pulumi.
# Everything here can be overridden from the caller's environment.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
source "$REPO_ROOT/scripts/lib/errors.sh"

export PULUMI_VERSION="3.248.0"
export PULUMI_COMMAND_VERSION="1.2.1"
export PULUMI_TOOLS_DIR="$REPO_ROOT/.tools/pulumi"

# Our bin first: the CLI and its plugins are found there, never downloaded.
case ":$PATH:" in
  *":$PULUMI_TOOLS_DIR/bin:"*) ;;
  *) export PATH="$PULUMI_TOOLS_DIR/bin:$PATH" ;;
esac
export PULUMI_HOME="${PULUMI_HOME:-$PULUMI_TOOLS_DIR/home}"
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
# State lives in a git-ignored folder of this repo: never Pulumi Cloud, never a login prompt.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$REPO_ROOT/.pulumi-state}"
# The documented passphrase of the local lab stacks (they hold only lab credentials).
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-pulumi-lvs-lab}"
mkdir -p "$REPO_ROOT/.pulumi-state" "$PULUMI_HOME"
