// client/inbox/supervise_model.hpp: the conversations view's query and answers, the dashboard.
#include <doctest/doctest.h>

#include "inbox/supervise_model.hpp"

using parley::Json;
using parley::inbox::SuperviseModel;

TEST_CASE("supervise: the search URL encodes the words and the status; older answers are ignored") {
  SuperviseModel m;
  m.set_query("zeppelin & co/\"x\"");
  m.set_status_filter("resolved");
  const std::string url = m.begin_search();
  CHECK(url == "/api/live-chat/conversations?limit=50&q=zeppelin%20%26%20co%2F%22x%22&status=resolved");
  const std::uint64_t first = m.search_number();
  m.begin_search();
  m.search_answered(first, true, R"({"conversations":[{"id":"c_old"}],"total":1})");
  CHECK(m.searching());
  CHECK(m.hits().empty());
  m.search_answered(m.search_number(), true,
                    R"({"conversations":[{"id":"c_1","status":"resolved","contact":{"name":"Zed"},
                       "csat":{"rating":4},"match":{"seq":3,"snippet":"the [zeppelin] ticket"}}],"total":7})");
  CHECK_FALSE(m.searching());
  REQUIRE(m.hits().size() == 1);
  CHECK(m.hits()[0].id == "c_1");
  CHECK(m.hits()[0].contact_name == "Zed");
  CHECK(m.hits()[0].match_seq == 3);
  CHECK(m.hits()[0].csat_rating == 4);
  CHECK(m.total() == 7);
}

TEST_CASE("supervise: a failed search says why and keeps no stale hits; the dashboard takes valid figures only") {
  SuperviseModel m;
  m.search_answered(m.search_number(), false, R"({"code":"bad_field","message":"q is too long"})");
  CHECK(m.error() == "q is too long");
  m.search_answered(m.search_number(), true, "not json");
  CHECK(m.error() == "The search failed; try again.");
  CHECK(m.hits().empty());
  m.set_dashboard(Json::array());
  CHECK_FALSE(m.dashboard().has_value());
  m.set_dashboard(Json{{"waiting", 2}, {"csat", {{"average", 4.5}, {"count", 2}}}});
  REQUIRE(m.dashboard().has_value());
  CHECK(m.dashboard()->waiting == 2);
  CHECK(m.dashboard()->csat_count == 2);
  CHECK(m.dashboard_updates() == 1);
}

TEST_CASE("supervise: a capped count is said as a lower bound, in words") {
  SuperviseModel m;
  m.set_query("the");
  m.begin_search();
  m.search_answered(m.search_number(), true, R"({"conversations":[{"id":"c_1"}],"total":1})");
  CHECK_FALSE(m.total_capped());
  CHECK(m.total_words() == "1 conversation");
  m.begin_search();
  m.search_answered(m.search_number(), true, R"({"conversations":[{"id":"c_1"}],"total":1000,"total_capped":true})");
  CHECK(m.total_capped());
  CHECK(m.total_words().rfind("1000+ conversations", 0) == 0);
  CHECK(m.snapshot()["total_capped"] == true);
  m.begin_search();
  m.search_answered(m.search_number(), false, R"({"message":"no"})");
  CHECK_FALSE(m.total_capped());
}
