#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# cgroups v2 on the host (DESIGN.md "Cgroups"): the container's cgroup, its
# place, what a missing controller does, pause and resume, kill --all, ps,
# events, update, devices, and rootless without delegation.  The build
# machines are hybrid (cgroup2 at /sys/fs/cgroup/unified with hugetlb
# only), so each test asks the hierarchy what it has and skips what it
# cannot show; tests/vm/cgroup*.bats runs the real limits in a cgroup v2
# guest.

load helpers

setup() {
    setup_tmp
    B="$TMP/bundle"
    CG_MNT=
    if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
        CG_MNT=/sys/fs/cgroup
    elif [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
        CG_MNT=/sys/fs/cgroup/unified
    fi
    # A parent of our own for the containers' cgroups that name a path, so
    # that concurrent runs (and other runtimes) never share one.
    CG_TOP="berth-bats-$$-${BATS_TEST_NUMBER:-0}"
}

teardown() {
    berth_cleanup
    if [ -n "$CG_MNT" ] && [ -d "$CG_MNT/$CG_TOP" ]; then
        find "$CG_MNT/$CG_TOP" -depth -type d -exec rmdir {} + 2>/dev/null || true
    fi
}

requires_cgroup2() {
    [ -n "$CG_MNT" ] || skip "no cgroup2 hierarchy on this host"
}

has_controller() {
    grep -qw "$1" "$CG_MNT/cgroup.controllers"
}

# The container's cgroup directory, from berth's state.
cgroup_of() {
    jq -r '.berth.cgroupPath // empty' "$ROOT/$1/state.json"
}

# The hugepage size the tests use (limits are multiples of it), or skip.
hugepage_size() {
    has_controller hugetlb || skip "no hugetlb controller in $CG_MNT"
    [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2 MB huge pages"
    echo 2MB
}

# cpu.stat usage_usec of cgroup $1.
cpu_usec() {
    awk '$1 == "usage_usec" { print $2 }' "$1/cpu.stat"
}

@test "cgroup: a container without limits gets its cgroup, and delete removes it" {
    requires_root
    requires_cgroup2
    make_busybox_bundle "$B" sh -c 'cat /proc/self/cgroup; sleep 100'
    update_config "$B" --arg p "/$CG_TOP/plain" '.linux.cgroupsPath = $p | del(.linux.resources)'
    run berth_create c1 "$B"
    assert_success
    assert_equal "$(cgroup_of c1)" "$CG_MNT/$CG_TOP/plain"
    local pid
    pid=$(state_of c1 .pid)
    grep -qx "$pid" "$CG_MNT/$CG_TOP/plain/cgroup.procs"
    # Born there (CLONE_INTO_CGROUP): its own cgroup namespace is rooted at it.
    run berth_cmd_t start c1
    assert_success
    wait_for_line "$TMP/c1.out" "0::/"
    run berth_cmd_t delete --force c1
    assert_success
    [ ! -e "$CG_MNT/$CG_TOP/plain" ]
    [ -z "$(state_root_leftovers)" ]
}

@test "cgroup: without CLONE_INTO_CGROUP (Linux < 5.7), init still starts in its cgroup" {
    requires_root
    requires_cgroup2
    make_busybox_bundle "$B" sh -c 'cat /proc/self/cgroup; sleep 100'
    update_config "$B" --arg p "/$CG_TOP/fallback" '.linux.cgroupsPath = $p'
    export BERTH_NO_CLONE_INTO_CGROUP=1
    run berth_create fb "$B"
    unset BERTH_NO_CLONE_INTO_CGROUP
    assert_success
    # init is there, alone (berth went back to its own cgroup)...
    run cat "$CG_MNT/$CG_TOP/fallback/cgroup.procs"
    assert_output "$(state_of fb .pid)"
    # ... and its cgroup namespace is rooted there.
    run berth_cmd_t start fb
    assert_success
    wait_for_line "$TMP/fb.out" "0::/"
    run berth_cmd_t delete --force fb
    assert_success
    [ ! -e "$CG_MNT/$CG_TOP/fallback" ]
}

@test "cgroup: without cgroupsPath the cgroup is berth/ID beside our own cgroup" {
    requires_root
    requires_cgroup2
    local own parent id="bats-$$-default"
    own=$(sed -n 's/^0:://p' /proc/self/cgroup)
    parent=$(dirname "$own")
    [ "$parent" = / ] && parent=
    make_busybox_bundle "$B" sleep 100
    update_config "$B" 'del(.linux.cgroupsPath)'
    run berth_create "$id" "$B"
    assert_success
    assert_equal "$(cgroup_of "$id")" "$CG_MNT$parent/berth/$id"
    [ -d "$CG_MNT$parent/berth/$id" ]
    run berth_cmd_t delete --force "$id"
    assert_success
    [ ! -e "$CG_MNT$parent/berth/$id" ]
}

@test "cgroup: a relative cgroupsPath is placed beside our own cgroup, as runc does" {
    requires_root
    requires_cgroup2
    local own parent
    own=$(sed -n 's/^0:://p' /proc/self/cgroup)
    parent=$(dirname "$own")
    [ "$parent" = / ] && parent=
    make_busybox_bundle "$B" true
    update_config "$B" --arg p "$CG_TOP/rel" '.linux.cgroupsPath = $p'
    run berth_create r1 "$B"
    assert_success
    assert_equal "$(cgroup_of r1)" "$CG_MNT$parent/$CG_TOP/rel"
    berth_cmd_t delete --force r1
    rmdir "$CG_MNT$parent/$CG_TOP" 2>/dev/null || true
}

@test "cgroup: a limit whose controller is not in the hierarchy names its field and leaves nothing" {
    requires_root
    requires_cgroup2
    local ctrl field json
    for ctrl in memory pids cpu io; do
        has_controller "$ctrl" || break
        ctrl=
    done
    [ -n "$ctrl" ] || skip "every controller is in $CG_MNT"
    case $ctrl in
    memory) field=memory.limit json='{"memory":{"limit":67108864}}' ;;
    pids) field=pids.limit json='{"pids":{"limit":100}}' ;;
    cpu) field=cpu.shares json='{"cpu":{"shares":512}}' ;;
    io) field=blockIO.weight json='{"blockIO":{"weight":500}}' ;;
    esac
    make_busybox_bundle "$B" true
    update_config "$B" --arg p "/$CG_TOP/missing" --argjson r "$json" \
        '.linux.cgroupsPath = $p | .linux.resources = $r'
    run berth_create m1 "$B"
    assert_failure
    assert_output --partial "linux.resources.$field: the $ctrl controller is not available in the cgroup v2 hierarchy at '$CG_MNT'"
    [ ! -e "$CG_MNT/$CG_TOP" ]
    [ -z "$(state_root_leftovers)" ]
    # The same through a unified key.
    update_config "$B" --arg k "$ctrl.max" 'del(.linux.resources) | .linux.resources.unified[$k] = "max"'
    [ "$ctrl" = cpu ] && update_config "$B" 'del(.linux.resources) | .linux.resources.unified["cpu.weight"] = "50"'
    run berth_create m2 "$B"
    assert_failure
    assert_output --regexp "linux.resources.unified\[\"$ctrl\.(max|weight)\"\]: the $ctrl controller is not available"
    [ ! -e "$CG_MNT/$CG_TOP/missing" ]
    [ -z "$(state_root_leftovers)" ]
}

