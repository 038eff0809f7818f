/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

bool
lsm_apparmor_enabled(void)
{
    _cleanup_free_ char *buf = NULL;
    size_t len;

    if (fd_read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", 16, &buf, &len) < 0)
        return false;
    return len > 0 && buf[0] == 'Y';
}

bool
lsm_selinux_enabled(void)
{
    struct stat st;
    return stat("/sys/fs/selinux/enforce", &st) == 0;
}

int
lsm_check(const struct spec *s, struct error **err)
{
    const struct spec_process *p = s->process;

    if (p && p->apparmor_profile && p->apparmor_profile[0] && !lsm_apparmor_enabled())
        return error_setx(err, EOPNOTSUPP,
                          "config.json: process.apparmorProfile: \"%s\" cannot be applied: "
                          "AppArmor is not enabled on this host",
                          p->apparmor_profile);
    if (p && p->selinux_label && p->selinux_label[0] && !lsm_selinux_enabled())
        return error_setx(err, EOPNOTSUPP,
                          "config.json: process.selinuxLabel: \"%s\" cannot be applied: SELinux "
                          "is not enabled on this host",
                          p->selinux_label);
    if (s->linux_ && s->linux_->mount_label && s->linux_->mount_label[0] && !lsm_selinux_enabled())
        return error_setx(err, EOPNOTSUPP,
                          "config.json: linux.mountLabel: \"%s\" cannot be applied: SELinux is "
                          "not enabled on this host",
                          s->linux_->mount_label);
    return 0;
}

/* 0, or -errno. */
static int
write_attr(const char *path, const char *text)
{
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    return fd_write_all(fd, text, strlen(text));
}

int
lsm_apply_exec(const struct spec_process *p, struct error **err)
{
    int rc;

    if (p->apparmor_profile && p->apparmor_profile[0]) {
        _cleanup_free_ char *cmd = xasprintf("exec %s", p->apparmor_profile);

        /* Newer kernels have a per-LSM directory; older ones only attr/exec. */
        rc = write_attr("/proc/self/attr/apparmor/exec", cmd);
        if (rc == -ENOENT)
            rc = write_attr("/proc/self/attr/exec", cmd);
        if (rc < 0)
            return error_set(err, -rc, "process.apparmorProfile \"%s\"", p->apparmor_profile);
    }
    if (p->selinux_label && p->selinux_label[0]) {
        rc = write_attr("/proc/self/attr/exec", p->selinux_label);
        if (rc < 0)
            return error_set(err, -rc, "process.selinuxLabel \"%s\"", p->selinux_label);
    }
    return 0;
}
