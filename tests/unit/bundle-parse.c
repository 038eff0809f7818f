/* SPDX-License-Identifier: Apache-2.0 */
/* bundle/: config.json parsing and writing against the corpus in
 * $BERTH_TEST_DATA (default tests/data, relative to the repository root).
 *   - config-good/NAME.json: parse -> write -> parse -> write is byte-stable,
 *     the output is the input minus unknown and non-Linux keys, and pretty
 *     and compact output are the same document; every-field.json sets every
 *     member of every struct in bundle/spec.h and comes back byte for byte.
 *   - every value of every enum survives a round trip.
 *   - config-bad/NAME.json: spec_parse fails with exactly the lines of
 *     NAME.expect (the whole message, one problem per line). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/spec.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "tests/unit/tap.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MIN_BAD_CONFIGS 45

static const char *data_dir;

/* ---- files ---- */

/* The whole file, NUL-terminated, as config.json is read for real; or NULL. */
static char *
read_file(const char *dir, const char *name, size_t *ret_len)
{
    char *path = xasprintf("%s/%s", dir, name), *buf = NULL;
    int rc = fd_read_file_at(AT_FDCWD, path, 16u << 20, &buf, ret_len);

    if (rc < 0)
        tap_diag("read '%s': %s", path, strerror(-rc));
    free(path);
    return rc < 0 ? NULL : buf;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in DIR ending in SUFFIX, sorted; *ret_n is their count. */
static char **
list_dir(const char *dir, const char *suffix, size_t *ret_n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, alloc = 0, ls = strlen(suffix);

    *ret_n = 0;
    if (d == NULL) {
        printf("Bail out! open '%s': %s (set BERTH_TEST_DATA)\n", dir, strerror(errno));
        exit(1);
    }
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);

        if (l <= ls || strcmp(e->d_name + l - ls, suffix) != 0)
            continue;
        names = xgrow(names, &alloc, n, sizeof(*names));
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof(*names), cmp_names);
    *ret_n = n;
    return names;
}

static void
free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* ---- JSON trees: compare, strip ---- */

/* Compare A and B; ORDERED also compares the order of object members,
 * otherwise objects compare as maps with json_get()'s last-wins rule.
 * Numbers compare by their text.  On a difference, P holds its path. */
static bool
json_equal(const struct json_value *a, const struct json_value *b, bool ordered,
           struct json_path *p)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case JSON_NULL:
        return true;
    case JSON_BOOL:
        return a->u.boolean == b->u.boolean;
    case JSON_NUMBER:
    case JSON_STRING:
        return a->u.str.len == b->u.str.len
               && memcmp(a->u.str.text, b->u.str.text, a->u.str.len) == 0;
    case JSON_ARRAY:
        if (a->u.arr.n != b->u.arr.n)
            return false;
        for (size_t i = 0; i < a->u.arr.n; i++) {
            size_t mark = json_path_push_index(p, i);
            if (!json_equal(a->u.arr.items[i], b->u.arr.items[i], ordered, p))
                return false;
            json_path_pop(p, mark);
        }
        return true;
    case JSON_OBJECT:
        if (ordered && a->u.obj.n != b->u.obj.n)
            return false;
        for (size_t i = 0; i < a->u.obj.n; i++) {
            const char *key = a->u.obj.items[i].key;
            size_t mark = json_path_push_key(p, key);
            const struct json_value *bv = ordered ? b->u.obj.items[i].value : json_get(b, key);

            if (ordered && strcmp(key, b->u.obj.items[i].key) != 0)
                return false;
            if (bv == NULL || !json_equal(json_get(a, key), bv, ordered, p))
                return false;
            json_path_pop(p, mark);
        }
        for (size_t i = 0; i < b->u.obj.n; i++) {
            size_t mark = json_path_push_key(p, b->u.obj.items[i].key);
            if (json_get(a, b->u.obj.items[i].key) == NULL)
                return false;
            json_path_pop(p, mark);
        }
        return true;
    }
    return false;
}

/* The document's arena owns the member; it goes when the document does. */
static void
remove_member(struct json_value *obj, size_t i)
{
    memmove(&obj->u.obj.items[i], &obj->u.obj.items[i + 1],
            (obj->u.obj.n - i - 1) * sizeof(obj->u.obj.items[0]));
    obj->u.obj.n--;
}

/* Remove the members at the dotted PATH ("linux.resources.x"), looking
 * through arrays; returns how many were removed. */
