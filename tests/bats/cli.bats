#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The berth command line itself: usage, help, version, unknown commands and
# options, exit statuses (berth(8): 0 ok, 1 failure, 2 usage), and the
# --log / --log-format contract that engines (containerd's shim, conmon) parse.

load helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

setup() {
    setup_tmp
}

@test "berth with no arguments prints the usage on stderr and exits 2" {
    run --separate-stderr "$BERTH"
    assert_failure 2
    assert_output ""
    [[ "$stderr" == *"Usage: berth [GLOBAL OPTIONS] COMMAND"* ]]
    [[ "$stderr" == *"spec"* && "$stderr" == *"check"* && "$stderr" == *"features"* ]]
}

@test "berth --help prints the usage on stdout and exits 0" {
    run --separate-stderr "$BERTH" --help
    assert_success
    assert_equal "$stderr" ""
    assert_line --partial "Usage: berth [GLOBAL OPTIONS] COMMAND"
    assert_line --regexp '^  spec +'
    assert_line --regexp '^  check +'
    assert_line --regexp '^  features +'
    assert_line --partial "--log-format FORMAT"
}

@test "berth -h and berth help are the same as --help" {
    run "$BERTH" --help
    assert_success
    local want=$output
    run "$BERTH" -h
    assert_success
    assert_equal "$output" "$want"
    run "$BERTH" help
    assert_success
    assert_equal "$output" "$want"
}

@test "berth --version prints the version, the runtime-spec version and libseccomp's" {
    run "$BERTH" --version
    assert_success
    assert_line --regexp '^berth version [0-9]+\.[0-9]+\.[0-9]+$'
    assert_line --regexp '^commit: [0-9a-f]+|^commit: unknown$'
    assert_line "spec: 1.3.0"
    assert_line --regexp '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$'
    run "$BERTH" -v
    assert_success
    assert_line "spec: 1.3.0"
}

@test "an unknown command is a usage error that names it" {
    run --separate-stderr "$BERTH" frobnicate
    assert_failure 2
    assert_output ""
    [[ "$stderr" == *"berth: unknown command 'frobnicate'"* ]]
    [[ "$stderr" == *"Try 'berth --help'."* ]]
}

@test "an unknown global option is a usage error that names it" {
    run --separate-stderr "$BERTH" --frobnicate spec
    assert_failure 2
    [[ "$stderr" == *"'--frobnicate'"* ]]
}

@test "a global option without its value is a usage error that names it" {
    run --separate-stderr "$BERTH" --root
    assert_failure 2
    [[ "$stderr" == *"'--root'"* ]]
    [[ "$stderr" == *"needs a value"* ]]
}

@test "global options come before the command; a command stops their parsing" {
    # After the command name, --help belongs to the command, not to berth.
    run "$BERTH" spec --help
    assert_success
    refute_output --partial "Global options:"
    assert_output --partial "--bundle"
}

@test "--log-format xml is rejected, naming the format and the accepted ones" {
    run --separate-stderr "$BERTH" --log-format xml spec --bundle "$TMP"
    assert_failure 2
    [[ "$stderr" == *"--log-format: unknown format 'xml' (accepted: text, json)"* ]]
    # Nothing was done.
    [ ! -e "$TMP/config.json" ]
}

@test "--log with --log-format json writes the error as one JSON line with level, msg and time" {
    local log="$TMP/berth.log"
    run --separate-stderr "$BERTH" --log "$log" --log-format json spec --bundle "$TMP/nonexistent"
    assert_failure 1
    [[ "$stderr" == *"berth: spec: bundle '$TMP/nonexistent'"* ]]
    [ -s "$log" ]
    [ "$(wc -l <"$log")" -eq 1 ]
    run jq -r '.level' "$log"
    assert_output "error"
    run jq -r '.msg' "$log"
    assert_output --partial "spec: bundle '$TMP/nonexistent'"
    assert_output --partial "No such file or directory"
    # RFC 3339 in UTC, as the shims parse it.
    run jq -r '.time' "$log"
    assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'
    run jq -r 'keys | join(",")' "$log"
    assert_output "level,msg,time"
}

@test "--log appends: a second failure adds a second line" {
    local log="$TMP/berth.log"
    run "$BERTH" --log "$log" --log-format json spec --bundle "$TMP/nonexistent"
    assert_failure 1
    run "$BERTH" --log "$log" --log-format json spec --bundle "$TMP/nonexistent2"
    assert_failure 1
    [ "$(wc -l <"$log")" -eq 2 ]
    run jq -s -r '.[1].msg' "$log"
    assert_output --partial "nonexistent2"
}

@test "--log-format json escapes quotes and control characters in the message" {
    local log="$TMP/berth.log" dir="$TMP/a \"quoted\" dir"
    run "$BERTH" --log "$log" --log-format json spec --bundle "$dir"
    assert_failure 1
    run jq -r '.msg' "$log"
    assert_output --partial "bundle '$dir'"
}

@test "--log without --log-format writes a text line" {
    local log="$TMP/berth.log"
    run "$BERTH" --log "$log" spec --bundle "$TMP/nonexistent"
    assert_failure 1
    run cat "$log"
    assert_output --regexp '^time="[0-9T:.-]+Z" level=error msg="spec: bundle '\'"$TMP"'/nonexistent'\'
}

@test "--log to a file that cannot be opened does not change the result" {
    run --separate-stderr "$BERTH" --log "$TMP/no/such/dir/berth.log" --log-format json \
        spec --bundle "$TMP/nonexistent"
    assert_failure 1
    [[ "$stderr" == *"berth: spec: bundle '$TMP/nonexistent'"* ]]
    [ ! -e "$TMP/no" ]
    mkdir -p "$TMP/b"
    run "$BERTH" --log "$TMP/no/such/dir/berth.log" --log-format json spec --bundle "$TMP/b"
    assert_success
    [ -s "$TMP/b/config.json" ]
}

@test "a successful command writes nothing to --log" {
    mkdir -p "$TMP/b"
    run "$BERTH" --log "$TMP/berth.log" --log-format json spec --bundle "$TMP/b"
    assert_success
    [ ! -s "$TMP/berth.log" ]
}

@test "--root, --debug, --systemd-cgroup and --rootless are accepted before a command" {
    mkdir -p "$TMP/b"
    run "$BERTH" --root "$ROOT" --debug --systemd-cgroup --rootless auto spec --bundle "$TMP/b"
    assert_success
    [ -s "$TMP/b/config.json" ]
}

@test "the man page berth(8) documents every global option of --help" {
    local man="${BERTH_SRC:-$BATS_TEST_DIRNAME/../..}/man/berth.8"
    [ -r "$man" ] || skip "man/berth.8 is not readable here"
    run "$BERTH" --help
    assert_success
    local opt
    local opts
    opts=$(printf '%s\n' "$output" | sed -n '/^Global options:/,$p' | grep -oE -- '--[a-z][a-z-]+' | sort -u)
    [ -n "$opts" ] || fail "no 'Global options:' section in berth --help"
    for opt in $opts; do
        # roff writes '-' as '\-'.
        grep -qF -- "${opt//-/\\-}" "$man" || fail "berth(8) does not document $opt"
    done
}
