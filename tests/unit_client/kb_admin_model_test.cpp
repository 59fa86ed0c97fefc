// client/inbox/kb_admin_model.hpp: the Knowledge base screen's requests, validation and answers.
#include <doctest/doctest.h>

#include "inbox/kb_admin_model.hpp"
#include "parley/model.hpp"

using parley::Json;
using parley::inbox::KbAdminModel;

namespace {
KbAdminModel::Request only(KbAdminModel& m) {
  auto rs = m.take_requests();
  REQUIRE(rs.size() == 1);
  return rs[0];
}
const char* kList = R"({"articles":[
  {"id":"kb_refunds","title":"Refunds","category":"Billing","keywords":["refund"],"language":"","active":true,"updated_at":5,"usage_count":3},
  {"id":"kb_old","title":"Old policy","category":"","keywords":[],"language":"en","active":false,"updated_at":4,"usage_count":0}],"total":2})";
const char* kArticle = R"({"id":"kb_refunds","title":"Refunds","body":"Within 5 days.","category":"Billing",
  "keywords":["refund","money back"],"language":"","active":true,"updated_at":5,"usage_count":3})";
}  // namespace

TEST_CASE("kb admin: the list loads; a search replaces it with hits; an old search's answer is dropped") {
  KbAdminModel m;
  m.set_can_edit(true);
  m.opened();
  auto list = only(m);
  CHECK(list.url == "/api/v1/kb/articles");
  CHECK(m.loading());
  m.answered(list, 200, kList);
  CHECK_FALSE(m.loading());
  REQUIRE(m.rows().size() == 2);
  CHECK(m.rows()[0].usage_count == 3);
  CHECK_FALSE(m.rows()[1].active);
  CHECK(KbAdminModel::uses_text(3) == "3 uses");
  CHECK(KbAdminModel::uses_text(1) == "1 use");
  CHECK(KbAdminModel::uses_text(0) == "unused");

  m.set_query("money b");
  const auto first = only(m);
  CHECK(first.url == "/api/v1/kb/search?q=money%20b&include_inactive=1&limit=20");
  m.set_query("money back");
  const auto second = only(m);
  m.answered(second, 200, R"({"results":[{"id":"kb_refunds","title":"Refunds","passage":"**money** **back**","active":true}]})");
  m.answered(first, 200, R"({"results":[{"id":"kb_old","title":"Old policy"}]})");  // late: ignored
  REQUIRE(m.rows().size() == 1);
  CHECK(m.rows()[0].id == "kb_refunds");
  CHECK(m.rows()[0].passage == "**money** **back**");
  m.set_query("  ");
  CHECK(m.take_requests().empty());
  CHECK(m.rows().size() == 2);  // the whole list again
}

TEST_CASE("kb admin: open, edit, save only what changed; problems named before anything is sent") {
  KbAdminModel m;
  m.set_can_edit(true);
  m.select("kb_refunds");
  auto open = only(m);
  CHECK(open.url == "/api/v1/kb/articles/kb_refunds");
  CHECK_FALSE(m.draft_loaded());
  CHECK_FALSE(m.save());  // not loaded yet
  m.answered(open, 200, kArticle);
  REQUIRE(m.draft_loaded());
  CHECK(m.draft().keywords == "refund, money back");
  CHECK_FALSE(m.dirty());
  CHECK_FALSE(m.save());
  CHECK(m.problem() == "Nothing to save: nothing changed.");

  m.draft().title = "  ";
  CHECK_FALSE(m.save());
  CHECK(m.problem_field() == "title");
  CHECK(m.problem() == "Title: must not be empty");
  m.draft().title = "Refunds and returns";
  m.draft().language = "English";
  CHECK_FALSE(m.save());
  CHECK(m.problem_field() == "language");
  m.draft().language = "en";
  m.draft().active = false;
  REQUIRE(m.save());
  CHECK(m.problem().empty());
  auto save = only(m);
  CHECK(save.method == "PATCH");
  CHECK(save.url == "/api/v1/kb/articles/kb_refunds");
  CHECK(Json::parse(save.body) == Json{{"title", "Refunds and returns"}, {"language", "en"}, {"active", false}});
  m.answered(save, 200, R"({"id":"kb_refunds","title":"Refunds and returns","body":"Within 5 days.","category":"Billing",
    "keywords":["refund","money back"],"language":"en","active":false})");
  CHECK(m.notice() == "Saved.");
  CHECK_FALSE(m.dirty());
  CHECK(only(m).url == "/api/v1/kb/articles");  // the list is loaded again

  // The relay's refusal is shown in its words, with its field.
  m.draft().body = "changed";
  REQUIRE(m.save());
  m.answered(only(m), 400, R"({"error":{"code":"bad_field","message":"body: must not hold control characters","field":"body"}})");
  CHECK(m.problem() == "Body: must not hold control characters");
  CHECK(m.problem_field() == "body");
}

TEST_CASE("kb admin: a new article; delete asks first; supervisors only read") {
  KbAdminModel m;
  m.set_can_edit(true);
  m.new_article();
  CHECK(m.is_new());
  m.draft().title = "Opening hours";
  m.draft().body = "Nine to five.";
  m.draft().keywords = "Hours, OPEN, hours,";
  REQUIRE(m.save());
  auto made = only(m);
  CHECK(made.method == "POST");
  const Json body = Json::parse(made.body);
  CHECK(body["keywords"] == Json{"hours", "open"});
  CHECK(body["active"] == true);
  m.answered(made, 201, R"({"id":"kb_1a","title":"Opening hours","body":"Nine to five.","keywords":["hours","open"],"active":true})");
  CHECK(m.selected() == "kb_1a");
  CHECK_FALSE(m.is_new());
  m.take_requests();

  m.confirm_delete();  // not asked: nothing
  CHECK(m.take_requests().empty());
  m.ask_delete();
  CHECK(m.confirming_delete());
  m.cancel_delete();
  CHECK_FALSE(m.confirming_delete());
  CHECK(m.take_requests().empty());
  m.ask_delete();
  m.confirm_delete();
  auto del = only(m);
  CHECK(del.method == "DELETE");
  CHECK(del.url == "/api/v1/kb/articles/kb_1a");
  m.answered(del, 200, R"({"id":"kb_1a","deleted":true})");
  CHECK_FALSE(m.editing());
  CHECK(m.notice() == "Deleted.");

  KbAdminModel sup;
  sup.set_can_edit(false);
  sup.new_article();
  CHECK_FALSE(sup.editing());
  sup.select("kb_refunds");
  sup.answered(only(sup), 200, kArticle);
  sup.draft().title = "x";
  CHECK_FALSE(sup.save());
  sup.ask_delete();
  CHECK_FALSE(sup.confirming_delete());
  CHECK(sup.take_requests().empty());
}
