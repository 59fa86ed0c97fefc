// tools/parleyctl/kb_import.cpp: see kb_import.hpp.
#include "kb_import.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>

#include "parley/kb_admin.hpp"

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

Error at_line(int line, std::string message, std::string field = {}) {
  return make_error(ErrorCode::bad_field, "line " + std::to_string(line) + ": " + message, std::move(field));
}

std::vector<std::string> split_keywords(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = s.find(',', start);
    out.push_back(trim(s.substr(start, comma == std::string_view::npos ? s.npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return normalise_kb_keywords(out);
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

// Ids present and unique, every article within the rules.
Result<std::vector<ParsedArticle>> finish(std::vector<ParsedArticle> articles) {
  std::map<std::string, int> seen;  // id -> line
  for (ParsedArticle& p : articles) {
    KbArticle& a = p.article;
    a.keywords = normalise_kb_keywords(a.keywords);
    if (trim(a.title).empty()) return at_line(p.line, "an article has an empty title", "title");
    if (a.id.empty()) a.id = slugify(a.title);
    if (a.id.empty()) return at_line(p.line, "cannot derive an id from title '" + a.title + "': give it an id", "id");
    if (auto problem = check_kb_article(a)) return at_line(p.line, problem->field + ": " + problem->message, problem->field);
    if (auto [it, fresh] = seen.emplace(a.id, p.line); !fresh) {
      return at_line(p.line, "duplicate article id '" + a.id + "' (first on line " + std::to_string(it->second) + ")", "id");
    }
  }
  return articles;
}

int line_of(std::string_view text, std::size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + std::min(offset, text.size()), '\n'));
}

// Offsets of the elements of the JSON array at `array_start` (its '['), by a scan that knows
// strings and nesting (the text is valid JSON: nlohmann parsed it first).
std::vector<std::size_t> element_offsets(std::string_view text, std::size_t array_start) {
  std::vector<std::size_t> out;
  int depth = 0;
  bool in_string = false, expect = false;
  for (std::size_t i = array_start; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (depth == 1 && expect && c != ']') {
      out.push_back(i);
      expect = false;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth == 1) expect = true;
    } else if (c == ']' || c == '}') {
      if (--depth == 0) break;
    } else if (c == ',' && depth == 1) {
      expect = true;
    }
  }
  return out;
}

std::optional<bool> parse_flag(std::string_view v) {
  const std::string l = lower(trim(v));
  if (l == "true" || l == "yes" || l == "1") return true;
  if (l == "false" || l == "no" || l == "0") return false;
  return std::nullopt;
}

// A front-matter value: a JSON string when it starts with '"', else the trimmed text.
Result<std::string> fm_value(std::string_view raw, int line, const std::string& key) {
  const std::string t = trim(raw);
  if (t.empty() || t.front() != '"') return t;
  const Json j = Json::parse(t, nullptr, false);
  if (j.is_discarded() || !j.is_string()) return at_line(line, key + ": a quoted value must be one JSON string", key);
  return j.get<std::string>();
}

Result<std::vector<ParsedArticle>> parse_front_matter(std::string_view text) {
  ParsedArticle p;
  p.line = 1;
  std::size_t pos = 0;
  int line = 0;
  bool closed = false;
  std::set<std::string> keys;
  auto next_line = [&](std::string& out) {
    if (pos > text.size()) return false;
    const std::size_t nl = text.find('\n', pos);
    out = std::string(text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos));
    if (!out.empty() && out.back() == '\r') out.pop_back();
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line;
    return true;
  };
  std::string l;
  next_line(l);  // the opening ---
  while (next_line(l)) {
    if (trim(l) == "---") {
      closed = true;
      break;
    }
    if (trim(l).empty() || trim(l).front() == '#') continue;
    const std::size_t colon = l.find(':');
    if (colon == std::string::npos) return at_line(line, "expected 'key: value' in the front matter");
    const std::string key = lower(trim(std::string_view(l).substr(0, colon)));
    const std::string_view raw = std::string_view(l).substr(colon + 1);
    if (!keys.insert(key).second) return at_line(line, "'" + key + "' given twice", key);
    if (key == "keywords" || key == "tags") {
      const std::string t = trim(raw);
      if (!t.empty() && t.front() == '[') {
        const Json j = Json::parse(t, nullptr, false);
        if (j.is_discarded() || !j.is_array()) return at_line(line, "keywords: not a JSON array of strings", "keywords");
        for (const Json& k : j) {
          if (!k.is_string()) return at_line(line, "keywords: not a JSON array of strings", "keywords");
          p.article.keywords.push_back(k.get<std::string>());
        }
      } else {
        p.article.keywords = split_keywords(t);
      }
    } else if (key == "active") {
      const auto f = parse_flag(raw);
      if (!f) return at_line(line, "active: must be true or false", "active");
      p.article.active = *f;
    } else if (key == "id" || key == "title" || key == "category" || key == "language") {
      auto v = fm_value(raw, line, key);
      if (!v) return v.error();
      (key == "id" ? p.article.id : key == "title" ? p.article.title : key == "category" ? p.article.category
                                                                                          : p.article.language) = *v;
    } else {
      return at_line(line, "unknown front-matter key '" + key + "' (id, title, category, keywords, language, active)", key);
    }
  }
  if (!closed) return at_line(1, "the front matter has no closing '---'");
  if (p.article.title.empty()) return at_line(1, "the front matter has no title", "title");
  std::string body(pos <= text.size() ? text.substr(pos) : std::string_view());
  // Blank lines at both ends go.
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) body.pop_back();
  std::size_t b = 0;
  while (b < body.size() && (body[b] == '\n' || body[b] == '\r')) ++b;
  p.article.body = body.substr(b);
  std::vector<ParsedArticle> out;
  out.push_back(std::move(p));
  return finish(std::move(out));
}

