// fake_relay.hpp: a transport that records what the client sends, and helpers that build the
// relay's frames (docs/protocol.md shapes) for the client tests.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/session.hpp"
#include "parley/protocol.hpp"
#include "widget/widget_model.hpp"

namespace parley::test {

struct FakeTransport : client::Transport {
  bool open = true;
  int reconnects = 0;
  std::vector<std::string> sent;

  bool send_text(const std::string& frame) override {
    if (!open) return false;
    sent.push_back(frame);
    return true;
  }
  void reconnect() override { ++reconnects; }

  // The sent frames as JSON, optionally only those of one type.
  std::vector<Json> frames(const std::string& type = "") const {
    std::vector<Json> out;
    for (const std::string& s : sent) {
      Json j = Json::parse(s, nullptr, false);
      if (type.empty() || (j.is_object() && j.value("type", "") == type)) out.push_back(j);
    }
    return out;
  }
  Json last(const std::string& type) const {
    const auto f = frames(type);
    return f.empty() ? Json() : f.back();
  }
};

struct MapStorage : widget::Storage {
  std::map<std::string, std::string> values;
  std::string get(const std::string& key) override {
    const auto it = values.find(key);
    return it == values.end() ? std::string() : it->second;
  }
  void set(const std::string& key, const std::string& value) override { values[key] = value; }
};

inline std::string ack(const std::string& re, const Json& data) { return encode_ack(re, data); }
inline std::string error(const std::string& re, ErrorCode code, const std::string& message) {
  return encode_error(re, make_error(code, message));
}

inline Conversation conversation(const std::string& id, Status status, Seq head) {
  Conversation c;
  c.id = id;
  c.tenant_id = "t_default";
  c.contact_id = "k_1";
  c.status = status;
  c.head_seq = head;
  return c;
}

inline std::string message_event(const std::string& conv, Seq seq, Role role, const std::string& name,
                                 const std::string& text, Millis at, const std::string& client_msg_id = "") {
  Message m;
  m.conversation_id = conv;
  m.seq = seq;
  m.client_msg_id = client_msg_id;
  m.sender_role = role;
  m.sender_id = role == Role::customer ? "k_1" : role == Role::bot ? "bot" : "u_1";
  m.sender_name = name;
  m.text = text;
  m.at = at;
  Event e;
  e.conversation_id = conv;
  e.seq = seq;
  e.type = std::string(ev::new_message);
  e.at = at;
  e.actor = Actor{role, m.sender_id, name};
  e.data = Json{{"message", to_json(m)}};
  return encode_event(e);
}

inline std::string event(const std::string& conv, Seq seq, std::string_view type, const Json& data, Millis at,
                         Actor actor = Actor{Role::system, "system", ""},
                         Audience audience = Audience::everyone) {
  Event e;
  e.conversation_id = conv;
  e.seq = seq;
  e.type = std::string(type);
  e.audience = audience;
  e.at = at;
  e.actor = std::move(actor);
  e.data = data;
  return encode_event(e);
}

inline std::string new_session(const std::string& conv, Seq seq, Millis at) {
  return event(conv, seq, ev::new_session,
               Json{{"conversation", to_json(conversation(conv, Status::bot, seq), false)}}, at);
}

}  // namespace parley::test
