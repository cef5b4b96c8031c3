# shellcheck shell=bash
# The tools of the client snippet tests (docs/clients.md), for scripts/test.sh. Source this file after
# browser-tools.sh (it uses _apt_install); it only defines functions:
#   ensure_client_tools   Debian's kotlin (kotlinc 1.3, runs on the JDK it brings), libokhttp-java
#                         (OkHttp 3.13, okio), libandroid-json-java (org.json, as on Android), curl
#                         and jq, each when missing. About 100 MB, under a minute to install; the
#                         Kotlin test then spends some 15-30 s compiling. Quiet when all is in place.
# Fails, saying what failed, when the install does.

ensure_client_tools() {
  local missing=()
  command -v kotlinc >/dev/null 2>&1 || missing+=(kotlin)
  [[ -f /usr/share/java/okhttp.jar && -f /usr/share/java/okio.jar ]] || missing+=(libokhttp-java)
  [[ -f /usr/share/java/com.android.json.jar ]] || missing+=(libandroid-json-java)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v jq >/dev/null 2>&1 || missing+=(jq)
  if ((${#missing[@]} == 0)); then
    return 0
  fi

  if ! _apt_install "${missing[@]}"; then
    echo "Could not install ${missing[*]}, needed by the client snippet tests (RawChat.Tests/Clients)." >&2
    return 1
  fi
}
