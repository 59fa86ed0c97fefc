// relay/src/store/store.cpp: the group-commit writer (see store.hpp).
//
// One batch = one transaction:
//   BEGIN IMMEDIATE
//   for each op: SAVEPOINT op; op(db); ok -> RELEASE op | error -> ROLLBACK TO op; RELEASE op
//   COMMIT
//   done(...) for every op, in submission order
// A failed BEGIN/COMMIT, or an op that hit a storage-fatal error (disk full, I/O error, corrupt
// file), rolls the whole batch back and marks the store failed for good: every op of the batch
// and every later op is answered ErrorCode::unavailable. A BEGIN that only timed out on a lock
// held by another process (SQLITE_BUSY after busy_timeout) fails that batch, not the store.
#include "store/store.hpp"

#include <sqlite3.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <sstream>
#include <utility>

#include "core/log.hpp"
#include "store/repo.hpp"
#include "store/schema.hpp"

namespace parley::relay {

namespace {

Millis now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int hist_bucket(std::size_t n) {
  constexpr std::size_t kBounds[] = {1, 4, 16, 64, 256, 1024};
  for (int i = 0; i < 6; ++i) {
    if (n <= kBounds[i]) return i;
  }
  return 6;
}

Error unavailable_error() {
  return make_error(ErrorCode::unavailable, "the store refuses writes after a failed commit");
}

// Runs `op`, turning an escaping exception into an internal error.
std::optional<Error> run_op(const Store::Op& op, Db& db) {
  try {
    return op(db);
  } catch (const std::exception& ex) {
    return make_error(ErrorCode::internal, std::string("store op threw: ") + ex.what());
  } catch (...) {
    return make_error(ErrorCode::internal, "store op threw");
  }
}

void call_done(const Store::Done& done, const std::optional<Error>& result) {
  if (!done) return;
  try {
    done(result);
  } catch (const std::exception& ex) {
    log::error("store.done_threw", {{"what", ex.what()}});
  } catch (...) {
    log::error("store.done_threw", {{"what", "unknown"}});
  }
}

}  // namespace

std::optional<Error> create_private_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  if (dir.empty()) return std::nullopt;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return std::nullopt;
  // Create from the outermost missing folder inwards, each 0700.
  std::vector<fs::path> missing;
  for (fs::path p = fs::path(dir); !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (!fs::create_directory(*it, ec) && ec) {
      return make_error(ErrorCode::unavailable, "cannot create " + it->string() + ": " + ec.message());
    }
    fs::permissions(*it, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) {
      return make_error(ErrorCode::unavailable,
                        "cannot set the mode of " + it->string() + " to 0700: " + ec.message());
    }
  }
  return std::nullopt;
}

std::optional<Error> make_db_files_private(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty() || path == ":memory:") return std::nullopt;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    const fs::path p = path + suffix;
    std::error_code ec;
    if (!fs::exists(p, ec)) continue;
    fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
    if (ec) {
      return make_error(ErrorCode::unavailable,
                        "cannot set the mode of " + p.string() + " to 0600: " + ec.message());
    }
  }
  return std::nullopt;
}

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& options) {
  if (options.path.empty()) return make_error(ErrorCode::internal, "store: empty database path");
  if (options.path != ":memory:") {
    const std::filesystem::path parent = std::filesystem::path(options.path).parent_path();
    if (auto e = create_private_dir(parent.string())) {
      return make_error(ErrorCode::unavailable, "store: " + e->message);
    }
  }
  auto db = Db::open(options.path, /*readonly=*/false, options.vfs);
  if (!db) return db.error();
  Db& d = **db;
  // Customer data: owner-only, before anything is written into it. Not fatal (a file of another
  // user that we may still write to): say so loudly.
  if (auto e = make_db_files_private(options.path))
    log::warn("store: database files not private", {{"error", e->message}});

  {
    // journal_mode answers the mode actually in effect: make sure WAL took.
    Stmt q = d.prepare("PRAGMA journal_mode=WAL");
    const bool row = q.step();
    if (q.error()) return *q.error();
    if (!row || q.col_text(0) != "wal") {
      return make_error(ErrorCode::unavailable, "store: cannot switch " + options.path + " to WAL mode");
    }
  }
  make_db_files_private(options.path);  // the -wal and -shm files WAL mode just created
  // Savepoint sub-journals and temporary b-trees in memory (every op runs in a SAVEPOINT: with
  // files they cost a pwrite per touched page); a 64 MiB page cache for the writer.
  if (auto e = d.exec("PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536")) return *e;
  if (auto e = d.exec(options.synchronous_off_for_tests ? "PRAGMA synchronous=OFF"
                     : options.synchronous_full          ? "PRAGMA synchronous=FULL"
                                                         : "PRAGMA synchronous=NORMAL")) {
    return *e;
  }
  if (auto e = migrate(d, now_ms())) return *e;

  // The default tenant (first run). INSERT OR IGNORE: never overwrites edited settings.
  {
    Stmt ins = d.prepare(
        "INSERT OR IGNORE INTO tenants(id, slug, name, settings_json, created_at) VALUES (?1, ?2, ?3, ?4, "
        "?5)");
    ins.bind(1, kDefaultTenantId)
        .bind(2, kDefaultTenantSlug)
        .bind(3, "Default")
        .bind(4, to_json(TenantSettings{}).dump())
        .bind(5, now_ms());
    if (auto e = ins.run()) return *e;
  }

  // Checkpoints run on their own connection and thread (run_checkpointer), not inside the
  // writer's commits: SQLite's automatic checkpoint is off on the writer.
  std::unique_ptr<Db> cp;
  if (options.path != ":memory:") {
    auto c = Db::open(options.path, /*readonly=*/false, options.vfs);
    if (!c) return c.error();
    cp = std::move(*c);
    if (auto e = cp->exec(options.synchronous_off_for_tests ? "PRAGMA synchronous=OFF"
                          : options.synchronous_full        ? "PRAGMA synchronous=FULL"
                                                            : "PRAGMA synchronous=NORMAL")) {
      return *e;
    }
    if (auto e = d.exec("PRAGMA wal_autocheckpoint=0")) return *e;
  }
  std::unique_ptr<Store> store(new Store(options, std::move(*db), std::move(cp)));
  return store;
}

