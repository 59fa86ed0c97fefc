// client/inbox/canned_model.hpp: the composer's "/" picker.
#include <doctest/doctest.h>

#include "inbox/canned_model.hpp"

using namespace parley;
using namespace parley::inbox;

namespace {
CannedPicker loaded() {
  CannedPicker p;
  p.load_json(R"({"canned":[
    {"id":"cr_1","shortcut":"hello","title":"Greeting","body":"Hi {{customer.name}}","personal":false},
    {"id":"cr_2","shortcut":"refund","title":"Refund policy","body":"Refunds take 5 days."},
    {"id":"cr_3","shortcut":"bye","title":"Say hello again later","body":"Bye {{customer.first_name}}","personal":true},
    {"id":"","shortcut":"broken","body":"no id"},
    "junk"
  ]})");
  return p;
}
std::vector<std::string> shortcuts(const CannedPicker& p) {
  std::vector<std::string> out;
  for (std::size_t i : p.matches()) out.push_back(p.items()[i].shortcut);
  return out;
}
}  // namespace

TEST_CASE("the list loads from the REST answer; malformed rows are skipped, a malformed body changes nothing") {
  CannedPicker p = loaded();
  CHECK(p.loaded());
  CHECK(p.items().size() == 3);
  CHECK(p.items()[2].personal);
  CHECK_FALSE(p.load_json("not json"));
  CHECK_FALSE(p.load_json(R"({"list":[]})"));
  CHECK(p.items().size() == 3);
}

TEST_CASE("\"/\" at the start opens the picker; shortcut prefixes come first, then other matches") {
  CannedPicker p = loaded();
  p.draft_changed("/");
  CHECK(p.open());
  CHECK(shortcuts(p) == std::vector<std::string>{"hello", "refund", "bye"});
  CHECK(p.selected() == 0);
  p.draft_changed("/he");
  CHECK(shortcuts(p) == std::vector<std::string>{"hello", "bye"});  // "bye"'s title has "hello"
  p.draft_changed("/RE");
  CHECK(shortcuts(p) == std::vector<std::string>{"refund", "hello"});  // "Greeting" has "re"
  p.draft_changed("/zzz");
  CHECK(p.open());
  CHECK(p.matches().empty());
  CHECK(p.selected() == -1);
  CHECK_FALSE(p.pick().has_value());
  // Not at the start, or after a space: no picker.
  p.draft_changed("see /hello");
  CHECK_FALSE(p.open());
  p.draft_changed("/hello there");
  CHECK_FALSE(p.open());
  p.draft_changed("");
  CHECK_FALSE(p.open());
}

TEST_CASE("keyboard: arrows wrap, Esc closes until the draft changes, Enter picks the selection") {
  CannedPicker p = loaded();
  p.draft_changed("/");
  p.move(1);
  CHECK(p.selected() == 1);
  p.move(1);
  p.move(1);
  CHECK(p.selected() == 0);  // wrapped
  p.move(-1);
  CHECK(p.selected() == 2);
  p.close();
  CHECK_FALSE(p.open());
  p.draft_changed("/");  // the same draft: stays closed
  CHECK_FALSE(p.open());
  p.draft_changed("/r");
  CHECK(p.open());
  const auto picked = p.pick();
  REQUIRE(picked.has_value());
  CHECK(picked->id == "cr_2");
  CHECK_FALSE(p.open());
}

TEST_CASE("mouse: a row picks that row") {
  CannedPicker p = loaded();
  p.draft_changed("/");
  p.select(2);
  CHECK(p.selected() == 2);
  p.select(9);  // out of range: ignored
  CHECK(p.selected() == 2);
  const auto picked = p.pick(1);
  REQUIRE(picked.has_value());
  CHECK(picked->shortcut == "refund");
}

TEST_CASE("the warning names what a filled template left") {
  TemplateValues v;
  v.set("agent.name", "Sam");
  CHECK(CannedPicker::warning(fill_template("Hi from {{agent.name}}", v)).empty());
  CHECK(CannedPicker::warning(fill_template("Hi {{customer.name}} {{order.id}}", v)) ==
        "Check before sending: {{order.id}} is not a variable. {{customer.name}} has no value here.");
  CHECK(CannedPicker::warning(fill_template("{{a.b}} {{c.d}} {{e.f}}", v)) ==
        "Check before sending: {{a.b}}, {{c.d}} and {{e.f}} are not variables.");
}
