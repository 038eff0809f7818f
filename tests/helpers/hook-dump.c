/* SPDX-License-Identifier: Apache-2.0 */
/* hook-dump: an OCI hook that records how it was run, for the hooks tests.
 * Appends four lines to ./hook-dump.out (relative to its working
 * directory, so that neither its arguments nor its environment have to
 * name the file):
 *   argv|ARG0|ARG1...
 *   env|VAR=VALUE|...          (exactly its environment, in order)
 *   fds|0|1|2                  (its open file descriptors)
 *   stdin|TEXT                 (everything read from stdin up to EOF)
 * Built statically so that it also runs inside a busybox rootfs. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv, char **envp)
{
    FILE *out = fopen("hook-dump.out", "a");
    DIR *d;
    struct dirent *e;
    char buf[4096];
    size_t n;

    if (out == NULL) {
        perror("hook-dump: hook-dump.out");
        return 1;
    }
    fputs("argv", out);
    for (int i = 0; i < argc; i++)
        fprintf(out, "|%s", argv[i]);
    fputs("\nenv", out);
    for (char **p = envp; *p; p++)
        fprintf(out, "|%s", *p);
    fputs("\nfds", out);
    d = opendir("/proc/self/fd");
    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            int fd = atoi(e->d_name);

            if (e->d_name[0] != '.' && fd != dirfd(d) && fd != fileno(out))
                fprintf(out, "|%d", fd);
        }
        closedir(d);
    }
    fputs("\nstdin|", out);
    while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
        fwrite(buf, 1, n, out);
    fputs("\n", out);
    return fclose(out) == 0 ? 0 : 1;
}
