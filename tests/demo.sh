#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# berth in one command, on a fresh Debian 12: install the packages
# (tests/install-deps, through sudo when not root), build, and show what berth
# does: write a bundle's config.json, check it, break it and see the error
# with its JSON path, list the features, then build a small busybox image
# offline, unpack it with berth-image and run it with berth (rootless when
# run without root).
#
#   tests/demo.sh          (or: make quickstart)
#
# It leaves the build in build/ and removes its demo bundles and image.
set -eu

cd "$(dirname "$0")/.."

if [ -t 1 ]; then
    bold=$(printf '\033[1m') plain=$(printf '\033[0m')
else
    bold='' plain=''
fi
step() {
    printf '\n%s== %s%s\n' "$bold" "$*" "$plain"
}

# Show a command, then run it.
show() {
    printf '$ %s\n' "$*"
    "$@"
}

step "installing the Debian packages berth needs"
tests/install-deps

step "building"
make -j"$(nproc)" >/dev/null
BERTH=$PWD/build/berth
BERTH_IMAGE=$PWD/build/berth-image
echo "built $BERTH and $BERTH_IMAGE"
show "$BERTH" --version

DEMO=$(mktemp -d "${TMPDIR:-/tmp}/berth-demo.XXXXXX")
# A rootless image bundle holds files owned by subordinate ids, which only
# berth-image remove can delete.
trap '"$BERTH_IMAGE" remove "$DEMO/web" 2>/dev/null; rm -rf "$DEMO"' EXIT
B=$DEMO/bundle
mkdir -p "$B/rootfs/bin"
# A root filesystem with a shell: busybox-static, one binary, no libraries.
cp /bin/busybox "$B/rootfs/bin/busybox"
ln -s busybox "$B/rootfs/bin/sh"

if [ "$(id -u)" = 0 ]; then
    rootless=
else
    # An unprivileged user's spec: a user namespace mapping the user's own id.
    rootless=--rootless
fi

step "writing a config.json (berth spec)"
show "$BERTH" spec $rootless --bundle "$B"
jq -c '{ociVersion, process: {args: .process.args, user: .process.user},
        namespaces: [.linux.namespaces[].type]}' "$B/config.json"
echo "Make it run a command without a terminal:"
jq '.process.terminal = false
    | .process.args = ["sh", "-c", "echo hello from $(hostname), pid $$, uid $(id -u)"]' \
    "$B/config.json" >"$B/config.json.new"
mv "$B/config.json.new" "$B/config.json"
jq -c '.process | {terminal, args}' "$B/config.json"

step "checking the bundle (berth check)"
show "$BERTH" check --bundle "$B"
echo "exit status $?: the bundle would run here"

step "breaking it: a misspelt namespace and a negative rlimit"
cp "$B/config.json" "$DEMO/config.json.good"
jq '.linux.namespaces[1].type = "pidd" | .process.rlimits[0].soft = -1' \
    "$DEMO/config.json.good" >"$B/config.json"
status=0
show "$BERTH" check --bundle "$B" || status=$?
echo "exit status $status: every problem named by its JSON path in config.json"
[ "$status" = 1 ] || {
    echo "demo: expected 'berth check' to fail with status 1" >&2
    exit 1
}

step "what this build supports (berth features, summarised with jq)"
printf '$ %s features | jq ...\n' "$BERTH"
"$BERTH" features | jq -c '{ociVersionMax, namespaces: .linux.namespaces,
    capabilities: (.linux.capabilities | length), seccomp: .linux.seccomp.enabled}'

step "running a container (berth run): busybox sh in its own namespaces"
cp "$DEMO/config.json.good" "$B/config.json"
show "$BERTH" --root "$DEMO/state" run --bundle "$B" berth-demo </dev/null
echo "exit status $?: the container's own"

step "building a small OCI image offline, from Debian's busybox-static"
show python3 tests/image/mkimage.py busybox "$DEMO/image" >/dev/null
show "$BERTH_IMAGE" inspect "oci:$DEMO/image:latest"

step "unpacking it into a bundle (berth-image unpack): digests checked, config.json made"
show "$BERTH_IMAGE" unpack "oci:$DEMO/image:latest" "$DEMO/web" -- \
    sh -c 'echo "hello from an image: $(busybox | head -1), uid $(id -u)"'
jq -c '{args: .process.args, user: .process.user, uidMappings: .linux.uidMappings}' "$DEMO/web/config.json"

step "running the image's bundle (berth run)"
show "$BERTH" --root "$DEMO/state" run --bundle "$DEMO/web" berth-image-demo </dev/null
echo "exit status $?: the container's own"

step "done"
echo "Next: 'make check' runs every test (as root for all three legs), 'man -l man/berth.8' reads the manual."
