// The inbox's Admin area (admin_view.hpp).
#include "inbox/admin_view.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "common/a11y_mirror.hpp"
#include "common/app_shell.hpp"
#include "common/text.hpp"
#include "common/ui.hpp"
#include "imgui.h"

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
constexpr ImU32 kField = IM_COL32(203, 213, 225, 255);
constexpr ImU32 kHover = IM_COL32(241, 245, 249, 255);
constexpr ImU32 kAccent = IM_COL32(37, 99, 235, 255);
constexpr ImU32 kDanger = IM_COL32(220, 38, 38, 255);
constexpr ImU32 kGreen = IM_COL32(22, 163, 74, 255);
constexpr ImU32 kTopbarText = IM_COL32(226, 232, 240, 255);

ImU32 rgb_col(std::uint32_t rgb) {
  return IM_COL32((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF, 255);
}

bool button(const char* id, const std::string& label, ImVec2 p, ImVec2 size, bool primary, float s,
            a11y::State st = {}, ImU32 text_col = kText) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  bool hovered = false;
  bool pressed = hit(id, p, size, &hovered) && !st.disabled;
  if (a11y::item(a11y::Role::button, label, st) && !st.disabled) pressed = true;
  expose(id + 2, p, size);
  const ImVec2 q(p.x + size.x, p.y + size.y);
  const bool on = primary || st.pressed == 1;
  if (on) {
    dl->AddRectFilled(p, q, st.disabled ? kField : hovered ? IM_COL32(29, 78, 216, 255) : kAccent, 8 * s);
  } else {
    dl->AddRectFilled(p, q, hovered ? with_alpha(kWhite, 0.15f) : with_alpha(kWhite, 0.0f), 8 * s);
    dl->AddRect(p, q, hovered ? kAccent : kLine, 8 * s, 0, s);
  }
  client::text::draw_centred(dl, label, Face::label, p.x + size.x / 2,
                             p.y + (size.y - client::text::font_of(Face::label)->FontSize) / 2 - 1 * s,
                             on ? kWhite : text_col);
  return pressed;
}

float label_w(const std::string& label, float s) { return client::text::measure(label, Face::label) + 24 * s; }

// A labelled DOM input: its caption above, the box drawn on the canvas, the field placed inside.
void input(client::dom::Field& f, const char* caption, ImVec2 p, float w, const std::string& focused, float s,
           AdminIntents& out, bool enabled = true) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  client::text::draw(dl, caption, Face::small, p, kMuted);
  const ImVec2 a(p.x, p.y + 18 * s), b(p.x + w, p.y + 18 * s + 34 * s);
  dl->AddRect(a, b, focused == f.id() ? kAccent : kField, 8 * s, 0, s);
  if (!enabled) {
    f.hide();
    return;
  }
  ImGui::PushID(f.id());
  if (hit("##box", a, ImVec2(b.x - a.x, b.y - a.y))) out.focus_field = f.id();
  ImGui::PopID();
  f.place({(a.x + 10 * s) / s, (a.y + 5 * s) / s, (w - 20 * s) / s, 24});
  a11y::field(f.id());
}

// Radio chips (a radiogroup); returns the chosen value or "".
std::string chips(const char* group_id, const char* group_name, const char* const* values,
                  const char* const* labels, int n, const std::string& current, ImVec2 p, float s, bool enabled) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  std::string chosen;
  a11y::push(group_id, a11y::Role::radiogroup, group_name);
  float cx = p.x;
  for (int i = 0; i < n; ++i) {
    const bool on = current == values[i];
    const float pw = client::text::measure(labels[i], Face::small) + 26 * s;
    ImGui::PushID(values[i]);
    bool hovered = false;
    const ImVec2 size(pw, 28 * s);
    if (hit("##chip", ImVec2(cx, p.y), size, &hovered) && enabled) chosen = values[i];
    expose(std::string(group_id + 2) + ":" + values[i], ImVec2(cx, p.y), size);
    a11y::State st;
    st.checked = on ? 1 : 0;
    st.disabled = !enabled;
    if (a11y::item(a11y::Role::radio, labels[i], st) && enabled) chosen = values[i];
    ImGui::PopID();
    dl->AddRectFilled(ImVec2(cx, p.y), ImVec2(cx + pw, p.y + 28 * s), on ? kAccent : hovered ? kHover : kWhite,
                      14 * s);
    if (!on) dl->AddRect(ImVec2(cx, p.y), ImVec2(cx + pw, p.y + 28 * s), kLine, 14 * s, 0, s);
    client::text::draw(dl, labels[i], Face::small, ImVec2(cx + 13 * s, p.y + 6 * s), on ? kWhite : kText);
    cx += pw + 8 * s;
  }
  a11y::pop();
  return chosen;
}

void status_line(const AdminModel& m, ImVec2 a, ImVec2 b, float s) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const std::string line = m.busy() && m.status_line().empty() ? std::string("Loading\u2026") : m.status_line();
  const ImVec2 p(a.x + 24 * s, b.y - 34 * s);
  client::text::draw(dl, line, Face::small, p, m.status_is_error() ? kDanger : kGreen);
  a11y::node("##admin_status", a11y::Role::status, line, p, ImVec2(b.x - 24 * s, p.y + 18 * s));
}

