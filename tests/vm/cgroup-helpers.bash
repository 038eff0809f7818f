# SPDX-License-Identifier: Apache-2.0
# Shared by tests/vm/cgroup*.bats: they run in the tests/vm guest, whose only
# cgroup hierarchy is cgroup2 at /sys/fs/cgroup with every controller, in the
# legs of tests/vm/init (root; rootless, in a delegated subtree; and
# rootless-nodeleg, without delegation).

load ../bats/helpers

CG=/sys/fs/cgroup

cg_setup() {
    [ -n "${BERTH_VM_LEG:-}" ] || skip "runs in the VM only (tests/vm/run)"
    setup_tmp
    B="$TMP/bundle"
}

cg_teardown() {
    berth_cleanup
}

# The legs where berth makes the container a cgroup: root, and rootless in
# its delegated subtree.
requires_cgroup() {
    [ "$BERTH_VM_LEG" != rootless-nodeleg ] || skip "no delegated cgroup (leg $BERTH_VM_LEG)"
}

# The container's cgroup directory, from berth's state.
cgroup_of() {
    jq -r '.berth.cgroupPath // empty' "$ROOT/$1/state.json"
}

# Where berth puts the cgroup of container $1 without cgroupsPath: berth/ID
# beside the leg's own cgroup (runc's placement).
default_cgroup() {
    local own parent
    own=$(sed -n 's/^0:://p' /proc/self/cgroup)
    parent=$(dirname "$own")
    [ "$parent" = / ] && parent=
    echo "$CG$parent/berth/$1"
}

# The value of KEY in the flat-keyed cgroup file FILE ("oom_kill 1").
cg_key() {
    awk -v k="$2" '$1 == k { print $2 }' "$1"
}

# Wait (up to 20 s: the guest is emulated) until FILE has a line matching
# the extended regular expression RE.
wait_for_match() {
    local file=$1 re=$2 i
    for i in $(seq 200); do
        grep -qE -- "$re" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "no line matching '$re' in '$file' after 20 s:" >&2
    cat "$file" >&2 2>/dev/null
    return 1
}
