// The widget's offline form panel (issue 9; model: offline_model.hpp). Drawn instead of the
// composer when nobody is available: the tenant's offline message, an email field and a message
// field (real DOM inputs, web/widget.html), "Send message", and "Chat with the assistant instead"
// when the tenant has one. Every control is in the accessibility mirror.
#include <cfloat>

#include "common/a11y_mirror.hpp"
#include "common/text.hpp"
#include "common/ui.hpp"
#include "imgui.h"
#include "widget/widget_view.hpp"

namespace parley::widget {

using client::AppShell;
using namespace client::ui;
namespace a11y = client::a11y;

namespace {
constexpr ImU32 kWhiteO = IM_COL32(255, 255, 255, 255);
constexpr ImU32 kInkO = IM_COL32(17, 24, 39, 255);
constexpr ImU32 kMutedO = IM_COL32(107, 114, 128, 255);
constexpr ImU32 kLineO = IM_COL32(229, 231, 235, 255);
constexpr ImU32 kDangerO = IM_COL32(220, 38, 38, 255);
}  // namespace

float offline_panel_height(const WidgetModel& model, float s) {
  if (model.offline().state() == OfflineForm::State::sent) return (16 + 24 + 8 + 20 + 8 + 20 + 16) * s;
  float h = (16 + 24 + 6 + 20 + 12 + (16 + 5 + 40 + 10) + (16 + 5 + 72 + 10) + 44 + 16) * s;
  if (!model.offline().error().empty()) h += 24 * s;
  if (model.tenant().assistant_enabled) h += 32 * s;
  return h;
}

float WidgetView::layout_offline_message(const WidgetModel& model, float w) {
  const std::string& text = model.offline().availability().offline_message;
  const ImFont* font = AppShell::get().fonts().small;
  const float wrap = w - 32 * s_;
  if (text != offline_block_text_ || offline_block_.wrap_width != wrap || offline_block_.font != font) {
    offline_block_text_ = text;
    client::layout_text(text, {}, font, wrap, offline_block_, -1);  // the tenant's words: their direction
  }
  return offline_block_.height;
}

float WidgetView::draw_offline(WidgetModel& model, Fields& fields, float w, float y0, Intents& out) {
  const client::Fonts& f = AppShell::get().fonts();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddLine(ImVec2(0, y0), ImVec2(w, y0), kLineO, s_);
  const float pad = 16 * s_;
  float y = y0 + pad;
  const OfflineForm& form = model.offline();
  const char* title = form.state() == OfflineForm::State::sent ? "Message sent" : "Leave a message";
  dl->AddText(f.title, f.title->FontSize, ImVec2(pad, y), kInkO, title);
  a11y::node("##offline_title", a11y::Role::heading, title, ImVec2(pad, y), ImVec2(w - pad, y + f.title->FontSize));
  y += 24 * s_ + 6 * s_;
  // The tenant's own words: drawn as text people wrote.
  const std::string& message = form.availability().offline_message;
  const float mh = layout_offline_message(model, w);
  client::draw_text(dl, offline_block_, message, ImVec2(pad, y), kMutedO, kMutedO);
  a11y::node("##offline_message", a11y::Role::text, message, ImVec2(pad, y), ImVec2(w - pad, y + mh));
  y += mh + 12 * s_;
  if (form.state() == OfflineForm::State::sent) {
    fields.offline_email.hide();
    fields.offline_text.hide();
    const std::string done = form.confirmation();
    client::text::draw(dl, done, client::text::Face::body, ImVec2(pad, y), kInkO);
    a11y::node("##offline_done", a11y::Role::text, done, ImVec2(pad, y), ImVec2(w - pad, y + 20 * s_));
    return y + 20 * s_ + pad - y0;
  }
  struct Row {
    const char* label;
    client::dom::Field* field;
    float height;
  };
  const Row rows[] = {{"Email", &fields.offline_email, 40}, {"Message", &fields.offline_text, 72}};
  for (const Row& row : rows) {
    dl->AddText(f.label, f.label->FontSize, ImVec2(pad, y), IM_COL32(55, 65, 81, 255), row.label);
    y += f.label->FontSize + 5 * s_;
    const ImVec2 a(pad, y), b(w - pad, y + row.height * s_);
    const bool focused = focused_field_ == row.field->id();
    dl->AddRectFilled(a, b, kWhiteO, 10 * s_);
    dl->AddRect(a, b, focused ? brand_ : IM_COL32(209, 213, 219, 255), 10 * s_, 0, focused ? 1.5f * s_ : s_);
    row.field->place({(a.x + 12 * s_) / s_, a.y / s_, (b.x - a.x - 24 * s_) / s_, (b.y - a.y) / s_});
    a11y::field(row.field->id());
    y = b.y + 10 * s_;
  }
  if (!form.error().empty()) {
    dl->AddText(f.small, f.small->FontSize, ImVec2(pad, y), kDangerO, form.error().c_str());
    a11y::node("##offline_error", a11y::Role::text, form.error(), ImVec2(pad, y), ImVec2(w - pad, y + f.small->FontSize));
    y += 24 * s_;
  }
  const bool sending = form.state() == OfflineForm::State::sending;
  const ImVec2 a(pad, y), size(w - 2 * pad, 44 * s_);
  bool hovered = false;
  if (hit("##offline_send", a, size, &hovered) && !sending) out.submit_offline = true;
  a11y::State st;
  st.disabled = sending;
  if (a11y::item(a11y::Role::button, "Send message", st) && !sending) out.submit_offline = true;
  dl->AddRectFilled(a, ImVec2(a.x + size.x, a.y + size.y), hovered && !sending ? brand_dark_ : brand_, 12 * s_);
  const char* label = sending ? "Sending…" : "Send message";
  const ImVec2 ts = f.title->CalcTextSizeA(f.title->FontSize, FLT_MAX, 0, label);
  dl->AddText(f.title, f.title->FontSize, ImVec2(a.x + (size.x - ts.x) / 2, a.y + (size.y - ts.y) / 2), on_brand_, label);
  y = a.y + size.y;
  if (model.tenant().assistant_enabled) {
    y += 8 * s_;
    const char* alt = "Chat with the assistant instead";
    const ImVec2 as = f.small->CalcTextSizeA(f.small->FontSize, FLT_MAX, 0, alt);
    const ImVec2 p((w - as.x) / 2, y + 4 * s_);
    bool h2 = false;
    if (hit("##offline_dismiss", ImVec2(p.x - 4 * s_, y), ImVec2(as.x + 8 * s_, 24 * s_), &h2)) out.dismiss_offline = true;
    if (a11y::item(a11y::Role::button, alt)) out.dismiss_offline = true;
    dl->AddText(f.small, f.small->FontSize, p, h2 ? brand_dark_ : brand_, alt);
    y += 24 * s_;
  }
  return y + pad - y0;
}

}  // namespace parley::widget
