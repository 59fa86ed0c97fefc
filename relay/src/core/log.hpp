// relay/src/core/log.hpp: structured logs, one JSON object per line on stderr.
//   log::info("listening", {{"port", 8080}});
// Fields: "ts" (ISO 8601 UTC, ms), "level", "msg", then the given fields. Thread-safe.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace parley::relay::log {

enum class Level { debug, info, warn, error };

void set_min_level(Level level);
void write(Level level, std::string_view msg, const nlohmann::json& fields = nlohmann::json::object());
inline void debug(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { write(Level::debug, m, f); }
inline void info(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { write(Level::info, m, f); }
inline void warn(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { write(Level::warn, m, f); }
inline void error(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) { write(Level::error, m, f); }

}  // namespace parley::relay::log