void draw_users(const AdminModel& m, AdminFields& f, const std::string& self_id, const std::string& focused,
                ImVec2 a, ImVec2 b, float y, float s, AdminIntents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 24 * s;
  const float split = m.can_edit() ? a.x + (b.x - a.x) * 0.56f : b.x - pad;
  // The list.
  client::text::draw(dl, "Staff", Face::label, ImVec2(a.x + pad, y), kMuted);
  a11y::push("##admin_users", a11y::Role::list, "Staff of the tenant");
  float ry = y + 26 * s;
  for (const AdminModel::User& u : m.users()) {
    if (ry > b.y - 80 * s) break;
    ImGui::PushID(u.id.c_str());
    const std::string who = (u.name.empty() ? u.username : u.name) + " (" + u.username + ")";
    const std::string state = u.role + (u.disabled ? " \u00b7 deactivated" : "");
    a11y::push("##row", a11y::Role::listitem, who + ", " + state);
    client::text::draw(dl, who, Face::label, ImVec2(a.x + pad, ry + 4 * s), u.disabled ? kMuted : kText);
    client::text::draw(dl, state, Face::small, ImVec2(a.x + pad, ry + 24 * s), u.disabled ? kDanger : kMuted);
    float bx = split - pad;
    if (m.can_edit() && u.id != self_id) {
      const std::string label = u.disabled ? "Enable" : "Deactivate";
      const float bw = label_w(label, s);
      bx -= bw;
      if (button("##toggle", label, ImVec2(bx, ry + 4 * s), ImVec2(bw, 30 * s), false, s)) out.toggle_user = u.id;
      // Tests find the button by the user's name.
      expose("admin_toggle:" + u.username, ImVec2(bx, ry + 4 * s), ImVec2(bw, 30 * s));
      bx -= 8 * s;
    }
    if (m.can_edit()) {
      const std::string label = "Profile";
      const float bw = label_w(label, s);
      bx -= bw;
      a11y::State st;
      st.pressed = m.selected_user() == u.id ? 1 : 0;
      if (button("##profile", label, ImVec2(bx, ry + 4 * s), ImVec2(bw, 30 * s), false, s, st)) out.select_user = u.id;
      expose("admin_profile:" + u.username, ImVec2(bx, ry + 4 * s), ImVec2(bw, 30 * s));
    }
    a11y::pop();
    ImGui::PopID();
    dl->AddLine(ImVec2(a.x + pad, ry + 44 * s), ImVec2(split - pad, ry + 44 * s), kLine, s);
    ry += 48 * s;
  }
  a11y::pop();
  if (!m.can_edit()) {
    for (client::dom::Field* x : {&f.username, &f.display, &f.password, &f.skills, &f.teams, &f.user_capacity}) x->hide();
    return;
  }
  const float fx = split + 8 * s, fw = b.x - pad - fx;
  if (!m.selected_user().empty()) {
    // An agent's routing profile.
    f.username.hide(), f.display.hide(), f.password.hide();
    std::string who = m.selected_user();
    for (const AdminModel::User& u : m.users())
      if (u.id == who) who = u.name.empty() ? u.username : u.name;
    const std::string heading = "Routing profile of " + who;
    client::text::draw(dl, heading, Face::label, ImVec2(fx, y), kMuted);
    a11y::push("##admin_profile_form", a11y::Role::group, heading);
    float fy = y + 26 * s;
    input(f.skills, "Skills (comma-separated)", ImVec2(fx, fy), fw, focused, s, out);
    fy += 62 * s;
    input(f.teams, "Teams (team ids, comma-separated)", ImVec2(fx, fy), fw, focused, s, out);
    fy += 62 * s;
    input(f.user_capacity, "Capacity (empty = the default)", ImVec2(fx, fy), fw * 0.5f, focused, s, out);
    fy += 66 * s;
    // Issue 9: the user's role (PATCH /api/v1/users/{id}); a click changes it at once.
    if (const AdminModel::User* row = m.selected_row()) {
      static const char* const kRoleNames[] = {"Agent", "Supervisor", "Admin"};
      client::text::draw(dl, "Role", Face::small, ImVec2(fx, fy), kMuted);
      const std::string chosen = chips("##admin_user_role", ("Role of " + who).c_str(), AdminModel::kRoles, kRoleNames,
                                       3, row->role, ImVec2(fx, fy + 18 * s), s, true);
      if (!chosen.empty() && chosen != row->role) out.set_user_role = chosen;
      fy += 58 * s;
    }
    a11y::State st;
    st.disabled = !m.profile_dirty();
    if (button("##admin_save_profile", "Save profile", ImVec2(fx, fy), ImVec2(label_w("Save profile", s), 36 * s), true,
               s, st))
      out.save_profile = true;
    if (button("##admin_profile_done", "Done", ImVec2(fx + label_w("Save profile", s) + 10 * s, fy),
               ImVec2(label_w("Done", s), 36 * s), false, s))
      out.select_user = "-";
    a11y::pop();
    return;
  }
  f.skills.hide(), f.teams.hide(), f.user_capacity.hide();
  // The create form.
  client::text::draw(dl, "Add a staff member", Face::label, ImVec2(fx, y), kMuted);
  a11y::push("##admin_new_user", a11y::Role::group, "Add a staff member");
  float fy = y + 26 * s;
  input(f.username, "User name", ImVec2(fx, fy), fw, focused, s, out);
  fy += 62 * s;
  input(f.display, "Display name", ImVec2(fx, fy), fw, focused, s, out);
  fy += 62 * s;
  input(f.password, "Password (10+ characters)", ImVec2(fx, fy), fw, focused, s, out);
  fy += 62 * s;
  static const char* const kRoleLabels[] = {"Agent", "Supervisor", "Admin"};
  const std::string r = chips("##admin_role", "Role", AdminModel::kRoles, kRoleLabels, 3, m.new_role, ImVec2(fx, fy), s,
                              true);
  if (!r.empty()) out.new_role = r;
  fy += 42 * s;
  if (button("##admin_create_user", "Create user", ImVec2(fx, fy), ImVec2(fw, 36 * s), true, s)) out.create_user = true;
  a11y::pop();
}

