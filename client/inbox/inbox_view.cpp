#include "inbox/inbox_view.hpp"
#include "inbox/admin_view.hpp"
#include "inbox/tickets_view.hpp"
#include "inbox/delivery_model.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <functional>

#include "common/text.hpp"
#include "common/a11y_mirror.hpp"
#include "common/ui.hpp"
#include "inbox/status_view.hpp"
#include "imgui.h"
#include "inbox/canned_view.hpp"
#include "inbox/transfer_view.hpp"
#include "inbox/triage_view.hpp"

namespace parley::inbox {
namespace {

using client::AppShell;
using namespace client::ui;  // the shared view helpers (common/ui.hpp)
namespace a11y = client::a11y;

// Palette: neutral slate, one accent, colour only for priority and status.
constexpr ImU32 kWhite = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kInk = IM_COL32(15, 23, 42, 255);
constexpr ImU32 kText = IM_COL32(30, 41, 59, 255);
constexpr ImU32 kMuted = IM_COL32(100, 116, 139, 255);
constexpr ImU32 kFaint = IM_COL32(148, 163, 184, 255);
constexpr ImU32 kLine = IM_COL32(226, 232, 240, 255);
constexpr ImU32 kPanel = IM_COL32(248, 250, 252, 255);
constexpr ImU32 kHover = IM_COL32(241, 245, 249, 255);
constexpr ImU32 kAccent = IM_COL32(37, 99, 235, 255);
constexpr ImU32 kAccentDark = IM_COL32(29, 78, 216, 255);
constexpr ImU32 kAccentSoft = IM_COL32(239, 246, 255, 255);
constexpr ImU32 kSelected = IM_COL32(232, 240, 254, 255);
constexpr ImU32 kCustomerBubble = IM_COL32(241, 245, 249, 255);
constexpr ImU32 kBotBubble = IM_COL32(245, 243, 255, 255);
constexpr ImU32 kBotBorder = IM_COL32(221, 214, 254, 255);
constexpr ImU32 kBotInk = IM_COL32(109, 40, 217, 255);
constexpr ImU32 kNoteBg = IM_COL32(254, 252, 232, 255);
constexpr ImU32 kNoteBorder = IM_COL32(253, 230, 138, 255);
constexpr ImU32 kNoteInk = IM_COL32(146, 64, 14, 255);
constexpr ImU32 kDanger = IM_COL32(220, 38, 38, 255);
constexpr ImU32 kGreen = IM_COL32(22, 163, 74, 255);
constexpr ImU32 kAmber = IM_COL32(217, 119, 6, 255);
constexpr ImU32 kTopbar = IM_COL32(15, 23, 42, 255);

ImU32 priority_color(Priority p) {
  switch (p) {
    case Priority::urgent:
      return IM_COL32(220, 38, 38, 255);
    case Priority::high:
      return IM_COL32(234, 88, 12, 255);
    case Priority::normal:
      return IM_COL32(37, 99, 235, 255);
    case Priority::low:
      return IM_COL32(148, 163, 184, 255);
  }
  return kFaint;
}

const char* status_label(Status s) {
  switch (s) {
    case Status::bot:
      return "With assistant";
    case Status::pending:
      return "Waiting";
    case Status::active:
      return "Active";
    case Status::resolved:
      return "Resolved";
  }
  return "";
}

ImU32 status_color(Status s) {
  switch (s) {
    case Status::bot:
      return IM_COL32(124, 58, 237, 255);
    case Status::pending:
      return kAmber;
    case Status::active:
      return kGreen;
    case Status::resolved:
      return kMuted;
  }
  return kMuted;
}

const char* channel_label(Channel c) {
  switch (c) {
    case Channel::web:
      return "Web chat";
    case Channel::whatsapp:
      return "WhatsApp";
    case Channel::messenger:
      return "Messenger";
    case Channel::instagram:
      return "Instagram";
    case Channel::sms:
      return "SMS";
    case Channel::voice:
      return "Voice";
    case Channel::api:
      return "External assistant (API)";
  }
  return "";
}

// The interface's own strings (ImGui's font; the test snapshot counts glyphs it lacks).
void text_at(ImDrawList* dl, ImFont* font, ImVec2 pos, ImU32 col, const char* begin,
             const char* end = nullptr) {
  client::text::check_imgui(font, begin, end);
  dl->AddText(font, font->FontSize, ImVec2(std::round(pos.x), std::round(pos.y)), col, begin, end);
}

// What people wrote (names, topics, previews, summaries): shaped and drawn by the browser.
using client::text::Face;
float user_text(ImDrawList* dl, Face face, ImVec2 pos, ImU32 col, const std::string& s) {
  return client::text::draw(dl, s, face, pos, col);
}

// User text clipped at `max_x` with a fade into `bg` over the last pixels (one line). A
// right-to-left text that does not fit keeps its start (right end) visible.
void text_clipped(ImDrawList* dl, ImFont* font, ImVec2 pos, float max_x, ImU32 col, ImU32 bg,
                  const char* begin, const char* end = nullptr) {
  const std::string_view s =
      end ? std::string_view(begin, static_cast<std::size_t>(end - begin)) : std::string_view(begin);
  const Face face = client::text::face_of(font);
  const float w = client::text::measure(s, face);
  const bool rtl = client::text::is_rtl(s);
  dl->PushClipRect(ImVec2(pos.x, pos.y - 2 - font->FontSize * 0.4f),
                   ImVec2(max_x, pos.y + font->FontSize * 1.5f), true);
  const bool overflow = pos.x + w > max_x;
  client::text::draw(dl, s, face, ImVec2(rtl && overflow ? max_x - w : pos.x, pos.y), col);
  dl->PopClipRect();
  if (rtl && pos.x + w > max_x) {
    const float fade = std::min(28.0f * (font->FontSize / 13.0f), max_x - pos.x);
    dl->AddRectFilledMultiColor(ImVec2(pos.x, pos.y - 1), ImVec2(pos.x + fade, pos.y + font->FontSize + 2),
                                bg, with_alpha(bg, 0), with_alpha(bg, 0), bg);
    return;
  }
  if (pos.x + w > max_x) {
    const float fade = std::min(28.0f * (font->FontSize / 13.0f), max_x - pos.x);
    dl->AddRectFilledMultiColor(ImVec2(max_x - fade, pos.y - 1), ImVec2(max_x, pos.y + font->FontSize + 2),
                                with_alpha(bg, 0), bg, bg, with_alpha(bg, 0));
  }
}

enum class ButtonStyle { primary, secondary, ghost, danger };

// A text button; returns clicked. `width` 0 = fit the label.
// `mirror`: declares the button in the accessibility mirror here (false: the caller does, later,
// for reading order).
bool button(const char* id, const char* label, ImVec2 pos, float height, ButtonStyle style, float s,
            float width = 0, bool enabled = true, bool mirror = true) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 ts = measure(f.label, label);
  const ImVec2 size(width > 0 ? width : ts.x + 28 * s, height);
  bool hovered = false;
  bool clicked = hit(id, pos, size, &hovered) && enabled;
  expose(id[0] == '#' && id[1] == '#' ? id + 2 : id, pos, size);
  a11y::State st;
  st.disabled = !enabled;
  if (mirror && a11y::item(a11y::Role::button, label, st) && enabled) clicked = true;
  if (!enabled) client::dom::set_cursor(client::dom::Cursor::arrow);
  const ImVec2 b(pos.x + size.x, pos.y + size.y);
  const float r = 8 * s;
  ImU32 bg = 0, fg = kText, border = 0;
  switch (style) {
    case ButtonStyle::primary:
      bg = !enabled ? IM_COL32(147, 197, 253, 255) : hovered ? kAccentDark : kAccent;
      fg = kWhite;
      break;
    case ButtonStyle::secondary:
      bg = hovered ? kHover : kWhite;
      border = IM_COL32(203, 213, 225, 255);
      fg = enabled ? kText : kFaint;
      break;
    case ButtonStyle::ghost:
      bg = hovered ? with_alpha(kWhite, 0.12f) : 0;
      fg = IM_COL32(226, 232, 240, 255);
      border = with_alpha(kWhite, 0.22f);
      break;
    case ButtonStyle::danger:
      bg = hovered ? IM_COL32(185, 28, 28, 255) : kDanger;
      fg = kWhite;
      break;
  }
  if (bg) dl->AddRectFilled(pos, b, bg, r);
  if (border) dl->AddRect(pos, b, border, r, 0, s);
  text_at(dl, f.label, ImVec2(pos.x + (size.x - ts.x) / 2, pos.y + (size.y - ts.y) / 2 - 0.5f * s), fg,
          label);
  return clicked;
}

void pill(ImDrawList* dl, ImFont* font, ImVec2 pos, const char* label, ImU32 fg, ImU32 bg, float s) {
  const ImVec2 ts = measure(font, label);
  const ImVec2 b(pos.x + ts.x + 16 * s, pos.y + ts.y + 6 * s);
  dl->AddRectFilled(pos, b, bg, (b.y - pos.y) / 2);
  text_at(dl, font, ImVec2(pos.x + 8 * s, pos.y + 3 * s), fg, label);
}

float pill_width(ImFont* font, const char* label, float s) { return measure(font, label).x + 16 * s; }

// A circle with a letter (any script or an emoji: drawn by the browser).
void avatar(ImDrawList* dl, ImVec2 c, float r, const std::string& letter, ImU32 bg, ImU32 fg, ImFont* font) {
  dl->AddCircleFilled(c, r, bg, 32);
  const Face face = client::text::face_of(font);
  const float w = client::text::measure(letter, face);
  client::text::draw(dl, letter, face, ImVec2(c.x - w / 2, c.y - font->FontSize / 2), fg);
}

ImU32 avatar_color(const std::string& name) {
  static constexpr ImU32 kColors[] = {IM_COL32(14, 116, 144, 255), IM_COL32(79, 70, 229, 255),
                                      IM_COL32(190, 24, 93, 255),  IM_COL32(21, 128, 61, 255),
                                      IM_COL32(180, 83, 9, 255),   IM_COL32(71, 85, 105, 255)};
  unsigned h = 2166136261u;
  for (char ch : name) h = (h ^ static_cast<unsigned char>(ch)) * 16777619u;
  h ^= h >> 15;
  h *= 2246822519u;
  h ^= h >> 13;
  return kColors[h % (sizeof kColors / sizeof kColors[0])];
}

void speaker_icon(ImDrawList* dl, ImVec2 c, float s, ImU32 col, bool muted) {
  const ImVec2 a(c.x - 7 * s, c.y - 3 * s), b(c.x - 3 * s, c.y + 3 * s);
  dl->AddRectFilled(a, b, col, 1 * s);
  dl->AddTriangleFilled(ImVec2(c.x - 4 * s, c.y), ImVec2(c.x + 2 * s, c.y - 7 * s),
                        ImVec2(c.x + 2 * s, c.y + 7 * s), col);
  if (muted) {
    dl->AddLine(ImVec2(c.x + 4.5f * s, c.y - 3.5f * s), ImVec2(c.x + 11.5f * s, c.y + 3.5f * s), col,
                1.6f * s);
    dl->AddLine(ImVec2(c.x + 4.5f * s, c.y + 3.5f * s), ImVec2(c.x + 11.5f * s, c.y - 3.5f * s), col,
                1.6f * s);
  } else {
    dl->PathArcTo(ImVec2(c.x + 2 * s, c.y), 5 * s, -0.9f, 0.9f, 12);
    dl->PathStroke(col, 0, 1.6f * s);
    dl->PathArcTo(ImVec2(c.x + 2 * s, c.y), 9 * s, -0.9f, 0.9f, 16);
    dl->PathStroke(col, 0, 1.6f * s);
  }
}

constexpr ImGuiWindowFlags kFullWindow = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                         ImGuiWindowFlags_NoSavedSettings |
                                         ImGuiWindowFlags_NoScrollWithMouse;

}  // namespace

void InboxView::set_focused(const std::string& field, bool focused) {
  if (focused) {
    focused_field_ = field;
  } else if (focused_field_ == field) {
    focused_field_.clear();
  }
}

void InboxView::set_field_height(const std::string& field, float css_px) {
  if (field == "composer") composer_css_ = css_px;
  if (field == "resolve-note") note_css_ = css_px;
}

// ---- Login ---------------------------------------------------------------------------------------

