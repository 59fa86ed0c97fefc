// The doctest runner for shared/'s unit tests (natively and as WebAssembly under Node).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
