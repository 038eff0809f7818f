#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Time config.json loading: build build/libberth.a and tests/bench/parse-bench
# against it, then run it.  Arguments go to parse-bench:
#   tests/bench/parse.sh                  generated ~100 KB config, 1000 runs
#   tests/bench/parse.sh -n 5000          more runs
#   tests/bench/parse.sh path/config.json time a config of your own
#   tests/bench/parse.sh -w /tmp/c.json   also keep the generated config
# BUILD (default build) and CC (default cc) are honoured.
set -eu

cd "$(dirname "$0")/../.."
build=${BUILD:-build}
cc=${CC:-cc}
libs=$(pkg-config --libs yajl libseccomp libcap 2>/dev/null || echo -lyajl -lseccomp -lcap)

make --no-print-directory BUILD="$build" "$build/libberth.a" >&2
mkdir -p "$build/tests/bench"
# shellcheck disable=SC2086 # $libs is a list of flags
$cc -std=gnu11 -O2 -g -I. -D_GNU_SOURCE -Wall -Wextra -Werror \
    -o "$build/tests/bench/parse-bench" tests/bench/parse-bench.c "$build/libberth.a" $libs
exec "$build/tests/bench/parse-bench" "$@"
