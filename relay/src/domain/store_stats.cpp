// relay/src/domain/store_stats.cpp: StoreStats as Prometheus text (see store_stats.hpp).
#include "domain/store_stats.hpp"

#include <sstream>

namespace parley::relay {

std::string render_store_metrics(const StoreStats& s) {
  std::ostringstream o;
  o << "# HELP parley_store_commits_total Write transactions committed by the store.\n"
       "# TYPE parley_store_commits_total counter\n"
    << "parley_store_commits_total " << s.commits << "\n"
    << "# HELP parley_store_ops_total Write operations taken by the store's writer.\n"
       "# TYPE parley_store_ops_total counter\n"
    << "parley_store_ops_total " << s.ops << "\n"
    << "# HELP parley_store_failed_ops_total Write operations answered with an error.\n"
       "# TYPE parley_store_failed_ops_total counter\n"
    << "parley_store_failed_ops_total " << s.failed_ops << "\n"
    << "# HELP parley_store_batch_size Operations per write transaction (group commit).\n"
       "# TYPE parley_store_batch_size histogram\n";
  static constexpr const char* kLe[] = {"1", "4", "16", "64", "256", "1024", "+Inf"};
  std::uint64_t cumulative = 0;
  for (int i = 0; i < 7; ++i) {
    cumulative += s.batch_hist[i];
    o << "parley_store_batch_size_bucket{le=\"" << kLe[i] << "\"} " << cumulative << "\n";
  }
  o << "parley_store_batch_size_sum " << s.ops << "\n"
    << "parley_store_batch_size_count " << cumulative << "\n"
    << "# HELP parley_store_failed 1 when the store refuses writes after a failed commit.\n"
       "# TYPE parley_store_failed gauge\n"
    << "parley_store_failed " << (s.failed ? 1 : 0) << "\n";
  return o.str();
}

}  // namespace parley::relay
