// parley/tickets.hpp: ticket status moves, the convert draft, patches, the created line; blocks:
// durations, reasons, address forms, which rule refuses whom.
#include <doctest/doctest.h>

#include <string>

#include "parley/tickets.hpp"
#include "test_support.hpp"

using namespace parley;
using parley::test::code_of;
using parley::test::error_of;
using parley::test::types_of;
using parley::test::value_of;

namespace {
Conversation conv() {
  Conversation c;
  c.id = "c_1";
  c.tenant_id = "t_1";
  c.contact_id = "k_1";
  c.status = Status::active;
  c.priority = Priority::high;
  c.head_seq = 4;
  return c;
}
const Actor kAgent{Role::agent, "u_1", "Sam"};
const Actor kCustomer{Role::customer, "k_1", "Ada"};
}  // namespace

TEST_CASE("tickets: status names round-trip and unknown names are refused") {
  for (auto s : {TicketStatus::open, TicketStatus::pending, TicketStatus::solved, TicketStatus::closed}) {
    CHECK(parse_ticket_status(to_string(s)) == s);
  }
  CHECK_FALSE(parse_ticket_status("resolved"));
  CHECK_FALSE(parse_ticket_status("Open"));
}

TEST_CASE("tickets: status transitions") {
  using S = TicketStatus;
  CHECK(ticket_transition_allowed(S::open, S::pending));
  CHECK(ticket_transition_allowed(S::pending, S::open));
  CHECK(ticket_transition_allowed(S::open, S::solved));
  CHECK(ticket_transition_allowed(S::pending, S::closed));
  CHECK(ticket_transition_allowed(S::solved, S::open));
  CHECK(ticket_transition_allowed(S::solved, S::closed));
  CHECK_FALSE(ticket_transition_allowed(S::solved, S::pending));
  CHECK_FALSE(ticket_transition_allowed(S::closed, S::open));
  CHECK_FALSE(ticket_transition_allowed(S::closed, S::solved));
  CHECK(ticket_transition_allowed(S::closed, S::closed));
}

TEST_CASE("tickets: the draft takes defaults from the conversation") {
  Conversation c = conv();
  TicketDraft d = value_of(ticket_draft({}, c, "Ada"));
  CHECK(d.title == "Chat with Ada");
  CHECK(d.priority == Priority::high);
  CHECK(d.description.empty());
  c.topic = "  Refund for order 12 ";
  CHECK(value_of(ticket_draft({}, c, "Ada")).title == "Refund for order 12");
  c.topic.clear();
  CHECK(value_of(ticket_draft({}, c, " ")).title == "Chat c_1");
  TicketInput in;
  in.title = "  Broken login  ";
  in.description = " steps: ... ";
  in.priority = Priority::low;
  d = value_of(ticket_draft(in, c, "Ada"));
  CHECK(d.title == "Broken login");
  CHECK(d.description == "steps: ...");
  CHECK(d.priority == Priority::low);
  in.title = "   ";
  CHECK(value_of(ticket_draft(in, c, "Ada")).title == "Chat with Ada");
}

TEST_CASE("tickets: the draft refuses long or invalid text") {
  TicketInput in;
  in.title = std::string(kTicketTitleMaxChars + 1, 'x');
  Error e = error_of(ticket_draft(in, conv(), ""));
  CHECK(code_of(e) == "text_too_long");
  CHECK(e.field == "title");
  in.title = std::string(kTicketTitleMaxChars, 'x');
  CHECK(value_of(ticket_draft(in, conv(), "")).title.size() == kTicketTitleMaxChars);
  in.description = std::string(kTicketDescriptionMaxChars + 1, 'y');
  e = error_of(ticket_draft(in, conv(), ""));
  CHECK(e.field == "description");
  in.description = std::string("\xff\xfe");
  CHECK(code_of(error_of(ticket_draft(in, conv(), ""))) == "bad_unicode");
}

TEST_CASE("tickets: patches") {
  TicketState s;
  s.updated_at = 10;
  CHECK(error_of(apply_ticket_patch(s, {}, 20)).field == "patch");

  TicketPatch p;
  p.status = TicketStatus::solved;
  TicketState n = value_of(apply_ticket_patch(s, p, 20));
  CHECK(n.status == TicketStatus::solved);
  CHECK(n.solved_at == 20);
  CHECK(n.updated_at == 20);

  p.status = TicketStatus::pending;  // solved -> pending is not a move
  Error e = error_of(apply_ticket_patch(n, p, 30));
  CHECK(code_of(e) == "invalid_transition");
  CHECK(e.field == "status");

  p.status = TicketStatus::open;  // reopened
  TicketState r = value_of(apply_ticket_patch(n, p, 30));
  CHECK(r.solved_at == 0);
  CHECK(r.status == TicketStatus::open);

  p.status = TicketStatus::closed;
  TicketState c = value_of(apply_ticket_patch(r, p, 40));
  CHECK(c.closed_at == 40);
  TicketPatch pr;
  pr.priority = Priority::urgent;
  CHECK(code_of(error_of(apply_ticket_patch(c, pr, 50))) == "invalid_transition");

  // same values: no change, updated_at kept
  TicketPatch same;
  same.priority = s.priority;
  same.assignee_id = "";
  CHECK(value_of(apply_ticket_patch(s, same, 99)).updated_at == 10);
  TicketPatch a;
  a.assignee_id = "u_2";
  TicketState assigned = value_of(apply_ticket_patch(s, a, 99));
  CHECK(assigned.assignee_id == "u_2");
  CHECK(assigned.updated_at == 99);
}

