// parley/conversation.hpp: every transition, legal and illegal, with its events and numbering.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parley/conversation.hpp"
#include "test_support.hpp"

using namespace parley;
using parley::test::code_of;
using parley::test::error_of;
using parley::test::types_of;
using parley::test::value_of;

namespace {

const Actor kCustomer{Role::customer, "k_1", "Ada"};
const Actor kAgent{Role::agent, "u_1", "Sam"};
const Actor kOtherAgent{Role::agent, "u_2", "Kim"};
const Actor kBot{Role::bot, "bot", "Parley Assistant"};
const ConversationPolicy kWithAssistant{true};
const ConversationPolicy kNoAssistant{false};

Conversation blank() {
  Conversation c;
  c.id = "c_1";
  c.tenant_id = "t_1";
  c.contact_id = "k_1";
  return c;
}

Message text(std::string body, std::string client_msg_id = {}) {
  Message m;
  m.text = std::move(body);
  m.client_msg_id = std::move(client_msg_id);
  return m;
}

Message note(std::string body) {
  Message m = text(std::move(body));
  m.kind = MessageKind::note;
  return m;
}

// Conversations in each status, reached through the transitions themselves.
Conversation in_bot() { return start_conversation(blank(), kCustomer, 1000, kWithAssistant).next; }
Conversation in_pending() { return value_of(hand_off(in_bot(), kBot, "customer_asked", "", 2000)).next; }
Conversation in_active() { return value_of(accept(in_pending(), kAgent, 3000)).next; }
Conversation in_resolved() {
  return value_of(resolve(in_active(), kAgent, false, "Refund issued", "billing", 4000)).next;
}

// The events are numbered from c.head_seq + 1 without gaps, and the result's head is the last.
void check_numbering(const Conversation& before, const Transition& t) {
  Seq expected = before.head_seq;
  for (const Event& e : t.events) {
    CHECK(e.seq == ++expected);
    CHECK(e.conversation_id == before.id);
  }
  CHECK(t.next.head_seq == expected);
}

}  // namespace

// ---- start ---------------------------------------------------------------------------------

TEST_CASE("a new conversation starts with the assistant") {
  const Transition t = start_conversation(blank(), kCustomer, 1000, kWithAssistant);
  CHECK(t.next.status == Status::bot);
  CHECK(t.next.created_at == 1000);
  CHECK(t.next.updated_at == 1000);
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.new_session"});
  check_numbering(blank(), t);
  const Event& e = t.events.front();
  CHECK(e.audience == Audience::everyone);
  CHECK(e.at == 1000);
  CHECK(e.actor.id == "k_1");
  CHECK(e.data["conversation"]["status"] == "bot");
  CHECK(e.data["conversation"]["head_seq"] == 1);
  CHECK_FALSE(e.data["conversation"].contains("handoff_summary"));  // customer view
}

TEST_CASE("without an assistant a new conversation is queued at once") {
  const Transition t = start_conversation(blank(), kCustomer, 1000, kNoAssistant);
  CHECK(t.next.status == Status::pending);
  CHECK(t.next.handed_off_at == 1000);
  CHECK(t.next.answered_by == Answerer::none);
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.new_session", "chat.handed_off"});
  check_numbering(blank(), t);
  CHECK(t.events[0].data["conversation"]["status"] == "pending");
}

TEST_CASE("a mirrored conversation stays with its external assistant") {
  Conversation mirrored = blank();
  mirrored.answered_by = Answerer::external;
  const Transition t = start_conversation(mirrored, kCustomer, 1000, kNoAssistant);
  CHECK(t.next.status == Status::bot);
  CHECK(t.next.answered_by == Answerer::external);
  CHECK(t.events.size() == 1);
}

// ---- messages --------------------------------------------------------------------------------

