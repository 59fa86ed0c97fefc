// relay/src/app/http_api.hpp: the REST API (/api/v1/*, /api/chat/sync, /api/config, settings, users,
// knowledge base import, stats) and /webhooks/*, documented in docs/api.md. Implemented in
// app/http_api.cpp on top of the Hub's "Operations for HTTP handlers".
#pragma once

#include "app/hub.hpp"
#include "net/server.hpp"

namespace parley::relay {

// Serves every /api/* and /webhooks/* request the Hub does not serve itself (the Hub answers
// /api/login, /api/logout, /api/me). Runs on the loop thread; must call `reply` exactly once, on
// the loop thread. Unknown paths: 404 {"error":{"code":"not_found","message":...}}.
void handle_api(Hub& hub, HttpRequest req, HttpReply reply);

}  // namespace parley::relay
