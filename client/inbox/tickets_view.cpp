// The inbox's Tickets area (tickets_view.hpp).
#include "inbox/tickets_view.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "common/a11y_mirror.hpp"
#include "common/app_shell.hpp"
#include "common/text.hpp"
#include "common/ui.hpp"
#include "imgui.h"
#include "inbox/panel_ui.hpp"

namespace parley::inbox {
namespace {
using client::text::Face;
using namespace panel;
using client::ui::expose;
using client::ui::hit;
namespace a11y = client::a11y;

constexpr int kSmall = static_cast<int>(Face::small);
constexpr int kLabel = static_cast<int>(Face::label);
constexpr int kBody = static_cast<int>(Face::body);

const char* status_word(const std::string& s) {
  if (s == "open") return "Open";
  if (s == "pending") return "Pending";
  if (s == "solved") return "Solved";
  if (s == "closed") return "Closed";
  return "Unknown";
}

ImU32 priority_col(const std::string& p) {
  if (p == "urgent") return kDanger;
  if (p == "high") return kAmber;
  if (p == "low") return kMuted;
  return kAccent;
}

ImU32 presence_col(const std::string& s) {
  if (s == "online") return kGreen;
  if (s == "away") return kAmber;
  return kField;
}

// A row that is a button: hover background, a mirror button named `label`.
bool row_button(const char* id, const std::string& label, ImVec2 p, ImVec2 size, bool current, float s) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  bool hovered = false;
  bool pressed = hit(id, p, size, &hovered);
  a11y::State st;
  st.current = current;
  if (a11y::item(a11y::Role::button, label, st)) pressed = true;
  dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), current ? IM_COL32(239, 246, 255, 255) : hovered ? kHover : kWhite,
                    8 * s);
  dl->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), current ? kAccent : kLine, 8 * s, 0, s);
  return pressed;
}

void draw_ticket_list(const TicketsModel& m, ImVec2 a, ImVec2 b, float y, float split, float s, TicketsIntents& out) {
  const float pad = 24 * s;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  static const char* const kStatusValues[] = {"any", "open", "pending", "solved", "closed"};
  static const char* const kStatusLabels[] = {"All", "Open", "Pending", "Solved", "Closed"};
  const std::string st = chips("##tickets_status", "Status", kStatusValues, kStatusLabels, 5,
                               m.status_filter().empty() ? std::string("any") : m.status_filter(),
                               ImVec2(a.x + pad, y), s);
  if (!st.empty()) out.status_filter = st;
  y += 36 * s;
  static const char* const kPrioValues[] = {"any", "urgent", "high", "normal", "low"};
  static const char* const kPrioLabels[] = {"Any priority", "Urgent", "High", "Normal", "Low"};
  const std::string pr = chips("##tickets_priority", "Priority", kPrioValues, kPrioLabels, 5,
                               m.priority_filter().empty() ? std::string("any") : m.priority_filter(),
                               ImVec2(a.x + pad, y), s);
  if (!pr.empty()) out.priority_filter = pr;
  y += 40 * s;
  const std::vector<const TicketRow*> rows = m.visible_tickets();
  std::string summary;
  if (!m.tickets_loaded()) {
    summary = "Loading\u2026";
  } else {
    summary = std::to_string(rows.size()) + (rows.size() == 1 ? " ticket" : " tickets");
    if (m.total() > static_cast<std::int64_t>(m.visible_tickets().size()) && m.priority_filter().empty())
      summary += " of " + std::to_string(m.total());
  }
  text(summary, kSmall, ImVec2(a.x + pad, y), split, kMuted);
  a11y::node("##tickets_count", a11y::Role::status, summary, ImVec2(a.x + pad, y), ImVec2(split, y + 18 * s));
  y += 24 * s;
  a11y::push("##tickets_list", a11y::Role::list, "Tickets");
  for (const TicketRow* t : rows) {
    const float rh = 52 * s;
    if (y + rh > b.y - 48 * s) break;
    ImGui::PushID(t->id.c_str());
    const ImVec2 p(a.x + pad, y), size(split - a.x - pad - 12 * s, rh - 6 * s);
    const std::string who = m.name_of(t->assignee_id);
    const std::string label = "Open ticket " + t->title + ", " + status_word(t->status) + ", " + t->priority +
                              " priority, " + (t->assignee_id.empty() ? std::string("unassigned") : "with " + who);
    if (row_button("##ticket", label, p, size, t->id == m.selected_id(), s)) out.select = t->id;
    expose("ticket:" + t->id, p, size);
    dl->AddCircleFilled(ImVec2(p.x + 14 * s, p.y + 16 * s), 4 * s, priority_col(t->priority), 12);
    text(t->title, kLabel, ImVec2(p.x + 26 * s, p.y + 6 * s), p.x + size.x - 8 * s, kText);
    const std::string line = std::string(status_word(t->status)) + " \u00b7 " + t->priority + " \u00b7 " +
                             (t->assignee_id.empty() ? std::string("unassigned") : who) + " \u00b7 " + t->id;
    text(line, kSmall, ImVec2(p.x + 26 * s, p.y + 27 * s), p.x + size.x - 8 * s, kMuted);
    ImGui::PopID();
    y += rh;
  }
  a11y::pop();
}

