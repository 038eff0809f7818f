# SPDX-License-Identifier: Apache-2.0
# Shared setup for the berth-image suites (image-*.bats), loaded after
# helpers.bash.  Fixtures come from tests/image/mkimage.py; $BERTH_IMAGE is
# the binary under test (default: berth-image beside $BERTH, in
# $BERTH_BUILD).

: "${BERTH_BUILD:=$(dirname "$BERTH")}"
: "${BERTH_IMAGE:=$BERTH_BUILD/berth-image}"
export BERTH_IMAGE
MKIMAGE="$BATS_TEST_DIRNAME/../image/mkimage.py"

# Fail (in setup_file: every test of the file) when berth-image is missing:
# `make bats` builds it, and a suite that skips would hide that.
require_berth_image() {
    if [ ! -x "$BERTH_IMAGE" ]; then
        echo "berth-image is not built: '$BERTH_IMAGE' (make, or set BERTH_IMAGE)" >&2
        return 1
    fi
}

# tests/image/mkimage.py, with the python3 of the system (the test users
# have no other).
mkimage() {
    python3 "$MKIMAGE" "$@"
}

# berth-image with a time limit.
bimg() {
    timeout 60 "$BERTH_IMAGE" "$@"
}

# Whether this user has an /etc/subuid and an /etc/subgid range, and the
# tools to use them: berth-image then extracts in a user namespace mapped
# with them, and owners are real.
has_subids() {
    local u uid
    is_root && return 1
    u=$(id -un) uid=$(id -u)
    grep -qE "^($u|$uid):" /etc/subuid 2>/dev/null &&
        grep -qE "^($u|$uid):" /etc/subgid 2>/dev/null &&
        command -v newuidmap >/dev/null && command -v newgidmap >/dev/null
}

# Run a command where every file of a rootless-with-subids bundle can be
# read and removed: in a user namespace mapping us to root and our
# subordinate ranges after that (unshare --map-auto).  Elsewhere it just
# runs the command.
as_owner() {
    if has_subids; then
        unshare --map-root-user --map-auto -- "$@"
    else
        "$@"
    fi
}

# Remove a directory that may hold an unpacked rootfs: files owned by
# subordinate ids, directories without write permission.
image_rm() {
    local d
    for d in "$@"; do
        [ -e "$d" ] || [ -L "$d" ] || continue
        if has_subids; then
            # Root of the namespace may remove what any mapped id owns.
            unshare --map-root-user --map-auto -- rm -rf -- "$d" 2>/dev/null && continue
        fi
        rm -rf -- "$d" 2>/dev/null && continue
        chmod -R u+rwX -- "$d" 2>/dev/null
        rm -rf -- "$d"
    done
}

# The tree of ROOTFS (see `mkimage.py tree`), owners as the container sees
# them when CONFIG (a bundle's config.json with id mappings) is given.
image_tree() {
    local root=$1 config=${2:-}
    if [ -n "$config" ]; then
        as_owner python3 "$MKIMAGE" tree --config "$config" "$root"
    else
        as_owner python3 "$MKIMAGE" tree "$root"
    fi
}

# The tree of BUNDLE/rootfs with container owners (through BUNDLE/config.json).
bundle_tree() {
    image_tree "$1/rootfs" "$1/config.json"
}

# A field of mkimage's summary: summary_get SUMMARY JQ-FILTER
summary_get() {
    jq -er "$2" "$1"
}

# The digest of layer I of image NAME in SUMMARY.
layer_digest() {
    jq -er --arg n "$2" --argjson i "$3" '.images[$n].layers[$i].digest' "$1"
}

# A listing of everything under DIR (paths, types, modes, sizes, link
# counts, times, link targets and a hash of each file), to show that a
# failed or malicious unpack changed nothing there.
dir_snapshot() {
    local dir=$1
    (
        cd "$dir" || exit 1
        find . -printf '%p %y %m %U:%G %s %n %T@ %l\n' | LC_ALL=C sort
        find . -type f -exec sha256sum {} + | LC_ALL=C sort
    )
}

# Assert that DIR holds exactly the names given (no bundle, no temporary
# directory beside it).  Usage: assert_only_entries DIR [NAME...]
assert_only_entries() {
    local dir=$1 got want
    shift
    got=$(ls -A "$dir" | LC_ALL=C sort | tr '\n' ' ')
    want=$(printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ')
    if [ "$got" != "$want" ]; then
        echo "'$dir' holds: '$got'; expected: '$want'" >&2
        ls -lA "$dir" >&2
        return 1
    fi
}

# Assert that a failed unpack said why, once, in berth-image's format: exit
# status 1 and every stderr line starting "berth-image: ".  Reads $status
# and $stderr of `run --separate-stderr`.
assert_unpack_failed() {
    if [ "$status" -ne 1 ]; then
        echo "exit status $status, expected 1; stderr: $stderr" >&2
        return 1
    fi
    if [ -z "$stderr" ]; then
        echo "no error message on stderr" >&2
        return 1
    fi
    if grep -v '^berth-image: ' <<<"$stderr" | grep -q .; then
        echo "stderr lines without the 'berth-image: ' prefix: $stderr" >&2
        return 1
    fi
}

# Assert that $stderr contains every string given.
assert_stderr_has() {
    local s
    for s in "$@"; do
        if [[ "$stderr" != *"$s"* ]]; then
            echo "stderr does not name '$s': $stderr" >&2
            return 1
        fi
    done
}

# The expected owner of a file a layer gave to container id ID, as listed by
# bundle_tree: the id itself as root and with subordinate ids (owners are
# real), 0 without them (everything belongs to the user, the container's
# root).
expected_owner() {
    if is_root || has_subids; then
        echo "$1"
    else
        echo 0
    fi
}

# The value of extended attribute NAME of FILE (not following a symlink),
# in hex.
xattr_hex() {
    python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).hex())' "$1" "$2"
}

# The bundle config's process.terminal off, so that `berth run` and `runc
# run` work without a terminal.
no_terminal() {
    update_config "$1" '.process.terminal = false'
}

# Run BUNDLE with runc (as `runc --root DIR run -b BUNDLE ID`, detached from
# the test's terminal).  Usage: run runc_run ID BUNDLE
runc_run() {
    local id=$1 bundle=$2
    timeout 60 setsid -w runc --root "$TMP/runc" run -b "$bundle" "$id" </dev/null
}
