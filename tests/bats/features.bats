#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `berth features`: the runtime-spec Features structure (features.md,
# features-linux.md), checked against the spec's schema and against what
# berth and libseccomp really do.

load helpers

setup() {
    setup_tmp
    SRC=${BERTH_SRC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
    SCHEMA_DIR=$SRC/tests/data/schema
}

# Run `berth features` into $TMP/features.json, failing on any stderr output.
features_json() {
    "$BERTH" features >"$TMP/features.json" 2>"$TMP/features.err" || {
        cat "$TMP/features.err" >&2
        return 1
    }
    if [ -s "$TMP/features.err" ]; then
        echo "berth features wrote to stderr:" >&2
        cat "$TMP/features.err" >&2
        return 1
    fi
}

# The jq value of filter $1 over the features document, compact.
fj() {
    jq -c "$1" "$TMP/features.json"
}

requires_jsonschema() {
    /usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
        skip "python3-jsonschema is not installed (tests/install-deps installs it)"
}

requires_dpkg_query() {
    command -v dpkg-query >/dev/null || skip "dpkg-query is not available"
}

# The libseccomp the binary runs with, "MAJOR.MINOR", from the package database.
libseccomp_major_minor() {
    dpkg-query -W -f='${Version}' libseccomp2 | sed -E 's/^([0-9]+:)?([0-9]+)\.([0-9]+).*/\2.\3/'
}

# Is version $1 (MAJOR.MINOR) at least $2 (MAJOR.MINOR)?
version_ge() {
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

@test "features prints one JSON object on stdout and nothing on stderr" {
    features_json
    run jq -e 'type == "object"' "$TMP/features.json"
    assert_success
    # Compact and pretty agree: exactly one document.
    run jq -s 'length' "$TMP/features.json"
    assert_output 1
}

@test "features is valid against the spec's features-schema.json" {
    requires_jsonschema
    features_json
    run "$SRC/tests/schema-check" "$SCHEMA_DIR/features-schema.json" "$TMP/features.json"
    assert_success
    assert_output ""
}

@test "schema-check accepts the spec's good features examples and rejects the bad one" {
    requires_jsonschema
    local f
    for f in "$SCHEMA_DIR"/test/features/good/*.json; do
        run "$SRC/tests/schema-check" "$SCHEMA_DIR/features-schema.json" "$f"
        assert_success
    done
    run "$SRC/tests/schema-check" "$SCHEMA_DIR/features-schema.json" \
        "$SCHEMA_DIR/test/features/bad/missing-ociVersionMax.json"
    assert_failure 1
    assert_output --partial "'ociVersionMax' is a required property"
}

@test "schema-check follows \$refs into features-linux.json and defs-linux.json" {
    requires_jsonschema
    features_json
    # Both constraints live in other files than features-schema.json: an
    # unresolved reference would let these through.
    jq '.linux.capabilities += ["cap_chown"] | .linux.seccomp.actions += ["SCMP_ACT_BOGUS"]' \
        "$TMP/features.json" >"$TMP/bad.json"
    run "$SRC/tests/schema-check" "$SCHEMA_DIR/features-schema.json" "$TMP/bad.json"
    assert_failure 1
    assert_output --partial '$.linux.capabilities['
    assert_output --partial "'SCMP_ACT_BOGUS' is not one of"
}

@test "features reports ociVersionMin 1.0.0 and ociVersionMax 1.3.0" {
    features_json
    run fj '.ociVersionMin'
    assert_output '"1.0.0"'
    run fj '.ociVersionMax'
    assert_output '"1.3.0"'
}

@test "features lists every namespace type that config.json may name" {
    features_json
    run fj '.linux.namespaces | sort'
    assert_output '["cgroup","ipc","mount","network","pid","time","user","uts"]'
}

@test "features lists every capability the kernel has, once each" {
    features_json
    run fj '.linux.capabilities | all(test("^CAP_[A-Z_]+$"))'
    assert_output true
    run fj '(.linux.capabilities | length) == (.linux.capabilities | unique | length)'
    assert_output true
    run fj '.linux.capabilities | index("CAP_SYS_ADMIN") != null and index("CAP_CHECKPOINT_RESTORE") != null'
    assert_output true
    # Names for capabilities the host may lack are allowed; a host capability
    # berth cannot name is not.
    local last
    last=$(cat /proc/sys/kernel/cap_last_cap)
    run fj ".linux.capabilities | length >= $((last + 1))"
    assert_output true
}

@test "features seccomp names are those libseccomp supports" {
    local ver
    requires_dpkg_query
    ver=$(libseccomp_major_minor)
    features_json
    run fj '.linux.seccomp.actions | index("SCMP_ACT_ALLOW") != null and index("SCMP_ACT_ERRNO") != null and index("SCMP_ACT_KILL") != null and index("SCMP_ACT_TRAP") != null and index("SCMP_ACT_TRACE") != null'
    assert_output true
    # KILL_PROCESS and LOG came with libseccomp 2.4, NOTIFY with 2.5.
    if version_ge "$ver" 2.4; then
        run fj '.linux.seccomp.actions | index("SCMP_ACT_KILL_PROCESS") != null and index("SCMP_ACT_LOG") != null'
        assert_output true
    fi
    if version_ge "$ver" 2.5; then
        run fj '.linux.seccomp.actions | length'
        assert_output 9
    else
        run fj '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY")'
        assert_output null
    fi
    run fj '.linux.seccomp.operators | sort'
    assert_output '["SCMP_CMP_EQ","SCMP_CMP_GE","SCMP_CMP_GT","SCMP_CMP_LE","SCMP_CMP_LT","SCMP_CMP_MASKED_EQ","SCMP_CMP_NE"]'
    run fj '.linux.seccomp.knownFlags | sort'
    assert_output '["SECCOMP_FILTER_FLAG_LOG","SECCOMP_FILTER_FLAG_SPEC_ALLOW","SECCOMP_FILTER_FLAG_TSYNC","SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
    # Supported flags are known flags, and none without seccomp support.
    run fj '.linux.seccomp as $s | ($s.supportedFlags - $s.knownFlags) == [] and ($s.enabled or $s.supportedFlags == [])'
    assert_output true
}

@test "features seccomp archs are exactly those libseccomp resolves" {
    command -v python3 >/dev/null || skip "python3 is not available"
    features_json
    # Ask libseccomp itself, through ctypes, about every architecture the
    # spec names (defs-linux.json SeccompArch).
    local expected
    expected=$(jq -r '.definitions.SeccompArch.enum[]' "$SCHEMA_DIR/defs-linux.json" |
        python3 -c '
import ctypes, json, sys
lib = ctypes.CDLL("libseccomp.so.2")
lib.seccomp_arch_resolve_name.restype = ctypes.c_uint32
lib.seccomp_arch_resolve_name.argtypes = [ctypes.c_char_p]
names = [n.strip() for n in sys.stdin if n.strip()]
ok = [n for n in names
      if lib.seccomp_arch_resolve_name(n[len("SCMP_ARCH_"):].lower().encode()) != 0]
print(json.dumps(sorted(ok), separators=(",", ":")))
')
    run fj '.linux.seccomp.archs | sort'
    assert_output "$expected"
    run fj '.linux.seccomp.archs | index("SCMP_ARCH_X86_64") != null'
    assert_output true
}

@test "features claims what berth carries out, and only that" {
    features_json
    run fj '.hooks'
    assert_output '["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'
    # The mount code's own option table: flags, propagation, recursive
    # attributes and the extensions berth implements.
    run fj '[.mountOptions[] | select(. == "ro" or . == "rbind" or . == "rslave" or . == "rro" or . == "idmap" or . == "ridmap" or . == "tmpcopyup")] | length'
    assert_output 7
    run fj '.linux.mountExtensions.idmap.enabled and .linux.seccomp.enabled'
    assert_output true
    # cgroup v2 only, without systemd.
    run fj '.linux.cgroup'
    assert_output '{"v1":false,"v2":true,"systemd":false,"systemdUser":false,"rdma":true}'
    # Not implemented, or not on this host (LSMs): never claimed.
    run fj '[.linux.apparmor.enabled, .linux.selinux.enabled, .linux.intelRdt[], .linux.netDevices.enabled] | all(. == false)'
    assert_output true
    run fj '.potentiallyUnsafeConfigAnnotations'
    assert_output '[]'
}

@test "features never claims cgroup v1 or systemd cgroups" {
    # berth is cgroup v2 only and has no systemd cgroup driver (DESIGN.md).
    features_json
    run fj '.linux.cgroup | [.v1, .systemd, .systemdUser]'
    assert_output '[false,false,false]'
}

@test "features annotations give berth's version and commit and the libseccomp in use" {
    local ver
    requires_dpkg_query
    ver=$(libseccomp_major_minor)
    features_json
    run "$BERTH" --version
    assert_success
    local version commit
    version=$(sed -n 's/^berth version //p' <<<"$output")
    commit=$(sed -n 's/^commit: //p' <<<"$output")
    run fj '.annotations["run.berth.version"]'
    assert_output "\"$version\""
    run fj '.annotations["run.berth.commit"]'
    assert_output "\"$commit\""
    run fj '.annotations["io.github.seccomp.libseccomp.version"]'
    assert_output --regexp "^\"${ver//./\\.}\.[0-9]+\"$"
}

@test "features output is the same on every run" {
    features_json
    mv "$TMP/features.json" "$TMP/first.json"
    features_json
    cmp "$TMP/first.json" "$TMP/features.json"
}

@test "features --help and -h print the usage" {
    run "$BERTH" features --help
    assert_success
    assert_output --partial "Usage: berth features"
    run "$BERTH" features -h
    assert_success
    assert_output --partial "Usage: berth features"
}

@test "features refuses extra arguments and unknown options" {
    run "$BERTH" features extra
    assert_failure 2
    assert_output --partial "features: unexpected argument 'extra'"
    assert_output --partial "Try 'berth features --help'."
    run "$BERTH" features --bogus
    assert_failure 2
    assert_output --partial "features: unknown option '--bogus'"
    run "$BERTH" features -x
    assert_failure 2
    assert_output --partial "features: unknown option '-x'"
    run "$BERTH" features --help=x
    assert_failure 2
    assert_output --partial "features: unknown option '--help=x'"
}
