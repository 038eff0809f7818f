#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# process.terminal and --console-socket (config.md "process", config-linux.md
# "Default Devices"): the pty init allocates in the container's devpts, the
# master handed to the console socket (create, run --detach) or relayed by a
# foreground run, and runc's rules about when a console socket is needed.

load helpers

setup() {
    setup_tmp
    B="$TMP/bundle"
    RECVTTY="$BERTH_BUILD/tests/helpers/recvtty"
    [ -x "$RECVTTY" ] || skip "tests/helpers/recvtty is not built (make bats builds it)"
    # sun_path holds 108 bytes and $TMP can be longer: a short directory.
    SOCKDIR=$(mktemp -d /tmp/berth-tty.XXXXXX)
    SOCK="$SOCKDIR/console.sock"
    RECVTTY_PID=
}

teardown() {
    berth_cleanup
    if [ -n "$RECVTTY_PID" ]; then
        kill "$RECVTTY_PID" 2>/dev/null || true
    fi
    rm -rf "$SOCKDIR"
}

# A busybox bundle running ARGS with a terminal of 30 rows by 100 columns.
make_tty_bundle() {
    make_busybox_bundle "$B" "$@"
    local applet
    for applet in tty stty sleep; do
        ln -sf busybox "$B/rootfs/bin/$applet"
    done
    update_config "$B" '.process.terminal = true | .process.consoleSize = {height: 30, width: 100}'
}

# Start recvtty on socket $1 in the background (more recvtty options
# follow); the pty's output goes to $TMP/tty.out, the message to
# $TMP/tty.name.  Returns once the socket exists.
start_recvtty() {
    local sock=$1 i
    shift
    "$RECVTTY" -t 30 -o "$TMP/tty.out" -n "$TMP/tty.name" "$@" "$sock" 3>&- 4>&- &
    RECVTTY_PID=$!
    for i in $(seq 100); do
        [ -S "$sock" ] && return 0
        sleep 0.05
    done
    echo "recvtty did not create '$sock'" >&2
    return 1
}

# Wait for recvtty to see every peer of the pty closed, and set $status,
# $output and $lines as bats' run would, from its exit status and the pty's
# output (without the "\r" of the pty's ONLCR).  Not under `run`: a subshell
# cannot wait for our child.
wait_recvtty() {
    status=0
    wait "$RECVTTY_PID" || status=$?
    RECVTTY_PID=
    output=$(tr -d '\r' <"$TMP/tty.out")
    mapfile -t lines <<<"$output"
}

# No container and no state directory is left under $ROOT.
assert_nothing_left() {
    run berth_cmd list -q
    assert_success
    assert_output ""
    [ ! -e "$ROOT/$1" ]
}

# Run script(1) with the command line CMD: it gives what it runs a terminal
# as stdin and stdout.  Sets $status, $output (without "\r") and $lines.
# script types $SCRIPT_INPUT when set; otherwise its stdin is a FIFO we hold
# open, since at EOF it would type ^D or ^@, which the container would echo.
run_script() {
    command -v script >/dev/null || skip "script(1) is not installed (util-linux)"
    local fifo="$TMP/script.in" fd
    [ -p "$fifo" ] || mkfifo "$fifo"
    exec {fd}<>"$fifo"
    status=0
    if [ -n "${SCRIPT_INPUT:-}" ]; then
        output=$(timeout 60 script -qec "$1" /dev/null <<<"$SCRIPT_INPUT" 2>&1) || status=$?
    else
        output=$(timeout 60 script -qec "$1" /dev/null <&$fd 2>&1) || status=$?
    fi
    exec {fd}<&-
    output=$(tr -d '\r' <<<"$output")
    mapfile -t lines <<<"$output"
}

# The berth run command line for script(1).  timeout --foreground: plain
# timeout puts berth in a process group of its own, in the background of the
# terminal, where the kernel stops it (SIGTTOU, SIGTTIN) for using it.
run_cmd() {
    printf '%q ' timeout --foreground 30 "$BERTH" --root "$ROOT" run -b "$B" "$@"
}

@test "create --console-socket: the process has the pty as stdio and controlling terminal" {
    make_tty_bundle sh -c 'tty; stty size; ls -1 /proc/$$/fd; echo ctty >/dev/tty
        stat -c %d:%i /dev/console /dev/pts/0'
    start_recvtty "$SOCK"

    run berth_create c1 "$B" --console-socket "$SOCK"
    assert_success
    assert_output ""
    assert_equal "$(state_of c1)" created
    # The master was sent during create, before start (runc does the same):
    # an engine attaches before the process runs.
    assert_equal "$(cat "$TMP/tty.name")" "/dev/ptmx
pts 0"

    run berth_cmd start c1
    assert_success
    wait_recvtty
    assert_success
    assert_line --index 0 "/dev/pts/0"
    # process.consoleSize
    assert_line --index 1 "30 100"
    # Only stdin, stdout and stderr: no fd of berth's leaks in.
    assert_line --index 2 "0"
    assert_line --index 3 "1"
    assert_line --index 4 "2"
    assert_line --index 5 "ctty"
    # /dev/console is the same pty (a bind mount).
    assert_equal "${lines[6]}" "${lines[7]}"
    assert_equal "${#lines[@]}" 8
    wait_for_status c1 stopped
}

