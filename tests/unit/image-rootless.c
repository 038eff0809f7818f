/* SPDX-License-Identifier: Apache-2.0 */
/* image/rootless.c: finding the caller's subordinate ranges, and the
 * id-mapping plan made from them. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "image/image.h"
#include "tests/unit/tap.h"

static void
test_subid_find(void)
{
    uint32_t start = 0, count = 0;
    const char *text = "# comment\n"
                       "alice:100000:65536\n"
                       "1001:200000:1000\n"
                       "bob:bad:1\n"
                       "bob:300000:0\n"
                       "bob:400000:10\n"
                       "carol:500000:5"; /* no final newline */

    tap_is_int(image_subid_find(text, "alice", 1000, &start, &count), 0, "alice by name");
    tap_is_int(start, 100000, "alice's start");
    tap_is_int(count, 65536, "alice's count");
    tap_is_int(image_subid_find(text, "dave", 1001, &start, &count), 0, "a line by uid");
    tap_is_int(start, 200000, "uid line's start");
    tap_is_int(image_subid_find(text, "bob", 1002, &start, &count), 0,
               "malformed and empty ranges are skipped");
    tap_is_int(start, 400000, "bob's first usable range");
    tap_is_int(image_subid_find(text, "carol", 1003, &start, &count), 0, "last line, no newline");
    tap_is_int(count, 5, "carol's count");
    tap_is_int(image_subid_find(text, "erin", 1004, &start, &count), -ENOENT, "no range: ENOENT");
    tap_is_int(image_subid_find(text, NULL, 1001, &start, &count), 0, "no user name: by uid");
    tap_is_int(image_subid_find("alice:1:99999999999\n", "alice", 1, &start, &count), -ENOENT,
               "a count past uint32 is refused");
    tap_is_int(image_subid_find("", "alice", 1, &start, &count), -ENOENT, "empty file");
    tap_is_int(image_subid_find("al:1:2\n", "alice", 1, &start, &count), -ENOENT,
               "a prefix of the name does not match");
}

static void
test_plan_without_ranges(void)
{
    struct image_idmap_plan plan;
    struct error *err = NULL;

    tap_is_int(
        image_idmap_plan(4242, 4343, "/nonexistent/subuid", "/nonexistent/subgid", &plan, &err), 0,
        "plan without subid files");
    tap_ok(plan.collapsed && plan.userns && !plan.chown,
           "owners collapse to the caller, in a user namespace of its own id");
    tap_is_int(plan.n_uid_mappings, 1, "one uid mapping");
    tap_ok(plan.uid_mappings[0].container_id == 0 && plan.uid_mappings[0].host_id == 4242
               && plan.uid_mappings[0].size == 1,
           "the caller's uid is root");
    tap_ok(plan.gid_mappings[0].host_id == 4343, "the caller's gid is root's group");
}

static void
test_plan_with_ranges(void)
{
    char dir[] = "/tmp/image-rootless.XXXXXX", uidf[64], gidf[64];
    struct image_idmap_plan plan;
    struct error *err = NULL;
    FILE *f;

    if (mkdtemp(dir) == NULL) {
        tap_ok(0, "mkdtemp");
        return;
    }
    snprintf(uidf, sizeof(uidf), "%s/subuid", dir);
    snprintf(gidf, sizeof(gidf), "%s/subgid", dir);
    f = fopen(uidf, "w");
    fprintf(f, "4242:100000:65536\n");
    fclose(f);
    f = fopen(gidf, "w");
    fprintf(f, "4242:300000:1000\n");
    fclose(f);
    tap_is_int(image_idmap_plan(4242, 4343, uidf, gidf, &plan, &err), 0, "plan with ranges");
    if (access("/usr/bin/newuidmap", X_OK) == 0 && access("/usr/bin/newgidmap", X_OK) == 0) {
        tap_ok(plan.userns && plan.chown && !plan.collapsed, "a mapped user namespace");
        tap_is_int(plan.n_uid_mappings, 2, "two uid mappings");
        tap_ok(plan.uid_mappings[1].container_id == 1 && plan.uid_mappings[1].host_id == 100000,
               "uids from 1 are the subordinate range");
        tap_is_int(plan.uid_mappings[1].size, 1000, "both maps cut to the shorter range");
        tap_ok(plan.gid_mappings[1].host_id == 300000 && plan.gid_mappings[1].size == 1000,
               "gids from 1 are the subordinate range");
    } else {
        tap_ok(plan.collapsed, "without newuidmap the owners collapse");
    }
    unlink(uidf);
    unlink(gidf);
    rmdir(dir);
}

int
main(void)
{
    test_subid_find();
    test_plan_without_ranges();
    test_plan_with_ranges();
    return tap_done();
}