@test "cgroup: hugepageLimits are written to hugetlb.SIZE.max (and rsvd.max)" {
    requires_root
    requires_cgroup2
    local size
    size=$(hugepage_size)
    make_busybox_bundle "$B" sh -c "cat /sys/fs/cgroup/hugetlb.$size.max; sleep 100"
    update_config "$B" --arg p "/$CG_TOP/huge" --arg s "$size" \
        '.linux.cgroupsPath = $p | .linux.resources.hugepageLimits = [{"pageSize": $s, "limit": 0}]'
    run berth_create h1 "$B"
    assert_success
    assert_equal "$(cat "$CG_MNT/$CG_TOP/huge/hugetlb.$size.max")" 0
    if [ -e "$CG_MNT/$CG_TOP/huge/hugetlb.$size.rsvd.max" ]; then
        assert_equal "$(cat "$CG_MNT/$CG_TOP/huge/hugetlb.$size.rsvd.max")" 0
    fi
    run berth_cmd_t start h1
    assert_success
    wait_for_line "$TMP/h1.out" 0
}

@test "cgroup: a page size the kernel does not have is an error naming the entry" {
    requires_root
    requires_cgroup2
    hugepage_size >/dev/null
    make_busybox_bundle "$B" true
    update_config "$B" --arg p "/$CG_TOP/odd" \
        '.linux.cgroupsPath = $p | .linux.resources.hugepageLimits = [{"pageSize": "3MB", "limit": 0}]'
    run berth_create h2 "$B"
    assert_failure
    assert_output --partial "linux.resources.hugepageLimits[0].limit: the cgroup '$CG_MNT/$CG_TOP/odd' has no file 'hugetlb.3MB.max'"
    [ ! -e "$CG_MNT/$CG_TOP/odd" ]
    [ -z "$(state_root_leftovers)" ]
}

