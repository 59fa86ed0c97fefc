// The delivery-state event (parley/delivery.hpp).
#include "parley/delivery.hpp"

#include "parley/whatsapp.hpp"

namespace parley {

Result<Transition> delivery_changed(const Conversation& c, const DeliveryNote& note, Millis now) {
  if (note.seq == 0 || note.seq > c.head_seq) return make_error(ErrorCode::bad_field, "no such message", "seq");
  if (!wa::parse_delivery_state(note.state)) return make_error(ErrorCode::bad_field, "unknown delivery state", "state");
  Transition t{c, {}};
  Json data{{"seq", note.seq}, {"channel", note.channel}, {"state", note.state}, {"reason", note.reason},
            {"code", note.code}};
  if (note.template_needed) data["template_needed"] = true;
  append_event(t, kDeliveryEvent, Audience::staff, Actor{Role::system, "system", ""}, now, std::move(data));
  return t;
}

}  // namespace parley
