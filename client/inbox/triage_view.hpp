// triage_view.hpp: priority and issue type of the open conversation, changed from the inbox's
// details panel (issue 9): two radio groups of chips (click one; or Tab to the group, arrows
// choose). Hidden for resolved conversations. Reads the model, returns intents.
#pragma once

#include <optional>
#include <string>

#include "imgui.h"
#include "inbox/inbox_model.hpp"

namespace parley::inbox {

struct TriageIntents {
  std::optional<Priority> priority;
  std::string issue_type;
};

// Draws at (x, y) within `width`; returns the height used.
float draw_triage(const InboxModel& model, float x, float y, float width, float s, TriageIntents& out);

}  // namespace parley::inbox
