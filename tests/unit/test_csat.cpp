// parley/csat.hpp: when the survey is due, who may rate, bounds, and sending it again.
#include <doctest/doctest.h>

#include <string>

#include "parley/csat.hpp"
#include "test_support.hpp"

using namespace parley;
using parley::test::code_of;
using parley::test::error_of;
using parley::test::types_of;
using parley::test::value_of;

namespace {

const Actor kCustomer{Role::customer, "k_1", "Ada"};
const Actor kStranger{Role::customer, "k_2", "Eve"};
const Actor kAgent{Role::agent, "u_1", "Sam"};

Conversation ended(Ending how, Millis at = 1000) {
  Conversation c;
  c.id = "c_1";
  c.tenant_id = "t_1";
  c.contact_id = "k_1";
  c.status = Status::resolved;
  c.ending = how;
  c.resolved_at = at;
  c.head_seq = 7;
  return c;
}

}  // namespace

TEST_CASE("csat: due after staff resolve and after the customer ended, never after abandoning or while open") {
  CHECK(csat_due(ended(Ending::resolved_by_staff)));
  CHECK(csat_due(ended(Ending::ended_by_customer)));
  CHECK_FALSE(csat_due(ended(Ending::abandoned)));
  Conversation open = ended(Ending::none);
  open.status = Status::active;
  CHECK_FALSE(csat_due(open));
}

TEST_CASE("csat: a rating is stored on the conversation with a staff-only chat.rated, numbered next") {
  const Transition t = value_of(rate(ended(Ending::resolved_by_staff), kCustomer, 4, "  quick and kind  ", 2000));
  CHECK(t.next.csat_rating == 4);
  CHECK(t.next.csat_comment == "quick and kind");
  CHECK(t.next.csat_at == 2000);
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.rated"});
  REQUIRE(t.events.size() == 1);
  CHECK(t.events[0].seq == 8);
  CHECK(t.events[0].audience == Audience::staff);
  CHECK(t.events[0].data["rating"] == 4);
  CHECK(t.events[0].data["comment"] == "quick and kind");
  CHECK(t.events[0].data["previous_rating"] == 0);
  CHECK_FALSE(csat_due(t.next));
}

TEST_CASE("csat: ratings outside 1..5, long comments, strangers and open conversations are refused") {
  const Conversation c = ended(Ending::resolved_by_staff);
  CHECK(code_of(error_of(rate(c, kCustomer, 0, "", 2000))) == "bad_field");
  CHECK(error_of(rate(c, kCustomer, 6, "", 2000)).field == "rating");
  CHECK(code_of(error_of(rate(c, kCustomer, -1, "", 2000))) == "bad_field");
  CHECK(code_of(error_of(rate(c, kCustomer, 5, std::string(1001, 'x'), 2000))) == "text_too_long");
  CHECK(value_of(rate(c, kCustomer, 5, std::string(1000, 'x'), 2000)).next.csat_rating == 5);
  CHECK(code_of(error_of(rate(c, kStranger, 5, "", 2000))) == "forbidden");
  CHECK(code_of(error_of(rate(c, kAgent, 5, "", 2000))) == "forbidden");
  Conversation open = c;
  open.status = Status::active;
  open.ending = Ending::none;
  CHECK(code_of(error_of(rate(open, kCustomer, 5, "", 2000))) == "invalid_transition");
  CHECK(code_of(error_of(rate(ended(Ending::abandoned), kCustomer, 5, "", 2000))) == "invalid_transition");
}

TEST_CASE("csat: rated once; staff sending the survey again allows one more rating, the latest wins") {
  Conversation c = value_of(rate(ended(Ending::resolved_by_staff), kCustomer, 2, "", 2000)).next;
  CHECK(code_of(error_of(rate(c, kCustomer, 5, "", 2100))) == "invalid_transition");
  const Transition again = value_of(request_csat(c, kAgent, "How did we do?", 3000));
  CHECK(types_of(again.events) == std::vector<std::string>{"chat.csat_requested"});
  CHECK(again.events[0].audience == Audience::everyone);
  CHECK(again.events[0].data["question"] == "How did we do?");
  CHECK(csat_due(again.next));
  const Transition second = value_of(rate(again.next, kCustomer, 5, "better now", 3100));
  CHECK(second.next.csat_rating == 5);
  CHECK(second.events[0].data["previous_rating"] == 2);
  CHECK(second.events[0].data["previous_at"] == 2000);
  CHECK_FALSE(csat_due(second.next));
}

TEST_CASE("csat: only staff send the survey again, only once the conversation ended (not abandoned)") {
  CHECK(code_of(error_of(request_csat(ended(Ending::resolved_by_staff), kCustomer, "q", 3000))) == "forbidden");
  CHECK(code_of(error_of(request_csat(ended(Ending::abandoned), kAgent, "q", 3000))) == "invalid_transition");
  Conversation open = ended(Ending::none);
  open.status = Status::pending;
  CHECK(code_of(error_of(request_csat(open, kAgent, "q", 3000))) == "invalid_transition");
}

TEST_CASE("csat: a conversation resolved again after its rating is due again") {
  Conversation c = value_of(rate(ended(Ending::resolved_by_staff, 1000), kCustomer, 3, "", 2000)).next;
  CHECK_FALSE(csat_due(c));
  c.resolved_at = 5000;  // reopened and resolved again later
  CHECK(csat_due(c));
}

TEST_CASE("csat: the conversation JSON carries the rating both ways") {
  Conversation c = value_of(rate(ended(Ending::resolved_by_staff), kCustomer, 4, "ok", 2000)).next;
  c.previous_conversation_id = "c_0";
  const Json j = to_json(c, /*staff=*/false);
  CHECK(j["csat"]["rating"] == 4);
  const Conversation back = value_of(conversation_from_json(j));
  CHECK(back.csat_rating == 4);
  CHECK(back.csat_comment == "ok");
  CHECK(back.csat_at == 2000);
  CHECK(back.previous_conversation_id == "c_0");
}
