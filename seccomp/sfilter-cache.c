/* SPDX-License-Identifier: Apache-2.0 */
/* sfilter_compile_cached(): compiled programs kept in a directory, so that
 * `create` pays libseccomp's price (about 15 ms for the default profile on
 * x86_64, with its x86 and x32 sections) once per distinct config rather
 * than at every container.  The default profile of `berth spec` never
 * comes here: it was compiled when berth was built (sfilter-builtin.c).
 *
 * The key is everything the program depends on, written out in full: the
 * linux.seccomp fields that shape the filter, this berth binary (its inode
 * and mtime: a rebuild is another translator), the libseccomp library (its
 * version and file) and the kernel (its release, version and boot id: the
 * flags and x32 are probed against it).  A cache file holds its key, and a hit needs the
 * whole key to compare equal, so a collision of the hash that names the
 * file (FNV-1a-like, chosen for speed, not strength) can only cost a miss: a
 * config crafted to collide with another container's never gets that
 * container's filter.  The directory is the caller's own (in the state
 * root, 0700); files are replaced atomically, and any file that is not
 * exactly what we wrote is ignored and rewritten. */
#include "seccomp/sfilter.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "seccomp/sfilter-int.h"

#define CACHE_MAGIC "berthbpf" /* 8 bytes; the format's version is in the key */
#define CACHE_FORMAT 1
#define CACHE_MAX_FILE (4u << 20)
/* More files than this, and the directory is emptied before the next one
 * is added: a crude bound, but a miss costs a compile anyway. */
#define CACHE_MAX_ENTRIES 64

struct buf {
    char *data;
    size_t len, alloc;
};

static inline void
put(struct buf *b, const void *p, size_t n)
{
    if (b->len + n >= b->alloc)
        b->data = xgrow(b->data, &b->alloc, b->len + n, 1);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void
put_u64(struct buf *b, uint64_t v)
{
    put(b, &v, sizeof(v));
}

static void
put_str(struct buf *b, const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    put_u64(b, s != NULL ? n : UINT64_MAX);
    put(b, s, n);
}

static void
put_file_id(struct buf *b, const struct stat *st)
{
    put_u64(b, st->st_dev);
    put_u64(b, st->st_ino);
    put_u64(b, (uint64_t)st->st_size);
    put_u64(b, (uint64_t)st->st_mtim.tv_sec);
    put_u64(b, (uint64_t)st->st_mtim.tv_nsec);
}

static bool
put_boot_id(struct buf *b)
{
    _cleanup_close_ int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
    char id[64];
    ssize_t n;

    if (fd < 0)
        return false;
    n = read(fd, id, sizeof(id));
    if (n <= 0)
        return false;
    put_u64(b, (uint64_t)n);
    put(b, id, (size_t)n);
    return true;
}

/* The identity of berth's binary.  berth re-executed from a sealed memfd
 * copy of itself (runtime/exeguard.h) runs a new file each time, with the
 * same bytes as the one it copied, which it names in _BERTH_EXE_ID
 * ("dev:ino:size:sec:nsec"): that one is the key, or every run would miss. */
static bool
exe_id(struct stat *st)
{
    const char *id = getenv("_BERTH_EXE_ID");
    unsigned long long dev, ino, size, sec, nsec;
    _cleanup_close_ int fd = -1;

    if (stat("/proc/self/exe", st) < 0)
        return false;
    if (id == NULL)
        return true;
    fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fcntl(fd, F_GET_SEALS) < 0)
        return true; /* not a memfd: the variable is not ours */
    if (sscanf(id, "%llu:%llu:%llu:%llu:%llu", &dev, &ino, &size, &sec, &nsec) != 5)
        return false;
    st->st_dev = (dev_t)dev;
    st->st_ino = (ino_t)ino;
    st->st_size = (off_t)size;
    st->st_mtim.tv_sec = (time_t)sec;
    st->st_mtim.tv_nsec = (long)nsec;
    return true;
}

/* Who compiles: berth, libseccomp, the kernel.  False when one of them
 * cannot be told, and then nothing is cached. */
