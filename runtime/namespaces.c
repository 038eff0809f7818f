/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "lib/cleanup.h"
#include "lib/fd.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

unsigned long
ns_clone_flag(int type)
{
    switch ((enum spec_ns_type)type) {
    case SPEC_NS_MOUNT:
        return CLONE_NEWNS;
    case SPEC_NS_PID:
        return CLONE_NEWPID;
    case SPEC_NS_NETWORK:
        return CLONE_NEWNET;
    case SPEC_NS_UTS:
        return CLONE_NEWUTS;
    case SPEC_NS_IPC:
        return CLONE_NEWIPC;
    case SPEC_NS_USER:
        return CLONE_NEWUSER;
    case SPEC_NS_CGROUP:
        return CLONE_NEWCGROUP;
    case SPEC_NS_TIME:
        return CLONE_NEWTIME;
    case SPEC_NS_UNSET:
    case SPEC_NS__COUNT:
        break;
    }
    return 0;
}

const char *
ns_proc_name(int type)
{
    switch ((enum spec_ns_type)type) {
    case SPEC_NS_MOUNT:
        return "mnt";
    case SPEC_NS_PID:
        return "pid";
    case SPEC_NS_NETWORK:
        return "net";
    case SPEC_NS_UTS:
        return "uts";
    case SPEC_NS_IPC:
        return "ipc";
    case SPEC_NS_USER:
        return "user";
    case SPEC_NS_CGROUP:
        return "cgroup";
    case SPEC_NS_TIME:
        return "time";
    case SPEC_NS_UNSET:
    case SPEC_NS__COUNT:
        break;
    }
    return "?";
}

void
ns_plan_build(const struct spec *s, struct ns_plan *ret)
{
    const struct spec_linux *lx = s->linux_;

    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; lx && i < lx->n_namespaces; i++) {
        const struct spec_namespace *ns = &lx->namespaces[i];
        unsigned long flag = ns_clone_flag(ns->type);

        if (ns->path != NULL && ns->path[0] != '\0') {
            ret->has_paths = true;
            if (ns->type == SPEC_NS_PID)
                ret->join_pid = true;
            if (ns->type == SPEC_NS_USER)
                ret->join_user = true;
            continue;
        }
        switch ((enum spec_ns_type)ns->type) {
        case SPEC_NS_TIME:
            ret->new_time = true;
            continue; /* not a clone flag: see ns_setup_time */
        case SPEC_NS_USER:
            ret->new_user = true;
            break;
        case SPEC_NS_PID:
            ret->new_pid = true;
            break;
        case SPEC_NS_NETWORK:
            ret->new_net = true;
            break;
        case SPEC_NS_UTS:
            ret->new_uts = true;
            break;
        case SPEC_NS_IPC:
            ret->new_ipc = true;
            break;
        case SPEC_NS_MOUNT:
            ret->new_mount = true;
            break;
        case SPEC_NS_CGROUP:
            ret->new_cgroup = true;
            break;
        case SPEC_NS_UNSET:
        case SPEC_NS__COUNT:
            break;
        }
        ret->new_flags |= flag;
    }
}

static int
join_one(const struct spec_namespace *ns, size_t index, struct error **err)
{
    _cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
    int type;

    if (fd < 0)
        return error_set(err, errno, "linux.namespaces[%zu].path '%s'", index, ns->path);
    type = ioctl(fd, NS_GET_NSTYPE);
    if (type < 0 || (unsigned long)type != ns_clone_flag(ns->type))
        return error_setx(err, EINVAL, "linux.namespaces[%zu].path '%s' is not a %s namespace",
                          index, ns->path, spec_enum_name(&spec_enum_ns_type, ns->type));
    if (setns(fd, type) < 0)
        return error_set(err, errno, "linux.namespaces[%zu]: join '%s'", index, ns->path);
    return 0;
}

int
ns_join_paths(const struct spec *s, struct error **err)
{
    const struct spec_linux *lx = s->linux_;
    int rc;

    if (lx == NULL)
        return 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < lx->n_namespaces; i++) {
            const struct spec_namespace *ns = &lx->namespaces[i];
            bool is_user = ns->type == SPEC_NS_USER;

            if (ns->path == NULL || ns->path[0] == '\0' || is_user != (pass == 0))
                continue;
            rc = join_one(ns, i, err);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

int
ns_setup_time(const struct spec *s, struct error **err)
{
    const struct spec_time_offsets *to = s->linux_ ? s->linux_->time_offsets : NULL;
    _cleanup_close_ int fd = -1;
    char buf[256];
    int n = 0, rc;

    if (unshare(CLONE_NEWTIME) < 0)
        return error_set(err, errno, "linux.namespaces: unshare time namespace");
    if (to != NULL) {
        /* time_namespaces(7): offsets can only be written before any
         * process has entered the namespace. */
        if (to->monotonic)
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, "monotonic %lld %u\n",
                          (long long)to->monotonic->secs, to->monotonic->nanosecs);
        if (to->boottime)
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, "boottime %lld %u\n",
                          (long long)to->boottime->secs, to->boottime->nanosecs);
        if (n > 0) {
            fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
            if (fd < 0)
                return error_set(err, errno, "linux.timeOffsets: open timens_offsets");
            rc = fd_write_all(fd, buf, (size_t)n);
            if (rc < 0)
                return error_set(err, -rc, "linux.timeOffsets: write timens_offsets");
            close(fd);
        }
    }
    fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
        return error_set(err, errno, "linux.namespaces: enter time namespace");
    return 0;
}
