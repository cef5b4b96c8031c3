#!/usr/bin/env bash
# Posts one message into a room, as a backend: publish.sh ROOM MESSAGE IDEMPOTENCY_KEY
# Needs RAWCHAT_URL (e.g. https://chat.example.com) and SERVICE_TOKEN, a token with the service claim.
# Prints the stored message; a repeat with the same key prints it again with "duplicate": true.
set -euo pipefail
room="$1" message="$2" key="$3"
answer="$(mktemp)"
trap 'rm -f "$answer"' EXIT

for _ in 1 2 3; do
  read -r status retry_after < <(curl -sS -o "$answer" -w '%{http_code} %header{retry-after}\n' \
    -X POST "$RAWCHAT_URL/api/rooms/$room/messages" \
    -H "Authorization: Bearer $SERVICE_TOKEN" -H "Content-Type: application/json" \
    -H "Idempotency-Key: $key" \
    --data "$(jq -n --arg message "$message" '{message: $message, user: "Deploy bot"}')")
  case "$status" in
    200 | 201) cat "$answer"; echo; exit 0 ;;
    503) sleep "${retry_after:-1}" ;;   # not stored: try again, with the same key
    *) echo "publish failed: $status $(cat "$answer")" >&2; exit 1 ;;
  esac
done
echo "publish failed: still unavailable" >&2
exit 1