void draw_preview(const AdminModel& m, ImVec2 p, ImVec2 q, float s) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const AdminModel::Look& l = m.draft;
  const ImU32 brand = rgb_col(m.preview_rgb());
  // A page of the customer's site, with the widget open in its corner.
  dl->AddRectFilled(p, q, IM_COL32(248, 250, 252, 255), 10 * s);
  dl->AddRect(p, q, kLine, 10 * s, 0, s);
  for (int i = 0; i < 4; ++i) {
    const float ly = p.y + 18 * s + i * 14 * s;
    dl->AddRectFilled(ImVec2(p.x + 16 * s, ly), ImVec2(p.x + (i % 2 ? 120 : 170) * s, ly + 6 * s), kLine, 3 * s);
  }
  const bool left = l.position == "left";
  const float ww = std::min(230 * s, q.x - p.x - 32 * s), wh = std::min(220 * s, q.y - p.y - 80 * s);
  const float wx = left ? p.x + 16 * s : q.x - 16 * s - ww;
  const float wy = q.y - 70 * s - wh;
  const ImVec2 wa(wx, wy), wb(wx + ww, wy + wh);
  dl->AddRectFilled(wa, wb, kWhite, 10 * s);
  dl->AddRect(wa, wb, kLine, 10 * s, 0, s);
  const ImVec2 ha = wa, hb(wb.x, wa.y + 40 * s);
  dl->AddRectFilled(ha, hb, brand, 10 * s, ImDrawFlags_RoundCornersTop);
  expose("admin_preview_header", ha, ImVec2(hb.x - ha.x, hb.y - ha.y));
  dl->PushClipRect(wa, wb, true);
  client::text::draw(dl, l.title, Face::label, ImVec2(wa.x + 12 * s, wa.y + 11 * s), kWhite);
  const std::vector<client::text::WrappedLine> lines = client::text::wrap(l.welcome, Face::small, ww - 44 * s, false);
  float by = hb.y + 12 * s;
  const float bh = std::max<float>(1, static_cast<float>(std::min<std::size_t>(lines.size(), 5))) * 17 * s + 12 * s;
  dl->AddRectFilled(ImVec2(wa.x + 10 * s, by), ImVec2(wb.x - 22 * s, by + bh), kHover, 10 * s);
  float ty = by + 6 * s;
  for (std::size_t i = 0; i < lines.size() && i < 5; ++i) {
    client::text::draw(dl, std::string_view(l.welcome).substr(lines[i].begin, lines[i].end - lines[i].begin),
                       Face::small, ImVec2(wa.x + 20 * s, ty), kText);
    ty += 17 * s;
  }
  by += bh + 8 * s;
  if (l.prechat_form) {
    for (const char* ph : {"Your name", "Your email"}) {
      dl->AddRect(ImVec2(wa.x + 10 * s, by), ImVec2(wb.x - 10 * s, by + 24 * s), kField, 6 * s, 0, s);
      client::text::draw(dl, ph, Face::small, ImVec2(wa.x + 18 * s, by + 4 * s), kMuted);
      by += 30 * s;
    }
  }
  dl->AddRectFilled(ImVec2(wa.x + 10 * s, wb.y - 34 * s), ImVec2(wb.x - 10 * s, wb.y - 8 * s), kHover, 6 * s);
  dl->PopClipRect();
  // The launcher.
  const float lr = 20 * s;
  const ImVec2 lc(left ? p.x + 16 * s + lr : q.x - 16 * s - lr, q.y - 16 * s - lr);
  dl->AddCircleFilled(lc, lr, brand, 32);
  expose("admin_preview_launcher", ImVec2(lc.x - lr, lc.y - lr), ImVec2(2 * lr, 2 * lr));
  char desc[320];
  std::snprintf(desc, sizeof desc, "Preview: the widget on the %s, colour %s, title %s%s", left ? "left" : "right",
                m.draft_color_valid() ? l.brand_color.c_str() : m.saved_look().brand_color.c_str(), l.title.c_str(),
                l.prechat_form ? ", with the pre-chat form" : "");
  a11y::node("##admin_preview", a11y::Role::text, desc, p, q);
}

