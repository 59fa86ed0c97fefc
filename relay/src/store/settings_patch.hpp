// relay/src/store/settings_patch.hpp: field-by-field changes of a tenant's stored settings
// (issue 6, correctness 5: "PATCH merges field by field").
//
// save_tenant_settings (store/repo.hpp) writes the whole settings object, so a writer holding an
// old copy (the relay's in-memory settings, a REST PATCH computed from them) silently writes old
// values of fields it never meant to change back over another writer's change (parleyctl tenant
// set). patch_tenant_settings merges only the fields it is given, in one UPDATE statement
// (SQLite's json_patch over the stored JSON), so two writers changing different fields never
// overwrite each other, whatever the transactions around them.
//
// Threads: a writer (Store::write op on the writer thread, or any connection's own transaction).
// No function throws.
#pragma once

#include <optional>
#include <string>

#include "parley/model.hpp"
#include "parley/result.hpp"
#include "store/db.hpp"
#include "store/repo.hpp"

namespace parley::relay {

// Merges `patch`, a JSON object of one or more settings (same keys, types and limits as
// apply_settings_json), into the stored settings of `tenant_id` and returns the settings as
// stored afterwards (every field, including those other writers changed).
// Errors: an invalid patch -> ErrorCode::bad_json / bad_field (Error::field = the key), nothing
// is written; no such tenant -> ErrorCode::not_found; SQLite failures as in store/db.hpp.
// An empty object changes nothing and returns the stored settings.
Result<TenantSettings> patch_tenant_settings(Db&, const std::string& tenant_id, const Json& patch);

}  // namespace parley::relay
