// tests/unit_store/test_repo.cpp: typed queries over the schema, and the schema's own guarantees.
#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace parley;
using namespace parley::relay;
using namespace parley::relay::test;

TEST_CASE("events and audit are append-only") {
  Fixture f;
  REQUIRE_FALSE(append_event(*f.db, kDefaultTenantId, plain_event("cv_1", 1, ev::new_session)));
  AuditEntry a;
  a.tenant_id = kDefaultTenantId;
  a.actor_type = "cli";
  a.action = "user.created";
  a.at = 5;
  REQUIRE_FALSE(append_audit(*f.db, a));

  auto e1 = f.db->exec("UPDATE events SET type = 'x'");
  REQUIRE(e1.has_value());
  CHECK(e1->message.find("append-only") != std::string::npos);
  CHECK(f.db->exec("DELETE FROM events").has_value());
  CHECK(f.db->exec("UPDATE audit SET action = 'x'").has_value());
  CHECK(f.db->exec("DELETE FROM audit").has_value());
  CHECK(count_rows(*f.db, "SELECT COUNT(*) FROM events") == 1);
  CHECK(count_rows(*f.db, "SELECT COUNT(*) FROM audit") == 1);
  // A duplicate seq is refused.
  auto dup = append_event(*f.db, kDefaultTenantId, plain_event("cv_1", 1, ev::handed_off));
  REQUIRE(dup.has_value());
  CHECK(dup->code == ErrorCode::internal);
  // Ephemeral events are never stored.
  CHECK(append_event(*f.db, kDefaultTenantId, plain_event("cv_1", 0, ev::typing)).has_value());
}

TEST_CASE("client_msg_id is unique per conversation; absent ids may repeat") {
  Fixture f;
  REQUIRE_FALSE(append_event(*f.db, kDefaultTenantId, message_event("cv_1", 1, "hi", "m-1")));
  auto dup = append_event(*f.db, kDefaultTenantId, message_event("cv_1", 2, "hi again", "m-1"));
  REQUIRE(dup.has_value());
  CHECK(dup->code == ErrorCode::internal);
  // Nothing of the failed append is left: seq 2 is still free, no event row either.
  CHECK(count_rows(*f.db, "SELECT COUNT(*) FROM events") == 1);
  REQUIRE_FALSE(append_event(*f.db, kDefaultTenantId, message_event("cv_1", 2, "bot 1", "", Role::bot)));
  REQUIRE_FALSE(append_event(*f.db, kDefaultTenantId, message_event("cv_1", 3, "bot 2", "", Role::bot)));
  // The same client id in another conversation is fine.
  REQUIRE_FALSE(append_event(*f.db, kDefaultTenantId, message_event("cv_2", 1, "other", "m-1")));

  auto ids = client_msg_ids(*f.db, "cv_1");
  REQUIRE(ids.ok());
  REQUIRE(ids->size() == 1);
  CHECK((*ids)[0].first == "m-1");
  CHECK((*ids)[0].second == 1);

  auto msgs = load_messages(*f.db, kDefaultTenantId, "cv_1", true);
  REQUIRE(msgs.ok());
  REQUIRE(msgs->size() == 3);
  CHECK((*msgs)[0].client_msg_id == "m-1");
  CHECK((*msgs)[0].sender_role == Role::customer);
  CHECK((*msgs)[1].client_msg_id.empty());
  CHECK((*msgs)[2].text == "bot 2");
  CHECK((*msgs)[2].sender_role == Role::bot);

  // A message whose seq disagrees with its event is refused.
  Event bad = message_event("cv_1", 9, "x");
  bad.seq = 4;
  CHECK(append_event(*f.db, kDefaultTenantId, bad).has_value());
  Event missing = plain_event("cv_1", 4, ev::new_message);
  CHECK(append_event(*f.db, kDefaultTenantId, missing).has_value());
}

