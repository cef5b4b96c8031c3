#!/usr/bin/env bash
# The test command: installs PostgreSQL 15, Redis and nginx when missing (the tests start their own
# instances on free ports), Debian's chromium and the Node.js test tools (npm ci in tests/browser)
# for the browser and wscat tests, and kotlin, OkHttp, curl and jq for the client snippet tests
# (docs/clients.md), checks the formatting (dotnet format --verify-no-changes), runs every test,
# and ends with one line "N passed, M failed".
# Extra arguments go to `dotnet test`, e.g. scripts/test.sh --filter FullyQualifiedName~Infrastructure
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/local-services.sh
source "$repo_root/scripts/lib/local-services.sh"
# shellcheck source=scripts/lib/browser-tools.sh
source "$repo_root/scripts/lib/browser-tools.sh"
# shellcheck source=scripts/lib/client-tools.sh
source "$repo_root/scripts/lib/client-tools.sh"

ensure_packages
if ! ensure_browser_tools "$repo_root"; then
  echo "scripts/test.sh: installing the browser test tools failed (see above); no tests were run." >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if ! ensure_client_tools; then
  echo "scripts/test.sh: installing the client snippet tools failed (see above); no tests were run." >&2
  echo "0 passed, 1 failed"
  exit 1
fi
cd "$repo_root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

trx=TestResults/results.trx
rm -f "$trx"

# Layout and naming (.editorconfig) are checked before any test runs: a drift fails the run here.
# The restore comes first so the check itself needs no network (it takes about 30 s on 2 cores).
if ! dotnet restore RawChat.sln --verbosity quiet || ! dotnet format RawChat.sln --verify-no-changes --no-restore; then
  echo "scripts/test.sh: the code is not formatted as .editorconfig asks (see above); run 'dotnet format RawChat.sln'. No tests were run." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

status=0
dotnet test RawChat.sln -c Release --logger "trx;LogFileName=results.trx" --results-directory TestResults "$@" || status=$?

# Reads one attribute of the <Counters .../> element; 0 when absent.
counter() {
  local value
  value="$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters")"
  echo "${value:-0}"
}

counters=""
if [[ -f $trx ]]; then
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1 || true)"
fi
if [[ -n $counters ]]; then
  passed="$(counter passed)"
  failed=$(($(counter failed) + $(counter error) + $(counter timeout) + $(counter aborted)))
else
  passed=0
  failed=1
fi
# A failed run (build error, crashed test host) never reports "0 failed".
if ((status != 0 && failed == 0)); then
  failed=1
fi

echo "$passed passed, $failed failed"
exit "$status"
