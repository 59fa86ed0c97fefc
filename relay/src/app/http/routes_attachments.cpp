// Attachment routes (issue 9; docs/api.md "Attachments", docs/architecture.md "Attachments"):
//   POST /api/v1/conversations/{id}/attachments   upload (raw body) -> a message of kind file
//   GET  /api/v1/attachments/{id}                 download
// Who: staff (session cookie, or an API key: read scope to download; uploads are messages, and
// messages to customers come from a person, so API keys cannot upload) in their tenant, or the
// customer of the conversation with their visitor token in X-Visitor-Token (the widget has no
// cookie). The routes are registered public_ and authorise here, because the router knows staff
// only.
//
// Upload order: size and type by content (parley/attachment.hpp) on the loop (cheap: the body is
// already in memory), then the bytes are written and fsynced on a worker (FileStore), then the
// attachments row and the chat.new_message event commit in one write (Hub::post_file_message).
#include <cctype>

#include "app/attachments/clamd.hpp"
#include "app/attachments/file_store.hpp"
#include "app/http/router.hpp"
#include "core/log.hpp"
#include "parley/attachment.hpp"
#include "store/auth.hpp"

namespace parley::relay {

using namespace http;

namespace {

constexpr std::size_t kMaxVisitorToken = 200;

FileStore files_of(const Hub& hub) { return FileStore(hub.options().data_dir + "/files"); }

// Finds out who is calling: a customer by visitor token, else staff through the router's rules.
void with_poster(const CtxPtr& ctx, std::function<void(Hub::FilePoster)> then) {
  const std::string& token = ctx->req.header("x-visitor-token");
  if (token.empty()) {
    std::variant<Caller, ApiError> who = authorise_request(ctx->hub, ctx->req, Access::staff);
    if (who.index() == 1) return ctx->res.error(std::get<ApiError>(who));
    ctx->caller = std::move(std::get<Caller>(who));
    Hub::FilePoster p;
    p.tenant_id = ctx->caller.tenant_id;
    p.staff = ctx->caller.who;
    return then(std::move(p));
  }
  if (token.size() > kMaxVisitorToken) {
    return ctx->res.error(api_error(ErrorCode::unauthorized, "unknown visitor token"));
  }
  const std::string hash = sha256_hex(token);
  on_reader(ctx, [ctx, hash, then = std::move(then)](StoreReader& db) -> std::function<void()> {
    auto v = std::make_shared<Result<std::optional<Visitor>>>(db.find_visitor(hash));
    return [ctx, v, then] {
      if (!*v) return ctx->res.error(v->error());
      if (!v->value()) return ctx->res.error(api_error(ErrorCode::unauthorized, "unknown visitor token"));
      Hub::FilePoster p;
      p.customer = true;
      p.tenant_id = v->value()->tenant_id;
      p.contact_id = v->value()->contact_id;
      then(std::move(p));
    };
  });
}

// The file name from X-File-Name (percent-encoded UTF-8, as encodeURIComponent makes it).
std::optional<ApiError> file_name_of(const Ctx& ctx, std::string& out) {
  const std::string& raw = ctx.req.header("x-file-name");
  if (raw.size() > 1000) return api_error(ErrorCode::text_too_long, "X-File-Name is longer than 1000 bytes", "X-File-Name");
  ApiResult<std::map<std::string, std::string>> q = parse_query("n=" + raw);
  if (!ok(q)) {
    ApiError e = std::get<ApiError>(q);
    e.field = "X-File-Name";
    return e;
  }
  out = clean_file_name(std::get<0>(q)["n"]);
  return std::nullopt;
}

ApiError refusal_error(const UploadCheck& c) {
  const UploadRefusal r = *c.refusal;
  const int status = r == UploadRefusal::too_large ? 413 : r == UploadRefusal::empty ? 400 : 415;
  return ApiError{status, std::string(to_string(r)), c.message, "file"};
}

Json attachment_json(const Attachment& a) {
  return Json{{"id", a.id},
              {"conversation_id", a.conversation_id},
              {"name", a.name},
              {"content_type", a.content_type},
              {"size", a.size},
              {"sha256", a.sha256},
              {"scan_status", a.scan_status},
              {"created_at", a.created_at},
              {"url", "/api/v1/attachments/" + a.id}};
}

// POST /api/v1/conversations/{id}/attachments  (raw body; X-File-Name; Idempotency-Key optional)
void upload(const CtxPtr& ctx) {
  with_poster(ctx, [ctx](Hub::FilePoster who) {
    if (!who.customer && ctx->caller.api_key) {
      return ctx->res.error(api_error(ErrorCode::forbidden,
                                      "an API key cannot upload: a file is a message to the customer, and those come "
                                      "from a person"));
    }
    // issue 9: a blocked visitor's uploads are refused like their messages (by contact or address).
    if (who.customer && ctx->hub.blocked(who.tenant_id, who.contact_id, ctx->req.remote_addr)) {
      return ctx->res.error(api_error(blocked_error()));
    }
    std::string name;
    if (auto e = file_name_of(*ctx, name)) return ctx->res.error(*e);
    const std::string& key = ctx->req.header("idempotency-key");
    if (auto e = check_text(key, kMaxIdChars, "Idempotency-Key")) return ctx->res.error(*e);
    const Conversation* c = ctx->hub.file_conversation(who, ctx->param(0));
    if (c == nullptr) return ctx->res.error(api_error(ErrorCode::not_found, "no such conversation"));
    const Tenant* t = ctx->hub.tenant(who.tenant_id);
    const AttachmentPolicy policy = t ? t->settings.attachment_policy() : AttachmentPolicy{};
    const UploadCheck check = check_upload(policy, ctx->req.body);
    if (check.refusal) return ctx->res.error(refusal_error(check));

    auto a = std::make_shared<Attachment>();
    a->id = random_id("att_");
    a->tenant_id = who.tenant_id;
    a->conversation_id = c->id;
    a->size = ctx->req.body.size();
    a->content_type = std::string(content_type_of(*check.type));
    a->name = name == "file" ? "file" + std::string(extension_of(*check.type)) : name;
    a->uploader_role = who.customer ? Role::customer : Role::agent;
    a->uploader_id = who.customer ? who.contact_id : who.staff.user.id;
    a->created_at = ctx->hub.now();
    const FileStore files = files_of(ctx->hub);
    const std::string clamd = ctx->hub.options().clamd_socket;
    ctx->hub.on_worker([ctx, who, a, files, key, clamd](StoreReader*) -> std::function<void()> {
      // The scan (when configured) before anything is written: an infected file is never stored.
      if (!clamd.empty()) {
        Result<ScanVerdict> v = clamd_scan(clamd, ctx->req.body);
        if (!v) {
          log::error("virus scan failed", {{"message", v.error().message}});
          return [ctx] {
            ctx->res.error(api_error(ErrorCode::unavailable, "the virus scanner is not available; nothing was posted"));
          };
        }
        if (!v->clean) {
          log::info("upload refused: virus found", {{"signature", v->signature}});
          return [ctx, sig = v->signature] {
            ctx->res.error(ApiError{422, "file_infected", "the file contains a virus (" + sig + ")", "file"});
          };
        }
        a->scan_status = "clean";
      }
      auto sha = std::make_shared<Result<std::string>>(files.put(ctx->req.body));
      return [ctx, who, a, sha, key] {
        if (!*sha) {
          log::error("attachment bytes not stored", {{"message", sha->error().message}});
          return ctx->res.error(api_error(ErrorCode::unavailable, "the file could not be stored; nothing was posted"));
        }
        a->sha256 = sha->value();
        const std::string cmid = key.empty() ? a->id : key;
        ctx->hub.post_file_message(who, *a, cmid, [ctx, a](Result<Json> r) {
          if (!r) return ctx->res.error(r.error());
          Json out = *r;
          const bool dup = out.value("duplicate", false);
          if (!dup) out["attachment"] = attachment_json(*a);
          ctx->res.json(dup ? 200 : 201, out);
        });
      };
    });
  });
}

// RFC 6266 / 5987: an ASCII fallback and the UTF-8 name.
std::string disposition(bool inline_image, const std::string& name) {
  std::string ascii, pct;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char ch : name) {
    ascii += (ch >= 0x20 && ch < 0x7F && ch != '"' && ch != '\\') ? static_cast<char>(ch) : '_';
    if (std::isalnum(ch) || ch == '.' || ch == '-' || ch == '_' || ch == '~') {
      pct += static_cast<char>(ch);
    } else {
      pct += '%';
      pct += hex[ch >> 4];
      pct += hex[ch & 15];
    }
  }
  return std::string(inline_image ? "inline" : "attachment") + "; filename=\"" + ascii + "\"; filename*=UTF-8''" + pct;
}

// GET /api/v1/attachments/{id}
void download(const CtxPtr& ctx) {
  with_poster(ctx, [ctx](Hub::FilePoster who) {
    const std::string tenant = who.tenant_id, id = ctx->param(0);
    on_reader(ctx, [ctx, who, tenant, id](StoreReader& db) -> std::function<void()> {
      auto row = std::make_shared<Result<std::optional<Attachment>>>(db.find_attachment(tenant, id));
      return [ctx, who, row] {
        if (!*row) return ctx->res.error(row->error());
        const std::optional<Attachment>& a = row->value();
        // Another tenant's, or another customer's conversation: the same answer as none at all.
        if (!a || ctx->hub.file_conversation(who, a->conversation_id) == nullptr) {
          return ctx->res.error(api_error(ErrorCode::not_found, "no such attachment"));
        }
        const FileStore files = files_of(ctx->hub);
        ctx->hub.on_worker([ctx, files, a = *a](StoreReader*) -> std::function<void()> {
          auto bytes = std::make_shared<Result<std::string>>(files.read(a.sha256));
          return [ctx, bytes, a] {
            if (!*bytes) {
              log::error("attachment bytes unreadable", {{"id", a.id}, {"message", bytes->error().message}});
              return ctx->res.error(api_error(ErrorCode::unavailable, "the file's bytes cannot be read"));
            }
            HttpResponse r;
            r.status = 200;
            r.content_type = a.content_type;
            r.body = std::move(bytes->value());
            r.headers.emplace_back("Content-Disposition", disposition(is_inline_image(a.content_type), a.name));
            r.headers.emplace_back("X-Content-Type-Options", "nosniff");
            r.headers.emplace_back("Content-Security-Policy", "sandbox; default-src 'none'");
            r.headers.emplace_back("Cache-Control", "private, no-store");
            r.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
            ctx->res.send(std::move(r));
          };
        });
      };
    });
  });
}

}  // namespace

void add_attachment_routes(std::vector<Route>& out) {
  out.push_back({"POST", {"api", "v1", "conversations", "*", "attachments"}, Access::public_, &upload});
  out.push_back({"GET", {"api", "v1", "attachments", "*"}, Access::public_, &download});
}

bool is_upload_route(const Route& r) { return r.handler == &upload; }

}  // namespace parley::relay