void draw_widget(const AdminModel& m, AdminFields& f, const std::string& focused, const std::string& snippet,
                 ImVec2 a, ImVec2 b, float y, float s, AdminIntents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 24 * s;
  const float split = a.x + (b.x - a.x) * 0.52f;
  const float fx = a.x + pad, fw = split - fx - 12 * s;
  const bool edit = m.can_edit();
  if (!m.look_loaded()) {
    f.title.hide(), f.welcome.hide(), f.color.hide(), f.sites.hide();
    client::text::draw(dl, "Loading\u2026", Face::body, ImVec2(fx, y), kMuted);
    return;
  }
  a11y::push("##admin_look", a11y::Role::group, "The widget's look");
  float fy = y;
  if (edit) {
    input(f.title, "Title", ImVec2(fx, fy), fw, focused, s, out);
    fy += 62 * s;
    input(f.welcome, "Welcome text", ImVec2(fx, fy), fw, focused, s, out);
    fy += 62 * s;
    input(f.color, "Colour (#rrggbb)", ImVec2(fx, fy), fw * 0.5f, focused, s, out);
    if (!m.draft_color_valid())
      client::text::draw(dl, "not a colour yet", Face::small, ImVec2(fx + fw * 0.5f + 10 * s, fy + 27 * s), kDanger);
    fy += 62 * s;
    input(f.sites, "Allowed sites (comma-separated origins, or *)", ImVec2(fx, fy), fw, focused, s, out);
    fy += 62 * s;
  } else {
    f.title.hide(), f.welcome.hide(), f.color.hide(), f.sites.hide();
    const std::string lines[] = {"Title: " + m.draft.title, "Colour: " + m.draft.brand_color,
                                 "Allowed sites: " + (m.draft.allowed_sites.empty() ? "this site only" : m.draft.allowed_sites)};
    int i = 0;
    for (const std::string& l : lines) {
      client::text::draw(dl, l, Face::body, ImVec2(fx, fy), kText);
      char key[16];
      std::snprintf(key, sizeof key, "##ro%d", i++);
      a11y::node(key, a11y::Role::text, l, ImVec2(fx, fy), ImVec2(split, fy + 20 * s));
      fy += 28 * s;
    }
  }
  static const char* const kPos[] = {"right", "left"};
  static const char* const kPosLabels[] = {"Right corner", "Left corner"};
  client::text::draw(dl, "Position", Face::small, ImVec2(fx, fy), kMuted);
  const std::string pos = chips("##admin_position", "Position", kPos, kPosLabels, 2, m.draft.position,
                                ImVec2(fx, fy + 18 * s), s, edit);
  if (!pos.empty()) out.set_position = pos;
  a11y::State pre;
  pre.pressed = m.draft.prechat_form ? 1 : 0;
  pre.disabled = !edit;
  const std::string pl = "Pre-chat form";
  if (button("##admin_prechat", pl, ImVec2(fx + 230 * s, fy + 18 * s), ImVec2(label_w(pl, s), 28 * s), false, s, pre))
    out.toggle_prechat = 1;
  fy += 60 * s;
  if (edit) {
    a11y::State save;
    save.disabled = !m.look_dirty();
    if (button("##admin_save_look", "Save", ImVec2(fx, fy), ImVec2(110 * s, 36 * s), true, s, save)) out.save_look = true;
    a11y::State rev;
    rev.disabled = !m.look_dirty();
    if (button("##admin_revert_look", "Revert", ImVec2(fx + 120 * s, fy), ImVec2(100 * s, 36 * s), false, s, rev))
      out.revert_look = true;
    fy += 48 * s;
  }
  // The embed snippet.
  client::text::draw(dl, "Embed on your site", Face::small, ImVec2(fx, fy), kMuted);
  fy += 18 * s;
  const ImVec2 sa(fx, fy), sb(split - 12 * s, fy + 44 * s);
  dl->AddRectFilled(sa, sb, kHover, 6 * s);
  dl->PushClipRect(sa, sb, true);
  const auto sl = client::text::wrap(snippet, Face::small, sb.x - sa.x - 16 * s, false);
  float sy = sa.y + 5 * s;
  for (const auto& l : sl) {
    client::text::draw(dl, std::string_view(snippet).substr(l.begin, l.end - l.begin), Face::small,
                       ImVec2(sa.x + 8 * s, sy), kText);
    sy += 16 * s;
  }
  dl->PopClipRect();
  a11y::node("##admin_snippet", a11y::Role::text, "Embed snippet: " + snippet, sa, sb);
  fy += 50 * s;
  if (button("##admin_copy_snippet", "Copy snippet", ImVec2(fx, fy), ImVec2(label_w("Copy snippet", s), 32 * s), false,
             s))
    out.copy_snippet = true;
  a11y::pop();
  // The preview.
  client::text::draw(dl, "Preview", Face::small, ImVec2(split + 12 * s, y - 2 * s), kMuted);
  draw_preview(m, ImVec2(split + 12 * s, y + 18 * s), ImVec2(b.x - pad, b.y - 52 * s), s);
}