Store::Store(StoreOptions options, std::unique_ptr<Db> db, std::unique_ptr<Db> checkpoint_db)
    : options_(std::move(options)), db_(std::move(db)), checkpoint_db_(std::move(checkpoint_db)) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  if (options_.checkpoint_pages < 1) options_.checkpoint_pages = 1;
  if (checkpoint_db_) {
    sqlite3_wal_hook(db_->raw(), &Store::on_wal_commit, this);
    checkpointer_ = std::thread([this] { run_checkpointer(); });
  }
  writer_ = std::thread([this] { run_writer(); });
}

Store::~Store() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard<std::mutex> lock(cp_mu_);
    cp_stop_ = true;
  }
  cp_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

// After every commit of the writer, on the writer thread, with the WAL's size in pages.
int Store::on_wal_commit(void* self, sqlite3* db, const char* name, int pages) {
  auto* s = static_cast<Store*>(self);
  if (pages < s->options_.checkpoint_pages) return SQLITE_OK;
  if (pages >= 8 * s->options_.checkpoint_pages) {
    // The checkpointer has not caught up (a reader holds old pages, or it is starved): keep the
    // WAL bounded the way SQLite's own autocheckpoint would.
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    s->checkpoints_.fetch_add(1, std::memory_order_relaxed);
    return SQLITE_OK;
  }
  {
    std::lock_guard<std::mutex> lock(s->cp_mu_);
    s->cp_due_ = true;
  }
  s->cp_cv_.notify_one();
  return SQLITE_OK;
}

void Store::run_checkpointer() {
  std::unique_lock<std::mutex> lock(cp_mu_);
  while (true) {
    cp_cv_.wait(lock, [this] { return cp_due_ || cp_stop_; });
    if (cp_stop_) return;
    cp_due_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, never waits for or blocks the writer.
    const int rc = sqlite3_wal_checkpoint_v2(checkpoint_db_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      log::warn("store: checkpoint failed", {{"error", sqlite3_errstr(rc)}});
    }
    checkpoints_.fetch_add(1, std::memory_order_relaxed);
    lock.lock();
  }
}

void Store::write(Op op, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.emplace_back(std::move(op), std::move(done));
    ++submitted_;
  }
  cv_.notify_one();
}

void Store::set_batch_done(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  batch_done_ = std::move(fn);
}

void Store::drain() {
  if (std::this_thread::get_id() == writer_.get_id()) return;  // would wait for itself
  std::unique_lock<std::mutex> lock(mu_);
  const std::uint64_t target = submitted_;
  drained_cv_.wait(lock, [&] { return finished_ >= target; });
}

StoreStats Store::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  StoreStats s = stats_;
  s.failed = failed_.load();
  return s;
}

Result<std::unique_ptr<Db>> Store::open_reader() const {
  return Db::open(options_.path, /*readonly=*/true, options_.vfs);
}

