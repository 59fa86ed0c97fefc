// parley/assistant_rules.hpp: hand-off summaries (the decision: test_handoff_rules.cpp; search: test_kb_search.cpp).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parley/assistant_rules.hpp"
#include "parley/text.hpp"

using namespace parley;

TEST_CASE("handoff_summary is worded for people: why, what they wrote, what was suggested") {
  CHECK(handoff_summary({"hi", "where is my order", "I need a person"}, {"Shipping times"}, "customer_asked") ==
        "The customer asked for a person.\n"
        "They wrote: \u201chi\u201d, \u201cwhere is my order\u201d, \u201cI need a person\u201d.\n"
        "The assistant suggested: Shipping times.");
  // No log-line remnants (issue 8, inbox defect 5).
  const std::string s = handoff_summary({"refund"}, {}, "assistant_gave_up");
  CHECK(s.find(" | ") == std::string::npos);
  CHECK(s.find("Reason:") == std::string::npos);
  CHECK(s.find("assistant_gave_up") == std::string::npos);
}

TEST_CASE("handoff_summary keeps the last three messages and leaves out empty parts") {
  CHECK(handoff_summary({"one", "two", "three", "four"}, {}, "") ==
        "They wrote: \u201ctwo\u201d, \u201cthree\u201d, \u201cfour\u201d.");
  CHECK(handoff_summary({"multi\n  line"}, {}, "assistant_gave_up") ==
        "The assistant could not answer.\nThey wrote: \u201cmulti line\u201d.");
  CHECK(handoff_summary({}, {}, "some_new_reason") == "Handed off (some new reason).");
  CHECK(handoff_summary({}, {}, "").empty());
}

TEST_CASE("handoff_summary shortens long messages at a character boundary") {
  std::string long_text;
  for (int i = 0; i < 200; ++i) long_text += "\xC3\xA9";  // é, two bytes each
  const std::string summary = handoff_summary({long_text}, {}, "");
  const std::string prefix = "They wrote: \u201c";
  REQUIRE(summary.rfind(prefix, 0) == 0);
  const std::string suffix = "\u201d.";
  REQUIRE(summary.size() > prefix.size() + suffix.size());
  CHECK(summary.substr(summary.size() - suffix.size()) == suffix);
  const std::string shortened = summary.substr(prefix.size(), summary.size() - prefix.size() - suffix.size());
  CHECK(is_valid_utf8(shortened));
  CHECK(count_code_points(shortened) == 121);  // 120 kept + the ellipsis
  CHECK(shortened.substr(shortened.size() - 3) == "\xE2\x80\xA6");
}
