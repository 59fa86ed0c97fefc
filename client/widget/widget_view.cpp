#include "widget/widget_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/script.hpp"
#include "common/text.hpp"
#include "common/a11y_mirror.hpp"
#include "common/ui.hpp"
#include "imgui.h"

namespace parley::widget {
namespace {

using client::AppShell;
using namespace client::ui;  // the shared view helpers (common/ui.hpp)
namespace a11y = client::a11y;

constexpr ImU32 kWhite = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kInk = IM_COL32(17, 24, 39, 255);       // main text
constexpr ImU32 kMuted = IM_COL32(107, 114, 128, 255);  // secondary text
constexpr ImU32 kFaint = IM_COL32(156, 163, 175, 255);
constexpr ImU32 kLine = IM_COL32(229, 231, 235, 255);
constexpr ImU32 kOtherBubble = IM_COL32(241, 243, 245, 255);
constexpr ImU32 kNoticeBg = IM_COL32(243, 244, 246, 255);
constexpr ImU32 kDanger = IM_COL32(220, 38, 38, 255);
constexpr ImU32 kGreen = IM_COL32(34, 197, 94, 255);
constexpr ImU32 kAmber = IM_COL32(245, 158, 11, 255);
constexpr ImU32 kAgentAvatar = IM_COL32(71, 85, 105, 255);

ImU32 mix(ImU32 a, ImU32 b, float t) {
  const ImVec4 x = ImGui::ColorConvertU32ToFloat4(a), y = ImGui::ColorConvertU32ToFloat4(b);
  return ImGui::ColorConvertFloat4ToU32(
      ImVec4(x.x + (y.x - x.x) * t, x.y + (y.y - x.y) * t, x.z + (y.z - x.z) * t, x.w + (y.w - x.w) * t));
}

// "#rrggbb" (or "#rgb"); nullopt-like false on anything else.
bool parse_hex(const std::string& hex, ImU32& out) {
  unsigned r = 0, g = 0, b = 0;
  if (hex.size() == 7 && hex[0] == '#' && std::sscanf(hex.c_str() + 1, "%2x%2x%2x", &r, &g, &b) == 3) {
    out = IM_COL32(r, g, b, 255);
    return true;
  }
  if (hex.size() == 4 && hex[0] == '#' && std::sscanf(hex.c_str() + 1, "%1x%1x%1x", &r, &g, &b) == 3) {
    out = IM_COL32(r * 17, g * 17, b * 17, 255);
    return true;
  }
  return false;
}

float luminance(ImU32 c) {
  const ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
  return 0.2126f * v.x + 0.7152f * v.y + 0.0722f * v.z;
}

// The interface's own strings (ImGui's font; the test snapshot counts glyphs it lacks).
void text_at(ImDrawList* dl, ImFont* font, ImVec2 pos, ImU32 col, const char* begin,
             const char* end = nullptr) {
  client::text::check_imgui(font, begin, end);
  dl->AddText(font, font->FontSize, pos, col, begin, end);
}

// What people wrote (names, titles, avatar letters): shaped and drawn by the browser (text.hpp).
using client::text::Face;
float user_text(ImDrawList* dl, Face face, ImVec2 pos, ImU32 col, const std::string& s) {
  return client::text::draw(dl, s, face, pos, col);
}

// An avatar letter centred on `c` (any script, or an emoji).
void avatar_letter(ImDrawList* dl, Face face, ImVec2 c, ImU32 col, const std::string& letter) {
  const float w = client::text::measure(letter, face);
  const float h = client::text::font_of(face)->FontSize;
  client::text::draw(dl, letter, face, ImVec2(c.x - w / 2, c.y - h / 2), col);
}

// A rounded rectangle whose corners in `small_corners` get a small radius (bubbles joined in a
// group); ImGui draws one radius per shape, so the small corners are patched over.
void bubble_rect(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float r, float small_r,
                 ImDrawFlags small_corners) {
  r = std::min(r, std::min(b.x - a.x, b.y - a.y) * 0.5f);
  dl->AddRectFilled(a, b, col, r);
  if (small_corners & ImDrawFlags_RoundCornersTopLeft)
    dl->AddRectFilled(a, ImVec2(a.x + r, a.y + r), col, small_r, ImDrawFlags_RoundCornersTopLeft);
  if (small_corners & ImDrawFlags_RoundCornersTopRight)
    dl->AddRectFilled(ImVec2(b.x - r, a.y), ImVec2(b.x, a.y + r), col, small_r,
                      ImDrawFlags_RoundCornersTopRight);
  if (small_corners & ImDrawFlags_RoundCornersBottomLeft)
    dl->AddRectFilled(ImVec2(a.x, b.y - r), ImVec2(a.x + r, b.y), col, small_r,
                      ImDrawFlags_RoundCornersBottomLeft);
  if (small_corners & ImDrawFlags_RoundCornersBottomRight)
    dl->AddRectFilled(ImVec2(b.x - r, b.y - r), b, col, small_r, ImDrawFlags_RoundCornersBottomRight);
}

void send_icon(ImDrawList* dl, ImVec2 c, float s, ImU32 col, bool mirrored) {
  // A paper plane pointing right (left when mirrored).
  const float k = mirrored ? -1.0f : 1.0f;
  const ImVec2 tip(c.x + 7 * s * k, c.y);
  const ImVec2 top(c.x - 6 * s * k, c.y - 6.5f * s);
  const ImVec2 bottom(c.x - 6 * s * k, c.y + 6.5f * s);
  const ImVec2 notch(c.x - 3 * s * k, c.y);
  dl->AddTriangleFilled(tip, top, notch, col);
  dl->AddTriangleFilled(tip, notch, bottom, col);
}

// A paper clip (issue 9, "Attach a file"): a tall loop with a shorter one inside.
void clip_icon(ImDrawList* dl, ImVec2 c, float s, ImU32 col) {
  const float t = 1.6f * s;
  dl->AddRect(ImVec2(c.x - 4.5f * s, c.y - 8 * s), ImVec2(c.x + 4.5f * s, c.y + 8 * s), col, 4.5f * s, 0, t);
  dl->AddLine(ImVec2(c.x - 1.5f * s, c.y - 4 * s), ImVec2(c.x - 1.5f * s, c.y + 4.5f * s), col, t);
  dl->AddLine(ImVec2(c.x + 1.5f * s, c.y - 4 * s), ImVec2(c.x + 1.5f * s, c.y + 2 * s), col, t);
}

}  // namespace

void WidgetView::set_focused(const std::string& field, bool focused) {
  if (focused) {
    focused_field_ = field;
  } else if (focused_field_ == field) {
    focused_field_.clear();
  }
  composer_focused_ = focused_field_ == "composer";
}

void WidgetView::set_page_rtl(bool rtl) { page_rtl_ = rtl; }

bool WidgetView::mirrored(WidgetModel& model, double now_ms) const {
  if (page_rtl_) return true;
  // The visitor's own writing decides: the last message with a strong direction, else the draft.
  const auto& items = model.items(static_cast<Millis>(now_ms));
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    if (it->kind != DisplayItem::Kind::message || !it->own) continue;
    const auto d = client::script::first_strong(it->text);
    if (d != client::script::Direction::neutral) return d == client::script::Direction::rtl;
  }
  return client::script::first_strong(model.draft()) == client::script::Direction::rtl;
}

