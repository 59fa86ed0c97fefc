// Statistics and export routes (docs/api.md "Stats", "Export").
#include "app/http/router.hpp"

#include <cmath>

namespace parley::relay {

using namespace http;

namespace {

// GET /api/v1/stats (alias GET /api/live-chat/queue-stats): the hub's incremental counters, the
// same numbers as the inbox's "counts"; only the longest wait walks the queue.
// GET /api/live-chat/queue/stats (routes_routing.cpp) answers these and the queue by priority.
void get_stats(const CtxPtr& ctx) { ctx->res.json(200, day_stats_json(*ctx)); }

// GET /api/v1/export?offset=&limit= : JSON Lines, one conversation per line with its contact and
// every message (staff view). Built on a worker: at most `limit` conversations (default and max
// 2000) and about 64 MiB per response; the last line says where to go on.
void get_export(const CtxPtr& ctx) {
  std::uint64_t offset = 0, limit = 0;
  if (!query_uint(*ctx, "offset", 100000000, 0, offset) || !query_uint(*ctx, "limit", 2000, 2000, limit)) return;
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant, offset, limit](StoreReader& db) -> std::function<void()> {
    constexpr std::size_t kMaxBytes = 64u * 1024 * 1024;
    constexpr std::size_t kPage = 200;
    auto body = std::make_shared<std::string>();
    std::size_t done = 0;
    bool more = limit > 0;  // limit=0: an empty export
    while (done < limit && body->size() < kMaxBytes) {
      ConversationFilter f;
      f.limit = std::min<std::size_t>(kPage, limit - done);
      f.offset = offset + done;
      Result<std::vector<Conversation>> page = db.list_conversations(tenant, f);
      if (!page) return [ctx, e = page.error()] { ctx->res.error(e); };
      for (const Conversation& c : page.value()) {
        Json line{{"conversation", to_json(c, /*staff=*/true)}, {"contact", nullptr}};
        Result<std::optional<Contact>> contact = db.find_contact(tenant, c.contact_id);
        if (contact && contact.value()) line["contact"] = contact_json(*contact.value());
        Result<std::vector<Message>> msgs = db.load_messages(tenant, c.id, /*staff=*/true);
        if (!msgs) return [ctx, e = msgs.error()] { ctx->res.error(e); };
        Json list = Json::array();
        for (const Message& m : msgs.value()) list.push_back(to_json(m));
        line["messages"] = std::move(list);
        *body += dump_json(line);
        *body += '\n';
        ++done;
        if (body->size() >= kMaxBytes) break;
      }
      if (page.value().size() < f.limit) {
        more = false;
        break;
      }
    }
    if (more) *body += dump_json(Json{{"next_offset", offset + done}}) + "\n";
    return [ctx, body] {
      HttpResponse r;
      r.status = 200;
      r.content_type = "application/x-ndjson; charset=utf-8";
      r.headers.emplace_back("Cache-Control", "no-store");
      r.headers.emplace_back("Content-Disposition", "attachment; filename=\"parley-export.jsonl\"");
      r.body = std::move(*body);
      ctx->res.send(std::move(r));
    };
  });
}

}  // namespace

Json day_stats_json(const Ctx& ctx) {
  const std::string tenant_id = ctx.tenant_id();
  const Tenant* t = ctx.hub.tenant(tenant_id);
  const std::string tz_name = t ? t->settings.time_zone : "UTC";
  const InboxCounts n = ctx.hub.counts(tenant_id);
  // Rounded at the edge to a tenth of a second: 82.9, not 82.89399999999999 (issue 8).
  const auto avg_s = [](std::int64_t sum, std::int64_t count) {
    return count == 0 ? 0.0 : std::round((sum / 100.0) / static_cast<double>(count)) / 10.0;
  };
  return Json{{"active", n.active},
              {"waiting", n.waiting},
              {"with_assistant", n.bot},
              {"resolved_today", n.resolved_today},
              {"avg_wait_s", avg_s(n.wait_sum_ms, n.wait_n)},
              {"avg_first_response_s", avg_s(n.first_response_sum_ms, n.first_response_n)},
              {"longest_wait_s", ctx.hub.longest_wait_ms(tenant_id) / 1000},
              {"by_status", {{"bot", n.bot}, {"pending", n.waiting}, {"active", n.active}, {"resolved", n.resolved}}},
              {"time_zone", n.time_zone_known ? tz_name : std::string("UTC")},
              {"day_start", n.day_start},
              {"server_time", ctx.hub.now()}};
}

void add_stats_routes(std::vector<Route>& out) {
  out.push_back({"GET", {"api", "v1", "stats"}, Access::staff, &get_stats});
  out.push_back({"GET", {"api", "live-chat", "queue-stats"}, Access::staff, &get_stats});
  out.push_back({"GET", {"api", "v1", "export"}, Access::admin, &get_export});
}

}  // namespace parley::relay
