/* Every test of the C API's suite, run by main.c. */
#ifndef CLIQUET_C_TESTS_H
#define CLIQUET_C_TESTS_H

void test_session_version_4(void);
void test_session_version_3(void);

#endif
