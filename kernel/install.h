/* install.h — `chalk-kernel install`: write the kernelspec somewhere Jupyter
 * looks.  kernel.json names this very binary by absolute path (from
 * /proc/self/exe), so the spec keeps working wherever the binary lives.
 */
#ifndef CHALK_INSTALL_H
#define CHALK_INSTALL_H

#include <stddef.h>

/* argv[0] is "install".  Returns the process exit status. */
int install_main(int argc, char **argv);

/* Write kernel.json for `binary` into directory `dir` (which must exist).
 * Returns 0 or -1 with err filled. */
int install_write_kernel_json(const char *dir, const char *binary, char *err, size_t errlen);

#endif