@test "cgroup: unified cgroup.* limits are written verbatim" {
    requires_root
    requires_cgroup2
    make_busybox_bundle "$B" sleep 100
    update_config "$B" --arg p "/$CG_TOP/uni" \
        '.linux.cgroupsPath = $p | .linux.resources.unified = {"cgroup.max.descendants": "3", "cgroup.max.depth": "2"}'
    run berth_create u1 "$B"
    assert_success
    assert_equal "$(cat "$CG_MNT/$CG_TOP/uni/cgroup.max.descendants")" 3
    assert_equal "$(cat "$CG_MNT/$CG_TOP/uni/cgroup.max.depth")" 2
}

@test "cgroup: a populated cgroup is refused at create" {
    requires_root
    requires_cgroup2
    make_busybox_bundle "$B" sleep 100
    update_config "$B" --arg p "/$CG_TOP/shared" '.linux.cgroupsPath = $p'
    run berth_create s1 "$B"
    assert_success
    run berth_create s2 "$B"
    assert_failure
    assert_output --partial "linux.cgroupsPath: the cgroup '$CG_MNT/$CG_TOP/shared' already has processes"
    # The first container and its cgroup are untouched.
    assert_equal "$(state_of s1)" created
    [ -d "$CG_MNT/$CG_TOP/shared" ]
}

@test "pause freezes a busy container and resume thaws it; state says paused" {
    requires_root
    requires_cgroup2
    make_busybox_bundle "$B" sh -c 'while :; do :; done'
    update_config "$B" --arg p "/$CG_TOP/busy" '.linux.cgroupsPath = $p'
    run berth_create p1 "$B"
    assert_success
    run berth_cmd_t start p1
    assert_success
    local cg="$CG_MNT/$CG_TOP/busy" a b
    run berth_cmd_t pause p1
    assert_success
    assert_equal "$(state_of p1)" paused
    grep -qx "frozen 1" "$cg/cgroup.events"
    run berth_cmd_t list --format json
    assert_equal "$(jq -r '.[] | select(.id == "p1") | .status' <<<"$output")" paused
    a=$(cpu_usec "$cg")
    sleep 0.5
    b=$(cpu_usec "$cg")
    [ "$a" = "$b" ] || {
        echo "the frozen loop used $((b - a)) us of CPU" >&2
        false
    }
    run berth_cmd_t pause p1
    assert_failure
    assert_output --partial "pause 'p1': container is already paused"
    run berth_cmd_t resume p1
    assert_success
    assert_equal "$(state_of p1)" running
    grep -qx "frozen 0" "$cg/cgroup.events"
    a=$(cpu_usec "$cg")
    sleep 0.3
    b=$(cpu_usec "$cg")
    [ "$b" -gt "$a" ]
    run berth_cmd_t resume p1
    assert_failure
    assert_output --partial "resume 'p1': container is not paused"
}

@test "a paused container is killed and deleted with delete --force" {
    requires_root
    requires_cgroup2
    make_busybox_bundle "$B" sleep 100
    update_config "$B" --arg p "/$CG_TOP/frozen" '.linux.cgroupsPath = $p'
    run berth_create f1 "$B"
    assert_success
    run berth_cmd_t start f1
    assert_success
    run berth_cmd_t pause f1
    assert_success
    run berth_cmd_t delete --force f1
    assert_success
    [ ! -e "$CG_MNT/$CG_TOP/frozen" ]
}

