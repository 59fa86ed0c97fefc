// tests/unit_store/test_kb_import.cpp: parleyctl's knowledge-base import formats.
#include <doctest/doctest.h>

#include "kb_import.hpp"

using namespace parley;
using namespace parley::ctl;

TEST_CASE("kb import: Markdown sections become articles") {
  const char* md =
      "# Help centre\nignored intro\n\n## Opening hours\nWe are open 9 to 5.\nKeywords: Hours, open , "
      "hours\n\n"
      "Closed on Sundays.\n\n## Refunds & returns\n```\n## not a heading\n```\nTags: refund\n";
  auto kb = parse_kb_markdown(md);
  REQUIRE(kb.ok());
  REQUIRE(kb->size() == 2);
  CHECK((*kb)[0].id == "opening-hours");
  CHECK((*kb)[0].title == "Opening hours");
  CHECK((*kb)[0].body == "We are open 9 to 5.\n\nClosed on Sundays.");
  CHECK((*kb)[0].keywords == std::vector<std::string>{"hours", "open"});
  CHECK((*kb)[1].id == "refunds-returns");
  CHECK((*kb)[1].body == "```\n## not a heading\n```");
  CHECK((*kb)[1].keywords == std::vector<std::string>{"refund"});
  CHECK_FALSE(parse_kb_markdown("# only a title\ntext\n").ok());
  CHECK_FALSE(parse_kb_markdown("## Same\na\n## Same\nb\n").ok());  // duplicate id
}

TEST_CASE("kb import: JSON array, strict") {
  auto kb = parse_kb_json(R"([{"title":"Shipping","body":"3 days","keywords":["Ship"," FAST "]},
                               {"id":"x","title":"X","body":"x"}])");
  REQUIRE(kb.ok());
  REQUIRE(kb->size() == 2);
  CHECK((*kb)[0].id == "shipping");
  CHECK((*kb)[0].keywords == std::vector<std::string>{"ship", "fast"});
  CHECK((*kb)[1].id == "x");
  CHECK_FALSE(parse_kb_json("{}").ok());
  CHECK_FALSE(parse_kb_json("[").ok());
  CHECK_FALSE(parse_kb_json(R"([{"title":"A","extra":1}])").ok());
  CHECK_FALSE(parse_kb_json(R"([{"title":""}])").ok());
  CHECK_FALSE(parse_kb_json(R"([{"title":"A","keywords":"a"}])").ok());
  // Format by extension, else by content.
  CHECK(parse_kb_file("kb.JSON", R"([{"title":"A","body":"a"}])").ok());
  CHECK(parse_kb_file("kb.txt", "  [{\"title\":\"A\",\"body\":\"a\"}]").ok());
  // Issue 10: an article needs a body (the REST API's rule, parley/kb_admin.hpp).
  CHECK_FALSE(parse_kb_json(R"([{"id":"x","title":"X","body":""}])").ok());
  CHECK(parse_kb_file("kb.txt", "## A\nbody").ok());
  CHECK(slugify("  Opening Hours & Holidays! ") == "opening-hours-holidays");
  CHECK(slugify("Été") == "t");
}

TEST_CASE("kb import: one article per Markdown file with front matter") {
  const char* md = "---\nid: kb_refunds\ntitle: Refunds: how and when\ncategory: Billing\n"
                   "keywords: Refund, money back\nlanguage: en\nactive: no\n---\n\nWe pay back within 5 days.\n\nAlways.\n";
  auto kb = parse_kb_markdown(md);
  REQUIRE(kb.ok());
  REQUIRE(kb->size() == 1);
  const KbArticle& a = (*kb)[0];
  CHECK(a.id == "kb_refunds");
  CHECK(a.title == "Refunds: how and when");
  CHECK(a.category == "Billing");
  CHECK(a.keywords == std::vector<std::string>{"refund", "money back"});
  CHECK(a.language == "en");
  CHECK_FALSE(a.active);
  CHECK(a.body == "We pay back within 5 days.\n\nAlways.");
  // Quoted values and a JSON keyword list (a keyword with a comma).
  auto q = parse_kb_markdown("---\ntitle: \"  spaced \\\"title\\\"\"\nkeywords: [\"a, b\", \"C\"]\n---\nbody\n");
  REQUIRE(q.ok());
  CHECK((*q)[0].title == "  spaced \"title\"");
  CHECK((*q)[0].keywords == std::vector<std::string>{"a, b", "c"});
  CHECK((*q)[0].id == "spaced-title");
}