void InboxView::draw_login(InboxModel& model, Fields& fields, double now, Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  const float w = AppShell::get().width(), h = AppShell::get().height();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(0, 0), ImVec2(w, h), IM_COL32(241, 245, 249, 255));

  const float cw = std::min(400 * s_, w - 32 * s_);
  const bool has_error = !model.login_error().empty();
  const float ch = (has_error ? 428 : 388) * s_;
  const ImVec2 a((w - cw) / 2, std::max(24 * s_, (h - ch) / 2 - 20 * s_));
  const ImVec2 b(a.x + cw, a.y + ch);
  dl->AddRectFilled(ImVec2(a.x, a.y + 2 * s_), ImVec2(b.x, b.y + 4 * s_), IM_COL32(15, 23, 42, 14), 14 * s_);
  dl->AddRectFilled(a, b, kWhite, 14 * s_);
  dl->AddRect(a, b, kLine, 14 * s_, 0, s_);

  const float pad = 32 * s_;
  float y = a.y + pad;
  // Mark: a rounded square with a speech bubble tail.
  const ImVec2 m0(a.x + pad, y), m1(a.x + pad + 36 * s_, y + 36 * s_);
  dl->AddRectFilled(m0, m1, kAccent, 10 * s_);
  text_at(dl, f.title, ImVec2(m0.x + 12 * s_, m0.y + 9 * s_), kWhite, "P");
  text_at(dl, f.title, ImVec2(m1.x + 12 * s_, y + 1 * s_), kInk, "Parley");
  text_at(dl, f.small, ImVec2(m1.x + 12 * s_, y + 20 * s_), kMuted, "Support inbox");
  y += 36 * s_ + 24 * s_;
  text_at(dl, f.title, ImVec2(a.x + pad, y), kInk, "Sign in");
  a11y::node("##login_title", a11y::Role::heading, "Sign in to Parley Inbox", ImVec2(a.x + pad, y),
             ImVec2(b.x - pad, y + f.title->FontSize));
  y += f.title->FontSize + 4 * s_;
  text_at(dl, f.small, ImVec2(a.x + pad, y), kMuted, "Use your staff account to answer customers.");
  a11y::node("##login_hint", a11y::Role::text, "Use your staff account to answer customers.",
             ImVec2(a.x + pad, y), ImVec2(b.x - pad, y + f.small->FontSize));
  a11y::field("login-form");  // the real form with both inputs (password managers)
  y += f.small->FontSize + 20 * s_;

  struct RowDef {
    const char* label;
    client::dom::Field* field;
  };
  const RowDef rows[] = {{"Username", &fields.user}, {"Password", &fields.password}};
  for (const RowDef& r : rows) {
    text_at(dl, f.label, ImVec2(a.x + pad, y), kText, r.label);
    y += f.label->FontSize + 6 * s_;
    const ImVec2 fa(a.x + pad, y), fb(b.x - pad, y + 42 * s_);
    const bool focused = focused_field_ == r.field->id();
    dl->AddRectFilled(fa, fb, kWhite, 8 * s_);
    if (focused)
      dl->AddRect(ImVec2(fa.x - 2 * s_, fa.y - 2 * s_), ImVec2(fb.x + 2 * s_, fb.y + 2 * s_),
                  with_alpha(kAccent, 0.25f), 10 * s_, 0, 3 * s_);
    dl->AddRect(fa, fb, focused ? kAccent : IM_COL32(203, 213, 225, 255), 8 * s_, 0, s_);
    if (hit(r.field->id(), fa, ImVec2(fb.x - fa.x, fb.y - fa.y))) {
      r.field->focus();
    }
    if (ImGui::IsItemHovered()) client::dom::set_cursor(client::dom::Cursor::text);
    r.field->place({(fa.x + 12 * s_) / s_, fa.y / s_, (fb.x - fa.x - 24 * s_) / s_, (fb.y - fa.y) / s_});
    y = fb.y + 14 * s_;
  }
  const Millis now_ms = static_cast<Millis>(now);
  const int wait = model.login_wait_s(now_ms);
  if (has_error) {
    std::string msg = model.login_error();
    char buf[96];
    if (wait > 0) {
      std::snprintf(buf, sizeof buf, "Too many attempts, try again in %d s.", wait);
      msg = buf;
      AppShell::get().invalidate_at(std::floor(now / 1000.0) * 1000.0 + 1000.0);
    }
    const ImVec2 ea(a.x + pad, y - 4 * s_), eb(b.x - pad, y + 30 * s_);
    dl->AddRectFilled(ea, eb, IM_COL32(254, 242, 242, 255), 8 * s_);
    dl->AddCircleFilled(ImVec2(ea.x + 14 * s_, (ea.y + eb.y) / 2), 7 * s_, kDanger, 16);
    text_at(dl, f.label, ImVec2(ea.x + 11.5f * s_, (ea.y + eb.y) / 2 - f.label->FontSize / 2 - 0.5f * s_),
            kWhite, "!");
    dl->PushClipRect(ea, eb, true);
    text_at(dl, f.small, ImVec2(ea.x + 28 * s_, (ea.y + eb.y) / 2 - f.small->FontSize / 2 - 1 * s_),
            IM_COL32(153, 27, 27, 255), msg.c_str());
    dl->PopClipRect();
    a11y::node("##login_error", a11y::Role::text, msg, ea, eb);
    y = eb.y + 12 * s_;
  }
  const char* label = model.login_busy() ? "Signing in\u2026" : "Sign in";
  if (button("##signin", label, ImVec2(a.x + pad, y), 44 * s_, ButtonStyle::primary, s_, cw - 2 * pad,
             !model.login_busy() && wait == 0)) {
    out.login = true;
  }
  if (!was_login_) out.focus_login = true;
  was_login_ = true;
}

// ---- Top bar -------------------------------------------------------------------------------------

void InboxView::draw_topbar(InboxModel& model, float w, Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float hh = 56 * s_;
  dl->AddRectFilled(ImVec2(0, 0), ImVec2(w, hh), kTopbar);

  // Brand.
  const ImVec2 m0(20 * s_, 14 * s_), m1(48 * s_, 42 * s_);
  dl->AddRectFilled(m0, m1, kAccent, 8 * s_);
  const ImVec2 ps = measure(f.title, "P");
  text_at(dl, f.title, ImVec2((m0.x + m1.x - ps.x) / 2, (m0.y + m1.y - ps.y) / 2), kWhite, "P");
  text_at(dl, f.title, ImVec2(60 * s_, (hh - f.title->FontSize) / 2 - 1 * s_), kWhite, "Parley");
  const float brand_w = measure(f.title, "Parley").x;
  if (!narrow_)
    text_at(dl, f.body, ImVec2(60 * s_ + brand_w + 8 * s_, (hh - f.body->FontSize) / 2 - 1 * s_),
            IM_COL32(148, 163, 184, 255), "Inbox");
  a11y::node("##brand", a11y::Role::heading, "Parley Inbox", m0, ImVec2(60 * s_ + brand_w + 60 * s_, m1.y));

  // Live counts.
  const Counts& c = model.counts();
  char active[16], waiting[16], resolved[16], avg[24];
  std::snprintf(active, sizeof active, "%d", c.active);
  std::snprintf(waiting, sizeof waiting, "%d", model.waiting_count());
  std::snprintf(resolved, sizeof resolved, "%d", c.resolved_today);
  InboxModel::format_wait(static_cast<Millis>(c.avg_wait_s * 1000), avg, sizeof avg);
  struct Stat {
    const char* label;
    const char* value;
    ImU32 dot;
  };
  const Stat stats[] = {
      {"Active", active, kGreen},
      {"Waiting", waiting, model.waiting_count() > 0 ? IM_COL32(251, 146, 60, 255) : kFaint},
      {"Resolved today", resolved, 0},
      {"Avg wait", avg, 0}};
  float x = 220 * s_;
  ImGui::PushID("##stats");
  for (const Stat& st : stats) {
    // Room for the right-hand group: the status selector and (wide) the supervise buttons.
    if (x > w - (narrow_ ? 460 : 990) * s_) break;  // 990: room for the Tickets button too (issue 9)
    const ImVec2 vs = measure(f.title, st.value);
    const ImVec2 ls = measure(f.small, st.label);
    float tx = x;
    if (st.dot) {
      dl->AddCircleFilled(ImVec2(x + 4 * s_, hh / 2), 4 * s_, st.dot, 12);
      tx += 14 * s_;
    }
    text_at(dl, f.title, ImVec2(tx, (hh - vs.y) / 2 - 1 * s_), kWhite, st.value);
    text_at(dl, f.small, ImVec2(tx + vs.x + 7 * s_, (hh - ls.y) / 2), IM_COL32(148, 163, 184, 255), st.label);
    a11y::node(st.label, a11y::Role::text, std::string(st.label) + ": " + st.value, ImVec2(x, 8 * s_),
               ImVec2(tx + vs.x + 7 * s_ + ls.x, hh - 8 * s_));
    x = tx + vs.x + 7 * s_ + ls.x + 28 * s_;
  }
  ImGui::PopID();

  // Right: connection, mute, agent, log out.
  float rx = w - 16 * s_;
  const float bh = 32 * s_;
  const float lw = measure(f.label, "Log out").x + 28 * s_;
  rx -= lw;
  if (button("##logout", "Log out", ImVec2(rx, (hh - bh) / 2), bh, ButtonStyle::ghost, s_, 0, true, false))
    out.logout = true;
  const ImVec2 logout_a(rx, (hh - bh) / 2), logout_b(rx + lw, (hh + bh) / 2);
  rx -= 16 * s_;
  // Agent.
  const User& u = model.user();
  const std::string name = u.name.empty() ? u.username : u.name;
  const ImVec2 ns(client::text::measure(name, Face::label), f.label->FontSize);
  const ImVec2 rs = measure(f.small, u.role.c_str());
  // Narrow: the avatar stands for the agent (the name and role would run into the brand).
  ImVec2 me_a(rx - 30 * s_, 8 * s_), me_b(rx, hh - 8 * s_);
  if (!narrow_) {
    const float block = std::max(ns.x, rs.x);
    rx -= block;
    user_text(dl, Face::label, ImVec2(rx, hh / 2 - ns.y + 1 * s_), kWhite, name);
    text_at(dl, f.small, ImVec2(rx, hh / 2 + 1 * s_), IM_COL32(148, 163, 184, 255), u.role.c_str());
    me_a = ImVec2(rx, 8 * s_);
    me_b = ImVec2(rx + block, hh - 8 * s_);
    rx -= 10 * s_;
  }
  rx -= 30 * s_;
  const ImVec2 ac(rx + 15 * s_, hh / 2);
  avatar(dl, ac, 15 * s_, initial(name), avatar_color(name), kWhite, f.label);
  // Presence dot on the avatar: green online, amber connecting, red offline.
  const LinkState link = model.link();
  const bool ready = model.session().ready();
  const AgentStatus own = model.agent_status().status();
  const ImU32 dot = !ready ? (link == LinkState::offline ? kDanger : kAmber)
                    : !model.agent_status().known() || own == AgentStatus::online ? kGreen
                    : own == AgentStatus::away                                     ? kAmber
                                                                                   : kFaint;
  dl->AddCircleFilled(ImVec2(ac.x + 11 * s_, ac.y + 11 * s_), 5 * s_, kTopbar, 12);
  dl->AddCircleFilled(ImVec2(ac.x + 11 * s_, ac.y + 11 * s_), 3.5f * s_, dot, 12);
  rx -= 14 * s_;
  if (!narrow_ && model.is_supervisor()) rx = draw_admin_button(rx, hh, s_, out.open_admin);  // issue 9
  if (!narrow_) rx = draw_tickets_button(rx, hh, s_, out.open_tickets);  // issue 9 (tickets_view.hpp)
  if (!narrow_) rx = draw_supervise_buttons(model, rx, hh, out) - 6 * s_;  // Conversations, Dashboard
  // Mute toggle.
  const float msz = 34 * s_;
  rx -= msz;
  bool hovered = false;
  if (hit("##mute", ImVec2(rx, (hh - msz) / 2), ImVec2(msz, msz), &hovered)) out.toggle_mute = true;
  const ImVec2 mute_a(rx, (hh - msz) / 2), mute_b(rx + msz, (hh + msz) / 2);
  if (hovered)
    dl->AddRectFilled(ImVec2(rx, (hh - msz) / 2), ImVec2(rx + msz, (hh + msz) / 2), with_alpha(kWhite, 0.1f),
                      8 * s_);
  speaker_icon(dl, ImVec2(rx + msz / 2 - 1 * s_, hh / 2), s_,
               model.muted() ? IM_COL32(148, 163, 184, 255) : kWhite, model.muted());
  if (hovered)
    ImGui::SetTooltip("%s", model.muted() ? "Sound off: click to turn on" : "Sound on: click to mute");
  // The agent's status (issue 9): the selector left of the mute button.
  rx = draw_status_selector(model, dl, rx - 10 * s_, hh, s_, narrow_, out.set_status) - 4 * s_;
  // Connection state, when not online (narrow: the avatar's dot says it; no room for words).
  if (!ready && !narrow_) {
    const char* label = link == LinkState::offline    ? "Offline"
                        : link == LinkState::retrying ? "Reconnecting\u2026"
                                                      : "Connecting\u2026";
    const float pw = pill_width(f.small, label, s_);
    rx -= pw + 12 * s_;
    pill(dl, f.small, ImVec2(rx, hh / 2 - 11 * s_), label, IM_COL32(120, 53, 15, 255),
         IM_COL32(254, 243, 199, 255), s_);
    a11y::node("##link", a11y::Role::status, label, ImVec2(rx, hh / 2 - 11 * s_), ImVec2(rx + pw, hh / 2 + 11 * s_));
  }
  // The right-hand group in reading order (it was laid out from the right).
  a11y::State mute_state;
  mute_state.pressed = model.muted() ? 1 : 0;
  if (a11y::node("##mute_a11y", a11y::Role::button, "Mute sounds", mute_a, mute_b, mute_state)) out.toggle_mute = true;
  a11y::node("##me", a11y::Role::text, "Signed in as " + name + " (" + u.role + ")", me_a, me_b);
  if (a11y::node("##logout_a11y", a11y::Role::button, "Log out", logout_a, logout_b)) out.logout = true;
}

