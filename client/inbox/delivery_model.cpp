// What the inbox says about a delivery state (delivery_model.hpp).
#include "inbox/delivery_model.hpp"

#include "common/json_read.hpp"

namespace parley::inbox {

std::string delivery_line(const Json& data) {
  const std::string state = client::string_member(data, "state");
  const std::string reason = client::string_member(data, "reason");
  std::string channel = client::string_member(data, "channel");
  if (channel == "whatsapp" || channel.empty()) channel = "WhatsApp";
  const bool template_needed = client::bool_member(data, "template_needed", false);
  if (state == "failed") {
    std::string s = "Not delivered on " + channel;
    if (!reason.empty()) s += ": " + reason;
    if (template_needed && reason.find("template") == std::string::npos) s += " (send an approved template instead)";
    return s;
  }
  if (state == "unknown") {
    return "May not have reached the customer on " + channel + (reason.empty() ? std::string() : ": " + reason);
  }
  return {};
}

std::string_view delivery_ticks(std::string_view state) {
  if (state == "sent") return "\xE2\x9C\x93";
  if (state == "delivered") return "\xE2\x9C\x93\xE2\x9C\x93";
  if (state == "read" || state == "played") return "\xE2\x9C\x93\xE2\x9C\x93 read";
  if (state == "failed") return "!";
  if (state == "unknown") return "?";
  return "";
}

std::string_view delivery_words(std::string_view state) {
  if (state == "sent") return "Sent";
  if (state == "delivered") return "Delivered";
  if (state == "read" || state == "played") return "Read";
  if (state == "failed") return "Not delivered";
  if (state == "unknown") return "May not have arrived";
  return "";
}

}  // namespace parley::inbox
