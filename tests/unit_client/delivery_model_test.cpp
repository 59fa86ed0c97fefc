// client/inbox/delivery_model.hpp: the inbox's words and ticks for chat.delivery (issue 11).
#include <doctest/doctest.h>

#include "inbox/delivery_model.hpp"

using namespace parley;
using namespace parley::inbox;

TEST_CASE("delivery model: failures and unknown outcomes are said, with the reason; fine states are not") {
  CHECK(delivery_line(Json{{"state", "failed"}, {"channel", "whatsapp"}, {"reason", "undeliverable: not on WhatsApp"}}) ==
        "Not delivered on WhatsApp: undeliverable: not on WhatsApp");
  CHECK(delivery_line(Json{{"state", "failed"}, {"channel", "whatsapp"}, {"reason", "Re-engagement"},
                           {"template_needed", true}}) ==
        "Not delivered on WhatsApp: Re-engagement (send an approved template instead)");
  CHECK(delivery_line(Json{{"state", "unknown"}, {"channel", "whatsapp"}, {"reason", ""}}) ==
        "May not have reached the customer on WhatsApp");
  for (const char* s : {"pending", "sent", "delivered", "read", "played", "bogus"}) {
    CHECK(delivery_line(Json{{"state", s}, {"channel", "whatsapp"}}).empty());
  }
  CHECK(delivery_line(Json::array()).empty());  // never throws on a malformed event
}

TEST_CASE("delivery model: ticks") {
  CHECK(delivery_ticks("pending").empty());
  CHECK(delivery_ticks("sent") == "\xE2\x9C\x93");
  CHECK(delivery_ticks("delivered") == "\xE2\x9C\x93\xE2\x9C\x93");
  CHECK(delivery_ticks("read") == "\xE2\x9C\x93\xE2\x9C\x93 read");
  CHECK(delivery_ticks("failed") == "!");
  CHECK(delivery_ticks("unknown") == "?");
}

TEST_CASE("delivery model: words for the screen reader") {
  CHECK(delivery_words("pending").empty());
  CHECK(delivery_words("sent") == "Sent");
  CHECK(delivery_words("delivered") == "Delivered");
  CHECK(delivery_words("read") == "Read");
  CHECK(delivery_words("played") == "Read");
  CHECK(delivery_words("failed") == "Not delivered");
  CHECK(delivery_words("unknown") == "May not have arrived");
  CHECK(delivery_words("bogus").empty());
}
