# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the engine suites (tests/engines/*.bats): an engine
# (podman, containerd) drives $BERTH as its OCI runtime.  tests/engines/run
# runs the suites through tests/run-bats, so each one gets the environment
# of tests/bats/helpers.bash ($BERTH, $BERTH_BUILD, $BERTH_SRC,
# $BERTH_TEST_LEG, a private $TMPDIR and $XDG_RUNTIME_DIR).
#
# Engine-specific helpers live beside this file (containerd-helpers.bash);
# what more than one engine needs lives here.

bats_load_library bats-support 2>/dev/null || load /usr/lib/bats/bats-support/load
bats_load_library bats-assert 2>/dev/null || load /usr/lib/bats/bats-assert/load

: "${BERTH:?BERTH must point at the berth binary (run the suites through tests/engines/run)}"
: "${BERTH_TEST_LEG:=$([ "$(id -u)" = 0 ] && echo root || echo rootless)}"
export BERTH_TEST_LEG

ENGINE_SRC=${BERTH_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}

engine_is_root() { [ "$(id -u)" = 0 ]; }

# Build the test image offline (tests/image/mkimage.py busybox: Debian's
# busybox-static, one layer, tagged berth-test:latest) into DIR as
# docker-archive.tar and oci-archive.tar.  Fails, saying why, without
# python3 or busybox.
engine_build_image() {
    local dir=$1
    command -v python3 >/dev/null || {
        echo "engine_build_image: python3 is not installed" >&2
        return 1
    }
    mkdir -p "$dir"
    python3 "$ENGINE_SRC/tests/image/mkimage.py" busybox \
        --docker-archive "$dir/docker-archive.tar" --oci-archive "$dir/oci-archive.tar" \
        "$dir/oci" >"$dir/mkimage.log" 2>&1 || {
        echo "engine_build_image: mkimage.py busybox failed:" >&2
        cat "$dir/mkimage.log" >&2
        return 1
    }
}

# Skip the test, visibly, while this berth has no exec command.
requires_berth_exec() {
    "$BERTH" exec --help >/dev/null 2>&1 ||
        skip "'$BERTH exec --help' fails: this berth has no exec yet"
}

