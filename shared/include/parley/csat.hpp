// parley/csat.hpp: the satisfaction survey (CSAT) rules.
//
// After a conversation ends (resolved by staff, or ended by the customer; not when it was
// abandoned in the queue) the widget shows the tenant's question with a 1..5 scale and an optional
// comment. The customer's answer (chat.rate) is stored on the conversation and announced to staff
// (chat.rated, staff audience); staff can send the survey again by hand (chat.request_csat ->
// chat.csat_requested, everyone), which lets the customer rate once more (the latest rating wins).
//
// Pure functions like parley/conversation.hpp: the conversation as it is, the actor, the time and
// the arguments in; the conversation as it becomes and its numbered events out, or a typed Error.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "parley/conversation.hpp"

namespace parley {

inline constexpr int kCsatMin = 1;
inline constexpr int kCsatMax = 5;
inline constexpr std::size_t kCsatCommentMaxChars = 1000;  // code points
inline constexpr std::string_view kDefaultCsatQuestion = "How would you rate this conversation?";

// True when the widget should show the survey for `c`: it ended (not abandoned) and has not been
// rated since it last ended or since staff last sent the survey again.
bool csat_due(const Conversation& c);

// The customer rates `c`: rating in kCsatMin..kCsatMax (else bad_field "rating"), comment at most
// kCsatCommentMaxChars code points (else text_too_long "comment"; surrounding whitespace is
// trimmed). Only the conversation's own customer (forbidden otherwise), only when csat_due()
// (invalid_transition otherwise: still open, abandoned, or already rated). Emits chat.rated
// (staff) {"rating","comment","previous_rating","previous_at"} and sets csat_rating/comment/at.
Result<Transition> rate(const Conversation& c, const Actor& customer, int rating, std::string_view comment,
                        Millis now);

// Staff send the survey again: only staff (forbidden otherwise), only a conversation that ended
// and was not abandoned (invalid_transition otherwise). Emits chat.csat_requested (everyone)
// {"question"} and sets csat_requested_at, so csat_due() becomes true again.
Result<Transition> request_csat(const Conversation& c, const Actor& staff, std::string_view question, Millis now);

}  // namespace parley
