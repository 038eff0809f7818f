#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# berth-image unpack against hostile layers (berth-image-unpack(8)): entries
# with a ".." component, hard links leading outside the rootfs and entries
# that change the type of the rootfs itself are refused, with an error
# naming the layer digest and the entry, and nothing is left behind;
# absolute names and symbolic links are resolved inside the rootfs, so what
# they point at is a decoy in the rootfs, never the host.  In every case a
# canary directory outside the bundle (every path below aims at it) stays
# exactly as it was.

load helpers
load image-helpers
bats_require_minimum_version 1.5.0 # run --separate-stderr

setup_file() {
    require_berth_image
    F=$BATS_FILE_TMPDIR
    # The canary: what a layer escaping the rootfs would reach.
    CANARY="$F/canary"
    mkdir -p "$CANARY/dir"
    echo "real secret" >"$CANARY/secret"
    chmod 0600 "$CANARY/secret"
    echo "real victim" >"$CANARY/victim"
    echo "inner" >"$CANARY/dir/file"
    ln -s victim "$CANARY/link"
    CANARY_SNAP=$(dir_snapshot "$CANARY")
    export F CANARY CANARY_SNAP

    # @C@ is the canary's absolute path, @CR@ the same without the leading
    # '/', @UP@ enough '../' to reach '/' from anywhere.  {"decoy": true}
    # is a layer holding @CR@ (secret, victim) inside the rootfs, where
    # names and links resolved in the rootfs land.
    local up
    up=$(printf '../%.0s' $(seq 40))
    jq --arg C "$CANARY" --arg UP "$up" '
        ($C | ltrimstr("/")) as $CR
        | def decoy: ($CR | split("/")) as $p
            | [range(1; ($p | length) + 1) as $i | {path: ($p[:$i] | join("/")), type: "dir"}]
              + [{path: ($CR + "/secret"), content: "decoy secret"},
                 {path: ($CR + "/victim"), content: "decoy victim"}];
        walk(if type == "string" then gsub("@CR@"; $CR) | gsub("@C@"; $C) | gsub("@UP@"; $UP)
             else . end)
        | walk(if type == "object" and .decoy == true then {entries: decoy} else . end)
        | {manifests: [to_entries[] | {tags: [.key], config: {Cmd: ["/x"]}, layers: .value}]}' \
        >"$F/spec.json" <<'EOF'
{
  "dotdot":          [{"entries": [{"path": "../pwned", "content": "x"}]}],
  "dotdot-canary":   [{"entries": [{"path": "@UP@@CR@/pwned", "content": "x"}]}],
  "dotdot-mid":      [{"entries": [{"path": "a", "type": "dir"},
                                   {"path": "a/../../pwned", "content": "x"}]}],
  "dotdot-inner":    [{"entries": [{"path": "a", "type": "dir"},
                                   {"path": "a/../b", "content": "x"}]}],
  "dotdot-second":   [{"entries": [{"path": "fine", "content": "fine"}]},
                      {"entries": [{"path": "ok", "type": "dir"},
                                   {"path": "ok/../../../pwned", "content": "x"}]}],
  "dotdot-symlink":  [{"entries": [{"path": "../lnk", "type": "symlink", "target": "/"}]}],
  "dotdot-dir":      [{"entries": [{"path": "@UP@@CR@/newdir", "type": "dir"}]}],
  "hardlink-dotdot": [{"entries": [{"path": "h", "type": "hardlink", "target": "@UP@@CR@/secret"}]}],
  "hardlink-up":     [{"entries": [{"path": "h", "type": "hardlink", "target": "../secret"}]}],
  "hardlink-abs":    [{"entries": [{"path": "h", "type": "hardlink", "target": "@C@/secret"}]}],
  "hardlink-dir":    [{"entries": [{"path": "d", "type": "dir"},
                                   {"path": "h", "type": "hardlink", "target": "d"}]}],
  "hardlink-missing":[{"entries": [{"path": "h", "type": "hardlink", "target": "nonexistent"}]}],
  "whiteout-dotdot": [{"entries": [{"path": "@UP@@CR@/secret", "type": "whiteout"}]}],
  "opaque-dotdot":   [{"entries": [{"path": "@UP@@CR@", "type": "opaque"}]}],
  "whiteout-self":   [{"entries": [{"path": "f", "content": "f"}]},
                      {"entries": [{"path": ".wh..", "content": ""}]}],
  "whiteout-parent": [{"entries": [{"path": "sub", "type": "dir"}]},
                      {"entries": [{"path": "sub/.wh...", "content": ""}]}],
  "root-symlink":    [{"entries": [{"path": ".", "type": "symlink", "target": "@C@"}]}],
  "root-symlink-2":  [{"entries": [{"path": "f", "content": "f"}]},
                      {"entries": [{"path": "./", "type": "symlink", "target": "@C@"}]}],
  "root-file":       [{"entries": [{"path": ".", "content": "not a directory"}]}],
  "symlink-loop":    [{"entries": [{"path": "a", "type": "symlink", "target": "b"},
                                   {"path": "b", "type": "symlink", "target": "a"},
                                   {"path": "a/x", "content": "x"}]}],
  "under-a-file":    [{"entries": [{"path": "f", "content": "f"},
                                   {"path": "f/x", "content": "x"}]}],
  "gzip-bomb":       [{"entries": [{"path": "bomb", "zeros": 33554432}]}],
  "truncated-gzip":  [{"entries": [{"path": "one", "repeat": ["berth layer ", 4000]},
                                   {"path": "two", "repeat": ["more ", 8000]}],
                       "truncate_compressed": 64}],

  "abs":             [{"decoy": true}, {"entries": [{"path": "@C@/pwned", "content": "pwned"}]}],
  "abs-overwrite":   [{"decoy": true}, {"entries": [{"path": "@C@/victim", "content": "overwritten"}]}],
  "abs-missing-parent": [{"entries": [{"path": "/nowhere/deep/pwned", "content": "pwned"}]}],
  "symlink-abs":     [{"decoy": true},
                      {"entries": [{"path": "esc", "type": "symlink", "target": "@C@"},
                                   {"path": "esc/pwned", "content": "pwned"}]}],
  "symlink-rel":     [{"decoy": true},
                      {"entries": [{"path": "esc", "type": "symlink", "target": "@UP@@CR@"},
                                   {"path": "esc/pwned", "content": "pwned"}]}],
  "symlink-cross":   [{"decoy": true},
                      {"entries": [{"path": "esc", "type": "symlink", "target": "@C@"}]},
                      {"entries": [{"path": "esc/pwned", "content": "pwned"},
                                   {"path": "esc/victim", "content": "overwritten"}]}],
  "symlink-chain":   [{"decoy": true},
                      {"entries": [{"path": "l1", "type": "symlink", "target": "l2"},
                                   {"path": "l2", "type": "symlink", "target": "@C@"},
                                   {"path": "l1/pwned", "content": "pwned"}]}],
  "symlink-up-dir":  [{"decoy": true},
                      {"entries": [{"path": "d", "type": "dir"},
                                   {"path": "d/up", "type": "symlink", "target": "@UP@"},
                                   {"path": "d/up/@CR@/pwned", "content": "pwned"}]}],
  "hardlink-via-symlink": [{"decoy": true},
                      {"entries": [{"path": "esc", "type": "symlink", "target": "@C@"}]},
                      {"entries": [{"path": "h", "type": "hardlink", "target": "esc/secret"}]}],
  "hardlink-abs-decoy": [{"decoy": true},
                      {"entries": [{"path": "h", "type": "hardlink", "target": "@C@/secret"}]}],
  "whiteout-abs":    [{"decoy": true}, {"entries": [{"path": "@C@/secret", "type": "whiteout"}]}],
  "whiteout-via-symlink": [{"decoy": true},
                      {"entries": [{"path": "esc", "type": "symlink", "target": "@C@"}]},
                      {"entries": [{"path": "esc/secret", "type": "whiteout"}]}],
  "opaque-via-symlink": [{"decoy": true},
                      {"entries": [{"path": "esc", "type": "symlink", "target": "@C@"}]},
                      {"entries": [{"path": "esc", "type": "opaque"}]}],
  "symlink-replaced": [{"entries": [{"path": "x", "type": "symlink", "target": "@C@/victim"}]},
                      {"entries": [{"path": "x", "content": "inside", "mode": "0600"}]}],
  "symlink-to-dir":  [{"entries": [{"path": "d", "type": "symlink", "target": "@C@"}]},
                      {"entries": [{"path": "d", "type": "dir", "mode": "0777"},
                                   {"path": "d/f", "content": "inside"}]}],
  "escaping-target": [{"entries": [{"path": "up", "type": "symlink", "target": "@UP@@CR@/secret"},
                                   {"path": "abs", "type": "symlink", "target": "@C@/secret"}]}]
}
EOF
    mkimage build "$F/spec.json" --oci "$F/oci" --summary "$F/sum.json"

    # Layouts whose layer blob is a FIFO (a reader would wait forever) or a
    # symlink to the canary's secret.
    local kind blob
    for kind in fifo symlink; do
        mkimage build - --oci "$F/blob-$kind" --summary "$F/blob-$kind.json" <<'EOF'
{"tags": ["t"], "config": {"Cmd": ["/x"]}, "layers": [{"entries": [{"path": "f", "content": "f"}]}]}
EOF
        blob=$F/blob-$kind/blobs/sha256/$(jq -r '.images.t.layers[0].digest | ltrimstr("sha256:")' \
            "$F/blob-$kind.json")
        rm "$blob"
        if [ "$kind" = fifo ]; then
            mkfifo "$blob"
        else
            ln -s "$CANARY/secret" "$blob"
        fi
    done
}

