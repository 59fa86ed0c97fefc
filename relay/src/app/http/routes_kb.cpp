// Issue 10, knowledge-base management (docs/api.md "Knowledge base"). Reads are staff (any role;
// API keys: read), changes admin (API keys: admin); every route sees its own tenant only (another
// tenant's article ids answer 404). The bulk routes GET/POST /api/v1/kb stay in routes_admin.cpp.
//   GET    /api/v1/kb/articles?category=&active=        every article without its body, in order
//   POST   /api/v1/kb/articles   {id?, title, body, category?, keywords?, language?, active?} -> 201
//   GET    /api/v1/kb/articles/{id}
//   PATCH  /api/v1/kb/articles/{id}   any of title, body, category, keywords, language, active
//   DELETE /api/v1/kb/articles/{id}
//   GET    /api/v1/kb/search?q=&limit=&category=&include_inactive=   FTS5 + BM25, passages, confidence
//   GET    /api/v1/kb/synonyms           PUT /api/v1/kb/synonyms {"synonyms": {word: [words]}}
// Article rules (sizes, language, ...) are parley/kb_admin.hpp's, shared with parleyctl and the inbox.
// Every change is audited (kb.article_created / _updated / _deleted, kb.synonyms_saved) in the
// same write, and live for the assistant once committed (Hub::change_kb).
#include <cmath>

#include "app/http/router.hpp"
#include "parley/kb_admin.hpp"
#include "store/auth.hpp"

namespace parley::relay {

using namespace http;

namespace {

constexpr std::size_t kMaxSearchLimit = 20;

Json article_json(const KbArticle& a, bool with_body) {
  Json j{{"id", a.id},           {"title", a.title},       {"category", a.category},
         {"keywords", a.keywords}, {"language", a.language}, {"active", a.active},
         {"updated_at", a.updated_at}, {"usage_count", a.usage_count}};
  if (with_body) j["body"] = a.body;
  return j;
}

ApiError problem_error(const KbProblem& p) { return api_error(ErrorCode::bad_field, p.field + ": " + p.message, p.field); }

// Reads the article fields present in `body` into `a` (POST: all; PATCH: those given). Unknown
// fields are refused, so a typo never silently does nothing.
std::optional<ApiError> read_fields(const Json& body, KbArticle& a, bool create) {
  for (const auto& [key, value] : body.items()) {
    if (key != "title" && key != "body" && key != "category" && key != "keywords" && key != "language" &&
        key != "active" && !(create && key == "id")) {
      return api_error(ErrorCode::bad_field, "unknown field: " + key, key);
    }
  }
  FieldReader r(body);
  const Need need = create ? Need::required : Need::optional;
  if (create && r.has("id")) a.id = r.id("id", Need::optional, kKbMaxIdChars);
  if (create || r.has("title")) a.title = r.text("title", need, kKbMaxTitleChars, true);
  if (create || r.has("body")) a.body = r.text("body", need, kKbMaxBodyChars, true);
  if (r.has("category")) a.category = r.text("category", Need::optional, kKbMaxCategoryChars, true);
  if (r.has("keywords")) a.keywords = normalise_kb_keywords(r.strings("keywords", Need::optional, kKbMaxKeywords, kKbMaxKeywordChars));
  if (r.has("language")) a.language = r.text("language", Need::optional, 8, true);
  if (const auto f = r.flag("active")) a.active = *f;
  if (r.failed()) return *r.error();
  if (auto p = check_kb_article(a)) return problem_error(*p);
  return std::nullopt;
}

AuditEntry audit_entry(const Ctx& ctx, std::string action, const std::string& target, Json data) {
  return AuditEntry{ctx.tenant_id(), ctx.caller.actor_type(), ctx.caller.who.user.id, std::move(action), target,
                    std::move(data), ctx.hub.now()};
}

// ---- articles ----

void get_articles(const CtxPtr& ctx) {
  const std::string category = ctx->q("category");
  const std::string active = ctx->q("active");
  if (auto e = check_text(category, kKbMaxCategoryChars, "category")) return ctx->res.error(*e);
  if (!active.empty() && active != "0" && active != "1") {
    return ctx->res.error(api_error(ErrorCode::bad_field, "active must be 0 or 1", "active"));
  }
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant, category, active](StoreReader& db) -> std::function<void()> {
    auto kb = std::make_shared<Result<std::vector<KbArticle>>>(db.load_kb(tenant));
    return [ctx, kb, category, active] {
      if (!*kb) return ctx->res.error(kb->error());
      Json list = Json::array();
      for (const KbArticle& a : **kb) {
        if (!category.empty() && a.category != category) continue;
        if (!active.empty() && a.active != (active == "1")) continue;
        list.push_back(article_json(a, false));
      }
      const std::size_t n = list.size();
      ctx->res.json(200, Json{{"articles", std::move(list)}, {"total", n}});
    };
  });
}

