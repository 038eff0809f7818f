#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# buildah drives berth: `buildah bud --runtime` runs each RUN step of a
# Containerfile as a container (create, start, delete with berth), with a
# private store in a temporary directory.  As root only.

load engine-helpers

setup_file() {
    BH_SKIP=
    if [ "$(id -u)" != 0 ]; then
        BH_SKIP="the buildah suite runs as root only"
    elif ! command -v buildah >/dev/null; then
        BH_SKIP="buildah is not installed (tests/install-deps)"
    fi
    export BH_SKIP
    [ -z "$BH_SKIP" ] || return 0
    BH=$(mktemp -d /tmp/berth-buildah.XXXXXX)
    export BH
    engine_build_image "$BH/image"
}

teardown_file() {
    [ -n "${BH:-}" ] || return 0
    case $BH in
    /tmp/berth-buildah.*) ;;
    *) return 0 ;;
    esac
    bh rm -a >/dev/null 2>&1
    bh rmi -a -f >/dev/null 2>&1
    engine_final_cleanup "$BH/runtime" "$BH"
}

setup() {
    [ -z "${BH_SKIP:-}" ] || skip "$BH_SKIP"
}

bh() {
    buildah --root "$BH/root" --runroot "$BH/runroot" --storage-driver vfs "$@"
}

@test "buildah bud: RUN steps run through berth; ambient-only capabilities are a warning" {
    mkdir -p "$BH/ctx"
    cat >"$BH/ctx/Containerfile" <<CONTAINERFILE
FROM docker-archive:$BH/image/docker-archive.tar
RUN echo built by berth >/hello && mkdir /made && id -u
RUN cat /hello && test -d /made
CONTAINERFILE
    run bh bud --runtime "$BERTH" --runtime-flag "root=$BH/runtime" --isolation oci \
        --network none --cgroup-manager cgroupfs -t bh-test:1 "$BH/ctx"
    assert_success
    assert_line "built by berth"
    # buildah asks for ambient capabilities that are not inheritable: the
    # kernel would refuse them, so berth leaves them out and says so
    # (runtime-spec config.md "capabilities": warn, do not fail).
    assert_output --partial "process.capabilities.ambient:"
    run bh from --name bh-c bh-test:1
    assert_success
    run bh run --runtime "$BERTH" --runtime-flag "root=$BH/runtime" --isolation oci \
        --network none --cgroup-manager cgroupfs bh-c -- cat /hello
    assert_success
    assert_line "built by berth"
    # Every container is gone from berth's state root.
    run find "$BH/runtime" -mindepth 1 -maxdepth 1 -type d ! -name 'seccomp@cache'
    assert_output ""
}