setup() {
    setup_tmp
    P="$TMP/p"
    mkdir "$P"
    B="$P/bundle"
}

teardown() {
    image_rm "$P"
}

canary_intact() {
    local now
    now=$(dir_snapshot "$CANARY")
    if [ "$now" != "$CANARY_SNAP" ]; then
        echo "the canary '$CANARY' changed:" >&2
        diff <(echo "$CANARY_SNAP") <(echo "$now") >&2
        return 1
    fi
}

# refused TAG LAYER ENTRY [OPTIONS...]: unpacking image TAG fails, the error
# names layer number LAYER's digest and ENTRY (unless empty), nothing is
# left beside the bundle, and the canary is intact.
refused() {
    local tag=$1 layer=$2 entry=$3 digest
    shift 3
    digest=$(layer_digest "$F/sum.json" "$tag" "$layer")
    run --separate-stderr bimg unpack "$@" oci:"$F/oci":"$tag" "$B"
    assert_unpack_failed
    assert_stderr_has "$digest"
    [ -z "$entry" ] || assert_stderr_has "'$entry'"
    assert_only_entries "$P"
    canary_intact
}

# confined TAG: unpacking image TAG works and the canary is intact; the
# caller checks where things landed in $R (the rootfs) and $RC (the
# canary's path inside it).
confined() {
    run --separate-stderr bimg unpack oci:"$F/oci":"$1" "$B"
    [ "$status" -eq 0 ] || fail "unpack $1: status $status: $stderr"
    canary_intact
    R=$B/rootfs
    RC=$R$CANARY
}

