// The inbox's supervision panels (issue 9; supervise_model.hpp): the top bar's "Dashboard"
// (supervisors and admins) and "Conversations" buttons, the dashboard card with today's live
// figures and the agents' rows, and the conversations view with full-text search whose results
// open their conversation. Each panel is a modal card like the resolve dialog: Esc or Close (or a
// click outside) closes it; every control is an ImGui hit area and a node of the accessibility
// mirror (buttons, a search field, radio chips, a list of results).
#include <algorithm>
#include <cstdio>
#include <string>

#include "common/a11y_mirror.hpp"
#include "common/app_shell.hpp"
#include "common/text.hpp"
#include "common/ui.hpp"
#include "imgui.h"
#include "inbox/inbox_view.hpp"

namespace parley::inbox {
namespace {
using client::AppShell;
using client::text::Face;
using namespace client::ui;
namespace a11y = client::a11y;

constexpr ImU32 kWhite = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kInk = IM_COL32(15, 23, 42, 255);
constexpr ImU32 kText = IM_COL32(30, 41, 59, 255);
constexpr ImU32 kMuted = IM_COL32(100, 116, 139, 255);
constexpr ImU32 kLine = IM_COL32(226, 232, 240, 255);
constexpr ImU32 kHover = IM_COL32(241, 245, 249, 255);
constexpr ImU32 kAccent = IM_COL32(37, 99, 235, 255);
constexpr ImU32 kDanger = IM_COL32(220, 38, 38, 255);
constexpr ImU32 kTopbarText = IM_COL32(226, 232, 240, 255);

// A labelled button: ImGui hit area + mirror node. Returns true when pressed either way.
bool labelled_button(const char* id, const std::string& label, ImVec2 p, ImVec2 size, bool primary, float s,
                     ImU32 text_col = kText) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  bool hovered = false;
  bool pressed = hit(id, p, size, &hovered);
  if (a11y::item(a11y::Role::button, label)) pressed = true;
  expose(id + 2, p, size);
  const ImVec2 q(p.x + size.x, p.y + size.y);
  if (primary) {
    dl->AddRectFilled(p, q, hovered ? IM_COL32(29, 78, 216, 255) : kAccent, 8 * s);
  } else {
    dl->AddRectFilled(p, q, hovered ? with_alpha(kWhite, 0.15f) : with_alpha(kWhite, 0.0f), 8 * s);
    dl->AddRect(p, q, hovered ? kAccent : kLine, 8 * s, 0, s);
  }
  client::text::draw_centred(dl, label, Face::label, p.x + size.x / 2,
                             p.y + (size.y - client::text::font_of(Face::label)->FontSize) / 2 - 1 * s,
                             primary ? kWhite : text_col);
  return pressed;
}

std::string seconds_text(int s) {
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%ds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%dm %02ds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dh %02dm", s / 3600, (s % 3600) / 60);
  }
  return buf;
}

// The modal card's frame; returns its rectangle. `title` is its heading and dialog name.
void card(const char* id, const char* title, float cw, float ch, float s, ImVec2& a, ImVec2& b) {
  const float w = AppShell::get().width(), h = AppShell::get().height();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(15, 23, 42, 90));
  ImGui::Begin(id, nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleColor();
  ImGui::SetWindowFocus();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  cw = std::min(cw, w - 32 * s);
  ch = std::min(ch, h - 32 * s);
  a = ImVec2((w - cw) / 2, std::max(16 * s, (h - ch) / 2));
  b = ImVec2(a.x + cw, a.y + ch);
  dl->AddRectFilled(a, b, kWhite, 14 * s);
  a11y::push("##supervise_dialog", a11y::Role::dialog, title);
  client::text::draw(dl, title, Face::title, ImVec2(a.x + 24 * s, a.y + 20 * s), kInk);
  a11y::node("##supervise_title", a11y::Role::heading, title, ImVec2(a.x + 24 * s, a.y + 20 * s),
             ImVec2(b.x - 24 * s, a.y + 44 * s));
}

// Closes the card: its Close button (top right), the backdrop (submitted last: see draw_resolve).
void end_card(ImVec2 a, ImVec2 b, float s, bool& close) {
  const float bw = 84 * s;
  if (labelled_button("##supervise_close", "Close", ImVec2(b.x - 24 * s - bw, a.y + 16 * s), ImVec2(bw, 32 * s),
                      false, s)) {
    close = true;
  }
  a11y::pop();
  const float w = AppShell::get().width(), h = AppShell::get().height();
  ImGui::SetCursorScreenPos(ImVec2(0, 0));
  const bool outside = ImGui::InvisibleButton("##supervise_backdrop", ImVec2(w, h));
  const ImVec2 mp = ImGui::GetIO().MousePos;
  if (outside && (mp.x < a.x || mp.x > b.x || mp.y < a.y || mp.y > b.y)) close = true;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)) || a11y::take_escape()) close = true;
  ImGui::End();
}

}  // namespace

