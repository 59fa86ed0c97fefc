// The mirror bridge: an external assistant (an ElevenLabs agent, a bot of the organisation's)
// mirrors its conversation into Parley through POST /api/chat/sync, and hands the customer to
// staff with POST /api/chat/handoff (docs/api.md "Mirror"). The conversation is answered by
// that assistant (answered_by external), so Parley's own assistant stays silent; staff take
// over through an explicit hand-off. Channels (WhatsApp, ...) will sit beside this file: like
// it, they decode the provider's format and call Hub::ingest.
//
// Loop thread; reads run on workers (inside Hub::ingest / find_channel_conversation).
#include "app/http/router.hpp"
#include "parley/text.hpp"

namespace parley::relay {

using namespace http;

namespace {

// POST /api/chat/sync
void post_sync(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  const Tenant* t = ctx->hub.tenant(ctx->tenant_id());
  if (t == nullptr) return ctx->res.error(api_error(ErrorCode::unauthorized, "the API key's tenant is gone"));
  ApiResult<SyncRequest> r = decode_sync(body, t->settings.assistant_name);
  if (!decoded(*ctx, r)) return;
  SyncRequest& req = std::get<SyncRequest>(r);
  ChannelMessage m;
  m.tenant_id = ctx->tenant_id();
  m.channel = Channel::api;  // contacts are found by (api, external id)
  m.external_user_id = req.user_id;
  m.user_name = req.user_name;
  m.user_email = req.user_email;
  m.sender = req.sender;
  m.sender_name = req.sender_name;
  m.text = std::string(trim(req.message));
  m.client_msg_id = req.message_id.empty() ? "" : "sync:" + req.message_id;
  m.at = req.at;
  m.priority = req.priority;
  m.answered_by = Answerer::external;
  ctx->hub.ingest(std::move(m), [ctx](Result<IngestResult> ir) {
    if (!ir) return ctx->res.error(ir.error());
    ctx->res.json(200, Json{{"success", true},
                            {"conversation_id", ir->conversation_id},
                            {"saved", ir->saved},
                            {"seq", ir->seq}});
  });
}

// POST /api/chat/handoff {user_id, reason}
void post_chat_handoff(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  ApiResult<HandoffRequest> r = decode_handoff(body, /*with_user_id=*/true);
  if (!decoded(*ctx, r)) return;
  const HandoffRequest m = std::get<HandoffRequest>(r);
  ctx->hub.find_channel_conversation(ctx->tenant_id(), Channel::api, m.user_id,
                                     [ctx, m](Result<std::optional<std::string>> found) {
    if (!found) return ctx->res.error(found.error());
    if (!found->has_value()) {
      return ctx->res.error(api_error(ErrorCode::not_found, "no open mirrored conversation for this user_id", "user_id"));
    }
    const Actor by{Role::system, "api", "API"};
    ctx->hub.queue_handoff(ctx->tenant_id(), **found, by, m.reason.empty() ? "mirror_handoff" : m.reason,
                           [ctx](Result<Json> out) {
                             if (!out) return ctx->res.error(out.error());
                             Json j = *out;
                             j["success"] = true;
                             ctx->res.json(200, j);
                           });
  });
}

}  // namespace

void add_mirror_routes(std::vector<Route>& out) {
  out.push_back({"POST", {"api", "chat", "sync"}, Access::sync, &post_sync});
  out.push_back({"POST", {"api", "chat", "handoff"}, Access::sync, &post_chat_handoff});
}

}  // namespace parley::relay
