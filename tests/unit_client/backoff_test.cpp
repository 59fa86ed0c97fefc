// Reconnect delays (client/common/backoff.hpp) are capped low (the growth itself: session_test.cpp).
#include "common/backoff.hpp"

#include <doctest/doctest.h>

namespace parley::test {

TEST_CASE("backoff (issue 8, widget defect 3): after a long outage the wait stays at most 8 s") {
  using client::backoff_delay_ms;
  for (int attempt = 0; attempt < 64; ++attempt) {
    CHECK(backoff_delay_ms(attempt, 0.999999) <= 8000);
  }
  // The cap is reached, not just approached: 4 to 8 s once the exponent passed it.
  CHECK(backoff_delay_ms(30, 0.0) == doctest::Approx(4000));
  CHECK(backoff_delay_ms(30, 0.999999) == doctest::Approx(8000).epsilon(0.001));
}

}  // namespace parley::test
