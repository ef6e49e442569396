/* timeit.h — %timeit's measurement, in the cell's child.
 *
 * Like IPython's: enough loops per run for 0.2 s, 7 runs, then the mean and
 * standard deviation of the time per loop on stdout.  The timed body's
 * output during the loops goes to /dev/null and its values are not shown.
 */
#ifndef CHALK_TIMEIT_H
#define CHALK_TIMEIT_H

/* Time `body` (the cell's compiled main, already run once). */
void timeit_run(int (*body)(int, char **));

#endif
