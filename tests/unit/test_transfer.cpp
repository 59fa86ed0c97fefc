// parley/conversation.hpp: transfer (to an agent, to a team's queue) and the issue type, with
// who may do them, their events and their numbering.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parley/conversation.hpp"
#include "parley/sync_store.hpp"
#include "test_support.hpp"

using namespace parley;
using parley::test::code_of;
using parley::test::error_of;
using parley::test::types_of;
using parley::test::value_of;

namespace {

const Actor kCustomer{Role::customer, "k_1", "Ada"};
const Actor kSam{Role::agent, "u_1", "Sam"};
const Actor kKim{Role::agent, "u_2", "Kim"};
const Actor kLee{Role::agent, "u_3", "Lee"};
const Actor kBot{Role::bot, "bot", "Parley Assistant"};
const ConversationPolicy kWithAssistant{true};

Conversation blank() {
  Conversation c;
  c.id = "c_1";
  c.tenant_id = "t_1";
  c.contact_id = "k_1";
  return c;
}
Conversation in_bot() { return start_conversation(blank(), kCustomer, 1000, kWithAssistant).next; }
Conversation in_pending() { return value_of(hand_off(in_bot(), kBot, "customer_asked", "", 2000)).next; }
Conversation in_active() { return value_of(accept(in_pending(), kSam, 3000)).next; }

TransferTarget to_agent(const Actor& a) { return TransferTarget{a.id, a.name, ""}; }
TransferTarget to_team(std::string team) { return TransferTarget{"", "", std::move(team)}; }

void check_numbering(const Conversation& before, const Transition& t) {
  Seq expected = before.head_seq;
  for (const Event& e : t.events) CHECK(e.seq == ++expected);
  CHECK(t.next.head_seq == expected);
}

}  // namespace

TEST_CASE("the assignee transfers a chat to another agent: it stays active, with the new owner") {
  const Conversation c = in_active();
  const Transition t = value_of(transfer(c, kSam, /*may_override=*/false, to_agent(kKim), "", 5000));
  CHECK(t.next.status == Status::active);
  CHECK(t.next.assignee_id == "u_2");
  CHECK(t.next.assignee_name == "Kim");
  CHECK(t.next.previous_agent_id == "u_1");
  CHECK(t.next.assigned_at == 5000);
  CHECK(t.next.team.empty());
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.transferred"});
  check_numbering(c, t);
  const Event& e = t.events.front();
  CHECK(e.audience == Audience::everyone);  // the system line: "Sam transferred the chat to Kim"
  CHECK(e.actor.id == "u_1");
  CHECK(e.data["from"]["id"] == "u_1");
  CHECK(e.data["from"]["name"] == "Sam");
  CHECK(e.data["to"]["id"] == "u_2");
  CHECK(e.data["to"]["name"] == "Kim");
  CHECK(e.data["team"] == "");
  CHECK_FALSE(e.data.contains("note"));  // never in a customer-visible event
}

TEST_CASE("a transfer note is a staff-only note after the system line") {
  const Conversation c = in_active();
  const Transition t = value_of(transfer(c, kSam, false, to_agent(kKim), "Wants a refund; order 1234", 5000));
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.transferred", "chat.new_message"});
  check_numbering(c, t);
  const Event& note = t.events.back();
  CHECK(note.audience == Audience::staff);
  CHECK(note.data["message"]["kind"] == "note");
  CHECK(note.data["message"]["text"] == "Wants a refund; order 1234");
  CHECK(note.data["message"]["sender"]["id"] == "u_1");
  CHECK(note.data["message"]["seq"] == note.seq);
  CHECK_FALSE(visible_to_customer(note));
  // The first response time is not the note's.
  CHECK(t.next.first_agent_response_at == 0);
}

TEST_CASE("a transfer to a team puts the chat back in the queue for that team") {
  const Conversation c = in_active();
  const Transition t = value_of(transfer(c, kSam, false, to_team("billing"), "", 5000));
  CHECK(t.next.status == Status::pending);
  CHECK(t.next.assignee_id.empty());
  CHECK(t.next.assignee_name.empty());
  CHECK(t.next.previous_agent_id == "u_1");
  CHECK(t.next.team == "billing");
  CHECK(t.next.handed_off_at == 5000);  // it waits from now
  CHECK(t.next.assigned_at == 0);
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.transferred"});
  CHECK(t.events.front().data["team"] == "billing");
  CHECK(t.events.front().data["team_name"] == "billing");  // no name given: the id
  CHECK(t.events.front().data["to"].is_null());
  TransferTarget named = to_team("billing");
  named.team_name = "Billing";
  const Transition n = value_of(transfer(c, kSam, false, named, "", 5000));
  CHECK(n.next.team == "billing");
  CHECK(n.events.front().data["team_name"] == "Billing");
}

