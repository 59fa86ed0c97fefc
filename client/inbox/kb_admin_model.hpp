// kb_admin_model.hpp: the inbox's "Knowledge base" settings screen (issue 10), pure C++ (tested
// natively in tests/unit_client). A tab of the Admin area (admin_view.cpp draws the tab strip;
// kb_admin_view.cpp draws this), over the REST of docs/api.md "Knowledge base articles":
//   list    GET /api/v1/kb/articles (every article, without bodies: title, category, language,
//           active, usage count)
//   search  GET /api/v1/kb/search?q=...&include_inactive=1&limit=20 (FTS5: the list shows the hits,
//           best first, with their passage)
//   open    GET /api/v1/kb/articles/{id} (the body, for editing)
//   save    POST /api/v1/kb/articles (new) or PATCH /api/v1/kb/articles/{id} (only what changed)
//   delete  DELETE /api/v1/kb/articles/{id}, after a confirmation step (ask_delete, then
//           confirm_delete or cancel_delete)
// The draft is checked with parley/kb_admin.hpp before it is sent (the relay's own rules), so a
// mistake is named at once and in the same words. Admins edit; supervisors read (the relay lets
// staff read and only admins write, and can_edit() hides the editing controls).
//
// The model never does I/O: it queues Requests (take_requests()); the browser glue sends them and
// feeds the answers back with answered(). Single-threaded (the browser's main thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::inbox {

class KbAdminModel {
 public:
  enum class What { list, search, open_article, create, save, remove };
  struct Request {
    std::string method, url, body;
    What what = What::list;
    std::string ref;  // the article id it concerns
  };
  struct Row {
    std::string id, title, category, language, passage;  // passage: a search hit's, "" in the list
    bool active = true;
    std::int64_t usage_count = 0, updated_at = 0;
  };
  // The editor's fields as typed (keywords comma-separated).
  struct Draft {
    std::string title, body, category, keywords, language;
    bool active = true;
    bool operator==(const Draft&) const = default;
  };

  void set_can_edit(bool admin) { can_edit_ = admin; }
  bool can_edit() const { return can_edit_; }

  // The tab was shown: loads the list (again).
  void opened();
  // The search field's text; blank shows the whole list. Each change queues one search (the view
  // calls it when the field changed, not per frame).
  void set_query(const std::string& q);
  const std::string& query() const { return query_; }
  bool searching() const { return !blank(query_); }
  // What the list shows: every article, or the search's hits best first.
  const std::vector<Row>& rows() const { return searching() ? hits_ : list_; }
  bool loading() const { return loading_; }

  // Opens an article in the editor (loads its body); "" when none is open.
  void select(const std::string& id);
  void new_article();  // an empty draft (admins)
  const std::string& selected() const { return selected_; }
  bool editing() const { return editing_; }        // the editor is showing (an article or a new one)
  bool is_new() const { return editing_ && selected_.empty(); }
  bool draft_loaded() const { return draft_loaded_; }  // the article's body arrived
  Draft& draft() { return draft_; }
  const Draft& draft() const { return draft_; }
  bool dirty() const { return editing_ && draft_ != saved_; }
  // Validates (parley::check_kb_article) and queues POST or PATCH; false (with problem()) when
  // the draft is not right or nothing changed.
  bool save();
  void close_editor();

  void ask_delete();  // shows the confirmation (admins, an existing article)
  bool confirming_delete() const { return confirm_delete_; }
  void confirm_delete();
  void cancel_delete() { confirm_delete_ = false; }

  // The last problem in words ("Title: must not be empty", the relay's error message), and what
  // the field was ("title", "" when none). Cleared by the next save or change of selection.
  const std::string& problem() const { return problem_; }
  const std::string& problem_field() const { return problem_field_; }
  // "Saved.", "Deleted." after a change went through ("" otherwise).
  const std::string& notice() const { return notice_; }

  std::vector<Request> take_requests();
  void answered(const Request& r, int status, const std::string& body);
  std::uint64_t version() const { return version_; }  // changes when anything drawn changed

  // "12 uses" / "1 use" / "unused".
  static std::string uses_text(std::int64_t n);

 private:
  static bool blank(const std::string& s);
  void queue(Request r);
  void fail(std::string message, std::string field = {});
  Request search_request() const;

  bool can_edit_ = false;
  std::vector<Row> list_, hits_;
  std::string query_;
  bool loading_ = false;
  std::string selected_;
  bool editing_ = false, draft_loaded_ = false, confirm_delete_ = false;
  Draft draft_, saved_;
  std::string problem_, problem_field_, notice_;
  std::vector<Request> out_;
  std::uint64_t search_seq_ = 0, answered_search_ = 0;
  std::uint64_t version_ = 0;
};

}  // namespace parley::inbox
