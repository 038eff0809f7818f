/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_SECCOMP_SFILTER_H
#define BERTH_SECCOMP_SFILTER_H

/* linux.seccomp (config-linux.md "Seccomp") -> a BPF program, in two steps
 * that run in different processes (STYLE.md: the parent compiles, the child
 * only loads):
 *
 *   sfilter_compile()  in `create`, before clone3: translate the spec with
 *                      libseccomp, export the BPF, check the flags against
 *                      the kernel.  All the work and all the config errors.
 *   sfilter_load()     in the container's init, the last step before execve
 *                      (runtime/process.c): one seccomp(2) call on the bytes
 *                      the child inherited with the parent's memory.
 *
 * Translation follows runc (libcontainer/seccomp/seccomp_linux.go), so that
 * the profiles written for runc behave the same:
 *   - SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD; SCMP_ACT_ERRNO and
 *     SCMP_ACT_TRACE without errnoRet (defaultErrnoRet) return EPERM;
 *     an errno above 4094, the largest libseccomp takes, is capped to it;
 *   - the native architecture is always in the filter, next to those of
 *     `architectures`;
 *   - a syscall name this libseccomp does not know is skipped (and listed
 *     in sfilter.skipped), so that a profile written for a newer kernel
 *     still loads;
 *   - a rule whose action is the default action is left out (it would
 *     change nothing, and libseccomp refuses it);
 *   - the conditions of `args` are AND-ed in one rule, except when two of
 *     them test the same argument: libseccomp cannot express that, and runc
 *     then adds one rule per condition, so that the syscall matches when ANY
 *     condition holds.  berth does the same;
 *   - SCMP_CMP_MASKED_EQ is (arg & value) == valueTwo;
 *   - more than 32 syscall names turn on libseccomp's binary-tree
 *     optimisation (runc counts rules of one name each);
 *   - on x86_64, when the kernel cannot run x32 code, the x32 section is
 *     left out and the stub answers x32 calls with ENOSYS, as the kernel
 *     would (sfilter.c, kernel_lacks_x32()).
 *
 * ENOSYS for syscalls newer than the profile.  A profile is an allowlist
 * written at some date; a libc built later tries the syscalls of newer
 * kernels first and falls back to older ones only on ENOSYS.  Under a
 * default of SCMP_ACT_ERRNO it would get EPERM and fail (clone3 broke glibc
 * 2.34 in Docker this way).  So when defaultAction is SCMP_ACT_ERRNO (and
 * its errno is not ENOSYS already), berth puts a stub before libseccomp's
 * program, as runc does (libcontainer/seccomp/patchbpf): per architecture
 * of the filter, a syscall number above the largest one that any name of
 * the profile resolves to on that architecture (whatever its rule's action)
 * returns ENOSYS; everything else goes on to the filter.  Syscall numbers
 * only grow, so "above the largest name" is "newer than the profile"; a
 * name this libseccomp does not know cannot be allowed here anyway, and
 * being newer than every name it knows, it gets ENOSYS too.  Holes below
 * the largest number (syscalls the profile does not name) keep the
 * default errno: the profile denies them knowingly.  An explicit list of
 * "new" syscalls was the alternative; it goes stale with every kernel,
 * while the comparison needs no list.  Other default actions get no stub:
 * a kill or trap default asks to stop on anything unexpected, and runc's
 * ENOSYS there (it stubs every default but allow, log and trace) would
 * weaken that.  On x86_64 the x32 numbers (bit 30) are compared against
 * x32's own largest, below x32's compat range (512 up).
 *
 * SCMP_ACT_NOTIFY: the filter is loaded with SECCOMP_FILTER_FLAG_NEW_LISTENER
 * and sfilter_load() returns the listener fd; runtime/filter.c hands it to
 * `berth start`, which sends it to the agent at listenerPath with the
 * container process state (sfilter_agent_*() below).  The syscall that
 * carries the fd out of init (sendmsg, on the native architecture) cannot
 * be notified: the agent could never answer it.  Nor can the default
 * action be SCMP_ACT_NOTIFY (runc refuses both, its hand-off being write).
 * What init does after the sendmsg reaches an agent that has the fd.
 *
 * Compiling the default profile takes libseccomp some 11 ms, ten times
 * what loading it costs.  So the default profile of `berth spec` is
 * compiled when berth is built, and sfilter_compile() takes that program
 * when the config is this very profile and libseccomp the one berth was
 * built with (sfilter-builtin.c); the kernel's part (flags, x32) is still
 * decided at each compile.  Other configs are compiled by libseccomp, once
 * per state root: the program is cached there (sfilter_compile_cached()). */

#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>

#include "bundle/spec.h"
#include "lib/error.h"