void WidgetView::apply_brand(const std::string& hex) {
  if (hex == brand_hex_) return;
  brand_hex_ = hex;
  ImU32 c = IM_COL32(37, 99, 235, 255);
  parse_hex(hex, c);
  brand_ = c;
  brand_dark_ = mix(c, IM_COL32(0, 0, 0, 255), 0.18f);
  on_brand_ = luminance(c) > 0.6f ? kInk : kWhite;
  client::dom::set_css_var("--brand", hex.empty() ? std::string("#2563eb") : hex);
}

void WidgetView::relayout(const std::vector<DisplayItem>& items, float width) {
  const client::Fonts& f = AppShell::get().fonts();
  layout_.resize(items.size());
  const float pad = 16 * s_;
  const float content_w = width - 2 * pad;
  const float avatar_w = 36 * s_;
  float y = 12 * s_;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const DisplayItem& item = items[i];
    ItemLayout& l = layout_[i];
    l.y = y;
    l.meta.clear();
    switch (item.kind) {
      case DisplayItem::Kind::day:
        l.h = 40 * s_;
        break;
      case DisplayItem::Kind::notice:
        client::layout_text(item.text, {}, f.small, content_w - 48 * s_, l.block, 0);  // a sentence of ours
        l.bubble_w = l.block.width + 28 * s_;
        l.bubble_h = l.block.height + 10 * s_;
        l.h = l.bubble_h + 20 * s_;
        break;
      case DisplayItem::Kind::message: {
        const float gap = i == 0 ? 0 : item.group_start ? 12 * s_ : 3 * s_;
        const float name_h =
            !item.own && item.group_start && !item.name.empty() ? f.label->FontSize + 5 * s_ : 0;
        const float max_w = std::min(content_w * 0.82f, 440 * s_) - (item.own ? 0 : avatar_w);
        client::layout_text(item.text, item.links, f.body, max_w - 28 * s_, l.block);
        l.bubble_w = l.block.width + 28 * s_;
        l.bubble_h = l.block.height + 16 * s_;
        l.thumb = nullptr;
        if (item.attachment && client::files::is_image(item.attachment->content_type)) {
          // issue 9: an image above its name, once it arrived (thumbs.hpp).
          l.thumb = client::thumbs::get(item.attachment->id, thumb_headers_,
                                        static_cast<int>(std::min(220 * s_, max_w - 28 * s_)),
                                        static_cast<int>(160 * s_));
          if (l.thumb) {
            l.bubble_w = std::max(l.bubble_w, static_cast<float>(l.thumb->w) + 28 * s_);
            l.bubble_h += static_cast<float>(l.thumb->h) + 8 * s_;
          }
        }
        const bool show_meta = item.group_end || item.show_delivery;
        if (show_meta) {
          l.meta = item.time;
          if (item.own && item.show_delivery) {
            const char* state = item.seen                            ? "Seen"
                                : item.stored                          ? "Sent \u2713"
                                : item.delivery == Delivery::sending ? "Sending\u2026"
                                : item.delivery == Delivery::sent    ? "Sent \u2713"
                                                                     : "";
            if (*state) l.meta += l.meta.empty() ? state : std::string(" \u00b7 ") + state;
          }
        }
        l.h = gap + name_h + l.bubble_h + (show_meta ? f.small->FontSize + 8 * s_ : 0);
        break;
      }
    }
    y += l.h;
  }
  content_height_ = y;
}