TEST_CASE("a customer message is numbered and filled in") {
  Conversation c = in_bot();
  c.unanswered_turns = 2;
  const Transition t = value_of(post_message(c, kCustomer, text("hello", "m_1"), 1500, kWithAssistant));
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.new_message"});
  check_numbering(c, t);
  const Json& m = t.events[0].data["message"];
  CHECK(m["seq"] == 2);
  CHECK(m["conversation_id"] == "c_1");
  CHECK(m["client_msg_id"] == "m_1");
  CHECK(m["sender"]["role"] == "customer");
  CHECK(m["sender"]["id"] == "k_1");
  CHECK(m["text"] == "hello");
  CHECK(m["at"] == 1500);
  CHECK(t.events[0].audience == Audience::everyone);
  CHECK(t.next.unanswered_turns == 2);  // the relay's assistant keeps this count
  CHECK(t.next.updated_at == 1500);
}

TEST_CASE("the assistant answers only while the conversation is with it") {
  CHECK(post_message(in_bot(), kBot, text("Here is how"), 1500, kWithAssistant).ok());
  CHECK(code_of(error_of(post_message(in_pending(), kBot, text("x"), 1500, kWithAssistant))) ==
        "invalid_transition");
  CHECK(code_of(error_of(post_message(in_active(), kBot, text("x"), 1500, kWithAssistant))) ==
        "invalid_transition");
}

TEST_CASE("only the assignee answers the customer") {
  CHECK(code_of(error_of(post_message(in_bot(), kAgent, text("x"), 1500, kWithAssistant))) == "not_assigned");
  CHECK(code_of(error_of(post_message(in_pending(), kAgent, text("x"), 2500, kWithAssistant))) ==
        "not_assigned");
  CHECK(code_of(error_of(post_message(in_active(), kOtherAgent, text("x"), 3500, kWithAssistant))) ==
        "not_assigned");

  const Conversation active = in_active();
  const Transition first = value_of(post_message(active, kAgent, text("Hi, Sam here"), 3500, kWithAssistant));
  CHECK(first.next.first_agent_response_at == 3500);
  check_numbering(active, first);
  const Transition second =
      value_of(post_message(first.next, kAgent, text("Anything else?"), 3600, kWithAssistant));
  CHECK(second.next.first_agent_response_at == 3500);  // the first one counts
}

TEST_CASE("staff notes are allowed in any status and seen by staff only") {
  for (const Conversation& c : {in_bot(), in_pending(), in_active(), in_resolved()}) {
    CAPTURE(to_string(c.status));
    const Transition t = value_of(post_message(c, kOtherAgent, note("VIP customer"), 5000, kWithAssistant));
    REQUIRE(t.events.size() == 1);
    CHECK(t.events[0].audience == Audience::staff);
    CHECK(t.events[0].data["message"]["kind"] == "note");
    CHECK(t.next.status == c.status);  // a note never reopens
    CHECK(t.next.first_agent_response_at == c.first_agent_response_at);
  }
}

TEST_CASE("customers cannot post staff-only kinds") {
  const Error e = error_of(post_message(in_bot(), kCustomer, note("x"), 1500, kWithAssistant));
  CHECK(code_of(e) == "forbidden");
  CHECK(e.field == "kind");
}

// ---- hand-off --------------------------------------------------------------------------------

TEST_CASE("hand_off queues the conversation with a staff-only summary") {
  Conversation c = in_bot();
  c.unanswered_turns = 3;
  const Transition t = value_of(hand_off(c, kBot, "assistant_gave_up", "Customer asked: refund", 2000));
  CHECK(t.next.status == Status::pending);
  CHECK(t.next.handed_off_at == 2000);
  CHECK(t.next.unanswered_turns == 0);
  CHECK(t.next.handoff_summary == "Customer asked: refund");
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.handed_off", "chat.handoff_summary"});
  check_numbering(c, t);
  CHECK(t.events[0].audience == Audience::everyone);
  CHECK(t.events[0].data["reason"] == "assistant_gave_up");
  CHECK(t.events[1].audience == Audience::staff);
  CHECK(t.events[1].data["summary"] == "Customer asked: refund");
}

TEST_CASE("hand_off without a summary emits one event") {
  const Transition t = value_of(hand_off(in_bot(), kCustomer, "customer_asked", "", 2000));
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.handed_off"});
}

