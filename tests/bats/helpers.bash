# SPDX-License-Identifier: Apache-2.0
# Shared setup for the bats suites.  tests/run-bats runs every suite in
# several legs, named in $BERTH_TEST_LEG:
#   root             as root
#   rootless         as an unprivileged user with no /etc/subuid range
#   rootless-subuid  as an unprivileged user with /etc/subuid and /etc/subgid ranges
# $BERTH is the binary under test, $BERTH_BUILD its build directory.

bats_load_library bats-support 2>/dev/null || load /usr/lib/bats/bats-support/load
bats_load_library bats-assert 2>/dev/null || load /usr/lib/bats/bats-assert/load

: "${BERTH:?BERTH must point at the berth binary (run the suites through make check)}"
: "${BERTH_TEST_LEG:=$([ "$(id -u)" = 0 ] && echo root || echo rootless)}"
export BERTH_TEST_LEG

# A private temporary directory per test, removed by bats afterwards.
setup_tmp() {
    TMP=$(mktemp -d "${BATS_TEST_TMPDIR:-/tmp}/berth.XXXXXX")
    export TMP
    # A state root that cannot collide with a real berth on the machine.
    ROOT="$TMP/state"
    export ROOT
}

# berth with a private --root; use as: run berth_cmd spec ...
berth_cmd() {
    "$BERTH" --root "$ROOT" "$@"
}

is_root() { [ "$(id -u)" = 0 ]; }

requires_root() {
    is_root || skip "requires root (leg $BERTH_TEST_LEG)"
}

requires_rootless() {
    is_root && skip "requires an unprivileged user (leg $BERTH_TEST_LEG)"
    return 0
}

# Edit $1/config.json in place with a jq filter.
update_config() {
    local bundle=$1
    shift
    jq "$@" "$bundle/config.json" >"$bundle/config.json.new" && mv "$bundle/config.json.new" "$bundle/config.json"
}

# A bundle directory with a config.json from `berth spec` (rootless variant
# when not root) and an empty rootfs/ directory.
make_spec_bundle() {
    local dir=$1
    mkdir -p "$dir/rootfs"
    if is_root; then
        "$BERTH" spec --bundle "$dir"
    else
        "$BERTH" spec --rootless --bundle "$dir"
    fi
}

# A runnable bundle in $1: a busybox-static rootfs (bin/busybox plus the
# applet links the tests use) and a config from `berth spec` (rootless
# variant when not root) with terminal off and ARGS as process.args
# (default: sh -c true).
make_busybox_bundle() {
    local dir=$1
    shift
    local bb
    bb=$(command -v busybox) || skip "busybox is not installed (apt-get install busybox-static)"
    mkdir -p "$dir/rootfs/bin" "$dir/rootfs/etc" "$dir/rootfs/tmp"
    cp "$bb" "$dir/rootfs/bin/busybox"
    local applet
    for applet in sh ash cat echo ls id mount sleep true false hostname ps grep sed head \
        tail wc mkdir touch rm readlink stat env kill printf test tr cut uname find; do
        ln -sf busybox "$dir/rootfs/bin/$applet"
    done
    echo "root:x:0:0:root:/root:/bin/sh" >"$dir/rootfs/etc/passwd"
    echo "root:x:0:" >"$dir/rootfs/etc/group"
    make_spec_bundle "$dir" >/dev/null
    local args='["sh","-c","true"]'
    if [ $# -gt 0 ]; then
        args=$(jq -cn '$ARGS.positional' --args -- "$@")
    fi
    update_config "$dir" --argjson a "$args" '.process.terminal = false | .process.args = $a'
}

# Run a container in the foreground, detached from the test's terminal.
# Usage: run berth_run ID BUNDLE   (sets $status and $output like bats' run)
berth_run() {
    local id=$1 bundle=$2
    (cd "$bundle" && timeout 60 setsid -w "$BERTH" --root "$ROOT" run "$id" </dev/null)
}

# berth create ID in BUNDLE (with create OPTIONS), detached from the test's
# terminal.  berth's and the container's stdout and stderr are appended to
# $TMP/ID.out; prints what was written during the create and returns its
# status.  Usage: run berth_create ID BUNDLE [OPTIONS...]
berth_create() {
    local id=$1 bundle=$2 out size=0 rc=0
    shift 2
    out="$TMP/$id.out"
    # An id that is no file name (the invalid-id tests) gets a common file.
    case $id in
    */* | "" | . | ..) out="$TMP/invalid-id.out" ;;
    esac
    [ ${#id} -gt 200 ] && out="$TMP/invalid-id.out"
    [ -f "$out" ] && size=$(stat -c %s "$out")
    (cd "$bundle" && timeout 20 setsid -w "$BERTH" --root "$ROOT" create "$@" "$id" \
        </dev/null >>"$out" 2>&1) || rc=$?
    tail -c +$((size + 1)) "$out"
    return $rc
}

# The value of jq FILTER (default .status) in `berth state ID`.
state_of() {
    timeout 10 "$BERTH" --root "$ROOT" state "$1" | jq -r "${2:-.status}"
}

# Wait (up to 5 s) until container ID has STATUS.
wait_for_status() {
    local id=$1 want=$2 i got=
    for i in $(seq 100); do
        got=$(timeout 10 "$BERTH" --root "$ROOT" state "$id" 2>/dev/null | jq -r .status)
        [ "$got" = "$want" ] && return 0
        sleep 0.05
    done
    echo "container '$id' is '$got', not '$want', after 5 s" >&2
    return 1
}

# Wait (up to 5 s) until FILE contains the line TEXT.
wait_for_line() {
    local file=$1 text=$2 i
    for i in $(seq 100); do
        grep -qxF -- "$text" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "no line '$text' in '$file' after 5 s:" >&2
    cat "$file" >&2 2>/dev/null
    return 1
}

# What the containers left in the state root $ROOT, one entry a line: its
# entries but berth's cache of compiled seccomp filters (seccomp@cache),
# which serves the next containers.
state_root_leftovers() {
    ls -A "$ROOT" 2>/dev/null | grep -vx 'seccomp@cache' || true
}

# Delete every container left in $ROOT (for teardown).
berth_cleanup() {
    local id
    [ -n "${ROOT:-}" ] && [ -d "$ROOT" ] || return 0
    for id in $(timeout 10 "$BERTH" --root "$ROOT" list -q 2>/dev/null); do
        timeout 10 "$BERTH" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
    done
}

# The host's mounts as "mount-point fs-type source options" lines (ids and
# peer groups dropped), to compare before and after a test.
mount_snapshot() {
    awk '{ for (i = 7; $i != "-"; i++) ; print $5, $(i + 1), $(i + 2), $6 }' /proc/self/mountinfo | sort
}


# Set process.args of BUNDLE to ARGS.
set_args() {
    local dir=$1 args
    shift
    args=$(jq -cn '$ARGS.positional' --args -- "$@")
    update_config "$dir" --argjson a "$args" '.process.args = $a'
}

# berth_cmd with a time limit (30 s, then exit status 124), for commands that
# can wait on a container: start, delete, and any that takes its lock.
berth_cmd_t() {
    timeout 30 "$BERTH" --root "$ROOT" "$@"
}
