// relay/src/store/backup.hpp: consistent copies of a live database.
#pragma once

#include <optional>
#include <string>

#include "parley/result.hpp"

namespace parley::relay {

// Copies the database at `src_path` to a new file `dest_path` with SQLite's online backup API:
// one read transaction on the source, so the copy is a consistent snapshot even while a relay
// keeps writing (WAL readers do not block the writer). Refuses to overwrite: fails if
// `dest_path` exists (the check and the creation are one atomic O_EXCL open). On failure the
// partial copy is removed. The copy is checked with PRAGMA quick_check before returning.
std::optional<Error> backup_database(const std::string& src_path, const std::string& dest_path);

}  // namespace parley::relay
