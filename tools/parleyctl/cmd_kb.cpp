// tools/parleyctl/cmd_kb.cpp: kb import | export | list. The formats are parsed and written in
// kb_import.cpp (kb_import.hpp describes them).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "ctl.hpp"
#include "kb_import.hpp"
#include "store/change_log.hpp"

namespace parley::ctl {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxFileBytes = 32u << 20;
constexpr std::size_t kProgressEvery = 500;  // articles (and files) between progress lines

bool importable(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".md" || ext == ".markdown" || ext == ".json";
}

struct Source {
  std::string name;  // as shown in messages
  std::string text;
};

// The file, stdin ("-"), or every .md/.markdown/.json file under a directory (recursively, in
// path order). Returns an error message naming the file.
std::optional<std::string> read_sources(const std::string& arg, std::vector<Source>& out) {
  auto read_one = [&](const fs::path& p, const std::string& shown) -> std::optional<std::string> {
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (!ec && size > kMaxFileBytes) return shown + ": larger than 32 MiB";
    std::ifstream in(p, std::ios::binary);
    if (!in) return "cannot read " + shown;
    std::ostringstream ss;
    ss << in.rdbuf();
    out.push_back({shown, ss.str()});
    return std::nullopt;
  };
  if (arg == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    if (ss.str().size() > kMaxFileBytes) return std::string("stdin: larger than 32 MiB");
    out.push_back({"stdin", ss.str()});
    return std::nullopt;
  }
  std::error_code ec;
  if (fs::is_directory(arg, ec)) {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(arg, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && importable(it->path())) files.push_back(it->path());
    }
    if (ec) return "cannot list " + arg + ": " + ec.message();
    std::sort(files.begin(), files.end());
    if (files.empty()) return arg + ": no .md, .markdown or .json files in it";
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (auto e = read_one(files[i], files[i].string())) return e;
      if (files.size() > kProgressEvery && (i + 1) % kProgressEvery == 0) {
        std::fprintf(stderr, "read %zu/%zu files\n", i + 1, files.size());
      }
    }
    return std::nullopt;
  }
  return read_one(arg, arg);
}

bool same_content(const KbArticle& a, const KbArticle& b) {
  return a.title == b.title && a.body == b.body && a.keywords == b.keywords && a.category == b.category &&
         a.language == b.language && a.active == b.active;
}

}  // namespace

int cmd_kb_import(const Args& a) {
  if (a.pos.size() != 3) return usage("kb import needs exactly one FILE or DIRECTORY", "kb import");
  if (auto o = unexpected_options(a, {"--dry-run", "--merge"})) return usage("kb import does not take " + *o, "kb import");
  const bool dry_run = a.flags.count("--dry-run") > 0;
  const bool merge = a.flags.count("--merge") > 0;
  std::vector<Source> sources;
  if (auto e = read_sources(a.pos[2], sources)) return fail(*e);

  // Parse everything before touching the store: one bad file stops the import, nothing half-done.
  std::vector<KbArticle> articles;
  std::map<std::string, std::string> where;  // id -> "file:line"
  for (const Source& s : sources) {
    auto parsed = parse_kb_file_lines(s.name, s.text);
    if (!parsed) return fail(s.name + ": " + parsed.error().message);
    for (ParsedArticle& p : *parsed) {
      const std::string here = s.name + ":" + std::to_string(p.line);
      if (auto [it, fresh] = where.emplace(p.article.id, here); !fresh) {
        return fail(here + ": duplicate article id '" + p.article.id + "' (also at " + it->second + ")");
      }
      articles.push_back(std::move(p.article));
    }
  }

  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto current = relay::load_kb(*ctx.rd, ctx.tenant.id);
  if (!current) return fail(current.error());
  std::map<std::string, const KbArticle*> old;
  for (const KbArticle& k : *current) old[k.id] = &k;
  std::size_t created = 0, changed = 0, unchanged = 0, deleted = 0;
  for (const KbArticle& k : articles) {
    auto it = old.find(k.id);
    if (it == old.end()) ++created;
    else if (same_content(*it->second, k)) ++unchanged;
    else ++changed;
  }
  if (!merge) {
    for (const KbArticle& k : *current) deleted += where.count(k.id) == 0;
  }
  const std::string summary = std::to_string(articles.size()) + " article(s) from " + std::to_string(sources.size()) +
                              " file(s): " + std::to_string(created) + " new, " + std::to_string(changed) +
                              " changed, " + std::to_string(unchanged) + " unchanged, " + std::to_string(deleted) +
                              (merge ? " deleted (--merge keeps the others)" : " deleted");
  if (dry_run) {
    std::printf("dry run, nothing written: %s\n", summary.c_str());
    return kOk;
  }

  const Millis now = now_ms();
  const auto entry = ctx.audit("kb.imported", ctx.tenant.id,
                               Json{{"file", fs::path(a.pos[2]).filename().string()}, {"articles", articles.size()},
                                    {"created", created}, {"changed", changed}, {"deleted", deleted}, {"merge", merge}});
  // With --merge the tenant's other articles stay: the list written is the old one with these
  // put in (changed in place, new ones at the end).
  std::vector<KbArticle> list;
  if (merge) {
    std::map<std::string, const KbArticle*> incoming;
    for (const KbArticle& k : articles) incoming[k.id] = &k;
    for (const KbArticle& k : *current) list.push_back(incoming.count(k.id) ? *incoming[k.id] : k);
    for (const KbArticle& k : articles) {
      if (!old.count(k.id)) list.push_back(k);
    }
  } else {
    list = std::move(articles);
  }
  // One transaction; long imports say how far they are (the store is written in one commit, so
  // this is the time to build the rows, not partial progress on disk).
  const std::size_t total = list.size();
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    if (total > kProgressEvery) std::fprintf(stderr, "writing %zu articles...\n", total);
    if (auto e = relay::replace_kb(db, ctx.tenant.id, list, now)) return e;
    if (auto e = relay::append_change(db, relay::change_kind::kb, ctx.tenant.id, ctx.tenant.id, entry.at)) return e;
    return relay::append_audit(db, entry);
  });
  if (err) return fail(*err);
  std::printf("imported into tenant %s: %s\n", ctx.tenant.slug.c_str(), summary.c_str());
  return kOk;
}

