// canned_model.hpp: the composer's canned-response picker (issue 9), pure C++ (tested natively in
// tests/unit_client). The view (canned_view.cpp) draws it; the inbox model owns one.
//
// The agent types "/" at the start of an empty composer, then letters of a shortcut: the picker
// opens with the responses whose shortcut starts with them (then those whose shortcut or title
// contains them), at most kMaxShown. Up/Down move the selection (wrapping), Enter or Tab picks,
// Esc closes it until the draft changes; a click picks a row. Picking fills the template
// (parley/templates.hpp) with the open conversation's values; what could not be filled stays in
// the text and is reported (`warning()`), so the agent sees it before sending.
//
// Threads: the browser's main thread (or a test). Errors: a list that does not parse is ignored
// (the picker stays empty).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "parley/templates.hpp"

namespace parley::inbox {

struct CannedItem {
  std::string id, shortcut, title, body;
  bool personal = false;
};

class CannedPicker {
 public:
  static constexpr std::size_t kMaxShown = 8;
  // `trigger`: the character that opens it at the start of the draft ('/' canned responses; the
  // inbox's knowledge-base picker uses '#', with the article id as shortcut).
  explicit CannedPicker(char trigger = '/') : trigger_(trigger) {}
  char trigger() const { return trigger_; }
  // GET /api/v1/kb's body ({"articles":[{id,title,body}]}) for a '#' picker.
  bool load_kb_json(const std::string& body);

  // GET /api/v1/canned's body ({"canned":[...]}); false (and nothing changed) when it is not one.
  bool load_json(const std::string& body);
  void set_items(std::vector<CannedItem> items);
  const std::vector<CannedItem>& items() const { return items_; }
  bool loaded() const { return loaded_; }

  // The composer's text changed.
  void draft_changed(const std::string& draft);
  bool open() const { return open_; }
  const std::string& query() const { return query_; }
  // Indexes into items(), best first.
  const std::vector<std::size_t>& matches() const { return matches_; }
  int selected() const { return selected_; }  // into matches(); -1 when none
  void move(int delta);
  void select(int index);
  void close();  // Esc: stays closed until the draft changes
  // The selected match (or matches()[index]), closing the picker; nullopt when there is none.
  std::optional<CannedItem> pick(int index = -1);
  std::uint64_t version() const { return version_; }

  // "Check before sending: {{x}} is not a variable; {{customer.name}} has no value here." or "".
  static std::string warning(const Filled& f);

 private:
  void refilter();
  char trigger_ = '/';
  std::vector<CannedItem> items_;
  bool loaded_ = false;
  bool open_ = false;
  bool dismissed_ = false;  // Esc on this draft
  std::string draft_, query_;
  std::vector<std::size_t> matches_;
  int selected_ = -1;
  std::uint64_t version_ = 0;
};

}  // namespace parley::inbox
