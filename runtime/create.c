/* SPDX-License-Identifier: Apache-2.0 */
/* `create`: the parent's half of starting a container (init.c is the
 * child's).  runtime.md "Errors": a failed create leaves the environment as
 * if it had never been attempted, so every step here is undone on failure. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/sched.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/exeguard.h"
#include "runtime/filter.h"
#include "runtime/lsm.h"
#include "runtime/process-caps.h"
#include "runtime/process.h"
#include "runtime/hooks.h"
#include "runtime/idmap.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/terminal.h"
#include "runtime/userns.h"

DEFINE_CLEANUP_FUNC(struct spec *, spec_free)
DEFINE_CLEANUP_FUNC(struct sfilter *, sfilter_free)

/* Bind exec.sock in the state directory.  The path goes through
 * /proc/self/fd so that a long --root cannot overflow sun_path. */
static int
listen_exec_sock(int dirfd, struct error **err)
{
    _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};

    if (fd < 0)
        return error_set(err, errno, "socket");
    snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dirfd, STATE_EXEC_SOCK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return error_set(err, errno, "bind '%s'", STATE_EXEC_SOCK);
    if (listen(fd, 1) < 0)
        return error_set(err, errno, "listen '%s'", STATE_EXEC_SOCK);
    return TAKE_FD(fd);
}

static char *
resolve_rootfs(const struct spec *s, int bundle_fd, const char *bundle_path, struct error **err)
{
    char *joined, *real;
    struct stat st;

    if (s->root == NULL || s->root->path == NULL) {
        error_setx(err, EINVAL, "config.json: root.path: required to run a container");
        return NULL;
    }
    /* config.md "root.path": relative to the bundle.  The bundle is the
     * caller's, trusted; the rootfs contents are not, and are only ever
     * resolved through fds. */
    if (fstatat(bundle_fd, s->root->path, &st, 0) < 0 || !S_ISDIR(st.st_mode)) {
        error_set(err, errno ? errno : ENOTDIR, "root.path '%s'", s->root->path);
        return NULL;
    }
    joined = s->root->path[0] == '/' ? xstrdup(s->root->path)
                                     : xasprintf("%s/%s", bundle_path, s->root->path);
    real = realpath(joined, NULL);
    free(joined);
    if (real == NULL)
        error_set(err, errno, "root.path '%s'", s->root->path);
    return real;
}

static bool
is_rootless(void)
{
    _cleanup_free_ char *map = NULL;
    size_t len;

    if (geteuid() != 0)
        return true;
    /* root of a user namespace that is not the initial one (podman's
     * rootless mode) has the limits of an unprivileged user on the host. */
    if (fd_read_file_at(AT_FDCWD, "/proc/self/uid_map", 4096, &map, &len) < 0)
        return false;
    return strstr(map, "4294967295") == NULL;
}

static int
check_plan(const struct container *c, struct error **err)
{
    if (c->spec->process == NULL)
        return error_setx(err, EINVAL, "config.json: process: required to create a container");
    if (!(c->ns.new_flags & CLONE_NEWNS))
        return error_setx(err, EINVAL,
                          "config.json: linux.namespaces: berth needs a new mount namespace "
                          "(type \"mount\" without a path)");
    if (c->rootless && geteuid() != 0 && !c->ns.new_user) {
        bool joins_user = false;
        for (size_t i = 0; i < c->spec->linux_->n_namespaces; i++)
            joins_user |= c->spec->linux_->namespaces[i].type == SPEC_NS_USER;
        if (!joins_user)
            return error_setx(err, EPERM,
                              "config.json: linux.namespaces: running without root needs a user "
                              "namespace (generate a config with `berth spec --rootless`)");
    }
    if (lsm_check(c->spec, err) < 0)
        return -error_errnum(*err);
    if (idmap_check(c->spec, c->rootless, err) < 0)
        return -error_errnum(*err);
    return terminal_check(c->spec, c->opts, err);
}

/* DESIGN.md, step 3: the seccomp filter is compiled here, before clone3;
 * init inherits the BPF with our memory and only loads it. */
static int
compile_seccomp(const struct runtime_ctx *ctx, const struct container *c, struct sfilter **ret,
                struct error **err)
{
    const struct spec_seccomp *sc = c->spec->linux_ ? c->spec->linux_->seccomp : NULL;
    int rc;

    if (sc == NULL)
        return 0;
    rc = filter_compile(ctx->root, sc, ret, err);
    if (rc < 0)
        return error_wrap(err, "config.json");
    for (size_t i = 0; c->opts->debug != NULL && i < (*ret)->skipped.n; i++)
        c->opts->debug(c->opts->debug_data, (*ret)->skipped.items[i]);
    return 0;
}

