// tools/parleyctl/cmd_apikey.cpp: apikey create | list | revoke. Only a key's SHA-256 is stored;
// the key itself is printed once, at creation. A revocation writes a change_log row, so a running
// relay refuses the key within about a second.
#include <cstdio>
#include <string>

#include "ctl.hpp"
#include "store/api_keys.hpp"
#include "store/auth.hpp"
#include "store/change_log.hpp"

namespace parley::ctl {

int cmd_apikey_create(const Args& a) {
  if (a.pos.size() != 3) return usage("apikey create needs exactly one NAME", "apikey create");
  if (auto o = unexpected_options(a, {"--scope"})) {
    return usage("apikey create does not take " + *o, "apikey create");
  }
  const std::string name = a.pos[2];
  if (name.empty() || name.size() > 100) return usage("NAME must have 1 to 100 bytes", "apikey create");
  auto scopes = relay::ApiScopes::parse(opt(a, "--scope", "sync"));
  if (!scopes) return usage("--scope: " + scopes.error().message, "apikey create");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  const std::string key = "pk_" + relay::random_token(32);
  const std::string hash = relay::sha256_hex(key);
  relay::ApiKey k;
  k.id = relay::new_api_key_id();
  k.tenant_id = ctx.tenant.id;
  k.name = name;
  k.scopes = *scopes;
  k.created_at = now_ms();
  // The audit row names the key by its id, never the key.
  const auto entry = ctx.audit("apikey.created", k.id, Json{{"name", name}, {"scopes", scopes->format()}});
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    if (auto e = relay::insert_api_key(db, k, hash)) return e;
    return relay::append_audit(db, entry);
  });
  if (err) return fail(*err);
  std::printf("%s\n", key.c_str());
  std::fprintf(stderr, "API key %s '%s' (scopes %s) for tenant %s: store it now, it is not shown again.\n",
               k.id.c_str(), name.c_str(), scopes->format().c_str(), ctx.tenant.slug.c_str());
  return kOk;
}

int cmd_apikey_list(const Args& a) {
  if (a.pos.size() != 2) return usage("apikey list takes no arguments", "apikey list");
  if (auto o = unexpected_options(a, {})) return usage("apikey list does not take " + *o, "apikey list");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto keys = relay::list_api_keys(*ctx.rd, ctx.tenant.id);
  if (!keys) return fail(keys.error());
  std::printf("%-28s %-20s %-22s %-21s %-21s %s\n", "ID", "NAME", "SCOPES", "CREATED", "LAST USED",
              "REVOKED");
  for (const auto& k : *keys) {
    std::printf("%-28s %-20s %-22s %-21s %-21s %s\n", k.id.c_str(), k.name.c_str(), k.scopes.format().c_str(),
                format_time(k.created_at).c_str(), format_time(k.last_used_at).c_str(),
                format_time(k.revoked_at).c_str());
  }
  if (keys->empty()) std::fprintf(stderr, "(no api keys in tenant %s)\n", ctx.tenant.slug.c_str());
  return kOk;
}

int cmd_apikey_revoke(const Args& a) {
  if (a.pos.size() != 3) return usage("apikey revoke needs exactly one ID", "apikey revoke");
  if (auto o = unexpected_options(a, {})) return usage("apikey revoke does not take " + *o, "apikey revoke");
  const std::string id = a.pos[2];
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  const auto entry = ctx.audit("apikey.revoked", id);
  bool missing = false, already = false;
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    auto found = relay::find_api_key(db, ctx.tenant.id, id);
    if (!found) return found.error();
    if (!found->has_value()) {
      missing = true;
      return make_error(ErrorCode::not_found, "no such key", "id");
    }
    if ((*found)->revoked()) {
      already = true;
      return std::nullopt;  // nothing changes: no audit or change row
    }
    if (auto e = relay::revoke_api_key(db, ctx.tenant.id, id, entry.at)) return e;
    if (auto e = relay::append_change(db, relay::change_kind::apikey, ctx.tenant.id, id, entry.at)) return e;
    return relay::append_audit(db, entry);
  });
  if (missing)
    return fail("no api key " + id + " in tenant " + ctx.tenant.slug + " (see: parleyctl apikey list)");
  if (err) return fail(*err);
  std::printf(already ? "api key %s was already revoked\n" : "revoked api key %s\n", id.c_str());
  return kOk;
}

}  // namespace parley::ctl
