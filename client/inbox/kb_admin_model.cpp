// The inbox's Knowledge base screen, its model (kb_admin_model.hpp).
#include "inbox/kb_admin_model.hpp"

#include <algorithm>

#include "common/form_text.hpp"
#include "common/json_read.hpp"
#include "inbox/supervise_model.hpp"  // url_encode
#include "parley/kb_admin.hpp"
#include "parley/model.hpp"

namespace parley::inbox {
namespace {

using client::int_member;
using client::trimmed;
using client::json_text;
using client::bool_member;
using client::member;
using client::string_member;

std::vector<std::string> split_keywords(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return normalise_kb_keywords(out);
}

std::string join_keywords(const Json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const Json& k : list) {
    if (!k.is_string()) continue;
    if (!out.empty()) out += ", ";
    out += k.get<std::string>();
  }
  return out;
}

KbAdminModel::Row row_of(const Json& a) {
  KbAdminModel::Row r;
  r.id = string_member(a, "id");
  r.title = string_member(a, "title");
  r.category = string_member(a, "category");
  r.language = string_member(a, "language");
  r.passage = string_member(a, "passage");
  r.active = bool_member(a, "active", true);
  r.usage_count = int_member(a, "usage_count");
  r.updated_at = int_member(a, "updated_at");
  return r;
}

KbAdminModel::Draft draft_of(const Json& a) {
  KbAdminModel::Draft d;
  d.title = string_member(a, "title");
  d.body = string_member(a, "body");
  d.category = string_member(a, "category");
  d.language = string_member(a, "language");
  d.active = bool_member(a, "active", true);
  const Json* kw = member(a, "keywords");
  if (kw) d.keywords = join_keywords(*kw);
  return d;
}

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

}  // namespace

bool KbAdminModel::blank(const std::string& s) { return trimmed(s).empty(); }

void KbAdminModel::queue(Request r) {
  out_.push_back(std::move(r));
  ++version_;
}

void KbAdminModel::fail(std::string message, std::string field) {
  problem_ = std::move(message);
  problem_field_ = std::move(field);
  notice_.clear();
  ++version_;
}

KbAdminModel::Request KbAdminModel::search_request() const {
  return Request{"GET", "/api/v1/kb/search?q=" + url_encode(trimmed(query_)) + "&include_inactive=1&limit=20", "",
                 What::search, std::to_string(search_seq_)};
}

void KbAdminModel::opened() {
  loading_ = true;
  queue(Request{"GET", "/api/v1/kb/articles", "", What::list, ""});
  if (searching()) queue(search_request());
}

void KbAdminModel::set_query(const std::string& q) {
  if (q == query_) return;
  query_ = q;
  ++version_;
  if (!searching()) {
    hits_.clear();
    return;
  }
  ++search_seq_;
  queue(search_request());
}

void KbAdminModel::select(const std::string& id) {
  if (id.empty()) return close_editor();
  selected_ = id;
  editing_ = true;
  draft_loaded_ = false;
  confirm_delete_ = false;
  draft_ = saved_ = Draft{};
  problem_.clear();
  problem_field_.clear();
  notice_.clear();
  queue(Request{"GET", "/api/v1/kb/articles/" + url_encode(id), "", What::open_article, id});
}

void KbAdminModel::new_article() {
  if (!can_edit_) return;
  selected_.clear();
  editing_ = true;
  draft_loaded_ = true;
  confirm_delete_ = false;
  draft_ = saved_ = Draft{};
  problem_.clear();
  problem_field_.clear();
  notice_.clear();
  ++version_;
}

void KbAdminModel::close_editor() {
  editing_ = false;
  selected_.clear();
  confirm_delete_ = false;
  draft_ = saved_ = Draft{};
  problem_.clear();
  problem_field_.clear();
  ++version_;
}

