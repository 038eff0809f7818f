#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `berth --version` (runc's four lines) and how the global command line
# treats what it does not know.

load helpers

setup() {
    setup_tmp
    SRC=${BERTH_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
}

@test "--version prints four lines on stdout and nothing on stderr" {
    "$BERTH" --version >"$TMP/out" 2>"$TMP/err"
    [ ! -s "$TMP/err" ]
    run cat "$TMP/out"
    [ "${#lines[@]}" -eq 4 ]
    assert_line --index 0 --regexp '^berth version [0-9]+\.[0-9]+\.[0-9]+$'
    assert_line --index 1 --regexp '^commit: [^[:space:]]+$'
    assert_line --index 2 'spec: 1.3.0'
    assert_line --index 3 --regexp '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "-v prints the same as --version" {
    run "$BERTH" --version
    assert_success
    local long=$output
    run "$BERTH" -v
    assert_success
    assert_output "$long"
}

@test "--version wins over a command after it" {
    run "$BERTH" --version features
    assert_success
    assert_line --index 0 --partial "berth version "
}

@test "the version is the Makefile's VERSION" {
    [ -f "$SRC/Makefile" ] || skip "no Makefile in '$SRC'"
    local want
    want=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$SRC/Makefile")
    [ -n "$want" ]
    run "$BERTH" --version
    assert_line --index 0 "berth version $want"
}

@test "the spec version is the one features reports as ociVersionMax" {
    run "$BERTH" --version
    local spec
    spec=$(sed -n 's/^spec: //p' <<<"$output")
    run jq -r .ociVersionMax < <("$BERTH" features)
    assert_output "$spec"
}

@test "the libseccomp version is the installed libseccomp2's" {
    command -v dpkg-query >/dev/null || skip "dpkg-query is not available"
    local want
    want=$(dpkg-query -W -f='${Version}' libseccomp2 | sed -E 's/^([0-9]+:)?([0-9]+\.[0-9]+).*/\2/')
    [ -n "$want" ]
    run "$BERTH" --version
    assert_line --index 3 --regexp "^libseccomp: ${want//./\\.}\.[0-9]+$"
}

@test "an unknown global option fails with a usage error" {
    run "$BERTH" --bogus features
    assert_failure 2
    assert_output --partial "berth: unknown option '--bogus'"
    assert_output --partial "Try 'berth --help'."
    run "$BERTH" -Z features
    assert_failure 2
    assert_output --partial "berth: option '-Z' is unknown or needs a value"
}

@test "a global option missing its value fails and names the option" {
    run "$BERTH" --root
    assert_failure 2
    assert_output --partial "--root"
    assert_output --partial "Try 'berth --help'."
    # Nothing but printable text: the option must not be printed as a raw
    # getopt value.
    run bash -c '"$BERTH" --log-format 2>&1 | LC_ALL=C grep -c "[^[:print:][:space:]]"'
    assert_output 0
}

@test "an unknown command fails and names it" {
    run "$BERTH" frobnicate
    assert_failure 2
    assert_output --partial "berth: unknown command 'frobnicate'"
    assert_output --partial "Try 'berth --help'."
}

@test "no command prints the usage on stderr and fails" {
    local rc=0
    "$BERTH" >"$TMP/out" 2>"$TMP/err" || rc=$?
    [ "$rc" -eq 2 ]
    [ ! -s "$TMP/out" ]
    grep -q '^Usage: berth ' "$TMP/err"
}