// ---- Lists ---------------------------------------------------------------------------------------

float InboxView::draw_list(InboxModel& model, const char* id, const char* title, const std::vector<Row>& rows,
                           bool queue, int focus_offset, float x, float y, float w, float h, double now,
                           Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  // Section header: "WAITING  12".
  const float head_h = 40 * s_;
  char count[16];
  std::snprintf(count, sizeof count, "%zu", rows.size());
  text_at(dl, f.label, ImVec2(x + 18 * s_, y + 16 * s_), kMuted, title);
  const float tw = measure(f.label, title).x;
  const ImU32 badge_bg = queue && !rows.empty() ? IM_COL32(255, 237, 213, 255) : IM_COL32(226, 232, 240, 255);
  const ImU32 badge_fg = queue && !rows.empty() ? IM_COL32(194, 65, 12, 255) : kMuted;
  pill(dl, f.small, ImVec2(x + 18 * s_ + tw + 8 * s_, y + 13 * s_), count, badge_fg, badge_bg, s_);

  const float list_y = y + head_h;
  const float list_h = h - head_h;
  const float row_h = (queue ? 78 : 66) * s_;
  const Millis server_now = model.server_now(static_cast<Millis>(now));

  ImGui::SetCursorScreenPos(ImVec2(x, list_y));
  push_child_colors(IM_COL32(0, 0, 0, 0));
  ImGui::BeginChild(id, ImVec2(w, std::max(list_h, 1.0f)), false, 0);
  // Keep the keyboard focus visible.
  const int focus = model.focus_index() - focus_offset;
  if (model.focus_moves() != last_focus_moves_ && focus >= 0 && focus < static_cast<int>(rows.size())) {
    const float top = focus * row_h, bottom = top + row_h;
    const float sy = ImGui::GetScrollY();
    if (top < sy) ImGui::SetScrollY(top);
    if (bottom > sy + list_h) ImGui::SetScrollY(bottom - list_h);
  }
  ImDrawList* cdl = ImGui::GetWindowDrawList();
  const float cw = ImGui::GetWindowContentRegionMax().x;
  if (rows.empty()) {
    const char* empty = queue ? "No one is waiting. Nice work!" : "Accepted chats show up here.";
    text_at(cdl, f.small, ImVec2(x + 18 * s_, list_y + 8 * s_), kFaint, empty);
  }
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()), row_h);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const Row& r = rows[static_cast<std::size_t>(i)];
      const ImVec2 a(origin.x, origin.y + i * row_h);
      const ImVec2 b(origin.x + cw, a.y + row_h);
      ImGui::PushID(r.id.c_str());  // the conversation's id: stable while rows move
      bool hovered = false;
      if (hit("##row", a, ImVec2(cw, row_h), &hovered)) out.open = r.id;
      const bool dom_focused = a11y::item_focused();
      ImGui::PopID();
      expose("row:" + r.id, a, ImVec2(cw, row_h));
      const bool selected = r.id == model.open_id();
      // The keyboard ring: the row the mirror's focus is on, else the canvas arrows' row.
      const bool focused = dom_row_focus_ ? dom_focused : i == focus;
      const ImU32 bg = selected ? kSelected : hovered ? kHover : kPanel;
      if (bg != kPanel) cdl->AddRectFilled(a, b, bg);
      if (focused && !selected)
        cdl->AddRect(ImVec2(a.x + 2 * s_, a.y + 1 * s_), ImVec2(b.x - 2 * s_, b.y - 1 * s_),
                     with_alpha(kAccent, 0.6f), 6 * s_, 0, 1.5f * s_);
      if (selected) cdl->AddRectFilled(a, ImVec2(a.x + 3 * s_, b.y), kAccent);
      cdl->AddLine(ImVec2(a.x + 16 * s_, b.y - 0.5f * s_), ImVec2(b.x, b.y - 0.5f * s_), kLine, s_);

      // Avatar with priority ring.
      const ImVec2 ac(a.x + 36 * s_, a.y + (queue ? 30 : 28) * s_);
      avatar(cdl, ac, 17 * s_, r.initial, avatar_color(r.name), kWhite, f.label);
      const float tx = a.x + 64 * s_;
      const float right = b.x - 14 * s_;
      // Right side: the waiting time (queue: since the hand-off; mine: since the last activity),
      // and in "mine" the unread badge under it.
      char wait[24];
      InboxModel::format_wait(server_now - r.since, wait, sizeof wait);
      const ImVec2 ws = measure(f.small, wait);
      // issue 9, sup2: over the tenant's waiting threshold: red, and a text marker (not colour alone).
      const bool long_wait = queue && model.over_threshold(r, server_now);
      text_at(cdl, f.small, ImVec2(right - ws.x, a.y + 13 * s_), long_wait ? kDanger : kMuted, wait);
      float name_max = right - ws.x - 8 * s_;
      if (long_wait) {
        const char* over = "Long wait";
        const ImVec2 os = measure(f.small, over);
        const ImVec2 p0(right - ws.x - 8 * s_ - os.x - 12 * s_, a.y + 11 * s_);
        cdl->AddRectFilled(p0, ImVec2(p0.x + os.x + 12 * s_, p0.y + os.y + 4 * s_), with_alpha(kDanger, 0.12f), 8 * s_);
        text_at(cdl, f.small, ImVec2(p0.x + 6 * s_, p0.y + 2 * s_), kDanger, over);
        expose("long_wait:" + r.id, p0, ImVec2(os.x + 12 * s_, os.y + 4 * s_));
        name_max = p0.x - 6 * s_;
      }
      float line2_max = right;
      if (!queue && r.unread > 0) {
        char n[16];
        std::snprintf(n, sizeof n, "%d", r.unread);
        const ImVec2 ns = measure(f.label, n);
        const float bw = std::max(ns.x + 12 * s_, 20 * s_);
        const ImVec2 p0(right - bw, a.y + 32 * s_);
        cdl->AddRectFilled(p0, ImVec2(right, p0.y + 18 * s_), kAccent, 9 * s_);
        text_at(cdl, f.label, ImVec2(p0.x + (bw - ns.x) / 2, p0.y + (18 * s_ - ns.y) / 2 - 0.5f * s_), kWhite,
                n);
        line2_max = p0.x - 8 * s_;
      }
      text_clipped(cdl, f.label, ImVec2(tx, a.y + 12 * s_), name_max, kInk, bg, r.name.c_str());
      // Line 2 (InboxModel::row_line2): priority dot + label, " · ", the topic (or in "mine"
      // without a topic, the last message).
      float lx = tx;
      const float l2 = a.y + 32 * s_;
      const std::string& detail = InboxModel::row_detail(r, queue);
      if (InboxModel::row_shows_priority(r, queue)) {
        const ImU32 pc = priority_color(r.priority);
        cdl->AddCircleFilled(ImVec2(lx + 4 * s_, l2 + f.small->FontSize / 2 + 1 * s_), 3.5f * s_, pc, 12);
        lx += 12 * s_;
        const char* pl = priority_word(r.priority);
        text_at(cdl, f.small, ImVec2(lx, l2),
                r.priority == Priority::urgent || r.priority == Priority::high ? pc : kMuted, pl);
        lx += measure(f.small, pl).x;
        if (!detail.empty()) {
          text_at(cdl, f.small, ImVec2(lx + 5 * s_, l2), kFaint, "\u00b7");
          lx += 14 * s_;
        }
      }
      if (!detail.empty())
        text_clipped(cdl, f.small, ImVec2(lx, l2), line2_max, r.topic.empty() && r.unread > 0 ? kText : kMuted,
                     bg, detail.c_str());
      // Line 3: the last message (queue rows only: mine shows it on line 2 when there is no topic).
      if (queue || !r.topic.empty()) {
        text_clipped(cdl, f.small, ImVec2(tx, a.y + (queue ? 51 : 47) * s_), right,
                     r.unread > 0 ? kText : kMuted, bg,
                     r.preview.empty() ? "No messages yet" : r.preview.c_str());
      }
    }
  }
  clipper.End();
  mirror_list(model, id, title, rows, queue, focus, origin, cw, row_h, list_y, list_h, server_now, out);
  ImGui::EndChild();
  pop_child_colors();
  return h;
}

// A list for screen readers and the keyboard: a listbox of every loaded row (drawn or not), the
// open conversation selected; Enter opens the focused row. The row the mirror's focus is on
// draws the keyboard ring (dom_row_focus_) and is scrolled into view.
void InboxView::mirror_list(InboxModel& model, const char* id, const char* title, const std::vector<Row>& rows,
                            bool queue, int focus, ImVec2 origin, float cw, float row_h, float list_y,
                            float list_h, Millis server_now, Intents& out) {
  (void)focus;
  (void)origin;
  (void)cw;
  (void)list_y;
  char label[64];
  std::snprintf(label, sizeof label, "%s, %zu", queue ? "Waiting" : "My conversations", rows.size());
  (void)title;
  ImGui::PushID(id);
  const bool moved = model.focus_moves() != last_focus_moves_;
  // Thousands of rows: declared only when something they show changed. They carry no rectangle
  // (it would change on every scroll); the canvas draws the focused row's ring (dom_row_focus_).
  std::uint64_t key = model.rows_version() * 1000003u + static_cast<std::uint64_t>(a11y::focused());
  key = key * 31u + std::hash<std::string>{}(model.open_id()) + (moved ? model.focus_moves() : 0);
  if (queue) key = key * 31u + static_cast<std::uint64_t>(server_now / 60000);
  if (queue) {  // issue 9, sup2: a row crossing the waiting threshold renames it
    std::uint64_t over = 0;
    for (const Row& r : rows) over += model.over_threshold(r, server_now) ? 1 : 0;
    key = key * 31u + over;
  }
  const int which = queue ? 0 : 1;
  if (!a11y::push_cached("##box", a11y::Role::listbox, label, key)) {
    a11y::pop();
    ImGui::PopID();
    dom_row_next_ = dom_row_next_ || focused_row_[which] != 0;
    return;
  }
  focused_row_[which] = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    ImGui::PopID();  // the row ids are the ones the drawn rows use (##row in the child window)
    ImGui::PushID(r.id.c_str());
    std::string name = r.name;
    name += ", ";
    name += priority_word(r.priority);
    name += " priority";
    if (!r.topic.empty()) name += ", " + r.topic;
    if (queue) {  // in minutes: a name that changed every second would churn the DOM
      const long long mins = (server_now - r.since) / 60000;
      name += mins < 1 ? std::string(", waiting under a minute")
                       : ", waiting " + std::to_string(mins) + (mins == 1 ? " minute" : " minutes");
      if (model.over_threshold(r, server_now)) name += ", long wait: over the waiting threshold";  // issue 9, sup2
    }
    name += ": ";
    name += r.preview.empty() ? std::string("No messages yet") : r.preview;
    if (r.unread > 0) name += ", " + std::to_string(r.unread) + " unread";
    a11y::State st;
    st.selected = r.id == model.open_id() ? 1 : 0;
    if (a11y::node("##row", a11y::Role::option, name, ImVec2(0, 0), ImVec2(0, 0), st)) out.open = r.id;
    const ImGuiID rid = a11y::last_id();
    if (a11y::is_focused(rid)) {
      dom_row_next_ = true;
      focused_row_[which] = rid;
      if (rid != last_dom_row_) {  // the keyboard moved here: keep it in view
        last_dom_row_ = rid;
        const float top = static_cast<float>(i) * row_h, bottom = top + row_h, sy = ImGui::GetScrollY();
        if (top < sy) ImGui::SetScrollY(top);
        if (bottom > sy + list_h) ImGui::SetScrollY(bottom - list_h);
      }
    }
    // Arrows on the canvas (no DOM focus) moved the model's focus: the mirror follows.
    if (moved && r.id == model.focus_id() && a11y::focused() == 0) a11y::focus(rid);
    ImGui::PopID();
    ImGui::PushID(id);
  }
  a11y::pop();
  ImGui::PopID();
}

