/* SPDX-License-Identifier: Apache-2.0 */
/* How long config.json takes to load: spec_load (parse and validate) of a
 * ~100 KB config, timed N times with clock_gettime; prints the median per
 * load in microseconds and the file size.  Not a test: no assertions.
 *
 *   parse-bench [-n N] [-w OUT] [CONFIG]
 *
 * Without CONFIG the config is generated: what an engine hands a runtime
 * with a seccomp profile like Docker's default (one rule per syscall known
 * to libseccomp on this architecture, two thirds of them with arguments), plus
 * mounts, environment, capabilities, devices and masked paths.  -w writes
 * that config to OUT (to time other runtimes on the same input). */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/xalloc.h"

static const char *const caps[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE",
};
static const char *const cap_sets[] = {"bounding", "effective", "inheritable", "permitted",
                                       "ambient"};
static const char *const masked[] = {
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
};
static const char *const readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                       "/proc/sysrq-trigger"};
static const char *const namespaces[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};

static void
key_str(struct json_writer *w, const char *key, const char *value)
{
    json_w_key(w, key);
    json_w_string(w, value);
}

static void
key_u64(struct json_writer *w, const char *key, uint64_t value)
{
    json_w_key(w, key);
    json_w_uint64(w, value);
}

static void
write_process(struct json_writer *w)
{
    char buf[128];

    json_w_key(w, "process");
    json_w_object_begin(w);
    json_w_key(w, "terminal");
    json_w_bool(w, false);
    json_w_key(w, "user");
    json_w_object_begin(w);
    key_u64(w, "uid", 0);
    key_u64(w, "gid", 0);
    json_w_object_end(w);
    json_w_key(w, "args");
    json_w_array_begin(w);
    json_w_string(w, "/usr/local/bin/server");
    json_w_string(w, "--config=/etc/server/config.yaml");
    json_w_array_end(w);
    json_w_key(w, "env");
    json_w_array_begin(w);
    json_w_string(w, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for (int i = 0; i < 64; i++) {
        snprintf(buf, sizeof(buf), "SERVICE_%02d_ADDR=tcp://10.0.%d.%d:8080", i, i / 8, i);
        json_w_string(w, buf);
    }
    json_w_array_end(w);
    key_str(w, "cwd", "/");
    json_w_key(w, "capabilities");
    json_w_object_begin(w);
    for (size_t s = 0; s < sizeof(cap_sets) / sizeof(cap_sets[0]); s++) {
        json_w_key(w, cap_sets[s]);
        json_w_array_begin(w);
        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
            json_w_string(w, caps[i]);
        json_w_array_end(w);
    }
    json_w_object_end(w);
    json_w_key(w, "rlimits");
    json_w_array_begin(w);
    json_w_object_begin(w);
    key_str(w, "type", "RLIMIT_NOFILE");
    key_u64(w, "hard", 1048576);
    key_u64(w, "soft", 1048576);
    json_w_object_end(w);
    json_w_array_end(w);
    json_w_key(w, "noNewPrivileges");
    json_w_bool(w, true);
    json_w_key(w, "oomScoreAdj");
    json_w_int64(w, 500);
    json_w_object_end(w);
}

static void
write_mounts(struct json_writer *w)
{
    char dest[64], src[64];

    json_w_key(w, "mounts");
    json_w_array_begin(w);
    for (int i = 0; i < 32; i++) {
        snprintf(dest, sizeof(dest), "/srv/volume-%02d", i);
        snprintf(src, sizeof(src), "/var/lib/engine/volumes/volume-%02d/_data", i);
        json_w_object_begin(w);
        key_str(w, "destination", dest);
        key_str(w, "type", "bind");
        key_str(w, "source", src);
        json_w_key(w, "options");
        json_w_array_begin(w);
        json_w_string(w, "rbind");
        json_w_string(w, i % 2 ? "ro" : "rw");
        json_w_string(w, "nosuid");
        json_w_string(w, "nodev");
        json_w_array_end(w);
        json_w_object_end(w);
    }
    json_w_array_end(w);
}

/* One rule per syscall, like the per-syscall sections of Docker's profile;
 * two of every three carry two argument conditions. */
static void
write_seccomp(struct json_writer *w)
{
    json_w_key(w, "seccomp");
    json_w_object_begin(w);
    key_str(w, "defaultAction", "SCMP_ACT_ERRNO");
    key_u64(w, "defaultErrnoRet", 1);
    json_w_key(w, "architectures");
    json_w_array_begin(w);
    json_w_string(w, "SCMP_ARCH_X86_64");
    json_w_string(w, "SCMP_ARCH_X86");
    json_w_string(w, "SCMP_ARCH_X32");
    json_w_array_end(w);
    json_w_key(w, "syscalls");
    json_w_array_begin(w);
    for (int nr = 0, rule = 0; nr < 1024; nr++) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

        if (name == NULL)
            continue;
        json_w_object_begin(w);
        json_w_key(w, "names");
        json_w_array_begin(w);
        json_w_string(w, name);
        json_w_array_end(w);
        key_str(w, "action", "SCMP_ACT_ALLOW");
        if (rule++ % 3 != 2) {
            json_w_key(w, "args");
            json_w_array_begin(w);
            json_w_object_begin(w);
            key_u64(w, "index", 0);
            key_u64(w, "value", (uint64_t)nr);
            key_str(w, "op", "SCMP_CMP_NE");
            json_w_object_end(w);
            json_w_object_begin(w);
            key_u64(w, "index", 1);
            key_u64(w, "value", 2114060288);
            key_u64(w, "valueTwo", 0);
            key_str(w, "op", "SCMP_CMP_MASKED_EQ");
            json_w_object_end(w);
            json_w_array_end(w);
        }
        json_w_object_end(w);
        free(name);
    }
    json_w_array_end(w);
    json_w_object_end(w);
}

