#!/usr/bin/env bash
# Makes sure the real parts the tests use are on this machine: a D-Bus session daemon and
# gnome-keyring (the OS keychain through the Secret Service), Chromium (the OAuth pages), tmux
# (interactive prompts in a real terminal), python3 (a non-blocking pipe; a plist check), less
# (the default pager), zsh and fish (the completion scripts run in the real shells). On
# Debian/Ubuntu it installs what is missing with apt-get when it can (root, or sudo without a
# password); otherwise it says what to install.
set -euo pipefail
missing=()
command -v dbus-run-session >/dev/null || missing+=(dbus)
command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v tmux >/dev/null || missing+=(tmux)
command -v python3 >/dev/null || missing+=(python3)
command -v less >/dev/null || missing+=(less)
command -v zsh >/dev/null || missing+=(zsh)
command -v fish >/dev/null || missing+=(fish)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "test-deps: installing ${missing[*]} (Debian packages the tests need)" >&2
if [ "$(id -u)" = 0 ]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else
  echo "test-deps: missing ${missing[*]}; install them: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "test-deps: missing ${missing[*]} and no apt-get here; install them with your package manager" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
