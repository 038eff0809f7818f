#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Build OCI images for berth-image's tests, demo and benchmark.

Standard library only (tarfile, gzip, hashlib, json); zstd layers go through
the `zstd` command, and a spec that asks for one without it exits 77.

  mkimage.py build SPEC [--oci DIR] [--oci-archive FILE] [--docker-archive FILE]
                        [--summary FILE]
      SPEC is a JSON file ('-': stdin), described below.  Prints (or writes to
      --summary) a JSON summary: every image's manifest, config and layer
      digests, sizes and diff_ids, so that tests can name them.
  mkimage.py busybox OUTDIR [--tag latest] [--oci-archive F] [--docker-archive F]
      oci:OUTDIR:TAG, one layer: Debian's busybox-static with its applet links
      and an /etc/passwd; its Cmd prints "hello from berth".  Offline.
  mkimage.py dir ROOTFS --oci DIR [--tag T] [--compression gzip] [--layers N]
                        [--oci-archive F] [--docker-archive F]
      An image of a host directory, in N layers of about equal size.
  mkimage.py tree DIR [--config CONFIG.json] [--times] [--dir-times]
                     [--ignore-xattr NAME]...
      List a root filesystem, one line an inode, sorted, for comparing trees:
        PATH TYPE MODE UID:GID SIZE/RDEV LINK-TARGET SHA256 XATTRS [MTIME]
      (modification times with --times, of directories too with --dir-times:
      a directory an upper layer adds to gets the time of the unpack with
      some tools and keeps its own with others).
      Hardlinked files print the same as their other names.  With --config,
      owners are shown as the container sees them: the ids this process sees
      are mapped to host ids through /proc/self/uid_map (so it works inside
      `unshare --map-auto` too) and then to container ids through the
      config's linux.uidMappings/gidMappings.

SPEC: an image, or {"manifests": [ITEM, ...]} where an ITEM is an image or an
index {"index": [IMAGE, ...], "tags": [...], "name": ...} (a nested image
index, each IMAGE with a "platform").  Every item is listed in index.json,
once per tag (org.opencontainers.image.ref.name), or once without a name.

IMAGE:
  name        key in the summary (default: the first tag, or image<N>)
  tags        ref names; repo_tags: the docker archive's RepoTags
              (default "berth-test:TAG" for each tag)
  platform    {"os", "architecture", "variant"}: the descriptor's platform
              (only set when given) and the config's (default: the host's)
  config      the config's "config" object verbatim (Entrypoint, Cmd, Env,
              User, WorkingDir, Labels, ExposedPorts, Volumes, StopSignal...)
  config_extra  more top-level config fields (author, created, os.version...)
  annotations the manifest's annotations
  layers      [LAYER, ...]
  corrupt     [{"kind": K, "layer": I, ...}]: deliberate damage, K one of
                layer-digest   the manifest names a digest the blob does not
                               hash to (the blob is stored under that name)
                missing-blob   the layer blob is not written
                truncated-blob the blob file is cut to half its size
                wrong-size     the descriptor's size is off by "delta" (1)
                wrong-diff-id  rootfs.diff_ids[I] is some other digest
                diff-id-count  rootfs.diff_ids lacks its last entry
                config-digest  the config blob's bytes differ from its digest
                manifest-digest  the manifest's bytes differ from its digest
                media-type     the layer's mediaType is "media_type" (an
                               unknown one by default)
              Damage is done to the blob store: build a damaged image in a
              layout of its own.  In a docker archive only wrong-diff-id,
              diff-id-count and truncated-blob apply.

LAYER (sources are concatenated in this order: busybox, from_dir, entries):
  compression  none | gzip (default) | zstd
  busybox      true or {"path": "/bin/busybox", "users": [[name, uid, gid], ...]}
  from_dir     a host directory (its root entry only with "root_entry": true);
               "split": [K, N] takes the K-th (0-based) of N parts by size
  owner        [uid, gid] for every from_dir entry (default: as on disk)
  entries      [ENTRY, ...]
  truncate_compressed  cut N bytes off the end of the compressed blob (its
               digest is of the cut bytes: a truncated gzip that verifies)
  media_type   the descriptor's mediaType (default from the compression)

ENTRY: {"path": NAME, "type": T, ...}, NAME written as given (no
normalisation: "../x", "/abs" and "." are allowed), T one of
  file (default)  content (text) | content_hex | zeros: N (N zero bytes,
                  streamed) | repeat: [TEXT, N]
  dir, symlink / hardlink ("target"), fifo, char / block ("major", "minor"),
  whiteout        ".wh." + basename of NAME, in NAME's directory
  opaque          NAME/.wh..wh..opq
