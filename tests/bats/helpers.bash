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