# ---- refused ----

@test "an entry '../NAME' is refused" {
    refused dotdot 0 ../pwned
    [ ! -e "$TMP/pwned" ] && [ ! -e "$P/pwned" ]
}

@test "an entry climbing to the canary with '..' is refused" {
    refused dotdot-canary 0 "$(printf '../%.0s' $(seq 40))${CANARY#/}/pwned"
}

@test "an entry with '..' in the middle is refused" {
    refused dotdot-mid 0 a/../../pwned
}

@test "an entry with '..' that would stay inside is refused all the same" {
    refused dotdot-inner 0 a/../b
}

@test "a bad entry in a later layer: the earlier layers are removed too" {
    refused dotdot-second 1 ok/../../../pwned
}

@test "a symlink named '../NAME' is refused" {
    refused dotdot-symlink 0 ../lnk
}

@test "a directory climbing out with '..' is refused" {
    # A directory's name as stored ends in '/'.
    refused dotdot-dir 0 "$(printf '../%.0s' $(seq 40))${CANARY#/}/newdir/"
}

@test "a hard link to '..'-paths outside the rootfs is refused" {
    refused hardlink-dotdot 0 h
    refused hardlink-up 0 h
    [ "$(stat -c %h "$CANARY/secret")" = 1 ]
}

@test "a hard link to an absolute host path is not made to the host file" {
    refused hardlink-abs 0 h
    [ "$(stat -c %h "$CANARY/secret")" = 1 ]
}

@test "a hard link to a directory or to nothing is refused" {
    refused hardlink-dir 0 h
    refused hardlink-missing 0 h
}

@test "a whiteout or opaque marker climbing out with '..' is refused" {
    refused whiteout-dotdot 0 "$(printf '../%.0s' $(seq 40))${CANARY#/}/.wh.secret"
    refused opaque-dotdot 0 "$(printf '../%.0s' $(seq 40))${CANARY#/}/.wh..wh..opq"
}

@test "a whiteout of '.' or '..' is refused" {
    refused whiteout-self 1 .wh..
    refused whiteout-parent 1 sub/.wh...
}

@test "a root entry that is a symlink or a file is refused" {
    refused root-symlink 0 .
    refused root-symlink-2 1 ./
    refused root-file 0 .
}