void WidgetView::draw_header(WidgetModel& model, float w, Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float hh = 64 * s_;
  dl->AddRectFilledMultiColor(ImVec2(0, 0), ImVec2(w, hh), brand_, brand_, brand_dark_, brand_dark_);

  const Header header = model.header();
  const TenantConfig& t = model.tenant();
  // Avatar: the assistant's (or agent's) initial.
  const Conversation* c = model.conversation();
  const std::string who =
      c && c->status == Status::active && !c->assignee_name.empty() ? c->assignee_name : t.assistant_name;
  const ImVec2 av(16 * s_ + 20 * s_, hh / 2);
  dl->AddCircleFilled(av, 20 * s_, with_alpha(on_brand_, 0.18f), 32);
  avatar_letter(dl, Face::title, av, on_brand_, initial(who));
  // Online dot on the avatar.
  const ImU32 dot = header.dot == Header::Dot::online    ? kGreen
                    : header.dot == Header::Dot::waiting ? kAmber
                                                         : kFaint;
  const ImVec2 dc(av.x + 14 * s_, av.y + 14 * s_);
  dl->AddCircleFilled(dc, 5.5f * s_, brand_dark_, 16);
  dl->AddCircleFilled(dc, 4 * s_, dot, 16);

  // Reading order: title, status, then the buttons (their rectangles are known only below).
  a11y::node("##title", a11y::Role::heading, t.title, ImVec2(66 * s_, 10 * s_), ImVec2(w - 100 * s_, 32 * s_));
  a11y::node("##subtitle", a11y::Role::text, header.subtitle, ImVec2(66 * s_, 34 * s_), ImVec2(w - 100 * s_, 54 * s_));

  // Buttons on the right: menu, close.
  const float bsz = 34 * s_;
  float bx = w - 12 * s_ - bsz;
  const float by = (hh - bsz) / 2;
  bool hovered = false;
  if (embedded_) {
    if (hit("##close", ImVec2(bx, by), ImVec2(bsz, bsz), &hovered)) out.close = true;
    close_rect_ = ImVec4(bx, by, bx + bsz, by + bsz);  // mirrored after the menu: reading order
    const ImVec2 cc(bx + bsz / 2, by + bsz / 2);
    if (hovered) dl->AddCircleFilled(cc, bsz / 2, with_alpha(on_brand_, 0.15f), 32);
    const float k = 5.5f * s_;
    dl->AddLine(ImVec2(cc.x - k, cc.y - k), ImVec2(cc.x + k, cc.y + k), on_brand_, 2 * s_);
    dl->AddLine(ImVec2(cc.x - k, cc.y + k), ImVec2(cc.x + k, cc.y - k), on_brand_, 2 * s_);
    bx -= bsz + 2 * s_;
  }
  const bool has_menu = model.can_request_human() || model.can_end() || model.ended();
  if (has_menu) {
    const bool clicked = hit("##menu", ImVec2(bx, by), ImVec2(bsz, bsz), &hovered);
    a11y::State st;
    st.expanded = menu_open_ ? 1 : 0;
    st.haspopup = true;
    const bool pressed = a11y::item(a11y::Role::button, "Chat options", st);
    menu_button_ = a11y::last_id();
    if (pressed && menu_open_) {
      close_menu_ = true;
    } else if (clicked || pressed) {
      ImGui::OpenPopup("##menu_popup");
      menu_from_keys_ = pressed;
      close_menu_ = false;
    }
    const ImVec2 mc(bx + bsz / 2, by + bsz / 2);
    if (hovered || ImGui::IsPopupOpen("##menu_popup"))
      dl->AddCircleFilled(mc, bsz / 2, with_alpha(on_brand_, 0.15f), 32);
    for (int i = -1; i <= 1; ++i) dl->AddCircleFilled(ImVec2(mc.x + i * 6 * s_, mc.y), 2 * s_, on_brand_, 12);
    ImGui::SetNextWindowPos(ImVec2(bx + bsz, by + bsz + 4 * s_), ImGuiCond_Always, ImVec2(1, 0));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6 * s_, 6 * s_));
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(0, 2 * s_));
    ImGui::PushStyleVar(ImGuiStyleVar_SelectableTextAlign, ImVec2(0, 0.5f));
    ImGui::PushStyleColor(ImGuiCol_PopupBg, kWhite);
    ImGui::PushStyleColor(ImGuiCol_Border, kLine);
    ImGui::PushStyleColor(ImGuiCol_Text, kInk);
    ImGui::PushStyleColor(ImGuiCol_HeaderHovered, kNoticeBg);
    ImGui::PushStyleColor(ImGuiCol_HeaderActive, kLine);
    menu_open_ = ImGui::BeginPopup("##menu_popup");
    if (menu_open_) {
      // Esc, typing, a click on a DOM field or outside the page close it too (close_menu(); Esc
      // is seen on the key event in main.cpp: ImGui 1.86 misses a press and release between two
      // frames); a click elsewhere on the canvas closes it the ImGui way.
      if (!ImGui::GetIO().InputQueueCharacters.empty()) close_menu_ = true;
      const ImVec2 item(200 * s_, 34 * s_);
      a11y::push("##menu_a11y", a11y::Role::menu, "Chat options");
      bool chosen = false, by_keys = false;
      ImGuiID first = 0;
      auto entry = [&](const char* label, const char* name, bool& intent) {
        const bool clicked = ImGui::Selectable(label, false, 0, item);
        if (ImGui::IsItemHovered()) client::dom::set_cursor(client::dom::Cursor::hand);
        const bool pressed = a11y::item(a11y::Role::menuitem, name);
        if (!first) first = a11y::last_id();
        if (clicked || pressed) {
          intent = true;
          chosen = true;
          by_keys = by_keys || pressed;
        }
      };
      if (model.can_request_human()) entry("  Talk to a person", "Talk to a person", out.request_human);
      if (model.can_end()) entry("  End chat", "End chat", out.end_chat);
      if (model.ended()) entry("  Start a new conversation", "Start a new conversation", out.new_conversation);
      a11y::pop();
      if (menu_from_keys_ && first) a11y::focus(first);  // opened from the keyboard: into the menu
      menu_from_keys_ = false;
      if (chosen || close_menu_) {
        ImGui::CloseCurrentPopup();
        menu_open_ = false;
        if (by_keys || a11y::focused() != 0) a11y::focus(menu_button_);
      }
      close_menu_ = false;
      ImGui::EndPopup();
    } else {
      close_menu_ = false;
    }
    ImGui::PopStyleColor(5);
    ImGui::PopStyleVar(3);
    bx -= 4 * s_;
  } else {
    bx += bsz;
  }

  if (embedded_ && a11y::node("##close_a11y", a11y::Role::button, "Close chat", ImVec2(close_rect_.x, close_rect_.y),
                              ImVec2(close_rect_.z, close_rect_.w)))
    out.close = true;

  // Title and status, clipped before the buttons.
  const float tx = 66 * s_;
  dl->PushClipRect(ImVec2(tx, 0), ImVec2(bx - 4 * s_, hh), true);
  user_text(dl, Face::title, ImVec2(tx, 13 * s_), on_brand_, t.title);
  client::text::draw(dl, header.subtitle, Face::small, ImVec2(tx, 37 * s_), with_alpha(on_brand_, 0.85f), 0);
  (void)f;
  dl->PopClipRect();
}

float WidgetView::draw_banner(const Banner& banner, float y, float w) {
  if (banner.kind == Banner::Kind::none || banner.text.empty()) return 0;
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float h = 32 * s_;
  const bool offline = banner.kind == Banner::Kind::offline || banner.kind == Banner::Kind::blocked;
  dl->AddRectFilled(ImVec2(0, y), ImVec2(w, y + h),
                    offline ? IM_COL32(254, 226, 226, 255) : IM_COL32(254, 243, 199, 255));
  const ImVec2 ts = measure(f.small, banner.text.c_str());
  text_at(dl, f.small, ImVec2(std::max(8 * s_, (w - ts.x) / 2), y + (h - ts.y) / 2),
          offline ? IM_COL32(153, 27, 27, 255) : IM_COL32(146, 64, 14, 255), banner.text.c_str());
  a11y::node("##banner", a11y::Role::status, banner.text, ImVec2(0, y), ImVec2(w, y + h));
  return h;
}

