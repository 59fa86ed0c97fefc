// Issue 10, knowledge-base management over REST: articles one by one (create, read, change,
// delete, audited), the bulk routes with the new fields, FTS5 search (BM25 order, passages,
// prefixes, stems, synonyms, stop words, other languages, inactive articles, a confidence), usage
// counts from the assistant's answers, inactive articles and synonyms reaching the assistant;
// authorisation (roles, API key scopes), tenant isolation and bad input.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "harness.hpp"

using namespace parley::it;

namespace {

const std::vector<std::string> kNoRestLimit = {"--rest-rate", "100000", "--rest-burst", "100000"};

Headers browser(const Relay& relay, const std::string& cookie) { return {{"Cookie", cookie}, {"Origin", relay.origin()}}; }
Headers bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

HttpResult send(const Relay& relay, const std::string& method, const std::string& target, const std::string& body,
                const Headers& h) {
  Headers all = h;
  if (!body.empty()) all.emplace_back("Content-Type", "application/json");
  return http(relay.port(), method, target, body, all);
}
HttpResult post(const Relay& relay, const std::string& target, const Json& body, const Headers& h) {
  return send(relay, "POST", target, body.dump(), h);
}
HttpResult patch(const Relay& relay, const std::string& target, const Json& body, const Headers& h) {
  return send(relay, "PATCH", target, body.dump(), h);
}
HttpResult search(const Relay& relay, const std::string& q, const Headers& h, const std::string& extra = "") {
  std::string enc;
  for (unsigned char c : q) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      enc += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      enc += buf;
    }
  }
  return http_get(relay.port(), "/api/v1/kb/search?q=" + enc + extra, h);
}
std::vector<std::string> ids_of(const HttpResult& r) {
  std::vector<std::string> out;
  const Json body = r.json();  // a named value: ranging over a temporary's member would dangle
  for (const Json& j : body["results"]) out.push_back(j.value("id", ""));
  return out;
}

Json article(const std::string& id, const std::string& title, const std::string& body, Json extra = Json::object()) {
  Json j{{"id", id}, {"title", title}, {"body", body}};
  for (auto& [k, v] : extra.items()) j[k] = v;
  return j;
}

}  // namespace