static size_t
strip_path(struct json_value *v, const char *path)
{
    const char *dot = strchr(path, '.');
    size_t len = dot ? (size_t)(dot - path) : strlen(path), removed = 0;

    if (v->type == JSON_ARRAY) {
        for (size_t i = 0; i < v->u.arr.n; i++)
            removed += strip_path(v->u.arr.items[i], path);
        return removed;
    }
    if (v->type != JSON_OBJECT)
        return 0;
    for (size_t i = 0; i < v->u.obj.n; i++) {
        const char *key = v->u.obj.items[i].key;

        if (strlen(key) != len || strncmp(key, path, len) != 0)
            continue;
        if (dot == NULL) {
            remove_member(v, i--);
            removed++;
        } else {
            removed += strip_path(v->u.obj.items[i].value, dot + 1);
        }
    }
    return removed;
}

/* config.json null members read as absent, and are not written back. */
static void
strip_nulls(struct json_value *v)
{
    if (v->type == JSON_ARRAY) {
        for (size_t i = 0; i < v->u.arr.n; i++)
            strip_nulls(v->u.arr.items[i]);
    } else if (v->type == JSON_OBJECT) {
        for (size_t i = 0; i < v->u.obj.n; i++) {
            if (v->u.obj.items[i].value->type == JSON_NULL)
                remove_member(v, i--);
            else
                strip_nulls(v->u.obj.items[i].value);
        }
    }
}

/* ---- round trips of the good corpus ---- */

/* Platforms other than Linux: berth ignores them (config.md "Platform-specific
 * configuration"). */
static const char *const other_platforms[] = {"freebsd", "solaris", "vm", "windows", "zos"};

/* Keys of each file that the spec does not define, hence not written back. */
static const struct {
    const char *file;
    const char *paths[10];
} unknown_keys[] = {
    {"spec-example.json", {"linux.resources.oomScoreAdj"}},
    {"extensions.json",
     {"x-top-level", "process.x-process-ext", "process.user.x-user-ext",
      "process.capabilities.x-caps", "hooks.x-hook-stage", "linux.namespaces.x-ns-ext",
      "linux.resources.x-res-ext", "linux.x-linux-ext", "linux.annotations"}},
};

static char *
write_spec(const struct spec *s, bool pretty)
{
    struct error *err = NULL;
    char *buf = NULL;
    size_t len = 0;

    if (spec_write(s, pretty, &buf, &len, &err) < 0) {
        tap_diag("spec_write: %s", err ? err->msg : "(no error)");
        error_free(&err);
        return NULL;
    }
    if (len != strlen(buf))
        tap_diag("spec_write: length %zu, but the text has %zu bytes", len, strlen(buf));
    return buf;
}

static struct spec *
parse_spec(const char *buf, size_t len, const char *what)
{
    struct error *err = NULL;
    struct spec *s = spec_parse(buf, len, "config.json", &err);

    if (s == NULL)
        tap_diag("%s: %s", what, err ? err->msg : "(no error set)");
    error_free(&err);
    return s;
}

static struct json_value *
parse_tree(const char *buf)
{
    struct error *err = NULL;
    struct json_value *v = json_parse(buf, strlen(buf), "tree", &err);

    if (v == NULL)
        tap_diag("json_parse: %s", err->msg);
    error_free(&err);
    return v;
}

/* IN (the file) with what berth does not keep removed, against OUT. */
static void
check_content(const char *name, const char *in, const char *out, bool exact)
{
    struct json_value *want = parse_tree(in), *got = parse_tree(out);
    struct json_path p = {0};
    bool ok = want != NULL && got != NULL;

    for (size_t i = 0; ok && !exact && i < COUNT(other_platforms); i++)
        strip_path(want, other_platforms[i]);
    for (size_t i = 0; ok && !exact && i < COUNT(unknown_keys); i++) {
        if (strcmp(unknown_keys[i].file, name) != 0)
            continue;
        for (size_t j = 0; j < COUNT(unknown_keys[i].paths) && unknown_keys[i].paths[j]; j++) {
            if (strip_path(want, unknown_keys[i].paths[j]) == 0) {
                tap_diag("%s: no key '%s' to remove", name, unknown_keys[i].paths[j]);
                ok = false;
            }
        }
    }
    if (ok && !exact)
        strip_nulls(want);
    ok = ok && json_equal(want, got, exact, &p);
    tap_ok(ok, "%s: the output is %s", name,
           exact ? "the input, member for member" : "the input without unknown keys");
    if (!ok)
        tap_diag("first difference at '%s'", json_path_str(&p));
    json_path_free(&p);
    json_free(want);
    json_free(got);
}

