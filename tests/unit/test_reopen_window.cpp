// The reopen rule (parley/conversation.hpp on_customer_return, post_message, follow_up_of):
// within the tenant's window a customer's message reopens; after it a new, linked conversation.
#include <doctest/doctest.h>

#include "parley/conversation.hpp"
#include "test_support.hpp"

using namespace parley;
using parley::test::code_of;
using parley::test::error_of;
using parley::test::types_of;
using parley::test::value_of;

namespace {
const Actor kCustomer{Role::customer, "k_1", "Ada"};
constexpr Millis kHour = 3600 * 1000;

Conversation resolved_at(Millis at) {
  Conversation c;
  c.id = "c_1";
  c.tenant_id = "t_1";
  c.contact_id = "k_1";
  c.status = Status::resolved;
  c.ending = Ending::resolved_by_staff;
  c.resolved_at = at;
  c.previous_agent_id = "u_1";
  c.topic = "billing";
  c.priority = Priority::high;
  c.head_seq = 9;
  return c;
}

Message text(std::string body) {
  Message m;
  m.text = std::move(body);
  return m;
}
}  // namespace

TEST_CASE("reopen window: open conversations post, resolved ones reopen up to the window's end inclusive") {
  const ConversationPolicy p{true, 24 * kHour};
  Conversation open = resolved_at(0);
  open.status = Status::active;
  CHECK(on_customer_return(open, 100 * kHour, p) == CustomerReturn::post);
  const Conversation c = resolved_at(10 * kHour);
  CHECK(on_customer_return(c, 10 * kHour + 1, p) == CustomerReturn::reopen);
  CHECK(on_customer_return(c, 34 * kHour, p) == CustomerReturn::reopen);
  CHECK(on_customer_return(c, 34 * kHour + 1, p) == CustomerReturn::start_new);
  CHECK(on_customer_return(c, 1000 * kHour, ConversationPolicy{true, 0}) == CustomerReturn::reopen);
}

TEST_CASE("reopen window: inside it post_message reopens; after it the message is refused with field reopen_window") {
  const ConversationPolicy p{true, kHour};
  const Conversation c = resolved_at(1000);
  const Transition t = value_of(post_message(c, kCustomer, text("one more thing"), 1000 + kHour, p));
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.reopened", "chat.new_message"});
  CHECK(t.next.status == Status::bot);
  const Error e = error_of(post_message(c, kCustomer, text("hello again"), 1001 + kHour, p));
  CHECK(code_of(e) == "invalid_transition");
  CHECK(e.field == "reopen_window");
}

TEST_CASE("reopen window: a follow-up conversation is linked to the old one and keeps its routing hint") {
  Conversation old = resolved_at(1000);
  old.page_url = "https://shop.example/help";
  const Conversation f = follow_up_of(old, "c_2");
  CHECK(f.id == "c_2");
  CHECK(f.previous_conversation_id == "c_1");
  CHECK(f.previous_agent_id == "u_1");
  CHECK(f.contact_id == "k_1");
  CHECK(f.tenant_id == "t_1");
  CHECK(f.topic == "billing");
  CHECK(f.priority == Priority::high);
  CHECK(f.head_seq == 0);
  CHECK(f.csat_rating == 0);
  CHECK(f.page_url == old.page_url);
  const Transition t = start_conversation(f, kCustomer, 5000, ConversationPolicy{true, kHour});
  CHECK(t.events.front().seq == 1);
  CHECK(t.next.previous_conversation_id == "c_1");
}
