#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# vm-legs: root
# The memory floor (issue 6, "Bars"): the smallest memory.max under which
# `run` of /bin/true still succeeds, for berth and, in the same guest, for
# crun (which claims 512 KiB; runc needs 4 MiB).  Found by bisection to
# 16 KiB; both numbers are printed (TAP comments) and berth's must not be
# above crun's by more than 25%.

load cgroup-helpers

setup() {
    cg_setup
    requires_root
}

teardown() {
    cg_teardown
}

# runs_under LIMIT NAME COMMAND...: 0 when COMMAND ID (a runtime's run)
# runs the bundle $B with memory.max LIMIT (bytes).
runs_under() {
    local limit=$1 name=$2 id rc
    shift 2
    id="floor-$limit"
    update_config "$B" --argjson l "$limit" --arg p "/floor/$name-$limit" \
        '.linux.cgroupsPath = $p | .linux.resources.memory = {"limit": $l, "swap": $l}'
    (cd "$B" && timeout 60 "$@" "$id" </dev/null >/dev/null 2>&1)
    rc=$?
    # A create that died half-way may leave its cgroup behind.
    rmdir "$CG/floor/$name-$limit" 2>/dev/null
    return $rc
}

# floor NAME COMMAND...: the smallest limit (bytes, to 16 KiB) under which
# COMMAND runs the bundle.
floor() {
    local lo=$((64 * 1024)) hi=$((16 * 1024 * 1024)) mid
    runs_under "$hi" "$@" || {
        echo "never: not even under $hi bytes"
        return 1
    }
    while [ $((hi - lo)) -gt $((16 * 1024)) ]; do
        mid=$(((lo + hi) / 2 / 4096 * 4096))
        if runs_under "$mid" "$@"; then
            hi=$mid
        else
            lo=$mid
        fi
    done
    echo "$hi"
}

@test "vm cgroup: the memory floor of berth run /bin/true, against crun" {
    make_busybox_bundle "$B" true
    # The version Debian's crun (1.8) knows; berth takes any 1.x.
    update_config "$B" '.ociVersion = "1.0.2"'
    local berth_floor crun_floor
    berth_floor=$(floor berth "$BERTH" --root "$ROOT" run)
    echo "# berth runs /bin/true under memory.max of $berth_floor bytes ($((berth_floor / 1024)) KiB)" >&3
    [[ "$berth_floor" =~ ^[0-9]+$ ]]
    if ! command -v crun >/dev/null; then
        skip "no crun in the guest to compare with"
    fi
    crun_floor=$(floor crun crun --root "$TMP/crun" --cgroup-manager=cgroupfs run)
    echo "# crun runs /bin/true under memory.max of $crun_floor bytes ($((crun_floor / 1024)) KiB)" >&3
    [[ "$crun_floor" =~ ^[0-9]+$ ]]
    [ "$berth_floor" -le $((crun_floor * 5 / 4)) ]
    rmdir "$CG/floor" 2>/dev/null || true
}