and mode (int or octal string; default 0644 files, 0755 dirs, 0777 links),
uid, gid, uname, gname, mtime (default 1700000000), xattrs {name: value}
(written as SCHILY.xattr.* pax headers; value text, or {"hex": ...}), pax
{key: value} (more pax headers).
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import platform as pyplatform
import shutil
import stat
import struct
import subprocess
import sys
import tarfile
import tempfile

MTIME = 1700000000
CREATED = "2023-11-14T22:13:20Z"

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = {
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}
REF_NAME = "org.opencontainers.image.ref.name"

CHUNK = 1 << 20


class SpecError(Exception):
    pass


class Skip(Exception):
    """A tool the spec needs is missing: exit 77 (a skip for bats)."""


def die(msg, code=1):
    print(f"mkimage.py: {msg}", file=sys.stderr)
    sys.exit(code)


# ---- platforms ----

def host_platform():
    m = pyplatform.machine()
    table = {
        "x86_64": ("amd64", None),
        "amd64": ("amd64", None),
        "aarch64": ("arm64", "v8"),
        "arm64": ("arm64", "v8"),
        "armv7l": ("arm", "v7"),
        "armv6l": ("arm", "v6"),
        "i386": ("386", None),
        "i686": ("386", None),
        "ppc64le": ("ppc64le", None),
        "s390x": ("s390x", None),
        "riscv64": ("riscv64", None),
    }
    arch, variant = table.get(m, (m, None))
    p = {"os": "linux", "architecture": arch}
    if variant:
        p["variant"] = variant
    return p


# ---- hashing and files ----

def sha256_file(path):
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while True:
            b = f.read(CHUNK)
            if not b:
                break
            h.update(b)
            size += len(b)
    return "sha256:" + h.hexdigest(), size


