// tests/unit_store/test_store.cpp: the group-commit writer, migrations, failure behaviour, backup.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "helpers.hpp"
#include "store/backup.hpp"
#include "store/schema.hpp"

using namespace parley;
using namespace parley::relay;
using namespace parley::relay::test;

namespace {

AuditEntry audit_row(const std::string& action, Json data = Json::object()) {
  AuditEntry a;
  a.tenant_id = kDefaultTenantId;
  a.actor_type = "system";
  a.actor_id = "test";
  a.action = action;
  a.data = std::move(data);
  a.at = 1;
  return a;
}


}  // namespace

TEST_CASE("the data folder is 0700 and the database files 0600 (customer data)") {
  namespace fs = std::filesystem;
  TempDir dir;
  const std::string folder = dir.file("data/inner");
  const std::string path = folder + "/parley.db";
  {
    auto store = open_store(path);
    store->drain();
    for (const std::string& p : {dir.file("data"), folder}) {
      CAPTURE(p);
      CHECK((fs::status(p).permissions() & fs::perms::all) == fs::perms::owner_all);
    }
    for (const char* suffix : {"", "-wal", "-shm"}) {
      const std::string f = path + suffix;
      CAPTURE(f);
      REQUIRE(fs::exists(f));
      CHECK((fs::status(f).permissions() & fs::perms::all) ==
            (fs::perms::owner_read | fs::perms::owner_write));
    }
  }
  // A file made readable by others is made private again on the next open; an existing folder
  // keeps the mode its owner chose.
  fs::permissions(path, fs::perms::group_read | fs::perms::others_read, fs::perm_options::add);
  fs::permissions(folder, fs::perms::group_read | fs::perms::group_exec, fs::perm_options::add);
  {
    auto store = open_store(path);
    CHECK((fs::status(path).permissions() & fs::perms::all) ==
          (fs::perms::owner_read | fs::perms::owner_write));
    CHECK((fs::status(folder).permissions() & fs::perms::group_read) != fs::perms::none);
  }
}

TEST_CASE("migrations are idempotent and the default tenant exists once") {
  TempDir dir;
  const std::string path = dir.file("sub/dir/parley.db");  // parent folders are created
  for (int i = 0; i < 2; ++i) {
    auto store = open_store(path);
    auto db = reader(*store);
    auto v = schema_version(*db);
    REQUIRE(v.ok());
    CHECK(*v == latest_schema_version());
    CHECK(count_rows(*db, "SELECT COUNT(*) FROM schema_migrations") == schema_migration_count());
    CHECK(count_rows(*db, "SELECT COUNT(*) FROM tenants") == 1);
    // v9: the index that conversations_recent covers is gone (one index write less per message).
    CHECK(count_rows(*db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'conversations_updated'") == 0);
    CHECK(count_rows(*db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'conversations_recent'") == 1);
    auto t = find_tenant(*db, kDefaultTenantSlug);
    REQUIRE(t.ok());
    REQUIRE(t->has_value());
    CHECK((*t)->id == kDefaultTenantId);
    CHECK((*t)->name == "Default");
    CHECK((*t)->settings.brand_color == TenantSettings{}.brand_color);
  }
  // WAL is persistent in the file.
  auto db = Db::open(path, true);
  REQUIRE(db.ok());
  Stmt q = (*db)->prepare("PRAGMA journal_mode");
  REQUIRE(q.step());
  CHECK(q.col_text(0) == "wal");
}

TEST_CASE("group commit: concurrent writers, every done once, per-thread order kept") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  constexpr int kThreads = 4, kPerThread = 300;
  std::mutex mu;
  std::vector<std::vector<int>> done_order(kThreads);
  std::atomic<int> done_calls{0}, errors{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        store->write(
            [t, i](Db& db) {
              return append_audit(db, audit_row("t" + std::to_string(t), Json{{"i", i}}));
            },
            [&, t, i](const std::optional<Error>& e) {
              if (e) ++errors;
              ++done_calls;
              std::lock_guard<std::mutex> lock(mu);
              done_order[t].push_back(i);
            });
      }
    });
  }
  for (auto& th : threads) th.join();
  store->drain();

  CHECK(done_calls.load() == kThreads * kPerThread);
  CHECK(errors.load() == 0);
  for (int t = 0; t < kThreads; ++t) {
    REQUIRE(done_order[t].size() == kPerThread);
    for (int i = 0; i < kPerThread; ++i) CHECK(done_order[t][i] == i);
  }
  auto db = reader(*store);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM audit") == kThreads * kPerThread);
  // Stored order per thread follows submission order.
  for (int t = 0; t < kThreads; ++t) {
    Stmt q = db->prepare("SELECT data_json FROM audit WHERE action = ?1 ORDER BY id");
    q.bind(1, "t" + std::to_string(t));
    int expect = 0;
    while (q.step()) CHECK(Json::parse(q.col_text(0))["i"] == expect++);
    CHECK(expect == kPerThread);
  }
  const StoreStats s = store->stats();
  CHECK(s.ops == kThreads * kPerThread);
  CHECK(s.commits >= 1);
  CHECK(s.commits <= s.ops);
  std::uint64_t batches = 0;
  for (auto n : s.batch_hist) batches += n;
  CHECK(batches == s.commits);
  CHECK_FALSE(s.failed);
}