static void
round_trip(const char *name, const char *in, size_t len)
{
    bool exact = strcmp(name, "every-field.json") == 0;
    struct spec *s1 = parse_spec(in, len, name), *s2 = NULL, *s3 = NULL;
    char *c1 = NULL, *p1 = NULL, *c2 = NULL, *p2 = NULL, *c3 = NULL;

    tap_ok(s1 != NULL, "%s: parses", name);
    if (s1 == NULL)
        return;
    c1 = write_spec(s1, false);
    p1 = write_spec(s1, true);
    if (c1 != NULL)
        s2 = parse_spec(c1, strlen(c1), "compact output");
    if (s2 != NULL) {
        c2 = write_spec(s2, false);
        p2 = write_spec(s2, true);
    }
    tap_ok(c1 && c2 && strcmp(c1, c2) == 0, "%s: compact write is byte-stable", name);
    tap_ok(p1 && p2 && strcmp(p1, p2) == 0, "%s: pretty write is byte-stable", name);

    if (p1 != NULL)
        s3 = parse_spec(p1, strlen(p1), "pretty output");
    if (s3 != NULL)
        c3 = write_spec(s3, false);
    tap_ok(c1 && c3 && strcmp(c1, c3) == 0, "%s: pretty and compact output agree", name);
    tap_ok(c1 && !strchr(c1, '\n') && !strchr(c1, '\t'), "%s: compact has no newline or tab", name);
    tap_ok(p1 && strncmp(p1, "{\n\t\"", 4) == 0 && p1[strlen(p1) - 1] == '\n',
           "%s: pretty is tab-indented and ends with a newline", name);
    if (c1 != NULL)
        check_content(name, in, c1, exact);
    if (exact) {
        tap_ok(p1 && strcmp(p1, in) == 0, "%s: pretty output is the file, byte for byte", name);
        if (p1 && strcmp(p1, in) != 0) {
            size_t i = 0;
            while (p1[i] && p1[i] == in[i])
                i++;
            tap_diag("differs at byte %zu: ...%.40s", i, p1 + (i > 20 ? i - 20 : 0));
        }
    }
    free(c1);
    free(p1);
    free(c2);
    free(p2);
    free(c3);
    spec_free(s1);
    spec_free(s2);
    spec_free(s3);
}

static void
test_good_corpus(void)
{
    char *dir = xasprintf("%s/config-good", data_dir);
    size_t n;
    char **names = list_dir(dir, ".json", &n);
    bool have_every_field = false;

    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *in = read_file(dir, names[i], &len);

        have_every_field |= strcmp(names[i], "every-field.json") == 0;
        if (in == NULL) {
            tap_ok(false, "%s: read", names[i]);
            continue;
        }
        round_trip(names[i], in, len);
        free(in);
    }
    tap_ok(have_every_field && n >= 8, "config-good holds every-field.json and the corpus");
    free_names(names, n);
    free(dir);
}

/* ---- every-field.json: every member of every struct is set ---- */

struct missing {
    char *list;
    size_t n, checked;
};

static void
need(struct missing *m, bool ok, const char *what)
{
    char *old = m->list;

    m->checked++;
    if (ok)
        return;
    m->list = xasprintf("%s%s%s", old ? old : "", old ? ", " : "", what);
    free(old);
    m->n++;
}

static bool
streq(const char *a, const char *b)
{
    return a != NULL && strcmp(a, b) == 0;
}

static bool
idmap_is(const struct spec_id_mapping *m, uint32_t c, uint32_t h, uint32_t size)
{
    return m->container_id == c && m->host_id == h && m->size == size;
}

#define NEED(cond) need(m, (cond), #cond)
#define NEED_OBJ(p) (NEED((p) != NULL), (p) != NULL)