void WidgetView::draw_message(const DisplayItem& item, const ItemLayout& l, ImVec2 origin, float w, int index,
                              Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 16 * s_;
  const float avatar_w = 36 * s_;
  float y = origin.y + l.y + (index == 0 ? 0 : item.group_start ? 12 * s_ : 3 * s_);
  // The visitor's bubbles sit on the end side: right, or left when the layout is mirrored
  // (right-to-left visitor); the other side's bubbles have their avatar on the outer edge.
  const bool on_right = item.own != mirror_;
  const float x_left = origin.x + pad + (!item.own && !on_right ? avatar_w : 0);
  const float x_right = origin.x + w - pad - (!item.own && on_right ? avatar_w : 0);
  if (!item.own && item.group_start && !item.name.empty()) {
    if (on_right)
      client::text::draw_right(dl, item.name, Face::label, x_right - 4 * s_, y, kMuted);
    else
      user_text(dl, Face::label, ImVec2(x_left + 4 * s_, y), kMuted, item.name);
    y += f.label->FontSize + 5 * s_;
  }
  const ImVec2 a(on_right ? x_right - l.bubble_w : x_left, y);
  const ImVec2 b(a.x + l.bubble_w, a.y + l.bubble_h);
  if (static_cast<std::size_t>(index) < drawn_.size()) drawn_[static_cast<std::size_t>(index)] = ImVec4(a.x, a.y, b.x, b.y);
  const bool failed = item.own && !item.stored && item.delivery == Delivery::failed;
  ImU32 bg = item.own ? brand_ : kOtherBubble;
  if (failed) bg = mix(brand_, kWhite, 0.45f);
  if (selected_ == index) bg = mix(bg, IM_COL32(0, 0, 0, 255), 0.08f);
  ImDrawFlags joined = 0;
  if (!item.group_start)
    joined |= on_right ? ImDrawFlags_RoundCornersTopRight : ImDrawFlags_RoundCornersTopLeft;
  if (!item.group_end)
    joined |= on_right ? ImDrawFlags_RoundCornersBottomRight : ImDrawFlags_RoundCornersBottomLeft;
  bubble_rect(dl, a, b, bg, 18 * s_, 5 * s_, joined);
  const ImU32 fg = item.own ? on_brand_ : kInk;
  const ImU32 link = item.own ? on_brand_ : brand_;
  float thumb_h = 0;
  ImVec2 ta, tb;
  if (l.thumb) {
    ta = ImVec2(a.x + 14 * s_, a.y + 10 * s_);
    tb = ImVec2(ta.x + static_cast<float>(l.thumb->w), ta.y + static_cast<float>(l.thumb->h));
    dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(l.thumb->texture)), ta, tb);
    thumb_h = static_cast<float>(l.thumb->h) + 8 * s_;
  }
  const ImVec2 text_origin(a.x + 14 * s_, a.y + 8 * s_ + thumb_h);
  client::draw_text(dl, l.block, item.text, text_origin, fg, link);

  // Click: a link opens; elsewhere the bubble toggles its "Copy" action.
  ImGui::PushID(index);
  bool hovered = false;
  if (item.seq > 0) expose("msg:" + std::to_string(item.seq), a, ImVec2(l.bubble_w, l.bubble_h));
  if (hit("##bubble", a, ImVec2(l.bubble_w, l.bubble_h), &hovered)) {
    const ImVec2 mp = ImGui::GetIO().MousePos;
    const int k = l.thumb && mp.x >= ta.x && mp.x < tb.x && mp.y >= ta.y && mp.y < tb.y
                      ? 0  // the image opens the file like its name
                      : client::link_at(l.block, text_origin, mp);
    if (k >= 0 && static_cast<std::size_t>(k) < item.links.size()) {
      out.open_url = item.links[static_cast<std::size_t>(k)].url;
    } else {
      selected_ = selected_ == index ? -1 : index;
    }
  }
  if (hovered && client::link_at(l.block, text_origin, ImGui::GetIO().MousePos) < 0) {
    client::dom::set_cursor(client::dom::Cursor::arrow);
  }
  if (selected_ == index) {
    // After a copy the action says so for two seconds ("Copied ✓"), then closes.
    const bool just_copied = copied_index_ == index && now_ - copied_at_ < kCopiedShowMs;
    const char* label = just_copied ? "Copied \u2713" : "Copy";
    const ImVec2 ts = measure(f.small, label);
    const ImVec2 size(ts.x + 20 * s_, ts.y + 10 * s_);
    const ImVec2 p(on_right ? a.x - size.x - 8 * s_ : b.x + 8 * s_, a.y + (l.bubble_h - size.y) / 2);
    bool copy_hover = false;
    expose(just_copied ? "copied" : "copy", p, size);
    if (hit("##copy", p, size, &copy_hover) && !just_copied) {
      out.copy = item.text;
      copied_index_ = index;
      copied_at_ = now_;
      AppShell::get().invalidate_at(now_ + kCopiedShowMs + 50);
    }
    if (copied_index_ == index && now_ - copied_at_ >= kCopiedShowMs) {
      selected_ = -1;  // the confirmation has been shown
      copied_index_ = -1;
    }
    dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), copy_hover ? kNoticeBg : kWhite, size.y / 2);
    dl->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), kLine, size.y / 2, 0, s_);
    text_at(dl, f.small, ImVec2(p.x + 10 * s_, p.y + 5 * s_), kInk, label);
  }

  // Avatar beside the last bubble of the other side's group.
  if (!item.own && item.group_end) {
    const ImVec2 c(on_right ? origin.x + w - pad - 14 * s_ : origin.x + pad + 14 * s_, b.y - 14 * s_);
    const ImU32 col = item.role == Role::agent ? kAgentAvatar : brand_;
    dl->AddCircleFilled(c, 14 * s_, col, 24);
    avatar_letter(dl, Face::label, c, item.role == Role::agent ? kWhite : on_brand_, initial(item.name));
  }

  // Time and delivery state under the group.
  const float my = b.y + 4 * s_;
  if (failed) {
    // "Not delivered · Retry · Delete", right-aligned, the actions clickable.
    const char* lead = "Not delivered \u00b7 ";
    const char* dot = " \u00b7 ";
    const float wl = measure(f.small, lead).x, wr = measure(f.small, "Retry").x, wd = measure(f.small, dot).x,
                wx = measure(f.small, "Delete").x;
    float x = on_right ? x_right - (wl + wr + wd + wx) : x_left;
    text_at(dl, f.small, ImVec2(x, my), kDanger, lead);
    x += wl;
    bool hr = false, hx = false;
    if (hit("##retry", ImVec2(x, my), ImVec2(wr, f.small->FontSize), &hr)) out.retry = item.client_msg_id;
    text_at(dl, f.small, ImVec2(x, my), hr ? brand_dark_ : brand_, "Retry");
    x += wr;
    text_at(dl, f.small, ImVec2(x, my), kDanger, dot);
    x += wd;
    if (hit("##discard", ImVec2(x, my), ImVec2(wx, f.small->FontSize), &hx)) out.discard = item.client_msg_id;
    text_at(dl, f.small, ImVec2(x, my), hx ? kInk : kMuted, "Delete");
  } else if (!l.meta.empty()) {
    const ImVec2 ms = measure(f.small, l.meta.c_str());
    text_at(dl, f.small, ImVec2(on_right ? x_right - ms.x - 2 * s_ : x_left + 4 * s_, my), kFaint,
            l.meta.c_str());
  }
  ImGui::PopID();
}

