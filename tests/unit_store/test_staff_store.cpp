// tests/unit_store/test_staff_store.cpp: issue 9's store pieces of staff accounts by mail (schema
// v13: invitations accepted once and only while pending, resets used once, the last-admin rule
// inside the role change, addresses) and the bounded search (the count capped at 1000
// conversations, the tenant's newest 20,000 matching messages read).
#include <doctest/doctest.h>

#include <future>

#include "domain/store_api.hpp"
#include "helpers.hpp"
#include "store/sqlite_store.hpp"

using namespace parley;
using namespace parley::relay;
using namespace parley::relay::test;

namespace {

std::optional<Error> write_all(DataStore& store, std::vector<Mutation> ops) {
  std::promise<std::optional<Error>> p;
  auto f = p.get_future();
  store.write(std::move(ops), [&p](const std::optional<Error>& e) { p.set_value(e); });
  return f.get();
}
std::optional<Error> write_one(DataStore& store, Mutation op) {
  std::vector<Mutation> ops;
  ops.push_back(std::move(op));
  return write_all(store, std::move(ops));
}

User user(const std::string& id, const std::string& name, StaffRole role, const std::string& tenant = kDefaultTenantId) {
  User u;
  u.id = id;
  u.tenant_id = tenant;
  u.username = name;
  u.display_name = name;
  u.role = role;
  u.password_hash = "hash";
  u.created_at = 1;
  return u;
}

std::unique_ptr<StoreReader> reader_of(DataStore& store) {
  auto r = store.open_reader();
  if (!r) FAIL("open_reader: " << r.error().message);
  return std::move(r).value();
}

}  // namespace

TEST_CASE("staff store: an invitation is accepted once, only while pending; its user in the same write") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  Invitation inv;
  inv.id = "inv_1";
  inv.tenant_id = kDefaultTenantId;
  inv.email = "nina@example.com";
  inv.role = StaffRole::supervisor;
  inv.token_hash = std::string(64, 'a');
  inv.created_at = 100;
  inv.expires_at = 1000;
  REQUIRE_FALSE(write_one(ds, InsertInvitation{inv}));
  auto rd = reader_of(ds);
  auto found = rd->find_invitation_by_token(inv.token_hash);
  REQUIRE(found);
  REQUIRE(found->has_value());
  CHECK((*found)->email == "nina@example.com");
  CHECK((*found)->role == StaffRole::supervisor);

  // Expired at 1000: refused, and the user of that vector is not stored.
  User nina = user("u_n", "nina", StaffRole::supervisor);
  nina.email = "nina@example.com";
  {
    std::vector<Mutation> ops;
    ops.push_back(InsertUser{nina});
    ops.push_back(AcceptInvitation{inv.token_hash, "u_n", 1000});
    auto e = write_all(ds, std::move(ops));
    REQUIRE(e);
    CHECK(is_stale(*e));
    CHECK_FALSE(rd->find_user("u_n").value().has_value());
  }
  {
    std::vector<Mutation> ops;
    ops.push_back(InsertUser{nina});
    ops.push_back(AcceptInvitation{inv.token_hash, "u_n", 999});
    REQUIRE_FALSE(write_all(ds, std::move(ops)));
  }
  auto u = rd->find_user("u_n");
  REQUIRE(u->has_value());
  CHECK((*u)->email == "nina@example.com");
  CHECK(rd->find_users_by_email("nina@example.com", 5)->size() == 1);
  // Twice: the second is stale.
  auto twice = write_one(ds, AcceptInvitation{inv.token_hash, "u_other", 500});
  REQUIRE(twice);
  CHECK(is_stale(*twice));
  CHECK((*rd->find_invitation_by_token(inv.token_hash))->user_id == "u_n");
  // Accepted cannot be withdrawn; unknown or another tenant's: not_found.
  auto rev = write_one(ds, RevokeInvitation{kDefaultTenantId, "inv_1", 600});
  REQUIRE(rev);
  CHECK(is_stale(*rev));
  CHECK(write_one(ds, RevokeInvitation{"t_other", "inv_1", 600})->code == ErrorCode::not_found);
  // A withdrawn one cannot be accepted.
  inv.id = "inv_2";
  inv.token_hash = std::string(64, 'b');
  REQUIRE_FALSE(write_one(ds, InsertInvitation{inv}));
  REQUIRE_FALSE(write_one(ds, RevokeInvitation{kDefaultTenantId, "inv_2", 200}));
  CHECK(is_stale(*write_one(ds, AcceptInvitation{inv.token_hash, "u_x", 300})));
  CHECK(rd->list_invitations(kDefaultTenantId, 10)->size() == 2);
  CHECK(rd->list_invitations("t_other", 10)->empty());
}

