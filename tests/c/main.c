/* Runs the C API's tests: all, or those whose name contains argv[1]. */
#include <string.h>

#include "harness.h"
#include "tests.h"

typedef struct test_case {
    const char* name;
    void (*run)(void);
} test_case;

static const test_case tests[] = {
    {"session_version_4", test_session_version_4},
    {"session_version_3", test_session_version_3},
};

int main(int argc, char** argv) {
    size_t i, run = 0;
    for (i = 0; i < sizeof tests / sizeof tests[0]; ++i) {
        int failures_before = harness_failures;
        if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL) continue;
        tests[i].run();
        ++run;
        printf("%-40s %s\n", tests[i].name, harness_failures == failures_before ? "ok" : "FAILED");
    }
    printf("%lu tests, %d checks, %d failed\n", (unsigned long)run, harness_checks, harness_failures);
    return harness_failures == 0 && run > 0 ? 0 : 1;
}