static void
check_process(const struct spec_process *p, struct missing *m)
{
    const struct spec_user *u = p->user;
    const struct spec_scheduler *sc = p->scheduler;

    NEED(p->has_terminal && p->terminal);
    if (NEED_OBJ(p->console_size))
        NEED(p->console_size->height == UINT64_MAX && p->console_size->width == 0);
    if (NEED_OBJ(u)) {
        NEED(u->has_uid && u->uid == UINT32_MAX);
        NEED(u->has_gid && u->gid == 0);
        NEED(u->has_umask && u->umask == 18);
        NEED(u->additional_gids.n == 3 && u->additional_gids.items[2] == UINT32_MAX);
        NEED(streq(u->username, "berth"));
    }
    NEED(p->args.n == 3
         && streq(p->args.items[2], "echo \"quoted\" \\ back\tslash "
                                    "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80 ctl\x01"));
    NEED(streq(p->command_line, "cmd.exe /c echo"));
    NEED(p->env.n == 3 && streq(p->env.items[2], "EMPTY="));
    NEED(streq(p->cwd, "/work dir"));
    if (NEED_OBJ(p->capabilities)) {
        NEED(p->capabilities->bounding.n == 2
             && streq(p->capabilities->bounding.items[1], "CAP_KILL"));
        NEED(p->capabilities->effective.n == 1);
        NEED(streq(p->capabilities->inheritable.items[0], "CAP_NET_BIND_SERVICE"));
        NEED(p->capabilities->permitted.n == 3 && p->capabilities->ambient.n == 1);
    }
    NEED(p->n_rlimits == 2 && streq(p->rlimits[0].type, "RLIMIT_NOFILE"));
    NEED(p->n_rlimits == 2 && p->rlimits[0].hard == UINT64_MAX && p->rlimits[0].soft == 1024);
    NEED(p->has_no_new_privileges && !p->no_new_privileges);
    NEED(streq(p->apparmor_profile, "berth-default"));
    NEED(p->has_oom_score_adj && p->oom_score_adj == INT32_MIN);
    NEED(streq(p->selinux_label, "system_u:system_r:container_t:s0:c1,c2"));
    if (NEED_OBJ(p->io_priority)) {
        NEED(p->io_priority->class_ == SPEC_IOPRIO_BE);
        NEED(p->io_priority->has_priority && p->io_priority->priority == INT32_MAX);
    }
    if (NEED_OBJ(sc)) {
        NEED(sc->policy == SPEC_SCHED_DEADLINE && sc->flags.n == 7);
        NEED(sc->has_nice && sc->nice == -20 && sc->has_priority && sc->priority == 99);
        NEED(sc->has_runtime && sc->runtime == UINT64_MAX);
        NEED(sc->has_deadline && sc->deadline == 1000000 && sc->has_period && sc->period == 0);
    }
    if (NEED_OBJ(p->exec_cpu_affinity))
        NEED(streq(p->exec_cpu_affinity->initial, "0-3,7")
             && streq(p->exec_cpu_affinity->final, "4"));
}

static void
check_top(const struct spec *s, struct missing *m)
{
    const struct spec_hooks *h = s->hooks;

    NEED(streq(s->oci_version, "1.3.0"));
    if (NEED_OBJ(s->root))
        NEED(streq(s->root->path, "rootfs") && s->root->has_readonly && s->root->readonly);
    NEED(streq(s->hostname, "every-field") && streq(s->domainname, "example.test"));
    NEED(s->n_mounts == 3);
    if (s->n_mounts == 3) {
        const struct spec_mount *mt = &s->mounts[0];
        NEED(streq(mt->destination, "/data") && streq(mt->type, "bind"));
        NEED(streq(mt->source, "/srv/data") && streq(mt->options.items[2], "idmap"));
        NEED(mt->n_uid_mappings == 2 && idmap_is(&mt->uid_mappings[1], 65536, UINT32_MAX, 1));
        NEED(mt->n_gid_mappings == 1 && idmap_is(&mt->gid_mappings[0], 0, 200000, 65536));
        mt = &s->mounts[2];
        NEED(streq(mt->destination, "/empty") && !mt->type && !mt->source);
        NEED(!mt->options.items && !mt->uid_mappings && !mt->gid_mappings);
    }
    if (NEED_OBJ(h)) {
        NEED(h->n_prestart == 1 && streq(h->prestart[0].path, "/usr/bin/prestart"));
        NEED(h->n_prestart == 1 && h->prestart[0].args.n == 2 && h->prestart[0].env.n == 1);
        NEED(h->n_prestart == 1 && h->prestart[0].has_timeout
             && h->prestart[0].timeout == INT64_MAX);
        NEED(h->n_create_runtime == 2 && h->create_runtime[0].timeout == 1);
        NEED(h->n_create_runtime == 2 && !h->create_runtime[1].has_timeout
             && !h->create_runtime[1].args.items);
        NEED(h->n_create_container == 1 && streq(h->create_container[0].args.items[0], "cc"));
        NEED(h->n_start_container == 1 && h->start_container[0].env.n == 2);
        NEED(h->n_poststart == 1 && h->poststart[0].timeout == 5);
        NEED(h->n_poststop == 1 && streq(h->poststop[0].path, "/usr/sbin/cleanup.sh"));
    }
    NEED(s->annotations.n == 3 && streq(s->annotations.items[0].key, "org.example/key")
         && streq(s->annotations.items[0].value, "value"));
    NEED(s->annotations.n == 3 && streq(s->annotations.items[2].key, "weird \"key\" \\"));
}

