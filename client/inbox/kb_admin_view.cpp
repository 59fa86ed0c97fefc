// The Admin area's Knowledge base tab (kb_admin_view.hpp).
#include "inbox/kb_admin_view.hpp"

#include <algorithm>
#include <string>
#include <string_view>

#include "common/a11y_mirror.hpp"
#include "common/text.hpp"
#include "common/ui.hpp"

namespace parley::inbox {
namespace {
using client::text::Face;
using namespace client::ui;
namespace a11y = client::a11y;

constexpr ImU32 kWhite = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kText = IM_COL32(30, 41, 59, 255);
constexpr ImU32 kMuted = IM_COL32(100, 116, 139, 255);
constexpr ImU32 kLine = IM_COL32(226, 232, 240, 255);
constexpr ImU32 kField = IM_COL32(203, 213, 225, 255);
constexpr ImU32 kHover = IM_COL32(241, 245, 249, 255);
constexpr ImU32 kSelected = IM_COL32(219, 234, 254, 255);
constexpr ImU32 kAccent = IM_COL32(37, 99, 235, 255);
constexpr ImU32 kDanger = IM_COL32(220, 38, 38, 255);
constexpr ImU32 kGreen = IM_COL32(22, 163, 74, 255);

bool button(const char* id, const std::string& label, ImVec2 p, ImVec2 size, bool primary, float s, a11y::State st = {},
            ImU32 text_col = kText) {
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
    dl->AddRectFilled(p, q, hovered ? kHover : kWhite, 8 * s);
    dl->AddRect(p, q, hovered ? kAccent : kLine, 8 * s, 0, s);
  }
  client::text::draw_centred(dl, label, Face::label, p.x + size.x / 2,
                             p.y + (size.y - client::text::font_of(Face::label)->FontSize) / 2 - 1 * s,
                             on ? kWhite : text_col);
  return pressed;
}

float label_w(const std::string& label, float s) { return client::text::measure(label, Face::label) + 24 * s; }

// A labelled DOM field: its caption above, the box drawn on the canvas, the field placed inside.
void input(client::dom::Field& f, const char* caption, ImVec2 p, float w, float h, const std::string& focused, float s,
           bool enabled, bool problem, KbAdminIntents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  client::text::draw(dl, caption, Face::small, p, problem ? kDanger : kMuted);
  const ImVec2 a(p.x, p.y + 18 * s), b(p.x + w, p.y + 18 * s + h);
  dl->AddRect(a, b, problem ? kDanger : focused == f.id() ? kAccent : kField, 8 * s, 0, s);
  if (!enabled) {
    f.hide();
    return;
  }
  ImGui::PushID(f.id());
  if (hit("##box", a, ImVec2(b.x - a.x, b.y - a.y))) out.focus_field = f.id();
  ImGui::PopID();
  f.place({(a.x + 10 * s) / s, (a.y + 5 * s) / s, (w - 20 * s) / s, (h - 10 * s) / s});
  a11y::field(f.id());
}

// A search passage without its ** markers.
std::string plain(std::string_view marked) {
  std::string out;
  for (std::size_t i = 0; i < marked.size(); ++i) {
    if (marked[i] == '*' && i + 1 < marked.size() && marked[i + 1] == '*') {
      ++i;
      continue;
    }
    out += marked[i];
  }
  return out;
}

// `text` cut (between code points) to fit `max_w`, with an ellipsis when it was cut.
std::string fit(const std::string& text, Face f, float max_w) {
  if (client::text::measure(text, f) <= max_w) return text;
  std::string t = text;
  while (!t.empty()) {
    while (!t.empty() && (static_cast<unsigned char>(t.back()) & 0xC0) == 0x80) t.pop_back();  // a tail
    if (!t.empty()) t.pop_back();  // and its lead byte: one code point less
    if (client::text::measure(t + "\u2026", f) <= max_w) return t + "\u2026";
  }
  return t;
}

std::string meta_of(const KbAdminModel::Row& r) {
  std::string meta = r.category.empty() ? std::string("No category") : r.category;
  meta += " \u00b7 ";
  meta += r.language.empty() ? std::string("any language") : r.language;
  meta += r.active ? " \u00b7 active" : " \u00b7 inactive";
  meta += " \u00b7 " + KbAdminModel::uses_text(r.usage_count);
  return meta;
}

void draw_list(const KbAdminModel& m, KbAdminFields& f, const std::string& focused, ImVec2 a, ImVec2 b, float y,
               float split, float s, KbAdminIntents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 24 * s;
  const float lx = a.x + pad, lw = split - lx - 12 * s;
  float nw = 0;
  if (m.can_edit()) {
    nw = label_w("New article", s);
    if (button("##kb_new", "New article", ImVec2(split - 12 * s - nw, y + 18 * s), ImVec2(nw, 34 * s), false, s))
      out.new_article = true;
  }
  input(f.search, "Search articles", ImVec2(lx, y), lw - (nw > 0 ? nw + 8 * s : 0), 34 * s, focused, s, true, false, out);
  y += 62 * s;
  const std::string heading = m.searching() ? "Best matches" : (m.loading() ? "Articles (loading\u2026)" : "Articles");
  client::text::draw(dl, heading, Face::small, ImVec2(lx, y), kMuted);
  y += 20 * s;
  a11y::push("##kb_list", a11y::Role::list, m.searching() ? "Articles matching the search" : "Knowledge-base articles");
  if (m.rows().empty()) {
    const std::string none = m.searching() ? "No article matches." : (m.loading() ? "Loading\u2026" : "No articles yet.");
    client::text::draw(dl, none, Face::label, ImVec2(lx, y + 4 * s), kMuted);
    a11y::node("##kb_none", a11y::Role::text, none, ImVec2(lx, y), ImVec2(lx + lw, y + 24 * s));
  }
  const float row_h = (m.searching() ? 70 : 50) * s;
  for (const KbAdminModel::Row& r : m.rows()) {
    if (y + row_h > b.y - 44 * s) break;
    ImGui::PushID(r.id.c_str());
    const std::string meta = meta_of(r);
    const std::string passage = plain(r.passage);
    a11y::push("##row", a11y::Role::listitem, r.title);
    bool hovered = false;
    const ImVec2 p(lx, y), size(lw, row_h - 4 * s);
    a11y::State st;
    st.current = r.id == m.selected();
    bool open = hit("##open", p, size, &hovered);
    if (a11y::item(a11y::Role::button, r.title + ", " + meta + (passage.empty() ? "" : ": " + passage), st)) open = true;
    expose("kb_row:" + r.id, p, size);
    if (open) out.open = r.id;
    dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), st.current ? kSelected : hovered ? kHover : kWhite, 8 * s);
    const float tw = lw - 20 * s;
    client::text::draw(dl, fit(r.title, Face::label, tw), Face::label, ImVec2(lx + 10 * s, y + 4 * s), r.active ? kText : kMuted);
    client::text::draw(dl, fit(meta, Face::small, tw), Face::small, ImVec2(lx + 10 * s, y + 26 * s), r.active ? kMuted : kDanger);
    if (!passage.empty()) {
      client::text::draw(dl, fit(passage, Face::small, tw), Face::small, ImVec2(lx + 10 * s, y + 46 * s), kText);
    }
    a11y::pop();
    ImGui::PopID();
    y += row_h;
  }
  a11y::pop();
}

