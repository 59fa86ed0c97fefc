// survey_model.hpp: the widget's satisfaction survey (pure C++; tested natively).
//
// After the visitor's conversation ended (resolved by staff, or ended by the visitor; not when it
// was abandoned in the queue) the widget asks the tenant's question with five stars and an
// optional comment (a DOM field). The rules of when it is due are shared/'s (parley/csat.hpp
// csat_due on the store's conversation summary); this model adds what only the widget knows: the
// star chosen, a rating in flight, the relay's answer, and "thanks" once it was stored. Staff
// sending the survey again (chat.csat_requested) makes it due again: the store's summary takes
// the request's time (parley/sync_store), and the widget calls ask_again().
#pragma once

#include <optional>
#include <string>

#include "parley/model.hpp"
#include "parley/protocol.hpp"

namespace parley::widget {

class SurveyModel {
 public:
  enum class Stage { hidden, asking, sending, thanks };
  // What to show for the visitor's current conversation `c` (nullptr: none).
  Stage stage(const Conversation* c) const;
  // A star was chosen (1..5; other values are ignored).
  void choose(int rating);
  int chosen() const { return chosen_; }
  // The rating to send for `c`, or nullopt (nothing chosen, or not due). Marks it in flight.
  std::optional<Rate> submit(const Conversation& c, std::string comment);
  // The relay stored the rating of `conversation_id` / refused it.
  void stored(const std::string& conversation_id);
  // Staff sent the survey again, or the conversation reopened: a stored rating no longer ends it.
  void ask_again(const std::string& conversation_id);
  void refused(const std::string& conversation_id, const std::string& message);
  const std::string& error() const { return error_; }
  // Another conversation: forget the choice.
  void reset();
  Json snapshot(const Conversation* c) const;

 private:
  int chosen_ = 0;
  std::string sending_for_;  // conversation id of the rating in flight ("" = none)
  std::string stored_for_;   // conversation id whose rating was stored on this page
  std::string error_;
};

}  // namespace parley::widget
