/* SPDX-License-Identifier: Apache-2.0 */
#ifndef BERTH_IMAGE_CLI_H
#define BERTH_IMAGE_CLI_H

#include <stdbool.h>

#include "lib/error.h"

/* The `berth-image` command line: main.c dispatches to one function per
 * subcommand (each in its own file), which parses its flags, calls
 * image/, and prints the error once. */

#define ICLI_EXIT_OK 0
#define ICLI_EXIT_FAILURE 1
#define ICLI_EXIT_USAGE 2

/* Print "berth-image: MSG" (each line of a multi-line message), free ERR,
 * return ICLI_EXIT_FAILURE. */
int icli_fail(struct error **err);
/* "berth-image CMD: MSG" and a pointer to --help; returns ICLI_EXIT_USAGE. */
int icli_usage_error(const char *cmd, const char *fmt, ...) ATTR_PRINTF(2, 3);
void icli_warn(const char *fmt, ...) ATTR_PRINTF(1, 2);

/* Parse a size with an optional K, M, G or T suffix (powers of 1024). */
int icli_parse_size(const char *s, unsigned long long *ret);

int icli_unpack(int argc, char **argv);
int icli_inspect(int argc, char **argv);
int icli_remove(int argc, char **argv);

#endif