TEST_CASE("events_after filters by audience and tenant, round-trips the event") {
  Fixture f;
  const std::string cv = "cv_1";
  REQUIRE_FALSE(append_event(*f.db, kDefaultTenantId, plain_event(cv, 1, ev::new_session)));
  REQUIRE_FALSE(append_event(*f.db, kDefaultTenantId, message_event(cv, 2, "hello", "m1")));
  REQUIRE_FALSE(
      append_event(*f.db, kDefaultTenantId, plain_event(cv, 3, ev::handoff_summary, Audience::staff)));
  REQUIRE_FALSE(append_event(
      *f.db, kDefaultTenantId,
      message_event(cv, 4, "internal note", "", Role::agent, MessageKind::note, Audience::staff)));
  REQUIRE_FALSE(append_event(*f.db, kDefaultTenantId, plain_event(cv, 5, ev::assigned)));

  auto staff = events_after(*f.db, kDefaultTenantId, cv, 0, true, 100);
  REQUIRE(staff.ok());
  CHECK(staff->size() == 5);
  auto customer = events_after(*f.db, kDefaultTenantId, cv, 0, false, 100);
  REQUIRE(customer.ok());
  REQUIRE(customer->size() == 3);
  CHECK((*customer)[0].seq == 1);
  CHECK((*customer)[1].seq == 2);
  CHECK((*customer)[2].seq == 5);

  const Event& m = (*customer)[1];
  CHECK(m.type == ev::new_message);
  CHECK(m.actor.role == Role::customer);
  CHECK(m.actor.name == "Customer");
  CHECK(m.data["message"]["text"] == "hello");
  CHECK(to_json(m) == to_json(message_event(cv, 2, "hello", "m1")));

  auto after = events_after(*f.db, kDefaultTenantId, cv, 2, true, 2);
  REQUIRE(after.ok());
  REQUIRE(after->size() == 2);
  CHECK((*after)[0].seq == 3);
  CHECK((*after)[1].seq == 4);

  auto other_tenant = events_after(*f.db, "t_other", cv, 0, true, 100);
  REQUIRE(other_tenant.ok());
  CHECK(other_tenant->empty());

  auto cust_msgs = load_messages(*f.db, kDefaultTenantId, cv, false);
  REQUIRE(cust_msgs.ok());
  REQUIRE(cust_msgs->size() == 1);
  CHECK((*cust_msgs)[0].text == "hello");
  auto staff_msgs = load_messages(*f.db, kDefaultTenantId, cv, true);
  REQUIRE(staff_msgs.ok());
  CHECK(staff_msgs->size() == 2);
}

