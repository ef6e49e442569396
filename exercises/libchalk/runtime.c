/* runtime.c — the contract between libchalk and the kernel's executor: the
 * hooks it installs and the publishing of displays and results through them.
 *
 * The executor installs four hooks (display, result, fail, clear_output);
 * without them the library behaves like an ordinary C library for a plain
 * program: displays and results are printed as their text/plain part (and
 * failures go to stderr with exit(1), see fail.c, which keeps the fail hook).
 * Beware: a bundle is JSON text we built ourselves (buf.c), which is why the
 * tiny scanner below is enough to print its text/plain part.
 */
#include "internal.h"

static ch_runtime rt_hooks;
static int rt_installed;

void ch_set_runtime(const ch_runtime *rt)
{
    if (rt) {
        rt_hooks = *rt;
        rt_installed = 1;
    } else {
        memset(&rt_hooks, 0, sizeof rt_hooks);
        rt_installed = 0;
    }
    /* also (re)installs GSL's error handler, before every cell */
    ch__set_fail_hook(rt_installed ? rt_hooks.fail : NULL);
}

/* Without a kernel, print the bundle's text/plain value.  A tiny scanner is
 * enough: we only need to find "text/plain": "..." and unescape it. */
static void print_plain(const char *bundle)
{
    const char *k = bundle ? strstr(bundle, "\"text/plain\"") : NULL;
    if (!k)
        return;
    k += strlen("\"text/plain\"");
    while (*k == ' ' || *k == ':' || *k == '\n' || *k == '\t')
        k++;
    if (*k != '"')
        return;
    for (k++; *k && *k != '"'; k++) {
        if (*k != '\\') {
            putchar(*k);
            continue;
        }
        k++;
        switch (*k) {
        case 'n': putchar('\n'); break;
        case 't': putchar('\t'); break;
        case 'r': putchar('\r'); break;
        case 'b': putchar('\b'); break;
        case 'f': putchar('\f'); break;
        case 'u': {
            unsigned v = 0;
            for (int i = 1; i <= 4 && k[i]; i++) {
                char c = k[i];
                v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
            }
            k += 4;
            /* bundles are built by us: \u only encodes control characters */
            putchar((int)v);
            break;
        }
        case '\0': k--; break;
        default: putchar(*k);
        }
    }
    putchar('\n');
    fflush(stdout);
}

void ch__publish_display(const char *bundle_json)
{
    if (rt_installed && rt_hooks.display)
        rt_hooks.display(bundle_json);
    else
        print_plain(bundle_json);
}

void ch_clear_output(int wait)
{
    /* A plain program has no output area to clear. */
    if (rt_installed && rt_hooks.clear_output)
        rt_hooks.clear_output(wait);
}

void ch__publish_result(const char *bundle_json)
{
    if (rt_installed && rt_hooks.result)
        rt_hooks.result(bundle_json);
    else
        print_plain(bundle_json);
}