TEST_CASE("checkpoints run off the writer's commits and keep the WAL bounded") {
  TempDir dir;
  StoreOptions o;
  o.path = dir.file("p.db");
  o.checkpoint_pages = 8;
  auto opened = Store::open(o);
  REQUIRE(opened.ok());
  auto store = std::move(*opened);
  // The writer's own automatic checkpoint is off: the checkpointer thread does it.
  {
    std::optional<std::int64_t> autockpt;
    store->write(
        [&autockpt](Db& db) {
          Stmt q = db.prepare("PRAGMA wal_autocheckpoint");
          if (q.step()) autockpt = q.col_int(0);
          return std::optional<Error>();
        },
        [](const std::optional<Error>&) {});
    store->drain();
    CHECK(autockpt == 0);
  }
  for (int i = 0; i < 400; ++i) {
    store->write([i](Db& db) { return append_audit(db, audit_row("ck", Json{{"i", i}, {"pad", std::string(900, 'x')}})); },
                 [](const std::optional<Error>&) {});
    if (i % 20 == 0) store->drain();  // many small commits, as under load
  }
  store->drain();
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (store->checkpoints() == 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(store->checkpoints() > 0);
  // The WAL restarts from its beginning after a complete checkpoint: it stays far below what
  // 400 rows of 1 KB without checkpoints would take.
  CHECK(std::filesystem::file_size(o.path + "-wal") < 8u * 40 * 4096);
  auto db = reader(*store);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM audit WHERE action = 'ck'") == 400);
}

TEST_CASE("an op's error rolls back only its own savepoint") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  WriterGate gate;
  gate.block(*store);

  std::optional<Error> r1 = make_error(ErrorCode::internal, "unset"), r2, r3 = r1, r4;
  store->write([](Db& db) { return append_audit(db, audit_row("first")); },
               [&](const std::optional<Error>& e) { r1 = e; });
  store->write(
      [](Db& db) -> std::optional<Error> {
        if (auto e = append_audit(db, audit_row("doomed"))) return e;
        return make_error(ErrorCode::bad_field, "changed my mind", "x");
      },
      [&](const std::optional<Error>& e) { r2 = e; });
  store->write([](Db& db) { return append_audit(db, audit_row("third")); },
               [&](const std::optional<Error>& e) { r3 = e; });
  // A constraint violation in the same batch: duplicate tenant slug.
  store->write(
      [](Db& db) {
        Tenant t{"t_dup", kDefaultTenantSlug, "dup", {}};
        return insert_tenant(db, t, 1);
      },
      [&](const std::optional<Error>& e) { r4 = e; });
  gate.release();
  store->drain();

  CHECK_FALSE(r1.has_value());
  REQUIRE(r2.has_value());
  CHECK(r2->code == ErrorCode::bad_field);
  CHECK(r2->field == "x");
  CHECK_FALSE(r3.has_value());
  REQUIRE(r4.has_value());
  CHECK(r4->code == ErrorCode::internal);
  CHECK_FALSE(store->failed());

  auto db = reader(*store);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM audit WHERE action = 'first'") == 1);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM audit WHERE action = 'doomed'") == 0);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM audit WHERE action = 'third'") == 1);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM tenants") == 1);
  // The gate op + four ops, all in at most two transactions.
  CHECK(store->stats().commits <= 2);
  CHECK(store->stats().failed_ops == 2);
}

TEST_CASE("an op that throws is an internal error, not a crash") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  auto e = write_sync(*store, [](Db&) -> std::optional<Error> { throw std::runtime_error("boom"); });
  REQUIRE(e.has_value());
  CHECK(e->code == ErrorCode::internal);
  CHECK_FALSE(write_sync(*store, [](Db& db) { return append_audit(db, audit_row("after")); }).has_value());
}

