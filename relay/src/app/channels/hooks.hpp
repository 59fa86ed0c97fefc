// relay/src/app/channels/hooks.hpp: where the channel modules (app/channels/, issue 11) plug into
// the hub without the hub knowing them. Plain std::functions, installed once before the hub starts
// (Hub::set_channel_hooks); every one runs on the loop thread and must not block.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "domain/store_api.hpp"

namespace parley::relay {

struct ChannelHooks {
  // Just before a conversation's write goes to the store (live/write_pipeline.cpp): `next` is the
  // state it stores, `events` the events it appends. Mutations added to `ops` are stored in the
  // SAME all-or-nothing write (the outbox rows of outbound messages: written with the message).
  std::function<void(const Conversation& next, const std::vector<Event>& events, std::vector<Mutation>& ops)>
      on_write;
  // After that write committed and its events were broadcast.
  std::function<void(const Conversation& committed, const std::vector<Event>& events)> on_commit;
  // A staff text message about to be decided on `c`: an Error refuses it before anything is
  // stored or sent (WhatsApp's 24-hour window). nullopt lets it through.
  std::function<std::optional<Error>(const Conversation& c)> send_guard;
  // A typing or seen signal on `c` (ephemeral: never stored), after it reached the conversation's
  // subscribers. `by` sent it; `type` is ev::typing or ev::seen; `data` its payload ({"typing"} or
  // {"seq"}). WhatsApp turns a staff member's into a read receipt and a typing indicator.
  std::function<void(const Conversation& c, const Actor& by, std::string_view type, const Json& data)> on_signal;
  // The channel module itself, for its HTTP routes (app/channels/channels.hpp casts it back).
  std::shared_ptr<void> module;
};

}  // namespace parley::relay
