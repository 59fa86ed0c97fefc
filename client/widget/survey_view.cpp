// The widget's satisfaction survey panel (WidgetView::draw_survey; survey_model.hpp has the rules).
// Drawn above the composer once the conversation ended: the tenant's question, five star buttons
// (a radio group for keyboard and screen readers: arrows choose, each star also a click target),
// an optional comment (a real DOM input, "csat-comment") and "Send rating"; then a thank-you line.
#include <cmath>
#include <cstdio>
#include <string>

#include "common/a11y_mirror.hpp"
#include "common/text.hpp"
#include "common/ui.hpp"
#include "imgui.h"
#include "widget/widget_view.hpp"

namespace parley::widget {
namespace {
using client::AppShell;
using client::text::Face;
using namespace client::ui;
namespace a11y = client::a11y;

constexpr ImU32 kInk = IM_COL32(17, 24, 39, 255);
constexpr ImU32 kMuted = IM_COL32(107, 114, 128, 255);
constexpr ImU32 kLine = IM_COL32(229, 231, 235, 255);
constexpr ImU32 kStarOff = IM_COL32(209, 213, 219, 255);
constexpr ImU32 kStarOn = IM_COL32(245, 158, 11, 255);
constexpr ImU32 kDanger = IM_COL32(220, 38, 38, 255);

// A five-pointed star centred on `c` with outer radius `r`.
void star(ImDrawList* dl, ImVec2 c, float r, ImU32 col) {
  ImVec2 pts[10];
  for (int i = 0; i < 10; ++i) {
    const float a = -1.5707963f + static_cast<float>(i) * 0.62831853f;
    const float rr = (i % 2 == 0) ? r : r * 0.45f;
    pts[i] = ImVec2(c.x + rr * std::cos(a), c.y + rr * std::sin(a));
  }
  // Fan from the centre: ImGui fills convex polygons only.
  for (int i = 0; i < 10; ++i) dl->AddTriangleFilled(c, pts[i], pts[(i + 1) % 10], col);
}
}  // namespace

float WidgetView::survey_height(WidgetModel& model) const {
  switch (model.survey_stage()) {
    case SurveyModel::Stage::hidden:
      return 0;
    case SurveyModel::Stage::thanks:
      return 40 * s_;
    default:
      return (12 + 20 + 8 + 40 + 8 + 36 + 8 + 34 + 12) * s_ + (model.survey().error().empty() ? 0 : 18 * s_);
  }
}

void WidgetView::draw_survey(WidgetModel& model, Fields& fields, float w, float y0, Intents& out) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const SurveyModel::Stage stage = model.survey_stage();
  dl->AddLine(ImVec2(0, y0), ImVec2(w, y0), kLine, s_);
  const float pad = 16 * s_;
  if (stage == SurveyModel::Stage::thanks) {
    fields.csat_comment.hide();
    const char* thanks = "Thank you for your feedback!";
    client::text::draw(dl, thanks, Face::body, ImVec2(pad, y0 + 11 * s_), kMuted);
    a11y::node("##csat_thanks", a11y::Role::status, thanks, ImVec2(pad, y0), ImVec2(w - pad, y0 + 40 * s_));
    return;
  }
  float y = y0 + 12 * s_;
  // The tenant's question: text people wrote, through the text path.
  const std::string& question = model.tenant().csat_question;
  client::text::draw(dl, question, Face::label, ImVec2(pad, y), kInk);
  a11y::node("##csat_question", a11y::Role::heading, question, ImVec2(pad, y), ImVec2(w - pad, y + 20 * s_));
  y += 28 * s_;

  const int chosen = model.survey().chosen();
  const bool sending = stage == SurveyModel::Stage::sending;
  const float d = 40 * s_, gap = 8 * s_;
  float x = pad;
  a11y::push("##csat_stars", a11y::Role::radiogroup, "Rating, 1 to 5 stars");
  for (int i = 1; i <= 5; ++i) {
    char id[24], name[24];
    std::snprintf(id, sizeof id, "##star%d", i);
    std::snprintf(name, sizeof name, i == 1 ? "%d star" : "%d stars", i);
    bool hovered = false;
    const ImVec2 p(x, y);
    if (hit(id, p, ImVec2(d, d), &hovered) && !sending) out.rate = i;
    expose("star:" + std::to_string(i), p, ImVec2(d, d));
    a11y::State st;
    st.checked = chosen == i ? 1 : 0;
    st.disabled = sending;
    if (a11y::item(a11y::Role::radio, name, st) && !sending) out.rate = i;
    star(dl, ImVec2(p.x + d / 2, p.y + d / 2), d * 0.45f, (i <= chosen || (hovered && !sending)) ? kStarOn : kStarOff);
    x += d + gap;
  }
  a11y::pop();
  y += d + 8 * s_;

  // Optional comment: a real input placed over the canvas.
  fields.csat_comment.place({pad / s_, y / s_, (w - 2 * pad) / s_, 36 / 1.0f});
  dl->AddRect(ImVec2(pad, y), ImVec2(w - pad, y + 36 * s_), kLine, 8 * s_, 0, s_);
  a11y::field(fields.csat_comment.id());
  y += 36 * s_ + 8 * s_;

  const char* label = sending ? "Sending\u2026" : "Send rating";
  const ImVec2 size(120 * s_, 34 * s_);
  bool hovered = false;
  const bool can = chosen > 0 && !sending;
  if (hit("##csat_send", ImVec2(pad, y), size, &hovered) && can) out.submit_survey = true;
  expose("csat_send", ImVec2(pad, y), size);
  a11y::State st;
  st.disabled = !can;
  if (a11y::item(a11y::Role::button, label, st) && can) out.submit_survey = true;
  dl->AddRectFilled(ImVec2(pad, y), ImVec2(pad + size.x, y + size.y), can ? (hovered ? brand_dark_ : brand_) : kStarOff,
                    size.y / 2);
  client::text::draw_centred(dl, label, Face::label, pad + size.x / 2, y + 8 * s_, on_brand_);
  y += size.y;
  if (!model.survey().error().empty()) {
    client::text::draw(dl, model.survey().error(), Face::small, ImVec2(pad, y + 4 * s_), kDanger);
    a11y::node("##csat_error", a11y::Role::status, model.survey().error(), ImVec2(pad, y), ImVec2(w - pad, y + 18 * s_));
  }
}

}  // namespace parley::widget
