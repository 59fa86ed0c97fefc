// relay/src/store/repo_canned.hpp: canned responses, table canned_responses (schema v7; issue 9).
// Internal to relay/src/store. Writer-thread functions take the writer's Db; readers their own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/store_api.hpp"
#include "store/db.hpp"

namespace parley::relay {

std::optional<Error> upsert_canned(Db& db, const CannedResponse& c);
std::optional<Error> delete_canned(Db& db, const std::string& tenant_id, const std::string& id);
Result<std::vector<CannedResponse>> list_canned(Db& db, const std::string& tenant_id, const std::string& user_id);
Result<std::optional<CannedResponse>> find_canned(Db& db, const std::string& tenant_id, const std::string& id);

}  // namespace parley::relay