TEST_CASE("conversations: upsert round trip, tenant isolation, list order, status filter, search") {
  Fixture f;
  Tenant other{"t_other", "other", "Other", {}};
  REQUIRE_FALSE(insert_tenant(*f.db, other, 1));

  Conversation a = make_conversation("cv_a", kDefaultTenantId, 100);
  a.status = Status::active;
  a.priority = Priority::urgent;
  a.channel = Channel::whatsapp;
  a.answered_by = Answerer::llm;
  a.ending = Ending::none;
  a.topic = "Refund";
  a.issue_type = "billing";
  a.assignee_id = "u_1";
  a.assignee_name = "Ann";
  a.previous_agent_id = "u_0";
  a.handoff_summary = "wants a refund";
  a.unanswered_turns = 2;
  a.handed_off_at = 50;
  a.assigned_at = 60;
  a.first_agent_response_at = 70;
  a.head_seq = 7;
  a.page_url = "https://shop.example/checkout";
  a.page_title = "Checkout";
  a.page_referrer = "https://search.example/";
  REQUIRE_FALSE(upsert_conversation(*f.db, a));
  Conversation b = make_conversation("cv_b", kDefaultTenantId, 300);
  REQUIRE_FALSE(upsert_conversation(*f.db, b));
  Conversation c = make_conversation("cv_c", kDefaultTenantId, 200);
  c.status = Status::resolved;
  c.ending = Ending::resolved_by_staff;
  c.resolution = "done";
  c.resolved_at = 250;
  REQUIRE_FALSE(upsert_conversation(*f.db, c));
  Conversation x = make_conversation("cv_x", "t_other", 400);
  REQUIRE_FALSE(upsert_conversation(*f.db, x));

  auto found = find_conversation(*f.db, kDefaultTenantId, "cv_a");
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK(to_json(**found, true) == to_json(a, true));
  CHECK((*found)->handoff_summary == "wants a refund");
  CHECK((*found)->unanswered_turns == 2);
  CHECK((*found)->head_seq == 7);
  CHECK((*found)->page_url == "https://shop.example/checkout");
  CHECK((*found)->page_title == "Checkout");
  CHECK((*found)->page_referrer == "https://search.example/");
  auto hidden = find_conversation(*f.db, kDefaultTenantId, "cv_x");
  REQUIRE(hidden.ok());
  CHECK_FALSE(hidden->has_value());

  // Update in place.
  a.status = Status::resolved;
  a.updated_at = 500;
  REQUIRE_FALSE(upsert_conversation(*f.db, a));
  // A clash with another tenant's id is refused, the row untouched.
  Conversation steal = make_conversation("cv_x", kDefaultTenantId, 999);
  CHECK(upsert_conversation(*f.db, steal).has_value());

  auto all = load_conversations(*f.db);
  REQUIRE(all.ok());
  CHECK(all->size() == 4);

  ConversationFilter filter;
  auto list = list_conversations(*f.db, kDefaultTenantId, filter);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 3);
  CHECK((*list)[0].id == "cv_a");  // updated 500
  CHECK((*list)[1].id == "cv_b");  // 300
  CHECK((*list)[2].id == "cv_c");  // 200

  filter.status = Status::resolved;
  list = list_conversations(*f.db, kDefaultTenantId, filter);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].id == "cv_a");
  CHECK((*list)[1].id == "cv_c");

  filter = {};
  filter.limit = 1;
  filter.offset = 1;
  list = list_conversations(*f.db, kDefaultTenantId, filter);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].id == "cv_b");

  // Full-text search.
  REQUIRE_FALSE(append_event(*f.db, kDefaultTenantId, message_event("cv_b", 1, "My parcel never arrived")));
  REQUIRE_FALSE(append_event(*f.db, kDefaultTenantId, message_event("cv_c", 1, "Where is my invoice?")));
  REQUIRE_FALSE(append_event(*f.db, "t_other", message_event("cv_x", 1, "parcel for the other tenant")));
  filter = {};
  filter.query = "parcel";
  list = list_conversations(*f.db, kDefaultTenantId, filter);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].id == "cv_b");

  filter.query = "  PARCEL   arrived ";  // case-insensitive, words ANDed
  list = list_conversations(*f.db, kDefaultTenantId, filter);
  REQUIRE(list.ok());
  CHECK(list->size() == 1);
  filter.query = "parcel invoice";
  list = list_conversations(*f.db, kDefaultTenantId, filter);
  REQUIRE(list.ok());
  CHECK(list->empty());

  // FTS5 syntax in user text is just text: no errors.
  for (const char* q :
       {"\"", "parcel\" OR \"invoice", "NOT", "a*", "(x", "col:val", "^", "!!!", "''", "NEAR(a b)"}) {
    filter.query = q;
    list = list_conversations(*f.db, kDefaultTenantId, filter);
    CHECK_MESSAGE(list.ok(), q);
  }

  filter.query = "invoice";
  filter.status = Status::bot;
  list = list_conversations(*f.db, kDefaultTenantId, filter);
  REQUIRE(list.ok());
  CHECK(list->empty());
  filter.status = Status::resolved;
  list = list_conversations(*f.db, kDefaultTenantId, filter);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].id == "cv_c");
}

