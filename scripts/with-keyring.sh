#!/usr/bin/env bash
# Runs a command with a real, unlocked OS keychain: a private D-Bus session bus and a
# gnome-keyring daemon (Secret Service) inside it, with HOME pointed at a throwaway folder so
# the keyring files never land in the real home. Used by `npm test` and CI.
set -euo pipefail
if [ -n "${OKR_TEST_IN_KEYRING:-}" ]; then exec "$@"; fi
tmp_home=$(mktemp -d "${TMPDIR:-/tmp}/okr-keyring-home.XXXXXX")
trap 'rm -rf "$tmp_home"' EXIT
export OKR_TEST_REAL_HOME="${HOME:-}"
export HOME="$tmp_home" XDG_DATA_HOME="$tmp_home/.local/share" XDG_CONFIG_HOME="$tmp_home/.config" XDG_RUNTIME_DIR="$tmp_home/run"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export OKR_TEST_IN_KEYRING=1
dbus-run-session -- bash -c '
  set -euo pipefail
  printf %s okr-test-keyring | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
  exec "$@"' okr-keyring "$@"
