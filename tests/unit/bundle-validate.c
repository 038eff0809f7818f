/* SPDX-License-Identifier: Apache-2.0 */
/* bundle/spec-validate*.c: every rule is checked on a small config.json,
 * written as a patch over a minimal valid one, run through spec_load() (or
 * spec_parse() + spec_validate() for warnings), expecting the exact line
 * the user sees.  The spec's own good examples must load; its bad Linux
 * examples must not.  $BERTH_TEST_DATA overrides the data directory
 * (default tests/data, relative to the repository root, where make runs). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>

#include "bundle/spec.h"
#include "bundle/validate.h"
#include "lib/cleanup.h"
#include "lib/diag.h"
#include "lib/fd.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "tests/unit/tap.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* JSON written as C tokens: the preprocessor turns it into a string. */
#define J(...) #__VA_ARGS__

static const char base_config[] = J({
    "ociVersion" : "1.3.0",
    "root" : {"path" : "rootfs"},
    "process" : {"cwd" : "/", "args" : ["sh"], "user" : {"uid" : 0, "gid" : 0}},
    "linux" : {
        "namespaces" : [
            {"type" : "pid"}, {"type" : "mount"}, {"type" : "ipc"}, {"type" : "uts"},
            {"type" : "network"}
        ]
    }
});

/* ---- building a config: BASE with PATCH merged in ---- */

/* Objects merge member by member; anything else in PATCH replaces; a null
 * in PATCH removes the member. */
static void
write_merged(struct json_writer *w, const struct json_value *base, const struct json_value *patch)
{
    if (patch == NULL) {
        json_w_value(w, base);
        return;
    }
    if (base == NULL || base->type != JSON_OBJECT || patch->type != JSON_OBJECT) {
        json_w_value(w, patch);
        return;
    }
    json_w_object_begin(w);
    for (size_t i = 0; i < base->u.obj.n; i++) {
        const struct json_member *m = &base->u.obj.items[i];
        const struct json_value *pv = json_get(patch, m->key);

        if (pv != NULL && pv->type == JSON_NULL)
            continue;
        json_w_key(w, m->key);
        write_merged(w, m->value, pv);
    }
    for (size_t i = 0; i < patch->u.obj.n; i++) {
        const struct json_member *m = &patch->u.obj.items[i];

        if (json_get(base, m->key) == NULL && m->value->type != JSON_NULL) {
            json_w_key(w, m->key);
            json_w_value(w, m->value);
        }
    }
    json_w_object_end(w);
}

/* The config text for PATCH over the base, or NULL (a test failure). */
static char *
make_config(const char *patch, size_t *ret_len)
{
    struct error *err = NULL;
    struct json_value *base = json_parse(base_config, strlen(base_config), "base", &err);
    struct json_value *p = json_parse(patch, strlen(patch), "patch", &err);
    struct json_writer *w;
    char *buf = NULL;

    if (base == NULL || p == NULL) {
        tap_ok(0, "patch parses: %s", err ? err->msg : "?");
        error_free(&err);
        json_free(base);
        json_free(p);
        return NULL;
    }
    w = json_writer_new(false);
    write_merged(w, base, p);
    if (json_writer_finish(w, &buf, ret_len, &err) < 0) {
        tap_ok(0, "merged config writes: %s", err->msg);
        error_free(&err);
        buf = NULL;
    }
    json_free(base);
    json_free(p);
    return buf;
}

/* Whether TEXT holds LINE as one whole line. */
static bool
has_line(const char *text, const char *line)
{
    size_t n = strlen(line);

    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\0' || p[n] == '\n'))
            return true;
    return false;
}

static void
print_diags(const struct diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        char *line = diag_format(d, &d->items[i]);

        tap_diag("  %s: %s", d->items[i].level == DIAG_ERROR ? "error" : "warning", line);
        free(line);
    }
}

/* ---- the table ---- */

enum expect {
    ERR,   /* spec_load fails, with LINE among its lines */
    WARN,  /* loads; spec_validate gives warning LINE and no error */
    CLEAN, /* loads; spec_validate gives nothing at all */
};

struct vcase {
    enum expect expect;
    const char *patch;
    const char *line; /* "config.json: PATH: MESSAGE" */
};

/* clang-format off */
#define E(patch, line) {ERR, patch, line}
#define W(patch, line) {WARN, patch, line}
#define C(patch) {CLEAN, patch, NULL}
/* clang-format on */

/* Namespaces replace the base's list (pid, mount, ipc, uts, network). */
#define NS_USER J({"linux" : {"namespaces" : [ {"type" : "mount"}, {"type" : "user"} ]}})

