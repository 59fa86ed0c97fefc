// tests/unit_store/helpers.hpp: temporary databases and small builders for the store tests.
#pragma once

#include <mutex>

#include <condition_variable>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "store/repo.hpp"
#include "store/store.hpp"

namespace parley::relay::test {

// A fresh directory under $TMPDIR, removed (with everything in it) at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "parley-store-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    REQUIRE(p != nullptr);
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Holds the writer thread inside an op until release(), so later writes queue up into one batch.
class WriterGate {
 public:
  void block(Store& store) {
    store.write(
        [this](Db&) -> std::optional<Error> {
          std::unique_lock<std::mutex> lock(mu_);
          entered_ = true;
          cv_.notify_all();
          cv_.wait(lock, [&] { return open_; });
          return std::nullopt;
        },
        nullptr);
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false, open_ = false;
};

inline std::unique_ptr<Store> open_store(const std::string& path, std::size_t max_batch = 2048) {
  StoreOptions o;
  o.path = path;
  o.max_batch = max_batch;
  auto s = Store::open(o);
  if (!s) FAIL("Store::open: " << s.error().message);
  return std::move(*s);
}

// Runs `op` through the store and waits for its answer.
// A bare connection on a migrated database (repo functions outside the writer thread).
struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store = open_store(dir.file("p.db"));
  std::unique_ptr<Db> db = [this] {
    auto d = Db::open(store->path());
    REQUIRE(d.ok());
    return std::move(*d);
  }();
};

inline std::optional<Error> write_sync(Store& store, Store::Op op) {
  std::promise<std::optional<Error>> p;
  auto f = p.get_future();
  store.write(std::move(op), [&p](const std::optional<Error>& e) { p.set_value(e); });
  return f.get();
}

inline std::unique_ptr<Db> reader(Store& store) {
  auto r = store.open_reader();
  if (!r) FAIL("open_reader: " << r.error().message);
  return std::move(*r);
}

inline std::int64_t count_rows(Db& db, const std::string& sql) {
  Stmt q = db.prepare(sql);
  REQUIRE(q.step());
  return q.col_int(0);
}

inline Conversation make_conversation(const std::string& id, const std::string& tenant = kDefaultTenantId,
                                      Millis updated = 1000) {
  Conversation c;
  c.id = id;
  c.tenant_id = tenant;
  c.contact_id = "c_1";
  c.created_at = updated;
  c.updated_at = updated;
  return c;
}

inline Event message_event(const std::string& conv, Seq seq, const std::string& text,
                           const std::string& client_msg_id = {}, Role role = Role::customer,
                           MessageKind kind = MessageKind::text, Audience audience = Audience::everyone) {
  Message m;
  m.conversation_id = conv;
  m.seq = seq;
  m.client_msg_id = client_msg_id;
  m.sender_role = role;
  m.sender_id = role == Role::customer ? "c_1" : "u_1";
  m.sender_name = role == Role::customer ? "Customer" : "Agent";
  m.kind = kind;
  m.text = text;
  m.at = 1000 + static_cast<Millis>(seq);
  Event e;
  e.conversation_id = conv;
  e.seq = seq;
  e.type = std::string(ev::new_message);
  e.audience = audience;
  e.at = m.at;
  e.actor = Actor{role, m.sender_id, m.sender_name};
  e.data = Json{{"message", to_json(m)}};
  return e;
}

inline Event plain_event(const std::string& conv, Seq seq, std::string_view type,
                         Audience audience = Audience::everyone) {
  Event e;
  e.conversation_id = conv;
  e.seq = seq;
  e.type = std::string(type);
  e.audience = audience;
  e.at = 2000 + static_cast<Millis>(seq);
  e.actor = Actor{Role::system, "system", "Parley"};
  e.data = Json{{"n", seq}};
  return e;
}

}  // namespace parley::relay::test
