// The built-in assistant's rules (parley/assistant_rules.hpp).
#include "parley/assistant_rules.hpp"

#include <algorithm>

#include "parley/text.hpp"

namespace parley {
namespace {

// ---- Hand-off summary ---------------------------------------------------------------------

constexpr std::size_t kSummaryMessages = 3;        // the customer's last messages
constexpr std::size_t kSummaryMessageChars = 120;  // code points per message

// `text` on one line: runs of ASCII whitespace become one space; trimmed.
std::string one_line(std::string_view text) {
  std::string out;
  bool pending_space = false;
  for (const char c : trim(text)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      pending_space = true;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string shortened(std::string_view text) {
  const std::string line = one_line(text);
  const std::string_view kept = truncate_code_points(line, kSummaryMessageChars);
  if (kept.size() == line.size()) return line;
  return std::string(trim(kept)) + "\u2026";
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// The reason code of a hand-off as a sentence ("" for none).
std::string handoff_reason_sentence(std::string_view reason) {
  if (reason.empty()) return {};
  if (reason == "customer_asked") return "The customer asked for a person.";
  if (reason == "assistant_gave_up") return "The assistant could not answer.";
  if (reason == "staff_took_over") return "Staff took over from the assistant.";
  if (reason == "mirror_handoff") return "The external assistant handed over.";
  if (reason == "no_assistant") return "No assistant: queued for the team.";
  if (reason == "emergency") return "Possible emergency: the customer needs a person now.";
  if (reason == "billing_dispute") return "A billing dispute.";
  if (reason == "complaint") return "A complaint.";
  if (reason == "call_back") return "The customer asked to be called.";
  if (reason == "named_team") return "The customer asked for a team.";
  if (reason == "accepted_offer") return "The customer accepted the offer of a person.";
  if (reason == "tenant_phrase") return "A topic the tenant sends to people.";
  std::string words = one_line(reason);
  std::replace(words.begin(), words.end(), '_', ' ');
  return "Handed off (" + words + ").";
}

}  // namespace

std::string handoff_summary(const std::vector<std::string>& customer_messages,
                            const std::vector<std::string>& tried_titles, std::string_view reason) {
  std::vector<std::string> asked;
  const std::size_t first =
      customer_messages.size() > kSummaryMessages ? customer_messages.size() - kSummaryMessages : 0;
  for (std::size_t i = first; i < customer_messages.size(); ++i)
    asked.push_back(shortened(customer_messages[i]));
  std::vector<std::string> tried;
  for (const std::string& title : tried_titles) tried.push_back(one_line(title));

  // Sentences for a person reading the card, one per line: why, what they wrote, what was tried.
  std::vector<std::string> sections;
  sections.push_back(handoff_reason_sentence(reason));
  for (std::string& a : asked) a = "\u201c" + a + "\u201d";
  if (const std::string s = joined(asked, ", "); !s.empty()) sections.push_back("They wrote: " + s + ".");
  if (const std::string s = joined(tried, ", "); !s.empty())
    sections.push_back("The assistant suggested: " + s + ".");
  return joined(sections, "\n");
}

}  // namespace parley
