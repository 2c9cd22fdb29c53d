#!/bin/sh
# device_user.sh URL [approve|deny]: stands in for the user of the device flow in the OAuth tests. URL is the
# verification_uri_complete the bridge printed; the script opens that page, reads the code the form shows, and
# approves or denies it, as a person at the page would. Each call is logged to $DEVICE_USER_LOG.
url="$1"
action="${2:-approve}"
[ -n "$DEVICE_USER_LOG" ] && echo "$action $url" >> "$DEVICE_USER_LOG"
page=$(curl -s --fail --max-time 10 "$url") || exit 1
code=$(printf '%s' "$page" | sed -n "s/.*name=user_code value='\([^']*\)'.*/\1/p")
[ -n "$code" ] || { echo "device_user.sh: no code on the verification page" >&2; exit 1; }
curl -s --fail --max-time 10 -o /dev/null --data-urlencode "user_code=$code" --data "action=$action" "${url%%\?*}"