void InboxView::draw_lists(InboxModel& model, float x, float y, float w, float h, double now, Intents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(x, y), ImVec2(x + w, y + h), kPanel);
  dl->AddLine(ImVec2(x + w - 0.5f * s_, y), ImVec2(x + w - 0.5f * s_, y + h), kLine, s_);
  const auto& queue = model.queue_rows();
  const auto& mine = model.mine_rows();
  // Split: "mine" gets what it needs up to 45 %, the queue the rest (at least 35 %).
  const float head_h = 40 * s_;
  const float mine_need = head_h + std::max<float>(1, static_cast<float>(mine.size())) * 66 * s_ + 8 * s_;
  const float mine_h = std::clamp(mine_need, head_h + 66 * s_, h * 0.45f);
  const float queue_h = h - mine_h;
  dom_row_focus_ = dom_row_next_;
  dom_row_next_ = false;
  draw_list(model, "##queue", "WAITING", queue, true, 0, x, y, w - s_, queue_h, now, out);
  dl->AddLine(ImVec2(x, y + queue_h), ImVec2(x + w, y + queue_h), kLine, s_);
  draw_list(model, "##mine", "MY CONVERSATIONS", mine, false, static_cast<int>(queue.size()), x, y + queue_h,
            w - s_, mine_h, now, out);
  last_focus_moves_ = model.focus_moves();
  // Waiting times tick.
  if (!queue.empty() || !mine.empty()) AppShell::get().invalidate_at(std::floor(now / 1000.0) * 1000.0 + 1000.0);
}

// ---- Transcript ----------------------------------------------------------------------------------

void InboxView::relayout(const std::vector<TimelineItem>& items, float width) {
  const client::Fonts& f = AppShell::get().fonts();
  layout_.resize(items.size());
  const float pad = 28 * s_;
  const float content_w = width - 2 * pad;
  const float max_bubble = std::min(content_w * 0.72f, 620 * s_);
  float y = 20 * s_;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const TimelineItem& it = items[i];
    ItemLayout& l = layout_[i];
    l.y = y;
    l.head_h = 0;
    switch (it.kind) {
      case TimelineItem::Kind::message:
      case TimelineItem::Kind::outbox:
      case TimelineItem::Kind::note: {
        const float gap = i == 0 ? 0 : it.group_start ? 16 * s_ : 4 * s_;
        l.head_h = it.group_start ? f.small->FontSize + 8 * s_ : 0;
        const float wrap =
            (it.kind == TimelineItem::Kind::note ? std::min(content_w * 0.8f, 640 * s_) : max_bubble) -
            28 * s_;
        client::layout_text(it.text, it.links, f.body, wrap, l.block);
        l.bubble_w = l.block.width + 28 * s_;
        l.bubble_h = l.block.height + 20 * s_;
        l.thumb = nullptr;
        if (it.attachment && client::files::is_image(it.attachment->content_type)) {
          // issue 9: an image above its name, once it arrived (thumbs.hpp; staff: the cookie).
          l.thumb = client::thumbs::get(it.attachment->id, "{}", static_cast<int>(std::min(240 * s_, wrap)),
                                        static_cast<int>(180 * s_));
          if (l.thumb) {
            l.bubble_w = std::max(l.bubble_w, static_cast<float>(l.thumb->w) + 28 * s_);
            l.bubble_h += static_cast<float>(l.thumb->h) + 8 * s_;
          }
        }
        l.h = gap + l.head_h + l.bubble_h +
              (it.kind == TimelineItem::Kind::outbox ? f.small->FontSize + 6 * s_ : 0);
        l.y = y + gap;
        l.h -= gap;
        y += gap;
        break;
      }
      case TimelineItem::Kind::summary: {
        client::layout_text(it.text, {}, f.body, std::min(content_w, 640 * s_) - 40 * s_, l.block);
        l.bubble_w = std::min(content_w, 640 * s_);
        l.bubble_h = l.block.height + 56 * s_;
        l.y = y + 16 * s_;
        l.h = l.bubble_h + 8 * s_;
        y += 16 * s_;
        break;
      }
      case TimelineItem::Kind::takeover:
        l.y = y + 12 * s_;
        l.h = 40 * s_;
        y += 12 * s_;
        break;
      case TimelineItem::Kind::system:
        l.y = y + 8 * s_;
        l.h = 28 * s_;
        y += 8 * s_;
        break;
      case TimelineItem::Kind::day:
        l.y = y + (i == 0 ? 0 : 14 * s_);
        l.h = 30 * s_;
        y += i == 0 ? 0 : 14 * s_;
        break;
    }
    y += l.h;
  }
  content_h_ = y + 16 * s_;
}

void InboxView::draw_item(const TimelineItem& it, const ItemLayout& l, ImVec2 origin, float w, int index,
                          Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 28 * s_;
  const float top = origin.y + l.y;
  switch (it.kind) {
    case TimelineItem::Kind::system: {
      char buf[320];
      std::snprintf(buf, sizeof buf, "%s  \u00b7  %s", it.text.c_str(), it.time.c_str());
      client::text::draw_centred(dl, buf, Face::small, origin.x + w / 2, top + (l.h - f.small->FontSize) / 2,
                                 kFaint, 0);
      return;
    }
    case TimelineItem::Kind::day: {
      // Date divider: a thin rule with the day in the middle; the full date on hover.
      const float cy = top + l.h / 2;
      const ImVec2 ts = measure(f.small, it.text.c_str());
      const float x0 = origin.x + (w - ts.x) / 2 - 12 * s_, x1 = x0 + ts.x + 24 * s_;
      dl->AddLine(ImVec2(origin.x + pad, cy), ImVec2(x0 - 6 * s_, cy), kLine, s_);
      dl->AddLine(ImVec2(x1 + 6 * s_, cy), ImVec2(origin.x + w - pad, cy), kLine, s_);
      dl->AddRectFilled(ImVec2(x0, cy - 11 * s_), ImVec2(x1, cy + 11 * s_), kHover, 11 * s_);
      text_at(dl, f.small, ImVec2(x0 + 12 * s_, cy - ts.y / 2 - 0.5f * s_), kMuted, it.text.c_str());
      expose("day:" + it.text, ImVec2(x0, cy - 11 * s_), ImVec2(x1 - x0, 22 * s_));
      if (ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) && ImGui::IsMouseHoveringRect(ImVec2(x0, cy - 11 * s_), ImVec2(x1, cy + 11 * s_)))
        ImGui::SetTooltip("%s", it.full_time.c_str());
      return;
    }
    case TimelineItem::Kind::takeover: {
      const float cy = top + l.h / 2;
      char buf[320];
      std::snprintf(buf, sizeof buf, "%s  \u00b7  %s", it.text.c_str(), it.time.c_str());
      const ImVec2 ts(client::text::measure(buf, Face::label), f.label->FontSize);
      const float x0 = origin.x + (w - ts.x) / 2 - 14 * s_;
      const float x1 = x0 + ts.x + 28 * s_;
      dl->AddLine(ImVec2(origin.x + pad, cy), ImVec2(x0 - 8 * s_, cy), with_alpha(kAccent, 0.45f), 1.5f * s_);
      dl->AddLine(ImVec2(x1 + 8 * s_, cy), ImVec2(origin.x + w - pad, cy), with_alpha(kAccent, 0.45f),
                  1.5f * s_);
      dl->AddRectFilled(ImVec2(x0, cy - 13 * s_), ImVec2(x1, cy + 13 * s_), kAccentSoft, 13 * s_);
      dl->AddRect(ImVec2(x0, cy - 13 * s_), ImVec2(x1, cy + 13 * s_), with_alpha(kAccent, 0.35f), 13 * s_, 0,
                  s_);
      client::text::draw(dl, buf, Face::label, ImVec2(x0 + 14 * s_, cy - ts.y / 2 - 0.5f * s_), kAccentDark,
                         0);
      return;
    }
    case TimelineItem::Kind::summary: {
      const ImVec2 a(origin.x + (w - l.bubble_w) / 2, top);
      const ImVec2 b(a.x + l.bubble_w, a.y + l.bubble_h);
      dl->AddRectFilled(a, b, kBotBubble, 10 * s_);
      dl->AddRect(a, b, kBotBorder, 10 * s_, 0, s_);
      expose("summary:transcript", a, ImVec2(b.x - a.x, b.y - a.y));
      text_at(dl, f.label, ImVec2(a.x + 20 * s_, a.y + 14 * s_), kBotInk, "Hand-off summary from the assistant");
      const char* staff = "Staff only";
      const ImVec2 ss = measure(f.small, staff);
      text_at(dl, f.small, ImVec2(b.x - 20 * s_ - ss.x, a.y + 14 * s_), kFaint, staff);
      client::draw_text(dl, l.block, it.text, ImVec2(a.x + 20 * s_, a.y + 38 * s_), kText, kAccent);
      return;
    }
    default:
      break;
  }
  // Messages: customer on the left, assistant on the left (tinted, labelled), staff on the right.
  const bool right = it.role == Role::agent;
  const bool note = it.kind == TimelineItem::Kind::note;
  const bool bot = it.role == Role::bot;
  float y = top;
  const float x_left = origin.x + pad + 40 * s_;
  const float x_right = origin.x + w - pad;
  if (it.group_start) {
    char head[320];
    if (it.time.empty()) {  // own messages not stored yet: their state shows under the bubble
      std::snprintf(head, sizeof head, "%s", client::text::isolate(it.name).c_str());
    } else {
      std::snprintf(head, sizeof head, "%s  \u00b7  %s", client::text::isolate(it.name).c_str(),
                    it.time.c_str());
    }
    const ImVec2 hs(client::text::measure(head, Face::small), f.small->FontSize);
    float hx = right ? x_right - hs.x : x_left;
    if (bot && !note) {
      // "ASSISTANT" tag before the name.
      const float pw = pill_width(f.small, "Assistant", s_);
      pill(dl, f.small, ImVec2(hx, y - 2 * s_), "Assistant", kBotInk, IM_COL32(237, 233, 254, 255), s_);
      hx += pw + 6 * s_;
    }
    if (note) {
      const float pw = pill_width(f.small, "Internal", s_);
      hx = x_right - hs.x - pw - 6 * s_;
      pill(dl, f.small, ImVec2(hx, y - 2 * s_), "Internal", kNoteInk, IM_COL32(254, 243, 199, 255), s_);
      hx += pw + 6 * s_;
    }
    client::text::draw(dl, head, Face::small, ImVec2(hx, y + 1 * s_), kMuted, 0);
    if (!it.full_time.empty() && ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
        ImGui::IsMouseHoveringRect(ImVec2(hx, y), ImVec2(hx + hs.x, y + l.head_h)))
      ImGui::SetTooltip("%s", it.full_time.c_str());
    y += l.head_h;
  }
  const ImVec2 a(right ? x_right - l.bubble_w : x_left, y);
  const ImVec2 b(a.x + l.bubble_w, a.y + l.bubble_h);
  ImU32 bg = kCustomerBubble, fg = kText, link = kAccent, border = 0;
  if (bot) {
    bg = kBotBubble;
    border = kBotBorder;
  } else if (note) {
    bg = kNoteBg;
    border = kNoteBorder;
  } else if (right) {
    bg = it.own ? kAccent : IM_COL32(51, 65, 85, 255);
    fg = kWhite;
    link = kWhite;
    if (it.kind == TimelineItem::Kind::outbox)
      bg = it.failed ? IM_COL32(248, 113, 113, 255) : IM_COL32(96, 165, 250, 255);
  }
  dl->AddRectFilled(a, b, bg, 14 * s_);
  if (border) dl->AddRect(a, b, border, 14 * s_, 0, s_);
  float thumb_h = 0;
  ImVec2 ta, tb;
  if (l.thumb) {
    ta = ImVec2(a.x + 14 * s_, a.y + 12 * s_);
    tb = ImVec2(ta.x + static_cast<float>(l.thumb->w), ta.y + static_cast<float>(l.thumb->h));
    dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(l.thumb->texture)), ta, tb);
    thumb_h = static_cast<float>(l.thumb->h) + 8 * s_;
  }
  const ImVec2 text_origin(a.x + 14 * s_, a.y + 10 * s_ + thumb_h);
  client::draw_text(dl, l.block, it.text, text_origin, fg, link);
  ImGui::PushID(index);
  if (!it.links.empty() && hit("##bubble", a, ImVec2(l.bubble_w, l.bubble_h))) {
    const ImVec2 mp = ImGui::GetIO().MousePos;
    const int k = l.thumb && mp.x >= ta.x && mp.x < tb.x && mp.y >= ta.y && mp.y < tb.y
                      ? 0  // the image opens the file like its name
                      : client::link_at(l.block, text_origin, mp);
    if (k >= 0 && static_cast<std::size_t>(k) < it.links.size()) out.open_url = it.links[static_cast<std::size_t>(k)].url;
  }
  // Hovering a message shows its full date and a Copy action beside it (issue 8, inbox defects
  // 3 and 7). The action stays while the mouse is on the bubble or on the action itself.
  bool copy_shown = false;
  if (it.kind != TimelineItem::Kind::outbox) {
    const std::string key = std::to_string(it.seq);
    expose("msg:" + key, a, ImVec2(l.bubble_w, l.bubble_h));
    const bool window_hovered = ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) && !ImGui::IsMouseHoveringRect(marker_a_, marker_b_);
    const bool over_bubble = window_hovered && ImGui::IsMouseHoveringRect(a, b);
    if (over_bubble && !it.full_time.empty()) ImGui::SetTooltip("%s", it.full_time.c_str());
    const char* cl = "Copy";
    const ImVec2 cs = measure(f.small, cl);
    const ImVec2 csize(cs.x + 20 * s_, cs.y + 10 * s_);
    const ImVec2 cp(right ? a.x - csize.x - 6 * s_ : b.x + 6 * s_,
                    a.y + (std::min(l.bubble_h, 40 * s_) - csize.y) / 2);
    const ImVec2 cq(cp.x + csize.x, cp.y + csize.y);
    const bool over_copy = window_hovered && ImGui::IsMouseHoveringRect(cp, cq);
    if (over_bubble || over_copy) {
      copy_shown = true;
      bool ch = false;
      if (hit("##copy", cp, csize, &ch)) out.copy = it.text;
      expose("copy:" + key, cp, csize);
      dl->AddRectFilled(cp, cq, ch ? kHover : kWhite, csize.y / 2);
      dl->AddRect(cp, cq, kLine, csize.y / 2, 0, s_);
      text_at(dl, f.small, ImVec2(cp.x + 10 * s_, cp.y + 5 * s_), ch ? kInk : kMuted, cl);
    }
  }
  // issue 11: how far a staff message to a WhatsApp customer got, as ticks at the bubble's foot
  // on its outer side (where Copy shows while hovered; the words are in the mirror's text).
  if (right && !it.delivery.empty() && !copy_shown) {
    const std::string_view ticks = delivery_ticks(it.delivery);
    if (!ticks.empty()) {
      const std::string tk(ticks);
      const ImVec2 ts = measure(f.small, tk.c_str());
      const ImU32 col = it.delivery == "failed" ? kDanger : it.delivery == "read" || it.delivery == "played" ? kAccent : kMuted;
      text_at(dl, f.small, ImVec2(a.x - ts.x - 8 * s_, b.y - ts.y - 4 * s_), col, tk.c_str());
    }
  }
  // Avatar beside the first bubble of a group from the other side.
  if (!right && it.group_start) {
    const ImVec2 c(origin.x + pad + 16 * s_, a.y + 16 * s_);
    if (bot) {
      dl->AddCircleFilled(c, 16 * s_, IM_COL32(237, 233, 254, 255), 24);
      const ImVec2 ls = measure(f.label, "AI");
      text_at(dl, f.label, ImVec2(c.x - ls.x / 2, c.y - ls.y / 2), kBotInk, "AI");
    } else {
      avatar(dl, c, 16 * s_, initial(it.name), avatar_color(it.name), kWhite, f.label);
    }
  }
  if (it.kind == TimelineItem::Kind::outbox) {
    const float my = b.y + 4 * s_;
    if (it.failed) {
      const char* lead = "Not delivered \u00b7 ";
      const float wl = measure(f.small, lead).x, wr = measure(f.small, "Retry").x,
                  wd = measure(f.small, " \u00b7 ").x, wx = measure(f.small, "Discard").x;
      float x = x_right - (wl + wr + wd + wx);
      text_at(dl, f.small, ImVec2(x, my), kDanger, lead);
      x += wl;
      bool hr = false, hx = false;
      if (hit("##retry", ImVec2(x, my), ImVec2(wr, f.small->FontSize), &hr)) out.retry = it.client_msg_id;
      text_at(dl, f.small, ImVec2(x, my), hr ? kAccentDark : kAccent, "Retry");
      x += wr;
      text_at(dl, f.small, ImVec2(x, my), kDanger, " \u00b7 ");
      x += wd;
      if (hit("##discard", ImVec2(x, my), ImVec2(wx, f.small->FontSize), &hx)) out.discard = it.client_msg_id;
      text_at(dl, f.small, ImVec2(x, my), hx ? kInk : kMuted, "Discard");
    } else {
      const ImVec2 ts = measure(f.small, "Sending\u2026");
      text_at(dl, f.small, ImVec2(x_right - ts.x, my), kFaint, "Sending\u2026");
    }
  }
  ImGui::PopID();
}

