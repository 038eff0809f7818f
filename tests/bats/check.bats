#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# berth check: each test builds a bundle with `berth spec` (the rootless
# variant when not root) and a busybox rootfs, breaks one thing with jq, and
# checks the exit status and the exact JSON path and message of the finding.

load helpers

setup() {
    setup_tmp
    [ -x /bin/busybox ] || skip "needs /bin/busybox (busybox-static)"
    B="$TMP/bundle"
    make_spec_bundle "$B"
    mkdir -p "$B/rootfs/bin"
    cp /bin/busybox "$B/rootfs/bin/busybox"
    ln -s busybox "$B/rootfs/bin/sh"
    # A terminal is worth a warning of its own (see below); the other tests
    # start from a bundle that has no finding at all.
    update_config "$B" '.process.terminal = false'
}

check() {
    run berth_cmd check --bundle "$B" "$@"
}

# The index of the first linux.namespaces entry of type $1, or "null".
ns_index() {
    jq --arg t "$1" '.linux.namespaces | map(.type) | index($t)' "$B/config.json"
}

# Root leg: give the bundle the user namespace that rootless bundles have,
# mapping container ids 0-65535 to host ids 100000-165535.
add_userns() {
    is_root || return 0
    update_config "$B" '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# Replace the namespace of type $1 with one joined at path $2.
set_ns_path() {
    update_config "$B" --arg t "$1" --arg p "$2" \
        '.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] + [{"type": $t, "path": $p}])'
}

ensure_netns() {
    update_config "$B" 'if any(.linux.namespaces[]; .type == "network") then .
        else .linux.namespaces += [{"type": "network"}] end'
}

# "0" or "1": whether capability number $2 is set in the /proc/self/status field $1.
has_cap_bit() {
    local hex
    hex=$(awk -v f="$1:" '$1 == f { print $2 }' /proc/self/status)
    echo $(((16#$hex >> $2) & 1))
}

# The name of a capability this kernel has but the bounding set lacks, or "".
cap_outside_bounding_set() {
    local names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
        LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
        SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
        SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
        MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
        CHECKPOINT_RESTORE)
    local last i
    last=$(cat /proc/sys/kernel/cap_last_cap)
    for ((i = 0; i <= last && i < ${#names[@]}; i++)); do
        if [ "$(has_cap_bit CapBnd "$i")" = 0 ]; then
            echo "CAP_${names[i]}"
            return
        fi
    done
}

cgroup2_mount() {
    local d
    for d in /sys/fs/cgroup /sys/fs/cgroup/unified; do
        if [ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ]; then
            echo "$d"
            return
        fi
    done
}

# The user's /etc/subuid (or subgid, $1) range as "START COUNT", or nothing.
subid_range() {
    awk -F: -v u="$(id -un)" -v i="$(id -u)" '$1 == u || $1 == i { print $2, $3; exit }' "$1"
}

# ---- the command ----

@test "check: a clean bundle from berth spec passes as root" {
    requires_root
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: a clean bundle from berth spec --rootless passes unprivileged (legs rootless, rootless-subuid)" {
    requires_rootless
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: the bundle defaults to the current directory" {
    cd "$B"
    run berth_cmd check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: -b is --bundle" {
    run berth_cmd check -b "$B"
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: --help prints the usage" {
    run berth_cmd check --help
    assert_success
    assert_line --index 0 "Usage: berth check [OPTIONS]"
    assert_output --partial "--format FORMAT"
}

@test "check: an extra argument is a usage error" {
    run berth_cmd check --bundle "$B" extra
    assert_failure 2
    assert_output --partial "berth: check: unexpected argument 'extra'"
}

@test "check: an unknown --format is a usage error" {
    check --format xml
    assert_failure 2
    assert_output --partial "berth: check: --format: unknown format 'xml' (accepted: text, json)"
}

@test "check: a missing bundle directory fails" {
    run berth_cmd check --bundle "$TMP/nonexistent"
    assert_failure 1
    assert_output "berth: bundle '$TMP/nonexistent': No such file or directory"
}

@test "check: a bundle without config.json is a finding with a hint" {
    rm "$B/config.json"
    check
    assert_failure 1
    assert_line --index 0 "error: config.json: cannot read config.json in the bundle '$B': No such file or directory"
    assert_line --index 1 "  hint: berth spec writes a default one"
    assert_line --index 2 "check: 1 error, 0 warnings"
}

@test "check: JSON syntax errors are findings with line and column" {
    printf '{\n  "ociVersion": "1.3.0",\n  oops\n}\n' >"$B/config.json"
    check
    assert_failure 1
    assert_line --regexp '^error: config\.json: line 3, column [0-9]+: '
    assert_line "check: 1 error, 0 warnings"
}

@test "check: type errors are findings at their JSON path" {
    update_config "$B" '.process.cwd = 7 | .linux.namespaces[0].type = "pidd"'
    check
    assert_failure 1
    assert_line "error: config.json: process.cwd: expected a string, got a number"
    assert_line --partial 'error: config.json: linux.namespaces[0].type: unknown namespace "pidd"'
}

@test "check: --format json gives level, path, message and hint" {
    update_config "$B" '.root.path = "nope"'
    check --format json
    assert_failure 1
    run jq -c '.' <<<"$output"
    assert_success
    assert_output '[{"level":"error","path":"root.path","message":"'"'"'nope'"'"' does not exist (relative to the bundle directory)","hint":"create the root filesystem there, e.g. unpack an image with berth-image"}]'
}

@test "check: --format json of a clean bundle is an empty array" {
    check --format json
    assert_success
    run jq -c '.' <<<"$output"
    assert_output '[]'
}

@test "check: warnings alone keep exit status 0, with null hints in JSON" {
    update_config "$B" '.process.cwd = "/nonexistent"'
    check --format json
    assert_success
    run jq -r '.[0] | "\(.level) \(.path) \(.hint)"' <<<"$output"
    assert_output "warning process.cwd create it in the rootfs, or make sure a hook or mount provides it"
}

# ---- root and process ----

@test "check: root.path that does not exist is an error" {
    update_config "$B" '.root.path = "nope"'
    check
    assert_failure 1
    assert_line "error: config.json: root.path: 'nope' does not exist (relative to the bundle directory)"
    assert_line "  hint: create the root filesystem there, e.g. unpack an image with berth-image"
    assert_line "check: 1 error, 0 warnings"
}

@test "check: root.path that is a file is an error" {
    touch "$B/afile"
    update_config "$B" --arg p "$B/afile" '.root.path = $p'
    check
    assert_failure 1
    assert_line "error: config.json: root.path: '$B/afile' is not a directory"
}

@test "check: process.cwd missing from the rootfs is a warning" {
    update_config "$B" '.process.cwd = "/work"'
    check
    assert_success
    assert_line "warning: config.json: process.cwd: '/work' does not exist in the rootfs"
    assert_line "check: 0 errors, 1 warning"
}

@test "check: process.cwd that is a file in the rootfs is an error" {
    update_config "$B" '.process.cwd = "/bin/busybox"'
    check
    assert_failure 1
    assert_line "error: config.json: process.cwd: '/bin/busybox' is not a directory in the rootfs"
}

@test "check: process.cwd provided by a mount is not looked up in the rootfs" {
    update_config "$B" '.process.cwd = "/dev/shm/work"'
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: process.cwd is resolved inside the rootfs, not on the host" {
    # An absolute symlink in the image points at the host's /etc: inside the
    # rootfs it resolves to rootfs/etc, which does not exist.
    ln -s /etc "$B/rootfs/hostetc"
    update_config "$B" '.process.cwd = "/hostetc"'
    check
    assert_success
    assert_line "warning: config.json: process.cwd: '/hostetc' does not exist in the rootfs"
}

@test "check: process.args[0] not found in PATH is a warning" {
    update_config "$B" '.process.args = ["nosuchprog"]'
    check
    assert_success
    assert_line "warning: config.json: process.args[0]: 'nosuchprog' is not found in the rootfs in PATH /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    assert_line "  hint: put it in one of those directories, or give a full path"
}

@test "check: process.args[0] is searched in the PATH of process.env" {
    mkdir -p "$B/rootfs/opt/tools"
    ln -s /bin/busybox "$B/rootfs/opt/tools/tool"
    update_config "$B" '.process.args = ["tool"] | .process.env = ["PATH=/opt/tools"]'
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: without PATH in process.env args[0] is searched in /bin:/usr/bin" {
    update_config "$B" '.process.args = ["nosuchprog"] | .process.env = ["HOME=/"]'
    check
    assert_success
    assert_line "warning: config.json: process.args[0]: 'nosuchprog' is not found in the rootfs in PATH /bin:/usr/bin (PATH is not set in process.env)"
}

@test "check: an absolute process.args[0] missing from the rootfs is a warning" {
    update_config "$B" '.process.args = ["/usr/bin/app"]'
    check
    assert_success
    assert_line "warning: config.json: process.args[0]: '/usr/bin/app' does not exist in the rootfs"
}

@test "check: a relative process.args[0] with a slash is resolved from process.cwd" {
    update_config "$B" '.process.args = ["./sh"] | .process.cwd = "/bin"'
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: process.args[0] without an executable bit is an error" {
    printf 'data\n' >"$B/rootfs/bin/notes"
    chmod 0644 "$B/rootfs/bin/notes"
    update_config "$B" '.process.args = ["/bin/notes"]'
    check
    assert_failure 1
    assert_line "error: config.json: process.args[0]: '/bin/notes' is not executable in the rootfs (mode 0644)"
    assert_line "  hint: chmod +x it in the rootfs"
}

@test "check: process.args[0] that is a directory is an error" {
    mkdir "$B/rootfs/bin/adir"
    update_config "$B" '.process.args = ["/bin/adir"]'
    check
    assert_failure 1
    assert_line "error: config.json: process.args[0]: '/bin/adir' is a directory in the rootfs"
}

@test "check: a dynamic process.args[0] without its ELF interpreter in the rootfs is a warning" {
    local interp
    interp=$(readelf -l /bin/true 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    [ -n "$interp" ] || skip "/bin/true is not dynamically linked"
    cp /bin/true "$B/rootfs/bin/true"
    update_config "$B" '.process.args = ["true"]'
    check
    assert_success
    assert_line "warning: config.json: process.args[0]: '/bin/true' needs the ELF interpreter '$interp', which does not exist in the rootfs"
    assert_line "  hint: exec fails with 'no such file or directory' although the binary exists; copy the loader and libraries into the rootfs, or use a static binary"
}

@test "check: a process.args[0] built for another machine is a warning" {
    [ "$(uname -m)" = x86_64 ] || skip "the test binary is made for x86_64 hosts"
    # An ELF64 header for aarch64 (e_machine 183), no program headers.
    {
        printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000'
        printf '\002\000\267\000\001\000\000\000'
        head -c 40 /dev/zero
    } >"$B/rootfs/bin/armprog"
    chmod 0755 "$B/rootfs/bin/armprog"
    update_config "$B" '.process.args = ["armprog"]'
    check
    assert_success
    assert_line "warning: config.json: process.args[0]: '/bin/armprog' is built for aarch64, and this host runs x86_64"
    assert_line "  hint: exec fails with 'exec format error' unless binfmt_misc (qemu-user) handles it"
}

@test "check: a script whose interpreter is missing from the rootfs is a warning" {
    printf '#!/bin/bash -e\necho hi\n' >"$B/rootfs/bin/hello"
    chmod 0755 "$B/rootfs/bin/hello"
    update_config "$B" '.process.args = ["hello"]'
    check
    assert_success
    assert_line "warning: config.json: process.args[0]: '/bin/hello' needs the interpreter '/bin/bash', which does not exist in the rootfs"
}

@test "check: a script whose interpreter is in the rootfs passes" {
    printf '#!/bin/sh\necho hi\n' >"$B/rootfs/bin/hello"
    chmod 0755 "$B/rootfs/bin/hello"
    update_config "$B" '.process.args = ["hello"]'
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: process.terminal notes that create needs --console-socket" {
    update_config "$B" '.process.terminal = true'
    check
    assert_success
    assert_line "warning: config.json: process.terminal: the process gets a terminal: 'berth create' needs --console-socket to hand it over ('berth run' attaches it to its own)"
    assert_line "check: 0 errors, 1 warning"
}

@test "check: a bundle without process is an error" {
    update_config "$B" 'del(.process)'
    check
    assert_failure 1
    assert_line "error: config.json: process: berth needs a process to create a container"
}

# ---- namespaces ----

@test "check: hostname without a UTS namespace is an error" {
    update_config "$B" '.hostname = "web" | .linux.namespaces = [.linux.namespaces[] | select(.type != "uts")]'
    check
    assert_failure 1
    assert_line 'error: config.json: hostname: setting it needs a UTS namespace (add {"type": "uts"} to linux.namespaces)'
}

@test "check: berth needs a new mount namespace" {
    update_config "$B" '.linux.namespaces = [.linux.namespaces[] | select(.type != "mount")]'
    check
    assert_failure 1
    assert_line 'error: config.json: linux.namespaces: berth needs a new mount namespace (type "mount" without a path)'
}

@test "check: a namespace path that does not exist is an error" {
    set_ns_path ipc "$TMP/nonexistent"
    check
    assert_failure 1
    assert_line "error: config.json: linux.namespaces[$(ns_index ipc)].path: '$TMP/nonexistent' does not exist"
}

@test "check: a namespace path that is not a namespace file is an error" {
    touch "$TMP/plain"
    set_ns_path ipc "$TMP/plain"
    check
    assert_failure 1
    assert_line "error: config.json: linux.namespaces[$(ns_index ipc)].path: '$TMP/plain' is not a namespace file"
    assert_line "  hint: use a /proc/PID/ns file or a bind mount of one"
}

@test "check: a namespace path of another type is an error" {
    set_ns_path ipc /proc/self/ns/uts
    check
    assert_failure 1
    assert_line "error: config.json: linux.namespaces[$(ns_index ipc)].path: '/proc/self/ns/uts' is a uts namespace, not ipc"
}

@test "check: root may join a namespace of the host" {
    requires_root
    set_ns_path network /proc/self/ns/net
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: an unprivileged user cannot join a namespace of the host" {
    requires_rootless
    set_ns_path network /proc/self/ns/net
    check
    assert_failure 1
    assert_line "error: config.json: linux.namespaces[$(ns_index network)].path: berth cannot join the network namespace '/proc/self/ns/net': joining needs CAP_SYS_ADMIN in the user namespace that owns it"
}

@test "check: joining the user namespace berth runs in is an error" {
    update_config "$B" 'del(.linux.uidMappings, .linux.gidMappings)'
    set_ns_path user /proc/self/ns/user
    check
    assert_failure 1
    assert_line "error: config.json: linux.namespaces[$(ns_index user)].path: '/proc/self/ns/user' is the user namespace berth runs in, and the kernel refuses to enter it again"
}

@test "check: a time namespace with offsets passes where the kernel has time namespaces" {
    update_config "$B" '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"monotonic": {"secs": 86400}}'
    check
    if [ -e /proc/self/ns/time ]; then
        assert_success
        assert_output "check: 0 errors, 0 warnings"
    else
        assert_failure 1
        assert_line "error: config.json: linux.namespaces[$(ns_index time)].type: this kernel has no time namespaces (no '/proc/self/ns/time')"
    fi
}

@test "check: timeOffsets without a time namespace is an error" {
    update_config "$B" '.linux.timeOffsets = {"monotonic": {"secs": 86400}}'
    check
    assert_failure 1
    assert_line 'error: config.json: linux.timeOffsets: needs a time namespace (add {"type": "time"} to linux.namespaces)'
}

@test "check: a network device that the host does not have is an error" {
    ensure_netns
    update_config "$B" '.linux.netDevices = {"berth-nosuch0": {}}'
    check
    assert_failure 1
    assert_line "error: config.json: linux.netDevices[\"berth-nosuch0\"]: there is no network interface 'berth-nosuch0' on this host"
}

@test "check: an unprivileged user cannot move a network device" {
    requires_rootless
    local dev
    dev=$(ls /sys/class/net | grep -vx lo | head -n 1)
    [ -n "$dev" ] || skip "no network interface besides lo"
    ensure_netns
    update_config "$B" --arg d "$dev" '.linux.netDevices = {($d): {}}'
    check
    assert_failure 1
    assert_line --partial ": moving the interface '$dev' into the container needs CAP_NET_ADMIN in this network namespace, which berth does not have"
}

# ---- user namespaces and id mappings ----

@test "check: a new user namespace without mappings is an error" {
    add_userns
    update_config "$B" 'del(.linux.uidMappings, .linux.gidMappings)'
    check
    assert_failure 1
    assert_line "error: config.json: linux.namespaces[$(ns_index user)]: berth does not make up id mappings: a new user namespace needs linux.uidMappings and linux.gidMappings"
    assert_line "  hint: berth spec --rootless writes mappings of your own uid and gid"
}

@test "check: mappings without a user namespace are an error" {
    update_config "$B" '.linux.namespaces = [.linux.namespaces[] | select(.type != "user")]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 10}]'
    check
    assert_failure 1
    assert_line 'error: config.json: linux.uidMappings: needs a user namespace (add {"type": "user"} to linux.namespaces)'
    assert_line 'error: config.json: linux.gidMappings: needs a user namespace (add {"type": "user"} to linux.namespaces)'
}

@test "check: an unprivileged user needs a user namespace" {
    requires_rootless
    update_config "$B" '.linux.namespaces = [.linux.namespaces[] | select(.type != "user")]
        | del(.linux.uidMappings, .linux.gidMappings)'
    check
    assert_failure 1
    assert_line "error: config.json: linux.namespaces: an unprivileged user (uid $(id -u)) can only run a container in a user namespace, and none is listed"
    assert_line "  hint: berth spec --rootless writes a config with one"
}

@test "check: root may map any host ids" {
    requires_root
    add_userns
    update_config "$B" '.root.readonly = true'
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: subordinate ids need /etc/subuid and /etc/subgid ranges (legs rootless, rootless-subuid)" {
    requires_rootless
    local user uid us un gs gn
    user=$(id -un) uid=$(id -u)
    if [ "$BERTH_TEST_LEG" = rootless-subuid ]; then
        read -r us un < <(subid_range /etc/subuid)
        read -r gs gn < <(subid_range /etc/subgid)
        [ -n "$un" ] && [ -n "$gn" ] || fail "leg rootless-subuid, but '$user' has no range in /etc/subuid or /etc/subgid"
    else
        [ -z "$(subid_range /etc/subuid)" ] || skip "'$user' has an /etc/subuid range"
        us=100000 un=65536 gs=100000 gn=65536
    fi
    update_config "$B" --argjson us "$us" --argjson un "$un" --argjson gs "$gs" --argjson gn "$gn" \
        '.linux.uidMappings += [{"containerID": 1, "hostID": $us, "size": $un}]
        | .linux.gidMappings += [{"containerID": 1, "hostID": $gs, "size": $gn}]'
    check
    if [ "$BERTH_TEST_LEG" = rootless-subuid ]; then
        assert_success
        assert_output "check: 0 errors, 0 warnings"
    else
        assert_failure 1
        assert_line "error: config.json: linux.uidMappings[1]: host uids 100000-165535 are not delegated to user '$user' (uid $uid) in /etc/subuid"
        assert_line "  hint: as root: usermod --add-subuids 100000-165535 $user; or map only your own id (berth spec --rootless)"
        assert_line "error: config.json: linux.gidMappings[1]: host gids 100000-165535 are not delegated to user '$user' (uid $uid) in /etc/subgid"
        assert_line "check: 2 errors, 0 warnings"
    fi
}

@test "check: a range beyond the user's /etc/subuid range is an error in every rootless leg" {
    requires_rootless
    local user uid
    user=$(id -un) uid=$(id -u)
    update_config "$B" '.linux.uidMappings += [{"containerID": 1, "hostID": 4000000000, "size": 10}]'
    check
    assert_failure 1
    assert_line "error: config.json: linux.uidMappings[1]: host uids 4000000000-4000000009 are not delegated to user '$user' (uid $uid) in /etc/subuid"
}

@test "check: mapping more than your own id needs newuidmap" {
    requires_rootless
    update_config "$B" '.linux.uidMappings += [{"containerID": 1, "hostID": 100000, "size": 10}]'
    run env PATH="$TMP/empty" "$BERTH" --root "$ROOT" check --bundle "$B"
    assert_failure 1
    assert_line "error: config.json: linux.uidMappings[1]: mapping host uids 100000-100009 needs newuidmap, which is not installed"
    assert_line "  hint: install the uidmap package, or map only your own id (berth spec --rootless)"
}

@test "check: additional gids with only your own gid mapped are an error" {
    requires_rootless
    update_config "$B" '.process.user.additionalGids = [0]'
    check
    assert_failure 1
    assert_line "error: config.json: process.user.additionalGids: setgroups is denied in a user namespace whose only gid mapping is your own gid, so additional gids cannot be set"
}

@test "check: process.user ids that are not mapped are errors" {
    add_userns
    update_config "$B" '.process.user.uid = 70000 | .process.user.additionalGids = [0, 80000]'
    check
    assert_failure 1
    local uids
    uids=$(jq -r '.linux.uidMappings | map(if .size == 1 then "\(.containerID)" else "\(.containerID)-\(.containerID + .size - 1)" end) | join(", ")' "$B/config.json")
    assert_line "error: config.json: process.user.uid: uid 70000 is not mapped in the user namespace (container uids mapped: $uids)"
    assert_line "error: config.json: process.user.additionalGids[1]: gid 80000 is not mapped in the user namespace (container gids mapped: $uids)"
}

@test "check: a writable rootfs owned by an unmapped host uid is a warning" {
    requires_root
    add_userns
    update_config "$B" '.root.readonly = false'
    check
    assert_success
    assert_line "warning: config.json: root.path: 'rootfs' is owned by host uid 0, which is not mapped in the user namespace: inside it belongs to nobody and root cannot write to it"
}

# ---- process limits and privileges ----

@test "check: a capability outside the bounding set is a warning" {
    local cap
    cap=$(cap_outside_bounding_set)
    [ -n "$cap" ] || skip "every capability is in the bounding set here"
    update_config "$B" --arg c "$cap" '.process.capabilities.bounding += [$c] | .process.capabilities.permitted += [$c]'
    check
    assert_success
    assert_line "warning: config.json: process.capabilities.bounding[3]: $cap is not in the capability bounding set here, so it cannot be granted"
    assert_line "  hint: the container runs without it; remove it to silence this"
    # once per capability, at its first occurrence
    run grep -c "$cap is not in the capability bounding set" <<<"$output"
    assert_output 1
}

@test "check: an rlimit hard limit above the current one without CAP_SYS_RESOURCE is an error" {
    local hard
    [ "$(has_cap_bit CapEff 24)" = 0 ] || skip "berth has CAP_SYS_RESOURCE here"
    hard=$(ulimit -Hn)
    [ "$hard" != unlimited ] || skip "the hard RLIMIT_NOFILE is unlimited"
    update_config "$B" --argjson h "$((hard + 1))" '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $h}]'
    check
    assert_failure 1
    assert_line "error: config.json: process.rlimits[0].hard: RLIMIT_NOFILE $((hard + 1)) is above the current hard limit $hard, and raising a hard limit needs CAP_SYS_RESOURCE, which berth does not have here"
    assert_line "  hint: lower it to $hard or less"
}

@test "check: an rlimit at the current hard limit passes" {
    local hard
    hard=$(ulimit -Hn)
    [ "$hard" != unlimited ] || skip "the hard RLIMIT_NOFILE is unlimited"
    update_config "$B" --argjson h "$hard" '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $h}]'
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: RLIMIT_NOFILE above fs.nr_open is an error" {
    local max
    max=$(cat /proc/sys/fs/nr_open)
    update_config "$B" --argjson h "$((max + 1))" '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $h}]'
    check
    assert_failure 1
    assert_line "error: config.json: process.rlimits[0].hard: RLIMIT_NOFILE $((max + 1)) is above the kernel's fs.nr_open ($max)"
}

@test "check: lowering oomScoreAdj without CAP_SYS_RESOURCE is a warning" {
    local cur
    [ "$(has_cap_bit CapEff 24)" = 0 ] || skip "berth has CAP_SYS_RESOURCE here"
    cur=$(cat /proc/self/oom_score_adj)
    [ "$cur" -gt -1000 ] || skip "oom_score_adj is already -1000"
    update_config "$B" --argjson v "$((cur - 1))" '.process.oomScoreAdj = $v'
    check
    assert_success
    assert_line "warning: config.json: process.oomScoreAdj: $((cur - 1)) is below the current oom_score_adj ($cur), and lowering it needs CAP_SYS_RESOURCE, which berth does not have here: the kernel may refuse it"
}

@test "check: apparmorProfile on a host without AppArmor is a warning" {
    [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ] || skip "AppArmor is enabled here"
    update_config "$B" '.process.apparmorProfile = "berth-default"'
    check
    assert_success
    assert_line "warning: config.json: process.apparmorProfile: AppArmor is not enabled on this host, so berth ignores the profile 'berth-default'"
    assert_line "  hint: the process runs unconfined"
}

@test "check: SELinux labels on a host without SELinux are warnings" {
    [ ! -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled here"
    update_config "$B" '.process.selinuxLabel = "system_u:system_r:container_t:s0" | .linux.mountLabel = "system_u:object_r:container_file_t:s0"'
    check
    assert_success
    assert_line "warning: config.json: process.selinuxLabel: SELinux is not enabled on this host, so berth ignores the label 'system_u:system_r:container_t:s0'"
    assert_line "warning: config.json: linux.mountLabel: SELinux is not enabled on this host, so berth ignores the label 'system_u:object_r:container_file_t:s0'"
    assert_line "check: 0 errors, 2 warnings"
}

# ---- hooks ----

@test "check: hooks that do not exist or cannot run are errors" {
    printf '#!/bin/sh\n' >"$TMP/hook"
    chmod 0644 "$TMP/hook"
    update_config "$B" --arg h "$TMP/hook" --arg n "$TMP/nonexistent" \
        '.hooks = {"prestart": [{"path": $n}], "createRuntime": [{"path": $h}], "startContainer": [{"path": "/bin/nothere"}]}'
    check
    assert_failure 1
    assert_line "error: config.json: hooks.prestart[0].path: '$TMP/nonexistent' does not exist"
    assert_line "error: config.json: hooks.createRuntime[0].path: '$TMP/hook' is not executable (mode 0644)"
    assert_line "warning: config.json: hooks.startContainer[0].path: '/bin/nothere' does not exist in the rootfs"
}

# ---- mounts and devices ----

@test "check: a bind mount source that does not exist is an error, relative to the bundle" {
    update_config "$B" '.mounts += [{"destination": "/data", "type": "bind", "source": "data", "options": ["rbind"]}]'
    check
    assert_failure 1
    assert_line "error: config.json: mounts[7].source: 'data' does not exist on the host (relative to the bundle directory)"
    mkdir "$B/data"
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: a bind mount of a directory onto a file in the rootfs is an error" {
    mkdir "$TMP/dir"
    update_config "$B" --arg s "$TMP/dir" '.mounts += [{"destination": "/bin/busybox", "source": $s, "options": ["bind"]}]'
    check
    assert_failure 1
    assert_line "error: config.json: mounts[7].destination: '/bin/busybox' is not a directory in the rootfs, and the source '$TMP/dir' is one"
}

@test "check: a filesystem type the kernel does not know is an error" {
    update_config "$B" '.mounts += [{"destination": "/x", "type": "typo-fs", "source": "none"}]'
    check
    assert_failure 1
    assert_line "error: config.json: mounts[7].type: filesystem type 'typo-fs' is not known to this kernel, and no module provides it"
    assert_line "  hint: see /proc/filesystems for the types this kernel knows"
}

@test "check: args[0] provided by a mount is not looked up in the rootfs" {
    mkdir "$TMP/tools"
    update_config "$B" --arg s "$TMP/tools" '.mounts += [{"destination": "/opt/tools", "source": $s, "options": ["rbind"]}]
        | .process.args = ["/opt/tools/run"]'
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

@test "check: sysfs in a user namespace without a network namespace is a warning" {
    add_userns
    update_config "$B" '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")]
        | .mounts = [.mounts[] | select(.destination != "/sys")] + [{"destination": "/sys", "type": "sysfs", "source": "sysfs"}]'
    check
    assert_success
    assert_line "warning: config.json: mounts[6].type: sysfs cannot be mounted in a user namespace without a new network namespace, so berth bind-mounts the host's /sys instead"
}

@test "check: proc in a user namespace without a pid namespace is an error" {
    add_userns
    update_config "$B" '.linux.namespaces = [.linux.namespaces[] | select(.type != "pid")]'
    check
    assert_failure 1
    assert_line "error: config.json: mounts[0].type: proc cannot be mounted in a new user namespace without a new pid namespace (the kernel refuses it, and berth has no fallback)"
}

@test "check: a block filesystem in a user namespace is a warning" {
    add_userns
    update_config "$B" '.mounts += [{"destination": "/data", "type": "ext4", "source": "/dev/nonexistent"}]'
    check
    assert_success
    assert_line "warning: config.json: mounts[7].type: 'ext4' filesystems cannot be mounted inside a user namespace"
}

@test "check: devices in a user namespace are bind-mounted from the host, which must have them" {
    add_userns
    update_config "$B" '.linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3},
        {"path": "/dev/berth-nonexistent", "type": "c", "major": 1, "minor": 99}]'
    check
    assert_failure 1
    assert_line "warning: config.json: linux.devices: in a user namespace devices cannot be created, so berth bind-mounts them from the host"
    assert_line "error: config.json: linux.devices[1].path: '/dev/berth-nonexistent' does not exist on the host: No such file or directory"
    assert_line "check: 1 error, 1 warning"
}

@test "check: devices are created by root without a user namespace" {
    requires_root
    update_config "$B" '.linux.devices = [{"path": "/dev/berth-nonexistent", "type": "c", "major": 1, "minor": 99}]'
    check
    assert_success
    assert_output "check: 0 errors, 0 warnings"
}

# ---- seccomp ----

@test "check: seccomp syscalls unknown to libseccomp are warnings" {
    update_config "$B" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["getcwd", "berth_nosuch"], "action": "SCMP_ACT_ERRNO"},
        {"names": ["berth_a", "berth_b"], "action": "SCMP_ACT_ERRNO"}]}'
    check
    assert_success
    assert_line --regexp "^warning: config\.json: linux\.seccomp\.syscalls\[0\]\.names\[1\]: libseccomp [0-9.]+ does not know the syscall 'berth_nosuch', so it is skipped$"
    assert_line --regexp "^warning: config\.json: linux\.seccomp\.syscalls\[1\]\.names: libseccomp [0-9.]+ does not know the syscalls 'berth_a', 'berth_b', so they are skipped$"
}

@test "check: a seccomp architecture libseccomp cannot resolve is an error" {
    run berth_cmd features
    assert_success
    if jq -e '.linux.seccomp.archs | index("SCMP_ARCH_LOONGARCH64")' <<<"$output" >/dev/null; then
        skip "this libseccomp knows SCMP_ARCH_LOONGARCH64"
    fi
    update_config "$B" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_LOONGARCH64"]}'
    check
    assert_failure 1
    assert_line --regexp "^error: config\.json: linux\.seccomp\.architectures\[1\]: libseccomp [0-9.]+ does not support the architecture SCMP_ARCH_LOONGARCH64$"
}

@test "check: seccomp flags need the kernel only, as create (berth passes them to seccomp(2))" {
    # WAIT_KILLABLE_RECV needs libseccomp 2.6 to be set through libseccomp;
    # berth loads the filter itself, so create and check take it with any.
    local flags
    flags=$(berth_cmd features | jq -c '.linux.seccomp.supportedFlags')
    jq -e 'index("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV")' <<<"$flags" >/dev/null ||
        skip "this kernel does not support SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
    update_config "$B" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]}'
    check
    assert_success
    refute_output --partial "linux.seccomp"
}

@test "check: a seccomp listener socket that does not exist is an error" {
    update_config "$B" --arg p "$TMP/agent.sock" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $p,
        "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
    check
    assert_failure 1
    assert_line "error: config.json: linux.seccomp.listenerPath: '$TMP/agent.sock' does not exist: No such file or directory"
}

# ---- cgroups ----

@test "check: a resource whose controller cgroup v2 lacks is an error (root)" {
    requires_root
    local mnt ctrl
    mnt=$(cgroup2_mount)
    [ -n "$mnt" ] || skip "no cgroup v2 hierarchy here"
    for ctrl in memory pids io cpu; do
        grep -qw "$ctrl" "$mnt/cgroup.controllers" || break
    done
    ! grep -qw "$ctrl" "$mnt/cgroup.controllers" || skip "every controller is in cgroup v2 here"
    case $ctrl in
    memory) update_config "$B" '.linux.resources.memory = {"limit": 100000000}' ;;
    pids) update_config "$B" '.linux.resources.pids = {"limit": 100}' ;;
    io) update_config "$B" '.linux.resources.blockIO = {"weight": 100}' ;;
    cpu) update_config "$B" '.linux.resources.cpu = {"shares": 512}' ;;
    esac
    local field
    case $ctrl in
    memory) field=memory.limit ;;
    pids) field=pids.limit ;;
    io) field=blockIO.weight ;;
    cpu) field=cpu.shares ;;
    esac
    check
    assert_failure 1
    assert_line --regexp "^error: config\.json: linux\.resources\.${field//./\\.}: the $ctrl controller is not available in the cgroup v2 hierarchy at '$mnt' \(available: .*\)"
}