TEST_CASE("a failed commit (disk full) fails the batch and every later write") {
  TempDir dir;
  const std::string path = dir.file("p.db");
  auto store = open_store(path);
  REQUIRE_FALSE(write_sync(*store, [](Db& db) { return append_audit(db, audit_row("before")); }).has_value());

  // Cap the file at its current size: the next write that needs a page fails with SQLITE_FULL.
  REQUIRE_FALSE(write_sync(*store, [](Db& db) -> std::optional<Error> {
                  Stmt q = db.prepare("PRAGMA page_count");
                  if (!q.step()) return make_error(ErrorCode::internal, "page_count");
                  const std::int64_t pages = q.col_int(0);
                  q.reset();
                  return db.exec("PRAGMA max_page_count = " + std::to_string(pages));
                }).has_value());

  WriterGate gate;
  gate.block(*store);
  std::vector<std::optional<Error>> results(3);
  store->write([](Db& db) { return append_audit(db, audit_row("small")); },
               [&](const std::optional<Error>& e) { results[0] = e; });
  store->write(
      [](Db& db) {
        Json big = Json::object();
        big["blob"] = std::string(256 * 1024, 'x');
        return append_audit(db, audit_row("big", big));
      },
      [&](const std::optional<Error>& e) { results[1] = e; });
  store->write([](Db& db) { return append_audit(db, audit_row("after-big")); },
               [&](const std::optional<Error>& e) { results[2] = e; });
  gate.release();
  store->drain();

  for (const auto& r : results) {
    REQUIRE(r.has_value());
    CHECK(r->code == ErrorCode::unavailable);
  }
  CHECK(store->failed());
  CHECK(store->stats().failed);

  // Every later write is refused, even a tiny one.
  auto later = write_sync(*store, [](Db& db) { return append_audit(db, audit_row("later")); });
  REQUIRE(later.has_value());
  CHECK(later->code == ErrorCode::unavailable);

  auto db = reader(*store);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM audit WHERE action = 'before'") == 1);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM audit WHERE action <> 'before'") == 0);
  CHECK(render_store_metrics(store->stats()).find("parley_store_failed 1\n") != std::string::npos);
}

TEST_CASE("store metrics render as Prometheus lines") {
  StoreStats s;
  s.commits = 3;
  s.ops = 10;
  s.batch_hist[0] = 1;
  s.batch_hist[1] = 1;
  s.batch_hist[2] = 1;
  const std::string text = render_store_metrics(s);
  CHECK(text.find("parley_store_commits_total 3\n") != std::string::npos);
  CHECK(text.find("parley_store_ops_total 10\n") != std::string::npos);
  CHECK(text.find("parley_store_batch_size_bucket{le=\"1\"} 1\n") != std::string::npos);
  CHECK(text.find("parley_store_batch_size_bucket{le=\"16\"} 3\n") != std::string::npos);
  CHECK(text.find("parley_store_batch_size_bucket{le=\"+Inf\"} 3\n") != std::string::npos);
  CHECK(text.find("parley_store_batch_size_count 3\n") != std::string::npos);
  CHECK(text.find("parley_store_failed 0\n") != std::string::npos);
}

TEST_CASE("destructor answers every queued write") {
  TempDir dir;
  std::atomic<int> answered{0};
  {
    auto store = open_store(dir.file("p.db"), 7);
    for (int i = 0; i < 100; ++i) {
      store->write([](Db& db) { return append_audit(db, audit_row("x")); },
                   [&](const std::optional<Error>&) { ++answered; });
    }
  }
  CHECK(answered.load() == 100);
  auto store = open_store(dir.file("p.db"));
  auto db = reader(*store);
  CHECK(count_rows(*db, "SELECT COUNT(*) FROM audit") == 100);
}

TEST_CASE("backup of a live database is a consistent copy and never overwrites") {
  TempDir dir;
  const std::string path = dir.file("live.db");
  auto store = open_store(path);
  const std::string conv = "cv_1";
  REQUIRE_FALSE(write_sync(*store, [&](Db& db) { return upsert_conversation(db, make_conversation(conv)); }));

  // A writer keeps committing conversations' messages while the backup runs.
  std::atomic<bool> stop{false};
  std::atomic<Seq> committed{0};
  std::thread writer([&] {
    for (Seq seq = 1; !stop.load(); ++seq) {
      auto err = write_sync(*store, [&, seq](Db& db) -> std::optional<Error> {
        if (auto e = append_event(db, kDefaultTenantId,
                                  message_event(conv, seq, "hello " + std::to_string(seq)))) {
          return e;
        }
        Conversation c = make_conversation(conv);
        c.head_seq = seq;
        return upsert_conversation(db, c);
      });
      if (err) break;
      committed = seq;
    }
  });
  while (committed.load() < 50) std::this_thread::yield();
  const std::string dest = dir.file("copy.db");
  auto err = backup_database(path, dest);
  stop = true;
  writer.join();
  REQUIRE_FALSE(err.has_value());

  auto copy = Db::open(dest, true);
  REQUIRE(copy.ok());
  const auto events = count_rows(**copy, "SELECT COUNT(*) FROM events");
  CHECK(events >= 50);
  CHECK(count_rows(**copy, "SELECT COUNT(*) FROM messages") == events);
  CHECK(count_rows(**copy, "SELECT head_seq FROM conversations") == events);  // same transaction
  CHECK(count_rows(**copy, "SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH 'hello'") == events);
  CHECK(count_rows(**copy, "SELECT COUNT(*) FROM tenants") == 1);

  auto again = backup_database(path, dest);
  REQUIRE(again.has_value());
  CHECK(again->message.find("exists") != std::string::npos);
  CHECK(backup_database(dir.file("missing.db"), dir.file("x.db")).has_value());
  CHECK_FALSE(std::filesystem::exists(dir.file("x.db")));
}
