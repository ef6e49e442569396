"""The official Jupyter kernel test suite (jupyter_kernel_test) against chalk,
with every attribute set.  Samples that need the cell engine or the helper
library (execute_result, display_data, clear_output, inspect) exercise them
through the same messages a front end sends."""
import unittest

import jupyter_kernel_test as jkt


class ChalkKernelTests(jkt.KernelTests):
    kernel_name = "chalk"
    language_name = "c"
    file_extension = ".c"

    code_hello_world = 'printf("hello, world\\n");'
    code_stderr = 'fprintf(stderr, "oops\\n");'

    completion_samples = [
        {"text": "prin", "matches": {"printf"}},
        {"text": "int zebra_count = 0; zebra_c", "matches": {"zebra_count"}},
    ]
    complete_code_samples = ['printf("hi\\n");', "int x = 1;", "for (int i = 0; i < 3; i++) {}"]
    incomplete_code_samples = ["int f(void) {", "printf(\"a\",", "/* a comment"]
    invalid_code_samples = ["}", "int x = 1; )"]

    # `?name` pages the declaration (a payload with source "page").
    code_page_something = "?printf"

    code_generate_error = "this is not C;"

    code_execute_result = [
        {"code": "6*7", "result": "42"},
        {"code": "1 + 2", "result": "3"},
    ]

    code_display_data = [
        {"code": 'ch_display_html("<b>hi</b>");', "mime": "text/html"},
    ]

    code_history_pattern = "6*7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "printf"

    code_clear_output = 'printf("gone\\n"); ch_clear_output(0);'


class ChalkIopubWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = "chalk"
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
