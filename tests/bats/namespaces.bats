#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# linux.namespaces (config-linux.md "Namespaces", "User namespace mappings",
# "Offset for Time Namespace"): new ones, joined ones by path, id maps
# through newuidmap, and the errors of each.

load helpers
bats_require_minimum_version 1.5.0

setup() {
    setup_tmp
    B="$TMP/bundle"
    HOLDER=
}

teardown() {
    berth_cleanup
    # The namespace holder a test started, by its pid only.
    if [ -n "$HOLDER" ] && [ "$HOLDER" -gt 0 ]; then
        kill -KILL "$HOLDER" 2>/dev/null || true
        wait "$HOLDER" 2>/dev/null || true
    fi
    if [ -n "${USERNS_BUNDLE:-}" ]; then
        rm -rf "$USERNS_BUNDLE"
    fi
}

# The index of the linux.namespaces entry of type $1 (adding it if missing).
ns_index() {
    local t=$1
    update_config "$B" --arg t "$t" '.linux.namespaces |= (if any(.type == $t) then . else . + [{type: $t}] end)'
    jq --arg t "$t" '.linux.namespaces | map(.type) | index($t)' "$B/config.json"
}

# Start `sleep` in new namespaces (unshare ARGS) as a holder; HOLDER is its pid.
start_holder() {
    # unshare without --fork execs sleep: $! is the sleep, in the namespaces.
    unshare "$@" sleep 100 </dev/null >/dev/null 2>&1 3>&- &
    HOLDER=$!
    local i
    for i in $(seq 50); do
        [ "$(readlink "/proc/$HOLDER/exe" 2>/dev/null)" = "$(readlink -f "$(command -v sleep)")" ] && return 0
        sleep 0.05
    done
    echo "the namespace holder (unshare $*) did not start" >&2
    return 1
}

@test "a new pid namespace: the process is pid 1 and sees only its own" {
    make_busybox_bundle "$B" sh -c 'echo $$; ps -o pid,comm; true'
    run berth_run pid1 "$B"
    assert_success
    assert_line --index 0 1
    assert_line --index 1 --regexp '^ *PID +COMMAND$'
    assert_line --index 2 --regexp '^ +1 sh$'
    assert_line --index 3 --regexp '^ +[0-9]+ ps$'
    # sh, and ps itself: nothing of the host.
    assert_equal "${#lines[@]}" 4
}

@test "each new namespace differs from the host's" {
    make_busybox_bundle "$B" sh -c 'for t in "$@"; do echo "$t $(readlink /proc/self/ns/$t)"; done' sh
    local types=() t
    for t in $(jq -r '.linux.namespaces[].type' "$B/config.json"); do
        case $t in
        network) types+=(net) ;;
        mount) types+=(mnt) ;;
        *) types+=("$t") ;;
        esac
    done
    set_args "$B" sh -c 'for t in "$@"; do echo "$t $(readlink /proc/self/ns/$t)"; done' sh "${types[@]}"
    run berth_run nsd "$B"
    assert_success
    [ "${#lines[@]}" -ge 5 ]
    for t in "${types[@]}"; do
        assert_line --regexp "^$t $t:\[[0-9]+\]$"
        refute_line "$t $(readlink "/proc/$$/ns/$t")"
    done
}

@test "joining a network namespace by path (requires root)" {
    requires_root
    start_holder --net
    make_busybox_bundle "$B" readlink /proc/self/ns/net
    local i
    i=$(ns_index network)
    update_config "$B" --argjson i "$i" --arg p "/proc/$HOLDER/ns/net" '.linux.namespaces[$i].path = $p'
    run berth_run jn "$B"
    assert_success
    assert_output "$(readlink "/proc/$HOLDER/ns/net")"
    refute_output "$(readlink /proc/$$/ns/net)"
}

@test "joining a user and a network namespace by path (rootless)" {
    is_root && skip "the rootless way to join; see the root test above"
    start_holder --user --map-root-user --net
    make_busybox_bundle "$B" sh -c 'readlink /proc/self/ns/user; readlink /proc/self/ns/net; cat /proc/self/uid_map'
    local iu in
    iu=$(ns_index user)
    in=$(ns_index network)
    update_config "$B" --argjson iu "$iu" --argjson in "$in" --arg pu "/proc/$HOLDER/ns/user" \
        --arg pn "/proc/$HOLDER/ns/net" \
        '.linux.namespaces[$iu].path = $pu | .linux.namespaces[$in].path = $pn
         | del(.linux.uidMappings) | del(.linux.gidMappings)'
    run berth_run ju "$B"
    assert_success
    assert_line --index 0 "$(readlink "/proc/$HOLDER/ns/user")"
    assert_line --index 1 "$(readlink "/proc/$HOLDER/ns/net")"
    assert_line --index 2 --regexp "^ +0 +$(id -u) +1$"
}

@test "a namespace path of the wrong type fails and names linux.namespaces[i].path" {
    make_busybox_bundle "$B" true
    local i
    i=$(ns_index uts)
    update_config "$B" --argjson i "$i" --arg p "/proc/$$/ns/ipc" '.linux.namespaces[$i].path = $p'
    run berth_run wt "$B"
    assert_failure
    assert_output --partial "linux.namespaces[$i].path '/proc/$$/ns/ipc' is not a uts namespace"
    run berth_cmd_t list -q
    assert_output ""
    [ ! -e "$ROOT/wt" ]
}

