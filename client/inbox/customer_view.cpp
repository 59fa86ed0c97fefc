// The open conversation's Customer panel (customer_view.hpp).
#include "inbox/customer_view.hpp"

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
using client::AppShell;
using client::text::Face;
using namespace panel;
using client::ui::expose;
using client::ui::hit;
namespace a11y = client::a11y;

constexpr int kSmall = static_cast<int>(Face::small);
constexpr int kLabel = static_cast<int>(Face::label);

const char* channel_word(const std::string& c) {
  if (c == "web") return "Website";
  if (c == "whatsapp") return "WhatsApp";
  if (c == "telegram") return "Telegram";
  if (c.empty()) return "";
  return c.c_str();
}

}  // namespace

namespace {
bool g_was_open = false;
}

void draw_customer(const CustomerModel& m, CustomerFields& fields, const std::string& focused,
                   InboxModel::Clock clock, float s, unsigned return_to, CustomerIntents& out) {
  if (!m.is_open()) {
    fields.hide_all();
    if (g_was_open && return_to) a11y::focus(return_to);
    g_was_open = false;
    return;
  }
  const bool opening = !g_was_open;
  g_was_open = true;
  const float w = AppShell::get().width(), h = AppShell::get().height();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(15, 23, 42, 60));
  ImGui::Begin("##customer_modal", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleColor();
  ImGui::SetWindowFocus();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pw = std::min(460 * s, w - 16 * s);
  const ImVec2 a(w - pw, 56 * s), b(w, h);
  dl->AddRectFilled(a, b, kWhite);
  dl->AddLine(a, ImVec2(a.x, b.y), kLine, s);
  const float pad = 20 * s;
  const float x = a.x + pad, right = b.x - pad;
  a11y::push("##customer_dialog", a11y::Role::dialog, "Customer");
  text("Customer", static_cast<int>(Face::title), ImVec2(x, a.y + 16 * s), right - 100 * s, kInk);
  a11y::node("##customer_title", a11y::Role::heading, "Customer", ImVec2(x, a.y + 16 * s),
             ImVec2(x + 120 * s, a.y + 40 * s));
  float y = a.y + 56 * s;

  // ---- the contact ----
  const std::string name = m.name.empty() ? std::string("Visitor") : m.name;
  auto line = [&](const char* key, const std::string& label, const std::string& value, ImU32 col = kText) {
    if (value.empty()) return;
    text(label, kSmall, ImVec2(x, y), x + 90 * s, kMuted);
    text(value, kSmall, ImVec2(x + 90 * s, y), right, col);
    a11y::node(key, a11y::Role::text, label + ": " + value, ImVec2(x, y), ImVec2(right, y + 18 * s));
    y += 22 * s;
  };
  text(name, kLabel, ImVec2(x, y), right - 90 * s, kText);
  a11y::node("##customer_name", a11y::Role::text, name + (m.blocked ? ", blocked" : ""), ImVec2(x, y),
             ImVec2(right, y + 20 * s));
  if (m.blocked) {
    const float bw = client::text::measure("Blocked", Face::small) + 16 * s;
    dl->AddRectFilled(ImVec2(right - bw, y), ImVec2(right, y + 20 * s), IM_COL32(254, 226, 226, 255), 10 * s);
    client::text::draw(dl, "Blocked", Face::small, ImVec2(right - bw + 8 * s, y + 2 * s), kDanger);
  }
  y += 28 * s;
  if (!m.loaded() && m.load_error().empty()) {
    text("Loading\u2026", kSmall, ImVec2(x, y), right, kMuted);
    a11y::node("##customer_loading", a11y::Role::status, "Loading the customer", ImVec2(x, y), ImVec2(right, y + 18 * s));
    y += 24 * s;
  } else if (!m.load_error().empty()) {
    text(m.load_error(), kSmall, ImVec2(x, y), right, kDanger);
    a11y::node("##customer_error", a11y::Role::status, m.load_error(), ImVec2(x, y), ImVec2(right, y + 18 * s));
    y += 24 * s;
  } else {
    line("##c_email", "Email", m.email);
    line("##c_phone", "Phone", m.phone);
    line("##c_channel", "Channel",
         std::string(channel_word(m.channel)) + (m.verified ? " (verified)" : " (not verified)"));
    if (m.since > 0) line("##c_since", "Known since", InboxModel::format_date(m.since, clock));
    line("##c_page", "Page", !m.page_title.empty() ? m.page_title + " \u00b7 " + m.page_url : m.page_url);
    line("##c_referrer", "Came from", m.page_referrer);
    char counts[200];
    std::snprintf(counts, sizeof counts, "%lld conversations (%lld resolved) \u00b7 %lld tickets (%lld open)",
                  static_cast<long long>(m.count_conversations), static_cast<long long>(m.count_resolved),
                  static_cast<long long>(m.count_tickets), static_cast<long long>(m.count_open_tickets));
    line("##c_counts", "History", counts);
    if (m.csat_count() > 0) {
      char csat[64];
      std::snprintf(csat, sizeof csat, "%.1f of 5 (%d rated)", m.csat_average(), m.csat_count());
      line("##c_csat", "CSAT", csat);
    } else {
      line("##c_csat", "CSAT", "no ratings yet", kMuted);
    }
  }
  y += 6 * s;

  // ---- actions and forms ----
  using Form = CustomerModel::Form;
  if (m.form() != Form::convert) fields.title.hide();
  if (m.form() != Form::block) fields.reason.hide();
  switch (m.form()) {
    case Form::none: {
      float bx = x;
      if (m.ticket_id().empty()) {
        a11y::State st;
        st.disabled = !m.loaded();
        const std::string l = "Convert to ticket";
        if (button("##convert_ticket", l, ImVec2(bx, y), ImVec2(label_w(l, s), 34 * s), false, s, st))
          out.open_convert = true;
        bx += label_w(l, s) + 8 * s;
      } else {
        const std::string l = "Ticket " + m.ticket_id();
        if (button("##open_own_ticket", l, ImVec2(bx, y), ImVec2(label_w(l, s), 34 * s), false, s))
          out.open_ticket = m.ticket_id();
        bx += label_w(l, s) + 8 * s;
      }
      a11y::State bst;
      bst.disabled = !m.loaded() || m.blocked;
      const std::string bl = m.blocked ? "Blocked" : "Block visitor";
      if (button("##block_visitor", bl, ImVec2(bx, y), ImVec2(label_w(bl, s), 34 * s), false, s, bst, kDanger))
        out.open_block = true;
      y += 46 * s;
      break;
    }
    case Form::convert: {
      a11y::push("##convert_form", a11y::Role::group, "Convert to ticket");
      text("Convert to ticket", kLabel, ImVec2(x, y), right, kText);
      y += 24 * s;
      input(fields.title, "Title", ImVec2(x, y), right - x, focused, s, out.focus_field);
      y += 60 * s;
      text("Priority", kSmall, ImVec2(x, y), right, kMuted);
      y += 18 * s;
      static const char* const kP[] = {"urgent", "high", "normal", "low"};
      static const char* const kPL[] = {"Urgent", "High", "Normal", "Low"};
      const std::string p = chips("##ticket_form_priority", "Priority", kP, kPL, 4, m.priority, ImVec2(x, y), s);
      if (!p.empty()) out.priority = p;
      y += 40 * s;
      const std::string go = "Create ticket";
      a11y::State st;
      st.disabled = m.busy();
      if (button("##create_ticket", go, ImVec2(x, y), ImVec2(label_w(go, s), 34 * s), true, s, st))
        out.submit_convert = true;
      if (button("##convert_cancel", "Cancel", ImVec2(x + label_w(go, s) + 8 * s, y),
                 ImVec2(label_w("Cancel", s), 34 * s), false, s))
        out.cancel_form = true;
      a11y::pop();
      y += 46 * s;
      break;
    }
    case Form::block: {
      a11y::push("##block_form", a11y::Role::group, "Block visitor");
      text("Block visitor", kLabel, ImVec2(x, y), right, kDanger);
      y += 24 * s;
      input(fields.reason, "Reason (staff see it; required)", ImVec2(x, y), right - x, focused, s, out.focus_field);
      y += 60 * s;
      static const char* const kK[] = {"contact", "address"};
      static const char* const kKL[] = {"This contact", "Their address"};
      const std::string k = chips("##block_kind", "Block by", kK, kKL, 2, m.block_kind, ImVec2(x, y), s);
      if (!k.empty()) out.block_kind = k;
      y += 36 * s;
      const char* dv[5];
      const char* dlab[5];
      bool den[5];
      for (int i = 0; i < 5; ++i) {
        dv[i] = CustomerModel::kDurations[i].value;
        dlab[i] = CustomerModel::kDurations[i].label;
        den[i] = !(m.block_kind == "address" && CustomerModel::kDurations[i].seconds == 0);
      }
      const std::string d = chips("##block_duration", "How long", dv, dlab, 5, m.duration, ImVec2(x, y), s, den);
      if (!d.empty()) out.duration = d;
      y += 40 * s;
      const std::string go = "Block\u2026";
      if (button("##block_next", go, ImVec2(x, y), ImVec2(label_w(go, s), 34 * s), true, s, {}, kText, true))
        out.ask_block = true;
      if (button("##block_cancel", "Cancel", ImVec2(x + label_w(go, s) + 8 * s, y),
                 ImVec2(label_w("Cancel", s), 34 * s), false, s))
        out.cancel_form = true;
      a11y::pop();
      y += 46 * s;
      break;
    }
    case Form::confirm_block: {
      a11y::push("##block_confirm", a11y::Role::group, "Confirm the block");
      const std::string words = m.confirm_words();
      const auto wl = client::text::wrap(words, Face::small, right - x, false);
      for (const auto& l : wl) {
        client::text::draw(dl, std::string_view(words).substr(l.begin, l.end - l.begin), Face::small, ImVec2(x, y),
                           kText);
        y += 18 * s;
      }
      a11y::node("##block_words", a11y::Role::text, words, ImVec2(x, y - 18 * s * wl.size()), ImVec2(right, y));
      y += 8 * s;
      const std::string yes = "Yes, block";
      a11y::State st;
      st.disabled = m.busy();
      if (button("##block_confirm_yes", yes, ImVec2(x, y), ImVec2(label_w(yes, s), 34 * s), true, s, st, kText, true))
        out.confirm_block = true;
      if (button("##block_confirm_back", "Back", ImVec2(x + label_w(yes, s) + 8 * s, y),
                 ImVec2(label_w("Back", s), 34 * s), false, s))
        out.cancel_form = true;
      a11y::pop();
      y += 46 * s;
      break;
    }
  }
  // The outcome (a status node, also announced by the glue).
  if (!m.status_line().empty()) {
    text(m.status_line(), kSmall, ImVec2(x, y), right, m.status_is_error() ? kDanger : kGreen);
    a11y::node("##customer_status", a11y::Role::status, m.status_line(), ImVec2(x, y), ImVec2(right, y + 18 * s));
    y += 26 * s;
  }
  dl->AddLine(ImVec2(x, y), ImVec2(right, y), kLine, s);
  y += 12 * s;

  // ---- previous conversations, their tickets ----
  const float bottom = b.y - 12 * s;
  text("Previous conversations", kLabel, ImVec2(x, y), right, kMuted);
  a11y::node("##prev_h", a11y::Role::heading, "Previous conversations", ImVec2(x, y), ImVec2(right, y + 18 * s));
  y += 24 * s;
  a11y::push("##prev_list", a11y::Role::list, "Previous conversations");
  if (m.loaded() && m.previous().empty()) {
    text("None.", kSmall, ImVec2(x, y), right, kMuted);
    a11y::node("##prev_none", a11y::Role::listitem, "None.", ImVec2(x, y), ImVec2(right, y + 18 * s));
    y += 24 * s;
  }
  const float list_end = bottom - (m.tickets().empty() ? 60 : 140) * s;
  for (const CustomerModel::Previous& p : m.previous()) {
    const float rh = 46 * s;
    if (y + rh > list_end) break;
    ImGui::PushID(p.id.c_str());
    const ImVec2 q(x, y), size(right - x, rh - 6 * s);
    bool hovered = false;
    const std::string topic = p.topic.empty() ? std::string("No topic") : p.topic;
    std::string info = p.status + " \u00b7 " + InboxModel::format_date(p.created_at, clock);
    if (!p.issue_type.empty()) info += " \u00b7 " + p.issue_type;
    if (p.csat_rating > 0) info += " \u00b7 rated " + std::to_string(p.csat_rating) + " of 5";
    bool pressed = hit("##prev", q, size, &hovered);
    if (a11y::item(a11y::Role::button, "Open the conversation " + topic + ", " + info + " (read-only)")) pressed = true;
    if (pressed) out.open_conversation = p.id;
    expose("prev:" + p.id, q, size);
    dl->AddRectFilled(q, ImVec2(q.x + size.x, q.y + size.y), hovered ? kHover : kWhite, 8 * s);
    dl->AddRect(q, ImVec2(q.x + size.x, q.y + size.y), kLine, 8 * s, 0, s);
    text(topic, kLabel, ImVec2(q.x + 10 * s, q.y + 4 * s), q.x + size.x - 8 * s, kText);
    text(info, kSmall, ImVec2(q.x + 10 * s, q.y + 22 * s), q.x + size.x - 8 * s, kMuted);
    ImGui::PopID();
    y += rh;
  }
  a11y::pop();
  if (!m.tickets().empty()) {
    y += 6 * s;
    text("Their tickets", kLabel, ImVec2(x, y), right, kMuted);
    a11y::node("##tk_h", a11y::Role::heading, "Their tickets", ImVec2(x, y), ImVec2(right, y + 18 * s));
    y += 24 * s;
    a11y::push("##tk_list", a11y::Role::list, "Their tickets");
    for (const TicketRow& t : m.tickets()) {
      const float rh = 34 * s;
      if (y + rh > bottom) break;
      ImGui::PushID(t.id.c_str());
      const ImVec2 q(x, y), size(right - x, rh - 4 * s);
      bool hovered = false;
      const std::string label = t.title + " \u00b7 " + t.status + " \u00b7 " + t.priority;
      bool pressed = hit("##tk", q, size, &hovered);
      if (a11y::item(a11y::Role::button, "Open ticket " + label)) pressed = true;
      if (pressed) out.open_ticket = t.id;
      expose("customer_ticket:" + t.id, q, size);
      dl->AddRectFilled(q, ImVec2(q.x + size.x, q.y + size.y), hovered ? kHover : kWhite, 8 * s);
      dl->AddRect(q, ImVec2(q.x + size.x, q.y + size.y), kLine, 8 * s, 0, s);
      text(label, kSmall, ImVec2(q.x + 10 * s, q.y + 7 * s), q.x + size.x - 8 * s, kText);
      ImGui::PopID();
      y += rh;
    }
    a11y::pop();
  }

  const float bw = 84 * s;
  if (button("##customer_close", "Close", ImVec2(right - bw, a.y + 14 * s), ImVec2(bw, 32 * s), false, s))
    out.close = true;
  if (opening) a11y::focus(a11y::last_id());
  a11y::pop();
  ImGui::SetCursorScreenPos(ImVec2(0, 0));
  const bool outside = ImGui::InvisibleButton("##customer_backdrop", ImVec2(w, h));
  const ImVec2 mp = ImGui::GetIO().MousePos;
  if (outside && (mp.x < a.x || mp.y < a.y)) out.close = true;
  // Esc on a mirror node; the canvas's Esc goes to main.cpp's key() (not ImGui's key state too: one
  // press would close the form and then the panel). The glue closes an open form first.
  if (a11y::take_escape()) out.escape = true;
  ImGui::End();
}

}  // namespace parley::inbox