TEST_CASE("kb articles: create, read, list, change, delete; audited; the bulk routes carry the new fields") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.start();
  const Headers admin = browser(relay, login(relay, kAdminUser, kAdminPassword));
  // Start from a known knowledge base (the demo one is replaced).
  REQUIRE(post(relay, "/api/v1/kb", Json::array(), admin).status == 200);

  auto made = post(relay, "/api/v1/kb/articles",
                   article("kb_refunds", "Refunds", "Refunds are paid back within 5 working days.",
                           {{"category", "Billing"}, {"keywords", {"Money back", "refund", "refund"}}}),
                   admin);
  REQUIRE(made.status == 201);
  CHECK(made.json()["keywords"] == Json{"money back", "refund"});
  CHECK(made.json()["active"] == true);
  CHECK(made.json()["language"] == "");
  CHECK(made.json()["usage_count"] == 0);
  CHECK(made.json()["updated_at"].get<std::int64_t>() > 0);
  // Without an id, the relay makes one.
  auto auto_id = post(relay, "/api/v1/kb/articles", {{"title", "Opening hours"}, {"body", "Nine to five."}}, admin);
  REQUIRE(auto_id.status == 201);
  const std::string hours = auto_id.json().value("id", "");
  CHECK(hours.rfind("kb_", 0) == 0);
  // The same id twice: 409, nothing changed.
  CHECK(post(relay, "/api/v1/kb/articles", article("kb_refunds", "Other", "Other"), admin).status == 409);

  auto one = http_get(relay.port(), "/api/v1/kb/articles/kb_refunds", admin);
  REQUIRE(one.status == 200);
  CHECK(one.json()["title"] == "Refunds");
  CHECK(one.json()["category"] == "Billing");
  CHECK(one.json()["body"] == "Refunds are paid back within 5 working days.");

  auto changed = patch(relay, "/api/v1/kb/articles/kb_refunds", {{"title", "Refunds and returns"}, {"active", false}}, admin);
  REQUIRE(changed.status == 200);
  CHECK(changed.json()["title"] == "Refunds and returns");
  CHECK(changed.json()["active"] == false);
  CHECK(changed.json()["category"] == "Billing");  // untouched fields stay

  auto list = http_get(relay.port(), "/api/v1/kb/articles", admin);
  REQUIRE(list.status == 200);
  REQUIRE(list.json()["articles"].size() == 2);
  CHECK(list.json()["articles"][0]["id"] == "kb_refunds");  // creation order
  CHECK_FALSE(list.json()["articles"][0].contains("body"));
  CHECK(http_get(relay.port(), "/api/v1/kb/articles?active=1", admin).json()["articles"].size() == 1);
  CHECK(http_get(relay.port(), "/api/v1/kb/articles?category=Billing", admin).json()["articles"].size() == 1);
  // The bulk GET has every article, inactive ones too, with the new fields.
  auto bulk = http_get(relay.port(), "/api/v1/kb", admin);
  REQUIRE(bulk.json()["articles"].size() == 2);
  CHECK(bulk.json()["articles"][0]["active"] == false);
  CHECK(bulk.json()["articles"][0]["category"] == "Billing");

  CHECK(send(relay, "DELETE", "/api/v1/kb/articles/" + hours, "", admin).status == 200);
  CHECK(send(relay, "DELETE", "/api/v1/kb/articles/" + hours, "", admin).status == 404);
  CHECK(http_get(relay.port(), "/api/v1/kb/articles/" + hours, admin).status == 404);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM audit WHERE action = 'kb.article_created'") == 2);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM audit WHERE action = 'kb.article_updated'") == 1);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM audit WHERE action = 'kb.article_deleted'") == 1);
  // The full-text index follows every change (the triggers): one row left, in the English table.
  CHECK(db_int(relay, "SELECT COUNT(*) FROM kb_fts_en WHERE kb_fts_en MATCH 'returns'") == 1);
  CHECK(db_int(relay, "SELECT COUNT(*) FROM kb_fts_en WHERE kb_fts_en MATCH 'nine'") == 0);

  // A bulk replace keeps an unchanged article's usage count and updated_at.
  const auto before = http_get(relay.port(), "/api/v1/kb/articles/kb_refunds", admin).json();
  REQUIRE(post(relay, "/api/v1/kb", http_get(relay.port(), "/api/v1/kb", admin).json(), admin).status == 200);
  CHECK(http_get(relay.port(), "/api/v1/kb/articles/kb_refunds", admin).json()["updated_at"] == before["updated_at"]);
}

