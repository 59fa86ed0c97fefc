// client/inbox/delivery_model.hpp: what the inbox says about a chat.delivery event (issue 11,
// docs/protocol.md "Delivery states"): how far a message to a WhatsApp customer got. Pure.
//
// The timeline shows the states an agent must act on as a system line under the message (failed
// with the provider's reason and whether only a template can go; unknown: it may not have
// arrived), and every staff message to the customer carries its furthest state: ticks drawn
// beside the bubble (delivery_ticks) and words for the screen reader (delivery_words).
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
// The same for the screen reader: "Sent", "Delivered", "Read", "Not delivered", "May not have
// arrived"; "" pending or an unknown name.
std::string_view delivery_words(std::string_view state);

}  // namespace parley::inbox