static void
check_resources(const struct spec_resources *r, struct missing *m)
{
    const struct spec_memory *mem = r->memory;
    const struct spec_cpu *cpu = r->cpu;
    const struct spec_block_io *b = r->block_io;

    NEED(r->n_devices == 2 && !r->devices[0].allow && !r->devices[0].type);
    NEED(r->n_devices == 2 && !r->devices[0].has_major && streq(r->devices[0].access, "rwm"));
    NEED(r->n_devices == 2 && r->devices[1].allow && streq(r->devices[1].type, "c"));
    NEED(r->n_devices == 2 && r->devices[1].has_major && r->devices[1].major == 10);
    NEED(r->n_devices == 2 && r->devices[1].has_minor && r->devices[1].minor == -1);
    if (NEED_OBJ(mem)) {
        NEED(mem->has_limit && mem->limit == 536870912);
        NEED(mem->has_reservation && mem->reservation == INT64_MIN);
        NEED(mem->has_swap && mem->swap == INT64_MAX);
        NEED(mem->has_kernel && mem->kernel == -1 && mem->has_kernel_tcp && mem->kernel_tcp == -1);
        NEED(mem->has_swappiness && mem->swappiness == UINT64_MAX);
        NEED(mem->has_disable_oom_killer && mem->disable_oom_killer);
        NEED(mem->has_use_hierarchy && !mem->use_hierarchy);
        NEED(mem->has_check_before_update && mem->check_before_update);
    }
    if (NEED_OBJ(cpu)) {
        NEED(cpu->has_shares && cpu->shares == UINT64_MAX && cpu->has_quota && cpu->quota == -1);
        NEED(cpu->has_burst && cpu->burst == 1000000 && cpu->has_period && cpu->period == 100000);
        NEED(cpu->has_realtime_runtime && cpu->realtime_runtime == INT64_MIN);
        NEED(cpu->has_realtime_period && cpu->realtime_period == 1000000);
        NEED(streq(cpu->cpus, "0-3") && streq(cpu->mems, "0"));
        NEED(cpu->has_idle && cpu->idle == 1);
    }
    if (NEED_OBJ(r->pids))
        NEED(r->pids->limit == -1);
    if (NEED_OBJ(b)) {
        NEED(b->has_weight && b->weight == 65535 && b->has_leaf_weight && b->leaf_weight == 0);
        NEED(b->n_weight_device == 2 && b->weight_device[0].major == 8
             && b->weight_device[0].minor == 0);
        NEED(b->n_weight_device == 2 && b->weight_device[0].has_weight
             && b->weight_device[0].weight == 500);
        NEED(b->n_weight_device == 2 && b->weight_device[0].has_leaf_weight
             && b->weight_device[0].leaf_weight == 65535 && !b->weight_device[1].has_weight);
        NEED(b->n_throttle_read_bps_device == 1 && b->throttle_read_bps_device[0].has_rate
             && b->throttle_read_bps_device[0].rate == UINT64_MAX);
        NEED(b->n_throttle_write_bps_device == 1 && b->throttle_write_bps_device[0].has_rate
             && b->throttle_write_bps_device[0].rate == 0);
        NEED(b->n_throttle_read_iops_device == 1 && b->throttle_read_iops_device[0].major == -1
             && b->throttle_read_iops_device[0].rate == 300);
        NEED(b->n_throttle_write_iops_device == 1 && b->throttle_write_iops_device[0].minor == 16
             && !b->throttle_write_iops_device[0].has_rate);
    }
    NEED(r->n_hugepage_limits == 2 && streq(r->hugepage_limits[0].page_size, "2MB")
         && r->hugepage_limits[0].limit == UINT64_MAX);
    if (NEED_OBJ(r->network)) {
        NEED(r->network->has_class_id && r->network->class_id == UINT32_MAX);
        NEED(r->network->n_priorities == 2 && streq(r->network->priorities[0].name, "eth0")
             && r->network->priorities[0].priority == UINT32_MAX);
    }
    NEED(r->n_rdma == 2 && streq(r->rdma[0].key, "mlx5_1") && r->rdma[0].has_hca_handles
         && r->rdma[0].hca_handles == UINT32_MAX);
    NEED(r->n_rdma == 2 && r->rdma[0].has_hca_objects && r->rdma[0].hca_objects == 0);
    NEED(r->n_rdma == 2 && !r->rdma[1].has_hca_handles && r->rdma[1].hca_objects == 1);
    NEED(r->unified.n == 2 && streq(r->unified.items[1].key, "io.weight")
         && streq(r->unified.items[1].value, "default 100"));
}

