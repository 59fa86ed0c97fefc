// relay/src/store/repo_llm.hpp: LLM provider settings and usage, tables llm_settings and llm_usage
// (schema v16; issue 10). Internal to relay/src/store. Writer-thread functions take the writer's
// Db; readers their own.
#pragma once

#include <string>
#include <vector>

#include "domain/store_api.hpp"
#include "store/db.hpp"

namespace parley::relay {

std::optional<Error> save_llm_settings(Db& db, const LlmSettings& s);
std::optional<Error> record_llm_usage(Db& db, const LlmUsage& u);
Result<std::vector<LlmSettings>> load_llm_settings(Db& db);
Result<LlmUsageReport> llm_usage(Db& db, const std::string& tenant_id, Millis since, const std::string& conversation_id,
                                 std::size_t limit);

}  // namespace parley::relay
