#!/bin/sh
# browser.sh URL: stands in for the user's browser in the OAuth tests ($BROWSER). It asks the authorization URL
# without following its redirect (the test server approves at once with a 302 to the bridge's loopback callback),
# then requests that Location, as a browser would after the user approved. Each call is logged to $BROWSER_LOG.
url="$1"
[ -n "$BROWSER_LOG" ] && echo "$url" >> "$BROWSER_LOG"
location=$(curl -s -o /dev/null -w '%{redirect_url}' --max-time 10 "$url")
[ -n "$location" ] && curl -s -o /dev/null --max-time 10 "$location"
exit 0
