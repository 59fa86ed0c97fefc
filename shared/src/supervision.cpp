// parley/supervision.hpp.
#include "parley/supervision.hpp"

namespace parley {

bool over_wait_threshold(Millis waiting_since, Millis now, Millis threshold_ms) {
  if (waiting_since <= 0 || threshold_ms <= 0) return false;
  return now - waiting_since > threshold_ms;
}

std::string with_wait_threshold(std::string frame, std::int64_t seconds) {
  static constexpr std::string_view kData = "\"data\":{";
  if (seconds <= 0) return frame;
  const std::size_t at = frame.find(kData);
  if (at == std::string::npos) return frame;
  const std::size_t body = at + kData.size();
  const bool empty = body < frame.size() && frame[body] == '}';
  frame.insert(body, "\"wait_threshold_s\":" + std::to_string(seconds) + (empty ? "" : ","));
  return frame;
}

std::int64_t snapshot_wait_threshold_s(const Json& data) {
  if (!data.is_object()) return 0;
  const auto it = data.find("wait_threshold_s");
  if (it == data.end() || !it->is_number_integer()) return 0;
  const std::int64_t v = it->get<std::int64_t>();
  return v > 0 ? v : 0;
}

bool is_lead(std::string_view role) { return role == "admin" || role == "supervisor"; }

ViewMode view_mode(std::string_view role, const Conversation& c, std::string_view user_id) {
  if (c.status == Status::active && !user_id.empty() && c.assignee_id == user_id) return ViewMode::own;
  if (is_lead(role) && c.status != Status::resolved) return ViewMode::listen_in;
  return ViewMode::read_only;
}

std::string_view to_string(ViewMode m) {
  switch (m) {
    case ViewMode::own:
      return "own";
    case ViewMode::listen_in:
      return "listen_in";
    case ViewMode::read_only:
      return "read_only";
  }
  return "read_only";
}

bool can_reassign(std::string_view role, const Conversation& c) {
  return is_lead(role) && (c.status == Status::pending || c.status == Status::active);
}

}  // namespace parley