// The transcript for screen readers and the keyboard: every item (drawn or scrolled away) in
// one role="log", each message with its actions (Copy, links, Retry/Delete). Ids come from the
// item's seq (or its client_msg_id before it is stored), so they survive paging and reloads.
void WidgetView::mirror_transcript(WidgetModel& model, const std::vector<DisplayItem>& items, ImVec2 origin,
                                   float cw, float top, float bottom, Intents& out) {
  (void)model;
  a11y::push("##log", a11y::Role::log, "Chat messages");
  char key[64];
  for (std::size_t i = 0; i < items.size(); ++i) {
    const DisplayItem& item = items[i];
    const ItemLayout& l = layout_[i];
    ImVec2 a(origin.x, std::max(top, origin.y + l.y)), b(origin.x + cw, std::min(bottom, origin.y + l.y + l.h));
    if (b.y <= a.y) a = b = ImVec2(0, 0);  // scrolled away: no rectangle
    if (item.kind != DisplayItem::Kind::message) {
      std::snprintf(key, sizeof key, "i%lld:%s", static_cast<long long>(item.seq),
                    item.kind == DisplayItem::Kind::day ? item.text.c_str() : "n");
      if (item.kind == DisplayItem::Kind::notice && item.seq == 0) std::snprintf(key, sizeof key, "n%zu", i);
      a11y::node(key, a11y::Role::text, item.text, a, b);
      continue;
    }
    if (item.seq > 0)
      std::snprintf(key, sizeof key, "m%lld", static_cast<long long>(item.seq));
    else
      std::snprintf(key, sizeof key, "o%s", item.client_msg_id.c_str());
    ImGui::PushID(key);
    const ImVec4 r = i < drawn_.size() ? drawn_[i] : ImVec4(0, 0, 0, 0);
    if (r.z > r.x) {
      a = ImVec2(r.x, std::max(top, r.y));
      b = ImVec2(r.z, std::min(bottom, r.w));
      if (b.y <= a.y) a = b = ImVec2(0, 0);
    }
    const bool failed = item.own && !item.stored && item.delivery == Delivery::failed;
    std::string said = item.own ? std::string("You") : item.name.empty() ? std::string("Assistant") : item.name;
    said += item.time.empty() ? ": " : ", " + item.time + ": ";
    said += item.text;
    if (failed) said += " (not delivered)";
    else if (item.seen) said += " (seen)";
    else if (item.own && !item.stored && item.delivery == Delivery::sending) said += " (sending)";
    a11y::push("##msg", a11y::Role::group, said);
    if (a11y::node("##copy", a11y::Role::button, "Copy message", a, b)) {
      out.copy = item.text;
      out.announce = "Copied";
    }
    for (std::size_t k = 0; k < item.links.size(); ++k) {
      ImGui::PushID(static_cast<int>(k));
      const std::string label = item.attachment && !client::files::link_attachment_id(item.links[k].url).empty()
                                    ? client::files::open_label(*item.attachment)
                                    : "Open link " + item.links[k].url;
      if (a11y::node("##link", a11y::Role::button, label, a, b))  // ring: the bubble
        out.open_url = item.links[k].url;
      ImGui::PopID();
    }
    if (failed) {
      if (a11y::node("##retry_a11y", a11y::Role::button, item.upload ? "Retry upload" : "Retry sending", a, b))
        out.retry = item.client_msg_id;
      if (a11y::node("##discard_a11y", a11y::Role::button, item.upload ? "Remove file" : "Delete message", a, b))
        out.discard = item.client_msg_id;
    }
    a11y::pop();
    ImGui::PopID();
  }
  a11y::pop();
}