TEST_CASE("only conversations with the assistant are handed off") {
  CHECK(code_of(error_of(hand_off(in_pending(), kBot, "r", "", 2000))) == "invalid_transition");
  CHECK(code_of(error_of(hand_off(in_active(), kBot, "r", "", 2000))) == "invalid_transition");
  CHECK(code_of(error_of(hand_off(in_resolved(), kBot, "r", "", 2000))) == "invalid_transition");
}

// ---- accept and take-over --------------------------------------------------------------------

TEST_CASE("accept assigns a queued conversation") {
  const Conversation c = in_pending();
  const Transition t = value_of(accept(c, kAgent, 3000));
  CHECK(t.next.status == Status::active);
  CHECK(t.next.assignee_id == "u_1");
  CHECK(t.next.assignee_name == "Sam");
  CHECK(t.next.assigned_at == 3000);
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.session_assigned"});
  check_numbering(c, t);
  CHECK(t.events[0].audience == Audience::everyone);
  CHECK(t.events[0].data["agent"]["id"] == "u_1");
  CHECK(t.events[0].data["agent"]["name"] == "Sam");
}

TEST_CASE("of two concurrent accepts exactly one wins") {
  // The hub serialises them: the second sees the outcome of the first.
  const Conversation queued = in_pending();
  const Transition winner = value_of(accept(queued, kAgent, 3000));
  const Error loser = error_of(accept(winner.next, kOtherAgent, 3000));
  CHECK(code_of(loser) == "already_assigned");
}

TEST_CASE("the same agent accepting twice changes nothing") {
  const Conversation active = in_active();
  const Transition again = value_of(accept(active, kAgent, 3500));
  CHECK(again.events.empty());
  CHECK(again.next.head_seq == active.head_seq);
  CHECK(again.next.updated_at == active.updated_at);
}

TEST_CASE("accept refuses conversations that are not queued, and non-staff") {
  CHECK(code_of(error_of(accept(in_bot(), kAgent, 3000))) == "invalid_transition");
  CHECK(code_of(error_of(accept(in_resolved(), kAgent, 5000))) == "invalid_transition");
  CHECK(code_of(error_of(accept(in_pending(), kCustomer, 3000))) == "forbidden");
}

TEST_CASE("take_over goes from the assistant to the agent in one step") {
  const Conversation c = in_bot();
  const Transition t = value_of(take_over(c, kAgent, "staff_took_over", 2500));
  CHECK(t.next.status == Status::active);
  CHECK(t.next.assignee_id == "u_1");
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.handed_off", "chat.session_assigned"});
  check_numbering(c, t);
  CHECK(t.events[0].data["reason"] == "staff_took_over");

  const Transition from_queue = value_of(take_over(in_pending(), kAgent, "staff_took_over", 2500));
  CHECK(types_of(from_queue.events) == std::vector<std::string>{"chat.session_assigned"});
  CHECK(code_of(error_of(take_over(in_active(), kOtherAgent, "r", 3500))) == "already_assigned");
}

TEST_CASE("take_over without a reason names the usual one") {
  CHECK(value_of(take_over(in_bot(), kAgent, "", 2500)).events[0].data["reason"] == "staff_took_over");
  Conversation mirrored = blank();
  mirrored.answered_by = Answerer::external;
  mirrored = start_conversation(mirrored, kCustomer, 1000, kWithAssistant).next;
  CHECK(value_of(take_over(mirrored, kAgent, "", 2500)).events[0].data["reason"] == "mirror_handoff");
  CHECK(code_of(error_of(take_over(in_resolved(), kAgent, "r", 5000))) == "invalid_transition");
}

// ---- resolve -------------------------------------------------------------------------------