struct sfilter {
    struct sock_filter *insns; /* the BPF program: the ENOSYS stub, then libseccomp's */
    size_t n_insns;
    size_t n_stub;      /* instructions of the ENOSYS stub at the start (0: none) */
    unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
    bool notify;        /* a rule is SCMP_ACT_NOTIFY: flags has NEW_LISTENER */
    bool no_x32;        /* x32 left out: the kernel cannot run it (sfilter.c) */
    /* One debug line per syscall name left out because this libseccomp
     * does not know it:
     *   linux.seccomp.syscalls[3].names[1]: libseccomp 2.5.4 does not know
     *   the syscall 'foo': skipped */
    struct strv skipped;
};

/* Compile SC into *RET (free with sfilter_free()).  Fails with -EINVAL and
 * *err naming the field ("linux.seccomp.syscalls[3].args[0].op: ...") for a
 * config this libseccomp or kernel cannot carry out: an architecture or
 * action it lacks, a flag the kernel refuses, a notify rule berth cannot
 * serve or whose listenerPath is not a socket, a filter longer than the
 * kernel's BPF limit; or with the errno of libseccomp or of the memfd the
 * program is exported through.  *ret is untouched on failure. */
int sfilter_compile(const struct spec_seccomp *sc, struct sfilter **ret, struct error **err)
    ATTR_WUR;

/* sfilter_compile() through a cache in the directory CACHE_DIRFD (see
 * sfilter-cache.c): an identical config compiled there before by this
 * berth, libseccomp and kernel is read back instead.  With CACHE_DIRFD -1,
 * or a cache that cannot be used, it compiles; the cache never makes it
 * fail.  A config compiled at build time (the default profile) is taken
 * from berth itself, and not stored. */
int sfilter_compile_cached(int cache_dirfd, const struct spec_seccomp *sc, struct sfilter **ret,
                           struct error **err) ATTR_WUR;

/* The translation alone: a libseccomp filter for SC (release it with
 * seccomp_release()), and the skipped-name lines appended to *SKIPPED when
 * not NULL.  For sfilter_compile() and the unit tests, which read the rules
 * back with seccomp_export_pfc(). */
int sfilter_translate(const struct spec_seccomp *sc, scmp_filter_ctx *ret_ctx, struct strv *skipped,
                      struct error **err) ATTR_WUR;

/* Install F on the calling thread with seccomp(SECCOMP_SET_MODE_FILTER,
 * F->flags).  Needs no_new_privs or CAP_SYS_ADMIN in the caller's user
 * namespace (EACCES otherwise).  Every syscall after it goes through the
 * filter, so call it last.  Returns 0, or with F->notify the listener fd
 * (close-on-exec, > 0), or -errno.  Allocates nothing. */
int sfilter_load(const struct sfilter *f, struct error **err) ATTR_WUR;

void sfilter_free(struct sfilter *f);

/* Does SC have a SCMP_ACT_NOTIFY rule? */
bool sfilter_has_notify(const struct spec_seccomp *sc);

/* ---- the notify agent (sfilter-notify.c) ---- */

/* Connect to the agent's socket PATH (config-linux.md listenerPath: AF_UNIX,
 * SOCK_STREAM).  Returns the socket (close-on-exec) or -errno with *err
 * naming linux.seccomp.listenerPath. */
int sfilter_agent_connect(const char *path, struct error **err) ATTR_WUR;

/* The container process state (config-linux.md "The Container Process
 * State") for ST, whose pid is the container process, with METADATA
 * (listenerMetadata, may be NULL): compact JSON in *RET, one fd named
 * "seccompFd".  Fails (-EINVAL) only for a string that is not UTF-8. */
int sfilter_process_state(const struct spec_state *st, const char *metadata, char **ret,
                          struct error **err) ATTR_WUR;

/* Send STATE (from sfilter_process_state) with LISTENER_FD as SCM_RIGHTS
 * over SOCK, the fd with the first sendmsg(2) only.  Closes neither. */
int sfilter_agent_send(int sock, int listener_fd, const char *state, struct error **err) ATTR_WUR;

/* ---- the default profile (sfilter-default.c) ---- */

/* berth's default profile (seccomp/default-profile.json, berth-seccomp(7))
 * for a process whose bounding set is CAPS (names such as "CAP_KILL"), on
 * the architecture berth runs on: the groups whose capability and
 * architecture conditions hold, with the filter architectures of that
 * family, and without the names this libseccomp does not know (they could
 * not be enforced here; being newer than the others, they get ENOSYS).
 * NULL with *err only if the built-in data is broken, which the unit tests
 * rule out.  Free with sfilter_profile_free(). */
struct spec_seccomp *sfilter_default_profile(const struct strv *caps, struct error **err);

void sfilter_profile_free(struct spec_seccomp *sc);

#endif
