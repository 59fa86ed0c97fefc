// relay/src/domain/store_stats.hpp: the write counters every store implementation reports
// (DataStore::stats(); /metrics renders them with render_store_metrics in store/store.hpp).
// A plain value, copied out under the store's lock.
#pragma once

#include <cstdint>
#include <string>

namespace parley::relay {

struct StoreStats {
  std::uint64_t commits = 0;
  std::uint64_t ops = 0;
  std::uint64_t failed_ops = 0;
  // Batch-size histogram buckets: <=1, <=4, <=16, <=64, <=256, <=1024, more.
  std::uint64_t batch_hist[7] = {};
  bool failed = false;  // the store refuses writes (a COMMIT failed)
};

// Prometheus text lines for the store: parley_store_commits_total, parley_store_ops_total,
// parley_store_failed_ops_total, the parley_store_batch_size histogram (le 1, 4, 16, 64, 256,
// 1024, +Inf) and the parley_store_failed gauge (0/1). Meant for Metrics::render(extra).
std::string render_store_metrics(const StoreStats& stats);

}  // namespace parley::relay