/* Drive init through setup: write its id maps when asked, learn its pid
 * when it forked into a pid namespace, until it is ready or fails. */
static int
drive_child(struct container *c, pid_t child, pid_t *ret_init, struct error **err)
{
    struct sync_msg msg;
    pid_t init = child;
    int rc;

    for (;;) {
        rc = sync_recv(c->sync_fd, &msg);
        if (rc == -EPIPE)
            return error_setx(err, EPIPE, "container init exited during setup");
        if (rc < 0)
            return error_set(err, -rc, "reading from container init");
        switch (msg.type) {
        case SYNC_USERNS:
            rc = userns_write_maps(child, c->spec->linux_, err);
            if (rc < 0)
                return rc;
            rc = sync_send(c->sync_fd, SYNC_MAPS_DONE, 0);
            if (rc < 0)
                return error_set(err, -rc, "sync");
            break;
        case SYNC_IDMAP:
            rc = idmap_send_mounts(c->spec, c->bundle_fd, init, c->sync_fd, err);
            if (rc < 0)
                return rc;
            break;
        case SYNC_INIT_PID:
            if (msg.value <= 0)
                return error_setx(err, EPROTO, "container init reported pid %lld",
                                  (long long)msg.value);
            init = (pid_t)msg.value;
            *ret_init = init;
            break;
        case SYNC_HOOKS:
            c->hooks_started = true;
            rc = hooks_create_runtime(c, init, err);
            if (rc < 0)
                return rc;
            rc = sync_send(c->sync_fd, SYNC_HOOKS_DONE, 0);
            if (rc < 0)
                return error_set(err, -rc, "sync");
            break;
        case SYNC_READY:
            *ret_init = init;
            /* process.oomScoreAdj from here: init cannot open its own
             * oom_score_adj once an id change in its user namespace has
             * made it undumpable, and lowering it needs CAP_SYS_RESOURCE
             * in the host's user namespace, which the parent may have. */
            return process_apply_oom_score_adj(c->spec->process, init, err);
        case SYNC_ERROR:
            return error_setx(err, msg.errnum > 0 ? msg.errnum : EIO, "%s", msg.text);
        default:
            return error_setx(err, EPROTO, "container init sent unexpected step %u", msg.type);
        }
    }
}

