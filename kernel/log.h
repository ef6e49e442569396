/* log.h — the kernel's diagnostics, on stderr.
 *
 * Jupyter shows a kernel's stderr in the terminal that started the server, not
 * in the notebook, so this is where dropped messages and protocol trouble go.
 * Beware: never pass the connection key (or anything derived from it) here.
 * CHALK_LOG=debug in the environment turns on debug lines.
 */
#ifndef CHALK_LOG_H
#define CHALK_LOG_H

enum { LOG_LEVEL_DEBUG = 0, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

void log_init(void);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

#endif