// The open conversation for screen readers: every timeline item in the log declared by
// draw_conversation, with the actions of failed sends and the links.
void InboxView::mirror_transcript(const std::vector<TimelineItem>& items, ImVec2 origin, float cw, float top,
                                  float bottom, Intents& out) {
  a11y::reopen(transcript_log_);
  // A long history: declared only when the timeline changed (no rectangles, so scrolling
  // changes nothing), except while a failed send shows its Retry action over the canvas.
  bool failed_any = false;
  for (const TimelineItem& it : items) failed_any = failed_any || it.failed;
  std::uint64_t cache_key = timeline_mirror_version_ * 1000003u + items.size();
  cache_key = cache_key * 31u + match_seq_;  // issue 9, sup2
  if (failed_any) cache_key = ++mirror_frame_;
  if (!a11y::push_cached("##items", a11y::Role::group, "", cache_key)) {
    a11y::pop();
    a11y::pop();
    return;
  }
  char key[64];
  for (std::size_t i = 0; i < items.size() && i < layout_.size(); ++i) {
    const TimelineItem& it = items[i];
    const ItemLayout& l = layout_[i];
    ImVec2 a(origin.x, std::max(top, origin.y + l.y)), b(origin.x + cw, std::min(bottom, origin.y + l.y + l.h));
    if (b.y <= a.y || !it.failed) a = b = ImVec2(0, 0);
    if (it.kind == TimelineItem::Kind::outbox)
      std::snprintf(key, sizeof key, "o%s", it.client_msg_id.c_str());
    else
      std::snprintf(key, sizeof key, "%d:%lld:%zu", static_cast<int>(it.kind), static_cast<long long>(it.seq),
                    it.seq > 0 ? std::size_t{0} : i);
    std::string text;
    switch (it.kind) {
      case TimelineItem::Kind::summary:
        text = "Assistant hand-off summary (staff only): " + it.text;
        break;
      case TimelineItem::Kind::system:
      case TimelineItem::Kind::takeover:
        text = it.text + ", " + it.time;
        break;
      case TimelineItem::Kind::note:
        text = "Internal note by " + it.name + ", " + it.time + ": " + it.text;
        break;
      default:
        text = (it.role == Role::bot ? "Assistant " : "") + it.name + ", " + it.time + ": " + it.text;
        if (it.kind == TimelineItem::Kind::outbox) text += it.failed ? " (not delivered)" : " (sending)";
        if (const std::string_view w = delivery_words(it.delivery); !w.empty()) text += " (" + std::string(w) + ")";
        if (match_seq_ > 0 && it.seq == match_seq_) text = "Search match. " + text;  // issue 9, sup2
        break;
    }
    ImGui::PushID(key);
    if (it.links.empty() && !it.failed) {
      a11y::node("##item", a11y::Role::text, text, a, b);
    } else {
      a11y::push("##item", a11y::Role::group, text);
      for (std::size_t k = 0; k < it.links.size(); ++k) {
        ImGui::PushID(static_cast<int>(k));
        const std::string label = it.attachment && !client::files::link_attachment_id(it.links[k].url).empty()
                                      ? client::files::open_label(*it.attachment)
                                      : "Open link " + it.links[k].url;
        if (a11y::node("##open", a11y::Role::button, label, ImVec2(0, 0), ImVec2(0, 0))) out.open_url = it.links[k].url;
        ImGui::PopID();
      }
      if (it.kind == TimelineItem::Kind::outbox && it.failed) {
        if (a11y::node("##retry_a11y", a11y::Role::button, it.upload ? "Retry upload" : "Retry sending", a, b))
          out.retry = it.client_msg_id;
        if (a11y::node("##discard_a11y", a11y::Role::button, it.upload ? "Remove file" : "Discard message", a, b))
          out.discard = it.client_msg_id;
      }
      a11y::pop();
    }
    ImGui::PopID();
  }
  a11y::pop();
  a11y::pop();
}

void InboxView::draw_transcript(InboxModel& model, float x, float y, float w, float h, double now,
                                Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  const auto& items = model.timeline();
  const std::uint64_t version = model.timeline_version();
  if (model.open_id() != layout_conv_) {
    layout_conv_ = model.open_id();
    force_bottom_ = true;
    last_items_ = 0;
    unseen_from_ = 0;
  }
  if (version != layout_version_ || w != layout_width_ || f.body != layout_font_ ||
      client::thumbs::version() != layout_thumbs_version_) {
    layout_thumbs_version_ = client::thumbs::version();
    layout_version_ = version;
    layout_width_ = w;
    layout_font_ = f.body;
    relayout(items, w);
  }
  const bool typing = model.customer_typing(static_cast<Millis>(now));
  const float typing_h = typing ? 30 * s_ : 0;
  const float total = content_h_ + typing_h;

  ImGui::SetCursorScreenPos(ImVec2(x, y));
  push_child_colors(IM_COL32(0, 0, 0, 0));
  ImGui::BeginChild("##transcript", ImVec2(w, std::max(h, 1.0f)), false, 0);
  // Follow the bottom while the reader is there; otherwise count what arrives below and offer a
  // "new messages" marker (issue 8, inbox defect 2). Whether the reader is at the bottom is
  // decided only when the scroll position moved (the reader scrolled, or our own jump landed),
  // not when the viewport or the content changed size: the composer replacing the accept bar
  // shrinks the viewport, and that used to count as "scrolled up".
  const float sy = ImGui::GetScrollY(), max_y = ImGui::GetScrollMaxY();
  const bool at_bottom = max_y <= 0 || sy >= max_y - 4 * s_;
  if (sy != last_scroll_y_) stick_bottom_ = at_bottom;
  last_scroll_y_ = sy;
  const bool grew = items.size() > last_items_;
  // The agent's own new message is always brought into view.
  if (grew && !items.empty() && items.back().own) force_bottom_ = true;
  if (force_bottom_) stick_bottom_ = true;
  if (stick_bottom_) {
    if (force_bottom_ || sy < max_y || total != last_total_) ImGui::SetScrollY(total + 1000 * s_);
    unseen_from_ = items.size();
    force_bottom_ = false;
  } else if (last_items_ > 0 && unseen_from_ > items.size()) {
    unseen_from_ = items.size();
  }
  if (stick_bottom_ || at_bottom) unseen_from_ = items.size();
  last_items_ = items.size();
  last_total_ = total;
  at_bottom_ = stick_bottom_ || at_bottom;
  new_below_ = static_cast<int>(items.size() - std::min(unseen_from_, items.size()));
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float cw = ImGui::GetWindowContentRegionMax().x;
  // The marker: a pill above the bottom edge; a click jumps to the end. Its click region is
  // submitted before the items (ImGui gives an overlapped mouse to the first), drawn after them.
  char marker[48] = "";
  marker_a_ = marker_b_ = ImVec2(0, 0);
  bool marker_hovered = false;
  if (new_below_ > 0) {
    std::snprintf(marker, sizeof marker, new_below_ == 1 ? "\u2193  1 new message" : "\u2193  %d new messages",
                  new_below_);
    const ImVec2 ls = measure(f.label, marker);
    const ImVec2 size(ls.x + 32 * s_, 32 * s_);
    marker_a_ = ImVec2(x + (w - size.x) / 2, y + h - size.y - 12 * s_);
    marker_b_ = ImVec2(marker_a_.x + size.x, marker_a_.y + size.y);
    if (hit("##new_messages", marker_a_, size, &marker_hovered)) {
      force_bottom_ = true;
      AppShell::get().invalidate();
    }
    expose("new_messages", marker_a_, size);
  }
  // issue 9, sup2: opened at a search match: scrolled there once (when its item has arrived),
  // highlighted while the conversation stays open.
  match_seq_ = model.match_seq();
  if (match_seq_ > 0) {
    const std::string key = model.open_id() + ":" + std::to_string(match_seq_);
    if (jumped_for_ != key) {
      for (std::size_t i = 0; i < items.size() && i < layout_.size(); ++i) {
        if (items[i].seq != match_seq_) continue;
        ImGui::SetScrollY(std::max(0.0f, layout_[i].y - h / 3));
        stick_bottom_ = false;
        force_bottom_ = false;
        jumped_for_ = key;
        AppShell::get().invalidate();
        break;
      }
    }
  }
  // Only items in view are drawn (the layout knows every item's place).
  const float view_top = y - origin.y, view_bottom = view_top + h;
  auto first = std::lower_bound(layout_.begin(), layout_.end(), view_top,
                                [](const ItemLayout& l, float v) { return l.y + l.h < v; });
  for (auto it = first; it != layout_.end() && it->y <= view_bottom; ++it) {
    const std::size_t i = static_cast<std::size_t>(it - layout_.begin());
    if (match_seq_ > 0 && items[i].seq == match_seq_) {  // issue 9, sup2: the search match
      ImDrawList* hdl = ImGui::GetWindowDrawList();
      const ImVec2 ha(origin.x + 8 * s_, origin.y + it->y - 2 * s_), hb(origin.x + cw - 8 * s_, origin.y + it->y + it->h + 2 * s_);
      hdl->AddRectFilled(ha, hb, IM_COL32(254, 243, 199, 255), 8 * s_);
      hdl->AddRectFilled(ha, ImVec2(ha.x + 4 * s_, hb.y), IM_COL32(217, 119, 6, 255), 2 * s_);
      expose("match", ha, ImVec2(hb.x - ha.x, hb.y - ha.y));
    }
    draw_item(items[i], *it, origin, cw, static_cast<int>(i), out);
  }
  timeline_mirror_version_ = version;
  mirror_transcript(items, origin, cw, y, y + h, out);
  if (typing) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const Conversation* c = model.open_conversation();
    const ListItem* li = model.open_item();
    const std::string who = li && !li->contact_name.empty() ? li->contact_name : "The customer";
    char buf[240];
    std::snprintf(buf, sizeof buf, "%s is typing", client::text::isolate(who).c_str());
    const float ty = origin.y + content_h_;
    for (int i = 0; i < 3; ++i) {
      const float ph = static_cast<float>(std::sin(now / 1000.0 * 6.0 - i * 0.9));
      dl->AddCircleFilled(
          ImVec2(origin.x + 28 * s_ + 46 * s_ + i * 9 * s_, ty + 10 * s_ - std::max(0.0f, ph) * 2 * s_),
          3 * s_, kFaint, 12);
    }
    client::text::draw(dl, buf, Face::small, ImVec2(origin.x + 28 * s_ + 76 * s_, ty + 3 * s_), kMuted, 0);
    (void)c;
  }
  if (marker[0]) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 ls = measure(f.label, marker);
    const float r = (marker_b_.y - marker_a_.y) / 2;
    dl->AddRectFilled(ImVec2(marker_a_.x, marker_a_.y + 2 * s_), ImVec2(marker_b_.x, marker_b_.y + 3 * s_),
                      IM_COL32(15, 23, 42, 40), r);
    dl->AddRectFilled(marker_a_, marker_b_, marker_hovered ? kAccentDark : kAccent, r);
    text_at(dl, f.label, ImVec2(marker_a_.x + 16 * s_, marker_a_.y + (2 * r - ls.y) / 2 - 0.5f * s_), kWhite,
            marker);
  }
  ImGui::SetCursorScreenPos(origin);
  ImGui::Dummy(ImVec2(1, total));
  ImGui::EndChild();
  pop_child_colors();
}