int
runtime_write_pid_file(const char *path, pid_t pid, struct error **err)
{
    _cleanup_free_ char *copy = xstrdup(path);
    _cleanup_free_ char *text = xasprintf("%d", (int)pid);
    _cleanup_close_ int dfd = -1;
    char *slash = strrchr(copy, '/');
    const char *name = copy;
    int rc;

    if (slash) {
        *slash = '\0';
        name = slash + 1;
        dfd = open(copy[0] ? copy : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    } else {
        dfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    }
    if (dfd < 0)
        return error_set(err, errno, "--pid-file '%s'", path);
    rc = fd_write_file_atomic_at(dfd, name, text, strlen(text), 0644);
    if (rc < 0)
        return error_set(err, -rc, "--pid-file '%s'", path);
    return 0;
}

static int
save_state(struct container *c, int dirfd, pid_t init, const char *cgroup_path, struct error **err)
{
    struct spec_state_private priv = {
        .cgroup_path = (char *)cgroup_path,
        .has_init_start_time = true,
        .init_start_time = state_proc_start_time(init),
        .has_pidns = true,
        .pidns = c->ns.new_pid || c->ns.join_pid,
        .has_rootless = true,
        .rootless = c->rootless,
        .has_config_at_start = true,
        .config_at_start = (c->spec->hooks && c->spec->hooks->n_poststart > 0)
                           || (c->spec->linux_ && c->spec->linux_->seccomp
                               && c->spec->linux_->seccomp->listener_path),
        .has_config_at_delete = true,
        .config_at_delete = c->spec->hooks && c->spec->hooks->n_poststop > 0,
    };
    struct spec_state st = {
        .oci_version = (char *)SPEC_OCI_VERSION,
        .id = (char *)c->id,
        .status = (char *)"created",
        .has_pid = true,
        .pid = init,
        .bundle = c->bundle_path,
        .rootfs = c->rootfs_path,
        .created = state_now_rfc3339(),
        .owner = (char *)"",
        .annotations = c->spec->annotations,
        .priv = &priv,
    };
    int rc = state_write(dirfd, &st, err);

    free(st.created);
    return rc;
}

static int
freeze_config(int bundle_fd, int dirfd, struct error **err)
{
    _cleanup_free_ char *buf = NULL;
    size_t len;
    int rc = fd_read_file_at(bundle_fd, "config.json", 16u << 20, &buf, &len);

    if (rc == 0)
        rc = fd_replace_file_at(dirfd, STATE_CONFIG_FILE, buf, len, 0600, false);
    if (rc < 0)
        return error_set(err, -rc, "save config.json in the state directory");
    return 0;
}

static void
kill_and_reap(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

static int
spawn(struct container *c, int dirfd, const struct cgroup_setup *cg, pid_t *ret_init,
      struct error **err)
{
    int sp[2];
    pid_t child, init = -1;
    int rc;

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
        return error_set(err, errno, "socketpair");
    c->listen_fd = listen_exec_sock(dirfd, err);
    if (c->listen_fd < 0) {
        close(sp[0]);
        close(sp[1]);
        return c->listen_fd;
    }
    /* `run` waits for init itself, also when init is a grandchild. */
    if (c->opts->foreground)
        prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    child = cgroup_clone3(c->ns.has_paths ? 0 : c->ns.new_flags, cg);
    if (child < 0) {
        rc = error_set(err, errno, "clone3 with namespaces 0x%lx", c->ns.new_flags);
        close(sp[0]);
        close(sp[1]);
        close(c->listen_fd);
        return rc;
    }
    if (child == 0) {
        close(sp[0]);
        /* A host directory, as the state root above. */
        if (cg->dirfd >= 0)
            close(cg->dirfd);
        c->state_dirfd = dirfd;
        c->sync_fd = sp[1];
        init_main(c);
    }
    close(sp[1]);
    close(c->listen_fd);
    c->sync_fd = sp[0];
    init = child;
    rc = drive_child(c, child, &init, err);
    close(sp[0]);
    if (rc < 0) {
        kill_and_reap(child);
        /* A grandchild init (pid namespace joined or made after clone). */
        if (init > 0 && init != child)
            kill(init, SIGKILL);
        return rc;
    }
    if (init != child) {
        /* The intermediate process of the slow path exits by itself. */
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    *ret_init = init;
    return 0;
}

/* Make the state directory, start init in it; undo both on failure. */
static int
create_in_state(const struct runtime_ctx *ctx, struct container *c,
                const struct runtime_create_opts *o, struct cgroup_setup *cg, pid_t *ret_init,
                struct error **err)
{
    _cleanup_close_ int rootfd = state_root_open(ctx->root, err);
    _cleanup_close_ int dirfd = -1;
    pid_t init = -1;
    int rc;

    if (rootfd < 0)
        return rootfd;
    dirfd = state_dir_create(rootfd, c->id, err);
    if (dirfd < 0)
        return dirfd;
    /* init inherits every fd we hold at clone3, close-on-exec or not, until
     * its execve; a host directory among them is a way out of the rootfs
     * (CVE-2024-21626: /proc/self/fd/N/... as process.cwd, args[0] or an ELF
     * interpreter).  Let go of the state root; reopen it to clean up. */
    close(TAKE_FD(rootfd));
    rc = freeze_config(c->bundle_fd, dirfd, err);
    if (rc == 0) {
        rc = cgroup_create(cg, c->spec, err);
        if (rc < 0)
            error_wrap(err, "config.json");
    }
    if (rc == 0)
        rc = spawn(c, dirfd, cg, &init, err);
    if (rc == 0)
        rc = save_state(c, dirfd, init, cg->path, err);
    if (rc == 0 && o->pid_file)
        rc = runtime_write_pid_file(o->pid_file, init, err);
    /* Last: on success the caller owns the master. */
    if (rc == 0)
        rc = terminal_receive(c, err);
    if (rc < 0) {
        struct error *ignored = NULL;

        kill_and_reap(init);
        cgroup_abandon(cg);
        rootfd = state_root_open(ctx->root, &ignored);
        if (rootfd >= 0)
            state_dir_remove(rootfd, c->id, &ignored);
        error_free(&ignored);
        if (c->hooks_started)
            hooks_create_failed(ctx, c);
        return rc;
    }
    *ret_init = init;
    return 0;
}

/* The caller's fds past stdio, --preserve-fds and socket activation
 * (LISTEN_FDS, see process.c) are not the container's.  Close them before
 * anything of ours is opened: a created init would otherwise hold them until
 * start (the caller's pipe never sees EOF), as runc's init never does. */
static void
close_inherited_fds(const struct runtime_create_opts *o)
{
    const char *listen = getenv("LISTEN_FDS");
    int n_listen = listen ? atoi(listen) : 0;
    unsigned first = 3U + (unsigned)o->preserve_fds + (n_listen > 0 ? (unsigned)n_listen : 0U);

    syscall(SYS_close_range, first, ~0U, 0);
}

/* Where the cgroup goes and what it gets (runtime/cgroup.h), and the
 * warnings: limits not applied without delegation, fields ignored. */
static int
prepare_cgroup(const struct runtime_ctx *ctx, const struct container *c, struct cgroup_setup *cg,
               struct error **err)
{
    _cleanup_free_ char *warning = NULL;
    int rc = cgroup_prepare(c->spec, c->id, c->rootless, cg, &warning, err);

    if (rc < 0)
        return error_wrap(err, "config.json");
    if (warning != NULL && ctx->warn != NULL)
        ctx->warn(ctx->warn_data, warning);
    for (size_t i = 0; i < cg->plan.n_ignored && ctx->warn != NULL; i++) {
        _cleanup_free_ char *msg = xasprintf("config.json: %s: cgroup v2 has no such setting: "
                                             "ignored, as runc does",
                                             cg->plan.ignored[i]);
        ctx->warn(ctx->warn_data, msg);
    }
    return 0;
}

int
runtime_create(const struct runtime_ctx *ctx, const char *id, const struct runtime_create_opts *o,
               pid_t *ret_pid, struct error **err)
{
    _cleanup_close_ int bundle_fd = -1;
    _cleanup_(spec_freep) struct spec *s = NULL;
    _cleanup_(sfilter_freep) struct sfilter *filter = NULL;
    _cleanup_free_ char *bundle_path = NULL;
    _cleanup_free_ char *rootfs_path = NULL;
    _cleanup_(cgroup_setup_free) struct cgroup_setup cg = {.dirfd = -1};
    const char *bundle = o->bundle ? o->bundle : ".";
    struct container c = {.id = id, .opts = o, .console_fd = -1, .console_recv_fd = -1};
    pid_t init = -1;
    bool reach = true;
    int rc;

    close_inherited_fds(o);
    rc = state_check_id(id, err);
    if (rc < 0)
        return rc;
    bundle_fd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (bundle_fd < 0)
        return error_set(err, errno, "bundle '%s'", bundle);
    bundle_path = realpath(bundle, NULL);
    if (bundle_path == NULL)
        return error_set(err, errno, "bundle '%s'", bundle);
    s = spec_load_bundle_at(bundle_fd, err);
    if (s == NULL)
        return -EINVAL;
    rootfs_path = resolve_rootfs(s, bundle_fd, bundle_path, err);
    if (rootfs_path == NULL)
        return -EINVAL;
    c.spec = s;
    c.bundle_fd = bundle_fd;
    c.bundle_path = bundle_path;
    c.rootfs_path = rootfs_path;
    c.rootless = is_rootless();
    ns_plan_build(s, &c.ns);
    rc = check_plan(&c, err);
    if (rc < 0)
        return rc;
    /* CVE-2019-5736: init runs this binary until start, and its execve of
     * a "#!/proc/self/exe" program runs it again inside the container: when
     * the container could write the file, run from a sealed copy
     * (runtime/exeguard.h).  The copy starts this command over.  A user
     * namespace joined by path counts as one that could. */
    if (c.ns.new_user && s->linux_ != NULL && s->linux_->n_uid_mappings > 0)
        reach = exeguard_exe_reachable(s->linux_->uid_mappings, s->linux_->n_uid_mappings);
    if (reach && (rc = exeguard_reexec(err)) < 0)
        return error_wrap(err, "create '%s'", id);
    /* Here, where warnings reach the caller (and once: after the copy's
     * start over): init inherits the result. */
    if (s->process != NULL)
        caps_keep_grantable(s->process->capabilities, c.ns.new_user || c.ns.join_user, ctx->warn,
                            ctx->warn_data);
    rc = prepare_cgroup(ctx, &c, &cg, err);
    if (rc < 0)
        return rc;
    rc = compile_seccomp(ctx, &c, &filter, err);
    if (rc < 0)
        return rc;
    c.seccomp = filter;
    rc = terminal_open(&c, err);
    if (rc < 0)
        return rc;
    rc = create_in_state(ctx, &c, o, &cg, &init, err);
    terminal_close(&c);
    if (rc < 0)
        return error_wrap(err, "create '%s'", id);
    *ret_pid = init;
    return 0;
}