static void
check_linux(const struct spec_linux *l, struct missing *m)
{
    const struct spec_seccomp *sc = l->seccomp;
    const struct spec_device *d = l->devices;

    NEED(l->n_uid_mappings == 2 && idmap_is(&l->uid_mappings[1], 1, 100000, 65536));
    NEED(l->n_gid_mappings == 1 && idmap_is(&l->gid_mappings[0], 0, 1000, 1));
    NEED(l->n_devices == 4);
    if (l->n_devices == 4) {
        NEED(streq(d[0].path, "/dev/fuse") && d[0].type == SPEC_DEV_CHAR);
        NEED(d[0].has_major && d[0].major == 10 && d[0].has_minor && d[0].minor == 229);
        NEED(d[0].has_file_mode && d[0].file_mode == 0777);
        NEED(d[0].has_uid && d[0].uid == UINT32_MAX && d[0].has_gid && d[0].gid == 0);
        NEED(d[1].major == INT64_MAX && d[1].minor == INT64_MIN && d[1].has_file_mode
             && d[1].file_mode == 0 && !d[1].has_uid);
        NEED(d[3].type == SPEC_DEV_FIFO && !d[3].has_major && !d[3].has_file_mode);
    }
    NEED(l->n_net_devices == 2 && streq(l->net_devices[0].key, "eth0")
         && streq(l->net_devices[0].name, "ceth0") && streq(l->net_devices[1].key, "ens4"));
    NEED(streq(l->cgroups_path, "/berth/every-field"));
    if (NEED_OBJ(l->resources))
        check_resources(l->resources, m);
    if (NEED_OBJ(l->intel_rdt)) {
        NEED(streq(l->intel_rdt->clos_id, "guaranteed_group") && l->intel_rdt->schemata.n == 2);
        NEED(streq(l->intel_rdt->l3_cache_schema, "L3:0=7f0;1=1f"));
        NEED(streq(l->intel_rdt->mem_bw_schema, "MB:0=20;1=70"));
        NEED(l->intel_rdt->has_enable_monitoring && l->intel_rdt->enable_monitoring);
    }
    NEED(l->sysctl.n == 2 && streq(l->sysctl.items[1].key, "kernel.msgmax")
         && streq(l->sysctl.items[1].value, ""));
    NEED(l->n_namespaces == 8 && l->namespaces[2].type == SPEC_NS_NETWORK
         && streq(l->namespaces[2].path, "/var/run/netns/every") && !l->namespaces[0].path);
    if (NEED_OBJ(l->time_offsets) && NEED_OBJ(l->time_offsets->boottime)
        && NEED_OBJ(l->time_offsets->monotonic)) {
        NEED(l->time_offsets->boottime->has_secs && l->time_offsets->boottime->secs == INT64_MIN);
        NEED(l->time_offsets->boottime->has_nanosecs
             && l->time_offsets->boottime->nanosecs == UINT32_MAX);
        NEED(l->time_offsets->monotonic->secs == 172800);
    }
    if (NEED_OBJ(sc)) {
        NEED(sc->default_action == SPEC_SCMP_ACT_ERRNO && sc->has_default_errno_ret
             && sc->default_errno_ret == 1);
        NEED(sc->architectures.n == SPEC_SCMP_ARCH__COUNT - 1
             && sc->flags.n == SPEC_SCMP_FLAG__COUNT - 1);
        NEED(streq(sc->listener_path, "/run/berth/seccomp.sock")
             && streq(sc->listener_metadata, "every-field"));
        NEED(sc->n_syscalls == SPEC_SCMP_ACT__COUNT - 1);
        if (sc->n_syscalls > 0) {
            const struct spec_syscall *sy = &sc->syscalls[0];
            NEED(sy->names.n == 1 && streq(sy->names.items[0], "personality"));
            NEED(sy->action == SPEC_SCMP_ACT_ERRNO && sy->has_errno_ret
                 && sy->errno_ret == UINT32_MAX);
            NEED(sy->n_args == SPEC_SCMP_CMP__COUNT - 1 && sy->args[0].index == 0);
            NEED(sy->n_args > 1 && sy->args[0].value == UINT64_MAX && sy->args[0].has_value_two
                 && sy->args[0].value_two == UINT64_MAX
                 && sy->args[0].op == SPEC_SCMP_CMP_MASKED_EQ);
            NEED(sy->n_args > 1 && sy->args[1].index == 1 && !sy->args[1].has_value_two);
            NEED(sc->syscalls[1].names.n == 2 && !sc->syscalls[1].has_errno_ret
                 && !sc->syscalls[1].args);
        }
    }
    NEED(l->rootfs_propagation == SPEC_PROP_SHARED);
    NEED(l->masked_paths.n == 2 && streq(l->readonly_paths.items[1], "/proc/sysrq-trigger"));
    NEED(streq(l->mount_label, "system_u:object_r:container_file_t:s0:c1,c2"));
    if (NEED_OBJ(l->personality))
        NEED(l->personality->domain == SPEC_PERS_LINUX32 && l->personality->flags.n == 1
             && streq(l->personality->flags.items[0], "ADDR_NO_RANDOMIZE"));
    if (NEED_OBJ(l->memory_policy))
        NEED(l->memory_policy->mode == SPEC_MPOL_BIND && streq(l->memory_policy->nodes, "0-1,3")
             && l->memory_policy->flags.n == 3);
}