TEST_CASE("tickets: the conversation's line") {
  Conversation c = conv();
  Transition t = value_of(note_ticket_created(c, kAgent, "tk_1", 500));
  CHECK(types_of(t.events) == std::vector<std::string>{"chat.ticket_created"});
  CHECK(t.events[0].seq == 5);
  CHECK(t.events[0].audience == Audience::everyone);
  CHECK(t.events[0].data["ticket_id"] == "tk_1");
  CHECK(t.events[0].data["by"]["name"] == "Sam");
  CHECK(t.next.head_seq == 5);
  CHECK(t.next.status == Status::active);
  CHECK(code_of(error_of(note_ticket_created(c, kCustomer, "tk_1", 500))) == "forbidden");
  c.status = Status::resolved;
  CHECK(value_of(note_ticket_created(c, kAgent, "tk_2", 600)).events.size() == 1);
}

TEST_CASE("blocks: durations") {
  CHECK(value_of(block_expiry(BlockKind::contact, std::nullopt, 1000)) == 0);
  CHECK(value_of(block_expiry(BlockKind::contact, 0, 1000)) == 0);
  Error e = error_of(block_expiry(BlockKind::address, std::nullopt, 1000));
  CHECK(code_of(e) == "missing_field");
  CHECK(e.field == "duration_s");
  CHECK(value_of(block_expiry(BlockKind::address, 3600, 1000)) == 1000 + 3600 * 1000);
  CHECK(code_of(error_of(block_expiry(BlockKind::address, kMinBlockSeconds - 1, 0))) == "bad_field");
  CHECK(code_of(error_of(block_expiry(BlockKind::contact, -5, 0))) == "bad_field");
  CHECK(code_of(error_of(block_expiry(BlockKind::contact, kMaxBlockSeconds + 1, 0))) == "bad_field");
  CHECK(value_of(block_expiry(BlockKind::contact, kMaxBlockSeconds, 0)) == kMaxBlockSeconds * 1000);
}

TEST_CASE("blocks: reasons") {
  CHECK(value_of(block_reason("  spam  ")) == "spam");
  CHECK(code_of(error_of(block_reason("   "))) == "missing_field");
  CHECK(code_of(error_of(block_reason(std::string(kBlockReasonMaxChars + 1, 'x')))) == "text_too_long");
}

TEST_CASE("blocks: address forms") {
  CHECK(value_of(normalize_address("203.0.113.7")) == "203.0.113.7");
  CHECK(value_of(normalize_address("::ffff:203.0.113.7")) == "203.0.113.7");
  CHECK(value_of(normalize_address("::FFFF:cb00:7107")) == "203.0.113.7");
  CHECK(value_of(normalize_address("2001:DB8::1")) == "2001:0db8:0000:0000:0000:0000:0000:0001");
  CHECK(value_of(normalize_address("2001:db8:0:0:0:0:0:1")) == "2001:0db8:0000:0000:0000:0000:0000:0001");
  CHECK(value_of(normalize_address("::1")) == "0000:0000:0000:0000:0000:0000:0000:0001");
  CHECK(value_of(normalize_address("::")) == "0000:0000:0000:0000:0000:0000:0000:0000");
  for (const char* bad : {"", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4 ", "host.example", "1::2::3",
                          "12345::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "g::1", "1.2.3.4/24"}) {
    CAPTURE(bad);
    CHECK(code_of(error_of(normalize_address(bad))) == "bad_field");
  }
}

TEST_CASE("blocks: which rule refuses whom") {
  std::vector<BlockRule> rules;
  rules.push_back(BlockRule{"b_1", BlockKind::contact, "k_1", 0, 0, 0});
  rules.push_back(BlockRule{"b_2", BlockKind::address, "203.0.113.7", 0, 5000, 0});
  rules.push_back(BlockRule{"b_3", BlockKind::contact, "k_3", 0, 0, 100});  // lifted
  CHECK(find_block(rules, "k_1", "", 10)->id == "b_1");
  CHECK(find_block(rules, "k_2", "203.0.113.7", 4999)->id == "b_2");
  CHECK(find_block(rules, "k_2", "203.0.113.7", 5000) == nullptr);  // expired at its end
  CHECK(find_block(rules, "k_3", "", 10) == nullptr);
  CHECK(find_block(rules, "", "", 10) == nullptr);
  CHECK(find_block(rules, "203.0.113.7", "", 10) == nullptr);  // an address never matches a contact rule
  CHECK_FALSE(block_active(rules[2], 10));
  CHECK(block_active(rules[0], 1'000'000'000));
}

TEST_CASE("blocks: the refusal a blocked visitor gets") {
  const Error e = blocked_error();
  CHECK(code_of(e) == "blocked");
  CHECK(e.field.empty());
  CHECK(to_string(ErrorCode::blocked) == "blocked");
  CHECK(parse_error_code("blocked") == ErrorCode::blocked);
  CHECK_FALSE(e.message.empty());
}

TEST_CASE("tickets: the assistant's create_ticket tool may note a ticket (issue 10); a customer still may not") {
  Conversation c = conv();
  c.status = Status::bot;
  const Actor bot{Role::bot, "bot", "Assistant"};
  Transition t = value_of(note_ticket_created(c, bot, "tk_9", 700));
  REQUIRE(t.events.size() == 1);
  CHECK(t.events[0].actor.role == Role::bot);
  CHECK(t.events[0].data["ticket_id"] == "tk_9");
  CHECK(code_of(error_of(note_ticket_created(c, kCustomer, "tk_9", 700))) == "forbidden");
}
