// relay/src/app/live/dashboard.hpp: the live dashboard (issue 9): today's figures per tenant,
// folded from events as they commit, served on request and pushed to the staff sockets that
// watch it.
//
// Loop thread only. Owned by HubState.
//  - Figures: one parley::DayFigures per tenant (parley/metrics.hpp), fed by observe() with the
//    events of every commit (HubState::broadcast), never recomputed from history. At start-up
//    load() folds the day's stored events once (StoreReader::day_events: the same fold, so a
//    restart changes no figure). A tenant's day rolls over when an event or a request falls after
//    it (the day in the tenant's time zone, HubState::day_of).
//  - Live parts (bot, waiting, active, longest current wait, agents' status and active chats) are
//    read from the inbox index, presence and connections when a dashboard is built.
//  - Push: a socket opts in with dashboard.watch. A tick (kInterval) runs only while someone
//    watches; per watched tenant it builds the dashboard once, and when it differs from what
//    last built, encodes ONE dashboard.figures frame; each watcher that has not had that version
//    gets it (a backed-up socket, over kBackoffBytes, is skipped and catches up on a later tick
//    with the latest version only). So a
//    watcher gets at most one frame per kInterval however many events commit, other staff
//    sockets get none, and a busy tenant costs one build per tick, not one per event.
// Errors: none; a failed start-up read is returned by load() (the hub refuses to start).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/store_api.hpp"
#include "parley/metrics.hpp"

namespace parley::relay {

struct HubState;
struct ConnState;

struct DashboardCounters {
  std::uint64_t events_observed = 0;  // committed events folded (counted or not)
  std::uint64_t builds = 0;           // dashboards built (requests + ticks)
  std::uint64_t frames = 0;           // dashboard.figures frames sent, summed over sockets
  std::uint64_t frames_encoded = 0;   // distinct frames encoded
};

class LiveDashboard {
 public:
  static constexpr std::chrono::milliseconds kInterval{1000};
  static constexpr std::size_t kBackoffBytes = 256 * 1024;
  LiveDashboard(boost::asio::io_context& io, HubState& hub) : hub_(hub), tick_(io) {}

  // Folds today's stored events of each tenant. Call once from Hub::start, before serving.
  std::optional<Error> load(StoreReader& reader, const std::vector<std::string>& tenant_ids);
  // The events of one commit of a conversation of `tenant_id`.
  void observe(const std::string& tenant_id, const std::vector<Event>& events);
  // The tenant's dashboard now.
  Dashboard build(const std::string& tenant_id);
  // `conn` (staff) starts or stops watching its tenant's dashboard.
  void watch(ConnState& conn, bool on);
  void forget(const ConnState& conn);  // the socket closed
  void stop() { tick_.cancel(); }
  const DashboardCounters& counters() const { return counters_; }

 private:
  DayFigures& day(const std::string& tenant_id, Millis at);
  void arm();
  void push();

  HubState& hub_;
  std::unordered_map<std::string, DayFigures> days_;
  // The latest figures of a watched tenant, their version (moves when they change) and frame.
  struct Latest {
    Dashboard figures;
    std::uint64_t version = 0;
    std::shared_ptr<const std::string> frame;
  };
  // By tenant: watching socket -> the version it was last sent (0 = none yet).
  std::unordered_map<std::string, std::unordered_map<std::uint64_t, std::uint64_t>> watchers_;
  std::unordered_map<std::string, Latest> sent_;  // by tenant
  boost::asio::steady_timer tick_;
  bool armed_ = false;
  DashboardCounters counters_;
};

}  // namespace parley::relay
