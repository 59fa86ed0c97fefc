// client/inbox/delivery_model.hpp: what the inbox says about a chat.delivery event (issue 11,
// docs/protocol.md "Delivery states"): how far a message to a WhatsApp customer got. Pure.
//
// Today the timeline shows the states an agent must act on as a system line under the message
// (failed with the provider's reason and whether only a template can go; unknown: it may not
// have arrived), and delivery_ticks gives the tick text for every state (for the per-message
// ticks the view is to draw next to its own messages: not drawn yet).
#pragma once

#include <string>
#include <string_view>

#include "parley/model.hpp"

namespace parley::inbox {

// The timeline line for the event's data, "" when the state needs none (pending, sent,
// delivered, read, played).
std::string delivery_line(const Json& data);
// "" pending, "✓" sent, "✓✓" delivered, "✓✓ read" read/played, "!" failed, "?" unknown.
std::string_view delivery_ticks(std::string_view state);

}  // namespace parley::inbox