Result<std::vector<KbArticle>> articles_only(Result<std::vector<ParsedArticle>> r) {
  if (!r) return r.error();
  std::vector<KbArticle> out;
  for (ParsedArticle& p : *r) out.push_back(std::move(p.article));
  return out;
}

bool needs_quotes(const std::string& v) {
  return v.empty() || v.front() == '"' || v.front() == '[' || std::isspace(static_cast<unsigned char>(v.front())) ||
         std::isspace(static_cast<unsigned char>(v.back())) || v.find('\n') != std::string::npos;
}

std::string fm_line(const char* key, const std::string& v) {
  return std::string(key) + ": " + (needs_quotes(v) && !v.empty() ? Json(v).dump() : v) + "\n";
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

Result<std::vector<ParsedArticle>> parse_kb_json_lines(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Where: parse again with exceptions off but a SAX-free check of the error position.
    try {
      (void)Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
      return at_line(line_of(text, e.byte == 0 ? 0 : e.byte - 1), "not valid JSON");
    } catch (...) {
    }
    return make_error(ErrorCode::bad_json, "not valid JSON");
  }
  std::size_t array_start = text.find('[');
  if (j.is_object() && j.contains("articles")) {
    j = j["articles"];
    array_start = text.find('[', text.find("\"articles\""));
  }
  if (!j.is_array()) return make_error(ErrorCode::bad_json, "expected a JSON array of articles (or {\"articles\": [...]})");
  const std::vector<std::size_t> offsets = element_offsets(text, array_start);
  std::vector<ParsedArticle> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const Json& o = j[i];
    const int line = i < offsets.size() ? line_of(text, offsets[i]) : 1;
    const std::string where = "article " + std::to_string(i + 1) + ": ";
    if (!o.is_object()) return at_line(line, where + "not an object");
    ParsedArticle p;
    p.line = line;
    KbArticle& a = p.article;
    for (auto it = o.begin(); it != o.end(); ++it) {
      const std::string& k = it.key();
      const Json& v = it.value();
      if (k == "id" || k == "title" || k == "body" || k == "category" || k == "language") {
        if (!v.is_string()) return at_line(line, where + k + " must be a string", k);
        (k == "id" ? a.id : k == "title" ? a.title : k == "body" ? a.body : k == "category" ? a.category : a.language) =
            trim(v.get_ref<const std::string&>());
      } else if (k == "keywords") {
        if (!v.is_array()) return at_line(line, where + "keywords must be an array", k);
        for (const Json& kw : v) {
          if (!kw.is_string()) return at_line(line, where + "keywords must be strings", k);
          a.keywords.push_back(kw.get<std::string>());
        }
      } else if (k == "active") {
        if (!v.is_boolean()) return at_line(line, where + "active must be true or false", k);
        a.active = v.get<bool>();
      } else if (k == "updated_at" || k == "usage_count") {
        // read-only fields of an export: the store keeps its own
      } else {
        return at_line(line, where + "unknown key '" + k + "'", k);
      }
    }
    out.push_back(std::move(p));
  }
  return finish(std::move(out));
}

