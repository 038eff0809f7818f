/* SPDX-License-Identifier: Apache-2.0 */
/* sfilter_load(): the child's half, one syscall on a program compiled by
 * the parent.  Nothing here allocates or opens (but the kernel, for a
 * notify listener): it runs as the last step before execve, where the
 * filter already sees every syscall. */
#include "seccomp/sfilter.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int
sfilter_load(const struct sfilter *f, struct error **err)
{
    struct sock_fprog prog = {
        .len = (unsigned short)f->n_insns,
        .filter = f->insns,
    };
    long rc;

    rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &prog);
    /* Kernels before 3.17 have no seccomp(2), and prctl takes no flags. */
    if (rc < 0 && errno == ENOSYS && f->flags == 0)
        rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
    if (rc < 0 && errno == ESRCH) /* TSYNC_ESRCH, which comes with NEW_LISTENER */
        return error_setx(err, ESRCH,
                          "linux.seccomp: SECCOMP_FILTER_FLAG_TSYNC: another thread has another "
                          "filter");
    if (rc < 0 && errno == EACCES)
        return error_set(err, errno,
                         "linux.seccomp: load the filter (without process.noNewPrivileges, "
                         "that needs CAP_SYS_ADMIN)");
    if (rc < 0)
        return error_set(err, errno, "linux.seccomp: load the filter");
    /* NEW_LISTENER: the value is the listener fd. */
    if (f->notify)
        return (int)rc;
    /* TSYNC: a positive value is the thread that could not be synchronised
     * (init has only one, so this is a bug of ours). */
    if (rc > 0)
        return error_setx(err, ESRCH,
                          "linux.seccomp: SECCOMP_FILTER_FLAG_TSYNC: thread %ld has another "
                          "filter",
                          rc);
    return 0;
}
