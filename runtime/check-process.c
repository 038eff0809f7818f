/* SPDX-License-Identifier: Apache-2.0 */
/* `berth check`, the process: its cwd and executable inside the rootfs (with
 * the ELF interpreter or "#!" line, whose absence makes exec fail with a
 * baffling "no such file or directory"), rlimits, capabilities,
 * oom_score_adj, LSM labels, the terminal, and the hooks. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/validate.h"
#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/check-int.h"

/* glibc's execvp() path when PATH is unset (confstr _CS_PATH). */
#define DEFAULT_EXEC_PATH "/bin:/usr/bin"

static void
check_cwd(struct check *c)
{
    const char *cwd = c->s->process->cwd;
    _cleanup_close_ int fd = -1;

    if (cwd == NULL || cwd[0] != '/' || c->rootfd < 0)
        return; /* config.md: "This value MUST be an absolute path" (spec_validate) */
    if (runtime_check_mount_covering(c, cwd, c->s->n_mounts) >= 0)
        return;
    fd = fd_open_in_root(c->rootfd, cwd, O_PATH | O_DIRECTORY, 0);
    if (fd == -ENOENT)
        check_warning(c, "create it in the rootfs, or make sure a hook or mount provides it",
                      "process.cwd", "'%s' does not exist in the rootfs", cwd);
    else if (fd == -ENOTDIR)
        check_error(c, NULL, "process.cwd", "'%s' is not a directory in the rootfs", cwd);
    else if (fd < 0)
        check_error(c, NULL, "process.cwd", "cannot resolve '%s' in the rootfs: %s", cwd,
                    strerror(-fd));
}

/* ---- the executable's header ---- */

static const struct {
    unsigned machine;
    const char *name;
} machines[] = {
    {EM_X86_64, "x86_64"},   {EM_386, "i386"},
    {EM_AARCH64, "aarch64"}, {EM_ARM, "arm"},
    {EM_RISCV, "riscv"},     {EM_PPC64, "ppc64"},
    {EM_PPC, "ppc"},         {EM_S390, "s390"},
    {EM_MIPS, "mips"},       {EM_LOONGARCH, "loongarch"},
};

#if defined(__x86_64__)
#define NATIVE_MACHINE EM_X86_64
#define COMPAT_MACHINE EM_386
#elif defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#define COMPAT_MACHINE EM_ARM
#elif defined(__i386__)
#define NATIVE_MACHINE EM_386
#elif defined(__arm__)
#define NATIVE_MACHINE EM_ARM
#elif defined(__riscv)
#define NATIVE_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define NATIVE_MACHINE EM_PPC64
#elif defined(__s390x__)
#define NATIVE_MACHINE EM_S390
#endif
#ifndef COMPAT_MACHINE
#define COMPAT_MACHINE EM_NONE
#endif

static const char *
machine_name(unsigned machine, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++)
        if (machines[i].machine == machine)
            return machines[i].name;
    snprintf(buf, size, "ELF machine %u", machine);
    return buf;
}

/* The interpreter an exec of the file would need: PT_INTERP of an ELF
 * executable or the "#!" line of a script; NULL when none.  *RET_MACHINE is
 * the ELF machine (EM_NONE for scripts). */