void draw_ticket(const TicketsModel& m, ImVec2 b, float y, float x, float s, TicketsIntents& out) {
  const float pad = 24 * s;
  const float right = b.x - pad;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const TicketRow* t = m.selected();
  if (!t) {
    const char* msg = m.selected_id().empty() ? "Choose a ticket to see it here." : "Loading the ticket\u2026";
    text(msg, kBody, ImVec2(x, y), right, kMuted);
    a11y::node("##ticket_none", a11y::Role::text, msg, ImVec2(x, y), ImVec2(right, y + 20 * s));
    return;
  }
  a11y::push("##ticket_detail", a11y::Role::group, "Ticket " + t->title);
  text(t->title, kLabel, ImVec2(x, y), right - 90 * s, kInk);
  a11y::node("##ticket_title", a11y::Role::heading, t->title, ImVec2(x, y), ImVec2(right, y + 20 * s));
  if (button("##ticket_back", "Back", ImVec2(right - label_w("Back", s), y - 6 * s), ImVec2(label_w("Back", s), 30 * s),
             false, s))
    out.select = "-";
  y += 26 * s;
  const std::string meta = t->id + (m.selected_customer().empty() ? std::string() : " \u00b7 " + m.selected_customer());
  text(meta, kSmall, ImVec2(x, y), right, kMuted);
  a11y::node("##ticket_meta", a11y::Role::text, "Ticket " + meta, ImVec2(x, y), ImVec2(right, y + 18 * s));
  y += 26 * s;
  // Status: only the moves the relay allows.
  text("Status", kSmall, ImVec2(x, y), right, kMuted);
  y += 18 * s;
  bool en[4];
  for (int i = 0; i < 4; ++i)
    en[i] = t->status == TicketsModel::kStatuses[i] || m.can_move_to(TicketsModel::kStatuses[i]);
  static const char* const kStatusLabels[] = {"Open", "Pending", "Solved", "Closed"};
  const std::string st = chips("##ticket_status", "Ticket status", TicketsModel::kStatuses, kStatusLabels, 4, t->status,
                               ImVec2(x, y), s, en);
  if (!st.empty() && st != t->status) out.set_status = st;
  y += 38 * s;
  const bool editable = t->status != "closed";
  text("Priority", kSmall, ImVec2(x, y), right, kMuted);
  y += 18 * s;
  static const char* const kPrioLabels[] = {"Urgent", "High", "Normal", "Low"};
  const bool pen[4] = {editable, editable, editable, editable};
  const std::string pr = chips("##ticket_priority", "Ticket priority", TicketsModel::kPriorities, kPrioLabels, 4,
                               t->priority, ImVec2(x, y), s, pen);
  if (!pr.empty() && pr != t->priority) out.set_priority = pr;
  y += 38 * s;
  // Assignee: nobody, or one of the tenant's staff (the first few; online ones first).
  text("Assignee", kSmall, ImVec2(x, y), right, kMuted);
  y += 18 * s;
  {
    std::vector<std::string> values{"-"}, labels{"Nobody"};
    for (const TicketsModel::Agent& g : m.agents()) {
      if (values.size() >= 6 && g.id != t->assignee_id) continue;
      values.push_back(g.id);
      labels.push_back(g.name);
    }
    std::vector<const char*> vp, lp;
    std::vector<char> aen(values.size(), editable ? 1 : 0);
    bool aen_b[16];
    const int n = static_cast<int>(std::min<std::size_t>(values.size(), 16));
    for (int i = 0; i < n; ++i) vp.push_back(values[i].c_str()), lp.push_back(labels[i].c_str()), aen_b[i] = aen[i];
    // Chips wrap into a second row when they do not fit: drawn in two groups of at most 4.
    const std::string cur = t->assignee_id.empty() ? std::string("-") : t->assignee_id;
    std::string as = chips("##ticket_assignee", "Assignee", vp.data(), lp.data(), std::min(n, 4), cur, ImVec2(x, y), s,
                           aen_b);
    if (n > 4) {
      y += 34 * s;
      const std::string more = chips("##ticket_assignee2", "More staff", vp.data() + 4, lp.data() + 4, n - 4, cur,
                                     ImVec2(x, y), s, aen_b + 4);
      if (!more.empty()) as = more;
    }
    if (!as.empty() && as != cur) out.set_assignee = as;
  }
  y += 40 * s;
  if (button("##ticket_open_chat", "Open the chat", ImVec2(x, y), ImVec2(label_w("Open the chat", s), 32 * s), false, s))
    out.open_conversation = t->conversation_id;
  y += 44 * s;
  // The transcript (the stored messages, staff view): one line each, newest last.
  text("Transcript", kSmall, ImVec2(x, y), right, kMuted);
  y += 20 * s;
  a11y::push("##ticket_transcript", a11y::Role::list, "Transcript");
  const float bottom = b.y - 48 * s;
  const std::size_t fit = static_cast<std::size_t>(std::max(0.0f, (bottom - y) / (20 * s)));
  const auto& lines = m.transcript();
  const std::size_t from = lines.size() > fit ? lines.size() - fit : 0;
  int k = 0;
  for (std::size_t i = from; i < lines.size(); ++i) {
    const TicketsModel::Line& l = lines[i];
    const std::string who = l.who.empty() ? (l.role.empty() ? std::string("System") : l.role) : l.who;
    const std::string line = who + (l.kind == "note" ? " (note): " : ": ") + l.text;
    text(line, kSmall, ImVec2(x, y), right, l.kind == "note" ? kAmber : kText);
    char key[24];
    std::snprintf(key, sizeof key, "##tl%d", k++);
    a11y::node(key, a11y::Role::listitem, line, ImVec2(x, y), ImVec2(right, y + 18 * s));
    y += 20 * s;
  }
  if (lines.empty()) {
    text("No messages.", kSmall, ImVec2(x, y), right, kMuted);
    a11y::node("##tl_none", a11y::Role::listitem, "No messages.", ImVec2(x, y), ImVec2(right, y + 18 * s));
  }
  a11y::pop();
  a11y::pop();
  (void)dl;
}

