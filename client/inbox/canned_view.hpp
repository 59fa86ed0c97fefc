// canned_view.hpp: the composer's canned-response picker (issue 9), drawn above the composer
// while InboxModel::canned() is open. Reads the model, returns intents; the logic is the model's
// (canned_model.hpp). Mouse: hover selects, click picks. Keyboard: the composer keeps the focus;
// Up/Down/Enter/Tab/Esc reach the picker through inbox_dom.js (parley_inbox_picker_key). Screen
// readers: a listbox of options (shortcut, title), the selected one marked.
#pragma once

#include "imgui.h"
#include "inbox/inbox_model.hpp"

namespace parley::inbox {

struct CannedIntents {
  int pick = -1;    // a match index to pick
  int select = -1;  // a match index to select (hover)
};

// `anchor`: the composer box's top-left (screen px); `width` its width; `s` the UI scale.
void draw_canned_picker(const InboxModel& model, ImVec2 anchor, float width, float s, CannedIntents& out);
// The same list for knowledge-base articles ("#" in the composer; picking shares the article).
void draw_article_picker(const InboxModel& model, ImVec2 anchor, float width, float s, CannedIntents& out);

}  // namespace parley::inbox
