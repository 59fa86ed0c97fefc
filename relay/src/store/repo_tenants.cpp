// relay/src/store/repo_tenants.cpp: the tenants table (see repo.hpp). Every statement binds its
// parameters; no SQL text is ever built from data.
#include "store/repo.hpp"
#include "store/repo_helpers.hpp"

namespace parley::relay {

using repo_helpers::dump_json;

namespace {

Result<Tenant> read_tenant(const Stmt& q) {
  Tenant t;
  t.id = q.col_text(0);
  t.slug = q.col_text(1);
  t.name = q.col_text(2);
  const Json j = Json::parse(q.col_text(3), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ErrorCode::internal, "tenant " + t.id + ": settings are not JSON");
  if (auto e = apply_settings_json(j, t.settings)) {
    return make_error(ErrorCode::internal, "tenant " + t.id + ": stored settings: " + e->message, e->field);
  }
  return t;
}

}  // namespace

std::optional<Error> insert_tenant(Db& db, const Tenant& t, Millis now) {
  Stmt q = db.prepare(
      "INSERT INTO tenants(id, slug, name, settings_json, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  q.bind(1, t.id).bind(2, t.slug).bind(3, t.name).bind(4, dump_json(to_json(t.settings))).bind(5, now);
  return q.run();
}

std::optional<Error> save_tenant_settings(Db& db, const std::string& tenant_id, const TenantSettings& s) {
  Stmt q = db.prepare("UPDATE tenants SET settings_json = ?2 WHERE id = ?1");
  q.bind(1, tenant_id).bind(2, dump_json(to_json(s)));
  if (auto e = q.run()) return e;
  if (db.changes() == 0) return make_error(ErrorCode::not_found, "no tenant " + tenant_id);
  return std::nullopt;
}

Result<std::vector<Tenant>> load_tenants(Db& db) {
  Stmt q = db.prepare("SELECT id, slug, name, settings_json FROM tenants ORDER BY created_at, id");
  std::vector<Tenant> out;
  while (q.step()) {
    auto t = read_tenant(q);
    if (!t) return t.error();
    out.push_back(std::move(*t));
  }
  if (q.error()) return *q.error();
  return out;
}

Result<std::optional<Tenant>> find_tenant(Db& db, const std::string& id_or_slug) {
  Stmt q = db.prepare("SELECT id, slug, name, settings_json FROM tenants WHERE id = ?1 OR slug = ?1 LIMIT 1");
  q.bind(1, id_or_slug);
  if (!q.step()) {
    if (q.error()) return *q.error();
    return std::optional<Tenant>{};
  }
  auto t = read_tenant(q);
  if (!t) return t.error();
  return std::optional<Tenant>{std::move(*t)};
}

}  // namespace parley::relay
