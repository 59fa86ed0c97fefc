// parley/assistant_rules.hpp: the built-in assistant's rules, shared so the relay (which runs the
// assistant) and the widget (which can offer a "talk to a person" shortcut) agree.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

// True when the customer asks for a person: "agent", "human", "talk to someone", "real person",
// "representative", "operator", "speak to a person", ... Case-insensitive, whole words, ASCII
// punctuation ignored. Plain mentions such as "travel agent" still count: asking twice is worse.
bool asks_for_person(std::string_view text);

struct KbArticle {
  std::string id;
  std::string title;
  std::string body;
  std::vector<std::string> keywords;  // lower-case
};

struct KbMatch {
  const KbArticle* article = nullptr;
  int score = 0;
};

// Best article for `question` by keyword overlap (title words and keywords weigh more than body
// words; stop words ignored). nullopt when nothing scores at least `min_score`.
std::optional<KbMatch> best_article(std::string_view question, const std::vector<KbArticle>& kb,
                                    int min_score = 2);

// Short staff-only summary written at hand-off, in sentences for people, one per line: why
// (the reason code in words), what the customer wrote (their last three messages, shortened, in
// quotes) and what the assistant suggested (article titles). Empty parts are left out; "" when
// there is nothing to say.
std::string handoff_summary(const std::vector<std::string>& customer_messages,
                            const std::vector<std::string>& tried_titles, std::string_view reason);

}  // namespace parley
