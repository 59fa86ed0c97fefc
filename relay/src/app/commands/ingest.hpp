// relay/src/app/commands/ingest.hpp: stores a channel message (Hub::ingest; contract in
// app/hub.hpp and app/channel_message.hpp). Loop thread; the database reads it needs run on a
// worker. Timestamps are bounded: at most 5 minutes ahead of the relay's clock (else bad_field),
// and never before the conversation's start (an older one is pulled forward to it, so a mirror
// may import history into a new conversation but cannot rewrite an existing one's past).
#pragma once

#include <functional>

#include "app/channel_message.hpp"
#include "parley/result.hpp"

namespace parley::relay {

struct HubState;
void ingest(HubState& hub, ChannelMessage m, std::function<void(Result<IngestResult>)> cb);

}  // namespace parley::relay
