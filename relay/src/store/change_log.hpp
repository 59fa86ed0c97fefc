// relay/src/store/change_log.hpp: changes made by another process (parleyctl), for a running relay
// to pick up (issue 6, security 2 and correctness 5).
//
// Protocol: every process that changes state the relay caches appends one change row IN THE SAME
// TRANSACTION as the change itself, so a reader that sees the row also sees the change. The relay
// watches `PRAGMA data_version` on a connection of its own (it moves when another connection
// commits) and, when it moved, reads changes_after(last id it handled) and drops or reloads what
// each row names. Ids only grow (AUTOINCREMENT), also across prune_changes_before.
//
// Kinds and targets:
//   "sessions"  target = user id: every session of that user was revoked
//   "user"      target = user id: the user changed (created, password, role, disabled)
//   "tenant"    target = tenant id: tenant created or its settings changed
//   "kb"        target = tenant id: its knowledge base was replaced
//   "apikey"    target = api key id: the key was revoked
// tenant_id is the tenant the change belongs to.
//
// Threads: append_change runs inside a Store::write op (writer thread) or a transaction of its
// own connection; the readers on any thread with its own connection. No function throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/model.hpp"
#include "parley/result.hpp"
#include "domain/change.hpp"
#include "store/db.hpp"

namespace parley::relay {

// change_kind and Change (the domain types): domain/change.hpp, included above.

// Appends one row. An unknown `kind` is ErrorCode::bad_field (field "kind").
std::optional<Error> append_change(Db&, std::string_view kind, const std::string& tenant_id,
                                   const std::string& target, Millis at);

// Rows with id > after_id, oldest first, at most `limit` (0 is taken as 1).
Result<std::vector<Change>> changes_after(Db&, std::int64_t after_id, std::size_t limit);

// The newest id (0 when the log is empty): where a starting relay begins watching.
Result<std::int64_t> last_change_id(Db&);

// Deletes rows older than `before` (housekeeping; ids of later rows are unaffected).
std::optional<Error> prune_changes_before(Db&, Millis before);

}  // namespace parley::relay
