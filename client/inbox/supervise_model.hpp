// supervise_model.hpp: the inbox's supervision panels (issue 9), pure C++ (tested natively).
//
// Two panels over the inbox, one at a time: the live dashboard (today's figures from
// dashboard.watch's ack and the dashboard.figures notices that follow, parley/metrics.hpp) and the
// conversations view (GET /api/live-chat/conversations: filters and full-text search; a result
// opens its conversation, read-only unless it is the agent's own). The model holds what the panels
// show and builds the REST query; the browser glue fetches and feeds the answers back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "parley/metrics.hpp"
#include "parley/model.hpp"

namespace parley::inbox {

class SuperviseModel {
 public:
  enum class Panel { none, dashboard, conversations };
  Panel panel() const { return panel_; }
  void open(Panel p) { panel_ = p; }
  void close() { panel_ = Panel::none; }

  // ---- dashboard ----
  // The `dashboard` member of dashboard.watch's ack, or a dashboard.figures notice's data.
  void set_dashboard(const Json& j);
  const std::optional<Dashboard>& dashboard() const { return dashboard_; }
  std::uint64_t dashboard_updates() const { return dashboard_updates_; }

  // ---- conversations view ----
  struct Hit {
    std::string id, contact_name, status, assignee_name, snippet, preview;
    Seq match_seq = 0;
    int csat_rating = 0;
  };
  void set_query(std::string q) { query_ = std::move(q); }
  const std::string& query() const { return query_; }
  // "" (any), "active", "pending", "resolved".
  void set_status_filter(std::string s) { status_ = std::move(s); }
  const std::string& status_filter() const { return status_; }
  // The URL of the search to run now (marks it in flight; answers of older searches are ignored).
  std::string begin_search();
  std::uint64_t search_number() const { return search_no_; }
  void search_answered(std::uint64_t number, bool ok, const std::string& body);
  bool searching() const { return searching_; }
  const std::vector<Hit>& hits() const { return hits_; }
  std::int64_t total() const { return total_; }
  // Issue 9: the relay counts at most 1000 matching conversations (and reads only the newest
  // matching messages); true when the total is a lower bound.
  bool total_capped() const { return total_capped_; }
  // "1 conversation", "12 conversations", "1000+ conversations (the newest matches: add words to
  // narrow the search)".
  std::string total_words() const;
  const std::string& error() const { return error_; }
  bool searched() const { return searched_; }

  Json snapshot() const;

 private:
  Panel panel_ = Panel::none;
  std::optional<Dashboard> dashboard_;
  std::uint64_t dashboard_updates_ = 0;
  std::string query_, status_;
  std::uint64_t search_no_ = 0;
  bool searching_ = false, searched_ = false;
  std::vector<Hit> hits_;
  std::int64_t total_ = 0;
  bool total_capped_ = false;
  std::string error_;
};

// %-encodes a query parameter value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view s);

}  // namespace parley::inbox