// ---- Conversation --------------------------------------------------------------------------------

void InboxView::draw_empty(InboxModel& model, float x, float y, float w, float h) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float cx = x + w / 2, cy = y + h / 2 - 40 * s_;
  // A simple chat-bubble illustration.
  dl->AddRectFilled(ImVec2(cx - 34 * s_, cy - 40 * s_), ImVec2(cx + 22 * s_, cy),
                    IM_COL32(226, 232, 240, 255), 12 * s_);
  dl->AddRectFilled(ImVec2(cx - 14 * s_, cy - 22 * s_), ImVec2(cx + 38 * s_, cy + 14 * s_),
                    IM_COL32(191, 219, 254, 255), 12 * s_);
  const char* title =
      model.waiting_count() > 0 ? "Pick a conversation from the queue" : "You're all caught up";
  const ImVec2 ts = measure(f.title, title);
  text_at(dl, f.title, ImVec2(cx - ts.x / 2, cy + 36 * s_), kInk, title);
  const char* hint = "\u2191 \u2193 to move  \u00b7  Enter to open  \u00b7  Esc to close";
  const ImVec2 hs = measure(f.small, hint);
  text_at(dl, f.small, ImVec2(cx - hs.x / 2, cy + 62 * s_), kMuted, hint);
}

float InboxView::draw_footer(InboxModel& model, Fields& fields, float x, float bottom, float w,
                             Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Conversation* c = model.open_conversation();
  const bool note = model.note_mode();
  if (model.can_reply() || note) {
    const float text_h = std::clamp(composer_css_, 20.0f, 160.0f) * s_;
    const float box_h = text_h + 24 * s_ + 40 * s_;
    const float outer = 16 * s_;
    const float y0 = bottom - box_h - 2 * outer;
    dl->AddLine(ImVec2(x, y0), ImVec2(x + w, y0), kLine, s_);
    const ImVec2 a(x + outer, y0 + outer), b(x + w - outer, bottom - outer);
    const bool focused = focused_field_ == "composer";
    dl->AddRectFilled(a, b, note ? kNoteBg : kWhite, 10 * s_);
    if (note) dl->AddRect(a, b, kNoteBorder, 10 * s_, 0, 2 * s_);
    if (focused)
      dl->AddRect(ImVec2(a.x - 2 * s_, a.y - 2 * s_), ImVec2(b.x + 2 * s_, b.y + 2 * s_),
                  with_alpha(kAccent, 0.18f), 12 * s_, 0, 3 * s_);
    dl->AddRect(a, b, focused ? kAccent : IM_COL32(203, 213, 225, 255), 10 * s_, 0, s_);
    if (hit("##composer_box", a, ImVec2(b.x - a.x, b.y - a.y - 40 * s_))) out.focus_composer = true;
    if (ImGui::IsItemHovered()) client::dom::set_cursor(client::dom::Cursor::text);
    if (model.resolve_open()) {
      fields.composer.hide();  // under the resolve panel: not clickable
    } else {
      fields.composer.place(
          {(a.x + 14 * s_) / s_, (a.y + 12 * s_) / s_, (b.x - a.x - 28 * s_) / s_, text_h / s_});
      a11y::field(fields.composer.id());
    }
    // Bottom row of the box: hint and buttons.
    const float row_y = b.y - 40 * s_;
    dl->AddLine(ImVec2(a.x + 1 * s_, row_y), ImVec2(b.x - 1 * s_, row_y), IM_COL32(241, 245, 249, 255), s_);
    const bool can_send = !model.draft().empty();
    const float sw = note ? 96 * s_ : 76 * s_;
    // Issue 9: the Note toggle (a staff-only note instead of a reply).
    const float nw = 64 * s_;
    const ImVec2 np(b.x - 16 * s_ - sw - nw, row_y + 6 * s_);
    const std::string& warn = model.template_warning();
    const char* hint = note ? "Private note: staff only, the customer never sees it"
                       : narrow_ ? "Shift+Enter for a new line"
                                 : "Enter or Ctrl+Enter to send  \u00b7  / canned responses  \u00b7  # articles";
    if (!warn.empty()) {
      client::text::draw(dl, warn, Face::small, ImVec2(a.x + 14 * s_, y0 - 2 * s_), kAmber);
      a11y::node("##template_warning", a11y::Role::status, warn, ImVec2(a.x, y0 - 4 * s_), ImVec2(b.x, y0 + 12 * s_));
    }
    // Issue 9: "Attach" (a file to the customer; not for notes), left of the Note toggle.
    const bool attach = !note && model.can_attach();
    const float aw = 72 * s_;
    const ImVec2 ap(np.x - 8 * s_ - aw, row_y + 6 * s_);
    text_clipped(dl, f.small, ImVec2(a.x + 14 * s_, row_y + (40 * s_ - f.small->FontSize) / 2),
                 (attach ? ap.x : np.x) - 8 * s_,
                 note ? kNoteInk : kFaint, note ? kNoteBg : kWhite, hint);
    if (note) a11y::node("##note_hint", a11y::Role::text, hint, ImVec2(a.x, row_y), ImVec2(np.x, row_y + 40 * s_));
    if (button("##send", note ? "Add note" : "Send", ImVec2(b.x - 8 * s_ - sw, row_y + 6 * s_), 28 * s_,
               ButtonStyle::primary, s_, sw, can_send)) {
      out.send = true;
      out.focus_composer = true;
    }
    // After Send in the mirror's order (Tab from the composer reaches Send first).
    {
      bool hovered = false;
      if (hit("##note_toggle", np, ImVec2(nw, 28 * s_), &hovered)) out.toggle_note = true;
      expose("note_toggle", np, ImVec2(nw, 28 * s_));
      a11y::State st;
      st.pressed = note ? 1 : 0;
      if (a11y::item(a11y::Role::button, "Private note", st)) out.toggle_note = true;
      dl->AddRectFilled(np, ImVec2(np.x + nw, np.y + 28 * s_), note ? kNoteBorder : hovered ? kHover : kWhite, 8 * s_);
      dl->AddRect(np, ImVec2(np.x + nw, np.y + 28 * s_), note ? kNoteInk : IM_COL32(203, 213, 225, 255), 8 * s_, 0, s_);
      const ImVec2 ts = measure(f.label, "Note");
      text_at(dl, f.label, ImVec2(np.x + (nw - ts.x) / 2, np.y + (28 * s_ - ts.y) / 2), note ? kNoteInk : kText, "Note");
    }
    if (attach) {  // after Note in the mirror's order: Tab from the composer still reaches Send first
      bool clicked = button("##attach", "Attach", ap, 28 * s_, ButtonStyle::secondary, s_, aw, true, false);
      if (a11y::item(a11y::Role::button, "Attach a file")) clicked = true;
      if (clicked) out.attach = true;
    }
    CannedIntents ci;
    draw_canned_picker(model, a, b.x - a.x, s_, ci);
    if (ci.pick >= 0) out.pick_canned = ci.pick;
    if (ci.select >= 0) out.select_canned = ci.select;
    if (!note) {
      CannedIntents ai;
      draw_article_picker(model, a, b.x - a.x, s_, ai);
      if (ai.pick >= 0) out.pick_article = ai.pick;
      if (ai.select >= 0) out.select_article = ai.select;
    }
    return bottom - y0;
  }
  fields.composer.hide();
  if (!c) return 0;
  // Not ours to answer: a bar that says why, with the action that changes it.
  const float bar_h = 64 * s_;
  const float y0 = bottom - bar_h;
  dl->AddRectFilled(ImVec2(x, y0), ImVec2(x + w, bottom), kPanel);
  dl->AddLine(ImVec2(x, y0), ImVec2(x + w, y0), kLine, s_);
  std::string msg;
  if (c->status == Status::pending) {
    msg = "This customer is waiting for a person. Accept the chat to reply.";
  } else if (c->status == Status::bot) {
    msg = "The assistant is handling this conversation.";
  } else if (c->status == Status::active) {
    msg =
        (c->assignee_name.empty() ? std::string("Another agent") : client::text::isolate(c->assignee_name)) +
        " is handling this chat.";
    // issue 9, sup2: a lead listens in, read-only (the composer is not offered: why, said here).
    if (model.listening_in()) msg = "Listening in, read-only: " + msg + " Reassign to take it over.";
  } else {
    msg = c->ending == Ending::abandoned           ? "The customer left before anyone answered."
          : c->ending == Ending::ended_by_customer ? "The customer ended this chat."
                                                   : "This conversation is resolved.";
    if (!c->issue_type.empty()) msg += "  Issue type: " + client::text::isolate(c->issue_type) + ".";
  }
  client::text::draw(dl, msg, Face::body, ImVec2(x + 24 * s_, y0 + (bar_h - f.body->FontSize) / 2), kMuted,
                     0);
  a11y::node("##bar_text", a11y::Role::text, msg, ImVec2(x + 24 * s_, y0), ImVec2(x + w - 200 * s_, bottom));
  if (model.can_accept()) {
    const float bw = 150 * s_;
    if (button("##accept_bar", "Accept chat", ImVec2(x + w - 24 * s_ - bw, y0 + 14 * s_), 36 * s_,
               ButtonStyle::primary, s_, bw)) {
      out.accept = c->id;
    }
  } else if (model.can_take_over()) {
    const float bw = 150 * s_;
    if (button("##takeover_bar", "Take over", ImVec2(x + w - 24 * s_ - bw, y0 + 14 * s_), 36 * s_,
               ButtonStyle::primary, s_, bw)) {
      out.take_over = c->id;
    }
  } else if (model.listening_in() && model.can_reassign()) {  // issue 9, sup2
    const float bw = 150 * s_;
    if (button("##reassign_bar", "Reassign", ImVec2(x + w - 24 * s_ - bw, y0 + 14 * s_), 36 * s_,
               ButtonStyle::primary, s_, bw)) {
      out.open_reassign = true;
    }
  }
  if (model.can_note() && !narrow_) {  // issue 9: a note in a chat that is not ours
    const float bw = 130 * s_;
    if (button("##note_bar", "Write a note", ImVec2(x + w - 24 * s_ - 150 * s_ - 10 * s_ - bw, y0 + 14 * s_), 36 * s_,
               ButtonStyle::secondary, s_, bw)) {
      out.toggle_note = true;
      out.focus_composer = true;
    }
  }
  return bar_h;
}

