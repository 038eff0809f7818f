#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write the seed corpus of fuzz-layer into tests/fuzz/seeds-layer/.

  tests/fuzz/make-layer-seeds.py [OUTDIR]

Small layers that reach the corners of image/extract.c: every entry type,
pax and GNU headers, xattrs, whiteouts and opaque markers, replacements,
and the hostile names ('..', absolute paths, symlinks out of the root,
hardlinks to outside, a root entry that is not a directory).  Each is a
plain tar cut after its end-of-archive blocks (tarfile pads to 10 KiB),
and some are also written gzip- and zstd-compressed (the latter only when
the zstd command exists).  The output is deterministic: run it again
after changing it and commit the seeds it writes.
"""
import gzip
import io
import os
import shutil
import subprocess
import sys
import tarfile


def entry(name, kind=tarfile.REGTYPE, data=b"", mode=None, link="", pax=None, uid=0, gid=0,
          devmajor=0, devminor=0):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode if mode is not None else 0o755 if kind == tarfile.DIRTYPE else 0o644
    ti.uid, ti.gid = uid, gid
    ti.uname = ti.gname = ""
    ti.mtime = 1700000000
    ti.linkname = link
    ti.devmajor, ti.devminor = devmajor, devminor
    if pax:
        ti.pax_headers = dict(pax)
    ti.size = len(data) if kind in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
    return ti, data


def tar_bytes(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for ti, data in entries:
            tf.addfile(ti, io.BytesIO(data) if ti.size else None)
    raw = buf.getvalue()
    # Keep the two end-of-archive blocks, drop tarfile's padding to 10 KiB.
    end = len(raw)
    while end >= 512 and raw[end - 512:end] == bytes(512):
        end -= 512
    return raw[:end + 1024]


D, F, L, H = tarfile.DIRTYPE, tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE

# Each layer stops at its first refused entry: what is refused comes last,
# one refusal a seed.
SEEDS = {
    # Every kind of entry a layer has.
    "basic": (tarfile.USTAR_FORMAT, [
        entry("./", D),
        entry("etc/", D),
        entry("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n"),
        entry("bin/", D),
        entry("bin/busybox", data=b"\x7fELF" + bytes(60), mode=0o4755),
        entry("bin/sh", L, link="busybox"),
        entry("bin/ls", H, link="bin/busybox"),
        entry("usr/lib/", D),
        entry("lib", L, link="usr/lib"),
        entry("lib/libc.so", data=b"through the merged /usr symlink"),
        entry("tmp/", D, mode=0o1777),
        entry("tmp/fifo", tarfile.FIFOTYPE, mode=0o600),
        entry("empty", data=b""),
    ]),
    # pax metadata: xattrs, a UTF-8 name, times with nanoseconds, modes.
    "pax": (tarfile.PAX_FORMAT, [
        entry("cap", data=b"\x7fELF", mode=0o755,
              pax={"SCHILY.xattr.security.capability": "\x01\x00\x00\x02" + "\x00" * 16,
                   "SCHILY.xattr.user.comment": "hello",
                   "SCHILY.xattr.trusted.skip": "x"}),
        entry("utf8-\u00e9\u2713", data=b"name in UTF-8",
              pax={"mtime": "1700000000.123456789", "atime": "1.5"}),
        entry("ro/", D, mode=0o500),
        entry("ro/file", data=b"in a read-only directory", mode=0o400),
        entry("ro/sub/", D, mode=0o000),
    ]),
    # GNU long names and links, and ids past ustar's octal fields.
    "gnu": (tarfile.GNU_FORMAT, [
        entry("d/" + "n" * 150 + "/", D),
        entry("d/" + "n" * 150 + "/" + "f" * 120, data=b"long"),
        entry("longlink", L, link="d/" + "n" * 150 + "/" + "f" * 120),
        entry("bigid", data=b"i", uid=3000000000, gid=2097152),
    ]),
    # Whiteouts and opaque markers over entries of the same layer and not.
    "whiteout": (tarfile.USTAR_FORMAT, [
        entry("a/", D),
        entry("a/keep", data=b"k"),
        entry("a/.wh..wh..opq"),
        entry("a/new", data=b"n"),
        entry(".wh.a"),
        entry("b/.wh.gone"),
        entry("missing/.wh.x"),
        entry(".wh..wh.plnk"),
        entry(".wh."),
    ]),
    # One name, many kinds: each replaces the last.
    "replace": (tarfile.USTAR_FORMAT, [
        entry("x", data=b"file"),
        entry("x/", D),
        entry("x/inside", data=b"i"),
        entry("x", L, link="x"),
        entry("x", data=b"file again"),
        entry("y", H, link="x"),
        entry("y", H, link="y"),
        entry("z/", D, mode=0o000),
        entry("z/", D, mode=0o700),
        entry("loop", L, link="loop/loop"),
        entry("loop/file", data=b"through a loop"),
    ]),
    # What a hostile layer tries.
    "dotdot": (tarfile.USTAR_FORMAT, [
        entry("/etc/absolute", data=b"a"),
        entry("./././ok", data=b"ok"),
        entry("../canary/file", data=b"overwritten"),
    ]),
    "dotdot-inner": (tarfile.USTAR_FORMAT, [
        entry("a/../../canary/new", data=b"n"),
    ]),
    "symlink-out": (tarfile.USTAR_FORMAT, [
        entry("canary/", D),
        entry("up", L, link="../canary"),
        entry("up/file", data=b"through a symlink, into root/canary"),
        entry("up2", L, link="/../../canary"),
        entry("up2/new", data=b"n"),
        entry("hl2", H, link="up/file"),
        entry("gone", L, link="../nowhere"),
        entry("gone/new", data=b"n"),
    ]),
    "hardlink-out": (tarfile.USTAR_FORMAT, [
        entry("hl", H, link="../canary/file"),
    ]),
    "root-symlink": (tarfile.USTAR_FORMAT, [
        entry("./", D, mode=0o000),
        entry(".", L, link=".."),
    ]),
    "devices": (tarfile.USTAR_FORMAT, [
        entry("dev/", D),
        entry("dev/null", tarfile.CHRTYPE, mode=0o666, devmajor=1, devminor=3),
        entry("dev/sda", tarfile.BLKTYPE, mode=0o660, devmajor=8, devminor=0),
        entry("dev", L, link="/dev"),
        entry("dev/x", data=b"x"),
    ]),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                              "seeds-layer")
    os.makedirs(out, exist_ok=True)
    have_zstd = shutil.which("zstd") is not None
    for name, (fmt, entries) in SEEDS.items():
        raw = tar_bytes(entries, fmt)
        with open(os.path.join(out, name + ".tar"), "wb") as f:
            f.write(raw)
        if name in ("basic", "whiteout"):
            with open(os.path.join(out, name + ".tar.gz"), "wb") as f:
                f.write(gzip.compress(raw, 9, mtime=0))
            if have_zstd:
                zst = subprocess.run(["zstd", "-q", "-19", "-c"], input=raw, check=True,
                                     stdout=subprocess.PIPE).stdout
                with open(os.path.join(out, name + ".tar.zst"), "wb") as f:
                    f.write(zst)
    # An empty layer: no bytes at all is an archive of no entries.
    open(os.path.join(out, "empty.tar"), "wb").close()


if __name__ == "__main__":
    main()
