// The satisfaction survey rules (parley/csat.hpp).
#include "parley/csat.hpp"

#include "parley/text.hpp"

namespace parley {
namespace {
bool survey_applies(const Conversation& c) {
  return c.status == Status::resolved && c.ending != Ending::abandoned && c.ending != Ending::none;
}
}  // namespace

bool csat_due(const Conversation& c) {
  if (!survey_applies(c)) return false;
  if (c.csat_rating == 0) return true;
  return c.resolved_at > c.csat_at || c.csat_requested_at > c.csat_at;
}

Result<Transition> rate(const Conversation& c, const Actor& customer, int rating, std::string_view comment,
                        Millis now) {
  if (customer.role != Role::customer || customer.id != c.contact_id) {
    return make_error(ErrorCode::forbidden, "only the conversation's customer rates it");
  }
  if (rating < kCsatMin || rating > kCsatMax) {
    return make_error(ErrorCode::bad_field, "rating must be 1..5", "rating");
  }
  const std::string_view text = trim(comment);
  if (count_code_points(text) > kCsatCommentMaxChars) {
    return make_error(ErrorCode::text_too_long, "the comment is longer than 1000 characters", "comment");
  }
  if (!csat_due(c)) {
    return make_error(ErrorCode::invalid_transition,
                      c.status != Status::resolved ? "the conversation is still open"
                      : survey_applies(c)          ? "already rated"
                                                   : "an abandoned conversation has no survey");
  }
  Transition t{c, {}};
  const int previous = c.csat_rating;
  const Millis previous_at = c.csat_at;
  t.next.csat_rating = rating;
  t.next.csat_comment = std::string(text);
  t.next.csat_at = now;
  append_event(t, ev::rated, Audience::staff, customer, now,
               Json{{"rating", rating}, {"comment", t.next.csat_comment}, {"previous_rating", previous},
                    {"previous_at", previous_at}});
  return t;
}

Result<Transition> request_csat(const Conversation& c, const Actor& staff, std::string_view question, Millis now) {
  if (staff.role != Role::agent) return make_error(ErrorCode::forbidden, "only staff send the survey");
  if (!survey_applies(c)) {
    return make_error(ErrorCode::invalid_transition, c.status != Status::resolved
                                                         ? "the survey is sent once the conversation ended"
                                                         : "an abandoned conversation has no survey");
  }
  Transition t{c, {}};
  t.next.csat_requested_at = now;
  append_event(t, ev::csat_requested, Audience::everyone, staff, now, Json{{"question", std::string(question)}});
  return t;
}

}  // namespace parley