std::string until_text(std::int64_t expires_at) {
  if (expires_at <= 0) return "until lifted";
  return "for a time";
}

void draw_blocks(const TicketsModel& m, ImVec2 a, ImVec2 b, float y, float s, TicketsIntents& out) {
  const float pad = 24 * s;
  const float right = b.x - pad;
  if (!m.blocks_loaded()) {
    text("Loading\u2026", kBody, ImVec2(a.x + pad, y), right, kMuted);
    return;
  }
  a11y::push("##blocks", a11y::Role::list, "Blocked visitors");
  if (m.blocks().empty()) {
    text("Nobody is blocked.", kBody, ImVec2(a.x + pad, y), right, kMuted);
    a11y::node("##blocks_none", a11y::Role::listitem, "Nobody is blocked.", ImVec2(a.x + pad, y),
               ImVec2(right, y + 20 * s));
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (const TicketsModel::BlockRow& k : m.blocks()) {
    if (y > b.y - 90 * s) break;
    ImGui::PushID(k.id.c_str());
    const std::string who = k.kind == "address" ? std::string("An address") : "Contact " + k.contact_id;
    const std::string info = k.reason + " \u00b7 " + until_text(k.expires_at) + " \u00b7 by " + m.name_of(k.created_by);
    a11y::push("##row", a11y::Role::listitem, who + ": " + info);
    text(who, kLabel, ImVec2(a.x + pad, y + 4 * s), right - 120 * s, kText);
    text(info, kSmall, ImVec2(a.x + pad, y + 24 * s), right - 120 * s, kMuted);
    const float bw = label_w("Lift", s);
    if (button("##lift", "Lift", ImVec2(right - bw, y + 6 * s), ImVec2(bw, 30 * s), false, s)) out.lift = k.id;
    expose("block_lift:" + k.id, ImVec2(right - bw, y + 6 * s), ImVec2(bw, 30 * s));
    a11y::pop();
    ImGui::PopID();
    dl->AddLine(ImVec2(a.x + pad, y + 46 * s), ImVec2(right, y + 46 * s), kLine, s);
    y += 50 * s;
  }
  a11y::pop();
}

void draw_agents(const TicketsModel& m, ImVec2 a, ImVec2 b, float y, float s, TicketsIntents& out) {
  const float pad = 24 * s;
  const float right = b.x - pad;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (!m.agents_loaded()) {
    text("Loading\u2026", kBody, ImVec2(a.x + pad, y), right, kMuted);
    return;
  }
  a11y::push("##agents_list", a11y::Role::list, "Agents and their workload");
  for (const TicketsModel::Agent& g : m.agents()) {
    if (y > b.y - 90 * s) break;
    ImGui::PushID(g.id.c_str());
    std::string load;
    if (!g.loaded) {
      load = "loading\u2026";
    } else if (g.status == "unknown") {
      load = "workload not available";
    } else {
      load = std::to_string(g.active) + " of " + std::to_string(g.capacity) + " chats \u00b7 " +
             std::to_string(g.free_slots) + (g.free_slots == 1 ? " free slot" : " free slots");
    }
    const std::string name = g.name.empty() ? g.id : g.name;
    const std::string status = g.loaded ? g.status : (g.online ? "online" : "offline");
    a11y::push("##row", a11y::Role::listitem, name + ", " + status + ", " + load);
    dl->AddCircleFilled(ImVec2(a.x + pad + 5 * s, y + 14 * s), 5 * s, presence_col(status), 12);
    text(name, kLabel, ImVec2(a.x + pad + 18 * s, y + 4 * s), a.x + pad + 220 * s, kText);
    text(status + " \u00b7 " + g.role, kSmall, ImVec2(a.x + pad + 18 * s, y + 24 * s), a.x + pad + 220 * s, kMuted);
    text(load, kSmall, ImVec2(a.x + pad + 230 * s, y + 8 * s), a.x + pad + 470 * s, kText);
    expose("agent_load:" + g.id, ImVec2(a.x + pad + 230 * s, y + 8 * s), ImVec2(240 * s, 18 * s));
    // Listen in to each of their chats (the first four).
    float bx = a.x + pad + 480 * s;
    int i = 0;
    for (const std::string& cid : g.conversation_ids) {
      if (i >= 4) break;
      char label[32];
      std::snprintf(label, sizeof label, "Listen in %d", i + 1);
      const float bw = label_w(label, s);
      if (bx + bw > right) break;
      ImGui::PushID(cid.c_str());
      a11y::State st;
      if (button("##listen", label, ImVec2(bx, y + 6 * s), ImVec2(bw, 30 * s), false, s, st))
        out.open_conversation = cid;
      expose("listen_in:" + cid, ImVec2(bx, y + 6 * s), ImVec2(bw, 30 * s));
      ImGui::PopID();
      bx += bw + 6 * s;
      ++i;
    }
    a11y::pop();
    ImGui::PopID();
    dl->AddLine(ImVec2(a.x + pad, y + 46 * s), ImVec2(right, y + 46 * s), kLine, s);
    y += 50 * s;
  }
  a11y::pop();
}

ImGuiID g_tickets_button = 0;
bool g_tickets_was_open = false;

}  // namespace