TEST_CASE("kb search: BM25 order, passages, prefixes, word forms, synonyms, stop words, languages, inactive") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.start();
  const Headers admin = browser(relay, login(relay, kAdminUser, kAdminPassword));
  const Json kb = Json::array({
      article("kb_refunds", "Refunds", "We pay refunds back to the original card within five working days of the return."),
      article("kb_router", "Restarting the router", "Unplug the router for thirty seconds, then plug it back in.",
              {{"keywords", {"wifi", "internet"}}}),
      article("kb_moving", "Moving house", "Tell us your new address two weeks before you move.", {{"category", "Account"}}),
      article("kb_factura", "Facturas", "Las facturas se envían por correo el primer día del mes.", {{"language", "es"}}),
      article("kb_old", "Old refunds policy", "Refunds used to take thirty days.", {{"active", false}}),
  });
  REQUIRE(post(relay, "/api/v1/kb", kb, admin).status == 200);

  auto r = search(relay, "how do I get a refund", admin);
  REQUIRE(r.status == 200);
  INFO(r.body);
  REQUIRE(ids_of(r) == std::vector<std::string>{"kb_refunds"});  // the inactive one is left out
  const Json hit = r.json()["results"][0];
  CHECK(hit["passage"].get<std::string>().find("**refunds**") != std::string::npos);
  CHECK(hit["title_marked"] == "**Refunds**");
  CHECK(hit["confidence"].get<double>() > 0.4);
  CHECK(hit["score"].get<double>() >= 0);  // BM25's IDF is ~0 for a word half of a small KB has
  CHECK_FALSE(hit.contains("body"));
  // Admins may include inactive articles; the active one still ranks by BM25 with it.
  auto all = search(relay, "refunds", admin, "&include_inactive=1");
  CHECK(all.json()["results"].size() == 2);
  // Word forms (porter): "restarted routers" meets "Restarting the router".
  CHECK(ids_of(search(relay, "restarted routers", admin)) == std::vector<std::string>{"kb_router"});
  // Prefix: the last word as typed so far, and a word with *.
  CHECK(ids_of(search(relay, "rout", admin)) == std::vector<std::string>{"kb_router"});
  CHECK(ids_of(search(relay, "addr* please", admin)) == std::vector<std::string>{"kb_moving"});
  // Only stop words: nothing to search, no results (not an error).
  auto stop = search(relay, "the and of my", admin);
  CHECK(stop.status == 200);
  CHECK(stop.json()["results"].empty());
  // Another language: unicode61 without porter, the question's stem as a prefix, accents folded.
  CHECK(ids_of(search(relay, "factura", admin)) == std::vector<std::string>{"kb_factura"});
  CHECK(ids_of(search(relay, "envian", admin)) == std::vector<std::string>{"kb_factura"});
  // Category filter.
  CHECK(search(relay, "address", admin, "&category=Billing").json()["results"].empty());
  CHECK(ids_of(search(relay, "address", admin, "&category=Account")) == std::vector<std::string>{"kb_moving"});
  // Synonyms per tenant: "telly" finds nothing until it is a synonym of "wifi".
  CHECK(search(relay, "telly", admin).json()["results"].empty());
  auto syn = send(relay, "PUT", "/api/v1/kb/synonyms", R"({"synonyms":{"Telly":["wifi"," WiFi "]}})", admin);
  REQUIRE(syn.status == 200);
  CHECK(syn.json()["synonyms"] == Json{{"telly", {"wifi"}}});
  CHECK(http_get(relay.port(), "/api/v1/kb/synonyms", admin).json()["synonyms"] == Json{{"telly", {"wifi"}}});
  CHECK(ids_of(search(relay, "telly", admin)) == std::vector<std::string>{"kb_router"});
  // Half a question matched is a weaker answer than all of it.
  const double full = search(relay, "router unplug", admin).json()["results"][0]["confidence"].get<double>();
  const double half = search(relay, "router invoice", admin).json()["results"][0]["confidence"].get<double>();
  CHECK(full == doctest::Approx(1.0));
  CHECK(half < full);
  // FTS5 syntax in a question is only words.
  CHECK(search(relay, "title:router\" OR NEAR(", admin).status == 200);
  // limit
  CHECK(search(relay, "refunds router moving", admin, "&limit=2").json()["results"].size() == 2);
}

