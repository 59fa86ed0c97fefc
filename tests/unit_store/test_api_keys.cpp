// tests/unit_store/test_api_keys.cpp: scoped, revocable API keys (issue 6, security 1), the v4
// migration of keys made before scopes existed, and the change log / settings merge that let a
// running relay see what parleyctl changed (issue 6, security 2 and correctness 5).
#include <doctest/doctest.h>

#include "helpers.hpp"
#include "store/api_keys.hpp"
#include "store/change_log.hpp"
#include "store/schema.hpp"
#include "store/settings_patch.hpp"

using namespace parley;
using namespace parley::relay;
using namespace parley::relay::test;

namespace {


ApiKey make_key(const std::string& tenant, const std::string& name, ApiScopes scopes, Millis at) {
  ApiKey k;
  k.id = new_api_key_id();
  k.tenant_id = tenant;
  k.name = name;
  k.scopes = scopes;
  k.created_at = at;
  return k;
}

}  // namespace

TEST_CASE("api key scopes parse and format") {
  auto s = ApiScopes::parse(" read , sync,read");
  REQUIRE(s.ok());
  CHECK(s->has(ApiScopes::sync));
  CHECK(s->has(ApiScopes::read));
  CHECK_FALSE(s->has(ApiScopes::write));
  CHECK_FALSE(s->has(ApiScopes::admin));
  CHECK(s->format() == "sync,read");
  CHECK(ApiScopes::all().format() == "sync,read,write,admin");
  CHECK(ApiScopes::parse(ApiScopes::all().format())->bits == ApiScopes::all().bits);
  for (const char* bad : {"", " ", "sync,", "root", "sync,,read", "Sync"}) {
    auto r = ApiScopes::parse(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::bad_field);
    CHECK(r.error().field == "scopes");
  }
}

TEST_CASE("api keys: insert, find by hash, list per tenant, touch, revoke (tenant-checked)") {
  Fixture f;
  REQUIRE_FALSE(insert_tenant(*f.db, Tenant{"t_acme", "acme", "Acme", {}}, 1));
  const ApiKey mirror = make_key(kDefaultTenantId, "mirror", ApiScopes{ApiScopes::sync}, 10);
  const ApiKey ops = make_key(kDefaultTenantId, "ops", *ApiScopes::parse("read,write"), 20);
  const ApiKey other = make_key("t_acme", "acme-admin", ApiScopes::all(), 30);
  REQUIRE_FALSE(insert_api_key(*f.db, mirror, "h_mirror"));
  REQUIRE_FALSE(insert_api_key(*f.db, ops, "h_ops"));
  REQUIRE_FALSE(insert_api_key(*f.db, other, "h_other"));
  CHECK(insert_api_key(*f.db, make_key(kDefaultTenantId, "dup", ApiScopes::all(), 1), "h_ops").has_value());
  auto no_scope = insert_api_key(*f.db, make_key(kDefaultTenantId, "none", ApiScopes{}, 1), "h_none");
  REQUIRE(no_scope.has_value());
  CHECK(no_scope->code == ErrorCode::bad_field);

  // Only the hash is stored, never a key.
  CHECK(count_rows(*f.db, "SELECT COUNT(*) FROM api_keys WHERE key_hash = 'h_mirror'") == 1);

  auto found = find_api_key_by_hash(*f.db, "h_mirror");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->id == mirror.id);
  CHECK((*found)->id.rfind("key_", 0) == 0);
  CHECK((*found)->tenant_id == kDefaultTenantId);
  CHECK((*found)->scopes == ApiScopes{ApiScopes::sync});
  CHECK((*found)->created_at == 10);
  CHECK((*found)->last_used_at == 0);
  CHECK_FALSE((*found)->revoked());
  CHECK_FALSE(find_api_key_by_hash(*f.db, "nope")->has_value());

  auto list = list_api_keys(*f.db, kDefaultTenantId);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].name == "mirror");
  CHECK((*list)[1].name == "ops");
  CHECK((*list)[1].scopes.format() == "read,write");
  CHECK(list_api_keys(*f.db, "t_acme")->size() == 1);

  REQUIRE_FALSE(touch_api_key(*f.db, ops.id, 500));
  CHECK(find_api_key(*f.db, kDefaultTenantId, ops.id)->value().last_used_at == 500);
  CHECK_FALSE(touch_api_key(*f.db, "key_unknown", 1).has_value());

  // Another tenant's key cannot be revoked, or even seen, through this tenant.
  auto foreign = revoke_api_key(*f.db, kDefaultTenantId, other.id, 600);
  REQUIRE(foreign.has_value());
  CHECK(foreign->code == ErrorCode::not_found);
  CHECK_FALSE(find_api_key(*f.db, kDefaultTenantId, other.id)->has_value());
  CHECK_FALSE(find_api_key_by_hash(*f.db, "h_other")->value().revoked());

  REQUIRE_FALSE(revoke_api_key(*f.db, kDefaultTenantId, mirror.id, 700));
  REQUIRE_FALSE(revoke_api_key(*f.db, kDefaultTenantId, mirror.id, 800));  // again: no error, time kept
  auto revoked = find_api_key_by_hash(*f.db, "h_mirror");
  REQUIRE(revoked->has_value());  // still found, marked
  CHECK((*revoked)->revoked());
  CHECK((*revoked)->revoked_at == 700);
  CHECK(revoke_api_key(*f.db, kDefaultTenantId, "key_missing", 1)->code == ErrorCode::not_found);

  CHECK_FALSE((*find_api_key_by_hash(*f.db, "h_ops"))->revoked());
  CHECK((*find_api_key_by_hash(*f.db, "h_ops"))->tenant_id == kDefaultTenantId);
}