static const struct vcase cases[] = {
    /* ociVersion */
    E(J({"ociVersion" : "1.0"}),
      "config.json: ociVersion: \"1.0\" is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, e.g. "
      "\"1.3.0\")"),
    E(J({"ociVersion" : "01.0.0"}),
      "config.json: ociVersion: \"01.0.0\" is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, "
      "e.g. \"1.3.0\")"),
    E(J({"ociVersion" : "1.0.0-01"}),
      "config.json: ociVersion: \"1.0.0-01\" is not a SemVer 2.0.0 version (MAJOR.MINOR.PATCH, "
      "e.g. \"1.3.0\")"),
    E(J({"ociVersion" : "2.0.0"}),
      "config.json: ociVersion: unsupported version \"2.0.0\" (accepted: 1.x.y; berth implements "
      "1.3.0)"),
    W(J({"ociVersion" : "0.5.0-dev"}),
      "config.json: ociVersion: \"0.5.0-dev\" is a pre-1.0 draft version; read as runtime-spec "
      "1.3.0"),
    W(J({"ociVersion" : "1.4.0"}),
      "config.json: ociVersion: \"1.4.0\" is newer than runtime-spec 1.3.0, which berth "
      "implements: fields added since are ignored"),
    C(J({"ociVersion" : "1.0.2-dev+build.0001"})),

    /* root */
    E(J({"root" : null}),
      "config.json: root: required field is missing (root is required on Linux)"),
    E(J({"root" : {"path" : ""}}), "config.json: root.path: must not be empty"),

    /* mounts */
    E(J({"mounts" : [ {"destination" : ""} ]}),
      "config.json: mounts[0].destination: must not be empty"),
    W(J({"mounts" : [ {"destination" : "tmp", "type" : "tmpfs", "source" : "tmpfs"} ]}),
      "config.json: mounts[0].destination: \"tmp\" is not an absolute path: taken as relative to "
      "\"/\" (relative destinations are deprecated)"),
    E(J({"mounts" : [ {"destination" : "/data", "options" : ["rbind"]} ]}),
      "config.json: mounts[0].source: required for a bind mount"),
    E(J({
          "mounts" :
              [ {"destination" : "/data", "source" : "/srv", "options" : [ "bind", "mode=755" ]} ]
      }),
      "config.json: mounts[0].options[1]: \"mode=755\" is not a mount flag: a bind mount takes no "
      "filesystem options"),
    W(J({"mounts" : [ {"destination" : "/tmp", "type" : "tmpfs", "options" : ["noexecc"]} ]}),
      "config.json: mounts[0].options[0]: unknown option \"noexecc\" is passed to the filesystem"),
    C(J({
        "mounts" : [ {
            "destination" : "/dev/pts",
            "type" : "devpts",
            "source" : "devpts",
            "options" : [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ]
        } ]
    })),
    E(J({
          "mounts" : [ {
              "destination" : "/data",
              "source" : "/srv",
              "options" : [ "bind", "idmap" ],
              "uidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 1} ]
          } ]
      }),
      "config.json: mounts[0].uidMappings: must be given together with gidMappings"),
    E(J({
          "mounts" : [ {
              "destination" : "/data",
              "source" : "/srv",
              "options" : [ "bind", "idmap", "ridmap" ]
          } ],
          "linux" : {"namespaces" : [ {"type" : "mount"}, {"type" : "user"} ]}
      }),
      "config.json: mounts[0].options[2]: \"ridmap\" conflicts with \"idmap\""),
    E(J({
          "mounts" :
              [ {"destination" : "/data", "source" : "/srv", "options" : [ "rbind", "ridmap" ]} ]
      }),
      "config.json: mounts[0].options[1]: \"ridmap\" needs uidMappings and gidMappings, or a user "
      "namespace to take them from"),
    W(J({
          "mounts" : [ {
              "destination" : "/data",
              "source" : "/srv",
              "options" : ["bind"],
              "uidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 1} ],
              "gidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 1} ]
          } ]
      }),
      "config.json: mounts[0].options: uidMappings and gidMappings are given without \"idmap\" or "
      "\"ridmap\""),
    E(J({
          "mounts" : [ {
              "destination" : "/data",
              "source" : "/srv",
              "options" : [ "bind", "idmap" ],
              "uidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 0} ],
              "gidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 1} ]
          } ]
      }),
      "config.json: mounts[0].uidMappings[0].size: must be greater than zero"),

    /* process */
    E(J({"process" : {"cwd" : "tmp"}}),
      "config.json: process.cwd: \"tmp\" is not an absolute path"),
    E(J({"process" : {"args" : []}}), "config.json: process.args: at least one entry is required"),
    E(J({"process" : {"args" : null}}),
      "config.json: process.args: at least one entry is required"),
    E(J({"process" : {"args" : [ "", "x" ]}}),
      "config.json: process.args[0]: must not be empty: it names the program to run"),
    E(J({"process" : {"env" : [ "A=1", "FOO" ]}}),
      "config.json: process.env[1]: \"FOO\" is not in NAME=VALUE form"),
    E(J({"process" : {"env" : ["=x"]}}),
      "config.json: process.env[0]: \"=x\" has an empty variable name"),
    E(J({"process" : {"env" : ["A\nB"]}}),
      "config.json: process.env[0]: \"A\\nB\" is not in NAME=VALUE form"),
    E(J({"process" : {"user" : {"uid" : null, "gid" : 0}}}),
      "config.json: process.user.uid: required field is missing"),
    E(J({"process" : {"user" : {"uid" : 0, "gid" : 0, "umask" : 512}}}),
      "config.json: process.user.umask: 512 is out of range (0 to 511, which is 0777)"),
    W(J({"process" : {"consoleSize" : {"height" : 25, "width" : 80}}}),
      "config.json: process.consoleSize: ignored: terminal is not true"),
    C(J({"process" : {"terminal" : true, "consoleSize" : {"height" : 25, "width" : 80}}})),
    E(J({"process" : {"capabilities" : {"bounding" : [ "CAP_KILL", "chown" ]}}}),
      "config.json: process.capabilities.bounding[1]: \"chown\" is not a capability name (CAP_ and "
      "upper case, e.g. CAP_CHOWN)"),
    W(J({"process" : {"capabilities" : {"bounding" : ["CAP_FUTURE_THING"]}}}),
      "config.json: process.capabilities.bounding[0]: unknown capability \"CAP_FUTURE_THING\" "
      "(known: CAP_CHOWN to CAP_CHECKPOINT_RESTORE); it will not be granted"),
    W(J({"process" : {"capabilities" : {"permitted" : ["CAP_KILL"], "ambient" : ["CAP_KILL"]}}}),
      "config.json: process.capabilities.ambient[0]: \"CAP_KILL\" is not in inheritable, so the "
      "kernel will not raise it as ambient"),
    W(J({"process" : {"capabilities" : {"effective" : ["CAP_BPF"]}}}),
      "config.json: process.capabilities.effective[0]: \"CAP_BPF\" is not in permitted, so it "
      "cannot be effective"),
    E(J({"process" : {"rlimits" : [ {"type" : "RLIMIT_FOO", "soft" : 1, "hard" : 1} ]}}),
      "config.json: process.rlimits[0].type: unknown resource \"RLIMIT_FOO\" (accepted: RLIMIT_AS, "
      "RLIMIT_CORE, RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_LOCKS, RLIMIT_MEMLOCK, "
      "RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_RSS, RLIMIT_RTPRIO, "
      "RLIMIT_RTTIME, RLIMIT_SIGPENDING, RLIMIT_STACK)"),
    E(J({
          "process" : {
              "rlimits" : [
                  {"type" : "RLIMIT_NOFILE", "soft" : 1, "hard" : 1},
                  {"type" : "RLIMIT_CORE", "soft" : 1, "hard" : 1},
                  {"type" : "RLIMIT_NOFILE", "soft" : 2, "hard" : 2}
              ]
          }
      }),
      "config.json: process.rlimits[2].type: \"RLIMIT_NOFILE\" is listed twice (also rlimits[0])"),
    E(J({
          "process" : {
              "rlimits" :
                  [ {"type" : "RLIMIT_NOFILE", "soft" : 18446744073709551615, "hard" : 1024} ]
          }
      }),
      "config.json: process.rlimits[0].soft: 18446744073709551615 is above the hard limit 1024"),
    E(J({"process" : {"oomScoreAdj" : -1001}}),
      "config.json: process.oomScoreAdj: -1001 is out of range (-1000 to 1000)"),
    E(J({"process" : {"ioPriority" : {"class" : "IOPRIO_CLASS_BE", "priority" : 8}}}),
      "config.json: process.ioPriority.priority: 8 is out of range (0 to 7)"),
    E(J({"process" : {"scheduler" : {"policy" : "SCHED_OTHER", "nice" : 20}}}),
      "config.json: process.scheduler.nice: 20 is out of range (-20 to 19)"),
    E(J({"process" : {"scheduler" : {"policy" : "SCHED_FIFO"}}}),
      "config.json: process.scheduler.priority: SCHED_FIFO needs a priority from 1 to 99, not 0"),
    E(J({"process" : {"scheduler" : {"policy" : "SCHED_BATCH", "priority" : 5}}}),
      "config.json: process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority, not "
      "SCHED_BATCH"),
    E(J({"process" : {"scheduler" : {"policy" : "SCHED_OTHER", "deadline" : 5}}}),
      "config.json: process.scheduler.deadline: only SCHED_DEADLINE takes a deadline, not "
      "SCHED_OTHER"),
    E(J({
          "process" : {
              "scheduler" : {"policy" : "SCHED_DEADLINE", "deadline" : 2000000, "period" : 3000000}
          }
      }),
      "config.json: process.scheduler.runtime: SCHED_DEADLINE needs a runtime of at least 1024 "
      "(nanoseconds), not 0"),
    E(J({
          "process" : {
              "scheduler" : {
                  "policy" : "SCHED_DEADLINE",
                  "runtime" : 2000,
                  "deadline" : 4000,
                  "period" : 3000
              }
          }
      }),
      "config.json: process.scheduler.period: 3000 is smaller than deadline 4000 (0 means equal to "
      "deadline)"),
    C(J({
        "process" :
            {"scheduler" : {"policy" : "SCHED_DEADLINE", "runtime" : 1000000, "deadline" : 2000000}}
    })),
    C(J({"process" : {"scheduler" : {"policy" : "SCHED_RR", "priority" : 99, "nice" : -20}}})),
    E(J({"process" : {"execCPUAffinity" : {"initial" : "0-a"}}}),
      "config.json: process.execCPUAffinity.initial: \"0-a\" is not a CPU list (numbers and "
      "ranges, e.g. \"0-3,7\")"),
    E(J({"process" : {"execCPUAffinity" : {"final" : "3-1"}}}),
      "config.json: process.execCPUAffinity.final: \"3-1\" is not a CPU list (numbers and ranges, "
      "e.g. \"0-3,7\")"),
    C(J({"process" : {"execCPUAffinity" : {"initial" : " 0-3, 7 ", "final" : ""}}})),

    /* hooks, annotations, hostname */
    E(J({"hooks" : {"createRuntime" : [ {"path" : "/bin/true"}, {"path" : "bin/hook"} ]}}),
      "config.json: hooks.createRuntime[1].path: \"bin/hook\" is not an absolute path"),
    E(J({"hooks" : {"poststop" : [ {"path" : "/bin/true", "timeout" : 0} ]}}),
      "config.json: hooks.poststop[0].timeout: 0 is not greater than zero"),
    E(J({"hooks" : {"prestart" : [ {"path" : "/bin/true", "env" : ["X"]} ]}}),
      "config.json: hooks.prestart[0].env[0]: \"X\" is not in NAME=VALUE form"),
    E(J({"annotations" : {"a.b" : "1", "" : "x"}}),
      "config.json: annotations[\"\"]: key must not be empty"),
    E(J({"hostname" : "web", "linux" : {"namespaces" : [ {"type" : "mount"} ]}}),
      "config.json: hostname: setting it needs a UTS namespace (add {\"type\": \"uts\"} to "
      "linux.namespaces)"),
    E(J({"domainname" : "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}),
      "config.json: domainname: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" "
      "is longer than 64 bytes"),

    /* namespaces and id mappings */
    E(J({
          "linux" : {
              "namespaces" :
                  [ {"type" : "pid"}, {"type" : "uts"}, {"type" : "mount"}, {"type" : "pid"} ]
          }
      }),
      "config.json: linux.namespaces[3].type: namespace \"pid\" is listed twice (also "
      "namespaces[0])"),
    E(J({"linux" : {"namespaces" : [ {"type" : "network", "path" : "run/netns/x"} ]}}),
      "config.json: linux.namespaces[0].path: \"run/netns/x\" is not an absolute path"),
    E(J({
          "linux" : {
              "uidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 1} ],
              "gidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 1} ]
          }
      }),
      "config.json: linux.uidMappings: needs a user namespace (add {\"type\": \"user\"} to "
      "linux.namespaces)"),
    E(J({
          "linux" : {
              "namespaces" : [ {"type" : "user"} ],
              "uidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 1} ]
          }
      }),
      "config.json: linux.uidMappings: must be given together with gidMappings"),
    W(NS_USER,
      "config.json: linux.namespaces: the new user namespace has no uidMappings or gidMappings: "
      "the runtime will have to choose them"),
    C(J({"linux" : {"namespaces" : [ {"type" : "user", "path" : "/proc/1/ns/user"} ]}})),
    E(J({
          "linux" : {
              "namespaces" : [ {"type" : "user"} ],
              "uidMappings" : [
                  {"containerID" : 0, "hostID" : 1000, "size" : 10},
                  {"containerID" : 5, "hostID" : 5000, "size" : 10}
              ],
              "gidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 1} ]
          }
      }),
      "config.json: linux.uidMappings[1].containerID: container ids 5-14 overlap uidMappings[0]"),
    E(J({
          "linux" : {
              "namespaces" : [ {"type" : "user"} ],
              "uidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 1} ],
              "gidMappings" : [
                  {"containerID" : 0, "hostID" : 1000, "size" : 10},
                  {"containerID" : 10, "hostID" : 1009, "size" : 1}
              ]
          }
      }),
      "config.json: linux.gidMappings[1].hostID: host ids 1009-1009 overlap gidMappings[0]"),
    E(J({
          "linux" : {
              "namespaces" : [ {"type" : "user"} ],
              "uidMappings" : [ {"containerID" : 0, "hostID" : 4294967295, "size" : 1} ],
              "gidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 1} ]
          }
      }),
      "config.json: linux.uidMappings[0].size: hostID 4294967295 plus size 1 goes past the last id "
      "4294967294"),
    C(J({
        "linux" : {
            "namespaces" : [ {"type" : "user"} ],
            "uidMappings" : [
                {"containerID" : 0, "hostID" : 4294967294, "size" : 1},
                {"containerID" : 1, "hostID" : 100000, "size" : 65536}
            ],
            "gidMappings" : [ {"containerID" : 0, "hostID" : 1000, "size" : 1} ]
        }
    })),
    E(J({"linux" : {"timeOffsets" : {"boottime" : {"secs" : 1}}}}),
      "config.json: linux.timeOffsets: needs a time namespace (add {\"type\": \"time\"} to "
      "linux.namespaces)"),
    E(J({
          "linux" : {
              "namespaces" : [ {"type" : "time"} ],
              "timeOffsets" : {"monotonic" : {"secs" : 1, "nanosecs" : 1000000000}}
          }
      }),
      "config.json: linux.timeOffsets.monotonic.nanosecs: 1000000000 is out of range (0 to "
      "999999999)"),
    E(J({
          "linux" : {
              "namespaces" : [ {"type" : "time", "path" : "/proc/1/ns/time"} ],
              "timeOffsets" : {"monotonic" : {"secs" : 1}}
          }
      }),
      "config.json: linux.timeOffsets: cannot be applied to the time namespace joined at "
      "'/proc/1/ns/time'"),

    /* devices, network devices */
    E(J({
          "linux" :
              {"devices" : [ {"path" : "dev/fuse", "type" : "c", "major" : 10, "minor" : 229} ]}
      }),
      "config.json: linux.devices[0].path: \"dev/fuse\" is not an absolute path"),
    E(J({"linux" : {"devices" : [ {"path" : "/dev/fuse", "type" : "c", "minor" : 229} ]}}),
      "config.json: linux.devices[0].major: required for device type \"c\""),
    E(J({
          "linux" :
              {"devices" : [ {"path" : "/dev/sda", "type" : "b", "major" : 4096, "minor" : 0} ]}
      }),
      "config.json: linux.devices[0].major: 4096 is out of range (0 to 4095)"),
    E(J({
          "linux" : {
              "devices" : [
                  {"path" : "/dev/x", "type" : "p"},
                  {"path" : "/dev/x", "type" : "u", "major" : 1, "minor" : 3}
              ]
          }
      }),
      "config.json: linux.devices[1].path: \"/dev/x\" is listed twice (also devices[0])"),
    W(J({"linux" : {"devices" : [ {"path" : "/dev/x", "type" : "p", "major" : 1} ]}}),
      "config.json: linux.devices[0].major: ignored for device type \"p\""),
    W(J({
          "linux" : {
              "devices" : [
                  {"path" : "/dev/null", "type" : "c", "major" : 1, "minor" : 3},
                  {"path" : "/srv/null", "type" : "c", "major" : 1, "minor" : 3}
              ]
          }
      }),
      "config.json: linux.devices[1]: same type, major and minor as devices[0]"),
    E(J({"linux" : {"netDevices" : {"eth0" : {"name" : "a-very-long-name0"}}}}),
      "config.json: linux.netDevices.eth0.name: \"a-very-long-name0\" is not an interface name (1 "
      "to 15 bytes, no '/', ':' or space)"),
    E(J({"linux" : {"netDevices" : {"et/h0" : {}}}}),
      "config.json: linux.netDevices[\"et/h0\"]: \"et/h0\" is not an interface name (1 to 15 "
      "bytes, no '/', ':' or space)"),
    E(J({"linux" : {"netDevices" : {"eth0" : {"name" : "c0"}, "eth1" : {"name" : "c0"}}}}),
      "config.json: linux.netDevices.eth1.name: \"c0\" is also the name of \"eth0\" in the "
      "container"),
    W(J({"linux" : {"namespaces" : [ {"type" : "mount"} ], "netDevices" : {"eth0" : {}}}}),
      "config.json: linux.netDevices: there is no network namespace to move them into (add "
      "{\"type\": \"network\"} to linux.namespaces)"),
    C(J({"linux" : {"netDevices" : {"eth0" : {"name" : "c%d"}, "eth1" : {"name" : "c%d"}}}})),

    /* cgroups */
    E(J({"linux" : {"cgroupsPath" : "/berth/../../escape"}}),
      "config.json: linux.cgroupsPath: \"/berth/../../escape\" has a \"..\" component"),
    C(J({"linux" : {"cgroupsPath" : "system.slice:berth:abc"}})),
    E(J({
          "linux" :
              {"resources" : {"devices" : [ {"allow" : true, "type" : "x", "access" : "rw"} ]}}
      }),
      "config.json: linux.resources.devices[0].type: unknown device type \"x\" (accepted: a, c, "
      "b)"),
    E(J({"linux" : {"resources" : {"devices" : [ {"allow" : false, "access" : "rwx"} ]}}}),
      "config.json: linux.resources.devices[0].access: \"rwx\" is not a combination of r, w and "
      "m"),
    E(J({"linux" : {"resources" : {"memory" : {"limit" : -2}}}}),
      "config.json: linux.resources.memory.limit: -2 is out of range (-1 for unlimited, or 0 and "
      "above)"),
    E(J({"linux" : {"resources" : {"memory" : {"swap" : 1000000}}}}),
      "config.json: linux.resources.memory.swap: a swap limit needs a memory limit (swap is the "
      "limit of memory plus swap)"),
    E(J({"linux" : {"resources" : {"memory" : {"limit" : 2000000, "swap" : 1000000}}}}),
      "config.json: linux.resources.memory.swap: 1000000 is below the memory limit 2000000 (swap "
      "is the limit of memory plus swap)"),
    E(J({"linux" : {"resources" : {"memory" : {"swappiness" : 101}}}}),
      "config.json: linux.resources.memory.swappiness: 101 is out of range (0 to 100)"),
    C(J({
        "linux" : {
            "resources" : {
                "memory" : {
                    "limit" : 1000000,
                    "swap" : -1,
                    "swappiness" : 18446744073709551615,
                    "kernel" : -1
                }
            }
        }
    })),
    W(J({"linux" : {"resources" : {"memory" : {"kernel" : 1000000}}}}),
      "config.json: linux.resources.memory.kernel: not supported by cgroup v2: ignored"),
    E(J({"linux" : {"resources" : {"cpu" : {"shares" : 1}}}}),
      "config.json: linux.resources.cpu.shares: 1 is out of range (2 to 262144)"),
    E(J({"linux" : {"resources" : {"cpu" : {"quota" : 999}}}}),
      "config.json: linux.resources.cpu.quota: 999 is out of range (-1 for unlimited, or 1000 and "
      "above)"),
    E(J({"linux" : {"resources" : {"cpu" : {"period" : 2000000}}}}),
      "config.json: linux.resources.cpu.period: 2000000 is out of range (1000 to 1000000)"),
    E(J({"linux" : {"resources" : {"cpu" : {"quota" : 50000, "burst" : 60000}}}}),
      "config.json: linux.resources.cpu.burst: 60000 is larger than quota 50000"),
    E(J({"linux" : {"resources" : {"cpu" : {"realtimeRuntime" : 2000, "realtimePeriod" : 1000}}}}),
      "config.json: linux.resources.cpu.realtimeRuntime: 2000 is larger than realtimePeriod 1000"),
    E(J({"linux" : {"resources" : {"cpu" : {"idle" : 2}}}}),
      "config.json: linux.resources.cpu.idle: 2 is out of range (0 or 1)"),
    E(J({"linux" : {"resources" : {"cpu" : {"mems" : "0,,1"}}}}),
      "config.json: linux.resources.cpu.mems: \"0,,1\" is not a memory node list (numbers and "
      "ranges, e.g. \"0-3,7\")"),
    C(J({
        "linux" : {
            "resources" : {
                "cpu" : {
                    "shares" : 0,
                    "quota" : -1,
                    "burst" : 5,
                    "period" : 0,
                    "cpus" : "0-15:2/4,31",
                    "idle" : 0
                }
            }
        }
    })),
    E(J({"linux" : {"resources" : {"pids" : {"limit" : -2}}}}),
      "config.json: linux.resources.pids.limit: -2 is out of range (-1 for unlimited, or 0 and "
      "above)"),
    C(J({"linux" : {"resources" : {"pids" : {"limit" : 0}}}})),
    E(J({"linux" : {"resources" : {"blockIO" : {"weight" : 5}}}}),
      "config.json: linux.resources.blockIO.weight: 5 is out of range (10 to 1000)"),
    E(J({
          "linux" : {"resources" : {"blockIO" : {"weightDevice" : [ {"major" : 8, "minor" : 0} ]}}}
      }),
      "config.json: linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight"),
    E(J({
          "linux" : {
              "resources" : {
                  "blockIO" :
                      {"throttleReadIOPSDevice" : [ {"major" : -1, "minor" : 0, "rate" : 5} ]}
              }
          }
      }),
      "config.json: linux.resources.blockIO.throttleReadIOPSDevice[0].major: -1 is not a device "
      "major number"),
    E(J({
          "linux" : {
              "resources" : {
                  "hugepageLimits" :
                      [ {"pageSize" : "2MB", "limit" : 1}, {"pageSize" : "0MB", "limit" : 1} ]
              }
          }
      }),
      "config.json: linux.resources.hugepageLimits[1].pageSize: \"0MB\" is not a page size (a "
      "number and KB, MB or GB, e.g. \"2MB\")"),
    E(J({
          "linux" : {
              "resources" : {
                  "hugepageLimits" :
                      [ {"pageSize" : "2MB", "limit" : 1}, {"pageSize" : "2MB", "limit" : 2} ]
              }
          }
      }),
      "config.json: linux.resources.hugepageLimits[1].pageSize: \"2MB\" is listed twice (also "
      "hugepageLimits[0])"),
    E(J({
          "linux" :
              {"resources" : {"network" : {"priorities" : [ {"name" : "eth 0", "priority" : 1} ]}}}
      }),
      "config.json: linux.resources.network.priorities[0].name: \"eth 0\" is not an interface "
      "name"),
    E(J({"linux" : {"resources" : {"rdma" : {"mlx5_1" : {"hcaHandles" : 3}, "mlx4_0" : {}}}}}),
      "config.json: linux.resources.rdma.mlx4_0: needs hcaHandles or hcaObjects"),
    E(J({"linux" : {"resources" : {"unified" : {"memory.max" : "1G", "cgroup.procs" : "1"}}}}),
      "config.json: linux.resources.unified[\"cgroup.procs\"]: \"cgroup.procs\" is managed by the "
      "runtime (accepted cgroup.* keys: cgroup.max.depth, cgroup.max.descendants, "
      "cgroup.pressure)"),
    E(J({"linux" : {"resources" : {"unified" : {"../memory.max" : "1G"}}}}),
      "config.json: linux.resources.unified[\"../memory.max\"]: \"../memory.max\" is not a file "
      "name: it has a '/'"),
    E(J({"linux" : {"resources" : {"unified" : {"memory" : "1G"}}}}),
      "config.json: linux.resources.unified.memory: \"memory\" is not a cgroup interface file "
      "(CONTROLLER.FILE, e.g. \"memory.max\")"),
    C(J({
        "linux" : {
            "resources" : {
                "unified" : {
                    "hugetlb.1GB.max" : "1",
                    "cgroup.max.depth" : "2",
                    "io.max" : "8:0 rbps=1\n8:16 wbps=2"
                }
            }
        }
    })),

    /* sysctl */
    E(J({"linux" : {"sysctl" : {"vm.swappiness" : "0"}}}),
      "config.json: linux.sysctl[\"vm.swappiness\"]: \"vm.swappiness\" is not namespaced: setting "
      "it would change the host"),
    E(J({"linux" : {"sysctl" : {"net/../../kernel/x" : "0"}}}),
      "config.json: linux.sysctl[\"net/../../kernel/x\"]: \"net/../../kernel/x\" is not a sysctl "
      "name (an empty, \".\" or \"..\" part)"),
    E(J({"linux" : {"sysctl" : {"net.//.x" : "0"}}}),
      "config.json: linux.sysctl[\"net.//.x\"]: \"net.//.x\" is not a sysctl name (an empty, \".\" "
      "or \"..\" part)"),
    E(J({
          "linux" :
              {"namespaces" : [ {"type" : "mount"} ], "sysctl" : {"net.ipv4.ip_forward" : "1"}}
      }),
      "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: needs a network namespace (add "
      "{\"type\": \"network\"} to linux.namespaces)"),
    E(J({"linux" : {"namespaces" : [ {"type" : "mount"} ], "sysctl" : {"kernel/shmmax" : "1"}}}),
      "config.json: linux.sysctl[\"kernel/shmmax\"]: needs an IPC namespace (add {\"type\": "
      "\"ipc\"} to linux.namespaces)"),
    E(J({"linux" : {"sysctl" : {"kernel.hostname" : "x"}}}),
      "config.json: linux.sysctl[\"kernel.hostname\"]: conflicts with the hostname field: set that "
      "instead"),
    C(J({
        "linux" : {
            "sysctl" : {
                "net/ipv4/conf/eth0.100/rp_filter" : "1",
                "fs.mqueue.msg_max" : "10",
                "kernel.domainname" : "x"
            }
        }
    })),

    /* seccomp */
    E(J({
          "linux" : {
              "seccomp" : {
                  "defaultAction" : "SCMP_ACT_ALLOW",
                  "syscalls" : [ {"names" : [], "action" : "SCMP_ACT_ERRNO"} ]
              }
          }
      }),
      "config.json: linux.seccomp.syscalls[0].names: at least one entry is required"),
    E(J({
          "linux" : {
              "seccomp" : {
                  "defaultAction" : "SCMP_ACT_ERRNO",
                  "syscalls" :
                      [ {"names" : ["mount"], "action" : "SCMP_ACT_ALLOW", "errnoRet" : 1} ]
              }
          }
      }),
      "config.json: linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE "
      "take an errno, not SCMP_ACT_ALLOW"),
    E(J({
          "linux" : {"seccomp" : {"defaultAction" : "SCMP_ACT_KILL_PROCESS", "defaultErrnoRet" : 1}}
      }),
      "config.json: linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an "
      "errno, not SCMP_ACT_KILL_PROCESS"),
    E(J({"linux" : {"seccomp" : {"defaultAction" : "SCMP_ACT_ALLOW", "listenerMetadata" : "x"}}}),
      "config.json: linux.seccomp.listenerMetadata: must not be set without listenerPath"),
    E(J({
          "linux" : {
              "seccomp" : {
                  "defaultAction" : "SCMP_ACT_ALLOW",
                  "syscalls" : [ {"names" : ["mount"], "action" : "SCMP_ACT_NOTIFY"} ]
              }
          }
      }),
      "config.json: linux.seccomp.syscalls[0].action: SCMP_ACT_NOTIFY needs "
      "linux.seccomp.listenerPath"),
    E(J({
          "linux" : {
              "seccomp" : {"defaultAction" : "SCMP_ACT_NOTIFY", "listenerPath" : "/run/agent.sock"}
          }
      }),
      "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action: it "
      "would stop the runtime's own syscalls before the listener gets the notify fd"),
    E(J({
          "linux" : {
              "seccomp" : {
                  "defaultAction" : "SCMP_ACT_ALLOW",
                  "syscalls" : [ {
                      "names" : ["clone"],
                      "action" : "SCMP_ACT_ERRNO",
                      "args" : [ {"index" : 6, "value" : 1, "op" : "SCMP_CMP_EQ"} ]
                  } ]
              }
          }
      }),
      "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0 to 5)"),
    W(J({
          "linux" : {
              "seccomp" : {
                  "defaultAction" : "SCMP_ACT_ALLOW",
                  "syscalls" : [ {
                      "names" : ["clone"],
                      "action" : "SCMP_ACT_ERRNO",
                      "args" : [ {"index" : 0, "value" : 1, "valueTwo" : 2, "op" : "SCMP_CMP_EQ"} ]
                  } ]
              }
          }
      }),
      "config.json: linux.seccomp.syscalls[0].args[0].valueTwo: ignored by SCMP_CMP_EQ (only "
      "SCMP_CMP_MASKED_EQ uses it)"),
    W(J({
          "linux" : {
              "seccomp" : {
                  "defaultAction" : "SCMP_ACT_ALLOW",
                  "architectures" : [ "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64" ]
              }
          }
      }),
      "config.json: linux.seccomp.architectures[2]: \"SCMP_ARCH_X86_64\" is listed twice (also "
      "architectures[0])"),
    W(J({"linux" : {"seccomp" : {"defaultAction" : "SCMP_ACT_ERRNO", "defaultErrnoRet" : 5000}}}),
      "config.json: linux.seccomp.defaultErrnoRet: 5000 is above 4094, the largest errno a "
      "seccomp filter can return: capped to 4094"),
    /* libseccomp takes 4094, refuses 4095. */
    C(J({"linux" : {"seccomp" : {"defaultAction" : "SCMP_ACT_ERRNO", "defaultErrnoRet" : 4094}}})),
    W(J({"linux" : {"seccomp" : {"defaultAction" : "SCMP_ACT_ERRNO", "defaultErrnoRet" : 4095}}}),
      "config.json: linux.seccomp.defaultErrnoRet: 4095 is above 4094, the largest errno a "
      "seccomp filter can return: capped to 4094"),
    C(J({
        "linux" : {
            "seccomp" : {
                "defaultAction" : "SCMP_ACT_ERRNO",
                "defaultErrnoRet" : 38,
                "listenerPath" : "/run/agent.sock",
                "listenerMetadata" : "m",
                "syscalls" : [
                    {
                        "names" : ["clone"],
                        "action" : "SCMP_ACT_ALLOW",
                        "args" : [ {
                            "index" : 0,
                            "value" : 2114060288,
                            "valueTwo" : 0,
                            "op" : "SCMP_CMP_MASKED_EQ"
                        } ]
                    },
                    {"names" : ["mount"], "action" : "SCMP_ACT_NOTIFY"},
                    {"names" : ["ptrace"], "action" : "SCMP_ACT_TRACE", "errnoRet" : 1}
                ]
            }
        }
    })),

    /* Intel RDT, paths, personality, memory policy */
    E(J({"linux" : {"intelRdt" : {"memBwSchema" : "L3:0=20"}}}),
      "config.json: linux.intelRdt.memBwSchema: \"L3:0=20\" does not start with \"MB:\""),
    E(J({"linux" : {"intelRdt" : {"memBwSchema" : "MB:0=20\nL3:0=1"}}}),
      "config.json: linux.intelRdt.memBwSchema: must not contain a newline"),
    E(J({"linux" : {"intelRdt" : {"schemata" : [ "L3:0=7f0", "MB:0=20\nMB:1=70" ]}}}),
      "config.json: linux.intelRdt.schemata[1]: must not contain a newline"),
    E(J({"linux" : {"intelRdt" : {"closID" : "../info"}}}),
      "config.json: linux.intelRdt.closID: \"../info\" is not a CLOS name (a directory name in "
      "resctrl, or \"/\")"),
    W(J({"linux" : {"intelRdt" : {"l3CacheSchema" : "0=7f0"}}}),
      "config.json: linux.intelRdt.l3CacheSchema: \"0=7f0\" does not start with \"L3:\""),
    C(J({
        "linux" :
            {"intelRdt" : {"closID" : "/", "l3CacheSchema" : "L3:0=7f0", "memBwSchema" : "MB:0=20"}}
    })),
    E(J({"linux" : {"maskedPaths" : [ "/proc/kcore", "proc/keys" ]}}),
      "config.json: linux.maskedPaths[1]: \"proc/keys\" is not an absolute path"),
    E(J({"linux" : {"namespaces" : [ {"type" : "pid"} ], "readonlyPaths" : ["/proc/sys"]}}),
      "config.json: linux.readonlyPaths: needs a mount namespace (add {\"type\": \"mount\"} to "
      "linux.namespaces)"),
    E(J({"linux" : {"personality" : {"domain" : "LINUX", "flags" : ["ADDR_NO_RANDOMIZE"]}}}),
      "config.json: linux.personality.flags[0]: unknown personality flag \"ADDR_NO_RANDOMIZE\" "
      "(runtime-spec defines none)"),
    E(J({"linux" : {"personality" : {}}}),
      "config.json: linux.personality.domain: required field is missing"),
    E(J({"linux" : {"memoryPolicy" : {"nodes" : "0"}}}),
      "config.json: linux.memoryPolicy.mode: required field is missing"),
    E(J({"linux" : {"memoryPolicy" : {"mode" : "MPOL_LOCAL", "nodes" : "0-1"}}}),
      "config.json: linux.memoryPolicy.nodes: MPOL_LOCAL takes no nodes"),
    E(J({"linux" : {"memoryPolicy" : {"mode" : "MPOL_INTERLEAVE"}}}),
      "config.json: linux.memoryPolicy.nodes: MPOL_INTERLEAVE needs at least one node"),
    E(J({
          "linux" : {
              "memoryPolicy" : {
                  "mode" : "MPOL_BIND",
                  "nodes" : "0",
                  "flags" : [ "MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES" ]
              }
          }
      }),
      "config.json: linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude "
      "each other"),
    E(J({
          "linux" : {
              "memoryPolicy" :
                  {"mode" : "MPOL_INTERLEAVE", "nodes" : "0", "flags" : ["MPOL_F_NUMA_BALANCING"]}
          }
      }),
      "config.json: linux.memoryPolicy.flags: MPOL_F_NUMA_BALANCING needs MPOL_BIND or "
      "MPOL_PREFERRED_MANY, not MPOL_INTERLEAVE"),
    E(J({"linux" : {"memoryPolicy" : {"mode" : "MPOL_BIND", "nodes" : "x"}}}),
      "config.json: linux.memoryPolicy.nodes: \"x\" is not a node list (numbers and ranges, e.g. "
      "\"0-3,7\")"),
    C(J({
        "linux" : {"memoryPolicy" : {"mode" : "MPOL_PREFERRED", "flags" : ["MPOL_F_STATIC_NODES"]}}
    })),
};

static void
run_case(size_t idx, const struct vcase *c)
{
    struct error *err = NULL;
    struct spec *s;
    struct diags d;
    size_t len = 0;
    bool ok = false;
    _cleanup_free_ char *text = make_config(c->patch, &len);

    if (text == NULL)
        return;
    if (c->expect == ERR) {
        s = spec_load(text, len, "config.json", &err);
        ok = s == NULL && err != NULL && has_line(err->msg, c->line);
        tap_ok(ok, "case %zu: %s", idx, c->line);
        if (!ok) {
            tap_diag("config: %s", text);
            tap_diag("got: %s", err ? err->msg : "(loaded)");
        }
        spec_free(s);
        error_free(&err);
        return;
    }

    s = spec_parse(text, len, "config.json", &err);
    if (s == NULL) {
        tap_ok(0, "case %zu parses: %s", idx, err->msg);
        error_free(&err);
        return;
    }
    diags_init(&d, "config.json");
    spec_validate(s, &d);
    if (c->expect == CLEAN) {
        ok = d.n == 0;
        tap_ok(ok, "case %zu: clean: %s", idx, c->patch);
    } else {
        for (size_t i = 0; i < d.n; i++) {
            char *line = diag_format(&d, &d.items[i]);

            if (d.items[i].level == DIAG_WARNING && strcmp(line, c->line) == 0)
                ok = true;
            free(line);
        }
        ok = ok && !diags_has_errors(&d);
        tap_ok(ok, "case %zu: warning %s", idx, c->line);
    }
    if (!ok) {
        tap_diag("config: %s", text);
        print_diags(&d);
    }
    diags_free(&d);
    spec_free(s);
}

/* ---- whole files ---- */

static char *
read_data(const char *dir, const char *name, size_t *ret_len)
{
    const char *data = getenv("BERTH_TEST_DATA");
    _cleanup_free_ char *path = xasprintf("%s/%s/%s", data ? data : "tests/data", dir, name);
    char *buf = NULL;
    int rc = fd_read_file_at(AT_FDCWD, path, 1 << 20, &buf, ret_len);

    if (rc < 0) {
        tap_ok(0, "read '%s': %s", path, strerror(-rc));
        return NULL;
    }
    return buf;
}

/* The spec's schema/test/config/good examples for Linux load without an
 * error.  spec-example.json says "ociVersion": "0.5.0-dev", which is only
 * a warning; linux-netdevice.json moves devices without a network
 * namespace, which fails only when the runtime tries. */
static const char *const example_warnings[] = {
    "config.json: ociVersion: \"0.5.0-dev\" is a pre-1.0 draft version; read as runtime-spec "
    "1.3.0",
};
static const char *const netdevice_warnings[] = {
    "config.json: linux.netDevices: there is no network namespace to move them into (add "
    "{\"type\": \"network\"} to linux.namespaces)",
};

static void
test_good_files(void)
{
    static const char *const files[] = {
        "minimal.json",    "minimal-for-start.json", "spec-example.json",
        "linux-rdma.json", "linux-netdevice.json",
    };

    for (size_t i = 0; i < COUNT(files); i++) {
        struct error *err = NULL;
        size_t len = 0, n_want;
        _cleanup_free_ char *buf = read_data("spec-good", files[i], &len);
        const char *const *want;
        struct spec *s;
        struct diags d;
        bool ok;

        if (buf == NULL)
            continue;
        s = spec_load(buf, len, "config.json", &err);
        tap_ok(s != NULL, "spec-good/%s loads", files[i]);
        if (s == NULL) {
            tap_diag("%s", err->msg);
            error_free(&err);
            continue;
        }
        diags_init(&d, "config.json");
        spec_validate(s, &d);
        want = strcmp(files[i], "spec-example.json") == 0      ? example_warnings
               : strcmp(files[i], "linux-netdevice.json") == 0 ? netdevice_warnings
                                                               : NULL;
        n_want = want == example_warnings     ? COUNT(example_warnings)
                 : want == netdevice_warnings ? COUNT(netdevice_warnings)
                                              : 0;
        ok = d.n == n_want;
        for (size_t k = 0; ok && k < n_want; k++) {
            char *line = diag_format(&d, &d.items[k]);

            ok = strcmp(line, want[k]) == 0;
            free(line);
        }
        tap_ok(ok, "spec-good/%s: %zu warning(s) as expected", files[i], n_want);
        if (!ok)
            print_diags(&d);
        diags_free(&d);
        spec_free(s);
    }
}

/* The spec's bad Linux examples fail: linux-hugepage.json ("64kB") here,
 * the others already in the typed parse. */
static void
test_bad_files(void)
{
    static const struct {
        const char *file, *line;
    } files[] = {
        {"linux-hugepage.json",
         "config.json: linux.resources.hugepageLimits[0].pageSize: \"64kB\" is not a page size (a "
         "number and KB, MB or GB, e.g. \"2MB\")"},
        {"linux-netdevice.json", "config.json: linux.netDevices.eth0.name: expected a string, got "
                                 "a number"},
        {"linux-rdma.json", NULL},
    };

    for (size_t i = 0; i < COUNT(files); i++) {
        struct error *err = NULL;
        size_t len = 0;
        _cleanup_free_ char *buf = read_data("spec-bad", files[i].file, &len);
        struct spec *s;
        bool ok;

        if (buf == NULL)
            continue;
        s = spec_load(buf, len, "config.json", &err);
        ok = s == NULL && err != NULL
             && (files[i].line == NULL || has_line(err->msg, files[i].line));
        tap_ok(ok, "spec-bad/%s fails", files[i].file);
        if (!ok)
            tap_diag("got: %s", err ? err->msg : "(loaded)");
        error_free(&err);
        spec_free(s);
    }
}

/* ---- the rest ---- */

/* One run reports every problem, from every section, and counts them. */
static void
test_all_problems_reported(void)
{
    static const char *const want[] = {
        "config.json: ociVersion: unsupported version \"3.1.0\" (accepted: 1.x.y; berth implements "
        "1.3.0)",
        "config.json: mounts[0].source: required for a bind mount",
        "config.json: process.cwd: \"relative\" is not an absolute path",
        "config.json: process.rlimits[0].soft: 2 is above the hard limit 1",
        "config.json: hooks.poststart[0].path: \"hook\" is not an absolute path",
        "config.json: linux.namespaces[1].type: namespace \"pid\" is listed twice (also "
        "namespaces[0])",
        "config.json: linux.resources.pids.limit: -5 is out of range (-1 for unlimited, or 0 and "
        "above)",
        "config.json: linux.seccomp.syscalls[0].names: at least one entry is required",
    };
    const char *patch = J({
        "ociVersion" : "3.1.0",
        "mounts" : [ {"destination" : "/data", "options" : ["bind"]} ],
        "process" :
            {"cwd" : "relative", "rlimits" : [ {"type" : "RLIMIT_CORE", "soft" : 2, "hard" : 1} ]},
        "hooks" : {"poststart" : [ {"path" : "hook"} ]},
        "linux" : {
            "namespaces" : [ {"type" : "pid"}, {"type" : "pid"}, {"type" : "mount"} ],
            "resources" : {"pids" : {"limit" : -5}},
            "seccomp" : {
                "defaultAction" : "SCMP_ACT_ALLOW",
                "syscalls" : [ {"names" : [], "action" : "SCMP_ACT_LOG"} ]
            }
        }
    });
    struct error *err = NULL;
    size_t len = 0, lines = 1;
    _cleanup_free_ char *text = make_config(patch, &len);
    struct spec *s;
    struct diags d;

    if (text == NULL)
        return;
    s = spec_load(text, len, "config.json", &err);
    tap_ok(s == NULL && err != NULL, "a config with %zu problems fails", COUNT(want));
    if (err == NULL)
        return;
    for (size_t i = 0; i < COUNT(want); i++) {
        tap_ok(has_line(err->msg, want[i]), "all problems: %s", want[i]);
    }
    for (const char *c = err->msg; *c; c++)
        lines += *c == '\n';
    tap_is_int(lines, COUNT(want), "all problems: one line each, nothing else");
    if (lines != COUNT(want))
        tap_diag("%s", err->msg);
    error_free(&err);

    /* spec_validate() counts the errors it adds, on top of any already there. */
    s = spec_parse(text, len, "config.json", &err);
    tap_ok(s != NULL, "all problems: the config parses");
    if (s == NULL) {
        error_free(&err);
        return;
    }
    diags_init(&d, "config.json");
    diags_add(&d, DIAG_ERROR, "", NULL, "an earlier problem");
    tap_is_int(spec_validate(s, &d), COUNT(want), "spec_validate returns the number of errors");
    tap_is_int(d.n_errors, COUNT(want) + 1, "the diags hold them all");
    diags_free(&d);
    spec_free(s);
}

/* The kernel takes at most 340 lines per id map. */
static void
test_mapping_limit(void)
{
    for (size_t n = 340; n <= 341; n++) {
        char *maps = xstrdup("");
        char *patch, *text;
        struct error *err = NULL;
        struct spec *s;
        size_t len = 0;

        for (size_t i = 0; i < n; i++) {
            char *more = xasprintf("%s%s{\"containerID\": %zu, \"hostID\": %zu, \"size\": 1}", maps,
                                   i ? ", " : "", i, 100000 + i);
            free(maps);
            maps = more;
        }
        patch = xasprintf("{\"linux\": {\"namespaces\": [{\"type\": \"user\"}], \"uidMappings\": "
                          "[%s], \"gidMappings\": [%s]}}",
                          maps, maps);
        text = make_config(patch, &len);
        if (text != NULL) {
            s = spec_load(text, len, "config.json", &err);
            if (n == 340)
                tap_ok(s != NULL, "340 id mappings load");
            else
                tap_ok(s == NULL
                           && has_line(err->msg, "config.json: linux.uidMappings: 341 entries "
                                                 "are more than the kernel's limit of 340"),
                       "341 id mappings fail");
            error_free(&err);
            spec_free(s);
        }
        free(text);
        free(patch);
        free(maps);
    }
}

/* The default specs (bundle/spec-default.c) validate without a problem. */
static void
test_default_specs(void)
{
    struct spec *specs[] = {spec_default(), spec_default_rootless(1000, 1000)};

    for (size_t i = 0; i < COUNT(specs); i++) {
        struct diags d;

        diags_init(&d, "config.json");
        tap_is_int(spec_validate(specs[i], &d), 0, "default spec %zu: no error", i);
        tap_is_int(d.n, 0, "default spec %zu: no warning", i);
        print_diags(&d);
        diags_free(&d);
        spec_free(specs[i]);
    }
}

static void
test_helpers(void)
{
    unsigned long set[2];
    uint64_t major = 0, minor = 0, patch = 0;

    tap_is_int(bundle_capability_value("CAP_CHOWN"), 0, "CAP_CHOWN is 0");
    tap_is_int(bundle_capability_value("CAP_SYS_ADMIN"), 21, "CAP_SYS_ADMIN is 21");
    tap_is_int(bundle_capability_value("CAP_CHECKPOINT_RESTORE"), 40,
               "CAP_CHECKPOINT_RESTORE is 40");
    tap_is_int(bundle_capability_value("CAP_NOPE"), -1, "unknown capability is -1");
    tap_is_str(bundle_capability_name(39), "CAP_BPF", "capability 39 is CAP_BPF");
    tap_ok(bundle_capability_name(41) == NULL, "no capability 41");
    tap_is_int(bundle_rlimit_resource("RLIMIT_NOFILE"), RLIMIT_NOFILE, "RLIMIT_NOFILE");
    tap_is_int(bundle_rlimit_resource("RLIMIT_RTTIME"), RLIMIT_RTTIME, "RLIMIT_RTTIME");
    tap_is_int(bundle_rlimit_resource("RLIMIT_OFILE"), -1, "RLIMIT_OFILE is not Linux's");

    tap_ok(bundle_parse_cpu_list("0-3,7", set, 128) && set[0] == 0x8f && set[1] == 0,
           "\"0-3,7\" sets CPUs 0-3 and 7");
    tap_ok(bundle_parse_cpu_list("0-9:2/5, 64", set, 128) && set[0] == 0x063 && set[1] == 1,
           "strides and a second word");
    tap_ok(bundle_parse_cpu_list("", set, 128) && set[0] == 0 && set[1] == 0, "empty list");
    tap_ok(!bundle_parse_cpu_list("128", set, 128), "CPU past the set fails");
    tap_ok(bundle_parse_cpu_list("128", NULL, 0), "CPU number alone is fine without a set");
    tap_ok(!bundle_parse_cpu_list("1,", NULL, 0) && !bundle_parse_cpu_list("-1", NULL, 0)
               && !bundle_parse_cpu_list("0-3:5/4", NULL, 0)
               && !bundle_parse_cpu_list("99999999999", NULL, 0),
           "malformed lists fail");

    tap_ok(bundle_is_valid_ifname("eth0") && bundle_is_valid_ifname("123456789012345")
               && bundle_is_valid_ifname("veth%d"),
           "valid interface names");
    tap_ok(!bundle_is_valid_ifname("") && !bundle_is_valid_ifname("1234567890123456")
               && !bundle_is_valid_ifname("..") && !bundle_is_valid_ifname("a:b")
               && !bundle_is_valid_ifname("a b"),
           "invalid interface names");

    tap_ok(bundle_parse_semver("1.2.3-rc.1+exp.sha.5114f85", &major, &minor, &patch) && major == 1
               && minor == 2 && patch == 3,
           "SemVer with pre-release and build");
    tap_ok(!bundle_parse_semver("1.2.3-", &major, &minor, &patch)
               && !bundle_parse_semver("1.2.3-a..b", &major, &minor, &patch)
               && !bundle_parse_semver("v1.2.3", &major, &minor, &patch)
               && !bundle_parse_semver("1.2.99999999999999999999", &major, &minor, &patch),
           "not SemVer");
    tap_ok(bundle_parse_semver("1.0.0-0alpha.0", &major, &minor, &patch), "0alpha is not numeric");

    tap_ok(bundle_is_mount_flag_option("rnosymfollow") && !bundle_is_mount_flag_option("mode=755"),
           "mount flag options");
}

int
main(void)
{
    for (size_t i = 0; i < COUNT(cases); i++)
        run_case(i, &cases[i]);
    test_good_files();
    test_bad_files();
    test_all_problems_reported();
    test_mapping_limit();
    test_default_specs();
    test_helpers();
    return tap_done();
}
