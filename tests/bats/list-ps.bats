#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# berth list (table, --format json, -q) and berth ps (json: the pids engines
# read; table: ps(1)'s header and the container's lines).

load helpers
bats_require_minimum_version 1.5.0

setup() {
    setup_tmp
    B="$TMP/bundle"
}

teardown() {
    berth_cleanup
}

# berth run --detach ID, its output in $TMP/ID.out.
run_detached() {
    local id=$1 rc=0
    (cd "$B" && timeout 10 setsid -w "$BERTH" --root "$ROOT" run --detach "$id" \
        </dev/null >"$TMP/$id.out" 2>&1) || rc=$?
    [ "$rc" -eq 0 ] || {
        cat "$TMP/$id.out" >&2
        return "$rc"
    }
}

# Wait (up to 5 s) until `berth ps --format json ID` lists N pids.
wait_for_pids() {
    local id=$1 n=$2 i
    for i in $(seq 100); do
        [ "$(timeout 10 "$BERTH" --root "$ROOT" ps --format json "$id" | jq length)" = "$n" ] && return 0
        sleep 0.05
    done
    echo "container '$id' does not have $n processes: $(timeout 10 "$BERTH" --root "$ROOT" ps --format json "$id")" >&2
    return 1
}

@test "list with no containers: the header only, [] and nothing" {
    run berth_cmd_t list
    assert_success
    assert_output --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
    run berth_cmd_t list --format json
    assert_success
    assert_equal "$(jq -c . <<<"$output")" "[]"
    run berth_cmd_t list -q
    assert_success
    assert_output ""
}

@test "list shows a table row per container, sorted by id" {
    make_busybox_bundle "$B" sleep 100
    run berth_create zeta "$B"
    assert_success
    run run_detached alpha
    assert_success
    local pz pa
    pz=$(state_of zeta .pid)
    pa=$(state_of alpha .pid)
    run berth_cmd_t list
    assert_success
    assert_equal "${#lines[@]}" 3
    assert_line --index 0 --regexp '^ID +PID +STATUS +BUNDLE +CREATED +OWNER$'
    assert_line --index 1 --regexp "^alpha +$pa +running +$(realpath "$B") +[0-9]{4}-[0-9]{2}-[0-9]{2}T"
    assert_line --index 2 --regexp "^zeta +$pz +created +$(realpath "$B") +[0-9]{4}-[0-9]{2}-[0-9]{2}T"
}

@test "list -q prints the ids only, and --quiet is the same" {
    make_busybox_bundle "$B" sleep 100
    for id in c b a; do
        run berth_create "$id" "$B"
        assert_success
    done
    run berth_cmd_t list -q
    assert_success
    assert_output "a
b
c"
    run berth_cmd_t list --quiet
    assert_output "a
b
c"
}

@test "list --format json has id, pid, status, bundle and created, as state has" {
    make_busybox_bundle "$B" sleep 100
    run berth_create j1 "$B"
    assert_success
    run run_detached j2
    assert_success
    run berth_cmd_t kill j2 KILL
    wait_for_status j2 stopped
    run berth_cmd_t list --format json
    assert_success
    local json=$output
    assert_equal "$(jq -r 'map(.id) | join(",")' <<<"$json")" j1,j2
    assert_equal "$(jq -r '.[0].status' <<<"$json")" created
    assert_equal "$(jq -r '.[1].status' <<<"$json")" stopped
    assert_equal "$(jq -r '.[0].pid' <<<"$json")" "$(state_of j1 .pid)"
    assert_equal "$(jq -r '.[1].pid' <<<"$json")" 0
    assert_equal "$(jq -r '.[0].bundle' <<<"$json")" "$(realpath "$B")"
    assert_equal "$(jq -r '.[0].created' <<<"$json")" "$(state_of j1 .created)"
    assert_equal "$(jq -r '.[0].ociVersion' <<<"$json")" 1.3.0
    # Every entry has the fields, with their JSON types.
    assert_equal "$(jq -r 'map((.id|type) + (.pid|type) + (.status|type) + (.bundle|type) + (.created|type)) | unique | .[]' <<<"$json")" \
        stringnumberstringstringstring
    run berth_cmd_t list --format yaml
    assert_failure 2
    assert_output --partial "unknown format 'yaml'"
}

@test "ps --format json lists the container's pids" {
    make_busybox_bundle "$B" sh -c 'sleep 100 & sleep 100; true'
    run run_detached p1
    assert_success
    wait_for_pids p1 3
    run berth_cmd_t ps --format json p1
    assert_success
    local init pid
    init=$(state_of p1 .pid)
    assert_equal "$(jq '.[0]' <<<"$output")" "$init"
    for pid in $(jq '.[]' <<<"$output"); do
        [ "$pid" -gt 0 ]
        # Each is init or one of its children, all in the container's pid namespace.
        assert_equal "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$init/ns/pid")"
    done
    assert_equal "$(for pid in $(jq '.[]' <<<"$output"); do tr '\0' ' ' <"/proc/$pid/cmdline"; echo; done | sort)" \
        "sh -c sleep 100 & sleep 100; true 
sleep 100 
sleep 100 "
}

@test "ps without a pid namespace follows init's children" {
    # The host's /proc bound in (a new proc mount needs a pid namespace of
    # our own in a user namespace).
    make_busybox_bundle "$B" sh -c 'sleep 100 & sleep 100; true'
    update_config "$B" '.linux.namespaces |= map(select(.type != "pid"))
        | .mounts |= map(if .destination == "/proc"
            then {destination: "/proc", type: "bind", source: "/proc", options: ["rbind"]}
            else . end)'
    run run_detached p2
    assert_success
    wait_for_pids p2 3
    run berth_cmd_t ps --format json p2
    assert_success
    local init pid
    init=$(state_of p2 .pid)
    assert_equal "$(jq '.[0]' <<<"$output")" "$init"
    for pid in $(jq '.[1:] | .[]' <<<"$output"); do
        assert_equal "$(awk '{print $4}' "/proc/$pid/stat")" "$init"
    done
}

@test "ps prints ps(1)'s header and the container's lines" {
    make_busybox_bundle "$B" sh -c 'sleep 100 & sleep 100; true'
    run run_detached pt
    assert_success
    wait_for_pids pt 3
    run berth_cmd_t ps pt
    assert_success
    assert_line --index 0 --regexp '^UID +PID +PPID .*CMD$'
    assert_equal "${#lines[@]}" 4
    assert_equal "$(grep -c 'sleep 100$' <<<"$output")" 2
    assert_line --regexp "^[^ ]+ +$(state_of pt .pid) .*sh -c sleep 100 & sleep 100; true$"
    # Arguments after the id go to ps(1).
    run berth_cmd_t ps pt -o pid,comm
    assert_success
    assert_line --index 0 --regexp '^ *PID +COMMAND$'
    assert_equal "${#lines[@]}" 4
}

@test "ps of a stopped container is empty, of an unknown one an error" {
    make_busybox_bundle "$B" true
    run berth_create s1 "$B"
    assert_success
    run berth_cmd_t start s1
    wait_for_status s1 stopped
    run berth_cmd_t ps --format json s1
    assert_success
    assert_equal "$(jq -c . <<<"$output")" "[]"
    run berth_cmd_t ps --format json nosuch
    assert_failure
    assert_output --partial "container 'nosuch' does not exist"
}
