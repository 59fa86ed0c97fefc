// tools/parleyctl/cmd_tenant.cpp: tenant show | set | create | list. `tenant set` merges one
// field into the stored settings (store/settings_patch.hpp), never writing other fields back.
#include <cctype>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>

#include "ctl.hpp"
#include "store/auth.hpp"
#include "store/change_log.hpp"
#include "store/settings_patch.hpp"

namespace parley::ctl {
namespace {

Json tenant_json(const relay::Tenant& t) {
  return Json{{"id", t.id}, {"slug", t.slug}, {"name", t.name}, {"settings", relay::to_json(t.settings)}};
}

// The JSON value for `tenant set KEY VALUE` (see the help text).
Json setting_value(const std::string& key, const std::string& text) {
  static const std::set<std::string> kText = {"title",    "welcome",   "brand_color",
                                              "position", "time_zone", "assistant_name"};
  static const std::set<std::string> kLists = {"allowed_sites", "issue_types"};
  if (kText.count(key) != 0) return text;
  const Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (kLists.count(key) != 0 && !parsed.is_array()) {
    Json list = Json::array();
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
      const auto b = item.find_first_not_of(" \t");
      const auto e = item.find_last_not_of(" \t");
      if (b != std::string::npos) list.push_back(item.substr(b, e - b + 1));
    }
    return list;
  }
  if (!parsed.is_discarded()) return parsed;
  return text;
}

}  // namespace

int cmd_tenant_show(const Args& a) {
  if (a.pos.size() != 2) return usage("tenant show takes no arguments", "tenant show");
  if (auto o = unexpected_options(a, {})) return usage("tenant show does not take " + *o, "tenant show");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  std::printf("%s\n", tenant_json(ctx.tenant).dump(2).c_str());
  return kOk;
}

int cmd_tenant_list(const Args& a) {
  if (a.pos.size() != 2) return usage("tenant list takes no arguments", "tenant list");
  if (auto o = unexpected_options(a, {})) return usage("tenant list does not take " + *o, "tenant list");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx, false)) return *rc;
  auto all = relay::load_tenants(*ctx.rd);
  if (!all) return fail(all.error());
  std::printf("%-24s %-28s %s\n", "SLUG", "ID", "NAME");
  for (const auto& t : *all) std::printf("%-24s %-28s %s\n", t.slug.c_str(), t.id.c_str(), t.name.c_str());
  return kOk;
}

int cmd_tenant_set(const Args& a) {
  if (a.pos.size() != 4) return usage("tenant set needs KEY and VALUE", "tenant set");
  if (auto o = unexpected_options(a, {})) return usage("tenant set does not take " + *o, "tenant set");
  const std::string key = a.pos[2];
  const Json patch = Json{{key, setting_value(key, a.pos[3])}};
  {  // Validate before touching the database: a usage error, not a failure.
    relay::TenantSettings scratch;
    if (auto e = relay::apply_settings_json(patch, scratch)) return usage(e->message, "tenant set");
  }
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  const auto entry = ctx.audit("settings.changed", ctx.tenant.id, patch);
  relay::TenantSettings result;
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    // Merges only this field into the stored settings: never writes other fields back.
    auto merged = relay::patch_tenant_settings(db, ctx.tenant.id, patch);
    if (!merged) return merged.error();
    result = std::move(*merged);
    if (auto e = relay::append_change(db, relay::change_kind::tenant, ctx.tenant.id, ctx.tenant.id, entry.at))
      return e;
    return relay::append_audit(db, entry);
  });
  if (err) return fail(*err);
  std::printf("%s = %s\n", key.c_str(), relay::to_json(result)[key].dump().c_str());
  return kOk;
}

int cmd_tenant_create(const Args& a) {
  if (a.pos.size() != 3) return usage("tenant create needs exactly one SLUG", "tenant create");
  if (auto o = unexpected_options(a, {"--name"}))
    return usage("tenant create does not take " + *o, "tenant create");
  const std::string slug = a.pos[2];
  bool ok = !slug.empty() && slug.size() <= 40 && std::isalnum(static_cast<unsigned char>(slug[0]));
  for (char c : slug) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (!ok) return usage("invalid slug '" + slug + "'", "tenant create");
  const std::string name = opt(a, "--name");
  if (name.empty() || name.size() > 100) return usage("--name (1 to 100 bytes) is required", "tenant create");

  Ctx ctx;
  if (auto rc = open_ctx(a, ctx, false)) return *rc;
  relay::Tenant t;
  t.id = relay::random_id("t_");
  t.slug = slug;
  t.name = name;
  ctx.tenant = t;
  const auto entry = ctx.audit("tenant.created", t.id, Json{{"slug", slug}, {"name", name}});
  bool exists = false;
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    auto found = relay::find_tenant(db, slug);
    if (!found) return found.error();
    if (found->has_value()) {
      exists = true;
      return make_error(ErrorCode::bad_field, "slug taken", "slug");
    }
    if (auto e = relay::insert_tenant(db, t, now_ms())) return e;
    if (auto e = relay::append_change(db, relay::change_kind::tenant, t.id, t.id, entry.at)) return e;
    return relay::append_audit(db, entry);
  });
  if (exists) return fail("a tenant '" + slug + "' already exists");
  if (err) return fail(*err);
  std::printf("created tenant %s (%s)\n", slug.c_str(), t.id.c_str());
  return kOk;
}

}  // namespace parley::ctl
