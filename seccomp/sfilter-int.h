/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_SECCOMP_SFILTER_INT_H
#define BERTH_SECCOMP_SFILTER_INT_H

/* Internal to seccomp/: what the files of the filter compiler share. */

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle/spec.h"
#include "lib/cleanup.h"
#include "lib/error.h"
#include "seccomp/sfilter.h"

/* "SCMP_ARCH_X86_64" (an enum spec_seccomp_arch) -> libseccomp's token for
 * "x86_64"; 0 when this libseccomp lacks it or ARCH is not one. */
uint32_t sfilter_arch_token(int arch);

/* The running libseccomp's version, "2.5.4", in BUF. */
const char *sfilter_libseccomp_version(char *buf, size_t size);

/* The architectures of SC's filter as libseccomp tokens: the native one
 * first, then those of `architectures` that this libseccomp knows, each
 * once.  *RET_N is at least 1; free *RET. */
void sfilter_filter_arches(const struct spec_seccomp *sc, uint32_t **ret, size_t *ret_n);

/* With a notify rule: is SC's listenerPath a socket?  0 or -errno with
 * *err naming linux.seccomp.listenerPath. */
int sfilter_check_listener(const struct spec_seccomp *sc, struct error **err) ATTR_WUR;

/* The ENOSYS stub (sfilter-enosys.c) for SC, whose filter covers ARCHES,
 * and which answers every x32 call with ENOSYS when NO_X32 (x32 is then
 * left out of libseccomp's program): the instructions to put before
 * libseccomp's program, or *RET_N = 0 when SC needs none.  Fails only if
 * the stub cannot be encoded (-EOVERFLOW). */
int sfilter_enosys_stub(const struct spec_seccomp *sc, const uint32_t *arches, size_t n_arches,
                        bool no_x32, struct sock_filter **ret, size_t *ret_n, struct error **err)
    ATTR_WUR;

/* What the compile does about x32 (see kernel_lacks_x32() in sfilter.c):
 * ask the kernel, as create does, or decide it, for the build-time
 * generator and the unit tests, which need both programs. */
enum sfilter_x32 {
    SFILTER_X32_PROBE,
    SFILTER_X32_KEEP,     /* as on a kernel that runs x32 */
    SFILTER_X32_LEAVE_OUT /* as on one that cannot */
};

/* sfilter_compile() through libseccomp always, never from the built-in
 * programs: what the built-in ones must equal, byte for byte. */
int sfilter_compile_libseccomp(const struct spec_seccomp *sc, enum sfilter_x32 x32,
                               struct sfilter **ret, struct error **err) ATTR_WUR;

/* sfilter_compile() when SC is one of the configs compiled at build time
 * (sfilter_builtin_find()): 1 with *RET set; 0 when it is not one, with
 * nothing done; or -errno with *err, as sfilter_compile(). */
int sfilter_compile_builtin(const struct spec_seccomp *sc, struct sfilter **ret, struct error **err)
    ATTR_WUR;

/* ---- the canonical form of a config (sfilter-cache.c) ---- */

/* Every field of SC that its program depends on, in a fixed binary form
 * (host byte order, the enum values of this build): two configs with the
 * same form compile to the same program.  listenerPath and
 * listenerMetadata are left out (they do not shape the program).  Free
 * *RET. */
void sfilter_config_form(const struct spec_seccomp *sc, unsigned char **ret, size_t *ret_len);

/* ---- programs compiled at build time (sfilter-builtin.c) ---- */

/* The program of one built-in config, for a kernel that runs x32 or not. */
struct sfilter_builtin_prog {
    const struct sock_filter *insns; /* NULL: none (the config has no x32 to leave out) */
    size_t n_insns;
    size_t n_stub;
};

/* A config compiled by seccomp/gen/sfilter-embed.c while berth was built,
 * with the libseccomp berth was built against: its canonical form, its
 * programs, and the lines of the names that libseccomp did not know. */
struct sfilter_builtin {
    const unsigned char *form;
    size_t form_len;
    struct sfilter_builtin_prog prog[2]; /* [no_x32] */
    const char *const *skipped;
    size_t n_skipped;
};

/* The built-in entry whose config is SC, or NULL: none is, or the running
 * libseccomp or its native architecture is not the one of the build (its
 * program could then differ).  Allocates nothing that outlives it. */
const struct sfilter_builtin *sfilter_builtin_find(const struct spec_seccomp *sc);

DEFINE_CLEANUP_FUNC(struct sfilter *, sfilter_free)

#endif
