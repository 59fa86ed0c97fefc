// status_model.hpp: the agent's own status in the inbox's top bar (issue 9, "People and presence").
//
// Pure (no GL, no browser; tested natively in tests/unit_client). Fed by the relay's agent.status
// notices ({"status","chosen"}: what routing sees, and the agent's choice); the view's selector
// calls choose(), whose command the inbox model sends (agent.set_status). Until the relay
// confirms, the choice shows as pending; an error puts back what the relay said last.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "parley/protocol.hpp"
#include "parley/routing.hpp"

namespace parley::inbox {

class AgentStatusModel {
 public:
  // An agent.status notice.
  void on_notice(const Json& data);
  // The agent picks `s`: the command to send, or nullopt when it is already their choice.
  std::optional<SetAgentStatus> choose(AgentStatus s);
  // agent.set_status was refused: the relay's last word stands.
  void on_error() { pending_.reset(); }

  bool known() const { return known_; }
  // What the selector shows as selected: the pending choice, else the relay's.
  AgentStatus selected() const { return pending_ ? *pending_ : chosen_; }
  AgentStatus status() const { return status_; }  // what routing sees
  AgentStatus chosen() const { return chosen_; }
  bool pending() const { return pending_.has_value(); }
  // Auto-away: the agent chose online but has been idle.
  bool auto_away() const { return chosen_ == AgentStatus::online && status_ == AgentStatus::away; }
  // "Online", "Away", "Offline".
  static std::string_view label(AgentStatus s);
  // One line for the screen reader and the tooltip: "Status: Away (no activity: any action makes
  // you online again)".
  std::string describe() const;
  Json snapshot() const;

 private:
  bool known_ = false;
  AgentStatus status_ = AgentStatus::offline;
  AgentStatus chosen_ = AgentStatus::online;
  std::optional<AgentStatus> pending_;
};

}  // namespace parley::inbox
