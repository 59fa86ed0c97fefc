// relay/src/app/channel_message.hpp: a message that reaches the hub from outside the WebSocket
// protocol (Hub::ingest): the mirror of an external assistant today, WhatsApp and the other
// channels later. Plain values.
#pragma once

#include <optional>
#include <string>

#include "parley/model.hpp"

namespace parley::relay {

// A message arriving from outside the WebSocket protocol (the mirror of an external assistant,
// later WhatsApp and the other channels), addressed by the sender's external id.
struct ChannelMessage {
  std::string tenant_id;
  Channel channel = Channel::api;
  std::string external_user_id;  // the contact's id on that channel
  std::string user_name, user_email;
  Role sender = Role::customer;  // customer | bot | agent
  std::string sender_name;       // shown for bot/agent senders
  std::string text;              // trimmed, non-empty
  std::string client_msg_id;     // tenant-wide idempotency key ("" = none)
  std::optional<Millis> at;      // nullopt = now
  std::optional<Priority> priority;
  Answerer answered_by = Answerer::external;  // who answers first in a new conversation
  // issue 11: a new contact's phone; MessageKind::system (with sender system) posts a system line
  // (a WhatsApp message Parley cannot show) instead of a text.
  std::string user_phone;
  MessageKind kind = MessageKind::text;
};
struct IngestResult {
  std::string conversation_id;
  Seq seq = 0;
  bool saved = true;  // false: a duplicate client_msg_id, nothing stored
};

}  // namespace parley::relay
