// relay/src/store/schema.hpp: versioned migrations of the relay's database.
//
// Each migration has a version number (1, 2, 3, ...) and runs in its own IMMEDIATE transaction
// together with its row in schema_migrations(version, applied_at), so a crash or a concurrent
// start (relay + parleyctl) can never apply one twice or half. Migrations are append-only: never
// edit a released one, add the next version instead.
#pragma once

#include <optional>

#include "parley/model.hpp"
#include "parley/result.hpp"
#include "store/db.hpp"

namespace parley::relay {

// Applies every migration newer than the database's version. Idempotent. `now` stamps applied_at.
std::optional<Error> migrate(Db& db, Millis now);

// Highest applied migration version (0 on an empty database).
Result<int> schema_version(Db& db);

// The newest version this build knows.
int latest_schema_version();
// How many migrations there are (versions need not be contiguous: each is applied once by number).
int schema_migration_count();

}  // namespace parley::relay