TEST_CASE("staff store: a reset link is used once and only before it expires") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  REQUIRE_FALSE(write_one(ds, InsertUser{user("u_s", "sam", StaffRole::agent)}));
  PasswordReset r{std::string(64, 'c'), "", "u_s", 100, 200, 0};
  REQUIRE_FALSE(write_one(ds, InsertPasswordReset{r}));
  auto rd = reader_of(ds);
  auto found = rd->find_password_reset(r.token_hash);
  REQUIRE(found->has_value());
  CHECK((*found)->tenant_id == kDefaultTenantId);  // the user's
  CHECK(is_stale(*write_one(ds, UsePasswordReset{r.token_hash, 200})));
  REQUIRE_FALSE(write_one(ds, UsePasswordReset{r.token_hash, 150}));
  CHECK(is_stale(*write_one(ds, UsePasswordReset{r.token_hash, 160})));
  CHECK(is_stale(*write_one(ds, UsePasswordReset{std::string(64, 'd'), 160})));
}

TEST_CASE("staff store: the tenant keeps an enabled admin, checked inside the role change") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  REQUIRE_FALSE(write_one(ds, InsertUser{user("u_a", "ann", StaffRole::admin)}));
  REQUIRE_FALSE(write_one(ds, InsertUser{user("u_b", "bo", StaffRole::admin)}));
  REQUIRE_FALSE(write_one(ds, InsertUser{user("u_o", "oz", StaffRole::admin, "t_other")}));
  auto rd = reader_of(ds);
  CHECK(rd->count_enabled_admins(kDefaultTenantId).value() == 2);
  // Both demotions in one batch: the first passes, the second finds no other admin.
  std::promise<std::optional<Error>> p1, p2;
  WriterGate gate;
  gate.block(*store);  // the next two writes queue up behind it and commit together
  ds.write(Mutation{SetUserRole{kDefaultTenantId, "u_a", StaffRole::agent}},
           [&](const std::optional<Error>& e) { p1.set_value(e); });
  ds.write(Mutation{SetUserRole{kDefaultTenantId, "u_b", StaffRole::supervisor}},
           [&](const std::optional<Error>& e) { p2.set_value(e); });
  gate.release();
  CHECK_FALSE(p1.get_future().get());
  auto e2 = p2.get_future().get();
  REQUIRE(e2);
  CHECK(e2->code == ErrorCode::forbidden);
  CHECK(e2->field == "role");
  CHECK(rd->count_enabled_admins(kDefaultTenantId).value() == 1);
  // Another tenant's admin does not count, and its users are not found from here.
  CHECK(write_one(ds, SetUserRole{kDefaultTenantId, "u_o", StaffRole::agent})->code == ErrorCode::not_found);
  // A disabled admin may be demoted; promoting is always allowed.
  REQUIRE_FALSE(write_one(ds, SetUserRole{kDefaultTenantId, "u_a", StaffRole::admin}));
  REQUIRE_FALSE(write_one(ds, SetUserDisabled{"u_a", true}));
  REQUIRE_FALSE(write_one(ds, SetUserRole{kDefaultTenantId, "u_a", StaffRole::agent}));
  REQUIRE_FALSE(write_one(ds, SetUserEmail{kDefaultTenantId, "u_b", "bo@example.com"}));
  CHECK(write_one(ds, SetUserEmail{"t_other", "u_b", "x@example.com"})->code == ErrorCode::not_found);
  CHECK((*rd->find_user("u_b"))->email == "bo@example.com");
}

