// status_view.hpp: the agent's status selector in the inbox's top bar (issue 9). Browser only.
//
// Wide layout: a segmented radio group "Online | Away | Offline" (mouse: click a segment;
// keyboard and screen readers: the accessibility mirror's radiogroup "Your status", arrows select,
// Enter/Space activate). Narrow layout: one button showing the status that moves to the next one
// when pressed (the mirror names it "Your status: Online. Press to change"). Reads the model's
// AgentStatusModel; a pick comes back in `picked` and the caller sends it (InboxModel::choose_status).
#pragma once

#include <optional>

#include "imgui.h"
#include "inbox/inbox_model.hpp"

namespace parley::inbox {

// Draws the selector ending at `right` (screen px) in a bar of height `bar_h`; returns its left
// edge. `s` is the UI scale.
float draw_status_selector(const InboxModel& model, ImDrawList* dl, float right, float bar_h, float s,
                           bool narrow, std::optional<AgentStatus>& picked);

}  // namespace parley::inbox
