// tools/parleyctl/kb_import.cpp: see kb_import.hpp.
#include "kb_import.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

namespace parley::ctl {

namespace {

using Json = nlohmann::json;

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> split_keywords(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = s.find(',', start);
    const std::string k =
        lower(trim(s.substr(start, comma == std::string_view::npos ? s.npos : comma - start)));
    if (!k.empty() && std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// A "Keywords: a, b" / "Tags: a, b" line: merges its keywords into `into` and returns true.
bool take_keywords(const std::string& line, std::vector<std::string>& into) {
  const std::string t = trim(line);
  const std::string l = lower(t);
  for (std::string_view prefix : {std::string_view("keywords:"), std::string_view("tags:")}) {
    if (l.rfind(prefix, 0) != 0) continue;
    for (auto& k : split_keywords(std::string_view(t).substr(prefix.size()))) {
      if (std::find(into.begin(), into.end(), k) == into.end()) into.push_back(k);
    }
    return true;
  }
  return false;
}

// Ids present and unique, titles non-empty.
Result<std::vector<KbArticle>> finish(std::vector<KbArticle> articles) {
  std::set<std::string> seen;
  for (KbArticle& a : articles) {
    if (a.title.empty()) return make_error(ErrorCode::bad_field, "an article has an empty title", "title");
    if (a.id.empty()) a.id = slugify(a.title);
    if (a.id.empty())
      return make_error(ErrorCode::bad_field, "cannot derive an id from title '" + a.title + "'", "id");
    if (!seen.insert(a.id).second) {
      return make_error(ErrorCode::bad_field, "duplicate article id '" + a.id + "'", "id");
    }
  }
  return articles;
}

}  // namespace

std::string slugify(std::string_view title) {
  std::string out;
  bool dash = false;
  for (char c : title) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && std::isalnum(u)) {
      if (dash && !out.empty()) out += '-';
      dash = false;
      out += static_cast<char>(std::tolower(u));
    } else {
      dash = true;
    }
  }
  if (out.size() > 64) out.resize(64);
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

Result<std::vector<KbArticle>> parse_kb_json(std::string_view text) {
  const Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(ErrorCode::bad_json, "not valid JSON");
  if (!j.is_array()) return make_error(ErrorCode::bad_json, "expected a JSON array of articles");
  std::vector<KbArticle> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const Json& o = j[i];
    const std::string where = "article " + std::to_string(i + 1) + ": ";
    if (!o.is_object()) return make_error(ErrorCode::bad_field, where + "not an object");
    KbArticle a;
    for (auto it = o.begin(); it != o.end(); ++it) {
      const std::string& k = it.key();
      const Json& v = it.value();
      if (k == "id" || k == "title" || k == "body") {
        if (!v.is_string()) return make_error(ErrorCode::bad_field, where + k + " must be a string", k);
        (k == "id" ? a.id : k == "title" ? a.title : a.body) = trim(v.get_ref<const std::string&>());
      } else if (k == "keywords") {
        if (!v.is_array()) return make_error(ErrorCode::bad_field, where + "keywords must be an array", k);
        for (const Json& kw : v) {
          if (!kw.is_string()) return make_error(ErrorCode::bad_field, where + "keywords must be strings", k);
          const std::string s = lower(trim(kw.get_ref<const std::string&>()));
          if (!s.empty() && std::find(a.keywords.begin(), a.keywords.end(), s) == a.keywords.end()) {
            a.keywords.push_back(s);
          }
        }
      } else {
        return make_error(ErrorCode::bad_field, where + "unknown key '" + k + "'", k);
      }
    }
    out.push_back(std::move(a));
  }
  return finish(std::move(out));
}

Result<std::vector<KbArticle>> parse_kb_markdown(std::string_view text) {
  std::vector<KbArticle> out;
  KbArticle* cur = nullptr;
  std::vector<std::string> body;
  bool in_fence = false;
  auto flush = [&] {
    if (cur == nullptr) return;
    // Trim blank lines at both ends.
    std::size_t b = 0, e = body.size();
    while (b < e && trim(body[b]).empty()) ++b;
    while (e > b && trim(body[e - 1]).empty()) --e;
    std::string s;
    for (std::size_t i = b; i < e; ++i) {
      if (i > b) s += '\n';
      s += body[i];
    }
    cur->body = std::move(s);
    body.clear();
    cur = nullptr;
  };

  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t nl = text.find('\n', pos);
    std::string line(text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;

    if (line.rfind("```", 0) == 0) in_fence = !in_fence;
    if (!in_fence && line.rfind("## ", 0) == 0) {
      flush();
      out.push_back(KbArticle{});
      cur = &out.back();
      cur->title = trim(std::string_view(line).substr(3));
      continue;
    }
    if (!in_fence && line.rfind("# ", 0) == 0) {  // a level-1 heading ends the article
      flush();
      continue;
    }
    if (cur == nullptr) continue;
    if (!in_fence && take_keywords(line, cur->keywords)) continue;
    body.push_back(line);
  }
  flush();
  if (out.empty()) return make_error(ErrorCode::bad_field, "no '## Title' sections found");
  return finish(std::move(out));
}

Result<std::vector<KbArticle>> parse_kb_file(const std::string& name, std::string_view text) {
  const std::string l = lower(name);
  auto ends_with = [&](std::string_view suffix) {
    return l.size() >= suffix.size() && l.compare(l.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".json")) return parse_kb_json(text);
  if (ends_with(".md") || ends_with(".markdown")) return parse_kb_markdown(text);
  const std::string t = trim(text.substr(0, 64));
  if (!t.empty() && t.front() == '[') return parse_kb_json(text);
  return parse_kb_markdown(text);
}

}  // namespace parley::ctl
