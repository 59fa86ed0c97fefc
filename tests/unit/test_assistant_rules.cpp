// parley/assistant_rules.hpp: asking for a person, knowledge-base matching, hand-off summaries.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parley/assistant_rules.hpp"
#include "parley/text.hpp"

using namespace parley;

TEST_CASE("asks_for_person recognises requests for a person") {
  for (const char* text :
       {"I want to talk to a human", "AGENT", "agent!!", "Can I speak to someone?", "real person please",
        "get me a representative", "operator", "let me chat with somebody",
        "I'd like to speak with anyone, really", "my travel agent booked this"}) {
    CAPTURE(text);
    CHECK(asks_for_person(text));
  }
}

TEST_CASE("asks_for_person matches whole words only") {
  for (const char* text : {"", "How do I reset my password?", "agentless setup", "humanity",
                           "my personal account", "someone stole my card", "talk soon"}) {
    CAPTURE(text);
    CHECK_FALSE(asks_for_person(text));
  }
}

namespace {

std::vector<KbArticle> knowledge_base() {
  return {
      {"k_refund",
       "Refund policy",
       "Money is returned within 14 days of the return.",
       {"refund", "money back"}},
      {"k_password", "Reset your password", "Use the login page link.", {"password", "login", "reset"}},
      {"k_shipping",
       "Shipping times",
       "Orders ship in 2 days. A refund for late delivery is possible.",
       {"shipping", "delivery"}},
  };
}

std::string best_id(std::string_view question, const std::vector<KbArticle>& kb, int min_score = 2) {
  const std::optional<KbMatch> match = best_article(question, kb, min_score);
  return match && match->article ? match->article->id : "(none)";
}

}  // namespace

TEST_CASE("best_article picks by keyword overlap") {
  const std::vector<KbArticle> kb = knowledge_base();
  CHECK(best_id("How do I get a refund?", kb) == "k_refund");
  CHECK(best_id("I forgot my PASSWORD", kb) == "k_password");
  CHECK(best_id("when will my delivery arrive", kb) == "k_shipping");
  CHECK(best_id("refunds", kb) == "k_refund");  // plural meets singular
  CHECK(best_id("What is the weather like?", kb) == "(none)");
  CHECK(best_id("", kb) == "(none)");
  CHECK(best_id("how do I do the", kb) == "(none)");  // stop words only
}

TEST_CASE("title and keyword words outweigh body words") {
  const std::vector<KbArticle> kb = knowledge_base();
  const std::optional<KbMatch> match = best_article("refund", kb);
  REQUIRE(match.has_value());
  CHECK(match->article->id == "k_refund");  // k_shipping mentions refund in its body only
  CHECK(match->score == 2);
}

TEST_CASE("a body-only match is below the default minimum score") {
  const std::vector<KbArticle> kb = knowledge_base();
  CHECK(best_id("page link", kb) == "k_password");  // two body words: 1 + 1
  CHECK(best_id("link", kb) == "(none)");           // one body word: 1 < 2
  CHECK(best_id("link", kb, /*min_score=*/1) == "k_password");
}

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