# Retry COMMAND... every 0.1 s until it succeeds, for up to SECONDS.
# Usage: engine_wait_until SECONDS COMMAND...
engine_wait_until() {
    local secs=$1 i
    shift
    for ((i = 0; i < secs * 10; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "engine_wait_until: '$*' did not succeed within ${secs}s" >&2
    return 1
}

# The state root berth uses when the engine passes no --root: /run/berth for
# root, $XDG_RUNTIME_DIR/berth for an unprivileged user and for root in a
# user namespace (rootless podman), as runc does.
engine_berth_default_root() {
    if engine_is_root; then
        echo /run/berth
    else
        echo "$XDG_RUNTIME_DIR/berth"
    fi
}

# Host pids (this pid namespace) of processes that still belong to container
# ID: the ID on their command line (conmon, a shim), in their cgroup path, or
# HOSTNAME=<first 12 characters of ID> in their environment (podman's
# default hostname).  Prints one "PID COMMAND" line per process.
engine_processes_of() {
    local id=$1 short=${1:0:12} f pid state cmd
    local -A seen=()
    # One grep over every process's files, not a few per process: a scan
    # runs after each test, on a machine with hundreds of processes.
    for f in $(grep -lsF -- "$id" /proc/[0-9]*/cmdline /proc/[0-9]*/cgroup
        grep -lsxzF -- "HOSTNAME=$short" /proc/[0-9]*/environ); do
        pid=${f#/proc/}
        pid=${pid%%/*}
        [ -n "${seen[$pid]:-}" ] && continue
        seen[$pid]=1
        [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
        # A zombie has released everything; its parent reaps it later.
        state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$pid/status" 2>/dev/null)
        [ -z "$state" ] || [ "$state" = Z ] && continue
        cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")
        echo "$pid $cmd"
    done
}

# Fail, saying what is left, unless container ID has left nothing behind
# (within 5 s):
# no berth state directory under STATE_ROOT, no mount whose source or target
# names the id in the mount table MOUNTINFO (default /proc/self/mountinfo;
# rootless podman's mounts live in the mount namespace of its pause
# process), and no process (engine_processes_of).
# Usage: engine_assert_gone ID STATE_ROOT [MOUNTINFO]
engine_assert_gone() {
    local id=$1 root=$2 mountinfo=${3:-/proc/self/mountinfo} left="" m p i
    [ -n "$id" ] || {
        echo "engine_assert_gone: no container id" >&2
        return 1
    }
    # An engine's helpers (conmon running podman's exit command, a shim)
    # finish a moment after the command that removed the container.
    for ((i = 0; i < 50; i++)); do
        [ ! -e "$root/$id" ] && ! grep -qF -- "$id" "$mountinfo" 2>/dev/null &&
            [ -z "$(engine_processes_of "$id")" ] && return 0
        sleep 0.1
    done
    if [ -e "$root/$id" ]; then
        left+="berth state directory '$root/$id'"$'\n'
    fi
    m=$(grep -F -- "$id" "$mountinfo" 2>/dev/null || true)
    [ -z "$m" ] || left+="mounts:"$'\n'"$m"$'\n'
    p=$(engine_processes_of "$id")
    [ -z "$p" ] || left+="processes:"$'\n'"$p"$'\n'
    if [ -n "$left" ]; then
        echo "container '$id' left behind:" >&2
        printf '%s' "$left" >&2
        return 1
    fi
}

# Run COMMAND... (one shell command line) on a new pseudo-terminal with
# script(1), its stdin held open until it ends (an engine attached with -i
# ends the session when its stdin reaches end-of-file, and could drop the
# container's output), and print what it wrote with CRs removed, then a last
# line "rc=N" with its exit status.  Usage: engine_on_tty 'CMD ARGS...'
engine_on_tty() {
    local cmdline=$1 holder fd rc=0 out
    command -v script >/dev/null || {
        echo "engine_on_tty: script(1) is not installed (util-linux)" >&2
        return 1
    }
    exec {fd}< <(exec sleep 120)
    holder=$! # bash sets $! to the process substitution's pid
    out=$(timeout 60 script -qec "$cmdline; echo \"rc=\$?\"" /dev/null <&"$fd") || rc=$?
    exec {fd}<&-
    kill "$holder" 2>/dev/null || true
    printf '%s\n' "$out" | tr -d '\r'
    return "$rc"
}

# Stop a daemon of ours: SIGTERM to PID, up to 15 s for it to go (gone, or
# a zombie), then SIGKILL.  IS_OURS is a function that says whether a pid
# is still that daemon (not a reused pid).
# Usage: engine_stop_daemon PID IS_OURS
engine_stop_daemon() {
    local pid=$1 is_ours=$2
    "$is_ours" "$pid" || return 0
    kill -TERM "$pid"
    for _ in $(seq 1 150); do
        "$is_ours" "$pid" || return 0
        grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && return 0
        sleep 0.1
    done
    "$is_ours" "$pid" && kill -KILL "$pid"
    return 0
}

# SIGKILL every process whose command line holds TEXT (the shims and
# daemons an engine of ours started and that outlived it).
# Usage: engine_kill_matching TEXT
engine_kill_matching() {
    local text=$1 p
    for p in /proc/[0-9]*; do
        if tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$text"; then
            kill -KILL "${p#/proc/}" 2>/dev/null
        fi
    done
    return 0
}

# The end of an engine suite, once its daemon is gone: containers left in
# berth's STATE_ROOT (their shim is gone) killed and removed by berth
# itself, the mounts under DIR in this namespace unmounted deepest first,
# DIR removed, and the cgroup CGROUP (the engine's parent cgroup, when
# berth made it) removed if empty.
# Usage: engine_final_cleanup STATE_ROOT DIR [CGROUP]
engine_final_cleanup() {
    local root=$1 dir=$2 cg=${3:-} p
    if [ -d "$root" ]; then
        for p in "$root"/*/; do
            [ -d "$p" ] || continue
            p=${p%/}
            "$BERTH" --root "$root" delete --force "${p##*/}" 2>/dev/null
        done
    fi
    awk -v t="$dir/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        while read -r p; do umount "$p"; done
    rm -rf "$dir"
    if [ -n "$cg" ] && [ -d "$cg" ]; then
        rmdir "$cg" 2>/dev/null
    fi
    return 0
}
