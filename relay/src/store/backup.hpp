// relay/src/store/backup.hpp: consistent copies of a live database.
#pragma once

#include <cstddef>
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

// Attachments (issue 9; docs/architecture.md "Attachments"): after backup_database, copies the
// bytes of every attachment the COPY `db_copy` names (attachments.sha256) from `src_files`
// (<data-dir>/files) to `dest_files` (created; must not exist), in the same <xx>/<sha256> layout.
// Files are written before their rows commit, so every row of the snapshot has its file; a
// missing or corrupt one is an error (the backup is then incomplete and says so). Hard links
// when both are on one filesystem (files are never rewritten), else copies. `copied` (may be
// null) gets the number of files.
std::optional<Error> backup_attachment_files(const std::string& db_copy, const std::string& src_files,
                                             const std::string& dest_files, std::size_t* copied = nullptr);

}  // namespace parley::relay
