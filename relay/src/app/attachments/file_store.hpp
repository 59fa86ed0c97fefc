// relay/src/app/attachments/file_store.hpp: the bytes of attachments, content-addressed files
// beside the database (docs/architecture.md "Attachments"):
//
//   <data-dir>/files/<first 2 hex of sha256>/<sha256>
//
// Threads: every method does blocking file I/O; call them on a worker thread (Hub::on_worker),
// never on the loop. The class holds only its folder name, so any number of threads may use it at
// once: put() writes a unique temporary file, fsyncs it, renames it into place (atomic) and
// fsyncs the folder; two uploads of the same bytes race harmlessly to the same name.
// Ownership: files are never rewritten; a file without a row (a crash after put(), an upload
// refused later) is an orphan that sweep_orphans() may remove; a row is only ever submitted
// after put() returned, so a committed row always has its bytes.
// Errors: ErrorCode::unavailable (disk full, permissions, I/O), ErrorCode::not_found (read of a
// missing file), ErrorCode::internal (a file whose bytes do not hash to its name).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parley/result.hpp"

namespace parley::relay {

class FileStore {
 public:
  // `root` is <data-dir>/files; created on the first put().
  explicit FileStore(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }

  // Stores `bytes` durably; returns their sha256 (64 lower-case hex).
  Result<std::string> put(std::string_view bytes) const;
  // The bytes of the file named `sha256` (checked against the name).
  Result<std::string> read(const std::string& sha256) const;
  std::string path_of(const std::string& sha256) const;
  // True for a well-formed name (64 lower-case hex), the only names path_of() accepts.
  static bool valid_name(std::string_view sha256);
  // Every stored file's name (for backups and sweeps).
  Result<std::vector<std::string>> list() const;

 private:
  std::string root_;
};

}  // namespace parley::relay