TEST_CASE("migration v4: keys made before scopes keep working with every scope") {
  TempDir dir;
  auto opened = Db::open(dir.file("v3.db"));
  REQUIRE(opened.ok());
  Db& db = **opened;
  // A v3 database as far as v4 is concerned: migrations 1-3 recorded, the v1 api_keys table.
  REQUIRE_FALSE(db.exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);"
      "INSERT INTO schema_migrations VALUES (1, 1), (2, 1), (3, 1);"
      "CREATE TABLE api_keys (key_hash TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL,"
      " created_at INTEGER NOT NULL);"
      "INSERT INTO api_keys VALUES ('h_a', 't_default', 'first start', 111), ('h_b', 't_x', 'ci', 222);"
      // The tables later migrations index (v5), as v1 made them, reduced to the indexed columns.
      "CREATE TABLE conversations (id TEXT PRIMARY KEY, tenant_id TEXT, status TEXT, created_at INTEGER,"
      " updated_at INTEGER, assignee_id TEXT);"  // assignee_id: indexed by v8
      "CREATE TABLE messages (id INTEGER PRIMARY KEY, tenant_id TEXT, client_msg_id TEXT);"
      "CREATE TABLE events (conversation_id TEXT, seq INTEGER, tenant_id TEXT, at INTEGER);"  // v8
      "CREATE TABLE users (id TEXT PRIMARY KEY, tenant_id TEXT);"  // v13 adds users.email
      // v15 rebuilds the knowledge base (issue 10): v1's table, with an article that must survive.
      "CREATE TABLE kb_articles (id TEXT NOT NULL, tenant_id TEXT NOT NULL, title TEXT NOT NULL,"
      " body TEXT NOT NULL DEFAULT '', keywords TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (tenant_id, id));"
      "INSERT INTO kb_articles VALUES ('kb_hours', 't_default', 'Opening hours', 'Nine to five, reviewed weekly.',"
      " '[\"open\"]');"));
  REQUIRE_FALSE(migrate(db, 1000));
  CHECK(schema_version(db).value() == latest_schema_version());
  {
    // The article kept every field, got v15's defaults, and is in the English full-text index
    // (porter: "reviewing" meets "reviewed").
    auto kb = load_kb(db, "t_default");
    REQUIRE(kb.ok());
    REQUIRE(kb->size() == 1);
    CHECK((*kb)[0].title == "Opening hours");
    CHECK((*kb)[0].keywords == std::vector<std::string>{"open"});
    CHECK((*kb)[0].active);
    CHECK((*kb)[0].usage_count == 0);
    Stmt q = db.prepare("SELECT COUNT(*) FROM kb_fts_en WHERE kb_fts_en MATCH 'reviewing'");
    REQUIRE(q.step());
    CHECK(q.col_int(0) == 1);
  }

  auto a = find_api_key_by_hash(db, "h_a");
  REQUIRE(a.ok());
  REQUIRE(a->has_value());
  CHECK((*a)->id.rfind("key_", 0) == 0);
  CHECK((*a)->id.size() == 4 + 24);
  CHECK((*a)->tenant_id == "t_default");
  CHECK((*a)->name == "first start");
  CHECK((*a)->created_at == 111);
  CHECK((*a)->scopes == ApiScopes::all());
  CHECK_FALSE((*a)->revoked());
  CHECK((*find_api_key_by_hash(db, "h_b"))->tenant_id == "t_x");
  CHECK(find_api_key_by_hash(db, "h_b")->value().id != (*a)->id);
  CHECK(count_rows(db, "SELECT COUNT(*) FROM change_log") == 0);
}