TEST_CASE("kb import: errors name the line") {
  auto msg = [](const Result<std::vector<KbArticle>>& r) { return r.ok() ? std::string() : r.error().message; };
  CHECK(msg(parse_kb_markdown("---\ntitle: A\ncolour: red\n---\nbody\n")).rfind("line 3: unknown front-matter key 'colour'", 0) == 0);
  CHECK(msg(parse_kb_markdown("---\ntitle: A\nactive: perhaps\n---\nbody\n")).rfind("line 3: active", 0) == 0);
  CHECK(msg(parse_kb_markdown("---\ntitle: A\nbody text\n")).rfind("line 3: expected 'key: value'", 0) == 0);
  CHECK(msg(parse_kb_markdown("---\ntitle: A\n")).find("no closing '---'") != std::string::npos);
  CHECK(msg(parse_kb_markdown("---\ntitle: A\nlanguage: English\n---\nbody\n")).rfind("line 1: language: must be", 0) == 0);
  CHECK(msg(parse_kb_markdown("intro\n\n## One\nbody\n\n## Two\ntwo\n\n## One\nagain\n")).rfind("line 9: duplicate article id 'one' (first on line 3)", 0) == 0);
  CHECK(msg(parse_kb_markdown("## One\nbody\n## Empty\n\n")).rfind("line 3: body: must not be empty", 0) == 0);
  CHECK(msg(parse_kb_json("[\n  {\"title\": \"A\", \"body\": \"a\"},\n  {\"title\": \"B\",\n   \"body\": 5}\n]")).rfind("line 3: article 2: body must be a string", 0) == 0);
  CHECK(msg(parse_kb_json("[\n {\"title\": \"A\",\n  \"body\": \"a\",\n}]")).rfind("line 4: not valid JSON", 0) == 0);
  // A REST export ({"articles": [...]}, with read-only fields) reads back.
  auto rest = parse_kb_json(R"({"articles":[{"id":"a","title":"A","body":"b","usage_count":3,"updated_at":9,"active":false}]})");
  REQUIRE(rest.ok());
  CHECK_FALSE((*rest)[0].active);
}

TEST_CASE("kb export: JSON and Markdown read back to the same articles") {
  std::vector<KbArticle> kb(3);
  kb[0].id = "kb_refunds";
  kb[0].title = "Refunds: how";
  kb[0].body = "Line one.\n\n## not a new article in the front-matter form\nLine three.";
  kb[0].keywords = {"refund", "money, back"};
  kb[0].category = "Billing";
  kb[0].language = "en";
  kb[0].id = "kb_refunds";
  kb[1].id = "weird/id: x";
  kb[1].title = "\"Quoted\" title";
  kb[1].body = "Cuerpo en español.";
  kb[1].language = "es";
  kb[1].active = false;
  kb[2].id = "plain";
  kb[2].title = "Plain";
  kb[2].body = "Plain body.";
  auto same = [](const KbArticle& a, const KbArticle& b) {
    return a.id == b.id && a.title == b.title && a.body == b.body && a.keywords == b.keywords && a.category == b.category &&
           a.language == b.language && a.active == b.active;
  };
  auto json = parse_kb_json(kb_export_json(kb));
  REQUIRE(json.ok());
  REQUIRE(json->size() == 3);
  for (std::size_t i = 0; i < kb.size(); ++i) {
    INFO(i);
    CHECK(same((*json)[i], kb[i]));
    auto md = parse_kb_markdown(kb_export_markdown(kb[i]));
    REQUIRE(md.ok());
    REQUIRE(md->size() == 1);
    CHECK(same((*md)[0], kb[i]));
  }
  CHECK(kb_export_file_name(kb[1]) == "weird_id__x.md");
  CHECK(kb_export_file_name(kb[0]) == "kb_refunds.md");
}
