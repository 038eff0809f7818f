/* SPDX-License-Identifier: Apache-2.0 */
/* runtime/exec-process.c: the exec'd process built as runc builds it, from
 * the configuration frozen at create and the command line, or from a
 * --process file (errors naming the file and the JSON path). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle/spec.h"
#include "lib/error.h"
#include "runtime/exec.h"
#include "tests/unit/tap.h"

static const char config[] =
    "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"},"
    " \"process\": {\"args\": [\"sleep\", \"1\"], \"cwd\": \"/srv\","
    "  \"env\": [\"PATH=/bin\", \"A=1\"], \"user\": {\"uid\": 5, \"gid\": 6},"
    "  \"terminal\": true, \"noNewPrivileges\": false,"
    "  \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"],"
    "   \"permitted\": [\"CAP_KILL\"], \"inheritable\": [\"CAP_CHOWN\"]},"
    "  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 64, \"hard\": 64}]}}";

static struct spec *
load(void)
{
    struct error *err = NULL;
    struct spec *s = spec_parse(config, strlen(config), "config.json", &err);

    if (s == NULL) {
        tap_diag("%s", err->msg);
        error_free(&err);
        abort();
    }
    return s;
}

static bool
has(const struct strv *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->items[i], s) == 0)
            return true;
    return false;
}

static void
test_template(void)
{
    char *args[] = {"ps", "-ef"};
    struct runtime_exec_opts o = {.args = args, .n_args = 2};
    struct spec *s = load();
    struct error *err = NULL;
    int rc = exec_build_process(s, &o, &err);

    tap_is_int(rc, 0, "template: built");
    tap_is_int((int)s->process->args.n, 2, "template: args are the command's");
    tap_is_str(s->process->args.items[0], "ps", "template: args[0]");
    tap_is_str(s->process->cwd, "/srv", "template: cwd kept");
    tap_is_int((int)s->process->user->uid, 5, "template: uid kept");
    tap_is_int((int)s->process->n_rlimits, 1, "template: rlimits kept");
    tap_ok(!s->process->terminal, "template: the terminal is -t's, not the config's");
    tap_ok(!s->process->no_new_privileges, "template: noNewPrivileges kept");
    spec_free(s);
}

static void
test_flags(void)
{
    char *args[] = {"sh"};
    char *env[] = {"A=2", "B=3"};
    char *caps[] = {"CAP_SYS_ADMIN", "CAP_CHOWN"};
    uint32_t gids[] = {7, 8};
    struct runtime_exec_opts o = {
        .args = args,
        .n_args = 1,
        .env = env,
        .n_env = 2,
        .caps = caps,
        .n_caps = 2,
        .cwd = "/tmp",
        .has_uid = true,
        .uid = 1000,
        .additional_gids = gids,
        .n_additional_gids = 2,
        .tty = true,
        .no_new_privs = true,
    };
    struct spec *s = load();
    struct spec_process *p;
    struct error *err = NULL;

    tap_is_int(exec_build_process(s, &o, &err), 0, "flags: built");
    p = s->process;
    tap_is_int((int)p->env.n, 3, "flags: --env A replaced, B added");
    tap_ok(has(&p->env, "A=2") && has(&p->env, "B=3") && !has(&p->env, "A=1"), "flags: env");
    tap_is_str(p->cwd, "/tmp", "flags: --cwd");
    tap_is_int((int)p->user->uid, 1000, "flags: --user uid");
    tap_is_int((int)p->user->gid, 6, "flags: --user without gid keeps the template's");
    tap_is_int((int)p->user->additional_gids.n, 2, "flags: --additional-gids");
    tap_ok(p->terminal, "flags: -t");
    tap_ok(p->no_new_privileges, "flags: --no-new-privs");
    tap_ok(has(&p->capabilities->bounding, "CAP_SYS_ADMIN")
               && has(&p->capabilities->effective, "CAP_SYS_ADMIN")
               && has(&p->capabilities->permitted, "CAP_SYS_ADMIN"),
           "flags: --cap in bounding, effective, permitted");
    tap_ok(!has(&p->capabilities->ambient, "CAP_SYS_ADMIN"),
           "flags: --cap not ambient when not inheritable");
    tap_ok(has(&p->capabilities->ambient, "CAP_CHOWN"),
           "flags: --cap ambient when inheritable has it");
    spec_free(s);
}

static void
test_errors(void)
{
    char *args[] = {"sh"};
    char *bad_cap[] = {"CAP_NOPE"};
    char *bad_env[] = {"=x"};
    struct runtime_exec_opts o = {.args = args, .n_args = 1, .caps = bad_cap, .n_caps = 1};
    struct spec *s = load();
    struct error *err = NULL;

    tap_is_int(exec_build_process(s, &o, &err), -EINVAL, "errors: unknown --cap");
    tap_is_str(err ? err->msg : "", "--cap 'CAP_NOPE': unknown capability", "errors: message");
    error_free(&err);
    spec_free(s);

    s = load();
    o = (struct runtime_exec_opts){.args = args, .n_args = 1, .env = bad_env, .n_env = 1};
    tap_is_int(exec_build_process(s, &o, &err), -EINVAL, "errors: --env without a name");
    error_free(&err);
    spec_free(s);

    s = load();
    o = (struct runtime_exec_opts){.n_args = 0};
    tap_is_int(exec_build_process(s, &o, &err), -EINVAL, "errors: no command");
    error_free(&err);
    spec_free(s);
}

static void
test_process_file(void)
{
    char dir[] = "/tmp/berth-unit-exec.XXXXXX";
    char path[128];
    struct runtime_exec_opts o = {.process_path = path};
    struct spec *s;
    struct error *err = NULL;
    FILE *f;

    if (mkdtemp(dir) == NULL) {
        tap_ok(0, "mkdtemp");
        return;
    }
    snprintf(path, sizeof(path), "%s/p.json", dir);

    f = fopen(path, "w");
    fputs("{\"args\": [\"id\"], \"cwd\": \"/\", \"env\": [\"X=1\"]}", f);
    fclose(f);
    s = load();
    tap_is_int(exec_build_process(s, &o, &err), 0, "file: built");
    tap_is_str(s->process->args.items[0], "id", "file: args from the file");
    tap_is_int((int)s->process->n_rlimits, 0, "file: nothing from the template");
    spec_free(s);

    f = fopen(path, "w");
    fputs("{\"args\": [\"id\"], \"cwd\": \"rel\"}", f);
    fclose(f);
    s = load();
    tap_is_int(exec_build_process(s, &o, &err), -EINVAL, "file: relative cwd");
    tap_ok(err && strstr(err->msg, path) && strstr(err->msg, "cwd"),
           "file: the error names the file and cwd (%s)", err ? err->msg : "");
    error_free(&err);
    spec_free(s);

    f = fopen(path, "w");
    fputs("{\"args\": \"id\", \"cwd\": \"/\"}", f);
    fclose(f);
    s = load();
    tap_is_int(exec_build_process(s, &o, &err), -EINVAL, "file: args of the wrong type");
    tap_ok(err && strstr(err->msg, path) && strstr(err->msg, "args"),
           "file: the error names the file and args (%s)", err ? err->msg : "");
    error_free(&err);
    spec_free(s);

    unlink(path);
    rmdir(dir);
}

int
main(void)
{
    test_template();
    test_flags();
    test_errors();
    test_process_file();
    return tap_done();
}
