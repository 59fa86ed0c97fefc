// parley/templates.hpp: filling canned responses' variables ({{customer.name}}, ...).
//
// A variable is "{{" name "}}" with optional spaces inside the braces; a name is letters, digits,
// '_' and '.' ("customer.name"). Filling replaces each KNOWN variable that has a value by that
// value, inserted literally (a value is never filled again). Everything else stays in the text
// exactly as written, and is flagged: a name that is no variable (`unknown`: a typo such as
// {{customer.nmae}}), or a variable without a value (`missing`: an anonymous visitor's
// {{customer.name}}). Nothing is silently dropped; the agent sees what is left and edits it.
// Text that is not a variable ("{{two words}}", "{{", "{x}") is kept byte for byte, unflagged.
//
// Pure: no clock, no I/O. Errors: none (any input fills).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "parley/model.hpp"

namespace parley {

// The variables canned responses may use, in the order the composer lists them.
const std::vector<std::string>& template_variables();
bool is_template_variable(std::string_view name);

// Values by variable name; an empty value counts as missing.
class TemplateValues {
 public:
  void set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }
  // nullptr when the name has no value (or an empty one).
  const std::string* find(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// The values of an open conversation: customer.name, customer.first_name, customer.email,
// agent.name, agent.first_name, conversation.id, conversation.topic.
TemplateValues conversation_values(const Conversation& c, const std::string& customer_name,
                                   const std::string& customer_email, const std::string& agent_name);

struct Filled {
  // Where each variable is in `text` (byte offsets): filled ones, and flagged ones left as written.
  struct Span {
    std::size_t begin = 0, end = 0;
    std::string name;
    bool flagged = false;
  };
  std::string text;
  std::vector<std::string> unknown;  // no such variable, each once, in order of appearance
  std::vector<std::string> missing;  // a variable without a value, each once
  std::vector<Span> spans;
  bool complete() const { return unknown.empty() && missing.empty(); }
};

// Fills `tmpl` (any bytes) with `values`; see the header comment.
Filled fill_template(std::string_view tmpl, const TemplateValues& values);

}  // namespace parley