TEST_CASE("search: the count stops at 1000 conversations and says so; few matches stay exact") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  // 1,100 conversations of this tenant whose message says "parcel", 5 that say "zeppelin", and
  // 50 of another tenant that say "parcel".
  std::vector<Mutation> convs;
  for (int i = 0; i < 1155; ++i) {
    Conversation c = make_conversation("c_" + std::to_string(i), i < 1105 ? kDefaultTenantId : "t_other", 1000 + i);
    c.head_seq = 1;
    convs.push_back(UpsertConversation{c});
  }
  REQUIRE_FALSE(write_all(ds, std::move(convs)));
  std::vector<Mutation> msgs;
  for (int i = 0; i < 1155; ++i) {
    const std::string text = i >= 1100 && i < 1105 ? "the zeppelin parcel" : "my parcel is late";
    msgs.push_back(AppendEvent{i < 1105 ? kDefaultTenantId : "t_other", message_event("c_" + std::to_string(i), 1, text)});
  }
  REQUIRE_FALSE(write_all(ds, std::move(msgs)));
  auto rd = reader_of(ds);
  ConversationSearch f;
  f.query = "parcel";
  auto page = rd->search_conversations(kDefaultTenantId, f);
  REQUIRE(page);
  CHECK(page->total == kSearchCountCap);
  CHECK(page->total_capped);
  CHECK(page->hits.size() == 50);
  CHECK(page->hits[0].match_seq == 1);
  CHECK(page->hits[0].snippet.find("[parcel]") != std::string::npos);
  f.query = "zeppelin";
  page = rd->search_conversations(kDefaultTenantId, f);
  REQUIRE(page);
  CHECK(page->total == 5);
  CHECK_FALSE(page->total_capped);
  f.query = "parcel";
  page = rd->search_conversations("t_other", f);
  REQUIRE(page);
  CHECK(page->total == 50);
  CHECK_FALSE(page->total_capped);
  f.query.clear();  // no words: exact
  page = rd->search_conversations(kDefaultTenantId, f);
  REQUIRE(page);
  CHECK(page->total == 1105);
  CHECK_FALSE(page->total_capped);
}

TEST_CASE("search: past 20,000 matching messages only the newest are read, and the count says so") {
  TempDir dir;
  auto store = open_store(dir.file("p.db"));
  SqliteDataStore ds(*store);
  std::vector<Mutation> convs;
  for (int i = 0; i < 3; ++i) {
    Conversation c = make_conversation("c_" + std::to_string(i), kDefaultTenantId, 1000 + i);
    c.head_seq = i == 1 ? 20000 : 1;
    convs.push_back(UpsertConversation{c});
  }
  REQUIRE_FALSE(write_all(ds, std::move(convs)));
  std::vector<Mutation> msgs;
  msgs.push_back(AppendEvent{kDefaultTenantId, message_event("c_0", 1, "an old refund question")});
  for (int s = 1; s <= 20000; ++s) msgs.push_back(AppendEvent{kDefaultTenantId, message_event("c_1", s, "refund please")});
  msgs.push_back(AppendEvent{kDefaultTenantId, message_event("c_2", 1, "another refund")});
  REQUIRE_FALSE(write_all(ds, std::move(msgs)));
  auto rd = reader_of(ds);
  ConversationSearch f;
  f.query = "refund";
  auto page = rd->search_conversations(kDefaultTenantId, f);
  REQUIRE(page);
  CHECK(page->total_capped);
  // The newest 20,000 matches are c_2's one and 19,999 of c_1's: c_0's old one is not read.
  CHECK(page->total == 2);
  bool old_listed = false;
  for (const SearchHit& h : page->hits) old_listed |= h.conversation.id == "c_0";
  CHECK_FALSE(old_listed);
  f.query = "old refund";  // a narrower search finds it
  page = rd->search_conversations(kDefaultTenantId, f);
  REQUIRE(page);
  CHECK(page->total == 1);
  CHECK_FALSE(page->total_capped);
}