TEST_CASE("kb and the assistant: inactive articles are never answered, synonyms feed it, answers count as uses") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.start();
  const Headers admin = browser(relay, login(relay, kAdminUser, kAdminPassword));
  REQUIRE(post(relay, "/api/v1/kb",
               Json::array({article("kb_zebra", "Zebra button", "Hold the zebra button for five seconds.", {{"keywords", {"zebra"}}}),
                            article("kb_llama", "Llama mode", "Llama mode turns the lights purple.", {{"keywords", {"llama"}}, {"active", false}})}),
               admin)
              .status == 200);
  auto answer_to = [&](const std::string& text) {
    Customer cust = Customer::connect(relay);
    const std::string cid = cust.start();
    REQUIRE(cust.send(cid, text).ok());
    const Json m = cust->wait_for(
        // The assistant's turns carry data.assistant (the welcome line does not).
        [&](const Json& f) { return is_event("chat.new_message", cid)(f) && f["data"].contains("assistant"); },
        "the assistant's answer");
    return message_of(m);
  };
  const Json zebra = answer_to("how long do I hold the zebra button?");
  CHECK(zebra.value("kind", "") == "kb_article");
  CHECK(zebra.value("text", "").find("Hold the zebra button") != std::string::npos);
  CHECK(http_get(relay.port(), "/api/v1/kb/articles/kb_zebra", admin).json()["usage_count"] == 1);
  // The inactive article is not used: the assistant does not answer with it.
  const Json llama = answer_to("what does llama mode do?");
  CHECK(llama.value("kind", "") != "kb_article");
  CHECK(llama.value("text", "").find("purple") == std::string::npos);
  CHECK(http_get(relay.port(), "/api/v1/kb/articles/kb_llama", admin).json()["usage_count"] == 0);
  // Activated over PATCH, it is answered with at once.
  REQUIRE(patch(relay, "/api/v1/kb/articles/kb_llama", {{"active", true}}, admin).status == 200);
  CHECK(answer_to("what does llama mode do?").value("text", "").find("purple") != std::string::npos);
  // A synonym the tenant saved reaches the assistant's ranker.
  CHECK(answer_to("how long do I hold the stripy horse button?").value("kind", "") != "kb_article");
  REQUIRE(send(relay, "PUT", "/api/v1/kb/synonyms", R"({"synonyms":{"stripy":["zebra"]}})", admin).status == 200);
  const Json syn = answer_to("how long do I hold the stripy button?");
  CHECK(syn.value("kind", "") == "kb_article");
  CHECK(syn.value("text", "").find("Hold the zebra button") != std::string::npos);
  CHECK(http_get(relay.port(), "/api/v1/kb/articles/kb_zebra", admin).json()["usage_count"] == 2);
}