#undef NEED
#undef NEED_OBJ

/* ---- enums: every value of every table survives a round trip ---- */

static const struct spec_enum *const all_enums[] = {
    &spec_enum_ns_type,        &spec_enum_dev_type,           &spec_enum_propagation,
    &spec_enum_ioprio_class,   &spec_enum_sched_policy,       &spec_enum_sched_flag,
    &spec_enum_seccomp_action, &spec_enum_seccomp_flag,       &spec_enum_seccomp_op,
    &spec_enum_seccomp_arch,   &spec_enum_personality_domain, &spec_enum_mempolicy_mode,
    &spec_enum_mempolicy_flag,
};
static bool seen[COUNT(all_enums)][64];

static void
saw(const struct spec_enum *e, int value)
{
    for (size_t i = 0; i < COUNT(all_enums); i++)
        if (all_enums[i] == e && value > 0 && value < e->count && value < 64)
            seen[i][value] = true;
}

static void
saw_all(const struct spec_enum *e, const struct enumv *v)
{
    for (size_t i = 0; i < v->n; i++)
        saw(e, v->items[i]);
}

static void
collect_enums(const struct spec *s)
{
    const struct spec_linux *l = s->linux_;

    for (size_t i = 0; i < l->n_namespaces; i++)
        saw(&spec_enum_ns_type, l->namespaces[i].type);
    for (size_t i = 0; i < l->n_devices; i++)
        saw(&spec_enum_dev_type, l->devices[i].type);
    saw(&spec_enum_propagation, l->rootfs_propagation);
    saw(&spec_enum_ioprio_class, s->process->io_priority->class_);
    saw(&spec_enum_sched_policy, s->process->scheduler->policy);
    saw_all(&spec_enum_sched_flag, &s->process->scheduler->flags);
    saw(&spec_enum_seccomp_action, l->seccomp->default_action);
    saw_all(&spec_enum_seccomp_arch, &l->seccomp->architectures);
    saw_all(&spec_enum_seccomp_flag, &l->seccomp->flags);
    for (size_t i = 0; i < l->seccomp->n_syscalls; i++) {
        saw(&spec_enum_seccomp_action, l->seccomp->syscalls[i].action);
        for (size_t j = 0; j < l->seccomp->syscalls[i].n_args; j++)
            saw(&spec_enum_seccomp_op, l->seccomp->syscalls[i].args[j].op);
    }
    saw(&spec_enum_personality_domain, l->personality->domain);
    saw(&spec_enum_mempolicy_mode, l->memory_policy->mode);
    saw_all(&spec_enum_mempolicy_flag, &l->memory_policy->flags);
}

/* The fields that hold one enum value: a config can show only one value of
 * each, so the others are set here and sent through write and parse. */
enum single_enum {
    SE_PROPAGATION,
    SE_IOPRIO,
    SE_POLICY,
    SE_DOMAIN,
    SE_MPOL_MODE,
    SE_DEFAULT_ACTION
};

static int *
single_enum_field(struct spec *s, enum single_enum which, const struct spec_enum **ret_e)
{
    switch (which) {
    case SE_PROPAGATION:
        *ret_e = &spec_enum_propagation;
        return &s->linux_->rootfs_propagation;
    case SE_IOPRIO:
        *ret_e = &spec_enum_ioprio_class;
        return &s->process->io_priority->class_;
    case SE_POLICY:
        *ret_e = &spec_enum_sched_policy;
        return &s->process->scheduler->policy;
    case SE_DOMAIN:
        *ret_e = &spec_enum_personality_domain;
        return &s->linux_->personality->domain;
    case SE_MPOL_MODE:
        *ret_e = &spec_enum_mempolicy_mode;
        return &s->linux_->memory_policy->mode;
    case SE_DEFAULT_ACTION:
        *ret_e = &spec_enum_seccomp_action;
        return &s->linux_->seccomp->default_action;
    }
    abort();
}