TEST_CASE("the assignee resolves: an outcome for everyone, the note for staff") {
  const Conversation c = in_active();
  const Transition t = value_of(resolve(c, kAgent, false, "Refund issued", "billing", 4000));
  CHECK(t.next.status == Status::resolved);
  CHECK(t.next.ending == Ending::resolved_by_staff);
  CHECK(t.next.resolution == "Refund issued");
  CHECK(t.next.issue_type == "billing");
  CHECK(t.next.resolved_at == 4000);
  CHECK(t.next.assignee_id.empty());
  CHECK(t.next.previous_agent_id == "u_1");
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.resolved", "chat.resolution_note"});
  check_numbering(c, t);
  CHECK(t.events[0].audience == Audience::everyone);
  // The ending, and what the dashboard counts (parley/metrics.hpp): who handled it and for how long.
  CHECK(t.events[0].data == Json{{"ending", "resolved_by_staff"}, {"agent_id", "u_1"}, {"handle_ms", 1000}, {"open_ms", 3000}});
  CHECK(t.events[1].audience == Audience::staff);
  CHECK(t.events[1].data["resolution"] == "Refund issued");
  CHECK(t.events[1].data["issue_type"] == "billing");
}

TEST_CASE("only the assignee or a supervisor resolves") {
  CHECK(code_of(error_of(resolve(in_active(), kOtherAgent, false, "r", "i", 4000))) == "not_assigned");
  CHECK(resolve(in_active(), kOtherAgent, /*may_override=*/true, "r", "i", 4000).ok());
  CHECK(code_of(error_of(resolve(in_active(), kCustomer, true, "r", "i", 4000))) == "forbidden");
}

TEST_CASE("unassigned conversations are resolved by supervisors only") {
  CHECK(code_of(error_of(resolve(in_pending(), kAgent, false, "r", "i", 4000))) == "invalid_transition");
  CHECK(code_of(error_of(resolve(in_bot(), kAgent, false, "r", "i", 4000))) == "invalid_transition");
  const Transition t = value_of(resolve(in_pending(), kAgent, true, "spam", "spam", 4000));
  CHECK(t.next.status == Status::resolved);
  CHECK(code_of(error_of(resolve(in_resolved(), kAgent, true, "r", "i", 5000))) == "invalid_transition");
}

// ---- customer end, abandon, agent gone -------------------------------------------------------

TEST_CASE("the customer ends: ended_by_customer, or abandoned while waiting") {
  struct Case {
    Conversation c;
    Ending ending;
  };
  for (const Case& k :
       {Case{in_bot(), Ending::ended_by_customer}, Case{in_active(), Ending::ended_by_customer},
        Case{in_pending(), Ending::abandoned}}) {
    CAPTURE(to_string(k.c.status));
    const Transition t = value_of(customer_end(k.c, kCustomer, 6000));
    CHECK(t.next.status == Status::resolved);
    CHECK(t.next.ending == k.ending);
    CHECK(t.next.resolved_at == 6000);
    CHECK(t.next.assignee_id.empty());
    CHECK(types_of(t.events) == std::vector<std::string>{"chat.ended"});
    check_numbering(k.c, t);
    CHECK(t.events[0].data["ending"] == std::string(to_string(k.ending)));
  }
  CHECK(code_of(error_of(customer_end(in_resolved(), kCustomer, 6000))) == "invalid_transition");
}

TEST_CASE("abandon applies to queued conversations only") {
  const Transition t = value_of(abandon(in_pending(), 7000));
  CHECK(t.next.ending == Ending::abandoned);
  CHECK(t.events[0].actor.role == Role::system);
  CHECK(t.events[0].data["ending"] == "abandoned");
  CHECK(code_of(error_of(abandon(in_bot(), 7000))) == "invalid_transition");
  CHECK(code_of(error_of(abandon(in_active(), 7000))) == "invalid_transition");
}

TEST_CASE("agent_gone requeues with the agent as routing hint") {
  const Conversation c = in_active();
  const Transition t = value_of(agent_gone(c, 8000));
  CHECK(t.next.status == Status::pending);
  CHECK(t.next.assignee_id.empty());
  CHECK(t.next.previous_agent_id == "u_1");
  CHECK(t.next.handed_off_at == 8000);
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.requeued"});
  check_numbering(c, t);
  CHECK(t.events[0].data == Json{{"reason", "agent_gone"}, {"previous_agent_id", "u_1"}});
  CHECK(code_of(error_of(agent_gone(in_pending(), 8000))) == "invalid_transition");
  // Another agent may now accept.
  CHECK(value_of(accept(t.next, kOtherAgent, 8100)).next.assignee_id == "u_2");
}