TEST_CASE("change log: append, read after an id, last id survives pruning") {
  Fixture f;
  CHECK(last_change_id(*f.db).value() == 0);
  CHECK(changes_after(*f.db, 0, 10)->empty());
  REQUIRE_FALSE(append_change(*f.db, change_kind::sessions, kDefaultTenantId, "u_1", 100));
  REQUIRE_FALSE(append_change(*f.db, change_kind::tenant, kDefaultTenantId, kDefaultTenantId, 200));
  REQUIRE_FALSE(append_change(*f.db, change_kind::kb, "t_acme", "t_acme", 300));
  auto bad = append_change(*f.db, "everything", kDefaultTenantId, "", 1);
  REQUIRE(bad.has_value());
  CHECK(bad->field == "kind");

  const std::int64_t last = last_change_id(*f.db).value();
  auto all = changes_after(*f.db, 0, 10);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].kind == "sessions");
  CHECK((*all)[0].target == "u_1");
  CHECK((*all)[0].at == 100);
  CHECK((*all)[2].tenant_id == "t_acme");
  CHECK((*all)[2].id == last);
  CHECK((*all)[0].id < (*all)[1].id);

  auto page = changes_after(*f.db, (*all)[0].id, 1);
  REQUIRE(page->size() == 1);
  CHECK(page->front().kind == "tenant");
  CHECK(changes_after(*f.db, last, 10)->empty());

  REQUIRE_FALSE(prune_changes_before(*f.db, 1000));
  CHECK(changes_after(*f.db, 0, 10)->empty());
  CHECK(last_change_id(*f.db).value() == last);  // ids never go back
  REQUIRE_FALSE(append_change(*f.db, change_kind::apikey, kDefaultTenantId, "key_x", 2000));
  CHECK(changes_after(*f.db, last, 10)->front().id > last);
}

TEST_CASE("settings patch merges one field and never writes other fields back") {
  Fixture f;
  auto other = Db::open(f.store->path());
  REQUIRE(other.ok());
  // The relay's copy of the settings, read before parleyctl changed the title.
  const TenantSettings stale = find_tenant(*f.db, kDefaultTenantId)->value().settings;

  auto a = patch_tenant_settings(**other, kDefaultTenantId, Json{{"title", "From the CLI"}});
  REQUIRE(a.ok());
  CHECK(a->title == "From the CLI");

  // The relay now changes another field. The old way (whole object) would put the old title back:
  TenantSettings whole = stale;
  whole.brand_color = "#111111";
  {
    // (shown on a copy: save_tenant_settings of the stale object loses the CLI's title)
    REQUIRE_FALSE(f.db->exec("SAVEPOINT demo"));
    REQUIRE_FALSE(save_tenant_settings(*f.db, kDefaultTenantId, whole));
    CHECK(find_tenant(*f.db, kDefaultTenantId)->value().settings.title == stale.title);
    REQUIRE_FALSE(f.db->exec("ROLLBACK TO demo; RELEASE demo"));
  }
  auto b = patch_tenant_settings(*f.db, kDefaultTenantId, Json{{"brand_color", "#111111"}});
  REQUIRE(b.ok());
  CHECK(b->title == "From the CLI");
  CHECK(b->brand_color == "#111111");
  auto stored = find_tenant(*f.db, kDefaultTenantId)->value().settings;
  CHECK(stored.title == "From the CLI");
  CHECK(stored.brand_color == "#111111");
  CHECK(stored.welcome == stale.welcome);

  // Several fields at once; arrays are replaced whole.
  auto c = patch_tenant_settings(*f.db, kDefaultTenantId,
                                 Json{{"issue_types", {"a", "b"}}, {"handoff_after_turns", 5}});
  REQUIRE(c.ok());
  CHECK(c->issue_types == std::vector<std::string>{"a", "b"});
  CHECK(c->handoff_after_turns == 5);
  CHECK(c->title == "From the CLI");

  // Invalid patches change nothing.
  const std::string before =
      [&] {
        Stmt q = f.db->prepare("SELECT settings_json FROM tenants WHERE id = ?1");
        q.bind(1, std::string(kDefaultTenantId));
        REQUIRE(q.step());
        return q.col_text(0);
      }();
  auto bad = patch_tenant_settings(*f.db, kDefaultTenantId, Json{{"title", "x"}, {"handoff_after_turns", 0}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().field == "handoff_after_turns");
  CHECK(patch_tenant_settings(*f.db, kDefaultTenantId, Json{{"nope", 1}}).error().code == ErrorCode::bad_field);
  CHECK(patch_tenant_settings(*f.db, kDefaultTenantId, Json::array()).error().code == ErrorCode::bad_json);
  {
    Stmt q = f.db->prepare("SELECT settings_json FROM tenants WHERE id = ?1");
    q.bind(1, std::string(kDefaultTenantId));
    REQUIRE(q.step());
    CHECK(q.col_text(0) == before);
  }
  CHECK(patch_tenant_settings(*f.db, "t_missing", Json{{"title", "x"}}).error().code == ErrorCode::not_found);
  auto same = patch_tenant_settings(*f.db, kDefaultTenantId, Json::object());
  REQUIRE(same.ok());
  CHECK(same->title == "From the CLI");
}
