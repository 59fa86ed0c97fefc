// parley/offline.hpp: the offline path's rules (issue 9), shared by the relay and the widget.
//
// When no agent is online or the tenant is closed (parley/hours.hpp), the widget says so and
// offers a form: an email address and a message. The conversation then waits in the queue
// without being abandoned when the customer leaves, and staff answers go to the address by
// email while the customer is not connected. Pure: who is online and the time are passed in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "parley/model.hpp"
#include "parley/protocol.hpp"
#include "parley/result.hpp"

namespace parley {

// Whether people can answer now (hello's ack "availability", GET /api/config "availability"):
//   {"available": bool, "agents_online": bool, "open": bool, "next_open_at": ms|null,
//    "offline_message": "..."}
struct Availability {
  bool agents_online = true;
  bool open = true;
  std::optional<Millis> next_open_at;  // when closed and it opens again
  std::string offline_message;
  bool available() const { return agents_online && open; }
  bool operator==(const Availability&) const = default;
};
Json to_json(const Availability&);
// Missing members keep their defaults (an older relay: available).
Result<Availability> decode_availability(const Json& j);

// The message the widget shows when nobody is available and the tenant set none.
inline constexpr std::string_view kDefaultOfflineMessage =
    "Nobody is available right now. Leave your email and a message and we will answer by email.";
// The tenant's offline message, or the default when it is empty.
std::string offline_message_or_default(const std::string& tenant_message);

// A conservative check of an address a customer typed: one '@', a non-empty local part, a domain
// with a dot inside, at most 254 bytes, no spaces, controls, quotes, angle brackets, commas or
// semicolons (nothing that could break an SMTP command or a header).
bool valid_email(std::string_view address);

// The offline form. Errors: missing_field / bad_field "email", missing_field / text_too_long "text".
struct OfflineForm {
  std::string email;
  std::string text;
};
std::optional<Error> check_offline_form(const OfflineForm& form, const Limits& limits = {});

// The abandon rule (customer gone while waiting) applies to a pending web conversation unless
// its customer left a message for an email answer.
bool abandon_applies(const Conversation& c, bool has_offline_request);

// Whether a committed event is a staff answer that must go out by email: a customer-visible text
// message from an agent, in a conversation with an offline request, while the customer has no
// connection.
bool mail_staff_answer(const Event& e, bool has_offline_request, bool customer_online);

}  // namespace parley
