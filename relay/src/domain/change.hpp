// relay/src/domain/change.hpp: one row of the change log, the record by which other processes
// (parleyctl) tell a running relay what they changed. The protocol (same transaction as the
// change; the relay watches StoreReader::data_version and reads changes_after) is documented in
// store/change_log.hpp. Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parley/model.hpp"

namespace parley::relay {

namespace change_kind {
inline constexpr std::string_view sessions = "sessions";
inline constexpr std::string_view user = "user";
inline constexpr std::string_view tenant = "tenant";
inline constexpr std::string_view kb = "kb";
inline constexpr std::string_view apikey = "apikey";
}  // namespace change_kind

struct Change {
  std::int64_t id = 0;
  Millis at = 0;
  std::string tenant_id;
  std::string kind;  // one of change_kind
  std::string target;
};

}  // namespace parley::relay
