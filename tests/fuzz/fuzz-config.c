/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: config.json bytes -> spec_load.  Built and run by
 * `make fuzz` (tests/fuzz/fuzz.mk) under ASan and UBSan; a leak, a crash or
 * a broken invariant below is a finding, and libFuzzer keeps the input.
 *
 * Invariants, each checked with abort():
 *   - a refused config says why: *err set, errno EINVAL, every line of the
 *     message names the file ("config.json: ...");
 *   - an accepted config leaves *err alone;
 *   - an accepted config can be written (compact and pretty), the output
 *     parses and validates again, and writing that gives the same bytes. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/spec.h"

#define FILE_NAME "config.json"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_error(const struct error *err)
{
    const char *line;

    if (err == NULL || err->msg == NULL || err->errnum != EINVAL)
        abort();
    for (line = err->msg; line != NULL; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        if (strncmp(line, FILE_NAME ": ", strlen(FILE_NAME ": ")) != 0
            && strncmp(line, "(", 1) != 0) /* "(N more problems not shown)" */
            abort();
    }
}

static void
check_round_trip(const struct spec *s, bool pretty)
{
    struct error *err = NULL;
    struct spec *again;
    char *out = NULL, *out2 = NULL;
    size_t len = 0, len2 = 0;

    if (spec_write(s, pretty, &out, &len, &err) < 0)
        abort();
    again = spec_load(out, len, FILE_NAME, &err);
    if (again == NULL)
        abort();
    if (spec_write(again, pretty, &out2, &len2, &err) < 0)
        abort();
    if (len != len2 || memcmp(out, out2, len) != 0)
        abort();
    free(out);
    free(out2);
    spec_free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct error *err = NULL;
    /* data is exactly SIZE bytes, not NUL-terminated: the (buf, len) contract. */
    struct spec *s = spec_load((const char *)data, size, FILE_NAME, &err);

    if (s == NULL) {
        check_error(err);
        error_free(&err);
        return 0;
    }
    if (err != NULL)
        abort();
    check_round_trip(s, false);
    check_round_trip(s, true);
    spec_free(s);
    return 0;
}
