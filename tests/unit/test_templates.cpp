// parley/templates.hpp: canned-response variables. Known ones are filled, unknown or empty ones
// stay visible and are flagged, nothing is dropped.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "parley/templates.hpp"

using namespace parley;

namespace {
TemplateValues sample() {
  TemplateValues v;
  v.set("customer.name", "Ada Lovelace");
  v.set("customer.first_name", "Ada");
  v.set("agent.name", "Sam");
  v.set("conversation.id", "c_42");
  v.set("customer.email", "");  // known, no value
  return v;
}
}  // namespace

TEST_CASE("known variables are filled, with or without spaces inside the braces") {
  const Filled f = fill_template("Hi {{customer.name}}, I'm {{ agent.name }} (ref {{conversation.id}}).", sample());
  CHECK(f.text == "Hi Ada Lovelace, I'm Sam (ref c_42).");
  CHECK(f.unknown.empty());
  CHECK(f.missing.empty());
  CHECK(f.complete());
  CHECK(f.spans.size() == 3);
}

TEST_CASE("unknown variables are left exactly as written and flagged once each") {
  const Filled f = fill_template("Hi {{customer.nmae}} and {{ order.number }} and {{customer.nmae}}", sample());
  CHECK(f.text == "Hi {{customer.nmae}} and {{ order.number }} and {{customer.nmae}}");
  CHECK(f.unknown == std::vector<std::string>{"customer.nmae", "order.number"});
  CHECK_FALSE(f.complete());
  // Each is a flagged span of the text, so the composer can point at it.
  CHECK(f.spans.size() == 3);
  if (f.spans.empty()) return;
  CHECK(f.spans[0].flagged);
  CHECK(f.text.substr(f.spans[0].begin, f.spans[0].end - f.spans[0].begin) == "{{customer.nmae}}");
}

TEST_CASE("a known variable without a value stays visible and is flagged as missing") {
  const Filled f = fill_template("Mail: {{customer.email}}", sample());
  CHECK(f.text == "Mail: {{customer.email}}");
  CHECK(f.missing == std::vector<std::string>{"customer.email"});
  CHECK(f.unknown.empty());
  CHECK_FALSE(f.complete());
}

TEST_CASE("text that is not a variable is kept byte for byte") {
  const TemplateValues v = sample();
  CHECK(fill_template("", v).text.empty());
  CHECK(fill_template("no braces at all", v).text == "no braces at all");
  CHECK(fill_template("{{customer.name", v).text == "{{customer.name");        // unclosed
  CHECK(fill_template("{customer.name}", v).text == "{customer.name}");        // single braces
  CHECK(fill_template("{{}}", v).text == "{{}}");                              // empty name
  CHECK(fill_template("{{two words}}", v).text == "{{two words}}");            // not a name
  CHECK(fill_template("{{two words}}", v).unknown.empty());                    // ...and not flagged
  CHECK(fill_template("{{{customer.name}}}", v).text == "{Ada Lovelace}");    // outer braces kept
  CHECK(fill_template("Grüße {{customer.first_name}} 👋", v).text == "Grüße Ada 👋");
  CHECK(fill_template("{{customer.name}}{{agent.name}}", v).text == "Ada LovelaceSam");
}

TEST_CASE("a value is inserted literally: braces in it are not filled again") {
  TemplateValues v;
  v.set("customer.name", "{{agent.name}}");
  v.set("agent.name", "Sam");
  const Filled f = fill_template("Hi {{customer.name}}", v);
  CHECK(f.text == "Hi {{agent.name}}");
  CHECK(f.complete());
}

TEST_CASE("the values of a conversation") {
  Conversation c;
  c.id = "c_7";
  c.topic = "Billing";
  c.priority = Priority::high;
  const TemplateValues v = conversation_values(c, "Ada Lovelace", "ada@example.com", "Sam Smith");
  CHECK(fill_template("{{customer.name}}|{{customer.first_name}}|{{customer.email}}|{{agent.name}}|"
                      "{{agent.first_name}}|{{conversation.id}}|{{conversation.topic}}",
                      v)
            .text == "Ada Lovelace|Ada|ada@example.com|Sam Smith|Sam|c_7|Billing");
  // An anonymous visitor has no name: flagged, not blank.
  const Filled anon = fill_template("Hi {{customer.name}}", conversation_values(c, "", "", "Sam"));
  CHECK(anon.text == "Hi {{customer.name}}");
  CHECK(anon.missing == std::vector<std::string>{"customer.name"});
  CHECK(is_template_variable("customer.name"));
  CHECK_FALSE(is_template_variable("customer.nmae"));
  CHECK(template_variables().size() >= 7);
}