void Store::run_writer() {
  std::vector<std::pair<Op, Done>> batch;
  std::function<void()> batch_done;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and nothing left: every write was answered
      // Under steady load (the last commit ended just now) a handful of ops would each pay a
      // commit and its fsync: gather for a moment more. A write after a quiet spell goes at once.
      if (options_.commit_window_us > 0 && queue_.size() < kGatherOps && !stop_ &&
          std::chrono::steady_clock::now() - last_commit_end_ < std::chrono::milliseconds(5)) {
        cv_.wait_for(lock, std::chrono::microseconds(options_.commit_window_us),
                     [&] { return stop_ || queue_.size() >= kGatherOps; });
      }
      const std::size_t n = std::min(options_.max_batch, queue_.size());
      batch.clear();
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      batch_done = batch_done_;
    }
    run_batch(batch);
    last_commit_end_ = std::chrono::steady_clock::now();
    if (batch_done) {
      try {
        batch_done();
      } catch (...) {
        log::error("store.batch_done_threw", {});
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished_ += batch.size();
    }
    drained_cv_.notify_all();
    batch.clear();  // destroy the ops' captures outside the lock
  }
}

void Store::fail_store(const std::string& stage, const Error& e, std::size_t batch_size) {
  const bool first = !failed_.exchange(true);
  log::error("store.commit_failed", {{"stage", stage},
                                     {"error", e.message},
                                     {"path", options_.path},
                                     {"batch_size", batch_size},
                                     {"first", first},
                                     {"action", "refusing every further write; fix the cause and restart"}});
}

void Store::run_batch(std::vector<std::pair<Op, Done>>& batch) {
  const std::size_t n = batch.size();
  auto answer_all = [&](const std::optional<Error>& result) {
    for (auto& [op, done] : batch) call_done(done, result);
  };
  auto count = [&](std::uint64_t failed_ops, bool committed) {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.ops += n;
    stats_.failed_ops += failed_ops;
    stats_.batch_hist[hist_bucket(n)] += 1;
    if (committed) stats_.commits += 1;
  };

  if (failed_.load()) {
    count(n, false);
    answer_all(unavailable_error());
    return;
  }

  Db& db = *db_;
  if (auto e = db.exec("BEGIN IMMEDIATE")) {
    if (!db.storage_failed() && (sqlite3_errcode(db.raw()) & 0xff) == SQLITE_BUSY) {
      // Another process (parleyctl, a backup) held the write lock past busy_timeout: this batch
      // is refused, the store is not broken.
      log::warn("store.begin_busy", {{"error", e->message}, {"batch_size", n}});
      count(n, false);
      answer_all(make_error(ErrorCode::unavailable, "database is busy: " + e->message));
      return;
    }
    fail_store("begin", *e, n);
    count(n, false);
    answer_all(unavailable_error());
    return;
  }

  std::vector<std::optional<Error>> results(n);
  std::uint64_t op_errors = 0;
  std::optional<Error> fatal;
  db.set_deferring(true);
  for (std::size_t i = 0; i < n && !fatal; ++i) {
    if (auto e = db.exec_cached("SAVEPOINT op")) {
      fatal = *e;
      break;
    }
    const std::size_t deferred_before = db.deferred_size();
    results[i] = run_op(batch[i].first, db);
    if (db.storage_failed()) {
      fatal = results[i] ? *results[i] : make_error(ErrorCode::unavailable, "storage failure inside an op");
      break;
    }
    if (results[i]) {
      ++op_errors;
      db.truncate_deferred(deferred_before);  // what the rolled-back op queued goes with it
      auto e1 = db.exec_cached("ROLLBACK TO op");
      auto e2 = db.exec_cached("RELEASE op");
      if (e1 || e2) fatal = e1 ? *e1 : *e2;
    } else if (auto e = db.exec_cached("RELEASE op")) {
      fatal = *e;
    }
  }

  if (!fatal) {
    // Deferred work of the batch's ops (search indexing), outside every savepoint.
    if (auto e = db.run_deferred()) fatal = *e;
  }
  db.set_deferring(false);
  if (!fatal) {
    if (auto e = db.exec("COMMIT")) fatal = *e;
  }
  if (fatal) {
    db.exec("ROLLBACK");  // may fail if SQLite already rolled back: nothing else to do then
    fail_store("commit", *fatal, n);
    count(n, false);
    answer_all(unavailable_error());
    return;
  }

  count(op_errors, true);
  for (std::size_t i = 0; i < n; ++i) call_done(batch[i].second, results[i]);
}

// render_store_metrics: domain/store_stats.cpp.

}  // namespace parley::relay
