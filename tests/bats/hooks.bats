#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# config.md "POSIX-platform Hooks" and runtime.md "Lifecycle": each of the
# six hook kinds runs at its point with the state of that moment on stdin,
# with exactly its args and env, under its timeout; a failure aborts create
# or start (and leaves nothing, or a stopped container), and a failing
# poststop hook is only a warning.

load helpers

setup() {
    setup_tmp
    B="$TMP/bundle"
    LOGDIR="$TMP/logs"
    LOG="$LOGDIR/log"
    mkdir -p "$LOGDIR"
    SH=$(command -v sh)
    HOOK_PATH_ENV="PATH=/usr/local/bin:/usr/bin:/bin"
}

teardown() {
    berth_cleanup
}

# A container with a recording hook for every kind.  Host hooks ($TMP/hook)
# and the container's (/hook.sh in the rootfs, for startContainer, whose path
# resolves in the container) append "KIND STATUS PID" to the same file,
# bind-mounted at /hooklog in the container.
make_hook_bundle() {
    make_busybox_bundle "$B" "$@"
    cat >"$TMP/hook" <<EOF
#!/bin/sh
json=\$(cat)
printf '%s %s %s\n' "\$1" "\$(printf '%s' "\$json" | jq -r .status)" \
    "\$(printf '%s' "\$json" | jq -r .pid)" >>"$LOG"
EOF
    chmod 0755 "$TMP/hook"
    cat >"$B/rootfs/hook.sh" <<'EOF'
#!/bin/sh
json=$(cat)
status=$(echo "$json" | sed -n 's/.*"status":"\([^"]*\)".*/\1/p')
pid=$(echo "$json" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
echo "$1 $status ${pid:-null}" >>/hooklog/log
EOF
    chmod 0755 "$B/rootfs/hook.sh"
    mkdir -p "$B/rootfs/hooklog"
    update_config "$B" --arg h "$TMP/hook" --arg p "$HOOK_PATH_ENV" --arg logs "$LOGDIR" '
        .mounts += [{"destination": "/hooklog", "type": "bind", "source": $logs,
                     "options": ["rbind", "rw"]}]
        | .hooks = (["prestart", "createRuntime", "createContainer", "startContainer",
                     "poststart", "poststop"]
                    | map({key: ., value: [{"path": $h, "args": ["hook", .], "env": [$p]}]})
                    | from_entries)
        | .hooks.startContainer[0].path = "/hook.sh"'
}

# A recording hook entry (JSON) for KIND, to put into a list by hand.
recorder() {
    jq -cn --arg h "$TMP/hook" --arg k "$1" --arg p "$HOOK_PATH_ENV" \
        '{"path": $h, "args": ["hook", $k], "env": [$p]}'
}

# A hook entry (JSON) that runs the shell script $1 with sh -c.
sh_hook() {
    jq -cn --arg sh "${2:-$SH}" --arg s "$1" --arg p "$HOOK_PATH_ENV" \
        '{"path": $sh, "args": ["sh", "-c", $s], "env": [$p]}'
}

# Wait (up to 5 s) until process $1 is gone.  A zombie counts as gone: once
# create has returned, init's parent is whoever adopts orphans here (in the
# rootless legs a runuser that never reaps them).
wait_gone() {
    local i st
    for i in $(seq 100); do
        st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || true
        [ -z "$st" ] || [ "$st" = Z ] && return 0
        sleep 0.05
    done
    echo "process $1 is still there" >&2
    return 1
}

@test "hooks: each kind runs at its point of the lifecycle with the state of that moment" {
    make_hook_bundle sleep 100
    jq -e '.linux.namespaces | map(.type) | index("pid")' "$B/config.json" >/dev/null

    run berth_create c1 "$B"
    assert_success
    local pid
    pid=$(state_of c1 .pid)
    [ "$pid" -gt 1 ]
    # runtime.md "State": the pid is the runtime's view in the runtime
    # namespace, the container's in the container namespace (its own pid
    # namespace: init is 1).
    run cat "$LOG"
    assert_output "prestart creating $pid
createRuntime creating $pid
createContainer creating 1"

    run berth_cmd start c1
    assert_success
    run cat "$LOG"
    assert_output "prestart creating $pid
createRuntime creating $pid
createContainer creating 1
startContainer created 1
poststart running $pid"
    assert_equal "$(state_of c1)" running

    run berth_cmd kill c1 KILL
    assert_success
    wait_for_status c1 stopped
    run berth_cmd delete c1
    assert_success
    assert_output ""
    # The pid of a stopped container is not given (runtime.md: it is
    # required only for created and running).
    run tail -n 1 "$LOG"
    assert_output "poststop stopped null"
    [ "$(wc -l <"$LOG")" -eq 6 ]
}

@test "hooks: run in the foreground runs all six, poststop last" {
    make_hook_bundle true
    run berth_run r1 "$B"
    assert_success
    run cut -d' ' -f1,2 "$LOG"
    assert_output "prestart creating
createRuntime creating
createContainer creating
startContainer created
poststart running
poststop stopped"
}

@test "hooks: args and env are passed exactly, the state on stdin, no other fd" {
    local hd="$BERTH_BUILD/tests/helpers/hook-dump"
    [ -x "$hd" ] || skip "no hook-dump helper in '$BERTH_BUILD/tests/helpers' (make bats builds it)"
    make_busybox_bundle "$B" true
    update_config "$B" --arg hd "$hd" --arg sh "$SH" '
        .annotations = {"org.example.hook": "yes"}
        | .hooks.prestart = [
            {"path": $hd, "args": ["argv0-x", "a b", "", "c"],
             "env": ["FOO=bar", "EMPTY=", "SPACE=x y"]},
            {"path": $hd},
            {"path": $sh, "args": ["sh", "-c", "echo hook-stdout"]}]
        | .hooks.createContainer = [{"path": $hd, "args": ["in-init"]}]'
    # hook-dump writes ./hook-dump.out: prestart runs in berth's directory,
    # createContainer in init's (the bundle too).  Init holds the fd it
    # preserves for the container: the hook must not get it.
    run berth_create c1 "$B" --preserve-fds 1 3</dev/null
    assert_success
    # stdout is inherited.
    assert_output "hook-stdout"

    local out="$B/hook-dump.out"
    run sed -n 1,3p "$out"
    assert_output "argv|argv0-x|a b||c
env|FOO=bar|EMPTY=|SPACE=x y
fds|0|1|2"
    # No args: argv[0] is the path.  No env: an empty environment.
    run sed -n 5,7p "$out"
    assert_output "argv|$hd
env
fds|0|1|2"

    local state
    state=$(sed -n 4p "$out")
    state=${state#stdin|}
    [ "$(sed -n 8p "$out")" = "stdin|$state" ]
    run sed -n 9,11p "$out"
    assert_output "argv|in-init
env
fds|0|1|2"
    # The compact state of runtime.md, nothing of berth's own.
    [ "$(jq -c . <<<"$state")" = "$state" ]
    run jq -r '[.ociVersion, .id, .status, (.pid | tostring), .bundle,
                .annotations["org.example.hook"]] | join(" ")' <<<"$state"
    assert_output "1.3.0 c1 creating $(state_of c1 .pid) $(realpath "$B") yes"
    run jq -c 'keys' <<<"$state"
    assert_output '["annotations","bundle","id","ociVersion","pid","status"]'
}

@test "hooks: a hook over its timeout is killed and fails start" {
    make_hook_bundle sleep 100
    local sleep_bin
    sleep_bin=$(command -v sleep)
    update_config "$B" --argjson ok "$(recorder poststart)" --arg s "$sleep_bin" '
        .hooks.poststart = [$ok, {"path": $s, "args": ["sleep", "100.4242"], "timeout": 1}]'
    run berth_create t1 "$B"
    assert_success
    local pid
    pid=$(state_of t1 .pid)

    local t0=$SECONDS
    run berth_cmd start t1
    assert_failure
    assert_output "berth: start 't1': hooks.poststart[1] '$sleep_bin': timed out after 1 s"
    [ $((SECONDS - t0)) -lt 10 ]
    run pgrep -f 100.4242
    assert_failure
    # The container is stopped (runtime.md "Lifecycle" step 9).
    assert_equal "$(state_of t1)" stopped
    wait_gone "$pid"
    grep -qx "poststart running $pid" "$LOG"
}

# Make hook KIND fail at index 1 (after a recording hook at 0) and check that
# create fails naming it, leaves no state and no process, and runs poststop.
check_create_hook_fails() {
    local kind=$1 record_pid
    make_hook_bundle sleep 100
    # The failing hook notes init's pid as the host sees it: from the state
    # in the runtime namespace, as its parent's pid (read in the host's /proc,
    # where the hook still is before pivot_root) in the container's.
    if [ "$kind" = createContainer ]; then
        record_pid='read -r _ _ _ ppid _ </proc/self/stat; echo $ppid >'"$TMP/pid"
    else
        record_pid='jq -r .pid >'"$TMP/pid"
    fi
    update_config "$B" --arg k "$kind" --argjson ok "$(recorder "$kind")" \
        --argjson bad "$(sh_hook "$record_pid; echo first line >&2; echo hook said no >&2; exit 3")" \
        '.hooks[$k] = [$ok, $bad]'

    run berth_create f1 "$B"
    assert_failure
    assert_output "berth: create 'f1': hooks.$kind[1] '$SH': exit status 3; stderr: first line; hook said no"
    # Nothing left: no state, no process.
    [ ! -e "$ROOT/f1" ]
    run berth_cmd list -q
    assert_output ""
    local pid
    pid=$(cat "$TMP/pid")
    [ "$pid" -gt 1 ]
    wait_gone "$pid"
    # The hook before it ran; poststop ran after the container was undone
    # (runtime.md "Lifecycle": "continue the lifecycle at step 12").
    grep -q "^$kind creating " "$LOG"
    run tail -n 1 "$LOG"
    assert_output "poststop stopped null"
    run grep -E '^(startContainer|poststart)' "$LOG"
    assert_failure
}

@test "hooks: a failing prestart hook aborts create and leaves nothing" {
    check_create_hook_fails prestart
    # prestart runs before createRuntime: that one never ran.
    run grep '^createRuntime' "$LOG"
    assert_failure
}

@test "hooks: a failing createRuntime hook aborts create and leaves nothing" {
    check_create_hook_fails createRuntime
    run grep '^createContainer' "$LOG"
    assert_failure
}

@test "hooks: a failing createContainer hook aborts create and leaves nothing" {
    check_create_hook_fails createContainer
}

@test "hooks: a hook that cannot be executed fails create with the reason" {
    make_busybox_bundle "$B" true
    update_config "$B" --arg h "$TMP/nothere" '.hooks.createRuntime = [{"path": $h}]'
    run berth_create e1 "$B"
    assert_failure
    assert_output "berth: create 'e1': hooks.createRuntime[0] '$TMP/nothere': execve: No such file or directory"
    [ ! -e "$ROOT/e1" ]
}

@test "hooks: a failing startContainer hook fails start before the process runs" {
    make_hook_bundle touch /ran
    update_config "$B" --argjson bad "$(sh_hook 'echo start-hook-no >&2; exit 4' /bin/sh)" \
        '.hooks.startContainer = [$bad]'
    run berth_create s1 "$B"
    assert_success
    run berth_cmd start s1
    assert_failure
    assert_output "berth: start 's1': hooks.startContainer[0] '/bin/sh': exit status 4; stderr: start-hook-no"
    wait_for_status s1 stopped
    [ ! -e "$B/rootfs/ran" ]
    run grep '^poststart' "$LOG"
    assert_failure
    run berth_cmd delete s1
    assert_success
    run tail -n 1 "$LOG"
    assert_output "poststop stopped null"
}

@test "hooks: a failing poststart hook fails start and stops the container" {
    make_hook_bundle sleep 100
    update_config "$B" --argjson bad "$(sh_hook 'echo poststart-no >&2; exit 5')" \
        '.hooks.poststart = [$bad]'
    run berth_create p1 "$B"
    assert_success
    local pid
    pid=$(state_of p1 .pid)
    run berth_cmd start p1
    assert_failure
    assert_output "berth: start 'p1': hooks.poststart[0] '$SH': exit status 5; stderr: poststart-no"
    assert_equal "$(state_of p1)" stopped
    wait_gone "$pid"
    # The container stays until delete, which runs poststop.
    run berth_cmd delete p1
    assert_success
    run tail -n 1 "$LOG"
    assert_output "poststop stopped null"
}

@test "hooks: a failing poststop hook is a warning; the others and delete go on" {
    make_hook_bundle true
    update_config "$B" --argjson ok "$(recorder poststop)" \
        --argjson bad "$(sh_hook 'echo poststop-no >&2; exit 6')" \
        --argjson killed "$(sh_hook 'kill -9 $$')" \
        '.hooks.poststop = [$bad, $killed, $ok]'
    run berth_create d1 "$B"
    assert_success
    run berth_cmd start d1
    assert_success
    wait_for_status d1 stopped
    run berth_cmd delete d1
    assert_success
    assert_output "berth: warning: delete 'd1': hooks.poststop[0] '$SH': exit status 6; stderr: poststop-no
berth: warning: delete 'd1': hooks.poststop[1] '$SH': killed by signal 9 (Killed)"
    run tail -n 1 "$LOG"
    assert_output "poststop stopped null"
    [ ! -e "$ROOT/d1" ]
}

@test "hooks: start and delete use the hooks frozen at create, not the bundle's" {
    make_hook_bundle true
    run berth_create z1 "$B"
    assert_success
    # runtime.md "Lifecycle" step 2: "Any updates to config.json after this
    # step MUST NOT affect the container."
    update_config "$B" --argjson bad "$(sh_hook 'exit 7')" \
        '.hooks.poststart = [$bad] | .hooks.poststop = [$bad]'
    run berth_cmd start z1
    assert_success
    wait_for_status z1 stopped
    run berth_cmd delete z1
    assert_success
    assert_output ""
    run cut -d' ' -f1 "$LOG"
    assert_output "prestart
createRuntime
createContainer
startContainer
poststart
poststop"
}