bool WidgetView::draw_transcript(WidgetModel& model, const std::vector<DisplayItem>& items, float top,
                                 float bottom, float w, double now, Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  bool animating = false;
  if (model.items_version() != layout_items_version_ || w != layout_width_ || f.body != layout_font_ ||
      client::thumbs::version() != layout_thumbs_version_) {
    layout_thumbs_version_ = client::thumbs::version();
    thumb_headers_ = Json{{"X-Visitor-Token", model.visitor_token()}}.dump();
    layout_items_version_ = model.items_version();
    layout_width_ = w;
    layout_font_ = f.body;
    relayout(items, w);
    if (selected_ >= static_cast<int>(items.size())) selected_ = -1;
  }
  // issue 10: the assistant's streamed reply replaces the typing dots (widget/reply_draft_view.hpp).
  const bool drafting = model.reply_draft().active();
  const float draft_max_w = std::min((w - 32 * s_) * 0.82f, 440 * s_) - 36 * s_ - 28 * s_;
  const float draft_h =
      drafting ? reply_draft_view_.layout(model.reply_draft(), f.body, draft_max_w, s_) + 16 * s_ : 0;
  const bool typing = !drafting && model.others_typing(static_cast<Millis>(now));
  const float typing_h = typing ? 50 * s_ : draft_h;
  const bool ended = model.ended();
  const float ended_h = ended ? 52 * s_ : 0;
  const float total = content_height_ + typing_h + ended_h + 12 * s_;

  // New items since the last frame: own ones pull the view down; others' are counted while
  // the visitor reads further up.
  if (items.size() < seen_items_) seen_items_ = 0;
  for (std::size_t i = seen_items_; i < items.size(); ++i) {
    if (items[i].own)
      force_bottom_ = true;
    else if (items[i].kind == DisplayItem::Kind::message && seen_items_ > 0 && !stick_to_bottom_)
      ++unseen_;
  }
  seen_items_ = items.size();

  ImGui::SetCursorScreenPos(ImVec2(0, top));
  push_child_colors(kWhite);
  ImGui::BeginChild("##transcript", ImVec2(w, bottom - top), false, 0);
  const float scroll_y = ImGui::GetScrollY();
  const float max_y = ImGui::GetScrollMaxY();
  at_bottom_ = max_y <= 0 || scroll_y >= max_y - 4 * s_;
  const bool grew = total != last_content_height_;
  if (!grew) stick_to_bottom_ = at_bottom_;
  if (at_bottom_ && !grew) unseen_ = 0;
  if (force_bottom_ || (grew && stick_to_bottom_)) {
    ImGui::SetScrollY(total);
    stick_to_bottom_ = true;
    force_bottom_ = false;
    unseen_ = 0;
  }
  last_content_height_ = total;

  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float clip_top = top, clip_bottom = bottom;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float cw = ImGui::GetWindowContentRegionMax().x;  // excludes the scrollbar when shown
  drawn_.assign(items.size(), ImVec4(0, 0, 0, 0));
  for (std::size_t i = 0; i < items.size(); ++i) {
    const ItemLayout& l = layout_[i];
    if (origin.y + l.y + l.h < clip_top || origin.y + l.y > clip_bottom) continue;
    const DisplayItem& item = items[i];
    switch (item.kind) {
      case DisplayItem::Kind::day: {
        const ImVec2 ts = measure(f.label, item.text.c_str());
        const float cy = origin.y + l.y + l.h / 2;
        const float x0 = origin.x + (cw - ts.x) / 2;
        dl->AddLine(ImVec2(origin.x + 16 * s_, cy), ImVec2(x0 - 10 * s_, cy), kLine, s_);
        dl->AddLine(ImVec2(x0 + ts.x + 10 * s_, cy), ImVec2(origin.x + cw - 16 * s_, cy), kLine, s_);
        text_at(dl, f.label, ImVec2(x0, cy - ts.y / 2), kFaint, item.text.c_str());
        break;
      }
      case DisplayItem::Kind::notice: {
        const ImVec2 a(origin.x + (cw - l.bubble_w) / 2, origin.y + l.y + 10 * s_);
        dl->AddRectFilled(a, ImVec2(a.x + l.bubble_w, a.y + l.bubble_h), kNoticeBg,
                          l.bubble_h / 2 > 16 * s_ ? 12 * s_ : l.bubble_h / 2);
        client::draw_text(dl, l.block, item.text, ImVec2(a.x + 14 * s_, a.y + 5 * s_),
                          IM_COL32(75, 85, 99, 255), brand_);
        break;
      }
      case DisplayItem::Kind::message:
        draw_message(item, l, origin, cw, static_cast<int>(i), out);
        break;
    }
  }

  mirror_transcript(model, items, origin, cw, top, bottom, out);

  float y = origin.y + content_height_;
  if (drafting) {
    const float pad = 16 * s_;
    const float bx = mirror_ ? origin.x + cw - pad - 36 * s_ - reply_draft_view_.width(s_) : origin.x + pad + 36 * s_;
    reply_draft_view_.draw(dl, ImVec2(bx, y + 8 * s_), s_, kOtherBubble, kInk, model.tenant().assistant_name);
    y += draft_h;
  }
  if (typing) {
    // Three dots bouncing in a bubble, beside the assistant's or agent's avatar.
    const float pad = 16 * s_;
    const float bx = mirror_ ? origin.x + cw - pad - 36 * s_ - 62 * s_ : origin.x + pad + 36 * s_;
    const ImVec2 a(bx, y + 8 * s_);
    const ImVec2 b(a.x + 62 * s_, a.y + 36 * s_);
    bubble_rect(dl, a, b, kOtherBubble, 18 * s_, 5 * s_,
                mirror_ ? ImDrawFlags_RoundCornersBottomRight : ImDrawFlags_RoundCornersBottomLeft);
    const double t = now / 1000.0;
    for (int i = 0; i < 3; ++i) {
      const float phase = static_cast<float>(std::sin(t * 6.0 - i * 0.9));
      const float lift = std::max(0.0f, phase) * 3 * s_;
      dl->AddCircleFilled(ImVec2(a.x + 19 * s_ + i * 12 * s_, (a.y + b.y) / 2 - lift), 3.5f * s_,
                          mix(kFaint, kMuted, std::max(0.0f, phase)), 12);
    }
    const Conversation* c = model.conversation();
    const bool agent = c && c->status == Status::active;
    const ImVec2 ac(mirror_ ? origin.x + cw - pad - 14 * s_ : origin.x + pad + 14 * s_, b.y - 14 * s_);
    dl->AddCircleFilled(ac, 14 * s_, agent ? kAgentAvatar : brand_, 24);
    avatar_letter(dl, Face::label, ac, agent ? kWhite : on_brand_,
                  initial(agent ? c->assignee_name : model.tenant().assistant_name));
    animating = true;
    y += typing_h;
  }
  if (ended) {
    const char* label = "Start a new conversation";
    const ImVec2 ts = measure(f.body, label);
    const ImVec2 size(ts.x + 32 * s_, ts.y + 18 * s_);
    const ImVec2 p(origin.x + (cw - size.x) / 2, y + 10 * s_);
    bool hovered = false;
    if (hit("##new_conversation", p, size, &hovered)) out.new_conversation = true;
    if (a11y::item(a11y::Role::button, label)) out.new_conversation = true;
    dl->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), brand_, size.y / 2, 0, 1.5f * s_);
    if (hovered)
      dl->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), with_alpha(brand_, 0.08f), size.y / 2);
    text_at(dl, f.body, ImVec2(p.x + 16 * s_, p.y + 9 * s_), brand_, label);
  }

  ImGui::SetCursorScreenPos(origin);
  ImGui::Dummy(ImVec2(1, total));
  ImGui::EndChild();
  pop_child_colors();

  // "New messages" pill while the visitor reads further up.
  if (unseen_ > 0 && !at_bottom_) {
    char label[48];
    std::snprintf(label, sizeof label, unseen_ == 1 ? "\u2193  1 new message" : "\u2193  %d new messages",
                  unseen_);
    const ImVec2 ts = measure(f.small, label);
    const ImVec2 size(ts.x + 28 * s_, ts.y + 16 * s_);
    const ImVec2 p((w - size.x) / 2, bottom - size.y - 12 * s_);
    ImDrawList* fg = ImGui::GetWindowDrawList();
    if (hit("##pill", p, size)) force_bottom_ = true;
    if (a11y::item(a11y::Role::button, label + 5)) force_bottom_ = true;  // without the arrow
    fg->AddRectFilled(ImVec2(p.x, p.y + 2 * s_), ImVec2(p.x + size.x, p.y + size.y + 2 * s_),
                      IM_COL32(0, 0, 0, 30), size.y / 2);
    fg->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), brand_, size.y / 2);
    text_at(fg, f.small, ImVec2(p.x + 14 * s_, p.y + 8 * s_), on_brand_, label);
  }
  return animating;
}

