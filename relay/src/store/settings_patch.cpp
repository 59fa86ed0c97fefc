// relay/src/store/settings_patch.cpp: see settings_patch.hpp.
#include "store/settings_patch.hpp"

namespace parley::relay {

Result<TenantSettings> patch_tenant_settings(Db& db, const std::string& tenant_id, const Json& patch) {
  // Validate first; the stored patch holds the canonical form of each given field.
  TenantSettings scratch;
  if (auto e = apply_settings_json(patch, scratch)) return *e;
  const Json full = to_json(scratch);
  Json canonical = Json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) canonical[it.key()] = full.at(it.key());

  // One statement: the merge happens on the row as it is at write time, under the write lock.
  // json_patch (RFC 7396) replaces arrays whole, as apply_settings_json does.
  Stmt q = db.prepare(
      "UPDATE tenants SET settings_json = json_patch(settings_json, ?2) WHERE id = ?1 RETURNING settings_json");
  q.bind(1, tenant_id).bind(2, canonical.dump(-1, ' ', false, Json::error_handler_t::replace));
  if (!q.step()) {
    if (q.error()) return *q.error();
    return make_error(ErrorCode::not_found, "no tenant " + tenant_id);
  }
  const std::string stored = q.col_text(0);
  while (q.step()) {
  }
  if (q.error()) return *q.error();

  const Json j = Json::parse(stored, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ErrorCode::internal, "tenant " + tenant_id + ": settings are not JSON");
  TenantSettings out;
  if (auto e = apply_settings_json(j, out)) {
    return make_error(ErrorCode::internal, "tenant " + tenant_id + ": stored settings: " + e->message, e->field);
  }
  return out;
}

}  // namespace parley::relay
