/* SPDX-License-Identifier: Apache-2.0 */
/* berth-image remove BUNDLE...: a rootless bundle holds files owned by
 * subordinate ids, which its user can only remove from inside the same
 * user namespace mapping. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image/cli/cli.h"
#include "image/image.h"

int
icli_remove(int argc, char **argv)
{
    struct image_idmap_plan plan;
    struct error *err = NULL;
    int first = 1, status = ICLI_EXIT_OK;

    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("Usage: berth-image remove BUNDLE...\n\n"
               "Remove bundles made by berth-image unpack, including files owned by\n"
               "subordinate ids when run without root.  See berth-image-remove(8).\n");
        return ICLI_EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "--") == 0)
        first = 2;
    else if (argc > 1 && argv[1][0] == '-')
        return icli_usage_error("remove", "unknown option '%s'", argv[1]);
    if (argc <= first)
        return icli_usage_error("remove", "expected BUNDLE");
    if (geteuid() != 0) {
        if (image_idmap_plan(getuid(), getgid(), "/etc/subuid", "/etc/subgid", &plan, &err) < 0)
            return icli_fail(&err);
        if (plan.userns && image_enter_userns(&plan, &err) < 0)
            return icli_fail(&err);
    }
    for (int i = first; i < argc; i++) {
        if (image_remove_bundle(argv[i], &err) < 0) {
            error_wrap(&err, "remove '%s'", argv[i]);
            status = icli_fail(&err);
        }
    }
    return status;
}