float WidgetView::draw_composer(WidgetModel& model, Fields& fields, float w, float y0, Intents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float text_h = std::clamp(composer_text_css_, 20.0f, 120.0f) * s_;
  const float outer = 12 * s_;
  const ImVec2 a(outer, y0 + outer);
  const ImVec2 b(w - outer, a.y + text_h + 22 * s_);
  dl->AddLine(ImVec2(0, y0), ImVec2(w, y0), kLine, s_);
  const float r = std::min(22 * s_, (b.y - a.y) / 2);
  dl->AddRectFilled(a, b, IM_COL32(247, 248, 250, 255), r);
  dl->AddRect(a, b, composer_focused_ ? brand_ : kLine, r, 0, composer_focused_ ? 1.5f * s_ : s_);
  // Clicking the box around the textarea focuses it too.
  if (hit("##composer_box", mirror_ ? ImVec2(a.x + 44 * s_, a.y) : a, ImVec2(b.x - a.x - 44 * s_, b.y - a.y)))
    out.focus_composer = true;
  client::dom::set_cursor(ImGui::IsItemHovered() ? client::dom::Cursor::text : client::dom::Cursor::arrow);

  // Mirrored for a right-to-left visitor: the send button at the left end. The "Attach a file"
  // button (issue 9) sits beside it, on the text's side, while there is a conversation.
  const float send_d = 34 * s_;
  const bool can_attach = model.can_attach();
  const float attach_w = can_attach ? send_d + 4 * s_ : 0;
  const float tx = mirror_ ? a.x + 6 * s_ + send_d + attach_w + 12 * s_ : a.x + 18 * s_;
  const float tw = mirror_ ? b.x - 18 * s_ - tx : b.x - tx - send_d - attach_w - 12 * s_;
  fields.composer.place({tx / s_, (a.y + 11 * s_) / s_, tw / s_, text_h / s_});
  if (mirror_ != composer_mirrored_) {
    composer_mirrored_ = mirror_;
    // A right-to-left language: the field is right to left even when empty; otherwise its
    // text's own direction (the placeholder is English).
    fields.composer.set_attr("dir", page_rtl_ ? "rtl" : "auto");
  }
  a11y::field(fields.composer.id());

  const bool can_send = !model.draft().empty();
  const ImVec2 sc(mirror_ ? a.x + 6 * s_ + send_d / 2 : b.x - 6 * s_ - send_d / 2, b.y - (b.y - a.y) / 2);
  bool hovered = false;
  const bool clicked = hit("##send", ImVec2(sc.x - send_d / 2, sc.y - send_d / 2), ImVec2(send_d, send_d), &hovered);
  a11y::State send_state;
  send_state.disabled = !can_send;
  const bool pressed = a11y::item(a11y::Role::button, "Send", send_state);
  if (clicked && can_send) {
    out.send = true;
    out.focus_composer = true;
  }
  if (pressed && can_send) out.send = true;  // keyboard focus stays on the button
  dl->AddCircleFilled(sc, send_d / 2,
                      can_send ? (hovered ? brand_dark_ : brand_) : IM_COL32(209, 213, 219, 255), 32);
  send_icon(dl, ImVec2(sc.x + 1 * s_, sc.y), s_, can_send ? on_brand_ : kWhite, mirror_);
  if (can_attach) {
    // After Send in the keyboard's order (Tab from the composer reaches Send first, as before).
    const ImVec2 ac(mirror_ ? sc.x + send_d + 4 * s_ : sc.x - send_d - 4 * s_, sc.y);
    bool attach_hover = false;
    expose("attach", ImVec2(ac.x - send_d / 2, ac.y - send_d / 2), ImVec2(send_d, send_d));
    const bool attach_click =
        hit("##attach", ImVec2(ac.x - send_d / 2, ac.y - send_d / 2), ImVec2(send_d, send_d), &attach_hover);
    const bool attach_key = a11y::item(a11y::Role::button, "Attach a file");
    if (attach_click || attach_key) out.attach = true;
    if (attach_hover) dl->AddCircleFilled(ac, send_d / 2, IM_COL32(229, 231, 235, 255), 32);
    clip_icon(dl, ac, s_, attach_hover ? kInk : kMuted);
  }
  return b.y + outer - y0;
}

