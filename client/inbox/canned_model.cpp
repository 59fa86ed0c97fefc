// The composer's canned-response picker (canned_model.hpp).
#include "inbox/canned_model.hpp"

#include <algorithm>
#include <cctype>

namespace parley::inbox {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "/word" at the very start with no whitespace after it: the word (maybe empty); else nullopt.
std::optional<std::string> slash_query(const std::string& draft, char trigger) {
  if (draft.empty() || draft.front() != trigger) return std::nullopt;
  const std::string rest = draft.substr(1);
  if (std::any_of(rest.begin(), rest.end(), [](unsigned char c) { return std::isspace(c) != 0; })) return std::nullopt;
  return rest;
}

std::string text_of(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool CannedPicker::load_json(const std::string& body) {
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("canned") || !j["canned"].is_array()) return false;
  std::vector<CannedItem> items;
  for (const Json& c : j["canned"]) {
    if (!c.is_object()) continue;
    CannedItem it;
    it.id = text_of(c, "id");
    it.shortcut = text_of(c, "shortcut");
    it.title = text_of(c, "title");
    it.body = text_of(c, "body");
    const auto p = c.find("personal");
    it.personal = p != c.end() && p->is_boolean() && p->get<bool>();
    if (it.id.empty() || it.shortcut.empty()) continue;
    items.push_back(std::move(it));
  }
  set_items(std::move(items));
  return true;
}

bool CannedPicker::load_kb_json(const std::string& body) {
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("articles") || !j["articles"].is_array()) return false;
  std::vector<CannedItem> items;
  for (const Json& a : j["articles"]) {
    if (!a.is_object()) continue;
    // Inactive articles (issue 10) are listed to admins but never shared (the relay refuses them).
    if (const auto act = a.find("active"); act != a.end() && act->is_boolean() && !act->get<bool>()) continue;
    CannedItem it;
    it.id = text_of(a, "id");
    it.shortcut = it.id;
    it.title = text_of(a, "title");
    it.body = text_of(a, "body");
    if (it.id.empty()) continue;
    items.push_back(std::move(it));
  }
  set_items(std::move(items));
  return true;
}

void CannedPicker::set_items(std::vector<CannedItem> items) {
  items_ = std::move(items);
  loaded_ = true;
  refilter();
}

void CannedPicker::draft_changed(const std::string& draft) {
  if (draft == draft_) return;
  draft_ = draft;
  dismissed_ = false;
  refilter();
}

void CannedPicker::refilter() {
  ++version_;
  const std::optional<std::string> q = slash_query(draft_, trigger_);
  matches_.clear();
  selected_ = -1;
  open_ = q.has_value() && !dismissed_;
  query_ = q.value_or("");
  if (!open_) return;
  const std::string needle = lower(query_);
  // Prefix matches of the shortcut first (in list order), then other matches.
  std::vector<std::size_t> later;
  for (std::size_t i = 0; i < items_.size(); ++i) {
    const std::string sc = lower(items_[i].shortcut);
    if (sc.rfind(needle, 0) == 0) {
      matches_.push_back(i);
    } else if (!needle.empty() &&
               (sc.find(needle) != std::string::npos || lower(items_[i].title).find(needle) != std::string::npos)) {
      later.push_back(i);
    }
  }
  matches_.insert(matches_.end(), later.begin(), later.end());
  if (matches_.size() > kMaxShown) matches_.resize(kMaxShown);
  selected_ = matches_.empty() ? -1 : 0;
}

void CannedPicker::move(int delta) {
  if (!open_ || matches_.empty()) return;
  const int n = static_cast<int>(matches_.size());
  selected_ = ((selected_ < 0 ? 0 : selected_) + delta % n + n) % n;
  ++version_;
}

void CannedPicker::select(int index) {
  if (index < 0 || index >= static_cast<int>(matches_.size())) return;
  selected_ = index;
  ++version_;
}

void CannedPicker::close() {
  if (!open_) return;
  open_ = false;
  dismissed_ = true;
  ++version_;
}

std::optional<CannedItem> CannedPicker::pick(int index) {
  if (!open_) return std::nullopt;
  const int i = index >= 0 ? index : selected_;
  if (i < 0 || i >= static_cast<int>(matches_.size())) return std::nullopt;
  CannedItem out = items_[matches_[static_cast<std::size_t>(i)]];
  open_ = false;
  dismissed_ = true;
  ++version_;
  return out;
}

std::string CannedPicker::warning(const Filled& f) {
  if (f.complete()) return "";
  std::string out = "Check before sending:";
  auto list = [](const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i > 0) s += i + 1 == names.size() ? " and " : ", ";
      s += "{{" + names[i] + "}}";
    }
    return s;
  };
  if (!f.unknown.empty()) out += " " + list(f.unknown) + (f.unknown.size() == 1 ? " is not a variable." : " are not variables.");
  if (!f.missing.empty()) out += " " + list(f.missing) + (f.missing.size() == 1 ? " has" : " have") + " no value here.";
  return out;
}

}  // namespace parley::inbox