Result<std::vector<ParsedArticle>> parse_kb_markdown_lines(std::string_view text) {
  {
    std::size_t b = 0;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") b = 3;  // a byte-order mark
    const std::string first(text.substr(b, text.find('\n', b) - b));
    if (trim(first) == "---") return parse_front_matter(text.substr(b));
  }
  std::vector<ParsedArticle> out;
  ParsedArticle* cur = nullptr;
  std::vector<std::string> body;
  bool in_fence = false;
  auto flush = [&] {
    if (cur == nullptr) return;
    std::size_t b = 0, e = body.size();
    while (b < e && trim(body[b]).empty()) ++b;
    while (e > b && trim(body[e - 1]).empty()) --e;
    std::string s;
    for (std::size_t i = b; i < e; ++i) {
      if (i > b) s += '\n';
      s += body[i];
    }
    cur->article.body = std::move(s);
    body.clear();
    cur = nullptr;
  };

  std::size_t pos = 0;
  int line_no = 0;
  while (pos <= text.size()) {
    const std::size_t nl = text.find('\n', pos);
    std::string line(text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;

    if (line.rfind("```", 0) == 0) in_fence = !in_fence;
    if (!in_fence && line.rfind("## ", 0) == 0) {
      flush();
      out.push_back(ParsedArticle{});
      cur = &out.back();
      cur->line = line_no;
      cur->article.title = trim(std::string_view(line).substr(3));
      continue;
    }
    if (!in_fence && line.rfind("# ", 0) == 0) {  // a level-1 heading ends the article
      flush();
      continue;
    }
    if (cur == nullptr) continue;
    if (!in_fence && take_keywords(line, cur->article.keywords)) continue;
    body.push_back(line);
  }
  flush();
  if (out.empty()) return make_error(ErrorCode::bad_field, "no '## Title' sections and no front matter ('---') found");
  return finish(std::move(out));
}

Result<std::vector<ParsedArticle>> parse_kb_file_lines(const std::string& name, std::string_view text) {
  const std::string l = lower(name);
  auto ends_with = [&](std::string_view suffix) {
    return l.size() >= suffix.size() && l.compare(l.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".json")) return parse_kb_json_lines(text);
  if (ends_with(".md") || ends_with(".markdown")) return parse_kb_markdown_lines(text);
  const std::string t = trim(text.substr(0, 64));
  if (!t.empty() && (t.front() == '[' || t.front() == '{')) return parse_kb_json_lines(text);
  return parse_kb_markdown_lines(text);
}

Result<std::vector<KbArticle>> parse_kb_json(std::string_view text) { return articles_only(parse_kb_json_lines(text)); }
Result<std::vector<KbArticle>> parse_kb_markdown(std::string_view text) {
  return articles_only(parse_kb_markdown_lines(text));
}
Result<std::vector<KbArticle>> parse_kb_file(const std::string& name, std::string_view text) {
  return articles_only(parse_kb_file_lines(name, text));
}

std::string kb_export_json(const std::vector<KbArticle>& articles) {
  Json out = Json::array();
  for (const KbArticle& a : articles) {
    out.push_back(Json{{"id", a.id},
                       {"title", a.title},
                       {"body", a.body},
                       {"category", a.category},
                       {"keywords", a.keywords},
                       {"language", a.language},
                       {"active", a.active}});
  }
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string kb_export_markdown(const KbArticle& a) {
  std::string out = "---\n";
  out += fm_line("id", a.id);
  out += fm_line("title", a.title);
  if (!a.category.empty()) out += fm_line("category", a.category);
  if (!a.keywords.empty()) {
    const bool plain = std::none_of(a.keywords.begin(), a.keywords.end(), [](const std::string& k) {
      return k.find(',') != std::string::npos || k.find('"') != std::string::npos;
    });
    std::string list;
    if (plain) {
      for (const std::string& k : a.keywords) list += (list.empty() ? "" : ", ") + k;
    } else {
      list = Json(a.keywords).dump();
    }
    out += "keywords: " + list + "\n";
  }
  if (!a.language.empty()) out += fm_line("language", a.language);
  out += std::string("active: ") + (a.active ? "true" : "false") + "\n";
  out += "---\n";
  out += a.body;
  out += "\n";
  return out;
}

std::string kb_export_file_name(const KbArticle& a) {
  std::string out;
  for (char c : a.id) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x80 && (std::isalnum(u) || c == '-' || c == '_' || c == '.')) ? c : '_';
  }
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
  return out + ".md";
}

}  // namespace parley::ctl
