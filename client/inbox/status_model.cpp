// The agent's own status (status_model.hpp).
#include "inbox/status_model.hpp"

namespace parley::inbox {

void AgentStatusModel::on_notice(const Json& data) {
  if (!data.is_object()) return;
  const auto read = [&](const char* key) -> std::optional<AgentStatus> {
    auto it = data.find(key);
    if (it == data.end() || !it->is_string()) return std::nullopt;
    return parse_agent_status(it->get_ref<const std::string&>());
  };
  const std::optional<AgentStatus> status = read("status"), chosen = read("chosen");
  if (!status || !chosen) return;
  status_ = *status;
  chosen_ = *chosen;
  known_ = true;
  if (pending_ && *pending_ == chosen_) pending_.reset();
}

std::optional<SetAgentStatus> AgentStatusModel::choose(AgentStatus s) {
  if (selected() == s && !auto_away()) return std::nullopt;
  pending_ = s;
  return SetAgentStatus{s};
}

std::string_view AgentStatusModel::label(AgentStatus s) {
  switch (s) {
    case AgentStatus::online:
      return "Online";
    case AgentStatus::away:
      return "Away";
    case AgentStatus::offline:
      return "Offline";
  }
  return "Offline";
}

std::string AgentStatusModel::describe() const {
  if (!known_) return "Status: unknown";
  std::string s = "Status: " + std::string(label(pending_ ? *pending_ : status_));
  if (pending_) return s + " (saving\u2026)";
  if (auto_away()) return s + " (no activity: any action makes you online again)";
  if (status_ == AgentStatus::online) return s + " (new chats can be given to you)";
  return s + " (no new chats are given to you)";
}

Json AgentStatusModel::snapshot() const {
  if (!known_) return nullptr;
  return Json{{"status", to_string(status_)},
              {"chosen", to_string(chosen_)},
              {"selected", to_string(selected())},
              {"pending", pending()}};
}

}  // namespace parley::inbox