float draw_tickets_button(float right, float bar_h, float s, bool& open) {
  const float bh = 32 * s;
  const float bw = label_w("Tickets", s);
  const float rx = right - bw;
  if (button("##open_tickets", "Tickets", ImVec2(rx, (bar_h - bh) / 2), ImVec2(bw, bh), false, s, {}, kTopbarText))
    open = true;
  g_tickets_button = a11y::last_id();
  return rx - 8 * s;
}

void draw_tickets(const TicketsModel& m, float s, TicketsIntents& out) {
  if (!m.is_open()) {
    if (g_tickets_was_open && g_tickets_button) a11y::focus(g_tickets_button);
    g_tickets_was_open = false;
    return;
  }
  const bool opening = !g_tickets_was_open;
  g_tickets_was_open = true;
  ImVec2 a, b;
  card("##tickets_modal", "##tickets_dialog", "Tickets", 980 * s, 680 * s, s, a, b);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 24 * s;
  static const char* const kTabValues[] = {"tickets", "blocked", "agents"};
  static const char* const kTabLabels[] = {"Tickets", "Blocked", "Agents"};
  const int n_tabs = m.can_supervise() ? 3 : 1;
  if (n_tabs > 1) {
    const std::string t = chips("##tickets_tabs", "Section", kTabValues, kTabLabels, n_tabs,
                                kTabValues[static_cast<int>(m.tab())], ImVec2(a.x + 140 * s, a.y + 22 * s), s);
    for (int i = 0; i < n_tabs; ++i)
      if (t == kTabValues[i]) out.tab = i;
  }
  const float rw = label_w("Refresh", s);
  if (button("##tickets_refresh", "Refresh", ImVec2(b.x - pad - 84 * s - 10 * s - rw, a.y + 16 * s), ImVec2(rw, 32 * s),
             false, s))
    out.refresh = true;
  const float y = a.y + 72 * s;
  dl->AddLine(ImVec2(a.x + pad, y - 10 * s), ImVec2(b.x - pad, y - 10 * s), kLine, s);
  switch (m.tab()) {
    case TicketsModel::Tab::tickets: {
      const float split = a.x + (b.x - a.x) * 0.5f;
      draw_ticket_list(m, a, b, y, split, s, out);
      dl->AddLine(ImVec2(split, y), ImVec2(split, b.y - 48 * s), kLine, s);
      draw_ticket(m, b, y, split + 16 * s, s, out);
      break;
    }
    case TicketsModel::Tab::blocked:
      draw_blocks(m, a, b, y, s, out);
      break;
    case TicketsModel::Tab::agents:
      draw_agents(m, a, b, y, s, out);
      break;
  }
  // The outcome line (also announced by the glue).
  const std::string line = m.busy() && m.status_line().empty() ? std::string("Loading\u2026") : m.status_line();
  const ImVec2 p(a.x + pad, b.y - 34 * s);
  text(line, kSmall, p, b.x - pad, m.status_is_error() ? kDanger : kGreen);
  a11y::node("##tickets_status_line", a11y::Role::status, line, p, ImVec2(b.x - pad, p.y + 18 * s));
  bool close = false;
  end_card("##tickets_close", a, b, s, close, true, opening);
  if (close) out.close = true;
}

}  // namespace parley::inbox