@test "a namespace path that is no namespace at all, or missing, fails and names it" {
    make_busybox_bundle "$B" true
    local i
    i=$(ns_index uts)
    update_config "$B" --argjson i "$i" --arg p "$B/config.json" '.linux.namespaces[$i].path = $p'
    run berth_run nn "$B"
    assert_failure
    assert_output --partial "linux.namespaces[$i].path '$B/config.json'"
    update_config "$B" --argjson i "$i" --arg p "$TMP/nosuch" '.linux.namespaces[$i].path = $p'
    run berth_run nn2 "$B"
    assert_failure
    assert_output --partial "linux.namespaces[$i].path '$TMP/nosuch'"
    assert_output --partial "No such file or directory"
    run berth_cmd_t list -q
    assert_output ""
}

@test "a user namespace with a subordinate id range, mapped by newuidmap" {
    make_busybox_bundle "$B" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
    local uid gid sub
    if is_root; then
        # Root writes any map itself.  The container's root (host uid
        # 100000) must be able to reach the bundle: not under the test's
        # private (0700) temporary directory.
        B=$(mktemp -d /tmp/berth-userns.XXXXXX)
        USERNS_BUNDLE=$B
        chmod 755 "$B"
        make_busybox_bundle "$B" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u'
        # The image belongs to the container's root, as an engine would unpack it.
        chown -R 100000:100000 "$B/rootfs"
        update_config "$B" '.linux.namespaces |= (if any(.type == "user") then . else . + [{type: "user"}] end)
            | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
            | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
        run berth_run um "$B"
        assert_success
        assert_line --index 0 --regexp '^ +0 +100000 +65536$'
        assert_line --index 1 --regexp '^ +0 +100000 +65536$'
        assert_line --index 2 0
        return
    fi
    [ "$BERTH_TEST_LEG" = rootless-subuid ] || skip "needs /etc/subuid ranges (leg $BERTH_TEST_LEG)"
    command -v newuidmap >/dev/null || skip "newuidmap is not installed"
    uid=$(id -u)
    gid=$(id -g)
    sub=$(grep -E "^($(id -un)|$uid):" /etc/subuid | head -1 | cut -d: -f2)
    update_config "$B" --argjson u "$uid" --argjson g "$gid" --argjson s "$sub" '
        .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: $s, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}, {containerID: 1, hostID: $s, size: 65536}]'
    run berth_run um "$B"
    assert_success
    assert_line --index 0 --regexp "^ +0 +$uid +1$"
    assert_line --index 1 --regexp "^ +1 +$sub +65536$"
    assert_line --index 2 --regexp "^ +0 +$gid +1$"
    assert_line --index 3 --regexp "^ +1 +$sub +65536$"
    assert_line --index 4 0
}

@test "the rootless single-id map: container root is the caller" {
    is_root && skip "rootless legs only"
    make_busybox_bundle "$B" sh -c 'cat /proc/self/uid_map /proc/self/gid_map; cat /proc/self/setgroups'
    run berth_run sm "$B"
    assert_success
    assert_line --index 0 --regexp "^ +0 +$(id -u) +1$"
    assert_line --index 1 --regexp "^ +0 +$(id -g) +1$"
    # An unprivileged gid_map needs setgroups denied (user_namespaces(7)).
    assert_line --index 2 deny
}

@test "a map outside the caller's ranges fails and names linux.uidMappings" {
    is_root && skip "root may map any range"
    make_busybox_bundle "$B" true
    update_config "$B" --argjson u "$(id -u)" '
        .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: 4000000, size: 10}]'
    run berth_run bm "$B"
    assert_failure
    assert_output --partial "linux.uidMappings"
    run berth_cmd_t list -q
    assert_output ""
    [ ! -e "$ROOT/bm" ]
}

@test "rootless without a user namespace is refused with the way out" {
    is_root && skip "root needs no user namespace"
    make_busybox_bundle "$B" true
    update_config "$B" '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)'
    run berth_run nu "$B"
    assert_failure
    assert_output --partial "linux.namespaces"
    assert_output --partial "user namespace"
    assert_output --partial "berth spec --rootless"
    [ ! -e "$ROOT/nu" ]
}

@test "a time namespace with linux.timeOffsets" {
    [ -e /proc/self/ns/time ] || skip "no time namespaces in this kernel"
    make_busybox_bundle "$B" sh -c 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
    local year=$((365 * 24 * 3600))
    update_config "$B" --argjson y "$year" '.linux.namespaces += [{type: "time"}]
        | .linux.timeOffsets = {monotonic: {secs: $y, nanosecs: 0}, boottime: {secs: $y, nanosecs: 500}}'
    # The host's uptime first: the container's is read later, so it can
    # only be larger (by the seconds between the two reads).
    local up
    up=$(cut -d. -f1 /proc/uptime)
    run berth_run tn "$B"
    assert_success
    assert_line --regexp "^monotonic +$year +0$"
    assert_line --regexp "^boottime +$year +500$"
    # /proc/uptime runs on the boot time clock, moved by a year.
    [ "${lines[2]}" -ge $((up + year)) ]
    [ "${lines[2]}" -le $((up + year + 60)) ]
}

@test "timeOffsets without a time namespace is a config error" {
    make_busybox_bundle "$B" true
    update_config "$B" '.linux.timeOffsets = {monotonic: {secs: 10, nanosecs: 0}}'
    run berth_run to "$B"
    assert_failure
    assert_output --partial "linux.timeOffsets"
    assert_output --partial "needs a time namespace"
}
