// parley/supervision.hpp.
#include "parley/supervision.hpp"

namespace parley {

bool over_wait_threshold(Millis waiting_since, Millis now, Millis threshold_ms) {
  if (waiting_since <= 0 || threshold_ms <= 0) return false;
  return now - waiting_since > threshold_ms;
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
