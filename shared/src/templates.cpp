// Canned-response variables (parley/templates.hpp).
#include "parley/templates.hpp"

#include <algorithm>

#include "parley/text.hpp"

namespace parley {
namespace {

bool name_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
}

void add_once(std::vector<std::string>& list, const std::string& name) {
  if (std::find(list.begin(), list.end(), name) == list.end()) list.push_back(name);
}

// The first word of a name ("Ada Lovelace" -> "Ada").
std::string first_word(std::string_view name) {
  const std::string_view t = trim(name);
  const std::size_t space = t.find(' ');
  return std::string(space == std::string_view::npos ? t : t.substr(0, space));
}

}  // namespace

const std::vector<std::string>& template_variables() {
  static const std::vector<std::string> kNames = {
      "customer.name", "customer.first_name", "customer.email",     "agent.name",
      "agent.first_name", "conversation.id",  "conversation.topic",
  };
  return kNames;
}

bool is_template_variable(std::string_view name) {
  const auto& names = template_variables();
  return std::find(names.begin(), names.end(), name) != names.end();
}

const std::string* TemplateValues::find(std::string_view name) const {
  const auto it = values_.find(name);
  return it == values_.end() || it->second.empty() ? nullptr : &it->second;
}

TemplateValues conversation_values(const Conversation& c, const std::string& customer_name,
                                   const std::string& customer_email, const std::string& agent_name) {
  TemplateValues v;
  v.set("customer.name", std::string(trim(customer_name)));
  v.set("customer.first_name", first_word(customer_name));
  v.set("customer.email", std::string(trim(customer_email)));
  v.set("agent.name", std::string(trim(agent_name)));
  v.set("agent.first_name", first_word(agent_name));
  v.set("conversation.id", c.id);
  v.set("conversation.topic", c.topic);
  return v;
}

Filled fill_template(std::string_view tmpl, const TemplateValues& values) {
  Filled out;
  out.text.reserve(tmpl.size());
  std::size_t i = 0;
  while (i < tmpl.size()) {
    const std::size_t open = tmpl.find("{{", i);
    if (open == std::string_view::npos) break;
    // "{{{x}}}": the variable starts at the last of a run of braces.
    std::size_t start = open;
    while (start + 2 < tmpl.size() && tmpl[start + 2] == '{') ++start;
    out.text.append(tmpl.substr(i, start - i));
    const std::size_t close = tmpl.find("}}", start + 2);
    if (close == std::string_view::npos) {
      i = start;
      break;
    }
    const std::string_view inner = trim(tmpl.substr(start + 2, close - start - 2));
    const bool is_name = !inner.empty() && std::all_of(inner.begin(), inner.end(), name_char);
    const std::string_view whole = tmpl.substr(start, close + 2 - start);
    if (!is_name) {  // not a variable: keep the braces and look again after them
      out.text.append(tmpl.substr(start, 2));
      i = start + 2;
      continue;
    }
    const std::string name(inner);
    Filled::Span span;
    span.begin = out.text.size();
    span.name = name;
    if (!is_template_variable(name)) {
      add_once(out.unknown, name);
      span.flagged = true;
      out.text.append(whole);
    } else if (const std::string* value = values.find(name)) {
      out.text.append(*value);
    } else {
      add_once(out.missing, name);
      span.flagged = true;
      out.text.append(whole);
    }
    span.end = out.text.size();
    out.spans.push_back(std::move(span));
    i = close + 2;
  }
  if (i < tmpl.size()) out.text.append(tmpl.substr(i));
  return out;
}

}  // namespace parley
