// relay/src/core/metrics.hpp: process-wide counters for /metrics (Prometheus text format 0.0.4).
// Counters are relaxed atomics: any thread may bump them; render() reads a consistent-enough view.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace parley::relay {

struct Metrics {
  std::atomic<std::int64_t> ws_connections{0};        // gauge: open WebSocket connections
  std::atomic<std::uint64_t> ws_connections_total{0};
  std::atomic<std::uint64_t> ws_frames_in{0};
  std::atomic<std::uint64_t> ws_frames_out{0};
  std::atomic<std::uint64_t> ws_slow_closed{0};       // closed because their send queue overflowed
  std::atomic<std::uint64_t> ws_budget_pauses{0};     // times reads paused: all queues over the send budget
  std::atomic<std::uint64_t> ws_protocol_closed{0};   // closed with 1007/1008/1009
  std::atomic<std::uint64_t> http_requests{0};
  std::atomic<std::uint64_t> messages_in{0};          // chat messages stored from clients/bridges
  std::atomic<std::uint64_t> messages_out{0};         // message events delivered to sockets
  std::atomic<std::uint64_t> command_errors{0};
  std::atomic<std::uint64_t> store_busy_refusals{0};  // writes refused because the database was busy

  // Latency from a command's arrival to its ack (includes the durable commit), in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                                      0.05,   0.1,   0.25,  0.5,   1.0,  2.5};
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> latency_hist{};
  std::atomic<std::uint64_t> latency_count{0};
  std::atomic<std::uint64_t> latency_sum_us{0};

  void observe_latency_us(std::uint64_t us);

  // Renders every counter, plus `extra` (pre-rendered lines, e.g. the store's batch histogram).
  std::string render(const std::string& extra = {}) const;
};

Metrics& metrics();

}  // namespace parley::relay