void draw_routing(const AdminModel& m, AdminFields& f, const std::string& focused, ImVec2 a, ImVec2 b, float y,
                  float s, AdminIntents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 24 * s;
  const float split = a.x + (b.x - a.x) * 0.5f;
  const float fx = a.x + pad, fw = split - fx - 16 * s;
  const bool edit = m.can_edit();
  // Routing.
  client::text::draw(dl, "Routing", Face::label, ImVec2(fx, y), kMuted);
  a11y::push("##admin_routing", a11y::Role::group, "Routing");
  float fy = y + 24 * s;
  if (!m.routing_loaded()) {
    for (client::dom::Field* x : {&f.capacity, &f.threshold, &f.unanswered, &f.idle}) x->hide();
    client::text::draw(dl, "Loading…", Face::body, ImVec2(fx, fy), kMuted);
  } else {
    static const char* const kModeLabels[] = {"Manual pick-up", "Round robin", "Least busy", "Skills"};
    client::text::draw(dl, "Who gets a new chat", Face::small, ImVec2(fx, fy), kMuted);
    const std::string md = chips("##admin_mode", "Routing mode", AdminModel::kModes, kModeLabels, 4,
                                 m.routing_draft.mode, ImVec2(fx, fy + 18 * s), s, edit);
    if (!md.empty()) out.set_mode = md;
    fy += 58 * s;
    const float hw = (fw - 12 * s) / 2;
    if (edit) {
      input(f.capacity, "Default capacity (chats)", ImVec2(fx, fy), hw, focused, s, out);
      input(f.threshold, "Waiting threshold (s)", ImVec2(fx + hw + 12 * s, fy), hw, focused, s, out);
      fy += 62 * s;
      input(f.unanswered, "Re-offer after (s)", ImVec2(fx, fy), hw, focused, s, out);
      input(f.idle, "Auto-away after (s)", ImVec2(fx + hw + 12 * s, fy), hw, focused, s, out);
      fy += 66 * s;
      a11y::State st;
      st.disabled = !m.routing_dirty();
      if (button("##admin_save_routing", "Save routing", ImVec2(fx, fy), ImVec2(label_w("Save routing", s), 36 * s), true,
                 s, st))
        out.save_routing = true;
    } else {
      const AdminModel::Routing& r = m.saved_routing();
      const std::string lines[] = {"Default capacity: " + r.default_capacity + " chats",
                                   "Waiting threshold: " + r.wait_threshold_s + " s",
                                   "Re-offer unanswered after: " + r.unanswered_s + " s",
                                   "Auto-away after: " + r.idle_away_s + " s"};
      int i = 0;
      for (const std::string& l : lines) {
        client::text::draw(dl, l, Face::body, ImVec2(fx, fy), kText);
        char key[16];
        std::snprintf(key, sizeof key, "##rro%d", i++);
        a11y::node(key, a11y::Role::text, l, ImVec2(fx, fy), ImVec2(split, fy + 20 * s));
        fy += 28 * s;
      }
    }
  }
  a11y::pop();
  // Service: the survey question, the offline message, issue types.
  const float sx = split + 8 * s, sw = b.x - pad - sx;
  client::text::draw(dl, "Service", Face::label, ImVec2(sx, y), kMuted);
  a11y::push("##admin_service", a11y::Role::group, "Service");
  fy = y + 24 * s;
  if (!m.look_loaded() || !edit) {
    for (client::dom::Field* x : {&f.csat, &f.offline, &f.issues}) x->hide();
    if (m.look_loaded()) {
      const AdminModel::Service& v = m.saved_service();
      const std::string lines[] = {"Survey question: " + v.csat_question,
                                   "Offline message: " + (v.offline_message.empty() ? std::string("the default") : v.offline_message),
                                   "Issue types: " + v.issue_types};
      int i = 0;
      for (const std::string& l : lines) {
        client::text::draw(dl, l, Face::body, ImVec2(sx, fy), kText);
        char key[16];
        std::snprintf(key, sizeof key, "##sro%d", i++);
        a11y::node(key, a11y::Role::text, l, ImVec2(sx, fy), ImVec2(b.x - pad, fy + 20 * s));
        fy += 28 * s;
      }
    }
  } else {
    input(f.csat, "Satisfaction survey question", ImVec2(sx, fy), sw, focused, s, out);
    fy += 62 * s;
    input(f.offline, "Offline message (empty = the default)", ImVec2(sx, fy), sw, focused, s, out);
    fy += 62 * s;
    input(f.issues, "Issue types (comma-separated)", ImVec2(sx, fy), sw, focused, s, out);
    fy += 66 * s;
    a11y::State st;
    st.disabled = !m.service_dirty();
    if (button("##admin_save_service", "Save service", ImVec2(sx, fy), ImVec2(label_w("Save service", s), 36 * s), true,
               s, st))
      out.save_service = true;
  }
  a11y::pop();
}

