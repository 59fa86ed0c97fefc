// parley/protocol.hpp: the issue 9 commands chat.transfer and chat.set_issue_type.
#include <doctest/doctest.h>

#include <string>

#include "parley/protocol.hpp"

using namespace parley;

namespace {
Incoming decode(const std::string& frame) { return decode_command(frame); }
std::string code(const Incoming& in) { return in.command ? "" : std::string(to_string(in.command.error().code)); }
}  // namespace

TEST_CASE("chat.transfer names an agent or a team, with an optional note") {
  Incoming a = decode(R"({"v":1,"type":"chat.transfer","id":"r1","conversation_id":"c_1","agent_id":"u_2","note":"refund"})");
  const auto* t = a.command ? std::get_if<ChatTransfer>(&*a.command) : nullptr;
  if (t == nullptr) {
    FAIL_CHECK("not decoded");
    return;
  }
  CHECK(t->agent_id == "u_2");
  CHECK(t->team.empty());
  CHECK(t->note == "refund");
  CHECK(a.id == "r1");
  Incoming b = decode(R"({"v":1,"type":"chat.transfer","conversation_id":"c_1","team":"  billing "})");
  CHECK(b.command);
  if (b.command) CHECK(std::get<ChatTransfer>(*b.command).team == "billing");
  CHECK(code(decode(R"({"v":1,"type":"chat.transfer","conversation_id":"c_1"})")) == "missing_field");
  CHECK(code(decode(R"({"v":1,"type":"chat.transfer","conversation_id":"c_1","team":"  "})")) == "missing_field");
  CHECK(code(decode(R"({"v":1,"type":"chat.transfer","conversation_id":"c_1","agent_id":"u_2","team":"x"})")) ==
        "bad_field");
  CHECK(code(decode(R"({"v":1,"type":"chat.transfer","agent_id":"u_2"})")) == "missing_field");
  CHECK(code(decode(R"({"v":1,"type":"chat.transfer","conversation_id":"c_1","agent_id":7})")) == "bad_field");
  CHECK(code(decode(R"({"v":1,"type":"chat.transfer","conversation_id":"c_1","agent_id":"u_2","note":")" +
                    std::string(2001, 'x') + "\"}")) == "text_too_long");
  // Round trip.
  ChatTransfer out{"c_1", "u_2", "", "a note"};
  Incoming back = decode(encode_command(out, "r9"));
  CHECK(back.command);
  if (!back.command) return;
  CHECK(command_name(*back.command) == "chat.transfer");
  CHECK(std::get<ChatTransfer>(*back.command).note == "a note");
}

TEST_CASE("chat.set_issue_type needs an issue type") {
  Incoming a = decode(R"({"v":1,"type":"chat.set_issue_type","conversation_id":"c_1","issue_type":"billing"})");
  CHECK(a.command);
  if (a.command) CHECK(std::get<SetIssueType>(*a.command).issue_type == "billing");
  CHECK(code(decode(R"({"v":1,"type":"chat.set_issue_type","conversation_id":"c_1"})")) == "missing_field");
  Incoming back = decode(encode_command(SetIssueType{"c_1", "technical"}, ""));
  CHECK(back.command);
  if (back.command) CHECK(command_name(*back.command) == "chat.set_issue_type");
}

TEST_CASE("chat.share_article names the article and the message") {
  Incoming a = decode(R"({"v":1,"type":"chat.share_article","conversation_id":"c_1","client_msg_id":"m1","article_id":"kb-1"})");
  CHECK(a.command);
  if (a.command) CHECK(std::get<ShareArticle>(*a.command).article_id == "kb-1");
  CHECK(code(decode(R"({"v":1,"type":"chat.share_article","conversation_id":"c_1","article_id":"kb-1"})")) == "missing_field");
  CHECK(code(decode(R"({"v":1,"type":"chat.share_article","conversation_id":"c_1","client_msg_id":"m1"})")) == "missing_field");
}