float InboxView::draw_supervise_buttons(InboxModel& model, float right, float hh, Intents& out) {
  const float bh = 32 * s_;
  float rx = right;
  auto add = [&](const char* id, const char* label, bool& flag) {
    const float bw = client::text::measure(label, Face::label) + 24 * s_;
    rx -= bw;
    if (labelled_button(id, label, ImVec2(rx, (hh - bh) / 2), ImVec2(bw, bh), false, s_, kTopbarText)) flag = true;
    rx -= 8 * s_;
  };
  add("##open_conversations", "Conversations", out.open_conversations);
  if (model.is_supervisor()) add("##open_dashboard", "Dashboard", out.open_dashboard);
  return rx;
}

void InboxView::draw_supervise(InboxModel& model, Fields& fields, Intents& out) {
  const SuperviseModel& sv = model.supervise();
  if (sv.panel() == SuperviseModel::Panel::none) {
    fields.search.hide();
    return;
  }
  ImVec2 a, b;
  bool close = false;
  const float pad = 24 * s_;
  if (sv.panel() == SuperviseModel::Panel::dashboard) {
    fields.search.hide();
    card("##dashboard_modal", "Today's dashboard", 720 * s_, 560 * s_, s_, a, b);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    float y = a.y + 64 * s_;
    if (!sv.dashboard()) {
      client::text::draw(dl, "Loading\u2026", Face::body, ImVec2(a.x + pad, y), kMuted);
      a11y::node("##dash_loading", a11y::Role::status, "Loading the dashboard", ImVec2(a.x + pad, y),
                 ImVec2(b.x - pad, y + 20 * s_));
    } else {
      const Dashboard& d = *sv.dashboard();
      char csat[32];
      if (d.csat_count > 0) {
        std::snprintf(csat, sizeof csat, "%.2f (%d)", d.csat_average, d.csat_count);
      } else {
        std::snprintf(csat, sizeof csat, "none yet");
      }
      const std::pair<const char*, std::string> figures[] = {
          {"Active", std::to_string(d.active)},
          {"Waiting", std::to_string(d.waiting)},
          {"Resolved today", std::to_string(d.resolved)},
          {"Average wait", seconds_text(d.avg_wait_s)},
          {"Longest wait now", seconds_text(d.longest_wait_s)},
          {"Longest wait today", seconds_text(d.longest_wait_today_s)},
          {"Average first response", seconds_text(d.avg_first_response_s)},
          {"Average resolution", seconds_text(d.avg_resolution_s)},
          {"Satisfaction (CSAT)", csat},
          {"Hand-offs from the assistant", std::to_string(d.handoffs_from_assistant)},
      };
      a11y::push("##figures", a11y::Role::list, "Today's figures");
      const float col_w = (b.x - a.x - 2 * pad) / 3;
      int i = 0;
      for (const auto& [label, value] : figures) {
        const float fx = a.x + pad + (i % 3) * col_w;
        const float fy = y + (i / 3) * 56 * s_;
        client::text::draw(dl, value, Face::title, ImVec2(fx, fy), kInk);
        client::text::draw(dl, label, Face::small, ImVec2(fx, fy + 26 * s_), kMuted);
        char key[16];
        std::snprintf(key, sizeof key, "##fig%d", i);
        a11y::node(key, a11y::Role::listitem, std::string(label) + ": " + value, ImVec2(fx, fy),
                   ImVec2(fx + col_w - 8 * s_, fy + 48 * s_));
        ++i;
      }
      a11y::pop();
      y += ((i + 2) / 3) * 56 * s_ + 12 * s_;
      dl->AddLine(ImVec2(a.x + pad, y), ImVec2(b.x - pad, y), kLine, s_);
      y += 12 * s_;
      client::text::draw(dl, "Agents", Face::label, ImVec2(a.x + pad, y), kMuted);
      a11y::node("##agents_h", a11y::Role::heading, "Agents", ImVec2(a.x + pad, y), ImVec2(b.x - pad, y + 18 * s_));
      y += 24 * s_;
      a11y::push("##agents", a11y::Role::list, "Agents today");
      int k = 0;
      for (const AgentRow& r : d.agents) {
        if (y > b.y - 40 * s_) break;
        char line[160];
        std::snprintf(line, sizeof line, "%s \u00b7 %d active \u00b7 %d resolved \u00b7 handle %s", r.status.c_str(),
                      r.active, r.resolved, seconds_text(r.avg_handle_s).c_str());
        const std::string name = r.name.empty() ? r.id : r.name;
        client::text::draw(dl, name, Face::label, ImVec2(a.x + pad, y), kText);
        client::text::draw(dl, line, Face::small, ImVec2(a.x + pad + 200 * s_, y + 1 * s_), kMuted);
        char key[16];
        std::snprintf(key, sizeof key, "##agent%d", k++);
        a11y::node(key, a11y::Role::listitem, name + ": " + line, ImVec2(a.x + pad, y), ImVec2(b.x - pad, y + 22 * s_));
        y += 28 * s_;
      }
      a11y::pop();
    }
    end_card(a, b, s_, close);
    if (close) out.close_supervise = true;
    return;
  }

  // ---- the conversations view ----
  card("##conversations_modal", "Conversations", 760 * s_, 620 * s_, s_, a, b);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  float y = a.y + 64 * s_;
  // The search field (a real input) and its button.
  const float bw = 96 * s_;
  const ImVec2 fa(a.x + pad, y), fb(b.x - pad - bw - 10 * s_, y + 36 * s_);
  dl->AddRect(fa, fb, focused_field_ == "search-query" ? kAccent : IM_COL32(203, 213, 225, 255), 8 * s_, 0, s_);
  if (hit("##search_box", fa, ImVec2(fb.x - fa.x, fb.y - fa.y))) out.focus_search = true;
  fields.search.place({(fa.x + 10 * s_) / s_, (fa.y + 6 * s_) / s_, (fb.x - fa.x - 20 * s_) / s_, 24});
  a11y::field(fields.search.id());
  if (labelled_button("##run_search", "Search", ImVec2(b.x - pad - bw, y), ImVec2(bw, 36 * s_), true, s_))
    out.run_search = true;
  y += 48 * s_;
  // Status chips.
  const std::pair<const char*, const char*> chips[] = {{"All", ""}, {"Active", "active"}, {"Waiting", "pending"},
                                                       {"Resolved", "resolved"}};
  a11y::push("##status_filter", a11y::Role::radiogroup, "Status");
  float cx = a.x + pad;
  for (const auto& [label, value] : chips) {
    const bool on = sv.status_filter() == value;
    const float pw = client::text::measure(label, Face::small) + 26 * s_;
    ImGui::PushID(label);
    bool hovered = false;
    if (hit("##chip", ImVec2(cx, y), ImVec2(pw, 28 * s_), &hovered)) out.status_filter = value[0] ? value : "all";
    expose(std::string("chip:") + label, ImVec2(cx, y), ImVec2(pw, 28 * s_));
    a11y::State st;
    st.checked = on ? 1 : 0;
    if (a11y::item(a11y::Role::radio, label, st)) out.status_filter = value[0] ? value : "all";
    ImGui::PopID();
    dl->AddRectFilled(ImVec2(cx, y), ImVec2(cx + pw, y + 28 * s_), on ? kAccent : hovered ? kHover : kWhite, 14 * s_);
    if (!on) dl->AddRect(ImVec2(cx, y), ImVec2(cx + pw, y + 28 * s_), kLine, 14 * s_, 0, s_);
    client::text::draw(dl, label, Face::small, ImVec2(cx + 13 * s_, y + 6 * s_), on ? kWhite : kText);
    cx += pw + 8 * s_;
  }
  a11y::pop();
  y += 40 * s_;
  // Results.
  std::string summary;
  if (sv.searching()) {
    summary = "Searching\u2026";
  } else if (!sv.error().empty()) {
    summary = sv.error();
  } else if (sv.searched()) {
    summary = sv.total_words();
  }
  client::text::draw(dl, summary, Face::small, ImVec2(a.x + pad, y), sv.error().empty() ? kMuted : kDanger);
  a11y::node("##search_status", a11y::Role::status, summary, ImVec2(a.x + pad, y), ImVec2(b.x - pad, y + 18 * s_));
  y += 26 * s_;
  a11y::push("##results", a11y::Role::list, "Search results");
  int n = 0;
  for (const SuperviseModel::Hit& h : sv.hits()) {
    const float rh = 54 * s_;
    if (y + rh > b.y - 16 * s_) break;
    ImGui::PushID(n++);
    bool hovered = false;
    const ImVec2 p(a.x + pad, y), size(b.x - a.x - 2 * pad, rh - 6 * s_);
    const std::string name = h.contact_name.empty() ? std::string("Visitor") : h.contact_name;
    const std::string line = !h.snippet.empty() ? h.snippet : h.preview;
    std::string label = "Open " + name + ", " + h.status;
    if (h.csat_rating > 0) label += ", rated " + std::to_string(h.csat_rating) + " of 5";
    if (!line.empty()) label += ": " + line;
    if (hit("##result", p, size, &hovered)) out.open_hit = h.id;
    if (a11y::item(a11y::Role::button, label)) out.open_hit = h.id;
    if (out.open_hit == h.id) out.open_hit_seq = h.match_seq;  // issue 9, sup2: opens at the match
    expose("result:" + h.id, p, size);
    dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), hovered ? kHover : kWhite, 8 * s_);
    dl->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), kLine, 8 * s_, 0, s_);
    std::string head = name + "  \u00b7  " + h.status;
    if (!h.assignee_name.empty()) head += "  \u00b7  " + h.assignee_name;
    if (h.csat_rating > 0) head += "  \u00b7  CSAT " + std::to_string(h.csat_rating) + "/5";
    client::text::draw(dl, head, Face::label, ImVec2(p.x + 12 * s_, p.y + 6 * s_), kText);
    dl->PushClipRect(p, ImVec2(p.x + size.x - 8 * s_, p.y + size.y), true);
    client::text::draw(dl, line, Face::small, ImVec2(p.x + 12 * s_, p.y + 27 * s_), kMuted);
    dl->PopClipRect();
    ImGui::PopID();
    y += rh;
  }
  a11y::pop();
  end_card(a, b, s_, close);
  if (close) out.close_supervise = true;
}

}  // namespace parley::inbox