void draw_teams(const AdminModel& m, AdminFields& f, const std::string& focused, ImVec2 a, ImVec2 b, float y, float s,
                AdminIntents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 24 * s;
  const float split = m.can_edit() ? a.x + (b.x - a.x) * 0.44f : b.x - pad;
  client::text::draw(dl, "Teams", Face::label, ImVec2(a.x + pad, y), kMuted);
  a11y::push("##admin_teams", a11y::Role::list, "Teams");
  float ry = y + 26 * s;
  if (m.teams().empty()) {
    client::text::draw(dl, "No teams yet.", Face::body, ImVec2(a.x + pad, ry), kMuted);
    a11y::node("##no_teams", a11y::Role::text, "No teams yet.", ImVec2(a.x + pad, ry), ImVec2(split, ry + 20 * s));
  }
  for (const AdminModel::Team& t : m.teams()) {
    if (ry > b.y - 80 * s) break;
    ImGui::PushID(t.id.c_str());
    const std::string who = t.name + " (" + t.id + ")";
    const std::string info = (t.mode.empty() ? std::string("the tenant's routing") : t.mode) +
                             (t.owns_queue ? " · owns a queue" : "");
    a11y::push("##row", a11y::Role::listitem, who + ", " + info);
    client::text::draw(dl, who, Face::label, ImVec2(a.x + pad, ry + 4 * s), kText);
    client::text::draw(dl, info, Face::small, ImVec2(a.x + pad, ry + 24 * s), kMuted);
    if (m.can_edit()) {
      const float bw = label_w("Edit", s);
      a11y::State st;
      st.pressed = m.team_draft.id == t.id ? 1 : 0;
      if (button("##edit", "Edit", ImVec2(split - pad - bw, ry + 4 * s), ImVec2(bw, 30 * s), false, s, st))
        out.edit_team = t.id;
      expose("admin_team_edit:" + t.id, ImVec2(split - pad - bw, ry + 4 * s), ImVec2(bw, 30 * s));
    }
    a11y::pop();
    ImGui::PopID();
    dl->AddLine(ImVec2(a.x + pad, ry + 44 * s), ImVec2(split - pad, ry + 44 * s), kLine, s);
    ry += 48 * s;
  }
  a11y::pop();
  if (!m.can_edit()) {
    f.team_id.hide(), f.team_name.hide();
    return;
  }
  const float fx = split + 8 * s, fw = b.x - pad - fx;
  client::text::draw(dl, "Create or change a team", Face::label, ImVec2(fx, y), kMuted);
  a11y::push("##admin_team_form", a11y::Role::group, "Create or change a team");
  float fy = y + 26 * s;
  input(f.team_id, "Team id (letters, digits, - _)", ImVec2(fx, fy), fw * 0.45f, focused, s, out);
  input(f.team_name, "Name", ImVec2(fx + fw * 0.45f + 12 * s, fy), fw * 0.55f - 12 * s, focused, s, out);
  fy += 62 * s;
  static const char* const kTeamModes[] = {"default", "manual", "round_robin", "least_busy", "skills"};
  static const char* const kTeamModeLabels[] = {"Tenant's", "Manual", "Round robin", "Least busy", "Skills"};
  client::text::draw(dl, "Routing among its members", Face::small, ImVec2(fx, fy), kMuted);
  const std::string md = chips("##admin_team_mode", "Team routing mode", kTeamModes, kTeamModeLabels, 5,
                               m.team_draft.mode.empty() ? std::string("default") : m.team_draft.mode,
                               ImVec2(fx, fy + 18 * s), s, true);
  if (!md.empty()) out.team_mode = md;
  fy += 58 * s;
  a11y::State oq;
  oq.pressed = m.team_draft.owns_queue ? 1 : 0;
  if (button("##admin_team_queue", "Owns a queue", ImVec2(fx, fy), ImVec2(label_w("Owns a queue", s), 32 * s), false, s, oq))
    out.toggle_owns_queue = true;
  fy += 46 * s;
  if (button("##admin_save_team", "Save team", ImVec2(fx, fy), ImVec2(label_w("Save team", s), 36 * s), true, s))
    out.save_team = true;
  if (button("##admin_new_team", "New team", ImVec2(fx + label_w("Save team", s) + 10 * s, fy),
             ImVec2(label_w("New team", s), 36 * s), false, s))
    out.edit_team = "-";
  a11y::pop();
}

// Issue 9: invite by e-mail (address + role) and the pending invitations with Revoke.
void draw_invitations(const AdminModel& m, AdminFields& f, const std::string& focused, ImVec2 a, ImVec2 b, float y,
                      float s, AdminIntents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 24 * s;
  const float fx = a.x + pad, fw = b.x - a.x - 2 * pad;
  a11y::push("##admin_invite", a11y::Role::group, "Invite by e-mail");
  client::text::draw(dl, "Invite by e-mail", Face::label, ImVec2(fx, y), kMuted);
  y += 24 * s;
  input(f.invite_email, "E-mail address", ImVec2(fx, y), fw * 0.45f, focused, s, out);
  static const char* const kRoleLabels[] = {"Agent", "Supervisor", "Admin"};
  const std::string r = chips("##admin_invite_role", "Role of the invited person", AdminModel::kRoles, kRoleLabels, 3,
                              m.invite_role, ImVec2(fx + fw * 0.45f + 12 * s, y + 20 * s), s, true);
  if (!r.empty()) out.invite_role = r;
  const float bw = label_w("Send invitation", s);
  if (button("##admin_send_invite", "Send invitation", ImVec2(b.x - pad - bw, y + 18 * s), ImVec2(bw, 34 * s), true, s))
    out.send_invite = true;
  a11y::pop();
  y += 72 * s;
  client::text::draw(dl, "The person gets a link, usable once, to choose a user name and password. Pending invitations:",
                     Face::small, ImVec2(fx, y), kMuted);
  y += 24 * s;
  const std::vector<AdminModel::Invitation> pending = m.pending_invitations();
  a11y::push("##admin_invitations", a11y::Role::list, "Pending invitations");
  if (pending.empty()) {
    client::text::draw(dl, "None.", Face::small, ImVec2(fx, y + 4 * s), kMuted);
    a11y::node("##admin_no_invitations", a11y::Role::text, "No pending invitations", ImVec2(fx, y),
               ImVec2(fx + 200 * s, y + 20 * s));
  }
  for (const AdminModel::Invitation& i : pending) {
    if (y > b.y - 80 * s) break;
    ImGui::PushID(i.id.c_str());
    a11y::push("##row", a11y::Role::listitem, i.email + ", " + i.role + ", pending");
    client::text::draw(dl, i.email, Face::label, ImVec2(fx, y + 4 * s), kText);
    client::text::draw(dl, i.role, Face::small, ImVec2(fx + 360 * s, y + 6 * s), kMuted);
    const float rw = label_w("Revoke", s);
    if (button("##revoke", "Revoke", ImVec2(b.x - pad - rw, y), ImVec2(rw, 30 * s), false, s, {}, kDanger))
      out.revoke_invite = i.id;
    expose("admin_revoke_invite:" + i.email, ImVec2(b.x - pad - rw, y), ImVec2(rw, 30 * s));
    a11y::pop();
    ImGui::PopID();
    dl->AddLine(ImVec2(fx, y + 36 * s), ImVec2(b.x - pad, y + 36 * s), kLine, s);
    y += 40 * s;
  }
  a11y::pop();
}

