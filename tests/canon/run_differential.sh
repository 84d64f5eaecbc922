#!/bin/sh
# Runs the CPython differential test of canon() (tests/canon/differential_test.py) with the
# system's CPython; exits 77, which ctest reports as skipped, when /usr/bin/python3 is absent.
#   run_differential.sh PITH_MERGE [--seed N] [--count N]
if [ ! -x /usr/bin/python3 ]; then
  echo "SKIP: /usr/bin/python3 not found; the canon differential test needs CPython"
  exit 77
fi
exec /usr/bin/python3 "$(dirname "$0")/differential_test.py" "$@"
