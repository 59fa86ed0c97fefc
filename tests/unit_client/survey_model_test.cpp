// client/widget/survey_model.hpp: when the widget shows the survey, what it sends, and "thanks".
#include <doctest/doctest.h>

#include "widget/survey_model.hpp"

using namespace parley;
using parley::widget::SurveyModel;

namespace {
Conversation ended(Ending how) {
  Conversation c;
  c.id = "c_1";
  c.contact_id = "k_1";
  c.status = Status::resolved;
  c.ending = how;
  c.resolved_at = 1000;
  return c;
}
}  // namespace

TEST_CASE("survey: hidden while open, without a conversation, and after abandoning; asked after an ending") {
  SurveyModel s;
  CHECK(s.stage(nullptr) == SurveyModel::Stage::hidden);
  Conversation open = ended(Ending::none);
  open.status = Status::active;
  CHECK(s.stage(&open) == SurveyModel::Stage::hidden);
  const Conversation abandoned = ended(Ending::abandoned);
  CHECK(s.stage(&abandoned) == SurveyModel::Stage::hidden);
  const Conversation resolved = ended(Ending::resolved_by_staff);
  CHECK(s.stage(&resolved) == SurveyModel::Stage::asking);
  const Conversation by_me = ended(Ending::ended_by_customer);
  CHECK(s.stage(&by_me) == SurveyModel::Stage::asking);
}

TEST_CASE("survey: nothing is sent before a star is chosen; then one Rate, sending, thanks once stored") {
  SurveyModel s;
  const Conversation c = ended(Ending::resolved_by_staff);
  CHECK_FALSE(s.submit(c, "hi").has_value());
  s.choose(0);
  s.choose(6);
  CHECK(s.chosen() == 0);
  s.choose(4);
  const auto rate = s.submit(c, "kind people");
  REQUIRE(rate.has_value());
  CHECK(rate->conversation_id == "c_1");
  CHECK(rate->rating == 4);
  CHECK(rate->comment == "kind people");
  CHECK(s.stage(&c) == SurveyModel::Stage::sending);
  CHECK_FALSE(s.submit(c, "again").has_value());  // one in flight
  s.stored("c_1");
  CHECK(s.stage(&c) == SurveyModel::Stage::thanks);
  // Staff send it again: asked once more.
  Conversation asked = c;
  asked.csat_requested_at = 5000;
  s.ask_again("c_1");
  CHECK(s.stage(&asked) == SurveyModel::Stage::asking);
}

TEST_CASE("survey: a refusal keeps the choice and shows why; a rated conversation from the relay says thanks") {
  SurveyModel s;
  const Conversation c = ended(Ending::resolved_by_staff);
  s.choose(2);
  REQUIRE(s.submit(c, "").has_value());
  s.refused("c_1", "already rated");
  CHECK(s.error() == "already rated");
  CHECK(s.stage(&c) == SurveyModel::Stage::asking);
  CHECK(s.chosen() == 2);
  Conversation rated = c;
  rated.csat_rating = 5;
  rated.csat_at = 2000;
  SurveyModel fresh;
  CHECK(fresh.stage(&rated) == SurveyModel::Stage::thanks);
}
