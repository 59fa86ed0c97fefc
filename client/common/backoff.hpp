// backoff.hpp: reconnect delays (pure).
#pragma once

#include <algorithm>
#include <cmath>

namespace parley::client {

// The cap is low (8 s, so a wait is 4 to 8 s after jitter): after a long outage a person
// looking at the page should not wait half a minute for the next try (issue 8, widget defect 3).
// Coming back to the tab or the network coming back reconnects at once (Connection::retry_now,
// set_network).
struct BackoffPolicy {
  double first_ms = 500;
  double max_ms = 8000;
};

// Delay before reconnect attempt number `attempt` (0 = the first retry after a drop):
// exponential (first * 2^attempt, capped at max) with "equal jitter": half fixed, half random,
// so a relay restart does not get every client back in the same millisecond.
// `random01` is uniform in [0, 1).
inline double backoff_delay_ms(int attempt, double random01, const BackoffPolicy& p = {}) {
  const double exp = p.first_ms * std::pow(2.0, std::clamp(attempt, 0, 30));
  const double cap = std::min(p.max_ms, exp);
  return cap / 2 + cap / 2 * std::clamp(random01, 0.0, 1.0);
}

}  // namespace parley::client
