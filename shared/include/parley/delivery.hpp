// parley/delivery.hpp: how far an outbound message got on its channel (issue 11), as a
// conversation event. Staff see it (ticks, the failure reason); customers do not.
//
// Event chat.delivery (audience staff), data {"seq": the message's seq, "channel": "whatsapp",
// "state": pending|unknown|sent|failed|delivered|read|played, "reason": words ("" when fine),
// "code": the provider's error code (0 = none), "template_needed": true when only a template can
// go}. docs/protocol.md "Delivery states".
#pragma once

#include <string>
#include <string_view>

#include "parley/conversation.hpp"

namespace parley {

inline constexpr std::string_view kDeliveryEvent = "chat.delivery";

struct DeliveryNote {
  Seq seq = 0;
  std::string channel;
  std::string state;
  std::string reason;
  int code = 0;
  bool template_needed = false;
};

// The event for `note` on `c` (numbered head_seq + 1). Errors: bad_field "seq" when the message
// seq is 0 or beyond the head; bad_field "state" for a state name outside the list above.
Result<Transition> delivery_changed(const Conversation& c, const DeliveryNote& note, Millis now);

}  // namespace parley
