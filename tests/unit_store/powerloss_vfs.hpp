// tests/unit_store/powerloss_vfs.hpp: a test-only SQLite VFS that can simulate a power loss.
//
// It wraps the default ("unix") VFS and passes every call through, but remembers, per file path,
// what the file looked like at its last xSync: before each xWrite / xTruncate that happens after
// the last sync it saves the bytes about to be overwritten (an undo log) and the file's size at
// that sync. So the disk image "as of the last sync" can be rebuilt at any time.
//
// A power loss in two steps (the process "dies" too, so the test must stop using the database):
//   1. cut_power(): from now on every xWrite, xTruncate, xSync and xDelete through this VFS is
//      dropped (reported as success, like writes into a page cache that never reaches the disk).
//      Call it from anywhere, e.g. a Store done callback; what was acknowledged before the call
//      is what a client could have seen.
//   2. close every connection (destroy the Store), then restore_synced_state(): every file
//      written through this VFS gets back its content and size of its last sync (unsynced
//      writes vanish, unsynced truncations are undone). -shm files are not durable at all (the
//      wal-index is rebuilt from the WAL by the next opener): they are removed.
//   reset() forgets everything and turns the power back on.
//
// Simplifications (documented, fine for SQLite's WAL and rollback files): a file's existence is
// durable at once (no directory fsync modelled); an xDelete before the cut is durable; files
// that existed before the VFS first opened them count as synced as they were.
//
// Threads: every function and every VFS method may be called from any thread (one mutex).
// The VFS is registered once per process (not as the default) under kPowerlossVfs.
#pragma once

#include <cstdint>

namespace parley::relay::test::powerloss {

inline constexpr const char* kPowerlossVfs = "parley-powerloss";

// Registers the VFS (idempotent). Returns false if SQLite refused.
bool install();

void cut_power();
bool power_is_cut();
// REQUIRES: no open connection uses a file of this VFS. Returns false on an I/O error.
bool restore_synced_state();
void reset();

struct Stats {
  std::uint64_t syncs = 0;            // xSync calls that reached the disk (before the cut)
  std::uint64_t dropped_writes = 0;   // xWrite/xTruncate calls dropped after the cut
  std::uint64_t restored_files = 0;   // files restore_synced_state changed
  std::uint64_t undone_bytes = 0;     // bytes restore_synced_state put back or cut off
};
Stats stats();

}  // namespace parley::relay::test::powerloss