float WidgetView::draw_prechat(WidgetModel& model, Fields& fields, float w, float y0, Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddLine(ImVec2(0, y0), ImVec2(w, y0), kLine, s_);
  const float pad = 16 * s_;
  float y = y0 + pad;
  text_at(dl, f.title, ImVec2(pad, y), kInk, "Before we start");
  a11y::node("##prechat_title", a11y::Role::heading, "Before we start", ImVec2(pad, y),
             ImVec2(w - pad, y + f.title->FontSize));
  y += f.title->FontSize + 4 * s_;
  text_at(dl, f.small, ImVec2(pad, y), kMuted, "Leave your details so we can follow up.");
  a11y::node("##prechat_hint", a11y::Role::text, "Leave your details so we can follow up.", ImVec2(pad, y),
             ImVec2(w - pad, y + f.small->FontSize));
  y += f.small->FontSize + 12 * s_;
  struct Row {
    const char* label;
    client::dom::Field* field;
  };
  const Row rows[] = {{"Name", &fields.name}, {"Email", &fields.email}, {"Topic (optional)", &fields.topic}};
  for (const Row& row : rows) {
    text_at(dl, f.label, ImVec2(pad, y), IM_COL32(55, 65, 81, 255), row.label);
    y += f.label->FontSize + 5 * s_;
    const ImVec2 a(pad, y), b(w - pad, y + 40 * s_);
    const bool focused = focused_field_ == row.field->id();
    dl->AddRectFilled(a, b, kWhite, 10 * s_);
    dl->AddRect(a, b, focused ? brand_ : IM_COL32(209, 213, 219, 255), 10 * s_, 0, focused ? 1.5f * s_ : s_);
    row.field->place({(a.x + 12 * s_) / s_, a.y / s_, (b.x - a.x - 24 * s_) / s_, (b.y - a.y) / s_});
    a11y::field(row.field->id());
    y = b.y + 10 * s_;
  }
  if (!model.prechat_error().empty()) {
    text_at(dl, f.small, ImVec2(pad, y), kDanger, model.prechat_error().c_str());
    a11y::node("##prechat_error", a11y::Role::text, model.prechat_error(), ImVec2(pad, y),
               ImVec2(w - pad, y + f.small->FontSize));
    y += f.small->FontSize + 8 * s_;
  }
  const ImVec2 a(pad, y), size(w - 2 * pad, 44 * s_);
  bool hovered = false;
  if (hit("##start", a, size, &hovered)) out.submit_prechat = true;
  if (a11y::item(a11y::Role::button, "Start chat")) out.submit_prechat = true;
  dl->AddRectFilled(a, ImVec2(a.x + size.x, a.y + size.y), hovered ? brand_dark_ : brand_, 12 * s_);
  const char* label = "Start chat";
  const ImVec2 ts = measure(f.title, label);
  text_at(dl, f.title, ImVec2(a.x + (size.x - ts.x) / 2, a.y + (size.y - ts.y) / 2), on_brand_, label);
  return a.y + size.y + pad - y0;
}

bool WidgetView::draw(WidgetModel& model, Fields& fields, double now_ms, Intents& out) {
  AppShell& shell = AppShell::get();
  s_ = shell.scale();
  now_ = now_ms;
  begin_exposed_frame();
  const client::Fonts& f = shell.fonts();
  apply_brand(model.tenant().brand_color);
  client::dom::set_cursor(client::dom::Cursor::arrow);
  const float w = shell.width(), h = shell.height();

  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(w, h));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, kWhite);
  ImGui::Begin("##widget", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse);
  ImDrawList* dl = ImGui::GetWindowDrawList();

  mirror_ = mirrored(model, now_ms);
  draw_header(model, w, out);
  float top = 64 * s_;
  const Millis now = static_cast<Millis>(now_ms);
  const Banner banner = model.banner(now);
  top += draw_banner(banner, top, w);
  if (banner.kind == Banner::Kind::retrying) {
    shell.invalidate_at(std::floor(now_ms / 1000.0) * 1000.0 + 1000.0);  // the countdown
  }

  // The bottom panel's height decides the transcript's; measure, then draw it after.
  const float footer_h = 26 * s_;
  const bool prechat = model.show_prechat();
  const float composer_h = std::clamp(composer_text_css_, 20.0f, 120.0f) * s_ + 22 * s_ + 24 * s_;
  const float prechat_h = (16 + 20 + 4 + 16 + 12 + 3 * (16 + 5 + 40 + 10) + 44 + 16) * s_ +
                          (model.prechat_error().empty() ? 0 : f.small->FontSize + 8 * s_);
  const bool offline = model.show_offline();  // issue 9
  const float survey_h = prechat || offline ? 0 : survey_height(model);
  const float panel_h = offline ? offline_panel_height(model, s_) + layout_offline_message(model, w) - 20 * s_
                        : prechat ? prechat_h
                                  : composer_h;
  const float panel_y = h - footer_h - panel_h;

  const bool animating = draw_transcript(model, model.items(now), top, panel_y - survey_h, w, now_ms, out);
  ImGui::SetCursorScreenPos(ImVec2(0, 0));
  if (survey_h > 0) {
    draw_survey(model, fields, w, panel_y - survey_h, out);
  } else {
    fields.csat_comment.hide();
  }

  ImGui::SetCursorScreenPos(ImVec2(0, 0));
  if (!offline) {
    fields.offline_email.hide();
    fields.offline_text.hide();
  }
  if (offline) {
    fields.composer.hide();
    fields.name.hide();
    fields.email.hide();
    fields.topic.hide();
    draw_offline(model, fields, w, panel_y, out);
  } else if (prechat) {
    fields.composer.hide();
    draw_prechat(model, fields, w, panel_y, out);
  } else {
    fields.name.hide();
    fields.email.hide();
    fields.topic.hide();
    draw_composer(model, fields, w, panel_y, out);
  }

  // Footer.
  const char* brand = "Powered by Parley";
  const ImVec2 ts = measure(f.small, brand);
  text_at(dl, f.small, ImVec2((w - ts.x) / 2, h - footer_h + (footer_h - ts.y) / 2 - 3 * s_), kFaint, brand);
  a11y::node("##footer", a11y::Role::text, brand, ImVec2(0, h - footer_h), ImVec2(w, h));

  // Ctrl/Cmd+C copies the selected bubble.
  const ImGuiIO& io = ImGui::GetIO();
  if (selected_ >= 0 && (io.KeyCtrl || io.KeySuper) && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_C))) {
    const auto& items = model.items(now);
    if (static_cast<std::size_t>(selected_) < items.size())
      out.copy = items[static_cast<std::size_t>(selected_)].text;
  }
  // A click on empty space clears the selection.
  if (ImGui::IsMouseClicked(0) && !ImGui::IsAnyItemHovered()) selected_ = -1;

  ImGui::End();
  ImGui::PopStyleColor();
  return animating;
}

}  // namespace parley::widget
