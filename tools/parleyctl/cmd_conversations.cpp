// tools/parleyctl/cmd_conversations.cpp: conversations list | transcript, and export (every
// conversation as JSON Lines, read in one transaction so the export is one consistent snapshot).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "ctl.hpp"
#include "store/repo_attachments.hpp"

namespace parley::ctl {
namespace {

// Every event of a conversation, in pages.
Result<std::vector<Event>> all_events(Db& db, const std::string& tenant, const std::string& conv) {
  std::vector<Event> out;
  Seq after = 0;
  for (;;) {
    auto page = relay::events_after(db, tenant, conv, after, /*staff=*/true, 1000);
    if (!page) return page.error();
    if (page->empty()) break;
    after = page->back().seq;
    for (auto& e : *page) out.push_back(std::move(e));
  }
  return out;
}

std::string indent_continuation(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "      ";
  }
  return out;
}

}  // namespace

int cmd_conversations_list(const Args& a) {
  if (a.pos.size() != 2) return usage("conversations list takes no arguments", "conversations list");
  if (auto o = unexpected_options(a, {"--status", "--search", "--limit"})) {
    return usage("conversations list does not take " + *o, "conversations list");
  }
  relay::ConversationFilter f;
  if (a.opt.count("--status") != 0) {
    f.status = parse_status(opt(a, "--status"));
    if (!f.status) return usage("--status must be bot, pending, active or resolved", "conversations list");
  }
  f.query = opt(a, "--search");
  if (a.opt.count("--limit") != 0) {
    const std::string s = opt(a, "--limit");
    char* end = nullptr;
    const long n = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || n < 1 || n > 10000) {
      return usage("--limit must be a number from 1 to 10000", "conversations list");
    }
    f.limit = static_cast<std::size_t>(n);
  }
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto list = relay::list_conversations(*ctx.rd, ctx.tenant.id, f);
  if (!list) return fail(list.error());
  std::printf("%-28s %-9s %-9s %-7s %-21s %-16s %s\n", "ID", "STATUS", "CHANNEL", "PRIO", "UPDATED",
              "ASSIGNEE", "TOPIC");
  for (const auto& c : *list) {
    std::printf("%-28s %-9s %-9s %-7s %-21s %-16s %s\n", c.id.c_str(),
                std::string(to_string(c.status)).c_str(), std::string(to_string(c.channel)).c_str(),
                std::string(to_string(c.priority)).c_str(), format_time(c.updated_at).c_str(),
                c.assignee_name.empty() ? "-" : c.assignee_name.c_str(), c.topic.c_str());
  }
  if (list->empty()) std::fprintf(stderr, "(no conversations match)\n");
  return kOk;
}

int cmd_conversations_transcript(const Args& a) {
  if (a.pos.size() != 3)
    return usage("conversations transcript needs exactly one ID", "conversations transcript");
  if (auto o = unexpected_options(a, {})) {
    return usage("conversations transcript does not take " + *o, "conversations transcript");
  }
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;
  auto conv = relay::find_conversation(*ctx.rd, ctx.tenant.id, a.pos[2]);
  if (!conv) return fail(conv.error());
  if (!conv->has_value()) return fail("no conversation " + a.pos[2] + " in tenant " + ctx.tenant.slug);
  const Conversation& c = **conv;
  std::printf("Conversation %s  [%s, %s, priority %s]\n", c.id.c_str(),
              std::string(to_string(c.status)).c_str(), std::string(to_string(c.channel)).c_str(),
              std::string(to_string(c.priority)).c_str());
  std::printf("Created %s, updated %s", format_time(c.created_at).c_str(), format_time(c.updated_at).c_str());
  if (!c.assignee_name.empty()) std::printf(", assigned to %s", c.assignee_name.c_str());
  std::printf("\n");
  if (!c.topic.empty()) std::printf("Topic: %s\n", c.topic.c_str());
  if (c.status == Status::resolved) {
    std::printf("Ended: %s%s%s\n", std::string(to_string(c.ending)).c_str(),
                c.resolution.empty() ? "" : " - ", c.resolution.c_str());
  }
  std::printf("\n");

  auto events = all_events(*ctx.rd, ctx.tenant.id, c.id);
  if (!events) return fail(events.error());
  for (const Event& e : *events) {
    const std::string when = format_time(e.at);
    if (e.type == ev::new_message && e.data.contains("message")) {
      auto m = message_from_json(e.data["message"]);
      if (m) {
        std::string who = std::string(to_string(m->sender_role));
        if (!m->sender_name.empty()) who += "/" + m->sender_name;
        const char* tag = m->kind == MessageKind::note   ? " (note)"
                          : m->kind == MessageKind::text ? ""
                                                         : nullptr;
        std::string kind_tag = tag != nullptr ? tag : " (" + std::string(to_string(m->kind)) + ")";
        std::printf("[%s] %s%s:\n      %s\n", when.c_str(), who.c_str(), kind_tag.c_str(),
                    indent_continuation(m->text).c_str());
        continue;
      }
    }
    std::string who = std::string(to_string(e.actor.role));
    if (!e.actor.name.empty()) who += "/" + e.actor.name;
    std::string detail;
    if (e.type == ev::handoff_summary && e.data.contains("summary") && e.data["summary"].is_string()) {
      detail = ": " + e.data["summary"].get<std::string>();
    }
    std::printf("[%s] -- %s by %s%s%s\n", when.c_str(), e.type.c_str(), who.c_str(),
                e.audience == Audience::staff ? " (staff only)" : "", detail.c_str());
  }
  return kOk;
}

