// tools/parleyctl/cmd_kb.cpp: kb import | list. The import formats are parsed in kb_import.cpp.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "ctl.hpp"
#include "kb_import.hpp"
#include "store/change_log.hpp"

namespace parley::ctl {

int cmd_kb_import(const Args& a) {
  if (a.pos.size() != 3) return usage("kb import needs exactly one FILE", "kb import");
  if (auto o = unexpected_options(a, {})) return usage("kb import does not take " + *o, "kb import");
  const std::string file = a.pos[2];
  std::string text;
  constexpr std::size_t kMax = 32u << 20;
  if (file == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail("cannot read " + file);
    std::ostringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  if (text.size() > kMax) return fail(file + " is larger than 32 MiB");
  auto articles = parse_kb_file(file, text);
  if (!articles) return fail(file + ": " + articles.error().message);

  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  const auto entry = ctx.audit(
      "kb.imported", ctx.tenant.id,
      Json{{"file", std::filesystem::path(file).filename().string()}, {"articles", articles->size()}});
  auto err = ctx.write([&](Db& db) -> std::optional<Error> {
    if (auto e = relay::replace_kb(db, ctx.tenant.id, *articles)) return e;
    if (auto e = relay::append_change(db, relay::change_kind::kb, ctx.tenant.id, ctx.tenant.id, entry.at))
      return e;
    return relay::append_audit(db, entry);
  });
  if (err) return fail(*err);
  std::printf("imported %zu article(s) into tenant %s\n", articles->size(), ctx.tenant.slug.c_str());
  return kOk;
}

int cmd_kb_list(const Args& a) {
  if (a.pos.size() != 2) return usage("kb list takes no arguments", "kb list");
  if (auto o = unexpected_options(a, {})) return usage("kb list does not take " + *o, "kb list");
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto kb = relay::load_kb(*ctx.rd, ctx.tenant.id);
  if (!kb) return fail(kb.error());
  std::printf("%-28s %-40s %s\n", "ID", "TITLE", "KEYWORDS");
  for (const auto& art : *kb) {
    std::string kws;
    for (const auto& k : art.keywords) kws += (kws.empty() ? "" : ", ") + k;
    std::printf("%-28s %-40s %s\n", art.id.c_str(), art.title.c_str(), kws.c_str());
  }
  if (kb->empty()) std::fprintf(stderr, "(no articles in tenant %s)\n", ctx.tenant.slug.c_str());
  return kOk;
}

}  // namespace parley::ctl
