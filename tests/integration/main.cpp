// tests/integration/main.cpp: the doctest main of parley_integration_tests.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