@test "input written to the master reaches the process (run --detach --console-socket)" {
    make_tty_bundle sh
    start_recvtty "$SOCK" -i $'echo hi-$((6*7))\nexit 3\n'

    run berth_cmd run -d --console-socket "$SOCK" -b "$B" c1 </dev/null
    assert_success
    wait_recvtty
    assert_success
    assert_line "hi-42"
    wait_for_status c1 stopped
}

@test "a console socket path longer than sun_path works" {
    local dir="$SOCKDIR/$(printf 'd%.0s' $(seq 60))/$(printf 'e%.0s' $(seq 60))"
    mkdir -p "$dir"
    [ ${#dir} -gt 108 ]
    make_tty_bundle tty
    start_recvtty "$dir/console.sock"

    run berth_create c1 "$B" --console-socket "$dir/console.sock"
    assert_success
    run berth_cmd start c1
    assert_success
    wait_recvtty
    assert_success
    assert_output "/dev/pts/0"
}

@test "the terminal belongs to process.user.uid" {
    requires_root
    make_tty_bundle sh -c 'stat -c %u /dev/pts/0; id -u'
    update_config "$B" '.process.user.uid = 1000'
    start_recvtty "$SOCK"

    run berth_create c1 "$B" --console-socket "$SOCK"
    assert_success
    run berth_cmd start c1
    assert_success
    wait_recvtty
    assert_success
    assert_output "1000
1000"
}

@test "create with process.terminal and no --console-socket fails and leaves nothing" {
    make_tty_bundle tty

    run berth_create c1 "$B"
    assert_failure
    assert_output --partial "process.terminal: cannot allocate a terminal if berth will detach without --console-socket"
    assert_nothing_left c1

    run berth_cmd run -d -b "$B" c1 </dev/null
    assert_failure
    assert_output --partial "without --console-socket"
    assert_nothing_left c1
}

@test "--console-socket without process.terminal fails and leaves nothing" {
    make_busybox_bundle "$B" true
    start_recvtty "$SOCK"

    run berth_create c1 "$B" --console-socket "$SOCK"
    assert_failure
    assert_output --partial "--console-socket '$SOCK': cannot use a console socket if berth will not allocate a terminal"
    assert_nothing_left c1

    run berth_cmd run -d --console-socket "$SOCK" -b "$B" c1 </dev/null
    assert_failure
    assert_output --partial "process.terminal is false"
    assert_nothing_left c1
}

@test "run --console-socket without --detach fails: run attaches the terminal itself" {
    make_tty_bundle tty
    start_recvtty "$SOCK"

    run berth_cmd run --console-socket "$SOCK" -b "$B" c1 </dev/null
    assert_failure
    assert_output --partial "cannot use a console socket if berth will not detach"
    assert_nothing_left c1
}

@test "a console socket nobody listens on fails the create and leaves nothing" {
    make_tty_bundle tty

    run berth_create c1 "$B" --console-socket "$SOCKDIR/nobody.sock"
    assert_failure
    assert_output --partial "--console-socket '$SOCKDIR/nobody.sock': connect: No such file or directory"
    assert_nothing_left c1
}

@test "process.consoleSize is ignored when process.terminal is false" {
    # 70000 rows do not fit a terminal: an error only with a terminal.
    make_busybox_bundle "$B" sh -c 'echo ran'
    update_config "$B" '.process.consoleSize = {height: 70000, width: 80}'
    run berth_run c1 "$B"
    assert_success
    assert_output "ran"

    update_config "$B" '.process.terminal = true'
    start_recvtty "$SOCK"
    run berth_create c2 "$B" --console-socket "$SOCK"
    assert_failure
    assert_output --partial "process.consoleSize.height: 70000 is more than 65535"
    assert_nothing_left c2
}

@test "foreground run with a terminal relays it and passes the exit status through" {
    make_tty_bundle sh -c 'tty; stty size; ls -1 /proc/$$/fd; exit 7'
    run_script "$(run_cmd c1)"
    assert_equal "$status" 7
    assert_output "/dev/pts/0
30 100
0
1
2"
    assert_nothing_left c1
}

@test "foreground run with a terminal sends typed input to the process" {
    make_tty_bundle sh
    SCRIPT_INPUT=$'echo hi-$((6*7))\nexit 5\n' run_script "$(run_cmd c1)"
    assert_equal "$status" 5
    assert_line "hi-42"
    assert_nothing_left c1
}

@test "foreground run restores the terminal modes it made raw" {
    make_tty_bundle sh -c 'stty -a | grep -o -- "-\?icanon"'
    run_script "stty -g; $(run_cmd c1); stty -g"
    assert_success
    # The container's terminal is canonical whatever berth does with its
    # own, and berth's is back as it was.
    assert_equal "${lines[1]}" "icanon"
    assert_equal "${#lines[@]}" 3
    assert_equal "${lines[0]}" "${lines[2]}"
}

@test "foreground run passes its terminal's size changes on (SIGWINCH)" {
    make_tty_bundle sh -c 'trap "stty size; exit 0" WINCH; stty size; touch /tmp/ready
        while :; do sleep 0.05; done'
    update_config "$B" '.root.readonly = false'
    # berth in the background of script's shell keeps the terminal as stdin
    # (explicitly: an asynchronous list would get /dev/null); the shell
    # resizes the terminal once the container is ready, and the kernel sends
    # SIGWINCH to the terminal's foreground process group, berth's.
    run_script "$(run_cmd c1) <&0 & while [ ! -e '$B/rootfs/tmp/ready' ]; do sleep 0.05; done
        stty rows 40 cols 120; wait \$!"
    assert_success
    assert_output "30 100
40 120"
}