static bool
put_compiler(struct buf *b)
{
    const struct scmp_version *v = seccomp_version();
    struct utsname u;
    struct stat st;
    Dl_info info;

    put_u64(b, CACHE_FORMAT);
    if (!exe_id(&st))
        return false;
    put_file_id(b, &st);
    if (v == NULL || dladdr((void *)seccomp_init, &info) == 0 || info.dli_fname == NULL
        || stat(info.dli_fname, &st) < 0)
        return false;
    put_u64(b, ((uint64_t)v->major << 32) | ((uint64_t)v->minor << 16) | v->micro);
    put_file_id(b, &st);
    if (uname(&u) < 0)
        return false;
    put_str(b, u.release);
    put_str(b, u.version);
    put_str(b, u.machine);
    /* This boot: what the kernel runs (x32, flags) can change with the
     * command line, which uname does not show. */
    return put_boot_id(b);
}

/* Every field of SC that the program depends on.  listenerPath and
 * listenerMetadata do not shape it (the path is checked at each compile).
 * Also the canonical form of a config (sfilter_config_form()), which the
 * built-in programs are found by. */
static void
put_config(struct buf *b, const struct spec_seccomp *sc)
{
    put_u64(b, (uint64_t)sc->default_action);
    put_u64(b, sc->has_default_errno_ret ? sc->default_errno_ret : UINT64_MAX);
    put_u64(b, sc->architectures.n);
    for (size_t i = 0; i < sc->architectures.n; i++)
        put_u64(b, (uint64_t)sc->architectures.items[i]);
    put_u64(b, sc->flags.n);
    for (size_t i = 0; i < sc->flags.n; i++)
        put_u64(b, (uint64_t)sc->flags.items[i]);
    put_u64(b, sc->n_syscalls);
    for (size_t i = 0; i < sc->n_syscalls; i++) {
        const struct spec_syscall *s = &sc->syscalls[i];

        put_u64(b, s->names.n);
        for (size_t j = 0; j < s->names.n; j++)
            put_str(b, s->names.items[j]);
        put_u64(b, (uint64_t)s->action);
        put_u64(b, s->has_errno_ret ? s->errno_ret : UINT64_MAX);
        put_u64(b, s->n_args);
        for (size_t k = 0; k < s->n_args; k++) {
            const struct spec_seccomp_arg *a = &s->args[k];

            put_u64(b, a->index);
            put_u64(b, a->value);
            put_u64(b, a->has_value_two);
            put_u64(b, a->value_two);
            put_u64(b, (uint64_t)a->op);
        }
    }
}

void
sfilter_config_form(const struct spec_seccomp *sc, unsigned char **ret, size_t *ret_len)
{
    struct buf b = {0};

    put_config(&b, sc);
    *ret = (unsigned char *)b.data;
    *ret_len = b.len;
}

/* FNV-1a over 64-bit words (the tail byte by byte): a name for the file,
 * not a proof of anything (the whole key is compared). */
static uint64_t
hash_key(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t w;

        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
    return h;
}

/* A reader over a cache file that fails softly past its end. */
struct cursor {
    const char *p;
    size_t left;
    bool bad;
};

static const void *
take(struct cursor *c, size_t n)
{
    const void *p = c->p;

    if (c->bad || n > c->left) {
        c->bad = true;
        return NULL;
    }
    c->p += n;
    c->left -= n;
    return p;
}

static uint64_t
take_u64(struct cursor *c)
{
    const void *p = take(c, sizeof(uint64_t));
    uint64_t v = 0;

    if (p != NULL)
        memcpy(&v, p, sizeof(v));
    return v;
}

/* The filter in TEXT if its key is KEY; NULL otherwise. */
static struct sfilter *
parse_entry(const char *text, size_t len, const struct buf *key)
{
    struct cursor c = {.p = text, .left = len};
    _cleanup_(sfilter_freep) struct sfilter *f = NULL;
    const void *magic = take(&c, 8);
    uint64_t key_len = take_u64(&c);
    const void *stored = take(&c, key_len);
    uint64_t n, n_skipped;

    if (c.bad || memcmp(magic, CACHE_MAGIC, 8) != 0 || key_len != key->len
        || memcmp(stored, key->data, key->len) != 0)
        return NULL;
    f = xcalloc(1, sizeof(*f));
    f->flags = (unsigned int)take_u64(&c);
    f->notify = take_u64(&c) != 0;
    f->no_x32 = take_u64(&c) != 0;
    f->n_stub = take_u64(&c);
    n = take_u64(&c);
    if (c.bad || n == 0 || n > 4096 || f->n_stub > n)
        return NULL;
    f->insns = xcalloc(n, sizeof(*f->insns));
    if (take(&c, n * sizeof(*f->insns)) == NULL)
        return NULL;
    memcpy(f->insns, c.p - n * sizeof(*f->insns), n * sizeof(*f->insns));
    f->n_insns = n;
    n_skipped = take_u64(&c);
    if (c.bad || n_skipped > 100000)
        return NULL;
    f->skipped.items = xcalloc(n_skipped + 1, sizeof(char *));
    for (uint64_t i = 0; i < n_skipped; i++) {
        uint64_t sl = take_u64(&c);
        const char *s = take(&c, sl);

        if (s == NULL)
            return NULL;
        f->skipped.items[f->skipped.n++] = xstrndup(s, sl);
    }
    if (c.bad || c.left != 0)
        return NULL;
    return TAKE_PTR(f);
}