std::string age(std::int64_t at) {
  if (at <= 0) return "never used";
  return "used";
}

void draw_keys(const AdminModel& m, AdminFields& f, const std::string& focused, ImVec2 a, ImVec2 b, float y, float s,
               AdminIntents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 24 * s;
  const float fx = a.x + pad, fw = b.x - a.x - 2 * pad;
  a11y::push("##admin_new_key", a11y::Role::group, "Create an API key");
  input(f.keyname, "Key name", ImVec2(fx, y), fw * 0.4f, focused, s, out);
  float sx = fx + fw * 0.4f + 12 * s;
  a11y::push("##admin_scopes", a11y::Role::group, "Scopes");
  for (int i = 0; i < 4; ++i) {
    ImGui::PushID(i);
    a11y::State st;
    st.pressed = m.new_key_scope[i] ? 1 : 0;
    const std::string label = AdminModel::kScopes[i];
    const float bw = label_w(label, s);
    if (button("##scope", label, ImVec2(sx, y + 18 * s), ImVec2(bw, 34 * s), false, s, st)) out.toggle_scope = i;
    expose(std::string("admin_scope:") + AdminModel::kScopes[i], ImVec2(sx, y + 18 * s), ImVec2(bw, 34 * s));
    ImGui::PopID();
    sx += bw + 6 * s;
  }
  a11y::pop();
  if (button("##admin_create_key", "Create key", ImVec2(sx + 6 * s, y + 18 * s), ImVec2(label_w("Create key", s), 34 * s),
             true, s))
    out.create_key = true;
  a11y::pop();
  y += 66 * s;
  if (!m.new_secret().empty()) {
    const ImVec2 ka(fx, y), kb(b.x - pad, y + 64 * s);
    dl->AddRectFilled(ka, kb, IM_COL32(254, 249, 195, 255), 8 * s);
    client::text::draw(dl, "The new key (shown once):", Face::small, ImVec2(fx + 10 * s, y + 6 * s), kText);
    client::text::draw(dl, m.new_secret(), Face::label, ImVec2(fx + 10 * s, y + 26 * s), kInk);
    a11y::node("##admin_secret", a11y::Role::text, "The new key, shown once: " + m.new_secret(), ka, kb);
    const float cw = label_w("Copy key", s), dw = label_w("Done", s);
    if (button("##admin_copy_secret", "Copy key", ImVec2(kb.x - cw - dw - 18 * s, y + 16 * s), ImVec2(cw, 32 * s), true,
               s))
      out.copy_secret = true;
    if (button("##admin_forget_secret", "Done", ImVec2(kb.x - dw - 10 * s, y + 16 * s), ImVec2(dw, 32 * s), false, s))
      out.forget_secret = true;
    y += 74 * s;
  }
  client::text::draw(dl, "Keys", Face::label, ImVec2(fx, y), kMuted);
  y += 24 * s;
  a11y::push("##admin_keys", a11y::Role::list, "API keys");
  for (const AdminModel::Key& k : m.keys()) {
    if (y > b.y - 80 * s) break;
    ImGui::PushID(k.id.c_str());
    const std::string info = (k.scopes.empty() ? std::string("no scopes") : k.scopes) + " \u00b7 " +
                             (k.revoked ? std::string("revoked") : age(k.last_used_at));
    a11y::push("##row", a11y::Role::listitem, k.name + ", " + info);
    client::text::draw(dl, k.name, Face::label, ImVec2(fx, y + 4 * s), k.revoked ? kMuted : kText);
    client::text::draw(dl, info, Face::small, ImVec2(fx + 260 * s, y + 6 * s), k.revoked ? kDanger : kMuted);
    if (!k.revoked) {
      const float bw = label_w("Revoke", s);
      if (button("##revoke", "Revoke", ImVec2(b.x - pad - bw, y), ImVec2(bw, 30 * s), false, s, {}, kDanger))
        out.revoke_key = k.id;
      expose("admin_revoke:" + k.name, ImVec2(b.x - pad - bw, y), ImVec2(bw, 30 * s));
    }
    a11y::pop();
    ImGui::PopID();
    dl->AddLine(ImVec2(fx, y + 36 * s), ImVec2(b.x - pad, y + 36 * s), kLine, s);
    y += 40 * s;
  }
  a11y::pop();
}

}  // namespace

float draw_admin_button(float right, float bar_h, float s, bool& open) {
  const float bh = 32 * s;
  const float bw = label_w("Admin", s);
  const float rx = right - bw;
  if (button("##open_admin", "Admin", ImVec2(rx, (bar_h - bh) / 2), ImVec2(bw, bh), false, s, {}, kTopbarText))
    open = true;
  return rx - 8 * s;
}

