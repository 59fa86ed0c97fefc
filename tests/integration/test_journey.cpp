// The whole journey of docs/protocol.md: customer -> assistant -> hand-off -> agent -> resolved,
// with the staff-only events checked to never reach the customer's socket, and the transcript
// checked in the database afterwards.
#include <doctest/doctest.h>

#include <algorithm>

#include "harness.hpp"

using namespace parley::it;

namespace {

// A knowledge-base article with words the demo articles do not use, so the assistant's answer can
// be asserted concretely.
const char* kKbJson = R"([
  {"id": "kb-it-teleport",
   "title": "Teleporter calibration",
   "body": "To calibrate the teleporter, hold the zebra button for five seconds until the light turns violet.",
   "keywords": ["teleporter", "calibrate", "calibration", "zebra"]}
])";

bool from_bot(const Json& f) {
  const Json& m = message_of(f);
  if (!m.is_object()) return false;
  return m.contains("sender") && m["sender"].value("role", "") == "bot";
}

}  // namespace

TEST_CASE("journey: customer, assistant, hand-off, agent accepts, replies and resolves") {
  Relay relay;
  const std::string kb_path = relay.dir() + "/kb.json";
  write_file(kb_path, kKbJson);
  auto imported = relay.ctl({"kb", "import", kb_path});
  INFO("parleyctl kb import: " << imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
  relay.create_user("sam", "sam-password-1", "agent");
  relay.start();

  Staff agent = Staff::connect(relay, "sam", "sam-password-1");
  REQUIRE(agent.snapshot.contains("user"));
  CHECK(agent.snapshot["user"].value("role", "") == "agent");
  const std::string agent_id = agent.snapshot["user"].value("id", "");

  Customer cust = Customer::connect(relay);
  CHECK(cust.hello_ack.value("new_visitor", false));
  const std::string cid = cust.start({{"name", "Ada"}, {"topic", "Teleporters"}});

  // The assistant greets.
  cust->wait_for([&](const Json& f) { return f.value("conversation_id", "") == cid && from_bot(f); },
                 "assistant greeting");

  // A knowledge-base question gets the imported article.
  auto q = cust.send(cid, "How do I calibrate the teleporter?");
  REQUIRE(q.ok());
  const auto q_seq = q.data().value("seq", 0);
  auto answer = cust->wait_for(
      [&](const Json& f) {
        return f.value("conversation_id", "") == cid && from_bot(f) && f.value("seq", 0) > q_seq;
      },
      "assistant answer to the KB question");
  CHECK(message_of(answer).value("text", "").find("zebra button") != std::string::npos);

  // Asking for a person hands off.
  auto h = cust.send(cid, "I want to talk to a human");
  REQUIRE(h.ok());
  auto handed = cust->wait_for(is_event("chat.handed_off", cid), "chat.handed_off");
  CHECK(handed["data"].value("reason", "") == "customer_asked");
  CHECK(handed.value("audience", "") == "everyone");

  // The agent is told live, and a fresh staff connection finds it in the queue.
  agent->wait_for(is_inbox_change(cid, "pending"), "inbox.changes notice: pending");
  {
    Staff second = Staff::connect_cookie(relay, agent.cookie);
    const Json& queue = second.snapshot["queue"];
    REQUIRE(queue.is_array());
    CHECK(std::any_of(queue.begin(), queue.end(), [&](const Json& c) { return c.value("id", "") == cid; }));
    second->close();
  }

  // Join: the whole history, staff-only summary included, seq 1..head without gaps.
  auto join = agent->request(cmd("chat.join", {{"conversation_id", cid}, {"after_seq", 0}}));
  REQUIRE(join.ok());
  auto history = events_of(join.before, cid);
  const auto head = join.data().value("head_seq", 0);
  REQUIRE(history.size() == static_cast<std::size_t>(head));
  for (std::size_t i = 0; i < history.size(); ++i)
    CHECK(history[i].value("seq", 0) == static_cast<int>(i + 1));
  auto summary_it = std::find_if(history.begin(), history.end(),
                                 [](const Json& f) { return f.value("type", "") == "chat.handoff_summary"; });
  REQUIRE(summary_it != history.end());
  CHECK(summary_it->value("audience", "") == "staff");
  const std::string summary = (*summary_it)["data"].value("summary", "");
  CHECK(!summary.empty());

  // Accept: the customer is told who is chatting.
  auto acc = agent->request(cmd("chat.accept", {{"conversation_id", cid}}));
  REQUIRE(acc.ok());
  auto assigned = cust->wait_for(is_event("chat.session_assigned", cid), "chat.session_assigned");
  CHECK(assigned["data"]["agent"].value("id", "") == agent_id);

  // Both sides talk; each sees the other.
  auto a1 = agent->request(cmd("chat.send_message", {{"conversation_id", cid},
                                                     {"client_msg_id", unique_id("a")},
                                                     {"text", "Hi Ada, Sam here. Which model is it?"}}));
  REQUIRE(a1.ok());
  auto got_a1 = cust->wait_for(is_message(cid, "Hi Ada, Sam here. Which model is it?"), "agent's message");
  CHECK(message_of(got_a1)["sender"].value("role", "") == "agent");
  auto c1 = cust.send(cid, "The T-1000, bought last spring.");
  REQUIRE(c1.ok());
  auto got_c1 = agent->wait_for(is_message(cid, "The T-1000, bought last spring."), "customer's message");
  CHECK(message_of(got_c1)["sender"].value("role", "") == "customer");

  // A staff-only note: the agent's side only.
  auto note = agent->request(cmd("chat.send_message", {{"conversation_id", cid},
                                                       {"client_msg_id", unique_id("n")},
                                                       {"kind", "note"},
                                                       {"text", "internal: warranty expired"}}));
  REQUIRE(note.ok());

  // Resolve.
  auto res = agent->request(cmd(
      "chat.resolve",
      {{"conversation_id", cid}, {"resolution", "Sent recalibration guide"}, {"issue_type", "technical"}}));
  REQUIRE(res.ok());
  auto resolved = cust->wait_for(is_event("chat.resolved", cid), "chat.resolved");
  CHECK(resolved["data"].value("ending", "") == "resolved_by_staff");
  auto rnote =
      agent->wait_for(is_event("chat.resolution_note", cid), "chat.resolution_note on the agent side");
  CHECK(rnote.value("audience", "") == "staff");
  CHECK(rnote["data"].value("resolution", "") == "Sent recalibration guide");

  // Audit of every frame the customer ever received.
  flush(*cust.ws);
  std::int64_t last_seq = 0;
  for (const Json& f : cust->all()) {
    const std::string type = f.value("type", "");
    INFO("customer frame: " << f.dump());
    CHECK(type != "chat.handoff_summary");
    CHECK(type != "chat.resolution_note");
    if (f.contains("audience")) CHECK(f.value("audience", "") == "everyone");
    if (message_of(f).is_object()) CHECK(message_of(f).value("kind", "") != "note");
    const std::string dump = f.dump();
    CHECK(dump.find("internal: warranty expired") == std::string::npos);
    CHECK(dump.find("Sent recalibration guide") == std::string::npos);
    CHECK(dump.find(summary) == std::string::npos);
    if (f.value("conversation_id", "") == cid && f.value("seq", 0) > 0) {
      CHECK(f.value("seq", 0) > last_seq);  // in order, never twice
      last_seq = f.value("seq", 0);
    }
  }

  // The transcript is stored, in order.
  auto stored = stored_messages(relay, cid);
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    texts.push_back(stored[i].text);
    if (i > 0) CHECK(stored[i].seq > stored[i - 1].seq);
  }
  const std::vector<std::string> expected = {"How do I calibrate the teleporter?",
                                             "I want to talk to a human",
                                             "Hi Ada, Sam here. Which model is it?",
                                             "The T-1000, bought last spring.", "internal: warranty expired"};
  std::size_t pos = 0;
  for (const auto& t : texts) {
    if (pos < expected.size() && t == expected[pos]) ++pos;
  }
  INFO("stored texts: " << Json(texts).dump());
  CHECK(pos == expected.size());
  auto note_row = std::find_if(stored.begin(), stored.end(),
                               [](const StoredMessage& m) { return m.text == "internal: warranty expired"; });
  REQUIRE(note_row != stored.end());
  CHECK(note_row->kind == "note");
  CHECK(std::any_of(stored.begin(), stored.end(), [](const StoredMessage& m) {
    return m.sender_role == "bot" && m.text.find("zebra button") != std::string::npos;
  }));

  // Clean shutdown.
  cust->close();
  agent->close();
  CHECK(relay.terminate() == 0);
}
