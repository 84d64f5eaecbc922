#!/bin/sh
# Runs the engine-vs-reference differential test; exits 77 (skipped) without /usr/bin/python3.
if [ ! -x /usr/bin/python3 ]; then
  echo "skipped: /usr/bin/python3 is not installed (the reference needs Debian's python3 and python3-nacl)"
  exit 77
fi
# PITH_DIFF_SETS lowers the count for slow (sanitizer) builds.
exec /usr/bin/python3 "$(dirname "$0")/differential_test.py" "$1" "${PITH_DIFF_SETS:-1500}"