void InboxView::draw_conversation(InboxModel& model, Fields& fields, float x, float y, float w, float h,
                                  double now, Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Conversation* c = model.open_conversation();
  if (!c) {
    fields.composer.hide();
    draw_empty(model, x, y, w, h);
    return;
  }
  const ListItem* li = model.open_item();
  const std::string name = li && !li->contact_name.empty() ? li->contact_name : "Visitor";
  // Header.
  const float hh = 68 * s_;
  dl->AddLine(ImVec2(x, y + hh - 0.5f * s_), ImVec2(x + w, y + hh - 0.5f * s_), kLine, s_);
  // The actions' place first: the name and the pills fit in what they leave. The buttons are
  // submitted after the title (the mirror's reading order: heading, then its actions).
  float bx = x + w - (narrow_ ? 12 : 24) * s_;
  const float bh = 34 * s_;
  const char* action = model.can_resolve()  ? "Resolve"
                       : !model.can_accept() ? nullptr
                       : narrow_             ? "Accept"
                                             : "Accept chat";
  const float action_w = action ? measure(f.label, action).x + 36 * s_ : 0;
  bx -= action_w;
  const float transfer_w = model.can_transfer() ? measure(f.label, "Transfer").x + 44 * s_ : 0;  // issue 9
  // issue 9: "Customer" (customer_view.hpp: context, convert to ticket, block), left of Transfer.
  const float customer_w = measure(f.label, "Customer").x + 36 * s_;
  // Narrow screens show the list or the conversation: "Back" returns to the list.
  float lx = x;
  if (narrow_) {
    const float bw = measure(f.label, "\u2039 Back").x + 20 * s_;
    if (button("##back", "\u2039 Back", ImVec2(x + 8 * s_, y + (hh - bh) / 2), bh, ButtonStyle::secondary, s_,
               bw)) {
      out.close_conversation = true;
    }
    lx = x + bw - 8 * s_;
  }
  avatar(dl, ImVec2(lx + 44 * s_, y + hh / 2), 18 * s_, initial(name), avatar_color(name), kWhite, f.label);
  const float tx = lx + 72 * s_;
  const float text_max = bx - transfer_w - customer_w - 18 * s_;
  text_clipped(dl, f.title, ImVec2(tx, y + 14 * s_), text_max, kInk, kWhite, name.c_str());
  float px = tx + client::text::measure(name, Face::title) + 10 * s_;
  const char* sl = status_label(c->status);
  if (px + pill_width(f.small, sl, s_) <= text_max) {
    pill(dl, f.small, ImVec2(px, y + 14 * s_), sl, status_color(c->status),
         with_alpha(status_color(c->status), 0.1f), s_);
    px += pill_width(f.small, sl, s_) + 6 * s_;
    if ((c->priority == Priority::urgent || c->priority == Priority::high) &&
        px + pill_width(f.small, priority_word(c->priority), s_) <= text_max) {
      pill(dl, f.small, ImVec2(px, y + 14 * s_), priority_word(c->priority), priority_color(c->priority),
           with_alpha(priority_color(c->priority), 0.1f), s_);
    }
  }
  std::string sub = c->topic.empty() ? std::string("No topic") : client::text::isolate(c->topic);
  sub += "  \u00b7  ";
  sub += channel_label(c->channel);
  if (c->status == Status::active && !c->assignee_name.empty())
    sub += "  \u00b7  with " + client::text::isolate(c->assignee_name);
  // Whether the customer is still on the site (widget defect 1: staff see it).
  float sx = tx;
  if (c->status != Status::resolved && model.customer_online() >= 0) {
    const bool here = model.customer_online() == 1;
    const char* pl = here ? "Customer online" : "Customer left the site";
    dl->AddCircleFilled(ImVec2(sx + 4 * s_, y + 40 * s_ + f.small->FontSize / 2 + 1 * s_), 3.5f * s_,
                        here ? kGreen : kFaint, 12);
    text_at(dl, f.small, ImVec2(sx + 12 * s_, y + 40 * s_), here ? kGreen : kMuted, pl);
    sx += 12 * s_ + measure(f.small, pl).x;
    text_at(dl, f.small, ImVec2(sx + 6 * s_, y + 40 * s_), kFaint, "\u00b7");
    sx += 18 * s_;
  }
  text_clipped(dl, f.small, ImVec2(sx, y + 40 * s_), text_max, kMuted, kWhite, sub.c_str());
  a11y::node("##conv_title", a11y::Role::heading, name + ", " + status_label(c->status), ImVec2(tx, y + 10 * s_),
             ImVec2(px, y + 36 * s_));
  a11y::node("##conv_sub", a11y::Role::text,
             (model.customer_online() == 1   ? std::string("Customer online. ")
              : model.customer_online() == 0 ? std::string("Customer left the site. ")
                                             : std::string()) +
                 sub,
             ImVec2(tx, y + 38 * s_), ImVec2(x + w / 2, y + 58 * s_));
  if (model.can_resolve()) {
    if (button("##resolve", "Resolve", ImVec2(bx, y + (hh - bh) / 2), bh, ButtonStyle::secondary, s_, action_w)) {
      out.open_resolve = true;
    }
    resolve_button_ = a11y::last_id();
  }
  if (model.can_transfer()) {  // issue 9: left of the main action
    const float tw = measure(f.label, "Transfer").x + 36 * s_;
    if (button("##transfer", "Transfer", ImVec2(bx - tw - 8 * s_, y + (hh - bh) / 2), bh, ButtonStyle::secondary, s_,
               tw)) {
      out.open_transfer = true;
    }
    transfer_button_ = a11y::last_id();
  }
  if (button("##open_customer", "Customer", ImVec2(bx - transfer_w - customer_w - 8 * s_, y + (hh - bh) / 2), bh,
             ButtonStyle::secondary, s_, customer_w - 8 * s_)) {
    out.open_customer = true;  // issue 9
  }
  customer_button_ = a11y::last_id();
  if (!model.can_resolve() && model.can_accept()) {
    if (button("##accept", action, ImVec2(bx, y + (hh - bh) / 2), bh, ButtonStyle::primary, s_, action_w)) {
      out.accept = c->id;
    }
  }

  // The transcript's log exists before its messages (and before the footer in the Tab order).
  ImGui::PushID(c->id.c_str());
  a11y::push("##log", a11y::Role::log, "Conversation with " + name);
  transcript_log_ = a11y::last_id();
  a11y::pop();
  ImGui::PopID();
  const float footer_h = draw_footer(model, fields, x, y + h, w, out);
  if (!model.joined_open() && model.timeline().empty()) {
    const char* loading = "Loading conversation\u2026";
    const ImVec2 ls = measure(f.small, loading);
    text_at(dl, f.small, ImVec2(x + (w - ls.x) / 2, y + hh + 40 * s_), kMuted, loading);
    a11y::node("##loading", a11y::Role::status, loading, ImVec2(x, y + hh + 30 * s_), ImVec2(x + w, y + hh + 60 * s_));
    return;
  }
  ImGui::SetCursorScreenPos(ImVec2(0, 0));
  draw_transcript(model, x, y + hh, w, h - hh - footer_h, now, out);
}

// ---- Details panel -------------------------------------------------------------------------------

void InboxView::draw_details(InboxModel& model, float x, float y, float w, float h, double now,
                             Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(ImVec2(x, y), ImVec2(x + w, y + h), kPanel);
  dl->AddLine(ImVec2(x + 0.5f * s_, y), ImVec2(x + 0.5f * s_, y + h), kLine, s_);
  const Conversation* c = model.open_conversation();
  if (!c) return;
  const ListItem* li = model.open_item();
  const float pad = 20 * s_;
  float yy = y + 20 * s_;
  const float right = x + w - pad;
  dl->PushClipRect(ImVec2(x, y), ImVec2(x + w, y + h), true);
  ImGui::PushID("##details");
  a11y::push("##details_box", a11y::Role::group, "");
  auto section = [&](const char* title) {
    text_at(dl, f.label, ImVec2(x + pad, yy), kMuted, title);
    a11y::node(title, a11y::Role::heading, title, ImVec2(x + pad, yy), ImVec2(right, yy + f.label->FontSize));
    yy += f.label->FontSize + 12 * s_;
  };
  auto row = [&](const char* label, const std::string& value, ImU32 dot = 0) {
    text_at(dl, f.small, ImVec2(x + pad, yy), kMuted, label);
    float vx = x + pad + 84 * s_;
    if (dot) {
      dl->AddCircleFilled(ImVec2(vx + 4 * s_, yy + f.small->FontSize / 2 + 1 * s_), 3.5f * s_, dot, 12);
      vx += 13 * s_;
    }
    const std::string& v = value.empty() ? std::string("\u2014") : value;
    text_clipped(dl, f.small, ImVec2(vx, yy), right, value.empty() ? kFaint : kText, kPanel, v.c_str());
    a11y::node(label, a11y::Role::text, std::string(label) + ": " + (value.empty() ? std::string("none") : value),
               ImVec2(x + pad, yy), ImVec2(right, yy + f.small->FontSize));
    yy += f.small->FontSize + 12 * s_;
  };
  section("CONTACT");
  const inbox::ContactDetails* k = model.open_contact();
  std::string name = li ? li->contact_name : std::string();
  if (name.empty() && k) name = k->name;
  row("Name", name.empty() ? std::string("Visitor") : name);
  row("Email", k ? k->email : li ? li->contact_email : std::string());
  if (k && !k->phone.empty()) row("Phone", k->phone);
  row("Channel", channel_label(c->channel));
  row("Page", !c->page_title.empty() ? c->page_title : c->page_url);
  row("Topic", c->topic);
  row("Priority", priority_word(c->priority), priority_color(c->priority));
  yy += 8 * s_;
  dl->AddLine(ImVec2(x + pad, yy), ImVec2(right, yy), kLine, s_);
  yy += 18 * s_;

  // The assistant's hand-off summary is shown once, where it happened: a card in the
  // transcript (issue 8, inbox defect 5), not here as well.
  section("CONVERSATION");
  row("Status", status_label(c->status), status_color(c->status));
  const InboxModel::Clock clock{};
  (void)clock;
  const Millis server_now = model.server_now(static_cast<Millis>(now));
  char buf[32];
  if (c->status == Status::pending && c->handed_off_at > 0) {
    InboxModel::format_wait(server_now - c->handed_off_at, buf, sizeof buf);
    row("Waiting", buf);
  } else if (c->assigned_at > 0 && c->handed_off_at > 0 && c->assigned_at >= c->handed_off_at) {
    InboxModel::format_wait(c->assigned_at - c->handed_off_at, buf, sizeof buf);
    row("Waited", buf);
  }
  row("Agent", c->assignee_name);
  if (!c->issue_type.empty()) row("Issue type", c->issue_type);
  const char* answered = c->answered_by == Answerer::external ? "External assistant"
                         : c->answered_by == Answerer::none   ? "Staff only"
                                                              : "Parley assistant";
  row("Answered by", answered);
  // The satisfaction survey (issue 9): the rating, its comment, and sending it again.
  if (c->status == Status::resolved) {
    row("Rating", c->csat_rating > 0 ? std::to_string(c->csat_rating) + " of 5" : std::string());
    if (!c->csat_comment.empty()) {
      user_text(dl, Face::small, ImVec2(x + pad + 84 * s_, yy), kText, c->csat_comment);
      a11y::node("##csat_comment", a11y::Role::text, "Comment: " + c->csat_comment, ImVec2(x + pad, yy),
                 ImVec2(right, yy + f.small->FontSize));
      yy += f.small->FontSize + 12 * s_;
    }
    if (model.can_request_csat()) {
      if (button("##request_csat", "Send survey again", ImVec2(x + pad, yy - 4 * s_), 30 * s_, ButtonStyle::secondary,
                 s_)) {
        out.request_csat = true;
      }
      yy += 38 * s_;
    }
  }
  // The conversation id, with a Copy action (issue 8, inbox defect 3).
  {
    const char* cl = "Copy";
    const ImVec2 cs = measure(f.small, cl);
    const ImVec2 csize(cs.x + 16 * s_, cs.y + 6 * s_);
    const ImVec2 cp(right - csize.x, yy - 3 * s_);
    text_at(dl, f.small, ImVec2(x + pad, yy), kMuted, "ID");
    text_clipped(dl, f.small, ImVec2(x + pad + 84 * s_, yy), cp.x - 6 * s_, kText, kPanel, c->id.c_str());
    bool ch = false;
    if (hit("##copy_id", cp, csize, &ch)) out.copy = c->id;
    if (a11y::node("##copy_id_a11y", a11y::Role::button, "Copy conversation ID " + c->id, cp,
                   ImVec2(cp.x + csize.x, cp.y + csize.y)))
      out.copy = c->id;
    expose("copy_id", cp, csize);
    dl->AddRectFilled(cp, ImVec2(cp.x + csize.x, cp.y + csize.y), ch ? kHover : kWhite, csize.y / 2);
    dl->AddRect(cp, ImVec2(cp.x + csize.x, cp.y + csize.y), kLine, csize.y / 2, 0, s_);
    text_at(dl, f.small, ImVec2(cp.x + 8 * s_, cp.y + 3 * s_), kAccent, cl);
    yy += f.small->FontSize + 12 * s_;
  }
  {  // issue 9: priority and issue type from the inbox (triage_view.hpp)
    TriageIntents ti;
    yy += draw_triage(model, x + pad, yy + 8 * s_, right - x - pad, s_, ti);
    out.set_priority = ti.priority;
    out.set_issue_type = ti.issue_type;
  }
  a11y::pop();
  ImGui::PopID();
  dl->PopClipRect();
}

