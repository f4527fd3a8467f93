#!/usr/bin/env bash
# Prints an apt source for bookworm-backports derived from the machine's own bookworm entry — the same mirror URI
# (and Signed-By) the machine already uses, with the suite bookworm-backports and component main — and, on the first
# line, the file name to write it to. Nothing is hard-coded: a machine whose sources name no bookworm entry gets
# nothing printed and exit code 1.
#
#   .ci/backports-source.sh [apt-dir]    (default /etc/apt; reads sources.list, sources.list.d/*.list, *.sources)
#
# Exit codes: 0 printed, 1 no bookworm entry to derive from, 3 bookworm-backports is configured already.
set -euo pipefail
apt="${1:-/etc/apt}"
shopt -s nullglob
lists=()
[ -f "$apt/sources.list" ] && lists+=("$apt/sources.list")
lists+=("$apt"/sources.list.d/*.list)
sources=("$apt"/sources.list.d/*.sources)

# Only the files apt reads (*.list, *.sources; not *.disabled and the like), and only live lines.
if [ ${#lists[@]} -gt 0 ] && grep -qsE '^[[:space:]]*deb[[:space:]].*[[:space:]]bookworm-backports([[:space:]]|$)' "${lists[@]}"; then exit 3; fi
if [ ${#sources[@]} -gt 0 ] && grep -qsiE '^[[:space:]]*Suites:.*[[:space:]]bookworm-backports([[:space:]]|$)' "${sources[@]}"; then exit 3; fi

# One-line format: deb [options] URI bookworm components...
if [ ${#lists[@]} -gt 0 ]; then
  line="$(grep -hE '^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+[[:space:]]+bookworm[[:space:]]' "${lists[@]}" | head -n 1 || true)"
  if [ -n "$line" ]; then
    echo "bookworm-backports.list"
    echo "$line" | sed -E 's/^[[:space:]]*(deb[[:space:]]+(\[[^]]*\][[:space:]]+)?[^[:space:]]+)[[:space:]]+bookworm[[:space:]].*$/\1 bookworm-backports main/'
    exit 0
  fi
fi

# deb822 format: the first stanza of Types deb whose Suites include bookworm; its URIs and one-line Signed-By.
if [ ${#sources[@]} -gt 0 ]; then
  stanza="$(awk '
    function flush() {
      if (types ~ /(^|[[:space:]])deb([[:space:]]|$)/ && suites ~ /(^|[[:space:]])bookworm([[:space:]]|$)/ && uris != "" && !done) {
        print "URIs: " uris; if (signed != "") print "Signed-By: " signed; done = 1
      }
      types = ""; suites = ""; uris = ""; signed = ""
    }
    FNR == 1 { flush() }
    /^[[:space:]]*#/ { next }
    /^[[:space:]]*$/ { flush(); next }
    { key = tolower($1); val = $0; sub(/^[^:]*:[[:space:]]*/, "", val) }
    key == "types:" { types = val } key == "suites:" { suites = val } key == "uris:" { uris = val }
    key == "signed-by:" && val != "" { signed = val }
    END { flush() }
  ' "${sources[@]}")"
  if [ -n "$stanza" ]; then
    echo "bookworm-backports.sources"
    echo "Types: deb"
    echo "$stanza" | grep '^URIs:'
    echo "Suites: bookworm-backports"
    echo "Components: main"
    echo "$stanza" | grep '^Signed-By:' || true
    exit 0
  fi
fi
exit 1