bool KbAdminModel::save() {
  if (!can_edit_ || !editing_ || !draft_loaded_) return false;
  KbArticle a;
  a.title = trimmed(draft_.title);
  a.body = trimmed(draft_.body);
  a.category = trimmed(draft_.category);
  a.language = trimmed(draft_.language);
  a.keywords = split_keywords(draft_.keywords);
  a.active = draft_.active;
  if (auto p = check_kb_article(a, /*need_id=*/false)) {
    fail(capitalised(p->field) + ": " + p->message, p->field);
    return false;
  }
  problem_.clear();
  problem_field_.clear();
  if (is_new()) {
    const Json body{{"title", a.title}, {"body", a.body}, {"category", a.category}, {"keywords", a.keywords},
                    {"language", a.language}, {"active", a.active}};
    queue(Request{"POST", "/api/v1/kb/articles", json_text(body), What::create, ""});
    return true;
  }
  if (!dirty()) {
    fail("Nothing to save: nothing changed.");
    return false;
  }
  Json patch = Json::object();
  if (draft_.title != saved_.title) patch["title"] = a.title;
  if (draft_.body != saved_.body) patch["body"] = a.body;
  if (draft_.category != saved_.category) patch["category"] = a.category;
  if (draft_.keywords != saved_.keywords) patch["keywords"] = a.keywords;
  if (draft_.language != saved_.language) patch["language"] = a.language;
  if (draft_.active != saved_.active) patch["active"] = a.active;
  queue(Request{"PATCH", "/api/v1/kb/articles/" + url_encode(selected_), json_text(patch), What::save, selected_});
  return true;
}

void KbAdminModel::ask_delete() {
  if (!can_edit_ || !editing_ || is_new()) return;
  confirm_delete_ = true;
  ++version_;
}

void KbAdminModel::confirm_delete() {
  if (!confirm_delete_ || selected_.empty()) return;
  confirm_delete_ = false;
  queue(Request{"DELETE", "/api/v1/kb/articles/" + url_encode(selected_), "", What::remove, selected_});
}

std::vector<KbAdminModel::Request> KbAdminModel::take_requests() {
  std::vector<Request> out;
  out.swap(out_);
  return out;
}

void KbAdminModel::answered(const Request& r, int status, const std::string& body) {
  const Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  ++version_;
  if (status < 200 || status >= 300) {
    if (r.what == What::list) loading_ = false;
    const Json* err = member(j, "error");
    std::string message = err ? string_member(*err, "message") : std::string();
    const std::string field = err ? string_member(*err, "field") : std::string();
    if (message.empty()) message = status == 0 ? "The relay did not answer." : "The relay said no (" + std::to_string(status) + ").";
    if (r.what == What::search && r.ref != std::to_string(search_seq_)) return;  // an old search
    fail(capitalised(message), field);
    return;
  }
  switch (r.what) {
    case What::list: {
      loading_ = false;
      list_.clear();
      const Json* list = member(j, "articles");
      if (list && list->is_array()) {
        for (const Json& a : *list) {
          Row row = row_of(a);
          if (!row.id.empty()) list_.push_back(std::move(row));
        }
      }
      break;
    }
    case What::search: {
      if (r.ref != std::to_string(search_seq_)) return;  // an answer to an older query
      hits_.clear();
      const Json* list = member(j, "results");
      if (list && list->is_array()) {
        for (const Json& a : *list) {
          Row row = row_of(a);
          if (!row.id.empty()) hits_.push_back(std::move(row));
        }
      }
      break;
    }
    case What::open_article:
      if (r.ref != selected_) return;  // another article was opened meanwhile
      draft_ = saved_ = draft_of(j);
      draft_loaded_ = true;
      break;
    case What::create:
      selected_ = string_member(j, "id");
      draft_ = saved_ = draft_of(j);
      notice_ = "Saved.";
      opened();
      break;
    case What::save:
      if (r.ref == selected_) draft_ = saved_ = draft_of(j);
      notice_ = "Saved.";
      opened();
      break;
    case What::remove:
      if (r.ref == selected_) close_editor();
      notice_ = "Deleted.";
      opened();
      break;
  }
}

std::string KbAdminModel::uses_text(std::int64_t n) {
  if (n <= 0) return "unused";
  return std::to_string(n) + (n == 1 ? " use" : " uses");
}

}  // namespace parley::inbox
