# shellcheck shell=bash
# The tools of the browser and wscat tests, for scripts/test.sh. Source this file after
# local-services.sh (it uses _as_root); it only defines functions:
#   ensure_browser_tools REPO_ROOT   Debian's chromium (/usr/bin/chromium) and Node.js when missing,
#                                   then `npm ci` in tests/browser when node_modules is missing or
#                                   older than package-lock.json. Quiet when all is in place.
# Each step that fails prints what failed and returns 1.

RAWCHAT_CHROMIUM="${RAWCHAT_CHROMIUM:-/usr/bin/chromium}"

_apt_install() {
  echo "Installing $* with apt-get ..." >&2
  _as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null \
    && _as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

ensure_browser_tools() {
  local dir="$1/tests/browser" lock_hash stamp

  if [[ ! -x $RAWCHAT_CHROMIUM ]]; then
    # fonts-liberation: Arial/Helvetica-metric fonts, so the page renders as it would on a desktop.
    if ! _apt_install chromium fonts-liberation || [[ ! -x $RAWCHAT_CHROMIUM ]]; then
      echo "Could not install Debian's chromium ($RAWCHAT_CHROMIUM), needed by the browser tests." >&2
      return 1
    fi
  fi

  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if ! _apt_install nodejs npm; then
      echo "Could not install Node.js and npm, needed by the browser and wscat tests." >&2
      return 1
    fi
  fi

  # node_modules is current when it was installed from exactly this package-lock.json.
  lock_hash="$(sha256sum "$dir/package-lock.json" | cut -d ' ' -f 1)" || return 1
  stamp="$dir/node_modules/.rawchat-lock-sha256"
  if [[ -f $stamp && "$(<"$stamp")" == "$lock_hash" ]]; then
    return 0
  fi

  echo "Installing the Node.js test tools (npm ci in tests/browser) ..." >&2
  if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    echo "npm ci failed in $dir; the browser and wscat tests need its packages." >&2
    return 1
  fi
  echo "$lock_hash" >"$stamp"
}