void get_article(const CtxPtr& ctx) {
  const std::string tenant = ctx->tenant_id();
  const std::string id = ctx->param(0);
  on_reader(ctx, [ctx, tenant, id](StoreReader& db) -> std::function<void()> {
    auto a = std::make_shared<Result<std::optional<KbArticle>>>(db.find_kb_article(tenant, id));
    return [ctx, a] {
      if (!*a) return ctx->res.error(a->error());
      if (!**a) return ctx->res.error(api_error(ErrorCode::not_found, "no such knowledge-base article"));
      ctx->res.json(200, article_json(***a, true));
    };
  });
}

void post_article(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  KbArticle a;
  a.id = random_id("kb_");
  if (auto e = read_fields(body, a, /*create=*/true)) return ctx->res.error(*e);
  a.updated_at = ctx->hub.now();
  std::vector<Mutation> ops;
  ops.push_back(UpsertKbArticle{ctx->tenant_id(), a, true});
  ops.push_back(AppendAudit{audit_entry(*ctx, "kb.article_created", a.id, Json{{"title", a.title}})});
  ctx->hub.change_kb(ctx->tenant_id(), std::move(ops), [ctx, a](std::optional<Error> e) {
    if (e && is_duplicate(*e, "id")) return ctx->res.error(conflict("an article with this id exists", "id"));
    if (e) return ctx->res.error(*e);
    ctx->res.json(201, article_json(a, true));
  });
}

void patch_article(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  if (body.empty()) return ctx->res.error(api_error(ErrorCode::missing_field, "nothing to change"));
  const std::string tenant = ctx->tenant_id();
  const std::string id = ctx->param(0);
  on_reader(ctx, [ctx, tenant, id, body](StoreReader& db) -> std::function<void()> {
    auto found = std::make_shared<Result<std::optional<KbArticle>>>(db.find_kb_article(tenant, id));
    return [ctx, found, body, tenant] {
      if (!*found) return ctx->res.error(found->error());
      if (!**found) return ctx->res.error(api_error(ErrorCode::not_found, "no such knowledge-base article"));
      KbArticle a = ***found;
      if (auto e = read_fields(body, a, /*create=*/false)) return ctx->res.error(*e);
      a.updated_at = ctx->hub.now();
      Json fields = Json::array();
      for (const auto& [key, value] : body.items()) fields.push_back(key);
      std::vector<Mutation> ops;
      ops.push_back(UpsertKbArticle{tenant, a, false});
      ops.push_back(AppendAudit{audit_entry(*ctx, "kb.article_updated", a.id, Json{{"fields", fields}})});
      ctx->hub.change_kb(tenant, std::move(ops), [ctx, a](std::optional<Error> e) {
        if (e) return ctx->res.error(*e);
        ctx->res.json(200, article_json(a, true));
      });
    };
  });
}

void delete_article(const CtxPtr& ctx) {
  const std::string id = ctx->param(0);
  if (auto e = check_text(id, kKbMaxIdChars, "id")) return ctx->res.error(*e);
  std::vector<Mutation> ops;
  ops.push_back(DeleteKbArticle{ctx->tenant_id(), id});
  ops.push_back(AppendAudit{audit_entry(*ctx, "kb.article_deleted", id, Json::object())});
  ctx->hub.change_kb(ctx->tenant_id(), std::move(ops), [ctx, id](std::optional<Error> e) {
    if (e) return ctx->res.error(*e);  // not_found: 404, nothing audited (one all-or-nothing write)
    ctx->res.json(200, Json{{"id", id}, {"deleted", true}});
  });
}

// ---- search ----

void get_search(const CtxPtr& ctx) {
  KbSearchQuery q;
  q.q = ctx->q("q");
  q.category = ctx->q("category");
  if (auto e = check_text(q.q, kKbMaxQueryChars, "q")) return ctx->res.error(*e);
  if (auto e = check_text(q.category, kKbMaxCategoryChars, "category")) return ctx->res.error(*e);
  if (q.q.find_first_not_of(" \t\r\n") == std::string::npos) {
    return ctx->res.error(api_error(ErrorCode::missing_field, "q must hold words to search for", "q"));
  }
  const std::string inactive = ctx->q("include_inactive");
  if (!inactive.empty() && inactive != "0" && inactive != "1") {
    return ctx->res.error(api_error(ErrorCode::bad_field, "include_inactive must be 0 or 1", "include_inactive"));
  }
  q.include_inactive = inactive == "1";
  std::uint64_t limit = 0;
  if (!query_uint(*ctx, "limit", kMaxSearchLimit, 5, limit)) return;
  if (limit == 0) return ctx->res.error(api_error(ErrorCode::bad_field, "limit must be 1 or more", "limit"));
  q.limit = limit;
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant, q](StoreReader& db) -> std::function<void()> {
    auto hits = std::make_shared<Result<std::vector<KbSearchHit>>>(db.search_kb(tenant, q));
    return [ctx, hits, q] {
      if (!*hits) return ctx->res.error(hits->error());
      Json list = Json::array();
      for (const KbSearchHit& h : **hits) {
        Json j = article_json(h.article, false);
        j["score"] = std::round(h.score * 1000) / 1000;
        j["confidence"] = std::round(h.confidence * 100) / 100;
        j["passage"] = h.passage;
        j["title_marked"] = h.title_marked;
        list.push_back(std::move(j));
      }
      ctx->res.json(200, Json{{"q", q.q}, {"results", std::move(list)}});
    };
  });
}