TEST_CASE("who may transfer: the assignee, or a supervisor/admin (may_override)") {
  const Conversation c = in_active();
  CHECK(code_of(error_of(transfer(c, kKim, false, to_agent(kLee), "", 5000))) == "not_assigned");
  const Transition t = value_of(transfer(c, kKim, /*may_override=*/true, to_agent(kLee), "", 5000));
  CHECK(t.next.assignee_id == "u_3");
  CHECK(t.events.front().data["from"]["id"] == "u_1");  // from the assignee, by the supervisor
  CHECK(t.events.front().actor.id == "u_2");
  // A supervisor may also hand a waiting chat to an agent or a team.
  const Transition q = value_of(transfer(in_pending(), kKim, true, to_agent(kLee), "", 5000));
  CHECK(q.next.status == Status::active);
  CHECK(q.next.assignee_id == "u_3");
  CHECK(q.events.front().data["from"].is_null());
  CHECK(code_of(error_of(transfer(in_pending(), kKim, false, to_agent(kLee), "", 5000))) == "not_assigned");
  CHECK(code_of(error_of(transfer(c, kCustomer, true, to_agent(kLee), "", 5000))) == "forbidden");
  CHECK(code_of(error_of(transfer(c, kBot, true, to_agent(kLee), "", 5000))) == "forbidden");
}

TEST_CASE("transfers that make no sense are refused and change nothing") {
  const Conversation c = in_active();
  CHECK(code_of(error_of(transfer(c, kSam, false, to_agent(kSam), "", 5000))) == "bad_field");
  CHECK(code_of(error_of(transfer(c, kSam, false, TransferTarget{}, "", 5000))) == "missing_field");
  CHECK(code_of(error_of(transfer(c, kSam, false, TransferTarget{"u_2", "Kim", "billing"}, "", 5000))) ==
        "bad_field");
  CHECK(code_of(error_of(transfer(in_bot(), kSam, true, to_agent(kKim), "", 5000))) == "invalid_transition");
  const Conversation resolved = value_of(resolve(c, kSam, false, "done", "billing", 4000)).next;
  CHECK(code_of(error_of(transfer(resolved, kSam, true, to_agent(kKim), "", 5000))) == "invalid_transition");
}

TEST_CASE("after a transfer only the new owner may answer") {
  const Conversation c = value_of(transfer(in_active(), kSam, false, to_agent(kKim), "", 5000)).next;
  Message m;
  m.text = "hello";
  CHECK(code_of(error_of(post_message(c, kSam, m, 6000, kWithAssistant))) == "not_assigned");
  CHECK(value_of(post_message(c, kKim, m, 6000, kWithAssistant)).next.first_agent_response_at == 6000);
  // Accepting from the team queue clears nothing but the queue: the team stays as a record.
  const Conversation queued = value_of(transfer(in_active(), kSam, false, to_team("billing"), "", 5000)).next;
  const Transition taken = value_of(accept(queued, kLee, 7000));
  CHECK(taken.next.assignee_id == "u_3");
  CHECK(taken.next.team == "billing");
}

TEST_CASE("the synced store follows a transfer from its events") {
  SyncStore store;
  Conversation c = in_active();
  std::vector<Event> all = start_conversation(blank(), kCustomer, 1000, kWithAssistant).events;
  for (const Event& e : value_of(hand_off(in_bot(), kBot, "customer_asked", "", 2000)).events) all.push_back(e);
  for (const Event& e : value_of(accept(in_pending(), kSam, 3000)).events) all.push_back(e);
  const Transition t1 = value_of(transfer(c, kSam, false, to_agent(kKim), "note", 5000));
  for (const Event& e : t1.events) all.push_back(e);
  const Transition t2 = value_of(transfer(t1.next, kKim, false, to_team("billing"), "", 6000));
  for (const Event& e : t2.events) all.push_back(e);
  for (std::size_t i = 0; i < all.size(); ++i) {
    store.apply(all[i]);
    if (i + 1 == all.size() - t2.events.size()) {
      const ConversationView* v = store.find("c_1");
      if (v == nullptr) {
        FAIL_CHECK("no view");
        return;
      }
      CHECK(v->summary.status == Status::active);
      CHECK(v->summary.assignee_id == "u_2");
      CHECK(v->summary.assignee_name == "Kim");
    }
  }
  const ConversationView* v = store.find("c_1");
  if (v == nullptr) {
    FAIL_CHECK("no view");
    return;
  }
  CHECK(v->summary.status == Status::pending);
  CHECK(v->summary.assignee_id.empty());
  CHECK(v->summary.team == "billing");
  CHECK(v->summary.handed_off_at == 6000);
  CHECK(v->summary.head_seq == t2.next.head_seq);
}

TEST_CASE("staff change the issue type of an open conversation") {
  const Conversation c = in_active();
  const Transition t = value_of(set_issue_type(c, kKim, "billing", 5000));
  CHECK(t.next.issue_type == "billing");
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.issue_type_changed"});
  CHECK(t.events.front().audience == Audience::staff);
  CHECK(t.events.front().data["issue_type"] == "billing");
  check_numbering(c, t);
  CHECK(value_of(set_issue_type(t.next, kKim, "billing", 5000)).events.empty());  // unchanged: no event
  CHECK(code_of(error_of(set_issue_type(c, kCustomer, "billing", 5000))) == "forbidden");
  SyncStore store;
  store.upsert_summary(c);
  store.apply(t.events.front());
  CHECK(store.find("c_1")->summary.issue_type == "billing");
}