static void
sweep_single_enums(struct spec *s)
{
    for (enum single_enum which = SE_PROPAGATION; which <= SE_DEFAULT_ACTION; which++) {
        const struct spec_enum *e;
        int *field = single_enum_field(s, which, &e), saved = *field;

        for (int v = 1; v < e->count; v++) {
            struct spec *back;
            char *out, *again = NULL;
            int got = 0;

            *field = v;
            out = write_spec(s, false);
            back = out ? parse_spec(out, strlen(out), "enum sweep") : NULL;
            if (back != NULL) {
                got = *single_enum_field(back, which, &e);
                again = write_spec(back, false);
            }
            if (got == v && again && strcmp(again, out) == 0)
                saw(e, v);
            else
                tap_diag("%s %s did not survive a round trip", e->noun, spec_enum_name(e, v));
            free(out);
            free(again);
            spec_free(back);
        }
        *field = saved;
    }
}

static void
test_every_field(void)
{
    char *dir = xasprintf("%s/config-good", data_dir), *in;
    size_t len;
    struct spec *s;
    struct missing m = {0};

    in = read_file(dir, "every-field.json", &len);
    s = in ? parse_spec(in, len, "every-field.json") : NULL;
    tap_ok(s != NULL, "every-field.json parses");
    if (s == NULL) {
        free(in);
        free(dir);
        return;
    }
    check_top(s, &m);
    need(&m, s->process != NULL, "s->process != NULL");
    need(&m, s->linux_ != NULL, "s->linux_ != NULL");
    if (s->process != NULL)
        check_process(s->process, &m);
    if (s->linux_ != NULL)
        check_linux(s->linux_, &m);
    tap_ok(m.n == 0, "every-field.json sets every member of bundle/spec.h (%zu checks)", m.checked);
    if (m.n)
        tap_diag("not as in the file: %s", m.list);
    free(m.list);

    /* Both dereference what the member checks above found present. */
    if (s->process && s->process->io_priority && s->process->scheduler && s->linux_
        && s->linux_->seccomp && s->linux_->personality && s->linux_->memory_policy) {
        collect_enums(s);
        sweep_single_enums(s);
    }
    for (size_t i = 0; i < COUNT(all_enums); i++) {
        int missing = 0;

        for (int v = 1; v < all_enums[i]->count; v++) {
            tap_ok(spec_enum_value(all_enums[i], spec_enum_name(all_enums[i], v)) == v,
                   "%s %s: name and value agree", all_enums[i]->noun,
                   spec_enum_name(all_enums[i], v));
            if (!seen[i][v]) {
                tap_diag("%s %s never went through a round trip", all_enums[i]->noun,
                         spec_enum_name(all_enums[i], v));
                missing++;
            }
        }
        tap_ok(missing == 0, "every %s value round-trips", all_enums[i]->noun);
    }
    spec_free(s);
    free(in);
    free(dir);
}

/* ---- the bad corpus ---- */

static void
check_bad(const char *dir, const char *name)
{
    size_t nlen = strlen(name) - strlen(".json"), len, elen;
    char *expect_name = xasprintf("%.*s.expect", (int)nlen, name);
    char *in = read_file(dir, name, &len), *expect = read_file(dir, expect_name, &elen);
    struct error *err = NULL;
    struct spec *s = NULL;

    if (in == NULL || expect == NULL) {
        tap_ok(false, "%s: has %s", name, expect_name);
        goto out;
    }
    while (elen > 0 && expect[elen - 1] == '\n')
        expect[--elen] = '\0';
    s = spec_parse(in, len, "config.json", &err);
    tap_ok(s == NULL && err != NULL && err->errnum == EINVAL, "%s: refused with EINVAL", name);
    tap_is_str(err ? err->msg : NULL, expect, "%s: message is %s", name, expect_name);
out:
    spec_free(s);
    error_free(&err);
    free(in);
    free(expect);
    free(expect_name);
}

static void
test_bad_corpus(void)
{
    char *dir = xasprintf("%s/config-bad", data_dir);
    size_t n, n_expect;
    char **names = list_dir(dir, ".json", &n);
    char **expects = list_dir(dir, ".expect", &n_expect);

    for (size_t i = 0; i < n; i++)
        check_bad(dir, names[i]);
    tap_ok(n >= MIN_BAD_CONFIGS, "config-bad holds %zu configs (at least %d)", n, MIN_BAD_CONFIGS);
    tap_ok(n == n_expect, "every .expect file has its .json (%zu and %zu)", n_expect, n);
    free_names(names, n);
    free_names(expects, n_expect);
    free(dir);
}

int
main(void)
{
    data_dir = getenv("BERTH_TEST_DATA");
    if (data_dir == NULL || data_dir[0] == '\0')
        data_dir = "tests/data";
    test_good_corpus();
    test_every_field();
    test_bad_corpus();
    return tap_done();
}
