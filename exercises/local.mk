# exercises
