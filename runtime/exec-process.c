/* SPDX-License-Identifier: Apache-2.0 */
/* `exec`: the process to run, from the configuration frozen at create and
 * the command line, as runc builds it (runc-exec(8)), or from --process. */
#include "runtime/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/validate.h"
#include "lib/cleanup.h"
#include "lib/diag.h"
#include "lib/fd.h"
#include "lib/xalloc.h"

/* --env K=V replaces K where the template sets it, else it is added (runc
 * takes the last of duplicates; one entry is what the process sees). */
static void
env_set(struct strv *env, const char *kv)
{
    size_t klen = strcspn(kv, "=");

    for (size_t i = 0; i < env->n; i++) {
        if (strncmp(env->items[i], kv, klen) == 0 && env->items[i][klen] == '=') {
            free(env->items[i]);
            env->items[i] = xstrdup(kv);
            return;
        }
    }
    strv_add(env, kv);
}

static void
replace_str(char **dst, const char *src)
{
    free(*dst);
    *dst = xstrdup(src);
}

/* The flags over the template P (runc's getProcess). */
static void
apply_flags(struct spec_process *p, const struct runtime_exec_opts *o)
{
    strv_clear(&p->args);
    for (size_t i = 0; i < o->n_args; i++)
        strv_add(&p->args, o->args[i]);
    /* runc: the terminal is -t's, not the configuration's. */
    p->has_terminal = true;
    p->terminal = o->tty;
    if (o->cwd != NULL)
        replace_str(&p->cwd, o->cwd);
    for (size_t i = 0; i < o->n_env; i++)
        env_set(&p->env, o->env[i]);
    if (o->has_uid || o->has_gid || o->n_additional_gids > 0) {
        if (p->user == NULL)
            p->user = xcalloc(1, sizeof(*p->user));
        if (o->has_uid) {
            p->user->has_uid = true;
            p->user->uid = o->uid;
        }
        if (o->has_gid) {
            p->user->has_gid = true;
            p->user->gid = o->gid;
        }
        if (o->n_additional_gids > 0) {
            free(p->user->additional_gids.items);
            p->user->additional_gids.items = xcalloc(o->n_additional_gids, sizeof(uint32_t));
            memcpy(p->user->additional_gids.items, o->additional_gids,
                   o->n_additional_gids * sizeof(uint32_t));
            p->user->additional_gids.n = o->n_additional_gids;
        }
    }
    if (o->n_caps > 0 && p->capabilities == NULL)
        p->capabilities = xcalloc(1, sizeof(*p->capabilities));
    for (size_t i = 0; i < o->n_caps; i++) {
        struct spec_capabilities *c = p->capabilities;
        const char *cap = o->caps[i];

        /* runc adds --cap to the bounding, effective and permitted sets;
         * to the ambient set only when the inheritable one already holds
         * it (an ambient capability must be inheritable). */
        if (!strv_contains(&c->bounding, cap))
            strv_add(&c->bounding, cap);
        if (!strv_contains(&c->effective, cap))
            strv_add(&c->effective, cap);
        if (!strv_contains(&c->permitted, cap))
            strv_add(&c->permitted, cap);
        if (strv_contains(&c->inheritable, cap) && !strv_contains(&c->ambient, cap))
            strv_add(&c->ambient, cap);
    }
    if (o->no_new_privs) {
        p->has_no_new_privileges = true;
        p->no_new_privileges = true;
    }
    if (o->apparmor != NULL)
        replace_str(&p->apparmor_profile, o->apparmor);
    if (o->process_label != NULL)
        replace_str(&p->selinux_label, o->process_label);
}

/* --process FILE: parsed and checked like config.json's "process", every
 * problem named by FILE and its JSON path. */
static struct spec_process *
load_process_file(const struct spec *cfg, const char *path, struct error **err)
{
    _cleanup_free_ char *buf = NULL;
    struct spec_process *p;
    struct diags d;
    size_t len = 0;
    int rc = fd_read_file_at(AT_FDCWD, path, 16u << 20, &buf, &len);

    if (rc < 0) {
        error_set(err, -rc, "--process '%s'", path);
        return NULL;
    }
    p = spec_process_parse(buf, len, path, err);
    if (p == NULL)
        return NULL;
    diags_init(&d, path);
    {
        struct validator v = {.spec = cfg, .diags = &d};

        validate_process(&v, p);
        json_path_free(&v.path);
    }
    rc = diags_has_errors(&d) ? diags_to_error(&d, err) : 0;
    diags_free(&d);
    if (rc < 0) {
        spec_process_free(p);
        return NULL;
    }
    return p;
}

int
exec_build_process(struct spec *cfg, const struct runtime_exec_opts *o, struct error **err)
{
    if (o->process_path != NULL) {
        struct spec_process *p = load_process_file(cfg, o->process_path, err);

        if (p == NULL)
            return -EINVAL;
        /* -t turns the terminal on over the file's "terminal". */
        if (o->tty) {
            p->has_terminal = true;
            p->terminal = true;
        }
        if (cfg->process != NULL)
            spec_process_free(cfg->process);
        cfg->process = p;
        return 0;
    }
    if (cfg->process == NULL)
        return error_setx(err, EINVAL,
                          "the configuration frozen at create has no process to start from: "
                          "use --process");
    if (o->n_args == 0)
        return error_setx(err, EINVAL, "no command to run (give COMMAND or --process)");
    apply_flags(cfg->process, o);
    for (size_t i = 0; i < o->n_caps; i++)
        if (!bundle_is_known_capability(o->caps[i]))
            return error_setx(err, EINVAL, "--cap '%s': unknown capability", o->caps[i]);
    for (size_t i = 0; i < o->n_env; i++)
        if (strchr(o->env[i], '=') == NULL || o->env[i][0] == '=')
            return error_setx(err, EINVAL, "--env '%s': not NAME=VALUE", o->env[i]);
    if (o->cwd != NULL && o->cwd[0] != '/')
        return error_setx(err, EINVAL, "--cwd '%s': not an absolute path", o->cwd);
    return 0;
}