static void
write_strings(struct json_writer *w, const char *key, const char *const *list, size_t n)
{
    json_w_key(w, key);
    json_w_array_begin(w);
    for (size_t i = 0; i < n; i++)
        json_w_string(w, list[i]);
    json_w_array_end(w);
}

static void
write_linux(struct json_writer *w)
{
    char buf[64];

    json_w_key(w, "linux");
    json_w_object_begin(w);
    json_w_key(w, "resources");
    json_w_object_begin(w);
    json_w_key(w, "devices");
    json_w_array_begin(w);
    json_w_object_begin(w);
    json_w_key(w, "allow");
    json_w_bool(w, false);
    key_str(w, "access", "rwm");
    json_w_object_end(w);
    json_w_array_end(w);
    json_w_key(w, "pids");
    json_w_object_begin(w);
    json_w_key(w, "limit");
    json_w_int64(w, 4096);
    json_w_object_end(w);
    json_w_object_end(w);
    key_str(w, "cgroupsPath", "/engine/0123456789abcdef0123456789abcdef");
    json_w_key(w, "namespaces");
    json_w_array_begin(w);
    for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
        json_w_object_begin(w);
        key_str(w, "type", namespaces[i]);
        json_w_object_end(w);
    }
    json_w_array_end(w);
    json_w_key(w, "devices");
    json_w_array_begin(w);
    for (int i = 0; i < 8; i++) {
        snprintf(buf, sizeof(buf), "/dev/accel%d", i);
        json_w_object_begin(w);
        key_str(w, "path", buf);
        key_str(w, "type", "c");
        json_w_key(w, "major");
        json_w_int64(w, 261);
        json_w_key(w, "minor");
        json_w_int64(w, i);
        key_u64(w, "fileMode", 0660);
        json_w_object_end(w);
    }
    json_w_array_end(w);
    write_seccomp(w);
    write_strings(w, "maskedPaths", masked, sizeof(masked) / sizeof(masked[0]));
    write_strings(w, "readonlyPaths", readonly, sizeof(readonly) / sizeof(readonly[0]));
    json_w_object_end(w);
}

static char *
generate(size_t *ret_len)
{
    struct json_writer *w = json_writer_new(true);
    struct error *err = NULL;
    char *buf, key[64];

    json_w_object_begin(w);
    key_str(w, "ociVersion", SPEC_OCI_VERSION);
    write_process(w);
    json_w_key(w, "root");
    json_w_object_begin(w);
    key_str(w, "path", "rootfs");
    json_w_object_end(w);
    key_str(w, "hostname", "bench");
    write_mounts(w);
    json_w_key(w, "annotations");
    json_w_object_begin(w);
    for (int i = 0; i < 20; i++) {
        snprintf(key, sizeof(key), "org.example.bench/label-%02d", i);
        key_str(w, key, "some-value-of-moderate-length");
    }
    json_w_object_end(w);
    write_linux(w);
    json_w_object_end(w);
    if (json_writer_finish(w, &buf, ret_len, &err) < 0) {
        fprintf(stderr, "parse-bench: generating the config: %s\n", err->msg);
        exit(1);
    }
    return buf;
}

static double
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median microseconds per call of LOAD over N runs (after a few warm-ups). */
static double
time_it(struct spec *(*load)(const char *, size_t, const char *, struct error **), const char *buf,
        size_t len, int n)
{
    double *t = xcalloc((size_t)n, sizeof(*t)), median;

    for (int i = -5; i < n; i++) {
        struct error *err = NULL;
        double start = now_us();
        struct spec *s = load(buf, len, "config.json", &err);

        if (s == NULL) {
            fprintf(stderr, "parse-bench: %s\n", err->msg);
            exit(1);
        }
        spec_free(s);
        if (i >= 0)
            t[i] = now_us() - start;
    }
    qsort(t, (size_t)n, sizeof(*t), cmp_double);
    median = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    free(t);
    return median;
}

int
main(int argc, char **argv)
{
    const char *out = NULL;
    char *buf;
    size_t len;
    int n = 1000, opt;
    double load, parse;

    while ((opt = getopt(argc, argv, "n:w:")) != -1) {
        if (opt == 'n' && atoi(optarg) > 0) {
            n = atoi(optarg);
        } else if (opt == 'w') {
            out = optarg;
        } else {
            fprintf(stderr, "usage: parse-bench [-n N] [-w OUT] [CONFIG]\n");
            return 2;
        }
    }
    if (optind < argc) {
        int rc = fd_read_file_at(AT_FDCWD, argv[optind], 64u << 20, &buf, &len);
        if (rc < 0) {
            fprintf(stderr, "parse-bench: '%s': %s\n", argv[optind], strerror(-rc));
            return 1;
        }
    } else {
        buf = generate(&len);
    }
    if (out != NULL) {
        FILE *f = fopen(out, "w");
        if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
            fprintf(stderr, "parse-bench: '%s': %s\n", out, strerror(errno));
            return 1;
        }
    }
    load = time_it(spec_load, buf, len, n);
    parse = time_it(spec_parse, buf, len, n);
    printf("config.json: %zu bytes (%s)\n", len, optind < argc ? argv[optind] : "generated");
    printf("spec_load (parse + validate): median %.1f us over %d runs (%.0f MB/s)\n", load, n,
           (double)len / load);
    printf("spec_parse alone:             median %.1f us\n", parse);
    free(buf);
    return 0;
}
