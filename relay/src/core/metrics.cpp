#include "core/metrics.hpp"

#include <sstream>

namespace parley::relay {

Metrics& metrics() {
  static Metrics m;
  return m;
}

void Metrics::observe_latency_us(std::uint64_t us) {
  const double s = static_cast<double>(us) / 1e6;
  std::size_t i = 0;
  while (i < kBuckets.size() && s > kBuckets[i]) ++i;
  latency_hist[i].fetch_add(1, std::memory_order_relaxed);
  latency_count.fetch_add(1, std::memory_order_relaxed);
  latency_sum_us.fetch_add(us, std::memory_order_relaxed);
}

std::string Metrics::render(const std::string& extra) const {
  std::ostringstream o;
  auto counter = [&](const char* name, const char* help, const char* type, auto value) {
    o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
      << name << ' ' << value << '\n';
  };
  const auto r = std::memory_order_relaxed;
  counter("parley_ws_connections", "Open WebSocket connections.", "gauge", ws_connections.load(r));
  counter("parley_ws_connections_total", "WebSocket connections accepted.", "counter", ws_connections_total.load(r));
  counter("parley_ws_frames_in_total", "WebSocket frames received.", "counter", ws_frames_in.load(r));
  counter("parley_ws_frames_out_total", "WebSocket frames sent.", "counter", ws_frames_out.load(r));
  counter("parley_ws_slow_closed_total", "Connections closed because their send queue overflowed.", "counter",
          ws_slow_closed.load(r));
  counter("parley_ws_budget_pauses_total",
          "Times the relay stopped reading WebSockets because all send queues together exceeded the budget.",
          "counter", ws_budget_pauses.load(r));
  counter("parley_ws_protocol_closed_total", "Connections closed for a protocol violation.", "counter",
          ws_protocol_closed.load(r));
  counter("parley_http_requests_total", "HTTP requests served.", "counter", http_requests.load(r));
  counter("parley_messages_in_total", "Chat messages stored.", "counter", messages_in.load(r));
  counter("parley_messages_out_total", "Chat message events delivered to sockets.", "counter", messages_out.load(r));
  counter("parley_command_errors_total", "Commands answered with an error frame.", "counter", command_errors.load(r));
  counter("parley_store_busy_refusals_total", "Writes refused because another process held the database.", "counter",
          store_busy_refusals.load(r));

  o << "# HELP parley_command_latency_seconds Command arrival to acknowledgement (includes the durable commit).\n"
    << "# TYPE parley_command_latency_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_hist[i].load(r);
    o << "parley_command_latency_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << cumulative << '\n';
  }
  cumulative += latency_hist[kBuckets.size()].load(r);
  o << "parley_command_latency_seconds_bucket{le=\"+Inf\"} " << cumulative << '\n'
    << "parley_command_latency_seconds_sum " << static_cast<double>(latency_sum_us.load(r)) / 1e6 << '\n'
    << "parley_command_latency_seconds_count " << latency_count.load(r) << '\n';
  o << extra;
  return o.str();
}

}  // namespace parley::relay