// ---- export ----

int cmd_export(const Args& a) {
  if (a.pos.size() != 1) return usage("export takes no arguments", "export");
  if (auto o = unexpected_options(a, {"--out", "--files"})) return usage("export does not take " + *o, "export");
  const std::string out_path = opt(a, "--out", "-");
  const std::string files_dir = opt(a, "--files", "");  // also copy the attachments' bytes to DIR/files/
  Ctx ctx;
  if (auto rc = open_ctx(a, ctx)) return *rc;

  std::ofstream file;
  const std::string partial = out_path + ".partial";
  if (out_path != "-") {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) return fail("cannot write " + partial);
    // Every conversation of the tenant: owner-only, like the database it comes from.
    std::error_code perm_ec;
    std::filesystem::permissions(partial,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace, perm_ec);
  }
  std::ostream& out = out_path == "-" ? std::cout : file;
  // Removes the partial file unless the export completed (and renamed it).
  struct PartialGuard {
    std::string path;
    bool keep = false;
    ~PartialGuard() {
      std::error_code ec;
      if (!keep && !path.empty()) std::filesystem::remove(path, ec);
    }
  } guard{out_path == "-" ? std::string() : partial};

  // One read transaction: every page below sees the same snapshot.
  Db& db = *ctx.rd;
  if (auto e = db.exec("BEGIN")) return fail(*e);
  std::vector<std::string> ids;
  {
    Stmt q = db.prepare("SELECT id FROM conversations WHERE tenant_id = ?1 ORDER BY created_at, id");
    q.bind(1, ctx.tenant.id);
    while (q.step()) ids.push_back(q.col_text(0));
    if (q.error()) return fail(*q.error());
  }
  const bool progress = ids.size() >= 1000;
  std::size_t done = 0;
  for (const std::string& id : ids) {
    auto c = relay::find_conversation(db, ctx.tenant.id, id);
    if (!c) return fail(c.error());
    if (!c->has_value()) continue;
    auto msgs = relay::load_messages(db, ctx.tenant.id, id, /*staff=*/true);
    if (!msgs) return fail(msgs.error());
    auto events = all_events(db, ctx.tenant.id, id);
    if (!events) return fail(events.error());
    Json line = {{"conversation", to_json(**c, /*staff=*/true)},
                 {"messages", Json::array()},
                 {"events", Json::array()}};
    for (const auto& m : *msgs) line["messages"].push_back(to_json(m));
    for (const auto& e : *events) line["events"].push_back(to_json(e));
    // Attachments (issue 9): their metadata; the bytes are the named files under the data folder
    // (copied with --files DIR, and by parleyctl backup).
    auto atts = relay::conversation_attachments(db, ctx.tenant.id, id);
    if (!atts) return fail(atts.error());
    line["attachments"] = Json::array();
    for (const auto& at : *atts) {
      line["attachments"].push_back({{"id", at.id}, {"name", at.name}, {"content_type", at.content_type},
                                     {"size", at.size}, {"sha256", at.sha256}, {"uploader_role", to_string(at.uploader_role)},
                                     {"uploader_id", at.uploader_id}, {"created_at", at.created_at},
                                     {"scan_status", at.scan_status},
                                     {"file", "files/" + at.sha256.substr(0, 2) + "/" + at.sha256}});
      if (!files_dir.empty()) {
        namespace fs = std::filesystem;
        std::error_code fec;
        const fs::path from = fs::path(db_path(a)).parent_path() / "files" / at.sha256.substr(0, 2) / at.sha256;
        const fs::path dir = fs::path(files_dir) / "files" / at.sha256.substr(0, 2);
        fs::create_directories(dir, fec);
        if (!fec && !fs::exists(dir / at.sha256, fec)) fs::copy_file(from, dir / at.sha256, fec);
        if (fec) return fail("cannot copy attachment " + from.string() + ": " + fec.message());
      }
    }
    out << line.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n';
    if (!out) return fail("write failed (disk full?)");
    ++done;
    if (progress && done % 1000 == 0)
      std::fprintf(stderr, "exported %zu/%zu conversations\n", done, ids.size());
  }
  db.exec("COMMIT");
  out.flush();
  if (!out) return fail("write failed (disk full?)");
  if (out_path != "-") {
    file.close();
    if (!file) return fail("write failed (disk full?)");
    std::error_code ec;
    std::filesystem::rename(partial, out_path, ec);
    if (ec) return fail("cannot rename " + partial + ": " + ec.message());
    guard.keep = true;
  }
  std::fprintf(stderr, "exported %zu conversation(s) of tenant %s%s%s\n", done, ctx.tenant.slug.c_str(),
               out_path == "-" ? "" : " to ", out_path == "-" ? "" : out_path.c_str());
  return kOk;
}

}  // namespace parley::ctl