// ---- Resolve panel -------------------------------------------------------------------------------

void InboxView::draw_resolve(InboxModel& model, Fields& fields, Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  const float w = AppShell::get().width(), h = AppShell::get().height();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(15, 23, 42, 90));
  ImGui::Begin("##resolve_modal", nullptr, kFullWindow);
  ImGui::PopStyleColor();
  ImGui::SetWindowFocus();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float cw = std::min(480 * s_, w - 32 * s_);
  const float note_h = std::clamp(note_css_, 60.0f, 180.0f) * s_;
  const auto& types = model.issue_types();
  // Issue type chips flow over lines.
  const float pad = 24 * s_;
  float chips_h = 0;
  {
    float cx = 0;
    int lines = 1;
    for (const std::string& t : types) {
      const float pw = client::text::measure(t, Face::small) + 26 * s_;
      if (cx + pw > cw - 2 * pad) {
        cx = 0;
        ++lines;
      }
      cx += pw + 8 * s_;
    }
    chips_h = lines * 36 * s_;
  }
  const float ch = pad + 24 * s_ + 34 * s_ + 20 * s_ + chips_h + 16 * s_ + 24 * s_ + note_h + 20 * s_ +
                   8 * s_ + 40 * s_ + 38 * s_ + pad;
  const ImVec2 a((w - cw) / 2, std::max(16 * s_, (h - ch) / 2));
  const ImVec2 b(a.x + cw, a.y + ch);
  dl->AddRectFilled(ImVec2(a.x, a.y + 4 * s_), ImVec2(b.x, b.y + 8 * s_), IM_COL32(15, 23, 42, 30), 14 * s_);
  dl->AddRectFilled(a, b, kWhite, 14 * s_);
  a11y::push("##dialog", a11y::Role::dialog, "Resolve conversation");
  float y = a.y + pad;
  text_at(dl, f.title, ImVec2(a.x + pad, y), kInk, "Resolve conversation");
  a11y::node("##title", a11y::Role::heading, "Resolve conversation", ImVec2(a.x + pad, y), ImVec2(b.x - pad, y + 22 * s_));
  y += 24 * s_;
  text_at(dl, f.small, ImVec2(a.x + pad, y), kMuted, "The customer is told the chat is closed.");
  a11y::node("##hint", a11y::Role::text, "The customer is told the chat is closed.", ImVec2(a.x + pad, y),
             ImVec2(b.x - pad, y + 18 * s_));
  y += 22 * s_ + 12 * s_;
  text_at(dl, f.label, ImVec2(a.x + pad, y), kText, "Issue type");
  y += 20 * s_;
  a11y::push("##types", a11y::Role::radiogroup, "Issue type");
  float cx = a.x + pad;
  for (std::size_t i = 0; i < types.size(); ++i) {
    const std::string& t = types[i];
    const float pw = client::text::measure(t, Face::small) + 26 * s_;
    if (cx + pw > b.x - pad) {
      cx = a.x + pad;
      y += 36 * s_;
    }
    const bool on = t == model.issue_type();
    ImGui::PushID(static_cast<int>(i));
    bool hovered = false;
    if (hit("##type", ImVec2(cx, y), ImVec2(pw, 28 * s_), &hovered)) out.issue_type = t;
    a11y::State st;
    st.checked = on ? 1 : 0;
    if (a11y::item(a11y::Role::radio, t, st)) out.issue_type = t;
    ImGui::PopID();
    expose("type:" + t, ImVec2(cx, y), ImVec2(pw, 28 * s_));
    const ImVec2 p1(cx + pw, y + 28 * s_);
    dl->AddRectFilled(ImVec2(cx, y), p1, on ? kAccent : hovered ? kHover : kWhite, 14 * s_);
    if (!on) dl->AddRect(ImVec2(cx, y), p1, IM_COL32(203, 213, 225, 255), 14 * s_, 0, s_);
    user_text(dl, Face::small, ImVec2(cx + 13 * s_, y + (28 * s_ - f.small->FontSize) / 2 - 1 * s_),
              on ? kWhite : kText, t);
    cx += pw + 8 * s_;
  }
  a11y::pop();
  y += 36 * s_ + 16 * s_;
  text_at(dl, f.label, ImVec2(a.x + pad, y), kText, "Resolution note");
  const char* opt = "staff only";
  text_at(dl, f.small, ImVec2(a.x + pad + measure(f.label, "Resolution note").x + 8 * s_, y + 1 * s_), kFaint,
          opt);
  y += 24 * s_;
  const ImVec2 na(a.x + pad, y), nb(b.x - pad, y + note_h + 20 * s_);
  const bool focused = focused_field_ == "resolve-note";
  dl->AddRect(na, nb, focused ? kAccent : IM_COL32(203, 213, 225, 255), 8 * s_, 0, s_);
  if (hit("##note_box", na, ImVec2(nb.x - na.x, nb.y - na.y))) out.focus_note = true;
  fields.note.place(
      {(na.x + 12 * s_) / s_, (na.y + 10 * s_) / s_, (nb.x - na.x - 24 * s_) / s_, note_h / s_});
  a11y::field(fields.note.id());
  y = nb.y + 8 * s_;
  text_at(dl, f.small, ImVec2(a.x + pad, y), kFaint, "Ctrl+Enter to resolve  \u00b7  Esc to cancel");
  a11y::node("##keys", a11y::Role::text, "Ctrl+Enter to resolve, Esc to cancel", ImVec2(a.x + pad, y),
             ImVec2(b.x - pad, y + 16 * s_));
  y += 16 * s_ + 24 * s_;
  const float bw = 110 * s_;
  if (button("##cancel_resolve", "Cancel", ImVec2(b.x - pad - 2 * bw - 10 * s_, y), 38 * s_,
             ButtonStyle::secondary, s_, bw)) {
    out.close_resolve = true;
  }
  if (button("##do_resolve", "Resolve", ImVec2(b.x - pad - bw, y), 38 * s_, ButtonStyle::primary, s_, bw)) {
    out.submit_resolve = true;
  }
  a11y::pop();
  // Clicking outside the card closes it. The backdrop is submitted after the card's controls:
  // of overlapping items ImGui lets the first one submitted take the mouse, so a backdrop
  // submitted first swallowed every click on the chips and buttons (issue 8, inbox defect 1).
  ImGui::SetCursorScreenPos(ImVec2(0, 0));
  const bool outside = ImGui::InvisibleButton("##backdrop", ImVec2(w, h));
  const ImVec2 mp = ImGui::GetIO().MousePos;
  if (outside && (mp.x < a.x || mp.x > b.x || mp.y < a.y || mp.y > b.y)) out.close_resolve = true;
  ImGui::End();
}

void InboxView::draw_flash(InboxModel& model, double now) {
  if (model.flash().empty()) return;
  const double age = now - static_cast<double>(model.flash_at());
  if (age > 6000 || age < -1000) return;
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  const float w = AppShell::get().width(), h = AppShell::get().height();
  const ImVec2 ts(client::text::measure(model.flash(), Face::body), f.body->FontSize);
  const ImVec2 size(ts.x + 40 * s_, ts.y + 22 * s_);
  const ImVec2 a((w - size.x) / 2, h - size.y - 28 * s_);
  dl->AddRectFilled(a, ImVec2(a.x + size.x, a.y + size.y), IM_COL32(15, 23, 42, 235), 10 * s_);
  client::text::draw(dl, model.flash(), Face::body, ImVec2(a.x + 20 * s_, a.y + 11 * s_), kWhite, 0);
  AppShell::get().invalidate_at(static_cast<double>(model.flash_at()) + 6100);
}

// ---- Frame ---------------------------------------------------------------------------------------

bool InboxView::draw(InboxModel& model, Fields& fields, double now, Intents& out) {
  AppShell& shell = AppShell::get();
  s_ = shell.scale();
  client::dom::set_cursor(client::dom::Cursor::arrow);
  begin_exposed_frame();
  const float w = shell.width(), h = shell.height();

  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, kWhite);
  ImGui::Begin("##inbox", nullptr, kFullWindow | ImGuiWindowFlags_NoBringToFrontOnFocus);
  ImGui::PopStyleColor();

  if (model.screen() != Screen::inbox) {
    fields.composer.hide();
    fields.note.hide();
    fields.search.hide();
    if (model.screen() == Screen::login) {
      draw_login(model, fields, now, out);
    } else {
      fields.user.hide();
      fields.password.hide();
    }
    ImGui::End();
    return false;
  }
  if (was_login_) {
    fields.user.hide();
    fields.password.hide();
    was_login_ = false;
  }

  // Below kNarrowCss px wide (a phone, 390 px) one column at a time: the lists, or the open
  // conversation with a Back button (issue 8, inbox defect 8). Wider: lists | conversation
  // (| details from 1180 px).
  const float css_w = w / s_;
  narrow_ = css_w < kNarrowCss;
  draw_topbar(model, w, out);
  const float top = 56 * s_;
  if (narrow_) {
    if (model.open_conversation()) {
      draw_conversation(model, fields, 0, top, w, h - top, now, out);
    } else {
      fields.composer.hide();
      draw_lists(model, 0, top, w, h - top, now, out);
    }
  } else {
    const float list_w = (css_w < 900 ? 280 : 340) * s_;
    const float details_w = css_w >= 1180 && model.open_conversation() ? 320 * s_ : 0;
    draw_lists(model, 0, top, list_w, h - top, now, out);
    ImGui::SetCursorScreenPos(ImVec2(0, 0));
    draw_conversation(model, fields, list_w, top, w - list_w - details_w, h - top, now, out);
    if (details_w > 0) draw_details(model, w - details_w, top, details_w, h - top, now, out);
  }
  ImGui::End();

  if (model.resolve_open()) {
    draw_resolve(model, fields, out);
    if (!was_resolve_open_) out.focus_note = true;
  } else {
    fields.note.hide();
  }
  if (model.transfer_open()) {  // issue 9
    TransferIntents ti;
    draw_transfer_dialog(model, s_, ti);
    out.transfer_choice = ti.choose;
    out.transfer_move = ti.move;
    out.submit_transfer = ti.submit;
    out.close_transfer = ti.cancel;
  }
  if (was_transfer_open_ && !model.transfer_open() && model.can_transfer()) a11y::focus(transfer_button_);
  was_transfer_open_ = model.transfer_open();
  // A cancelled dialog gives the keyboard back to the button that opened it.
  if (was_resolve_open_ && !model.resolve_open() && model.can_resolve()) a11y::focus(resolve_button_);
  was_resolve_open_ = model.resolve_open();
  draw_supervise(model, fields, out);  // issue 9: dashboard / conversations panels
  draw_flash(model, now);
  return model.customer_typing(static_cast<Millis>(now));
}

}  // namespace parley::inbox
