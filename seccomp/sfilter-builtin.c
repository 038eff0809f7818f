/* SPDX-License-Identifier: Apache-2.0 */
/* sfilter_builtin_find(): programs compiled while berth was built.
 *
 * libseccomp takes some 11 ms to compile the default profile (its rule
 * database and BPF generator grow faster than linearly with the ~1000
 * rules of 365 names on x86_64, x86 and x32), which the cache in the state
 * root pays once per config and state root, and every first container
 * pays in full.  Yet the program is a function of the config and of
 * libseccomp alone: the kernel only decides the flags and whether the x32
 * section is left out, and compile() in sfilter.c still decides both at
 * run time.  So the Makefile builds seccomp/gen/sfilter-embed.c from the
 * same objects as berth, runs it, and it compiles the default profile of
 * `berth spec` with libseccomp, x32 kept and left out, into
 * default-profile.bpf.h; a config whose canonical form (sfilter-cache.c)
 * is that profile's is then loaded from there without libseccomp.
 *
 * What keeps that exact:
 *   - the form holds every field the program depends on (the cache keys
 *     on the same form), so only the very config matches, whatever its
 *     JSON looked like;
 *   - libseccomp: the running library's version must be the one the
 *     programs were compiled with (its code and syscall tables come with
 *     the release), and so must its native architecture; else libseccomp
 *     compiles, as it always did;
 *   - the generator embeds only configs whose actions libseccomp accepts
 *     without asking the kernel (no log, kill-process or notify), so that
 *     no libseccomp refusal can be skipped here;
 *   - tests/unit/seccomp-builtin.c compiles the same configs through
 *     libseccomp and compares the programs byte for byte. */
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "seccomp/sfilter-int.h"

/* Made by the Makefile with seccomp/gen/sfilter-embed.c: BUILTIN_LIBSECCOMP_{MAJOR,MINOR,MICRO},
 * BUILTIN_NATIVE_ARCH and builtin[], ended by an entry without a form. */
#include "seccomp/default-profile.bpf.h"

const struct sfilter_builtin *
sfilter_builtin_find(const struct spec_seccomp *sc)
{
    const struct scmp_version *v = seccomp_version();
    _cleanup_free_ unsigned char *form = NULL;
    size_t len;

    if (builtin[0].form == NULL || v == NULL || v->major != BUILTIN_LIBSECCOMP_MAJOR
        || v->minor != BUILTIN_LIBSECCOMP_MINOR || v->micro != BUILTIN_LIBSECCOMP_MICRO
        || seccomp_arch_native() != BUILTIN_NATIVE_ARCH)
        return NULL;
    sfilter_config_form(sc, &form, &len);
    for (const struct sfilter_builtin *b = builtin; b->form != NULL; b++)
        if (b->form_len == len && memcmp(b->form, form, len) == 0)
            return b;
    return NULL;
}
