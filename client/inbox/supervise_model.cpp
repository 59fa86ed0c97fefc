// The inbox's supervision panels (supervise_model.hpp).
#include "inbox/supervise_model.hpp"

#include <cstdio>

namespace parley::inbox {

void SuperviseModel::set_dashboard(const Json& j) {
  Result<Dashboard> d = decode_dashboard(j);
  if (!d) return;
  dashboard_ = std::move(d).value();
  ++dashboard_updates_;
}

std::string url_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string SuperviseModel::begin_search() {
  ++search_no_;
  searching_ = true;
  error_.clear();
  std::string url = "/api/live-chat/conversations?limit=50";
  if (!query_.empty()) url += "&q=" + url_encode(query_);
  if (!status_.empty()) url += "&status=" + url_encode(status_);
  return url;
}

void SuperviseModel::search_answered(std::uint64_t number, bool ok, const std::string& body) {
  if (number != search_no_) return;  // an older search
  searching_ = false;
  searched_ = true;
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!ok || !j.is_object() || !j.contains("conversations") || !j["conversations"].is_array()) {
    error_ = j.is_object() && j.contains("message") && j["message"].is_string() ? j["message"].get<std::string>()
                                                                                : "The search failed; try again.";
    hits_.clear();
    total_ = 0;
    total_capped_ = false;
    return;
  }
  hits_.clear();
  for (const Json& c : j["conversations"]) {
    if (!c.is_object()) continue;
    Hit h;
    h.id = c.value("id", "");
    h.status = c.value("status", "");
    if (c.contains("contact") && c["contact"].is_object()) h.contact_name = c["contact"].value("name", "");
    if (c.contains("assignee") && c["assignee"].is_object()) h.assignee_name = c["assignee"].value("name", "");
    h.preview = c.value("preview", "");
    if (c.contains("match") && c["match"].is_object()) {
      h.snippet = c["match"].value("snippet", "");
      h.match_seq = c["match"].value("seq", Seq{0});
    }
    if (c.contains("csat") && c["csat"].is_object()) h.csat_rating = c["csat"].value("rating", 0);
    if (!h.id.empty()) hits_.push_back(std::move(h));
  }
  total_ = j.value("total", static_cast<std::int64_t>(hits_.size()));
  total_capped_ = j.value("total_capped", false);
}

std::string SuperviseModel::total_words() const {
  if (total_capped_) {
    return std::to_string(total_) + "+ conversations (the newest matches: add words to narrow the search)";
  }
  return std::to_string(total_) + (total_ == 1 ? " conversation" : " conversations");
}

Json SuperviseModel::snapshot() const {
  static const char* const kPanels[] = {"none", "dashboard", "conversations"};
  Json hits = Json::array();
  for (const Hit& h : hits_) {
    hits.push_back(Json{{"id", h.id}, {"status", h.status}, {"snippet", h.snippet}, {"match_seq", h.match_seq},
                        {"csat", h.csat_rating}});
  }
  Json j{{"panel", kPanels[static_cast<int>(panel_)]},
         {"query", query_},
         {"status", status_},
         {"searching", searching_},
         {"total", total_},
         {"total_capped", total_capped_},
         {"total_words", total_words()},
         {"hits", std::move(hits)},
         {"error", error_},
         {"dashboard_updates", dashboard_updates_}};
  j["dashboard"] = dashboard_ ? to_json(*dashboard_) : Json(nullptr);
  return j;
}

}  // namespace parley::inbox
