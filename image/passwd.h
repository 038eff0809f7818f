/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_IMAGE_PASSWD_H
#define BERTH_IMAGE_PASSWD_H

/* An image's /etc/passwd and /etc/group, read to resolve config.User
 * (image-spec conversion.md "Config.User").  The files come from the image
 * and are untrusted: they are read through the rootfs fd with every symlink
 * resolved inside it, only when they are regular files and at most
 * IMAGE_PASSWD_MAX bytes; a line that does not parse is skipped, as the C
 * library's files backend skips it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bundle/spec.h"
#include "lib/error.h"

/* Far above any real file (a few KiB; LDAP-sized exports reach a few MiB). */
#define IMAGE_PASSWD_MAX (8u << 20)

/* name:password:uid:gid[:gecos[:home[:shell]]] */
struct image_passwd_entry {
    char *name;
    uint32_t uid;
    uint32_t gid;
    char *home; /* NULL when the field is missing or empty */
};

struct image_passwd {
    struct image_passwd_entry *items;
    size_t n;
};

/* name:password:gid[:member,member...] */
struct image_group_entry {
    char *name;
    uint32_t gid;
    struct strv members; /* empty names between commas dropped */
};

struct image_group {
    struct image_group_entry *items;
    size_t n;
};

/* Parse LEN bytes of passwd / group text (need not end in a newline nor be
 * NUL-terminated) into *RET, in file order.  Never fails: blank lines,
 * comments ("#"), NIS compat lines ("+" / "-"), lines with a NUL byte, too
 * few fields, an empty name, or an id that is not a decimal number below
 * 2^32-1 are skipped.  A "\r" before the newline is dropped. */
void image_passwd_parse(const char *text, size_t len, struct image_passwd *ret);
void image_group_parse(const char *text, size_t len, struct image_group *ret);
void image_passwd_clear(struct image_passwd *p);
void image_group_clear(struct image_group *g);

/* The first entry with that name or id (as getpwnam/getpwuid on the files
 * backend), or NULL. */
const struct image_passwd_entry *image_passwd_by_name(const struct image_passwd *p,
                                                      const char *name);
const struct image_passwd_entry *image_passwd_by_uid(const struct image_passwd *p, uint32_t uid);
const struct image_group_entry *image_group_by_name(const struct image_group *g, const char *name);

/* Read /etc/passwd (/etc/group) of the rootfs ROOTFD and parse it.
 * Returns 1 when read, 0 when the image has no such file (*RET is then
 * empty), or -errno with *err naming the file: a file that is not a regular
 * one (a FIFO would block, a device node could act when opened), larger
 * than IMAGE_PASSWD_MAX, a symlink loop, or a read error. */
int image_passwd_read_at(int rootfd, struct image_passwd *ret, struct error **err) ATTR_WUR;
int image_group_read_at(int rootfd, struct image_group *ret, struct error **err) ATTR_WUR;

/* config.User resolved (conversion.md "Config.User"). */
struct image_user {
    uint32_t uid;
    uint32_t gid;
    /* Set (items != NULL) only for a user given by name without a group:
     * the gids of the groups listing that name, in file order, once each. */
    struct u32v additional_gids;
    char *home; /* the passwd entry's home directory, or NULL */
};

/* Resolve USER ("user", "uid", "user:group", "uid:gid", "user:gid",
 * "uid:group"; NULL or "" means root) against the image's files, PASSWD
 * and GROUP (either may be NULL when the image has no such file; the error
 * for a name then says so).  Numeric ids are taken verbatim; a bare uid
 * takes its primary gid from its passwd entry when it has one, else 0.
 * Errors, all -EINVAL naming config.User: an unknown user or group name, an
 * empty part ("user:"), an id out of range (2^32-1 is not an id either).
 * On failure *RET is left empty. */
int image_user_resolve(const char *user, const struct image_passwd *passwd,
                       const struct image_group *group, struct image_user *ret, struct error **err)
    ATTR_WUR;
void image_user_clear(struct image_user *u);

#endif