static struct sfilter *
lookup(int dirfd, const char *name, const struct buf *key)
{
    /* O_NONBLOCK: a FIFO planted here must not hang create. */
    _cleanup_close_ int fd =
        openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    _cleanup_free_ char *text = NULL;
    struct stat st;
    ssize_t n;

    /* One read of the whole file: it is only ever replaced, never
     * written in place. */
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0
        || st.st_size > CACHE_MAX_FILE)
        return NULL;
    text = xmalloc((size_t)st.st_size);
    n = read(fd, text, (size_t)st.st_size);
    if (n != st.st_size)
        return NULL;
    return parse_entry(text, (size_t)n, key);
}

/* Make room: past CACHE_MAX_ENTRIES files, remove them all. */
static void
trim(int dirfd)
{
    _cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *de;
    size_t n = 0;

    if (d == NULL)
        return;
    TAKE_FD(fd);
    while ((de = readdir(d)) != NULL)
        n += de->d_name[0] != '.';
    if (n >= CACHE_MAX_ENTRIES) {
        rewinddir(d);
        while ((de = readdir(d)) != NULL)
            if (de->d_name[0] != '.')
                unlinkat(dirfd, de->d_name, 0);
    }
    closedir(d);
}

static void
store(int dirfd, const char *name, const struct buf *key, const struct sfilter *f)
{
    struct buf b = {0};

    put(&b, CACHE_MAGIC, 8);
    put_u64(&b, key->len);
    put(&b, key->data, key->len);
    put_u64(&b, f->flags);
    put_u64(&b, f->notify);
    put_u64(&b, f->no_x32);
    put_u64(&b, f->n_stub);
    put_u64(&b, f->n_insns);
    put(&b, f->insns, f->n_insns * sizeof(*f->insns));
    put_u64(&b, f->skipped.n);
    for (size_t i = 0; i < f->skipped.n; i++) {
        put_u64(&b, strlen(f->skipped.items[i]));
        put(&b, f->skipped.items[i], strlen(f->skipped.items[i]));
    }
    trim(dirfd);
    /* Not durable: a lost entry only costs a compile. */
    (void)fd_replace_file_at(dirfd, name, b.data, b.len, 0600, false);
    free(b.data);
}

int
sfilter_compile_cached(int cache_dirfd, const struct spec_seccomp *sc, struct sfilter **ret,
                       struct error **err)
{
    _cleanup_(sfilter_freep) struct sfilter *f = NULL;
    struct buf key = {0};
    char name[32];
    int rc;

    /* A config compiled at build time (the default profile) needs no
     * cache, and is cheaper to take than the key is to make. */
    rc = sfilter_compile_builtin(sc, ret, err);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    key.data = xmalloc(16384);
    key.alloc = 16384;
    if (cache_dirfd < 0 || !put_compiler(&key)) {
        free(key.data);
        return sfilter_compile_libseccomp(sc, SFILTER_X32_PROBE, ret, err);
    }
    put_config(&key, sc);
    snprintf(name, sizeof(name), "%016llx", (unsigned long long)hash_key(key.data, key.len));
    f = lookup(cache_dirfd, name, &key);
    if (f != NULL) {
        free(key.data);
        /* What the compile checks outside the program itself. */
        if (f->notify && (rc = sfilter_check_listener(sc, err)) < 0)
            return rc;
        *ret = TAKE_PTR(f);
        return 0;
    }
    rc = sfilter_compile_libseccomp(sc, SFILTER_X32_PROBE, &f, err);
    if (rc == 0)
        store(cache_dirfd, name, &key, f);
    free(key.data);
    if (rc < 0)
        return rc;
    *ret = TAKE_PTR(f);
    return 0;
}
