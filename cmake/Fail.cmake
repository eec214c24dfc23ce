# cmake -DMESSAGE=... -P Fail.cmake: fails, saying MESSAGE. Stands in for a
# test that cannot run here, so that ctest reports why instead of leaving it out.
message(FATAL_ERROR "${MESSAGE}")
