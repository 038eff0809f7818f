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

DEFINE_CLEANUP_FUNC(struct sfilter *, sfilter_free)

#endif