# Without a pid namespace, so that the daemons leave init's process tree:
# only the cgroup still knows them.
make_daemons_bundle() {
    make_busybox_bundle "$B" sh -c '(setsid sleep 1001 &); (setsid sleep 1002 &); echo up; sleep 1000'
    update_config "$B" --arg p "/$CG_TOP/$1" \
        '.linux.cgroupsPath = $p | .linux.namespaces |= map(select(.type != "pid"))'
}

@test "ps lists the cgroup's processes, double-forked daemons too" {
    requires_root
    requires_cgroup2
    make_daemons_bundle ps
    run berth_create d1 "$B"
    assert_success
    run berth_cmd_t start d1
    assert_success
    wait_for_line "$TMP/d1.out" up
    local i
    for i in $(seq 50); do
        [ "$(wc -l <"$CG_MNT/$CG_TOP/ps/cgroup.procs")" -ge 3 ] && break
        sleep 0.1
    done
    run berth_cmd_t ps --format json d1
    assert_success
    assert_equal "$(jq length <<<"$output")" 3
    assert_equal "$(jq '.[0]' <<<"$output")" "$(state_of d1 .pid)"
    assert_equal "$(jq -c 'sort' <<<"$output")" "$(sort -n "$CG_MNT/$CG_TOP/ps/cgroup.procs" | jq -sc .)"
}

@test "kill --all reaches every process of the cgroup, KILL and other signals" {
    requires_root
    requires_cgroup2
    make_daemons_bundle killall
    run berth_create k1 "$B"
    assert_success
    run berth_cmd_t start k1
    assert_success
    wait_for_line "$TMP/k1.out" up
    sleep 0.3
    local cg="$CG_MNT/$CG_TOP/killall" i
    # TERM: through the frozen cgroup, one pid at a time.
    run berth_cmd_t kill --all k1 TERM
    assert_success
    for i in $(seq 100); do
        grep -q . "$cg/cgroup.procs" || break
        sleep 0.05
    done
    run cat "$cg/cgroup.procs"
    assert_output ""
    grep -qx "frozen 0" "$cg/cgroup.events"
    wait_for_status k1 stopped
    run berth_cmd_t delete k1
    assert_success
    [ ! -e "$cg" ]

    # KILL: cgroup.kill.
    run berth_create k2 "$B"
    assert_success
    run berth_cmd_t start k2
    assert_success
    wait_for_line "$TMP/k2.out" up
    sleep 0.3
    run berth_cmd_t kill --all k2 KILL
    assert_success
    for i in $(seq 100); do
        grep -qx "populated 0" "$cg/cgroup.events" && break
        sleep 0.05
    done
    grep -qx "populated 0" "$cg/cgroup.events"
}

@test "delete of a stopped container kills what outlived init and removes the cgroup" {
    requires_root
    requires_cgroup2
    make_busybox_bundle "$B" sh -c '(setsid sleep 1001 &); echo up'
    update_config "$B" --arg p "/$CG_TOP/orphan" \
        '.linux.cgroupsPath = $p | .linux.namespaces |= map(select(.type != "pid"))'
    run berth_create o1 "$B"
    assert_success
    run berth_cmd_t start o1
    assert_success
    wait_for_status o1 stopped
    grep -q . "$CG_MNT/$CG_TOP/orphan/cgroup.procs"
    run berth_cmd_t delete o1
    assert_success
    [ ! -e "$CG_MNT/$CG_TOP/orphan" ]
}