TEST_CASE("tenant settings: defaults, strict validation, all-or-nothing") {
  TenantSettings s;
  const Json defaults = to_json(s);
  TenantSettings copy;
  copy.title = "changed";
  REQUIRE_FALSE(apply_settings_json(defaults, copy));
  CHECK(to_json(copy) == defaults);

  auto bad = [&](Json j, const std::string& field) {
    TenantSettings t;
    auto e = apply_settings_json(j, t);
    REQUIRE_MESSAGE(e.has_value(), j.dump());
    CHECK(e->code == ErrorCode::bad_field);
    CHECK(e->field == field);
    CHECK(to_json(t) == defaults);  // unchanged
  };
  bad({{"title", "ok"}, {"colour", "#ffffff"}}, "colour");
  bad({{"title", 5}}, "title");
  bad({{"title", ""}}, "title");
  bad({{"brand_color", "blue"}}, "brand_color");
  bad({{"brand_color", "#12345g"}}, "brand_color");
  bad({{"brand_color", "#1234567"}}, "brand_color");
  bad({{"position", "top"}}, "position");
  bad({{"handoff_after_turns", 0}}, "handoff_after_turns");
  bad({{"handoff_after_turns", 51}}, "handoff_after_turns");
  bad({{"handoff_after_turns", 2.5}}, "handoff_after_turns");
  bad({{"handoff_after_turns", "3"}}, "handoff_after_turns");
  bad({{"time_zone", ""}}, "time_zone");
  bad({{"time_zone", 1}}, "time_zone");
  bad({{"prechat_form", "yes"}}, "prechat_form");
  bad({{"assistant_enabled", 1}}, "assistant_enabled");
  bad({{"allowed_sites", "https://a.com"}}, "allowed_sites");
  bad({{"allowed_sites", {"https://a.com; script-src *"}}}, "allowed_sites");
  bad({{"allowed_sites", {"ftp://a.com"}}}, "allowed_sites");
  bad({{"allowed_sites", {"https://a.com/path"}}}, "allowed_sites");
  bad({{"issue_types", Json::array()}}, "issue_types");
  bad({{"issue_types", {"a", "a"}}}, "issue_types");
  bad({{"issue_types", {"a", 3}}}, "issue_types");

  TenantSettings t;
  CHECK(apply_settings_json(Json::array(), t).has_value());

  Json good = {
      {"brand_color", "#A0b1C2"},
      {"position", "left"},
      {"handoff_after_turns", 50},
      {"time_zone", "Europe/Berlin"},
      {"allowed_sites", {"https://shop.example.com", "http://localhost:8080", "https://*.example.org", "*"}},
      {"issue_types", {"sales"}},
      {"prechat_form", true},
      {"assistant_enabled", false},
      {"assistant_name", "Robo"},
      {"welcome", ""},
      {"title", "Help"}};
  REQUIRE_FALSE(apply_settings_json(good, t));
  CHECK(t.brand_color == "#A0b1C2");
  CHECK(t.position == "left");
  CHECK(t.handoff_after_turns == 50);
  CHECK(t.allowed_sites.size() == 4);
  CHECK(t.issue_types == std::vector<std::string>{"sales"});
  CHECK_FALSE(t.assistant_enabled);

  // Persisted and reloaded.
  Fixture f;
  REQUIRE_FALSE(save_tenant_settings(*f.db, kDefaultTenantId, t));
  auto loaded = find_tenant(*f.db, kDefaultTenantId);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  CHECK(to_json((*loaded)->settings) == to_json(t));
  CHECK(save_tenant_settings(*f.db, "t_missing", t)->code == ErrorCode::not_found);
  auto tenants = load_tenants(*f.db);
  REQUIRE(tenants.ok());
  CHECK(tenants->size() == 1);
}