TEST_CASE("kb REST: roles, API key scopes and tenants apart") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.ctl({"tenant", "create", "acme", "--name", "Acme"});
  relay.start();
  relay.create_user("sam", "sam-password-1", "agent");
  relay.create_user("sue", "sue-password-1", "supervisor");
  relay.ctl({"--tenant", "acme", "users", "create", "ace", "--role", "admin", "--password", "ace-password-1"});
  const Headers admin = browser(relay, login(relay, kAdminUser, kAdminPassword));
  const Headers agent = browser(relay, login(relay, "sam", "sam-password-1"));
  const Headers sup = browser(relay, login(relay, "sue", "sue-password-1"));
  const Headers ace = browser(relay, login(relay, "ace", "ace-password-1"));
  const Headers read_key = bearer(relay.create_api_key("r", "read"));
  const Headers write_key = bearer(relay.create_api_key("w", "read,write"));
  const Headers admin_key = bearer(relay.create_api_key("a", "admin"));
  const Headers sync_key = bearer(relay.create_api_key("s", "sync"));
  REQUIRE(post(relay, "/api/v1/kb/articles", article("kb_secret", "Default secret", "Only the default tenant knows this."), admin)
              .status == 201);

  struct Who {
    const char* name;
    Headers h;
    bool reads, writes;
  };
  const Who all[] = {{"admin", admin, true, true},          {"supervisor", sup, true, false},
                     {"agent", agent, true, false},         {"read key", read_key, true, false},
                     {"write key", write_key, true, false}, {"admin key", admin_key, false, true},
                     {"sync key", sync_key, false, false},  {"nobody", {}, false, false}};
  int n = 0;
  for (const Who& w : all) {
    INFO(std::string(w.name));
    const int read = w.reads ? 200 : (w.h.empty() ? 401 : 403);
    CHECK(http_get(relay.port(), "/api/v1/kb/articles", w.h).status == read);
    CHECK(http_get(relay.port(), "/api/v1/kb/articles/kb_secret", w.h).status == read);
    CHECK(search(relay, "secret", w.h).status == read);
    CHECK(http_get(relay.port(), "/api/v1/kb/synonyms", w.h).status == read);
    const std::string id = "kb_w" + std::to_string(++n);
    const int made = post(relay, "/api/v1/kb/articles", article(id, "T", "B"), w.h).status;
    CHECK(made == (w.writes ? 201 : w.h.empty() ? 401 : 403));
    const std::string target = w.writes ? id : "kb_secret";
    const int changed = patch(relay, "/api/v1/kb/articles/" + target, {{"title", "T2"}}, w.h).status;
    CHECK(changed == (w.writes ? 200 : w.h.empty() ? 401 : 403));
    CHECK(send(relay, "PUT", "/api/v1/kb/synonyms", R"({"synonyms":{}})", w.h).status == (w.writes ? 200 : w.h.empty() ? 401 : 403));
    CHECK(send(relay, "DELETE", "/api/v1/kb/articles/" + target, "", w.h).status == (w.writes ? 200 : w.h.empty() ? 401 : 403));
  }
  CHECK(http_get(relay.port(), "/api/v1/kb/articles/kb_secret", admin).json()["title"] == "Default secret");

  // Another tenant's admin: the article does not exist for them.
  CHECK(http_get(relay.port(), "/api/v1/kb/articles/kb_secret", ace).status == 404);
  CHECK(patch(relay, "/api/v1/kb/articles/kb_secret", {{"title", "mine"}}, ace).status == 404);
  CHECK(send(relay, "DELETE", "/api/v1/kb/articles/kb_secret", "", ace).status == 404);
  CHECK(search(relay, "secret", ace).json()["results"].empty());
  CHECK(search(relay, "secret", ace, "&include_inactive=1").json()["results"].empty());
  // The same id in another tenant is another article.
  CHECK(post(relay, "/api/v1/kb/articles", article("kb_secret", "Acme's own", "Acme text."), ace).status == 201);
  CHECK(http_get(relay.port(), "/api/v1/kb/articles/kb_secret", admin).json()["title"] == "Default secret");
  CHECK(http_get(relay.port(), "/api/v1/kb/articles/kb_secret", ace).json()["title"] == "Acme's own");
  const auto mine = search(relay, "secret", admin);
  INFO(mine.body);
  CHECK(ids_of(mine) == std::vector<std::string>{"kb_secret"});
  CHECK(search(relay, "secret", ace).json()["results"].empty());
  CHECK(ids_of(search(relay, "acme", ace)) == std::vector<std::string>{"kb_secret"});
  // Cross-site changes with a cookie are refused.
  CHECK(patch(relay, "/api/v1/kb/articles/kb_secret", {{"title", "x"}}, {{"Cookie", admin[0].second}, {"Origin", "https://evil.example"}})
            .status == 403);
}