@test "events --stats prints runc's stats event" {
    requires_root
    requires_cgroup2
    make_busybox_bundle "$B" sh -c 'sleep 100 & sleep 100'
    update_config "$B" --arg p "/$CG_TOP/stats" '.linux.cgroupsPath = $p'
    run berth_create e1 "$B"
    assert_success
    run berth_cmd_t start e1
    assert_success
    sleep 0.2
    run berth_cmd_t events --stats e1
    assert_success
    assert_equal "$(jq -r .type <<<"$output")" stats
    assert_equal "$(jq -r .id <<<"$output")" e1
    assert_equal "$(jq -c '.data | keys' <<<"$output")" '["blkio","cpu","hugetlb","memory","pids"]'
    assert_equal "$(jq -c '.data.memory | [has("usage"), has("swap"), has("kernel"), has("kernelTCP")]' <<<"$output")" '[true,true,true,true]'
    assert_equal "$(jq '.data.pids.current' <<<"$output")" 2
    [ "$(jq '.data.cpu.usage.user + .data.cpu.usage.kernel' <<<"$output")" -ge 0 ]
    # Pressure stall information, as runc 1.2 reports it, where the kernel
    # keeps it for the cgroup.
    local f key
    for f in cpu:cpu memory:memory io:blkio; do
        key=${f#*:}
        if [ -r "$CG_MNT/$CG_TOP/stats/${f%%:*}.pressure" ]; then
            assert_equal "$(jq -c ".data.$key.psi | [(.some, .full) | keys]" <<<"$output")" \
                '[["avg10","avg300","avg60","total"],["avg10","avg300","avg60","total"]]'
            jq -e ".data.$key.psi | [(.some, .full)[]] | all(type == \"number\" and . >= 0)" <<<"$output" >/dev/null
        else
            assert_equal "$(jq ".data.$key | has(\"psi\")" <<<"$output")" false
        fi
    done
}

@test "events streams stats and ends when the container does" {
    requires_root
    requires_cgroup2
    make_busybox_bundle "$B" sleep 1
    update_config "$B" --arg p "/$CG_TOP/stream" '.linux.cgroupsPath = $p'
    run berth_create e2 "$B"
    assert_success
    run berth_cmd_t start e2
    assert_success
    run berth_cmd_t events --interval 200ms e2
    assert_success
    [ "$(grep -c '"type":"stats"' <<<"$output")" -ge 2 ]
}

@test "update writes a live container's cgroup and keeps the other values" {
    requires_root
    requires_cgroup2
    local size
    size=$(hugepage_size)
    make_busybox_bundle "$B" sleep 100
    update_config "$B" --arg p "/$CG_TOP/upd" --arg s "$size" \
        '.linux.cgroupsPath = $p | .linux.resources.hugepageLimits = [{"pageSize": $s, "limit": 0}]'
    run berth_create up1 "$B"
    assert_success
    local cg="$CG_MNT/$CG_TOP/upd"
    assert_equal "$(cat "$cg/hugetlb.$size.max")" 0
    jq -n --arg s "$size" '{"hugepageLimits": [{"pageSize": $s, "limit": 4194304}]}' >"$TMP/res.json"
    run berth_cmd_t update --resources "$TMP/res.json" up1
    assert_success
    assert_equal "$(cat "$cg/hugetlb.$size.max")" 4194304
    # A later update of something else keeps it.
    run berth_cmd_t update --resources - up1 <<<'{"unified": {"cgroup.max.descendants": "7"}}'
    assert_success
    assert_equal "$(cat "$cg/cgroup.max.descendants")" 7
    assert_equal "$(cat "$cg/hugetlb.$size.max")" 4194304
    # Bad values name the field and change nothing.
    run berth_cmd_t update --resources - up1 <<<'{"memory": {"limit": 1000, "swap": 10}}'
    assert_failure
    assert_output --partial "linux.resources.memory.swap"
    run berth_cmd_t update --resources - up1 <<<'{"unified": {"../cgroup.procs": "1"}}'
    assert_failure
    assert_output --partial 'linux.resources.unified["../cgroup.procs"]'
    assert_equal "$(cat "$cg/hugetlb.$size.max")" 4194304
}

@test "update names the field whose controller is missing" {
    requires_root
    requires_cgroup2
    has_controller pids && skip "the pids controller is in $CG_MNT"
    make_busybox_bundle "$B" sleep 100
    update_config "$B" --arg p "/$CG_TOP/updp" '.linux.cgroupsPath = $p'
    run berth_create up2 "$B"
    assert_success
    run berth_cmd_t update --pids-limit 10 up2
    assert_failure
    assert_output --partial "update 'up2': linux.resources.pids.limit: the pids controller is not available"
}

@test "update refuses bad flags and a stopped container" {
    requires_root
    requires_cgroup2
    run berth_cmd update --memory 12x c
    assert_failure 2
    assert_output --partial "--memory: not a valid value: '12x'"
    run berth_cmd update c
    assert_failure 2
    assert_output --partial "nothing to update"
    make_busybox_bundle "$B" true
    update_config "$B" --arg p "/$CG_TOP/stopped" '.linux.cgroupsPath = $p'
    run berth_create st1 "$B"
    assert_success
    run berth_cmd_t start st1
    wait_for_status st1 stopped
    run berth_cmd_t update --cpu-weight 50 st1
    assert_failure
    assert_output --partial "update 'st1': container is stopped"
}

@test "devices: the device rules are a BPF program on the cgroup" {
    requires_root
    requires_cgroup2
    [ -c /dev/fuse ] || skip "no /dev/fuse"
    # berth spec denies every device but the defaults: /dev/fuse (10:229),
    # bind-mounted in, stays closed, /dev/null stays open.
    make_busybox_bundle "$B" sh -c 'echo x >/dev/null && echo null-ok
        head -c 0 2>/dev/null </dev/fuse && echo fuse-read || echo fuse-no-read
        printf "" 2>/dev/null >/dev/fuse && echo fuse-write || echo fuse-no-write'
    update_config "$B" --arg p "/$CG_TOP/dev" '.linux.cgroupsPath = $p
        | .mounts += [{"destination": "/dev/fuse", "type": "bind", "source": "/dev/fuse", "options": ["bind"]}]'
    run berth_run dv1 "$B"
    assert_success
    assert_line null-ok
    assert_line fuse-no-read
    assert_line fuse-no-write
    # A later rule opens it for reading only.
    update_config "$B" '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "r"}]'
    run berth_run dv2 "$B"
    assert_success
    assert_line fuse-read
    assert_line fuse-no-write
}

@test "rootless without delegation: one warning names the limits, and the container runs" {
    requires_rootless
    make_busybox_bundle "$B" sh -c 'echo ran'
    run berth_run rl1 "$B"
    assert_success
    assert_output ran
    update_config "$B" '.linux.resources = {"pids": {"limit": 50}, "cpu": {"shares": 512}}'
    run berth_run rl2 "$B"
    assert_success
    assert_line --index 0 --regexp "^berth: warning: the cgroup '.*' is not delegated to uid $(id -u), so berth runs the container without a cgroup, and these limits are not applied: linux.resources.cpu.shares, linux.resources.pids.limit$"
    assert_line --index 1 ran
    [ "${#lines[@]}" -eq 2 ]
}

@test "rootless without delegation: an explicit cgroupsPath is an error" {
    requires_rootless
    local own
    own=$(sed -n 's/^0:://p' /proc/self/cgroup)
    if [ -n "$CG_MNT" ] && [ -w "$CG_MNT$(dirname "$own")" ]; then
        skip "this user's cgroup is delegated"
    fi
    make_busybox_bundle "$B" true
    update_config "$B" '.linux.cgroupsPath = "/mine"'
    run berth_run rl3 "$B"
    assert_failure
    assert_output --partial "linux.cgroupsPath: cannot create the cgroup"
    assert_output --partial "is not delegated to uid $(id -u)"
    [ -z "$(state_root_leftovers)" ]
}

@test "rootless without delegation: pause needs a cgroup, kill --all and ps still work" {
    requires_rootless
    make_busybox_bundle "$B" sh -c 'sleep 100 & sleep 100'
    run berth_create rl4 "$B"
    assert_success
    run berth_cmd_t start rl4
    assert_success
    run berth_cmd_t pause rl4
    assert_failure
    assert_output --partial "pause 'rl4': the container has no cgroup"
    run berth_cmd_t events --stats rl4
    assert_failure
    assert_output --partial "has no cgroup"
    sleep 0.2
    run berth_cmd_t ps --format json rl4
    assert_success
    [ "$(jq length <<<"$output")" -ge 2 ]
    run berth_cmd_t kill --all rl4 KILL
    assert_success
    wait_for_status rl4 stopped
}

@test "features: cgroup v2 and rdma, never v1 or systemd" {
    run berth_cmd features
    assert_success
    assert_equal "$(jq -c .linux.cgroup <<<"$output")" '{"v1":false,"v2":true,"systemd":false,"systemdUser":false,"rdma":true}'
}
