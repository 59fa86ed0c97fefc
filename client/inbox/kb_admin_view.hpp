// kb_admin_view.hpp: the Admin area's "Knowledge base" tab (issue 10; the model is
// kb_admin_model.hpp). Left: a search field (FTS5 over REST, as you type) and the articles (title;
// category, language, active or not, usage count; a search hit's passage), each a button that
// opens it. Right: the editor (title, category, keywords, language, body, an Active toggle, Save,
// Delete with a confirmation step), or "New article". The text inputs are real DOM fields (ids in
// web/inbox.html) adopted into the accessibility mirror; every other control is an ImGui hit area
// and a mirror node (role, name, state), so mouse, keyboard and screen readers reach all of it.
// Reads the model, returns intents; main.cpp applies them. Browser main thread only.
#pragma once

#include <string>
#include <vector>

#include "common/dom.hpp"
#include "inbox/kb_admin_model.hpp"
#include "imgui.h"

namespace parley::inbox {

struct KbAdminFields {
  client::dom::Field search{"kb-search"};
  client::dom::Field title{"kb-title"};
  client::dom::Field category{"kb-category"};
  client::dom::Field keywords{"kb-keywords"};
  client::dom::Field language{"kb-language"};
  client::dom::Field body{"kb-body"};
  std::vector<client::dom::Field*> all() { return {&search, &title, &category, &keywords, &language, &body}; }
  std::vector<client::dom::Field*> editor() { return {&title, &category, &keywords, &language, &body}; }
  void hide_all() {
    for (client::dom::Field* f : all()) f->hide();
  }
};

struct KbAdminIntents {
  std::string open;  // an article id
  bool new_article = false, save = false, close_editor = false;
  bool toggle_active = false;
  bool ask_delete = false, confirm_delete = false, cancel_delete = false;
  std::string focus_field;  // a field's element id (a click on its box)
};

// Draws the tab inside the Admin card's body [a, b] from `y` down.
void draw_kb_admin(const KbAdminModel& m, KbAdminFields& fields, const std::string& focused, ImVec2 a, ImVec2 b,
                   float y, float s, KbAdminIntents& out);

}  // namespace parley::inbox