void draw_admin(const AdminModel& m, AdminFields& fields, const std::string& self_id, const std::string& focused,
                const std::string& origin, float s, AdminIntents& out) {
  draw_admin(m, fields, self_id, focused, origin, s, out, nullptr, nullptr, nullptr);
}

void draw_admin(const AdminModel& m, AdminFields& fields, const std::string& self_id, const std::string& focused,
                const std::string& origin, float s, AdminIntents& out, const KbAdminModel* kb, KbAdminFields* kb_fields,
                KbAdminIntents* kb_out) {
  if (!m.is_open()) {
    fields.hide_all();
    if (kb_fields) kb_fields->hide_all();
    return;
  }
  const float w = AppShell::get().width(), h = AppShell::get().height();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(15, 23, 42, 90));
  ImGui::Begin("##admin_modal", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoScrollWithMouse);
  ImGui::PopStyleColor();
  ImGui::SetWindowFocus();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float cw = std::min(940 * s, w - 24 * s), ch = std::min(660 * s, h - 24 * s);
  const ImVec2 a((w - cw) / 2, std::max(12 * s, (h - ch) / 2)), b(a.x + cw, a.y + ch);
  dl->AddRectFilled(a, b, kWhite, 14 * s);
  a11y::push("##admin_dialog", a11y::Role::dialog, "Admin");
  client::text::draw(dl, "Admin", Face::title, ImVec2(a.x + 24 * s, a.y + 20 * s), kInk);
  a11y::node("##admin_title", a11y::Role::heading, "Admin", ImVec2(a.x + 24 * s, a.y + 20 * s),
             ImVec2(a.x + 120 * s, a.y + 44 * s));
  // Tabs.
  static const char* const kTabValues[] = {"users", "widget", "routing", "teams", "keys", "invitations", "kb"};
  static const char* const kTabLabels[] = {"Users",   "Widget",   "Routing",     "Teams",
                                           "API keys", "Invitations", "Knowledge base"};
  const int n_tabs = m.can_edit() ? (kb ? 7 : 6) : 4;
  const std::string cur = kTabValues[static_cast<int>(m.tab())];
  const std::string t = chips("##admin_tabs", "Section", kTabValues, kTabLabels, n_tabs, cur,
                              ImVec2(a.x + 130 * s, a.y + 22 * s), s, true);
  for (int i = 0; i < n_tabs; ++i)
    if (t == kTabValues[i]) out.tab = i;
  const float y = a.y + 72 * s;
  dl->AddLine(ImVec2(a.x + 24 * s, y - 10 * s), ImVec2(b.x - 24 * s, y - 10 * s), kLine, s);
  // Fields of the other tabs are hidden.
  if (m.tab() != AdminModel::Tab::users) {
    for (client::dom::Field* x : {&fields.username, &fields.display, &fields.password, &fields.skills, &fields.teams,
                                  &fields.user_capacity})
      x->hide();
  }
  if (m.tab() != AdminModel::Tab::widget) fields.title.hide(), fields.welcome.hide(), fields.color.hide(), fields.sites.hide();
  if (m.tab() != AdminModel::Tab::keys) fields.keyname.hide();
  if (m.tab() != AdminModel::Tab::invitations) fields.invite_email.hide();
  if (m.tab() != AdminModel::Tab::teams) fields.team_id.hide(), fields.team_name.hide();
  if (m.tab() != AdminModel::Tab::kb && kb_fields) kb_fields->hide_all();
  if (m.tab() != AdminModel::Tab::routing) {
    for (client::dom::Field* x : {&fields.capacity, &fields.threshold, &fields.unanswered, &fields.idle, &fields.csat,
                                  &fields.offline, &fields.issues})
      x->hide();
  }
  switch (m.tab()) {
    case AdminModel::Tab::users:
      draw_users(m, fields, self_id, focused, a, b, y, s, out);
      break;
    case AdminModel::Tab::widget: {
      draw_widget(m, fields, focused, m.embed_snippet(origin), a, b, y, s, out);
      break;
    }
    case AdminModel::Tab::routing:
      draw_routing(m, fields, focused, a, b, y, s, out);
      break;
    case AdminModel::Tab::teams:
      draw_teams(m, fields, focused, a, b, y, s, out);
      break;
    case AdminModel::Tab::keys:
      draw_keys(m, fields, focused, a, b, y, s, out);
      break;
    case AdminModel::Tab::kb:  // issue 10
      if (kb && kb_fields && kb_out) draw_kb_admin(*kb, *kb_fields, focused, a, b, y, s, *kb_out);
      break;
    case AdminModel::Tab::invitations:
      draw_invitations(m, fields, focused, a, b, y, s, out);
      break;
  }
  status_line(m, a, b, s);
  const float bw = 84 * s;
  if (button("##admin_close", "Close", ImVec2(b.x - 24 * s - bw, a.y + 16 * s), ImVec2(bw, 32 * s), false, s))
    out.close = true;
  a11y::pop();
  ImGui::SetCursorScreenPos(ImVec2(0, 0));
  const bool outside = ImGui::InvisibleButton("##admin_backdrop", ImVec2(w, h));
  const ImVec2 mp = ImGui::GetIO().MousePos;
  if (outside && (mp.x < a.x || mp.x > b.x || mp.y < a.y || mp.y > b.y)) out.close = true;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)) || a11y::take_escape()) out.close = true;
  ImGui::End();
}

}  // namespace parley::inbox
