// parley/assistant_rules.hpp: knowledge-base articles and the hand-off summary of the built-in
// assistant (its decision: parley/handoff_rules.hpp; its search: parley/kb_search.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

struct KbArticle {
  std::string id;
  std::string title;
  std::string body;
  std::vector<std::string> keywords;  // lower-case
  std::string language;               // ISO 639-1 ("en"), "" = any
  // Issue 10, knowledge-base management (schema v15; parley/kb_admin.hpp validates them):
  std::string category;                // free text for grouping, "" = none
  bool active = true;                  // inactive articles are kept but never answered with or shared
  std::int64_t updated_at = 0;         // unix ms of the last change (0: never recorded)
  std::int64_t usage_count = 0;        // answers and shares that used the article
};

// Short staff-only summary written at hand-off, in sentences for people, one per line: why
// (the reason code in words), what the customer wrote (their last three messages, shortened, in
// quotes) and what the assistant suggested (article titles). Empty parts are left out; "" when
// there is nothing to say.
std::string handoff_summary(const std::vector<std::string>& customer_messages,
                            const std::vector<std::string>& tried_titles, std::string_view reason);

}  // namespace parley
