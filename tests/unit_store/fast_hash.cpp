// tests/unit_store/fast_hash.cpp: the store tests hash with the cheap test-only argon2id limits.
// relay/src/store/auth.cpp no longer reads PARLEY_FAST_HASH from the environment: a test binary
// chooses the cost explicitly, before main() runs.
#include "store/auth.hpp"

namespace {
[[maybe_unused]] const bool kFastHash = [] {
  parley::relay::set_password_hash_cost(parley::relay::HashCost::test_only);
  return true;
}();
}  // namespace