@test "check: a unified key of a missing controller is an error (root)" {
    requires_root
    local mnt
    mnt=$(cgroup2_mount)
    [ -n "$mnt" ] || skip "no cgroup v2 hierarchy here"
    ! grep -qw memory "$mnt/cgroup.controllers" || skip "the memory controller is in cgroup v2 here"
    update_config "$B" '.linux.resources.unified = {"memory.max": "100000000"}'
    check
    assert_failure 1
    assert_line "error: config.json: linux.resources.unified[\"memory.max\"]: the memory controller is not available in the cgroup v2 hierarchy at '$mnt'"
}

@test "check: resources without a delegated cgroup are a warning (rootless)" {
    requires_rootless
    local mnt own parent dir
    mnt=$(cgroup2_mount)
    [ -n "$mnt" ] || skip "no cgroup v2 hierarchy here"
    # Containers go under the parent of berth's own cgroup (runc's rule),
    # in its "berth" child when there is one.
    own=$(sed -n 's/^0:://p' /proc/self/cgroup)
    parent=$(dirname "$own")
    [ "$parent" = / ] && parent=
    dir=$mnt$parent
    [ -d "$dir/berth" ] && dir=$dir/berth
    [ ! -w "$dir/cgroup.procs" ] || skip "'$dir' is delegated to $(id -un)"
    update_config "$B" '.linux.resources = {"pids": {"limit": 100}}'
    check
    assert_success
    assert_line "warning: config.json: linux.resources: the cgroup '$dir' is not delegated to uid $(id -u), so berth runs the container without a cgroup and none of these limits is applied"
    update_config "$B" '.linux.cgroupsPath = "/berth-check-test"'
    check
    assert_failure 1
    assert_line "error: config.json: linux.cgroupsPath: berth cannot create the cgroup '/berth-check-test': '$mnt' is not delegated to uid $(id -u)"
}

# ---- sysctl ----

@test "check: a sysctl that is not namespaced is an error" {
    update_config "$B" '.linux.sysctl = {"kernel.panic": "10"}'
    check
    assert_failure 1
    assert_line 'error: config.json: linux.sysctl["kernel.panic"]: "kernel.panic" is not namespaced: setting it would change the host'
}

@test "check: a net sysctl without a network namespace is an error" {
    update_config "$B" '.linux.namespaces = [.linux.namespaces[] | select(.type != "network")]
        | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
    check
    assert_failure 1
    assert_line 'error: config.json: linux.sysctl["net.ipv4.ip_forward"]: needs a network namespace (add {"type": "network"} to linux.namespaces)'
}

@test "check: a namespaced sysctl that this host does not have is a warning" {
    ensure_netns
    update_config "$B" '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.ipv4.berth_nosuch": "1", "kernel.shmmax": "1000"}'
    check
    assert_success
    assert_line "warning: config.json: linux.sysctl[\"net.ipv4.berth_nosuch\"]: sysctl net.ipv4.berth_nosuch does not exist on this host ('/proc/sys/net/ipv4/berth_nosuch')"
    assert_line "check: 0 errors, 1 warning"
}