// ---- reopen ---------------------------------------------------------------------------------

TEST_CASE("a customer message reopens a resolved conversation to the assistant") {
  const Conversation c = in_resolved();
  const Transition t =
      value_of(post_message(c, kCustomer, text("It broke again", "m_9"), 9000, kWithAssistant));
  CHECK(t.next.status == Status::bot);
  CHECK(t.next.ending == Ending::none);
  CHECK(t.next.resolved_at == 0);
  CHECK(t.next.previous_agent_id == "u_1");
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.reopened", "chat.new_message"});
  check_numbering(c, t);
  CHECK(t.events[0].data == Json{{"status", "bot"}, {"previous_agent_id", "u_1"}});
  CHECK(t.events[1].data["message"]["seq"] == t.events[1].seq);
}

TEST_CASE("without an assistant a reopened conversation is queued") {
  const Transition t = value_of(post_message(in_resolved(), kCustomer, text("Hello?"), 9000, kNoAssistant));
  CHECK(t.next.status == Status::pending);
  CHECK(t.next.handed_off_at == 9000);
  CHECK(t.events[0].data["status"] == "pending");
  CHECK(t.events[0].data["previous_agent_id"] == "u_1");
}

// ---- priority --------------------------------------------------------------------------------

TEST_CASE("set_priority") {
  const Conversation c = in_pending();
  const Transition t = value_of(set_priority(c, kAgent, Priority::urgent, 2500));
  CHECK(t.next.priority == Priority::urgent);
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.priority_changed"});
  CHECK(t.events[0].data["priority"] == "urgent");
  check_numbering(c, t);
  CHECK(value_of(set_priority(t.next, kAgent, Priority::urgent, 2600)).events.empty());
  CHECK(code_of(error_of(set_priority(in_resolved(), kAgent, Priority::low, 5000))) == "invalid_transition");
}

// ---- a whole life ------------------------------------------------------------------------------

TEST_CASE("a whole lifecycle is numbered 1..N without gaps") {
  std::vector<Event> log;
  Conversation c = blank();
  auto record = [&](const Transition& t) {
    log.insert(log.end(), t.events.begin(), t.events.end());
    c = t.next;
  };
  record(start_conversation(c, kCustomer, 1, kWithAssistant));
  record(value_of(post_message(c, kCustomer, text("refund?", "m_1"), 2, kWithAssistant)));
  record(value_of(post_message(c, kBot, text("See our refund policy"), 3, kWithAssistant)));
  record(value_of(post_message(c, kCustomer, text("a person please", "m_2"), 4, kWithAssistant)));
  record(value_of(hand_off(c, kBot, "customer_asked", "Customer asked: refund?", 5)));
  record(value_of(accept(c, kAgent, 6)));
  record(value_of(post_message(c, kAgent, text("Hi, Sam here", "m_3"), 7, kWithAssistant)));
  record(value_of(post_message(c, kAgent, note("refund approved"), 8, kWithAssistant)));
  record(value_of(resolve(c, kAgent, false, "refunded", "billing", 9)));
  record(value_of(post_message(c, kCustomer, text("thanks!", "m_4"), 10, kWithAssistant)));

  REQUIRE(log.size() == 13);
  for (std::size_t i = 0; i < log.size(); ++i) CHECK(log[i].seq == i + 1);
  CHECK(c.head_seq == 13);
  CHECK(c.updated_at == 10);
  CHECK(c.status == Status::bot);
  std::vector<Seq> staff_only;
  for (const Event& e : log) {
    if (!visible_to_customer(e)) staff_only.push_back(e.seq);
  }
  CHECK(staff_only == std::vector<Seq>{6, 9, 11});  // summary, note, resolution note
}