void draw_editor(const KbAdminModel& m, KbAdminFields& f, const std::string& focused, ImVec2 /*a*/, ImVec2 b, float y,
                 float split, float s, KbAdminIntents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 24 * s;
  const float ex = split + 12 * s, ew = b.x - pad - ex;
  if (!m.editing()) {
    for (client::dom::Field* x : f.editor()) x->hide();
    const std::string hint = m.can_edit() ? "Choose an article to edit it, or make a new one." : "Choose an article to read it.";
    client::text::draw(dl, hint, Face::label, ImVec2(ex, y + 8 * s), kMuted);
    a11y::node("##kb_hint", a11y::Role::text, hint, ImVec2(ex, y), ImVec2(ex + ew, y + 30 * s));
    return;
  }
  const std::string heading = m.is_new() ? "New article" : (m.draft_loaded() ? "Edit article" : "Loading\u2026");
  a11y::push("##kb_editor", a11y::Role::group, heading);
  client::text::draw(dl, heading, Face::label, ImVec2(ex, y), kText);
  a11y::node("##kb_editor_heading", a11y::Role::heading, heading, ImVec2(ex, y), ImVec2(ex + ew, y + 22 * s));
  const float cw = label_w("Close", s);
  if (button("##kb_close_editor", "Close", ImVec2(b.x - pad - cw, y - 4 * s), ImVec2(cw, 30 * s), false, s))
    out.close_editor = true;
  y += 30 * s;
  const bool on = m.draft_loaded() && m.can_edit();
  const std::string& bad = m.problem_field();
  input(f.title, "Title", ImVec2(ex, y), ew, 34 * s, focused, s, m.draft_loaded(), bad == "title", out);
  y += 58 * s;
  const float third = (ew - 16 * s) / 3;
  input(f.category, "Category", ImVec2(ex, y), third, 34 * s, focused, s, m.draft_loaded(), bad == "category", out);
  input(f.keywords, "Keywords", ImVec2(ex + third + 8 * s, y), third, 34 * s, focused, s,
        m.draft_loaded(), bad == "keywords", out);
  input(f.language, "Language (empty: any)", ImVec2(ex + 2 * (third + 8 * s), y), third, 34 * s, focused,
        s, m.draft_loaded(), bad == "language", out);
  y += 58 * s;
  const float body_h = std::max(80 * s, b.y - 120 * s - y - 18 * s);
  input(f.body, "Body", ImVec2(ex, y), ew, body_h, focused, s, m.draft_loaded(), bad == "body", out);
  y += body_h + 26 * s;
  // Active toggle, Save, Delete (admins); supervisors read.
  float bx = ex;
  a11y::State act;
  act.pressed = m.draft().active ? 1 : 0;
  act.disabled = !on;
  const std::string act_label = "Active";
  const float aw = label_w(act_label, s) + 14 * s;
  if (button("##kb_active", act_label, ImVec2(bx, y), ImVec2(aw, 34 * s), false, s, act)) out.toggle_active = true;
  bx += aw + 8 * s;
  if (m.can_edit()) {
    a11y::State save_st;
    save_st.disabled = !m.draft_loaded();
    const float sw = label_w("Save", s);
    if (button("##kb_save", "Save", ImVec2(bx, y), ImVec2(sw, 34 * s), true, s, save_st)) out.save = true;
    bx += sw + 8 * s;
    if (!m.is_new() && m.draft_loaded()) {
      if (!m.confirming_delete()) {
        const float dw = label_w("Delete", s);
        if (button("##kb_delete", "Delete", ImVec2(b.x - pad - dw, y), ImVec2(dw, 34 * s), false, s, {}, kDanger))
          out.ask_delete = true;
      } else {
        const std::string ask = "Delete this article for good?";
        const float yw = label_w("Yes, delete", s), kw = label_w("Keep it", s);
        const float qx = b.x - pad - yw - kw - 8 * s;
        client::text::draw_right(dl, ask, Face::small, qx - 8 * s, y + 9 * s, kDanger);
        a11y::node("##kb_delete_question", a11y::Role::text, ask, ImVec2(qx - 200 * s, y), ImVec2(qx, y + 34 * s));
        if (button("##kb_confirm_delete", "Yes, delete", ImVec2(qx, y), ImVec2(yw, 34 * s), true, s)) out.confirm_delete = true;
        if (button("##kb_cancel_delete", "Keep it", ImVec2(qx + yw + 8 * s, y), ImVec2(kw, 34 * s), false, s))
          out.cancel_delete = true;
      }
    }
  }
  if (!m.is_new() && m.draft_loaded()) {
    for (const KbAdminModel::Row& r : m.rows()) {
      if (r.id != m.selected()) continue;
      const std::string used = "Used: " + KbAdminModel::uses_text(r.usage_count);
      client::text::draw(dl, used, Face::small, ImVec2(bx + 8 * s, y + 9 * s), kMuted);
      a11y::node("##kb_used", a11y::Role::text, used, ImVec2(bx, y), ImVec2(bx + 120 * s, y + 34 * s));
    }
  }
  a11y::pop();
}

}  // namespace

void draw_kb_admin(const KbAdminModel& m, KbAdminFields& fields, const std::string& focused, ImVec2 a, ImVec2 b, float y,
                   float s, KbAdminIntents& out) {
  const float split = a.x + (b.x - a.x) * 0.42f;
  ImGui::GetWindowDrawList()->AddLine(ImVec2(split, y), ImVec2(split, b.y - 44 * s), kLine, s);
  draw_list(m, fields, focused, a, b, y, split, s, out);
  draw_editor(m, fields, focused, a, b, y, split, s, out);
  // The problem or the notice, above the card's own status line.
  const std::string line = !m.problem().empty() ? m.problem() : m.notice();
  if (!line.empty()) {
    const ImVec2 p(split + 12 * s, b.y - 58 * s);
    client::text::draw(ImGui::GetWindowDrawList(), line, Face::small, p, m.problem().empty() ? kGreen : kDanger);
    a11y::node("##kb_status", a11y::Role::status, line, p, ImVec2(b.x - 24 * s, p.y + 18 * s));
  }
}

}  // namespace parley::inbox
