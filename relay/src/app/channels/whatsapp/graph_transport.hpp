// relay/src/app/channels/whatsapp/graph_transport.hpp: the Graph API transport the relay uses:
// the outbound HTTP client (app/outbound/http_client.hpp), so every call passes the outbound URL
// rule (a tenant's base_url pointing at loopback or a private address is refused unless the
// operator allows it) with timeouts and a response size cap. Blocking: the outbox worker calls it.
#pragma once

#include <memory>

#include "app/channels/whatsapp/whatsapp.hpp"
#include "app/outbound/http_client.hpp"

namespace parley::relay {

GraphTransport graph_transport(std::shared_ptr<outbound::HttpClient> client);

}  // namespace parley::relay