@test "a symlink loop in a parent is refused" {
    refused symlink-loop 0 a/x
}

@test "an entry under a regular file is refused" {
    refused under-a-file 0 f/x
}

@test "a gzip bomb stops at --max-size" {
    refused gzip-bomb 0 "" --max-size 1M
    assert_stderr_has 1048576
}

@test "a truncated gzip stream is refused and names the layer" {
    refused truncated-gzip 0 ""
}

@test "a layer blob that is a FIFO is refused at once" {
    local d
    d=$(layer_digest "$F/blob-fifo.json" t 0)
    run --separate-stderr timeout 10 "$BERTH_IMAGE" unpack oci:"$F/blob-fifo":t "$B"
    assert_unpack_failed
    assert_stderr_has "${d#sha256:}" "not a regular file"
    assert_only_entries "$P"
}

@test "a layer blob that is a symlink is not followed" {
    local d
    d=$(layer_digest "$F/blob-symlink.json" t 0)
    run --separate-stderr bimg unpack oci:"$F/blob-symlink":t "$B"
    assert_unpack_failed
    assert_stderr_has "${d#sha256:}"
    assert_only_entries "$P"
    canary_intact
}

# ---- confined to the rootfs ----

@test "an absolute entry lands inside the rootfs" {
    confined abs
    [ "$(cat "$RC/pwned")" = pwned ]
}

@test "an absolute entry overwrites the rootfs's file, not the host's" {
    confined abs-overwrite
    [ "$(cat "$RC/victim")" = overwritten ]
}

@test "an absolute entry whose parents are missing gets them inside the rootfs" {
    confined abs-missing-parent
    [ "$(cat "$R/nowhere/deep/pwned")" = pwned ]
}

@test "a file under an absolute symlink lands inside the rootfs" {
    confined symlink-abs
    [ "$(readlink "$R/esc")" = "$CANARY" ]
    [ "$(cat "$RC/pwned")" = pwned ]
}

@test "a file under a symlink climbing with '..' lands inside the rootfs" {
    confined symlink-rel
    [ "$(cat "$RC/pwned")" = pwned ]
}

@test "a file under a symlink from a lower layer lands inside the rootfs" {
    confined symlink-cross
    [ "$(cat "$RC/pwned")" = pwned ]
    [ "$(cat "$RC/victim")" = overwritten ]
}

@test "a chain of symlinks is resolved inside the rootfs" {
    confined symlink-chain
    [ "$(cat "$RC/pwned")" = pwned ]
}

@test "a symlink to '/' in a subdirectory stays in the rootfs" {
    confined symlink-up-dir
    [ "$(cat "$RC/pwned")" = pwned ]
}

@test "a hard link through a symlink links the rootfs's file" {
    confined hardlink-via-symlink
    [ "$(stat -c %i "$R/h")" = "$(stat -c %i "$RC/secret")" ]
    [ "$(cat "$R/h")" = "decoy secret" ]
}

@test "a hard link to an absolute name links the rootfs's file" {
    confined hardlink-abs-decoy
    [ "$(stat -c %i "$R/h")" = "$(stat -c %i "$RC/secret")" ]
}

@test "an absolute whiteout removes the rootfs's file" {
    confined whiteout-abs
    [ ! -e "$RC/secret" ]
    [ -f "$RC/victim" ]
}

@test "a whiteout under a symlink removes nothing of the host" {
    confined whiteout-via-symlink
    [ ! -e "$RC/secret" ]
    [ -L "$R/esc" ]
}

@test "an opaque marker under a symlink empties nothing of the host" {
    confined opaque-via-symlink
    [ -L "$R/esc" ] || [ -d "$R/esc" ]
}

@test "a file replaces a symlink instead of writing through it" {
    confined symlink-replaced
    [ ! -L "$R/x" ]
    [ "$(cat "$R/x")" = inside ]
    [ "$(stat -c %a "$R/x")" = 600 ]
}

@test "a directory replaces a symlink instead of following it" {
    confined symlink-to-dir
    [ ! -L "$R/d" ] && [ -d "$R/d" ]
    [ "$(cat "$R/d/f")" = inside ]
    [ "$(stat -c %a "$R/d")" = 777 ]
}

@test "symlink targets that leave the rootfs are kept as written" {
    confined escaping-target
    [ "$(readlink "$R/up")" = "$(printf '../%.0s' $(seq 40))${CANARY#/}/secret" ]
    [ "$(readlink "$R/abs")" = "$CANARY/secret" ]
}
