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
                               {"id":"x","title":"X","body":""}])");
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
  CHECK(parse_kb_file("kb.JSON", R"([{"title":"A"}])").ok());
  CHECK(parse_kb_file("kb.txt", "  [{\"title\":\"A\"}]").ok());
  CHECK(parse_kb_file("kb.txt", "## A\nbody").ok());
  CHECK(slugify("  Opening Hours & Holidays! ") == "opening-hours-holidays");
  CHECK(slugify("Été") == "t");
}
