// The widget's satisfaction survey (survey_model.hpp).
#include "widget/survey_model.hpp"

#include "parley/csat.hpp"

namespace parley::widget {

SurveyModel::Stage SurveyModel::stage(const Conversation* c) const {
  if (!c || c->status != Status::resolved || c->ending == Ending::abandoned) return Stage::hidden;
  if (sending_for_ == c->id) return Stage::sending;
  if (stored_for_ == c->id) return Stage::thanks;
  if (csat_due(*c)) return Stage::asking;
  return c->csat_rating > 0 ? Stage::thanks : Stage::hidden;
}

void SurveyModel::ask_again(const std::string& conversation_id) {
  if (stored_for_ == conversation_id) stored_for_.clear();
}

void SurveyModel::choose(int rating) {
  if (rating < kCsatMin || rating > kCsatMax) return;
  chosen_ = rating;
  error_.clear();
}

std::optional<Rate> SurveyModel::submit(const Conversation& c, std::string comment) {
  if (chosen_ == 0 || stage(&c) != Stage::asking) return std::nullopt;
  sending_for_ = c.id;
  error_.clear();
  return Rate{c.id, chosen_, std::move(comment)};
}

void SurveyModel::stored(const std::string& conversation_id) {
  if (sending_for_ == conversation_id) sending_for_.clear();
  stored_for_ = conversation_id;
  chosen_ = 0;
}

void SurveyModel::refused(const std::string& conversation_id, const std::string& message) {
  if (sending_for_ == conversation_id) sending_for_.clear();
  error_ = message;
}

void SurveyModel::reset() {
  chosen_ = 0;
  sending_for_.clear();
  error_.clear();
}

Json SurveyModel::snapshot(const Conversation* c) const {
  static const char* const kStages[] = {"hidden", "asking", "sending", "thanks"};
  return Json{{"stage", kStages[static_cast<int>(stage(c))]}, {"chosen", chosen_}, {"error", error_}};
}

}  // namespace parley::widget