static char *
exec_interpreter(int fd, unsigned *ret_machine, bool *ret_script)
{
    unsigned char h[sizeof(Elf64_Ehdr)];
    ssize_t n = pread(fd, h, sizeof(h), 0);
    bool is64;
    uint64_t phoff;
    unsigned phnum, phentsize;

    *ret_machine = EM_NONE;
    *ret_script = false;
    if (n >= 2 && h[0] == '#' && h[1] == '!') {
        char line[256];
        ssize_t m = pread(fd, line, sizeof(line) - 1, 2);
        size_t start, len;

        *ret_script = true;
        line[m > 0 ? m : 0] = '\0';
        start = strspn(line, " \t");
        len = strcspn(line + start, " \t\n");
        return xstrndup(line + start, len);
    }
    if (n < (ssize_t)sizeof(Elf32_Ehdr) || memcmp(h, ELFMAG, SELFMAG) != 0
        || h[EI_DATA] != ELFDATA2LSB || (h[EI_CLASS] != ELFCLASS32 && h[EI_CLASS] != ELFCLASS64))
        return NULL; /* not ELF, or big-endian: leave it to the kernel */
    is64 = h[EI_CLASS] == ELFCLASS64;
    if (is64) {
        Elf64_Ehdr e;

        memcpy(&e, h, sizeof(e));
        *ret_machine = e.e_machine;
        phoff = e.e_phoff, phnum = e.e_phnum, phentsize = e.e_phentsize;
    } else {
        Elf32_Ehdr e;

        memcpy(&e, h, sizeof(e));
        *ret_machine = e.e_machine;
        phoff = e.e_phoff, phnum = e.e_phnum, phentsize = e.e_phentsize;
    }
    if (phentsize < (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
        return NULL;
    for (unsigned i = 0; i < phnum && i < 64; i++) {
        unsigned char ph[sizeof(Elf64_Phdr)];
        uint64_t off, size;
        uint32_t type;
        char *interp;

        if (pread(fd, ph, phentsize < sizeof(ph) ? phentsize : sizeof(ph),
                  (off_t)(phoff + (uint64_t)i * phentsize))
            < (ssize_t)(is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
            return NULL;
        if (is64) {
            Elf64_Phdr p;

            memcpy(&p, ph, sizeof(p));
            type = p.p_type, off = p.p_offset, size = p.p_filesz;
        } else {
            Elf32_Phdr p;

            memcpy(&p, ph, sizeof(p));
            type = p.p_type, off = p.p_offset, size = p.p_filesz;
        }
        if (type != PT_INTERP)
            continue;
        if (size == 0 || size > 4096)
            return NULL;
        interp = xcalloc(1, size + 1);
        if (pread(fd, interp, size, (off_t)off) != (ssize_t)size) {
            free(interp);
            return NULL;
        }
        return interp;
    }
    return NULL;
}

/* ARG0 was found at PATH in the rootfs (FD open O_PATH): look at what exec
 * will need beyond the file itself. */
static void
check_exec_header(struct check *c, const char *path, int fd)
{
    char proc[64], buf[32];
    _cleanup_close_ int rfd = -1;
    _cleanup_close_ int ifd = -1;
    _cleanup_free_ char *interp = NULL;
    unsigned machine;
    bool script;

    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    rfd = open(proc, O_RDONLY | O_CLOEXEC);
    if (rfd < 0)
        return; /* not readable by us: the kernel only needs it executable */
    interp = exec_interpreter(rfd, &machine, &script);
#ifdef NATIVE_MACHINE
    if (machine != EM_NONE && machine != NATIVE_MACHINE && machine != COMPAT_MACHINE)
        check_warning(c,
                      "exec fails with 'exec format error' unless binfmt_misc (qemu-user) "
                      "handles it",
                      "process.args[0]", "'%s' is built for %s, and this host runs %s", path,
                      machine_name(machine, buf, sizeof(buf)),
                      machine_name(NATIVE_MACHINE, proc, sizeof(proc)));
#endif
    if (interp == NULL)
        return;
    if (interp[0] != '/') {
        if (script && interp[0] == '\0')
            check_error(c, NULL, "process.args[0]",
                        "'%s' starts with '#!' but names no interpreter", path);
        return;
    }
    if (runtime_check_mount_covering(c, interp, c->s->n_mounts) >= 0)
        return;
    ifd = fd_open_in_root(c->rootfd, interp, O_PATH, 0);
    if (ifd == -ENOENT || ifd == -ENOTDIR)
        check_warning(c,
                      script ? "exec fails with 'no such file or directory' although the script "
                               "exists; install the interpreter in the rootfs"
                             : "exec fails with 'no such file or directory' although the binary "
                               "exists; copy the loader and libraries into the rootfs, or use a "
                               "static binary",
                      "process.args[0]", "'%s' needs %s '%s', which does not exist in the rootfs",
                      path, script ? "the interpreter" : "the ELF interpreter", interp);
}

/* What exec would find at PATH in the rootfs: 0 and an O_PATH fd in *RET_FD
 * for an executable regular file, -ENOENT, -EACCES (exists, not executable:
 * *RET_MODE is set), -EISDIR, or another -errno. */
static int
open_exec_in_root(struct check *c, const char *path, int *ret_fd, mode_t *ret_mode)
{
    _cleanup_close_ int fd = fd_open_in_root(c->rootfd, path, O_PATH, 0);
    struct stat st;

    if (fd == -ENOTDIR)
        return -ENOENT;
    if (fd < 0)
        return fd;
    if (fstat(fd, &st) < 0)
        return -errno;
    *ret_mode = st.st_mode;
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0)
        return -EACCES;
    *ret_fd = TAKE_FD(fd);
    return 0;
}

static void
report_exec(struct check *c, const char *path, int rc, mode_t mode, int fd)
{
    if (rc == 0)
        check_exec_header(c, path, fd);
    else if (rc == -ENOENT)
        check_warning(c, "put the program in the rootfs, or make sure a hook or mount provides it",
                      "process.args[0]", "'%s' does not exist in the rootfs", path);
    else if (rc == -EISDIR)
        check_error(c, NULL, "process.args[0]", "'%s' is a directory in the rootfs", path);
    else if (rc == -EACCES && !S_ISREG(mode))
        check_error(c, NULL, "process.args[0]", "'%s' is not a regular file in the rootfs", path);
    else if (rc == -EACCES)
        check_error(c, "chmod +x it in the rootfs", "process.args[0]",
                    "'%s' is not executable in the rootfs (mode %04o)", path,
                    (unsigned)(mode & 07777));
    else
        check_error(c, NULL, "process.args[0]", "cannot resolve '%s' in the rootfs: %s", path,
                    strerror(-rc));
}

static const char *
env_path(const struct spec_process *p)
{
    const char *path = NULL;

    for (size_t i = 0; i < p->env.n; i++)
        if (strncmp(p->env.items[i], "PATH=", 5) == 0)
            path = p->env.items[i] + 5;
    return path;
}

/* execvp(3) semantics: a name with a '/' is a path (relative to the cwd);
 * otherwise each PATH directory is tried in turn, skipping files that exist
 * but are not executable. */
static void
check_args(struct check *c)
{
    const struct spec_process *p = c->s->process;
    const char *arg0 = p->args.n ? p->args.items[0] : NULL;
    const char *search = env_path(p);
    _cleanup_free_ char *denied = NULL;
    mode_t denied_mode = 0;

    if (arg0 == NULL || *arg0 == '\0' || c->rootfd < 0)
        return;
    if (strchr(arg0, '/') != NULL) {
        _cleanup_free_ char *full =
            arg0[0] == '/' || p->cwd == NULL ? xstrdup(arg0) : xasprintf("%s/%s", p->cwd, arg0);
        _cleanup_close_ int fd = -1;
        mode_t mode = 0;
        int rc;

        if (runtime_check_mount_covering(c, full, c->s->n_mounts) >= 0)
            return;
        rc = open_exec_in_root(c, full, &fd, &mode);
        report_exec(c, full, rc, mode, fd);
        return;
    }
    for (const char *dir = search ? search : DEFAULT_EXEC_PATH; *dir;) {
        size_t n = strcspn(dir, ":");
        _cleanup_free_ char *full = xasprintf("%.*s/%s", (int)n, dir, arg0);
        _cleanup_close_ int fd = -1;
        mode_t mode = 0;
        int rc;

        dir += n + (dir[n] == ':');
        if (full[0] != '/')
            continue; /* empty or relative PATH entries: relative to the cwd, rare */
        if (runtime_check_mount_covering(c, full, c->s->n_mounts) >= 0)
            return;
        rc = open_exec_in_root(c, full, &fd, &mode);
        if (rc == 0) {
            check_exec_header(c, full, fd);
            return;
        }
        if (rc != -ENOENT && rc != -EISDIR && denied == NULL) {
            denied = TAKE_PTR(full);
            denied_mode = mode;
        }
    }
    if (denied != NULL)
        report_exec(c, denied, -EACCES, denied_mode, -1);
    else
        check_warning(c,
                      search ? "put it in one of those directories, or give a full path"
                             : "set PATH in process.env, or give a full path",
                      "process.args[0]", "'%s' is not found in the rootfs in PATH %s%s", arg0,
                      search ? search : DEFAULT_EXEC_PATH,
                      search ? "" : " (PATH is not set in process.env)");
}

/* ---- limits and privileges ---- */

static const char *
rlim_str(uint64_t v, char *buf, size_t size)
{
    if (v == (uint64_t)RLIM_INFINITY)
        return "unlimited";
    snprintf(buf, size, "%llu", (unsigned long long)v);
    return buf;
}

/* config.md "POSIX process": "Only a privileged process (e.g. one with the
 * CAP_SYS_RESOURCE capability) can raise a hard limit", and that capability
 * counts only in the initial user namespace, so a user namespace of the
 * container's own does not help. */
static void
check_rlimits(struct check *c)
{
    const struct spec_process *p = c->s->process;

    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct spec_rlimit *r = &p->rlimits[i];
        char b1[32], b2[32], hint[64];
        struct rlimit cur;
        int res = -1;

        if (r->type != NULL)
            res = bundle_rlimit_resource(r->type);
        if (res < 0 || getrlimit(res, &cur) < 0)
            continue; /* unknown types are spec_validate's */
        snprintf(hint, sizeof(hint), "lower it to %s or less",
                 rlim_str(cur.rlim_max, b1, sizeof(b1)));
        if (r->hard > (uint64_t)cur.rlim_max && !c->cap_sys_resource)
            check_error(c, hint, JP("process.rlimits[%zu].hard", i),
                        "%s %s is above the current hard limit %s, and raising a hard limit "
                        "needs CAP_SYS_RESOURCE, which berth does not have here",
                        r->type, rlim_str(r->hard, b2, sizeof(b2)),
                        rlim_str(cur.rlim_max, b1, sizeof(b1)));
        if (res == RLIMIT_NOFILE) {
            _cleanup_free_ char *nr = runtime_check_read_file("/proc/sys/fs/nr_open");
            unsigned long long max = nr ? strtoull(nr, NULL, 10) : 0;

            if (max > 0 && r->hard > max)
                check_error(c, NULL, JP("process.rlimits[%zu].hard", i),
                            "RLIMIT_NOFILE %s is above the kernel's fs.nr_open (%llu)",
                            rlim_str(r->hard, b2, sizeof(b2)), max);
        }
    }
}

/* config.md "Linux Process": capabilities that "cannot be granted otherwise
 * MUST be logged as a warning"; none outside the bounding set can, in any
 * user namespace. */
static void
check_capabilities(struct check *c)
{
    const struct spec_capabilities *caps = c->s->process->capabilities;
    const struct {
        const char *name;
        const struct strv *v;
    } sets[] = {
        {"bounding", &caps->bounding},       {"effective", &caps->effective},
        {"inheritable", &caps->inheritable}, {"permitted", &caps->permitted},
        {"ambient", &caps->ambient},
    };
    uint64_t seen[2] = {0, 0};

    for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
        for (size_t i = 0; i < sets[s].v->n; i++) {
            const char *name = sets[s].v->items[i];
            cap_value_t cap;
            int bound;

            if (cap_from_name(name, &cap) != 0 || cap < 0 || cap >= 128)
                continue; /* unknown names are spec_validate's */
            bound = cap_get_bound(cap);
            if (bound > 0 || (seen[cap / 64] & (1ull << (cap % 64))))
                continue;
            seen[cap / 64] |= 1ull << (cap % 64);
            if (bound < 0)
                check_warning(c, "the container runs without it",
                              JP("process.capabilities.%s[%zu]", sets[s].name, i),
                              "%s is not supported by this kernel, so it cannot be granted", name);
            else
                check_warning(c, "the container runs without it; remove it to silence this",
                              JP("process.capabilities.%s[%zu]", sets[s].name, i),
                              "%s is not in the capability bounding set here, so it cannot be "
                              "granted",
                              name);
        }
    }
}

/* Lowering oom_score_adj below oom_score_adj_min (which /proc does not
 * show; it is the last value a privileged process set) needs
 * CAP_SYS_RESOURCE; the current value is the best guess at the minimum. */
static void
check_oom_score_adj(struct check *c)
{
    const struct spec_process *p = c->s->process;
    _cleanup_free_ char *cur = NULL;
    long now;

    if (!p->has_oom_score_adj || c->cap_sys_resource)
        return;
    cur = runtime_check_read_file("/proc/self/oom_score_adj");
    now = cur ? strtol(cur, NULL, 10) : 0;
    if (p->oom_score_adj < now)
        check_warning(c, JP("use %ld or more", now), "process.oomScoreAdj",
                      "%d is below the current oom_score_adj (%ld), and lowering it needs "
                      "CAP_SYS_RESOURCE, which berth does not have here: the kernel may refuse it",
                      (int)p->oom_score_adj, now);
}

static bool
apparmor_enabled(void)
{
    _cleanup_free_ char *on = runtime_check_read_file("/sys/module/apparmor/parameters/enabled");

    return on != NULL && on[0] == 'Y';
}

/* The LSM fields name policy that must exist on the host.  Without the LSM
 * berth ignores them, as crun does (runc refuses a SELinux label): the
 * container then runs unconfined, which the user should know. */
static void
check_lsm(struct check *c)
{
    const struct spec_process *p = c->s->process;
    const struct spec_linux *l = c->s->linux_;
    bool selinux = access("/sys/fs/selinux/enforce", F_OK) == 0;

    if (p != NULL && p->apparmor_profile != NULL && *p->apparmor_profile) {
        _cleanup_free_ char *loaded = NULL;

        if (!apparmor_enabled()) {
            check_warning(c, "the process runs unconfined", "process.apparmorProfile",
                          "AppArmor is not enabled on this host, so berth ignores the profile '%s'",
                          p->apparmor_profile);
        } else if (strcmp(p->apparmor_profile, "unconfined") != 0
                   && (loaded =
                           runtime_check_read_file("/sys/kernel/security/apparmor/profiles"))) {
            size_t n = strlen(p->apparmor_profile);
            bool found = false;

            for (const char *line = loaded; line && *line;
                 line = strchr(line, '\n'), line += !!line)
                if (strncmp(line, p->apparmor_profile, n) == 0 && line[n] == ' ')
                    found = true;
            if (!found)
                check_error(c, "load it with apparmor_parser -r", "process.apparmorProfile",
                            "the AppArmor profile '%s' is not loaded", p->apparmor_profile);
        }
    }
    if (selinux)
        return;
    if (p != NULL && p->selinux_label != NULL && *p->selinux_label)
        check_warning(c, "the process runs without a SELinux label", "process.selinuxLabel",
                      "SELinux is not enabled on this host, so berth ignores the label '%s'",
                      p->selinux_label);
    if (l != NULL && l->mount_label != NULL && *l->mount_label)
        check_warning(c, "mounts get no SELinux context", "linux.mountLabel",
                      "SELinux is not enabled on this host, so berth ignores the label '%s'",
                      l->mount_label);
}

void
runtime_check_process(struct check *c)
{
    const struct spec_process *p = c->s->process;

    check_lsm(c);
    if (p == NULL)
        return;
    check_cwd(c);
    check_args(c);
    check_rlimits(c);
    if (p->capabilities != NULL)
        check_capabilities(c);
    check_oom_score_adj(c);
    if (p->has_terminal && p->terminal)
        check_warning(c, "set process.terminal to false to run without a terminal",
                      "process.terminal",
                      "the process gets a terminal: 'berth create' needs --console-socket to hand "
                      "it over ('berth run' attaches it to its own)");
}

/* ---- hooks ---- */

/* config.md "POSIX-platform Hooks": createContainer and the earlier hooks'
 * "path MUST resolve in the runtime namespace"; startContainer's in the
 * container namespace (the rootfs, as far as we can see from here). */
static void
check_hook(struct check *c, const char *kind, size_t i, const struct spec_hook *h, bool in_rootfs)
{
    struct stat st;
    int rc;

    if (h->path == NULL || h->path[0] != '/')
        return; /* spec_validate */
    if (in_rootfs) {
        _cleanup_close_ int fd = -1;

        if (c->rootfd < 0 || runtime_check_mount_covering(c, h->path, c->s->n_mounts) >= 0)
            return;
        fd = fd_open_in_root(c->rootfd, h->path, O_PATH, 0);
        rc = fd < 0 ? fd : fstat(fd, &st) < 0 ? -errno : 0;
    } else {
        rc = stat(h->path, &st) < 0 ? -errno : 0;
    }
    JP("hooks.%s[%zu].path", kind, i);
    if ((rc == -ENOENT || rc == -ENOTDIR) && in_rootfs)
        check_warning(c, NULL, c->path, "'%s' does not exist in the rootfs", h->path);
    else if (rc == -ENOENT || rc == -ENOTDIR)
        check_error(c, NULL, c->path, "'%s' does not exist", h->path);
    else if (rc < 0)
        check_error(c, NULL, c->path, "cannot resolve '%s': %s", h->path, strerror(-rc));
    else if (!S_ISREG(st.st_mode))
        check_error(c, NULL, c->path, "'%s' is not a regular file", h->path);
    else if ((st.st_mode & 0111) == 0 || (!in_rootfs && access(h->path, X_OK) < 0))
        check_error(c, NULL, c->path, "'%s' is not executable (mode %04o)", h->path,
                    (unsigned)(st.st_mode & 07777));
}

void
runtime_check_hooks(struct check *c)
{
    const struct spec_hooks *h = c->s->hooks;
    const struct {
        const char *kind;
        const struct spec_hook *v;
        size_t n;
        bool in_rootfs;
    } lists[] = {
        {"prestart", h ? h->prestart : NULL, h ? h->n_prestart : 0, false},
        {"createRuntime", h ? h->create_runtime : NULL, h ? h->n_create_runtime : 0, false},
        {"createContainer", h ? h->create_container : NULL, h ? h->n_create_container : 0, false},
        {"startContainer", h ? h->start_container : NULL, h ? h->n_start_container : 0, true},
        {"poststart", h ? h->poststart : NULL, h ? h->n_poststart : 0, false},
        {"poststop", h ? h->poststop : NULL, h ? h->n_poststop : 0, false},
    };

    for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++)
        for (size_t i = 0; i < lists[k].n; i++)
            check_hook(c, lists[k].kind, i, &lists[k].v[i], lists[k].in_rootfs);
}
