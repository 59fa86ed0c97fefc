// relay/src/store/store.hpp: the durable store. One writer thread with group commit; readers open
// their own connections. See docs/architecture.md ("Storage") for the invariants.
//
// Persist, then acknowledge: callers submit write operations; each runs on the writer thread
// inside the current batch's transaction (in its own SAVEPOINT) and its `done` callback runs on the
// writer thread after the batch's COMMIT returned. A callback that reports success therefore
// means "on disk" (with synchronous=FULL: survives power loss).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "parley/result.hpp"
#include "domain/store_stats.hpp"
#include "store/db.hpp"

namespace parley::relay {

struct StoreOptions {
  std::string path = "data/parley.db";
  bool synchronous_full = true;  // false: synchronous=NORMAL (survives a process crash, not power loss)
  // Tests only (the power-loss test shows that durability depends on it): synchronous=OFF, which
  // loses acknowledged writes on power loss. Wins over synchronous_full. The relay never sets it.
  bool synchronous_off_for_tests = false;
  // SQLite VFS name for every connection of the store ("" = the default VFS). Tests only: a VFS
  // that simulates power loss (tests/unit_store/powerloss_vfs.hpp).
  std::string vfs;
  std::size_t max_batch = 2048;  // most operations per transaction
  // WAL pages after which the checkpointer thread copies the WAL into the database (PASSIVE, on
  // its own connection, off the writer's path). Past 8x this, the writer checkpoints itself so the
  // WAL stays bounded when the checkpointer cannot finish (a long-lived reader).
  int checkpoint_pages = 1000;
  // Group commit under steady load: when the previous commit ended under 5 ms ago and fewer than
  // 16 ops wait, the writer gathers for up to this long before committing (one fsync for several
  // writes instead of one each). 0 = commit at once.
  int commit_window_us = 1000;
};

// StoreStats (the write counters): domain/store_stats.hpp, shared with the store interface.

// render_store_metrics (Prometheus text of StoreStats): domain/store_stats.hpp.

// The database and its folder hold customer data: only the relay's user may read them.
// Creates `dir` (and missing parents) when it does not exist; the folders it creates get mode
// 0700. An existing folder is left as it is.
std::optional<Error> create_private_dir(const std::string& dir);
// Sets mode 0600 on the database file `path` and its -wal/-shm/-journal companions that exist
// (SQLite creates later companions with the database file's mode).
std::optional<Error> make_db_files_private(const std::string& path);

class Store {
 public:
  using Op = std::function<std::optional<Error>(Db&)>;
  using Done = std::function<void(const std::optional<Error>&)>;

  // Opens the database (creating its parent directory, mode 0700, if needed; the files get mode
  // 0600, see make_db_files_private), sets WAL + synchronous +
  // busy_timeout, runs pending migrations and makes sure the default tenant exists. Starts the
  // writer thread.
  static Result<std::unique_ptr<Store>> open(const StoreOptions& options);
  ~Store();  // drains pending writes, stops the writer

  // Queues `op`. Thread-safe. `done` is called exactly once, on the writer thread:
  //  - nullopt: committed;
  //  - the op's own error: its savepoint was rolled back, the rest of the batch went on;
  //  - ErrorCode::unavailable: the COMMIT failed (or the store had already failed): nothing of
  //    this op is stored. After the first failed COMMIT the store refuses every further write
  //    and logs loudly; restart the relay once the cause (disk full, I/O error) is fixed.
  void write(Op op, Done done);

  // Blocks until every write submitted before the call has been committed or failed.
  // REQUIRES: not called on the writer thread (from an op or a done callback); there it returns
  // at once.
  void drain();

  // Runs `fn` on the writer thread after every batch, once all of that batch's `done` callbacks
  // have returned (committed or not). The hub posts from its dones and from here, so on its loop
  // the batch-end handler runs after every completion of the batch (one place to coalesce what
  // a group commit changed). Thread-safe; nullptr removes it.
  void set_batch_done(std::function<void()> fn);

  bool failed() const { return failed_.load(); }
  StoreStats stats() const;
  const std::string& path() const { return options_.path; }

  // Checkpoints run so far (by the checkpointer thread, or by the writer past the bound).
  std::uint64_t checkpoints() const { return checkpoints_.load(std::memory_order_relaxed); }

  // A new read-only connection (WAL readers never block the writer). One per thread.
  Result<std::unique_ptr<Db>> open_reader() const;

 private:
  explicit Store(StoreOptions options, std::unique_ptr<Db> db, std::unique_ptr<Db> checkpoint_db);
  void run_writer();
  void run_checkpointer();
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);
  // Runs one batch in one transaction and answers every done. Writer thread only.
  void run_batch(std::vector<std::pair<Op, Done>>& batch);
  void fail_store(const std::string& stage, const Error& e, std::size_t batch_size);

  StoreOptions options_;
  std::unique_ptr<Db> db_;
  std::thread writer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable drained_cv_;
  std::deque<std::pair<Op, Done>> queue_;
  std::function<void()> batch_done_;
  std::uint64_t submitted_ = 0, finished_ = 0;
  bool stop_ = false;
  std::atomic<bool> failed_{false};
  StoreStats stats_;
  // Checkpoints off the writer's critical path: the writer's WAL hook wakes this thread.
  std::unique_ptr<Db> checkpoint_db_;
  std::thread checkpointer_;
  std::mutex cp_mu_;
  std::condition_variable cp_cv_;
  bool cp_due_ = false;
  bool cp_stop_ = false;
  std::atomic<std::uint64_t> checkpoints_{0};
  static constexpr std::size_t kGatherOps = 16;
  std::chrono::steady_clock::time_point last_commit_end_{};  // writer thread only
};

}  // namespace parley::relay