def sha256_bytes(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


class Zeros(io.RawIOBase):
    """N zero bytes, never all in memory."""

    def __init__(self, n):
        self.left = n

    def readable(self):
        return True

    def read(self, n=-1):
        if n is None or n < 0:
            n = self.left
        n = min(n, self.left, CHUNK)
        self.left -= n
        return bytes(n)


class Repeat(io.RawIOBase):
    def __init__(self, unit, count):
        self.unit = unit
        self.count = count
        self.buf = b""

    def readable(self):
        return True

    def read(self, n=-1):
        if n is None or n < 0:
            n = len(self.unit) * self.count + len(self.buf)
        while len(self.buf) < n and self.count > 0:
            k = min(self.count, max(1, CHUNK // max(1, len(self.unit))))
            self.buf += self.unit * k
            self.count -= k
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


def parse_mode(v, default):
    if v is None:
        return default
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        return int(v, 8)
    raise SpecError(f"mode {v!r}: expected an int or an octal string")


# ---- layer tars ----

def entry_name(e):
    path = e.get("path")
    if path is None:
        raise SpecError(f"entry {e!r}: no path")
    t = e.get("type", "file")
    if t == "whiteout":
        d, b = os.path.split(path.rstrip("/"))
        return (d + "/" if d else "") + ".wh." + b
    if t == "opaque":
        p = path.rstrip("/")
        return (p + "/" if p not in ("", ".") else "") + ".wh..wh..opq"
    return path


def xattr_value(v):
    if isinstance(v, dict) and "hex" in v:
        # Binary: tarfile writes str values with surrogateescape and
        # hdrcharset=BINARY when they are not valid UTF-8.
        return bytes.fromhex(v["hex"]).decode("utf-8", "surrogateescape")
    if isinstance(v, str):
        return v
    raise SpecError(f"xattr value {v!r}: expected text or {{'hex': ...}}")


def add_entry(tf, e):
    t = e.get("type", "file")
    name = entry_name(e)
    ti = tarfile.TarInfo(name)
    ti.uid = e.get("uid", 0)
    ti.gid = e.get("gid", 0)
    ti.uname = e.get("uname", "")
    ti.gname = e.get("gname", "")
    ti.mtime = e.get("mtime", MTIME)
    data = None
    if t in ("file", "whiteout", "opaque"):
        ti.type = tarfile.REGTYPE
        ti.mode = parse_mode(e.get("mode"), 0o644)
        if t == "file":
            if "_data" in e:  # bytes, from this script (never in a JSON spec)
                data, ti.size = io.BytesIO(e["_data"]), len(e["_data"])
            elif "content" in e:
                b = e["content"].encode()
                data, ti.size = io.BytesIO(b), len(b)
            elif "content_hex" in e:
                b = bytes.fromhex(e["content_hex"])
                data, ti.size = io.BytesIO(b), len(b)
            elif "zeros" in e:
                data, ti.size = Zeros(int(e["zeros"])), int(e["zeros"])
            elif "repeat" in e:
                unit, count = e["repeat"]
                unit = unit.encode()
                data, ti.size = Repeat(unit, int(count)), len(unit) * int(count)
        if "size" in e:
            # A header that claims more (or less) than the data: a lying
            # entry.  The data written is what the content says.
            ti.size = int(e["size"])
    elif t == "dir":
        ti.type = tarfile.DIRTYPE
        ti.mode = parse_mode(e.get("mode"), 0o755)
    elif t in ("symlink", "hardlink"):
        ti.type = tarfile.SYMTYPE if t == "symlink" else tarfile.LNKTYPE
        ti.mode = parse_mode(e.get("mode"), 0o777 if t == "symlink" else 0o644)
        if "target" not in e:
            raise SpecError(f"entry '{name}': a {t} needs a target")
        ti.linkname = e["target"]
    elif t == "fifo":
        ti.type = tarfile.FIFOTYPE
        ti.mode = parse_mode(e.get("mode"), 0o644)
    elif t in ("char", "block"):
        ti.type = tarfile.CHRTYPE if t == "char" else tarfile.BLKTYPE
        ti.mode = parse_mode(e.get("mode"), 0o666)
        ti.devmajor = int(e.get("major", 0))
        ti.devminor = int(e.get("minor", 0))
    else:
        raise SpecError(f"entry '{name}': unknown type '{t}'")
    pax = {}
    for k, v in (e.get("xattrs") or {}).items():
        pax["SCHILY.xattr." + k] = xattr_value(v)
    for k, v in (e.get("pax") or {}).items():
        pax[k] = str(v)
    ti.pax_headers = pax
    if "size" in e and data is not None and ti.size > 0:
        # Write exactly ti.size bytes: pad or cut the content.
        raw = data.read()
        raw = raw[: ti.size] + bytes(max(0, ti.size - len(raw)))
        data = io.BytesIO(raw)
    tf.addfile(ti, data if ti.size else None)


DEFAULT_USERS = [["root", 0, 0, "/root"], ["app", 1000, 1000, "/home/app"],
                 ["nobody", 65534, 65534, "/nonexistent"]]


def find_busybox(path=None):
    for p in [path, shutil.which("busybox"), "/bin/busybox", "/usr/bin/busybox"]:
        if p and os.path.isfile(p):
            return os.path.realpath(p)
    raise Skip("busybox is not installed (apt-get install busybox-static)")


def elf_interp(data):
    """Whether the ELF image DATA asks for a program interpreter (PT_INTERP):
    a dynamically linked binary, useless in a rootfs without its libraries."""
    if data[:4] != b"\x7fELF":
        return False
    is64, end = data[4] == 2, "<" if data[5] == 1 else ">"
    if is64:
        phoff, = struct.unpack_from(end + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x36)
    else:
        phoff, = struct.unpack_from(end + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x2A)
    for i in range(phnum):
        ptype, = struct.unpack_from(end + "I", data, phoff + i * phentsize)
        if ptype == 3:  # PT_INTERP
            return True
    return False


def busybox_entries(opts):
    if opts is True:
        opts = {}
    bb = find_busybox(opts.get("path"))
    with open(bb, "rb") as f:
        binary = f.read()
    if elf_interp(binary):
        raise Skip(f"'{bb}' is linked dynamically: the image needs busybox-static")
    out = subprocess.run([bb, "--list-full"], capture_output=True, text=True, check=True)
    applets = sorted(set(x.strip() for x in out.stdout.split() if x.strip()))
    users = opts.get("users", DEFAULT_USERS)
    passwd = "".join(f"{u[0]}:x:{u[1]}:{u[2]}:{u[0]}:{u[3] if len(u) > 3 else '/'}:/bin/sh\n"
                     for u in users)
    group = "".join(f"{u[0]}:x:{u[2]}:\n" for u in users)
    ents = [
        {"path": d, "type": "dir"} for d in ("bin", "dev", "etc", "home", "proc", "sbin", "sys",
                                            "usr", "usr/bin", "usr/sbin", "var")
    ]
    ents += [
        {"path": "root", "type": "dir", "mode": 0o700},
        {"path": "tmp", "type": "dir", "mode": 0o1777},
        {"path": "bin/busybox", "mode": 0o755, "_data": binary},
        {"path": "etc/passwd", "content": passwd},
        {"path": "etc/group", "content": group},
    ]
    for a in applets:
        d, b = os.path.split(a)
        if d not in ("bin", "sbin", "usr/bin", "usr/sbin") or b == "busybox":
            continue
        up = "../" * d.count("/") + ("../bin/busybox" if d != "bin" else "busybox")
        ents.append({"path": a, "type": "symlink", "target": up})
    return ents


def read_xattrs(path):
    out = {}
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:
        return out
    for n in names:
        if not (n.startswith("user.") or n == "security.capability"):
            continue
        try:
            v = os.getxattr(path, n, follow_symlinks=False)
        except OSError:
            continue
        out["SCHILY.xattr." + n] = v.decode("utf-8", "surrogateescape")
    return out


def dir_paths(root):
    """(relative path, lstat) of everything under ROOT, parents first, sorted."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        for n in sorted(dirnames + filenames):
            full = os.path.join(dirpath, n)
            out.append((n if rel == "." else rel + "/" + n, os.lstat(full)))
    # os.walk lists a directory's children before descending, so sort
    # again by path components for a stable, parents-first order.
    out.sort(key=lambda x: x[0].split("/"))
    return out


def split_paths(paths, k, n):
    """The K-th of N parts of PATHS by file size, with the directories each
    part's files need (as real layers repeat them)."""
    total = sum(st.st_size for _, st in paths if stat.S_ISREG(st.st_mode)) or 1
    chosen = set()
    acc = 0
    for p, st in paths:
        part = min(n - 1, acc * n // total)
        if stat.S_ISREG(st.st_mode):
            acc += st.st_size
        if part == k:
            chosen.add(p)
    # Every ancestor of a chosen path comes along.
    for p in list(chosen):
        parts = p.split("/")
        for i in range(1, len(parts)):
            chosen.add("/".join(parts[:i]))
    return [(p, st) for p, st in paths if p in chosen]


def add_from_dir(tf, spec):
    root = spec["from_dir"]
    if not os.path.isdir(root):
        raise SpecError(f"from_dir '{root}': not a directory")
    owner = spec.get("owner")
    paths = dir_paths(root)
    if "split" in spec:
        k, n = spec["split"]
        paths = split_paths(paths, k, n)
    items = []
    if spec.get("root_entry"):
        items.append((root, "."))
    items += [(os.path.join(root, p), p) for p, _ in paths]
    for full, arc in items:
        ti = tf.gettarinfo(full, arcname=arc)
        if ti is None:  # a socket
            continue
        ti.uname = ti.gname = ""
        if owner:
            ti.uid, ti.gid = owner
        ti.pax_headers = read_xattrs(full)
        if ti.isreg():
            with open(full, "rb") as f:
                tf.addfile(ti, f)
        else:
            tf.addfile(ti)


def write_layer_tar(spec, path):
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        if spec.get("busybox"):
            for e in busybox_entries(spec["busybox"]):
                add_entry(tf, e)
        if spec.get("from_dir"):
            add_from_dir(tf, spec)
        for e in spec.get("entries", []):
            add_entry(tf, e)


def compress_file(src, dst, comp):
    if comp == "none":
        shutil.copyfile(src, dst)
    elif comp == "gzip":
        with open(src, "rb") as fi, open(dst, "wb") as fo:
            # mtime=0 and no name: the same bytes every time.
            with gzip.GzipFile(filename="", fileobj=fo, mode="wb", mtime=0, compresslevel=6) as g:
                shutil.copyfileobj(fi, g, CHUNK)
    elif comp == "zstd":
        if not shutil.which("zstd"):
            raise Skip("zstd is not installed (apt-get install zstd): no zstd layers")
        subprocess.run(["zstd", "-q", "-f", "-3", src, "-o", dst], check=True)
    else:
        raise SpecError(f"compression '{comp}': expected none, gzip or zstd")


# ---- the image layout ----

class Builder:
    def __init__(self, layout, work):
        self.layout = layout
        self.work = work
        self.blobs = os.path.join(layout, "blobs", "sha256")
        os.makedirs(self.blobs, exist_ok=True)
        self.layer_cache = {}  # canonical layer spec -> (tar path, diff_id)
        self.blob_cache = {}   # (tar path, compression, truncate) -> (file, digest, size)
        self.n = 0
        self.docker_images = []
        self.summary = {"images": {}, "indexes": {}}

    def tmp(self, suffix):
        self.n += 1
        return os.path.join(self.work, f"{self.n}{suffix}")

    def blob_path(self, digest):
        return os.path.join(self.blobs, digest.split(":", 1)[1])

    def put_bytes(self, data, as_digest=None):
        d = sha256_bytes(data)
        with open(self.blob_path(as_digest or d), "wb") as f:
            f.write(data)
        return d, len(data)

    def put_file(self, path, as_digest=None, truncate_to=None):
        d, size = sha256_file(path)
        dst = self.blob_path(as_digest or d)
        shutil.copyfile(path, dst)
        if truncate_to is not None:
            os.truncate(dst, truncate_to)
        return d, size

    def layer_tar(self, lspec):
        key = canonical({k: v for k, v in lspec.items()
                         if k not in ("compression", "truncate_compressed", "media_type")})
        if key not in self.layer_cache:
            path = self.tmp(".tar")
            write_layer_tar(lspec, path)
            self.layer_cache[key] = (path, sha256_file(path)[0])
        return self.layer_cache[key]

    def layer_blob(self, tar, comp, cut):
        key = (tar, comp, cut)
        if key not in self.blob_cache:
            path = self.tmp(".blob")
            compress_file(tar, path, comp)
            if cut:
                size = os.path.getsize(path)
                if cut >= size:
                    raise SpecError(f"truncate_compressed {cut}: the blob has only {size} bytes")
                os.truncate(path, size - cut)
            d, size = sha256_file(path)
            self.blob_cache[key] = (path, d, size)
        return self.blob_cache[key]

    def image(self, img, idx, default_name):
        if "layers" not in img:
            raise SpecError(f"image {default_name}: no layers")
        name = img.get("name") or (img.get("tags") or [None])[0] or default_name
        damage = {}
        for c in img.get("corrupt", []):
            damage.setdefault(c["kind"], []).append(c)
        known = {"layer-digest", "missing-blob", "truncated-blob", "wrong-size", "wrong-diff-id",
                 "diff-id-count", "config-digest", "manifest-digest", "media-type"}
        for k in damage:
            if k not in known:
                raise SpecError(f"image {name}: unknown corruption '{k}'")

        def hits(kind, i):
            return [c for c in damage.get(kind, []) if c.get("layer", 0) == i]

        plat = dict(host_platform())
        if img.get("platform"):
            plat = dict(img["platform"])
        descs, diff_ids, layers_summary, tars = [], [], [], []
        for i, lspec in enumerate(img["layers"]):
            tar, diff_id = self.layer_tar(lspec)
            comp = lspec.get("compression", "gzip")
            path, digest, size = self.layer_blob(tar, comp, lspec.get("truncate_compressed", 0))
            d_digest, d_size = digest, size
            if hits("layer-digest", i):
                d_digest = sha256_bytes(b"not the layer " + digest.encode())
                self.put_file(path, as_digest=d_digest)
            elif hits("missing-blob", i):
                pass
            elif hits("truncated-blob", i):
                self.put_file(path, truncate_to=size // 2)
            else:
                self.put_file(path)
            for c in hits("wrong-size", i):
                d_size = size + int(c.get("delta", 1))
            mt = lspec.get("media_type", MT_LAYER[comp])
            for c in hits("media-type", i):
                mt = c.get("media_type", "application/vnd.example.unknown.layer")
            descs.append({"mediaType": mt, "digest": d_digest, "size": d_size})
            diff_ids.append(diff_id)
            if hits("wrong-diff-id", i):
                diff_ids[i] = sha256_bytes(b"not the diff_id of " + diff_id.encode())
            layers_summary.append({"digest": d_digest, "size": d_size, "media_type": mt,
                                   "diff_id": diff_id, "config_diff_id": diff_ids[i],
                                   "blob_digest": digest, "blob_size": size})
            tars.append(tar)
        if damage.get("diff-id-count"):
            diff_ids = diff_ids[:-1]

        config = {
            "created": CREATED,
            "architecture": plat["architecture"],
            "os": plat["os"],
        }
        if plat.get("variant"):
            config["variant"] = plat["variant"]
        config["config"] = img.get("config", {})
        config["rootfs"] = {"type": "layers", "diff_ids": diff_ids}
        config["history"] = [{"created": CREATED, "created_by": f"mkimage.py layer {i}"}
                             for i in range(len(diff_ids))]
        config.update(img.get("config_extra", {}))
        cbytes = json.dumps(config, indent=2, sort_keys=True).encode()
        c_digest = sha256_bytes(cbytes)
        if damage.get("config-digest"):
            self.put_bytes(cbytes.replace(b"{", b"{ ", 1), as_digest=c_digest)
        else:
            self.put_bytes(cbytes)
        manifest = {
            "schemaVersion": 2,
            "mediaType": MT_MANIFEST,
            "config": {"mediaType": MT_CONFIG, "digest": c_digest, "size": len(cbytes)},
            "layers": descs,
        }
        if img.get("annotations"):
            manifest["annotations"] = img["annotations"]
        mbytes = json.dumps(manifest, indent=2).encode()
        m_digest = sha256_bytes(mbytes)
        if damage.get("manifest-digest"):
            self.put_bytes(mbytes.replace(b"{", b"{ ", 1), as_digest=m_digest)
        else:
            self.put_bytes(mbytes)
        desc = {"mediaType": MT_MANIFEST, "digest": m_digest, "size": len(mbytes)}
        if img.get("platform"):
            desc["platform"] = img["platform"]
        tags = img.get("tags", [])
        if name in self.summary["images"]:
            raise SpecError(f"two images named '{name}'")
        self.summary["images"][name] = {
            "tags": tags,
            "manifest": m_digest,
            "manifest_size": len(mbytes),
            "config": c_digest,
            "config_size": len(cbytes),
            "platform": plat,
            "layers": layers_summary,
        }
        self.docker_images.append({
            "name": name,
            "config": cbytes,
            "config_diff_ids": diff_ids,
            "diff_ids": [s["diff_id"] for s in layers_summary],
            "tars": tars,
            "repo_tags": img.get("repo_tags", [f"berth-test:{t}" for t in tags]),
            "damage": damage,
        })
        return desc, tags

    def index(self, item, idx):
        name = item.get("name") or (item.get("tags") or [None])[0] or f"index{idx}"
        descs = []
        for j, img in enumerate(item["index"]):
            if not img.get("platform"):
                raise SpecError(f"index {name}: image {j} has no platform")
            p = img["platform"]
            dflt = f"{name}-{p['os']}-{p['architecture']}" + (
                f"-{p['variant']}" if p.get("variant") else "")
            d, _ = self.image(img, j, dflt)
            descs.append(d)
            # A docker archive holds no index: its images stay out.
            self.docker_images.pop()
        ibytes = json.dumps({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": descs},
                            indent=2).encode()
        i_digest, i_size = self.put_bytes(ibytes)
        self.summary["indexes"][name] = {"tags": item.get("tags", []), "digest": i_digest,
                                         "size": i_size,
                                         "manifests": [d["digest"] for d in descs]}
        return {"mediaType": MT_INDEX, "digest": i_digest, "size": i_size}, item.get("tags", [])

    def build(self, spec):
        items = spec["manifests"] if "manifests" in spec else [spec]
        top = []
        for i, item in enumerate(items):
            if "index" in item:
                desc, tags = self.index(item, i)
            else:
                desc, tags = self.image(item, i, f"image{i}")
            if not tags:
                top.append(desc)
            for t in tags:
                d = dict(desc)
                d["annotations"] = {REF_NAME: t}
                top.append(d)
        index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": top}
        with open(os.path.join(self.layout, "index.json"), "w") as f:
            json.dump(index, f, indent=2)
        with open(os.path.join(self.layout, "oci-layout"), "w") as f:
            json.dump({"imageLayoutVersion": "1.0.0"}, f)
        self.summary["index"] = index


def tar_add_bytes(tf, name, data, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mode, ti.mtime = len(data), mode, MTIME
    tf.addfile(ti, io.BytesIO(data))


def tar_add_dir(tf, name):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, MTIME
    tf.addfile(ti)


def write_oci_archive(layout, path):
    """skopeo's oci-archive: the layout directory as a tar."""
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for name in ("oci-layout", "index.json"):
            with open(os.path.join(layout, name), "rb") as f:
                tar_add_bytes(tf, name, f.read())
        tar_add_dir(tf, "blobs")
        tar_add_dir(tf, "blobs/sha256")
        blobs = os.path.join(layout, "blobs", "sha256")
        for n in sorted(os.listdir(blobs)):
            full = os.path.join(blobs, n)
            ti = tarfile.TarInfo("blobs/sha256/" + n)
            ti.size, ti.mode, ti.mtime = os.path.getsize(full), 0o644, MTIME
            with open(full, "rb") as f:
                tf.addfile(ti, f)


def write_docker_archive(images, path):
    """`docker save`'s format: manifest.json, <hex>.json configs,
    <id>/layer.tar (uncompressed) with VERSION and json, repositories."""
    manifest, repositories, written = [], {}, set()
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for img in images:
            damage = img["damage"]
            cfg = img["config"]
            chex = hashlib.sha256(cfg).hexdigest()
            if chex + ".json" not in written:
                tar_add_bytes(tf, chex + ".json", cfg)
                written.add(chex + ".json")
            parent, layer_names = "", []
            for i, (tar, diff_id) in enumerate(zip(img["tars"], img["diff_ids"])):
                lid = hashlib.sha256(f"{parent} {diff_id}".encode()).hexdigest()
                trunc = any(c.get("layer", 0) == i for c in damage.get("truncated-blob", []))
                if trunc:
                    lid = hashlib.sha256(f"truncated {lid}".encode()).hexdigest()
                if lid not in written:
                    written.add(lid)
                    tar_add_dir(tf, lid)
                    tar_add_bytes(tf, lid + "/VERSION", b"1.0")
                    meta = {"id": lid, "created": CREATED}
                    if parent:
                        meta["parent"] = parent
                    tar_add_bytes(tf, lid + "/json", json.dumps(meta).encode())
                    size = os.path.getsize(tar)
                    if trunc:
                        size //= 2
                    ti = tarfile.TarInfo(lid + "/layer.tar")
                    ti.size, ti.mode, ti.mtime = size, 0o644, MTIME
                    with open(tar, "rb") as f:
                        tf.addfile(ti, io.BytesIO(f.read(size)))
                layer_names.append(lid + "/layer.tar")
                parent = lid
            manifest.append({"Config": chex + ".json", "RepoTags": img["repo_tags"] or None,
                             "Layers": layer_names})
            for rt in img["repo_tags"]:
                repo, _, tag = rt.rpartition(":")
                repositories.setdefault(repo, {})[tag] = parent
        tar_add_bytes(tf, "manifest.json", json.dumps(manifest).encode())
        tar_add_bytes(tf, "repositories", json.dumps(repositories).encode())


def run_build(spec, oci, oci_archive, docker_archive, summary_path):
    if not (oci or oci_archive or docker_archive):
        die("say where to write: --oci DIR, --oci-archive FILE or --docker-archive FILE", 2)
    with tempfile.TemporaryDirectory(prefix="mkimage.") as work:
        layout = oci or os.path.join(work, "layout")
        if oci and os.path.exists(os.path.join(oci, "index.json")):
            die(f"'{oci}' already holds an image layout", 2)
        b = Builder(layout, work)
        b.build(spec)
        if oci_archive:
            write_oci_archive(layout, oci_archive)
        if docker_archive:
            write_docker_archive(b.docker_images, docker_archive)
    out = json.dumps(b.summary, indent=2, sort_keys=True) + "\n"
    if summary_path:
        with open(summary_path, "w") as f:
            f.write(out)
    else:
        sys.stdout.write(out)


# ---- tree listings ----

def read_map(path):
    rows = []
    try:
        with open(path) as f:
            for line in f:
                a, b, n = (int(x) for x in line.split())
                rows.append((a, b, n))
    except OSError:
        rows = [(0, 0, 1 << 32)]
    return rows


def map_id(rows, i, reverse=False):
    """Inside -> outside with ROWS (inside, outside, count); REVERSE maps back.
    None when unmapped."""
    for a, b, n in rows:
        src, dst = (b, a) if reverse else (a, b)
        if src <= i < src + n:
            return dst + (i - src)
    return None


def tree(root, config, times=False, dir_times=False, ignore_xattrs=()):
    umap, gmap = read_map("/proc/self/uid_map"), read_map("/proc/self/gid_map")
    cu = cg = None
    if config:
        with open(config) as f:
            linux = json.load(f).get("linux") or {}
        if linux.get("uidMappings"):
            cu = [(m["containerID"], m["hostID"], m["size"]) for m in linux["uidMappings"]]
        if linux.get("gidMappings"):
            cg = [(m["containerID"], m["hostID"], m["size"]) for m in linux["gidMappings"]]

    def owner(i, rows, cmap):
        host = map_id(rows, i)
        if cmap is None:
            return str(i)
        c = None if host is None else map_id(cmap, host, reverse=True)
        return "?" if c is None else str(c)

    lines = []
    for rel, st in dir_paths(root):
        full = os.path.join(root, rel)
        m = st.st_mode
        kind, extra, target, digest = "?", "-", "-", "-"
        if stat.S_ISREG(m):
            kind, extra = "f", str(st.st_size)
            try:
                digest = sha256_file(full)[0][7:23]
            except OSError as e:
                digest = f"unreadable({e.errno})"
        elif stat.S_ISDIR(m):
            kind = "d"
        elif stat.S_ISLNK(m):
            kind, target = "l", os.readlink(full)
        elif stat.S_ISFIFO(m):
            kind = "p"
        elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
            kind = "c" if stat.S_ISCHR(m) else "b"
            extra = f"{os.major(st.st_rdev)},{os.minor(st.st_rdev)}"
        elif stat.S_ISSOCK(m):
            kind = "s"
        xa = []
        try:
            for n in sorted(os.listxattr(full, follow_symlinks=False)):
                if n in ignore_xattrs:
                    continue
                if n.startswith("user.") or n == "security.capability":
                    v = os.getxattr(full, n, follow_symlinks=False)
                    xa.append(f"{n}={v.hex()}")
        except OSError:
            pass
        fields = [
            rel, kind, "%04o" % stat.S_IMODE(m),
            owner(st.st_uid, umap, cu) + ":" + owner(st.st_gid, gmap, cg),
            extra if kind != "d" else "-", target, digest, ",".join(xa) or "-",
        ]
        if times:
            fields.append(str(st.st_mtime_ns // 1000000000)
                          if kind != "d" or dir_times else "-")
        lines.append(" ".join(fields))
    sys.stdout.write("".join(x + "\n" for x in lines))


# ---- the command line ----

def busybox_spec(tag):
    return {
        "tags": [tag],
        "config": {
            "Cmd": ["/bin/sh", "-c", "echo hello from berth"],
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "WorkingDir": "/",
        },
        "layers": [{"busybox": True, "compression": "gzip"}],
    }


def main(argv):
    ap = argparse.ArgumentParser(prog="mkimage.py", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("spec")
    bb = sub.add_parser("busybox")
    bb.add_argument("outdir")
    bb.add_argument("--tag", default="latest")
    d = sub.add_parser("dir")
    d.add_argument("rootfs")
    d.add_argument("--tag", default="latest")
    d.add_argument("--compression", default="gzip", choices=["none", "gzip", "zstd"])
    d.add_argument("--layers", type=int, default=1)
    d.add_argument("--cmd", nargs="*", default=["/bin/sh"])
    for p in (b, bb, d):
        p.add_argument("--oci")
        p.add_argument("--oci-archive")
        p.add_argument("--docker-archive")
        p.add_argument("--summary")
    t = sub.add_parser("tree")
    t.add_argument("root")
    t.add_argument("--config")
    t.add_argument("--times", action="store_true")
    t.add_argument("--dir-times", action="store_true")
    t.add_argument("--ignore-xattr", action="append", default=[])
    a = ap.parse_args(argv)

    try:
        if a.cmd == "tree":
            tree(a.root, a.config, a.times or a.dir_times, a.dir_times, a.ignore_xattr)
            return 0
        if a.cmd == "build":
            if a.spec == "-":
                spec = json.load(sys.stdin)
            else:
                with open(a.spec) as f:
                    spec = json.load(f)
        elif a.cmd == "busybox":
            spec = busybox_spec(a.tag)
            a.oci = a.outdir
        else:
            if a.layers < 1:
                die("--layers: at least 1", 2)
            spec = {
                "tags": [a.tag],
                "config": {"Cmd": a.cmd,
                           "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
                "layers": [{"from_dir": os.path.abspath(a.rootfs), "compression": a.compression,
                            **({"split": [k, a.layers]} if a.layers > 1 else {})}
                           for k in range(a.layers)],
            }
        run_build(spec, a.oci, a.oci_archive, a.docker_archive,
                  a.summary if a.cmd != "busybox" or a.summary else os.devnull)
    except Skip as e:
        die(str(e), 77)
    except (SpecError, KeyError, ValueError, TypeError) as e:
        die(f"spec: {e}", 2)
    except (OSError, subprocess.CalledProcessError) as e:
        die(str(e))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