// ---- synonyms ----

void get_synonyms(const CtxPtr& ctx) {
  const std::string tenant = ctx->tenant_id();
  on_reader(ctx, [ctx, tenant](StoreReader& db) -> std::function<void()> {
    auto syn = std::make_shared<Result<Synonyms>>(db.load_kb_synonyms(tenant));
    return [ctx, syn] {
      if (!*syn) return ctx->res.error(syn->error());
      Json j = Json::object();
      for (const auto& [word, values] : **syn) j[word] = values;
      ctx->res.json(200, Json{{"synonyms", std::move(j)}});
    };
  });
}

void put_synonyms(const CtxPtr& ctx) {
  Json body;
  if (!body_json(*ctx, body)) return;
  const auto it = body.find("synonyms");
  if (it == body.end()) return ctx->res.error(api_error(ErrorCode::missing_field, "field \"synonyms\" is required", "synonyms"));
  if (!it->is_object()) return ctx->res.error(api_error(ErrorCode::bad_field, "synonyms must be an object of word: [words]", "synonyms"));
  if (it->size() > kKbMaxSynonymWords) {
    return ctx->res.error(api_error(ErrorCode::bad_field, "at most " + std::to_string(kKbMaxSynonymWords) + " words", "synonyms"));
  }
  Synonyms syn;
  for (const auto& [word, values] : it->items()) {
    const std::string field = "synonyms." + word;
    if (auto e = check_text(word, kKbMaxKeywordChars, field)) return ctx->res.error(*e);
    std::vector<std::string> key = normalise_kb_keywords({word});
    if (key.empty()) return ctx->res.error(api_error(ErrorCode::bad_field, "a word must not be empty", "synonyms"));
    if (!values.is_array() || values.empty() || values.size() > kKbMaxSynonymsPerWord) {
      return ctx->res.error(api_error(ErrorCode::bad_field,
                                      "must be a list of 1 to " + std::to_string(kKbMaxSynonymsPerWord) + " words", field));
    }
    std::vector<std::string> list;
    for (const Json& v : values) {
      if (!v.is_string()) return ctx->res.error(api_error(ErrorCode::bad_field, "must be a list of strings", field));
      if (auto e = check_text(v.get_ref<const std::string&>(), kKbMaxKeywordChars, field)) return ctx->res.error(*e);
      list.push_back(v.get<std::string>());
    }
    list = normalise_kb_keywords(list);
    if (list.empty()) return ctx->res.error(api_error(ErrorCode::bad_field, "must hold a word", field));
    auto& into = syn[key.front()];
    for (std::string& s : list) into.push_back(std::move(s));
  }
  const std::size_t n = syn.size();
  std::vector<Mutation> ops;
  ops.push_back(SaveKbSynonyms{ctx->tenant_id(), syn});
  ops.push_back(AppendAudit{audit_entry(*ctx, "kb.synonyms_saved", ctx->tenant_id(), Json{{"words", n}})});
  ctx->hub.change_kb(ctx->tenant_id(), std::move(ops), [ctx, syn](std::optional<Error> e) {
    if (e) return ctx->res.error(*e);
    Json j = Json::object();
    for (const auto& [word, values] : syn) j[word] = values;
    ctx->res.json(200, Json{{"synonyms", std::move(j)}});
  });
}

}  // namespace

void add_kb_routes(std::vector<Route>& out) {
  out.push_back({"GET", {"api", "v1", "kb", "articles"}, Access::staff, &get_articles});
  out.push_back({"POST", {"api", "v1", "kb", "articles"}, Access::admin, &post_article});
  out.push_back({"GET", {"api", "v1", "kb", "articles", "*"}, Access::staff, &get_article});
  out.push_back({"PATCH", {"api", "v1", "kb", "articles", "*"}, Access::admin, &patch_article});
  out.push_back({"DELETE", {"api", "v1", "kb", "articles", "*"}, Access::admin, &delete_article});
  out.push_back({"GET", {"api", "v1", "kb", "search"}, Access::staff, &get_search});
  out.push_back({"GET", {"api", "v1", "kb", "synonyms"}, Access::staff, &get_synonyms});
  out.push_back({"PUT", {"api", "v1", "kb", "synonyms"}, Access::admin, &put_synonyms});
}

}  // namespace parley::relay