TEST_CASE("kb REST: bad input gets a clear error naming the field; nothing is stored") {
  Relay relay(RelayOptions::with_args(kNoRestLimit));
  relay.start();
  const Headers admin = browser(relay, login(relay, kAdminUser, kAdminPassword));
  REQUIRE(post(relay, "/api/v1/kb", Json::array(), admin).status == 200);
  struct Bad {
    const char* what;
    std::string body;
    const char* field;
  };
  const std::string long_body(20001, 'x');
  const Bad bads[] = {
      {"no title", R"({"body":"b"})", "title"},
      {"blank title", R"({"title":"   ","body":"b"})", "title"},
      {"no body", R"({"title":"t"})", "body"},
      {"body too long", Json{{"title", "t"}, {"body", long_body}}.dump(), "body"},
      {"title too long", Json{{"title", std::string(201, 't')}, {"body", "b"}}.dump(), "title"},
      {"title of two lines", R"({"title":"a\nb","body":"b"})", "title"},
      {"bad language", R"({"title":"t","body":"b","language":"English"})", "language"},
      {"upper-case language", R"({"title":"t","body":"b","language":"EN"})", "language"},
      {"keywords not a list", R"({"title":"t","body":"b","keywords":"a,b"})", "keywords"},
      {"active not a flag", R"({"title":"t","body":"b","active":"yes"})", "active"},
      {"category too long", Json{{"title", "t"}, {"body", "b"}, {"category", std::string(81, 'c')}}.dump(), "category"},
      {"empty id", R"({"id":"","title":"t","body":"b"})", "id"},
      {"id with a control character", "{\"id\":\"a\\u0001b\",\"title\":\"t\",\"body\":\"b\"}", "id"},
      {"unknown field", R"({"title":"t","body":"b","colour":"red"})", "colour"},
  };
  for (const Bad& b : bads) {
    INFO(b.what);
    auto r = send(relay, "POST", "/api/v1/kb/articles", b.body, admin);
    CHECK(r.status == 400);
    CHECK(r.json()["error"].value("field", "") == b.field);
  }
  CHECK(send(relay, "POST", "/api/v1/kb/articles", "not json", admin).status == 400);
  CHECK(send(relay, "POST", "/api/v1/kb/articles", "[]", admin).status == 400);
  CHECK(http_get(relay.port(), "/api/v1/kb/articles", admin).json()["articles"].empty());
  CHECK(db_int(relay, "SELECT COUNT(*) FROM audit WHERE action LIKE 'kb.article%'") == 0);

  REQUIRE(post(relay, "/api/v1/kb/articles", article("kb_a", "A", "Alpha text."), admin).status == 201);
  CHECK(patch(relay, "/api/v1/kb/articles/kb_a", Json::object(), admin).status == 400);
  CHECK(patch(relay, "/api/v1/kb/articles/kb_a", {{"id", "kb_b"}}, admin).json()["error"]["field"] == "id");
  CHECK(patch(relay, "/api/v1/kb/articles/kb_a", {{"body", ""}}, admin).status == 400);
  CHECK(patch(relay, "/api/v1/kb/articles/kb_nope", {{"title", "x"}}, admin).status == 404);
  CHECK(send(relay, "DELETE", "/api/v1/kb/articles/kb_nope", "", admin).status == 404);
  CHECK(http_get(relay.port(), "/api/v1/kb/articles/kb_a", admin).json()["body"] == "Alpha text.");

  // Search parameters.
  CHECK(http_get(relay.port(), "/api/v1/kb/search", admin).json()["error"]["field"] == "q");
  CHECK(search(relay, "   ", admin).status == 400);
  CHECK(search(relay, std::string(501, 'q'), admin).json()["error"]["field"] == "q");
  CHECK(search(relay, "alpha", admin, "&limit=0").status == 400);
  CHECK(search(relay, "alpha", admin, "&limit=21").status == 400);
  CHECK(search(relay, "alpha", admin, "&limit=x").status == 400);
  CHECK(search(relay, "alpha", admin, "&include_inactive=yes").json()["error"]["field"] == "include_inactive");
  CHECK(http_get(relay.port(), "/api/v1/kb/articles?active=maybe", admin).status == 400);
  // Synonyms.
  CHECK(send(relay, "PUT", "/api/v1/kb/synonyms", R"({})", admin).json()["error"]["field"] == "synonyms");
  CHECK(send(relay, "PUT", "/api/v1/kb/synonyms", R"({"synonyms":[]})", admin).status == 400);
  CHECK(send(relay, "PUT", "/api/v1/kb/synonyms", R"({"synonyms":{"a":"b"}})", admin).status == 400);
  CHECK(send(relay, "PUT", "/api/v1/kb/synonyms", R"({"synonyms":{"a":[]}})", admin).status == 400);
  CHECK(send(relay, "PUT", "/api/v1/kb/synonyms", R"({"synonyms":{"a":[1]}})", admin).status == 400);
  CHECK(send(relay, "PUT", "/api/v1/kb/synonyms", R"({"synonyms":{" ":["b"]}})", admin).status == 400);
  // The bulk route applies the same article rules.
  auto bulk = post(relay, "/api/v1/kb", Json::array({{{"id", "x"}, {"title", "t"}, {"body", "b"}, {"language", "xyz"}}}), admin);
  CHECK(bulk.status == 400);
  CHECK(bulk.json()["error"]["field"] == "articles[0].language");
  CHECK(http_get(relay.port(), "/api/v1/kb/articles", admin).json()["articles"].size() == 1);
}