TEST_CASE("users, sessions, api keys, contacts, visitors, knowledge base") {
  Fixture f;
  User u;
  u.id = "u_1";
  u.tenant_id = kDefaultTenantId;
  u.username = "ann";
  u.display_name = "Ann";
  u.role = StaffRole::supervisor;
  u.password_hash = "$argon2id$fake";
  u.created_at = 10;
  REQUIRE_FALSE(insert_user(*f.db, u));
  User dup = u;
  dup.id = "u_2";
  CHECK(insert_user(*f.db, dup).has_value());  // username unique per deployment

  auto byname = find_user_by_username(*f.db, "ann");
  REQUIRE(byname.ok());
  REQUIRE(byname->has_value());
  CHECK((*byname)->id == "u_1");
  CHECK((*byname)->role == StaffRole::supervisor);
  CHECK_FALSE((*byname)->disabled);
  REQUIRE_FALSE(set_password_hash(*f.db, "u_1", "$argon2id$new"));
  auto byid = find_user(*f.db, "u_1");
  REQUIRE(byid.ok());
  CHECK((*byid)->password_hash == "$argon2id$new");
  CHECK(set_password_hash(*f.db, "u_nope", "x")->code == ErrorCode::not_found);
  auto users = list_users(*f.db, kDefaultTenantId);
  REQUIRE(users.ok());
  CHECK(users->size() == 1);
  CHECK(list_users(*f.db, "t_other")->empty());

  REQUIRE_FALSE(insert_session(*f.db, Session{"h1", "u_1", 1, 100}));
  REQUIRE_FALSE(insert_session(*f.db, Session{"h2", "u_1", 2, 200}));
  CHECK(insert_session(*f.db, Session{"h3", "u_nobody", 2, 200}).has_value());  // no such user
  CHECK(count_rows(*f.db, "SELECT COUNT(*) FROM sessions WHERE tenant_id = 't_default'") == 2);
  auto s = find_session(*f.db, "h2");
  REQUIRE(s.ok());
  REQUIRE(s->has_value());
  CHECK((*s)->expires_at == 200);
  REQUIRE_FALSE(delete_session(*f.db, "h1"));
  CHECK_FALSE(find_session(*f.db, "h1")->has_value());
  REQUIRE_FALSE(delete_user_sessions(*f.db, "u_1"));
  CHECK_FALSE(find_session(*f.db, "h2")->has_value());

  ApiKey key;
  key.id = new_api_key_id();
  key.tenant_id = kDefaultTenantId;
  key.name = "zapier";
  key.scopes = ApiScopes::all();
  key.created_at = 5;
  REQUIRE_FALSE(insert_api_key(*f.db, key, "kh"));
  CHECK((*find_api_key_by_hash(*f.db, "kh"))->tenant_id == kDefaultTenantId);
  CHECK_FALSE(find_api_key_by_hash(*f.db, "nope")->has_value());

  Contact c{"c_1", kDefaultTenantId, "Bob", "", "+1", "wa-1", Channel::whatsapp, 3};
  REQUIRE_FALSE(insert_contact(*f.db, c));
  auto byext = find_contact_by_external(*f.db, kDefaultTenantId, Channel::whatsapp, "wa-1");
  REQUIRE(byext.ok());
  REQUIRE(byext->has_value());
  CHECK((*byext)->name == "Bob");
  CHECK_FALSE(find_contact_by_external(*f.db, kDefaultTenantId, Channel::web, "wa-1")->has_value());
  CHECK_FALSE(find_contact_by_external(*f.db, "t_other", Channel::whatsapp, "wa-1")->has_value());
  c.email = "bob@example.com";
  REQUIRE_FALSE(update_contact(*f.db, c));
  CHECK(find_contact(*f.db, kDefaultTenantId, "c_1")->value().email == "bob@example.com");
  CHECK_FALSE(find_contact(*f.db, "t_other", "c_1")->has_value());

  REQUIRE_FALSE(insert_visitor(*f.db, Visitor{"vh", kDefaultTenantId, "c_1", 4}));
  auto v = find_visitor(*f.db, "vh");
  REQUIRE(v.ok());
  REQUIRE(v->has_value());
  CHECK((*v)->contact_id == "c_1");

  std::vector<KbArticle> kb = {{"hours", "Opening hours", "9 to 5", {"open", "hours"}},
                               {"refunds", "Refunds", "Within 30 days", {"refund"}}};
  REQUIRE_FALSE(replace_kb(*f.db, kDefaultTenantId, kb));
  auto loaded = load_kb(*f.db, kDefaultTenantId);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->size() == 2);
  CHECK((*loaded)[0].id == "hours");
  CHECK((*loaded)[0].keywords == std::vector<std::string>{"open", "hours"});
  // A failing replace (duplicate id) keeps the old articles.
  std::vector<KbArticle> dupes = {{"a", "A", "", {}}, {"a", "A again", "", {}}};
  CHECK(replace_kb(*f.db, kDefaultTenantId, dupes).has_value());
  CHECK(load_kb(*f.db, kDefaultTenantId)->size() == 2);
  REQUIRE_FALSE(replace_kb(*f.db, kDefaultTenantId, {kb[1]}));
  CHECK(load_kb(*f.db, kDefaultTenantId)->size() == 1);
  CHECK(load_kb(*f.db, "t_other")->empty());
}

TEST_CASE("statement cache: nested use of the same SQL gets its own statement") {
  Fixture f;
  for (int i = 0; i < 3; ++i) {
    AuditEntry a;
    a.tenant_id = kDefaultTenantId;
    a.actor_type = "t";
    a.action = "a" + std::to_string(i);
    REQUIRE_FALSE(append_audit(*f.db, a));
  }
  const char* sql = "SELECT action FROM audit ORDER BY id";
  Stmt outer = f.db->prepare(sql);
  int rows = 0;
  while (outer.step()) {
    Stmt inner = f.db->prepare(sql);  // same text while `outer` is mid-iteration
    int inner_rows = 0;
    while (inner.step()) ++inner_rows;
    CHECK(inner_rows == 3);
    ++rows;
  }
  CHECK(rows == 3);
  CHECK_FALSE(outer.error().has_value());
  Stmt bad = f.db->prepare("SELEC nonsense");
  CHECK_FALSE(bad.step());
  REQUIRE(bad.error().has_value());
  CHECK(bad.error()->code == ErrorCode::internal);
}