int cmd_kb_export(const Args& a) {
  if (a.pos.size() != 2) return usage("kb export takes no arguments", "kb export");
  if (auto o = unexpected_options(a, {"--format", "--out"})) return usage("kb export does not take " + *o, "kb export");
  const std::string format = opt(a, "--format", "json");
  const std::string out = opt(a, "--out");
  if (format != "json" && format != "md") return usage("--format must be json or md", "kb export");
  if (format == "md" && out.empty()) return usage("--format md writes one file per article: give --out DIRECTORY", "kb export");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto kb = relay::load_kb(*ctx.rd, ctx.tenant.id);
  if (!kb) return fail(kb.error());
  if (format == "json") {
    const std::string text = kb_export_json(*kb);
    if (out.empty() || out == "-") {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      std::ofstream f(out, std::ios::binary | std::ios::trunc);
      if (!(f << text)) return fail("cannot write " + out);
    }
  } else {
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) return fail("cannot create " + out + ": " + ec.message());
    for (std::size_t i = 0; i < kb->size(); ++i) {
      const KbArticle& art = (*kb)[i];
      const fs::path p = fs::path(out) / kb_export_file_name(art);
      std::ofstream f(p, std::ios::binary | std::ios::trunc);
      if (!(f << kb_export_markdown(art))) return fail("cannot write " + p.string());
      if (kb->size() > kProgressEvery && (i + 1) % kProgressEvery == 0) {
        std::fprintf(stderr, "wrote %zu/%zu files\n", i + 1, kb->size());
      }
    }
  }
  std::fprintf(stderr, "exported %zu article(s) of tenant %s\n", kb->size(), ctx.tenant.slug.c_str());
  return kOk;
}

int cmd_kb_list(const Args& a) {
  if (a.pos.size() != 2) return usage("kb list takes no arguments", "kb list");
  if (auto o = unexpected_options(a, {})) return usage("kb list does not take " + *o, "kb list");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto kb = relay::load_kb(*ctx.rd, ctx.tenant.id);
  if (!kb) return fail(kb.error());
  std::printf("%-28s %-40s %-16s %-4s %-6s %6s %s\n", "ID", "TITLE", "CATEGORY", "LANG", "ACTIVE", "USES", "KEYWORDS");
  for (const auto& art : *kb) {
    std::string kws;
    for (const auto& k : art.keywords) kws += (kws.empty() ? "" : ", ") + k;
    std::printf("%-28s %-40s %-16s %-4s %-6s %6lld %s\n", art.id.c_str(), art.title.c_str(), art.category.c_str(),
                art.language.empty() ? "-" : art.language.c_str(), art.active ? "yes" : "no",
                static_cast<long long>(art.usage_count), kws.c_str());
  }
  if (kb->empty()) std::fprintf(stderr, "(no articles in tenant %s)\n", ctx.tenant.slug.c_str());
  return kOk;
}

}  // namespace parley::ctl
