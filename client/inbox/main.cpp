// The agent inbox (browser): wires the InboxModel to HTTP (login, /api/me, settings), the
// WebSocket, the DOM fields and the InboxView. Runs inside web/inbox.html, served at /inbox.
//
// Everything that must happen in a background tab (new chats ringing, the tab title's count,
// screen reader announcements) runs in the WebSocket callback path, not in the frame loop, which
// stops while the tab is hidden.
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>
#include <emscripten/html5.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "common/a11y_mirror.hpp"
#include "common/app_shell.hpp"
#include "common/connection.hpp"
#include "common/dom.hpp"
#include "common/text.hpp"
#include "common/ui.hpp"
#include "inbox/inbox_model.hpp"
#include "inbox/inbox_view.hpp"

extern "C" {
void parley_inbox_init();
void parley_inbox_submit_login();
void parley_inbox_http(const char* method, const char* url, const char* body, void* ctx);
int parley_inbox_beep(int kind);
void parley_inbox_set_title(const char* text);
void parley_inbox_blur();
void parley_inbox_set_picker(int open);  // issue 9: the composer's keys go to the canned picker
}

namespace {

using namespace parley;
using client::AppShell;
using inbox::HttpAnswer;
using inbox::InboxModel;

Millis now_ms() { return static_cast<Millis>(emscripten_date_now()); }

std::string random_id() {
  char buf[40];
  auto part = [] { return static_cast<unsigned>(emscripten_random() * 16777216.0f) & 0xFFFFFF; };
  std::snprintf(buf, sizeof buf, "i%06x%06x%06x%06x", part(), part(), part(), part());
  return buf;
}

using HttpDone = std::function<void(const HttpAnswer&)>;

void http(const char* method, const std::string& url, const std::string& body, HttpDone done) {
  parley_inbox_http(method, url.c_str(), body.empty() ? nullptr : body.c_str(),
                    new HttpDone(std::move(done)));
}

struct BrowserStorage : inbox::Storage {
  std::string get(const std::string& key) override { return client::dom::storage_get(key); }
  void set(const std::string& key, const std::string& value) override {
    client::dom::storage_set(key, value);
  }
};

// The model's transport: the current connection, or none (logged out).
struct LinkTransport : client::Transport {
  client::Connection* conn = nullptr;
  bool send_text(const std::string& frame) override { return conn && conn->send_text(frame); }
  void reconnect() override {
    if (conn) conn->reconnect();
  }
};

void hook_keys();
void delete_connection(void* p) { delete static_cast<client::Connection*>(p); }

class InboxApp : public client::dom::Handler, public client::Connection::Listener {
 public:
  InboxApp() { new_model(); }

  bool start() {
    parley_inbox_init();  // before AppShell::init: its key listener must come first
    AppShell& shell = AppShell::get();
    regular_url_ = client::dom::module_string("parleyFontRegular");
    bold_url_ = client::dom::module_string("parleyFontBold");
    if (!shell.init(*this, {regular_url_.c_str(), bold_url_.c_str()})) return false;
    hook_keys();
    http("GET", "/api/me", "", [this](const HttpAnswer& a) {
      if (a.status == 0) {  // the relay is not answering: show the form, it explains on submit
        model_->me_answered({401, "", 0});
      } else {
        model_->me_answered(a);
      }
      if (model_->screen() == inbox::Screen::inbox) enter_inbox();
      after_change();
    });
    shell.run([this](double now) { return frame(now); });
    return true;
  }

  void form_submitted() {
    const std::string user = fields_.user.value(), password = fields_.password.value();
    if (!model_->begin_login(user, password, now_ms())) {
      after_change();
      return;
    }
    const Json body{{"username", user}, {"password", password}};
    http("POST", "/api/login", body.dump(-1, ' ', false, Json::error_handler_t::replace),
         [this](const HttpAnswer& a) {
           if (model_->login_answered(a, now_ms())) {
             fields_.password.set_value("");
             enter_inbox();
           }
           after_change();
         });
    after_change();
  }

  // ---- client::dom::Handler ----
  void on_input(std::string_view field, std::string_view value) override {
    if (field == "composer") {
      model_->set_draft(std::string(value), now_ms());
    } else if (field == "resolve-note") {
      model_->set_resolution(std::string(value));
    } else if (field == "search-query") {
      model_->supervise().set_query(std::string(value));
    }
    AppShell::get().invalidate();
  }
  void on_submit(std::string_view field) override {
    if (field == "composer") {
      send();
    } else if (field == "resolve-note") {
      resolve();
    } else if (field == "search-query") {
      run_search();
    } else if (field == "login-user" || field == "login-password") {
      parley_inbox_submit_login();
    }
    after_change();
  }
  void on_escape(std::string_view field) override {
    if (field == "resolve-note") {
      model_->close_resolve();
    } else if (field == "search-query") {
      close_supervise();
    }
    parley_inbox_blur();
    after_change();
  }
  void on_focus(std::string_view field, bool focused) override {
    view_.set_focused(std::string(field), focused);
    AppShell::get().invalidate();
  }
  void on_field_height(std::string_view field, float css_px) override {
    view_.set_field_height(std::string(field), css_px);
    AppShell::get().invalidate();
  }
  void on_visibility(bool visible) override {
    if (visible && conn_) conn_->retry_now();
    update_viewing();
  }
  void on_network(bool online) override {
    if (conn_) conn_->set_network(online);
  }
  std::string state_json() override {
    Json j = model_->snapshot(now_ms());
    j["beeps"] = beeps_;
    j["alerts"] = alerts_seen_;
    j["focused_field"] = view_.focused_field();
    j["text"] = client::text::stats_json();
    j["copies"] = copies_;
    j["layout"] = view_.narrow() ? "narrow" : "wide";
    j["transcript"] = Json{{"at_bottom", view_.transcript_at_bottom()}, {"new_below", view_.transcript_new_below()}};
    // Where the named controls were drawn (CSS px): end-to-end tests click them by name.
    j["controls"] = Json::parse(client::ui::exposed_json(AppShell::get().scale()), nullptr, false);
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
  }

  // ---- client::Connection::Listener ----
  void on_open() override {
    opened_ = true;
    model_->connected(now_ms());
    after_change();
  }
  void on_text(std::string_view frame) override {
    model_->received(frame, now_ms());
    if (model_->session().ready() && conn_) conn_->reset_backoff();
    after_change();
  }
  void on_closed() override {
    model_->disconnected();
    check_session();  // 1008 "logged out" / "session expired" / revoked
    after_change();
  }
  void on_state(client::Connection::State state, double retry_at) override {
    using S = client::Connection::State;
    const inbox::LinkState link = state == S::open      ? inbox::LinkState::online
                                  : state == S::waiting ? inbox::LinkState::retrying
                                  : state == S::offline ? inbox::LinkState::offline
                                                        : inbox::LinkState::connecting;
    model_->set_link(link, static_cast<Millis>(retry_at));
    // An upgrade refused before it opened may be a dead session (HTTP 401): ask.
    if (state == S::waiting && !opened_) check_session();
    if (state == S::waiting) opened_ = false;
    after_change();
  }
  void on_tick() override {
    model_->tick(now_ms());
    after_change();
  }

  // Keyboard over the canvas (DOM fields keep their keys: the common key guard stops them before
  // GLFW). Handled on the key event itself: ImGui 1.86 has no input queue, so a key pressed and
  // released between two frames would never be seen by the view.
  void key(int key, int action) {
    if (action == GLFW_RELEASE || model_->screen() != inbox::Screen::inbox || !view_.focused_field().empty())
      return;
    const Millis now = now_ms();
    if (model_->transfer_open()) {  // issue 9: the dialog has the keys
      if (action != GLFW_PRESS) return;
      if (key == GLFW_KEY_UP) model_->move_transfer_choice(-1);
      else if (key == GLFW_KEY_DOWN) model_->move_transfer_choice(1);
      else if (key == GLFW_KEY_ENTER || key == GLFW_KEY_KP_ENTER) model_->submit_transfer();
      else if (key == GLFW_KEY_ESCAPE) model_->close_transfer();
      else return;
      after_change();
      return;
    }
    switch (key) {
      case GLFW_KEY_UP:
        model_->move_focus(-1);
        break;
      case GLFW_KEY_DOWN:
        model_->move_focus(1);
        break;
      case GLFW_KEY_ENTER:
      case GLFW_KEY_KP_ENTER:
        if (action == GLFW_PRESS && !model_->resolve_open()) model_->open_focused(now);
        break;
      case GLFW_KEY_ESCAPE:
        if (action != GLFW_PRESS) return;
        if (model_->resolve_open()) {
          model_->close_resolve();
        } else {
          model_->close_conversation();
        }
        break;
      default:
        return;
    }
    after_change();
  }

  void http_done(HttpDone* done, const HttpAnswer& a) {
    std::unique_ptr<HttpDone> d(done);
    (*d)(a);
  }

 private:
  void new_model() {
    model_ = std::make_unique<InboxModel>(link_, storage_, random_id);
    int offset = 0;
    bool hour12 = false;
    client::dom::clock_info(offset, hour12);
    model_->set_clock({offset, hour12});
    client::text::set_preferred_lang(client::text::browser_language());  // Han glyph forms
    view_ = inbox::InboxView();
    last_open_.clear();
  }

  void enter_inbox() {
    if (!conn_) {
      conn_ = std::make_unique<client::Connection>(client::dom::websocket_url("/ws/inbox"), *this);
      link_.conn = conn_.get();
      conn_->set_network(client::dom::network_online());
      opened_ = false;
      conn_->start();
    }
    // Issue types come with inbox.snapshot (agents may not read /api/v1/settings).
    update_viewing();
  }

  // Asks the relay whether our session still stands; a 401 sends us back to the login form.
  void check_session() {
    if (checking_ || model_->screen() != inbox::Screen::inbox) return;
    checking_ = true;
    http("GET", "/api/me", "", [this](const HttpAnswer& a) {
      checking_ = false;
      if (a.status == 401 && model_->screen() == inbox::Screen::inbox) {
        leave_inbox("You were signed out. Please sign in again.");
      }
      after_change();
    });
  }

  // Back to the login form: the connection stops (deleted outside its own callbacks) and the
  // next user starts with a fresh model.
  void leave_inbox(const std::string& reason) {
    if (conn_) {
      link_.conn = nullptr;
      emscripten_set_timeout(delete_connection, 0, conn_.release());
    }
    new_model();
    model_->logged_out(reason);
    fields_.composer.set_value("");
    fields_.note.set_value("");
    set_title();
  }

  void logout() {
    http("POST", "/api/logout", "{}", [](const HttpAnswer&) {});
    leave_inbox("");
  }

  void update_viewing() {
    model_->set_viewing(client::dom::document_visible() && model_->screen() == inbox::Screen::inbox,
                        now_ms());
    after_change();
  }

  void set_title() {
    const std::string t = model_->title();
    if (t != title_) {
      title_ = t;
      parley_inbox_set_title(t.c_str());
    }
  }

  // After anything changed the model (also in a hidden tab): sounds, title, announcements.
  void after_change() {
    if (model_->screen() == inbox::Screen::login && conn_) {
      leave_inbox(model_->login_error());  // session.expired arrived on the socket
    }
    bool waiting = false, message = false;
    for (const inbox::Alert& a : model_->take_alerts()) {
      ++alerts_seen_;
      client::dom::announce(a.text);
      if (a.kind == inbox::Alert::Kind::new_waiting)
        waiting = true;
      else if (a.kind == inbox::Alert::Kind::new_message)
        message = true;
    }
    if (!model_->muted() && (waiting || message)) beeps_ += parley_inbox_beep(waiting ? 0 : 1);
    announce_changes();
    set_title();
    AppShell::get().invalidate();
  }

  bool frame(double now) {
    inbox::Intents in;
    client::a11y::begin_frame();
    const bool animating = view_.draw(*model_, fields_, now, in);
    client::a11y::end_frame();
    if (client::a11y::take_escape()) escape();
    client::a11y::take_window_blur();
    apply(in);
    return animating;
  }

  // Esc on a mirror node (the canvas's own Esc is in key()): closes the dialog, else the
  // conversation.
  void escape() {
    if (model_->screen() != inbox::Screen::inbox) return;
    if (model_->transfer_open()) {
      model_->close_transfer();
    } else if (model_->resolve_open()) {
      model_->close_resolve();
    } else {
      model_->close_conversation();
    }
    after_change();
  }

  // State changes and errors for screen readers (new chats and messages come as alerts).
  void announce_changes() {
    if (model_->screen() != inbox::Screen::inbox) {
      if (model_->login_error() != login_error_) {
        login_error_ = model_->login_error();
        if (!login_error_.empty()) client::dom::announce(login_error_);
      }
      return;
    }
    login_error_.clear();
    if (model_->flash_at() != flash_at_) {
      flash_at_ = model_->flash_at();
      if (!model_->flash().empty()) client::dom::announce(model_->flash());
    }
    const bool ready = model_->session().ready();
    if (ready != was_ready_) {
      if (!ready && was_ready_) client::dom::announce("Connection lost. Reconnecting…");
      if (ready && had_ready_) client::dom::announce("Connected again.");
      had_ready_ = had_ready_ || ready;
      was_ready_ = ready;
    }
    const Conversation* c = model_->open_conversation();
    const int status = c ? static_cast<int>(c->status) : -1;
    const std::string id = c ? c->id : std::string();
    if (id == announced_id_ && status != announced_status_ && c) {
      if (c->status == Status::active && model_->open_is_mine()) {
        client::dom::announce("Chat accepted. You can reply now.");
      } else if (c->status == Status::resolved) {
        client::dom::announce("Conversation resolved.");
      } else if (c->status == Status::pending) {
        client::dom::announce("The customer is waiting for a person.");
      }
    }
    announced_id_ = id;
    announced_status_ = status;
    // New messages from the customer (or the assistant) in the open conversation: read out.
    // Not the history: counting starts once the conversation is joined.
    if (!c || !model_->joined_open()) {
      spoken_id_.clear();
      spoken_seq_ = 0;
      return;
    }
    Seq newest = 0;
    for (const inbox::TimelineItem& it : model_->timeline()) {
      if (it.kind != inbox::TimelineItem::Kind::message || it.seq <= 0) continue;
      newest = std::max(newest, it.seq);
      if (id == spoken_id_ && it.seq > spoken_seq_ && !it.own && it.role != Role::agent)
        client::dom::announce(it.name + ": " + it.text);
    }
    spoken_seq_ = id == spoken_id_ ? std::max(spoken_seq_, newest) : newest;
    spoken_id_ = id;
  }

  void send() {
    if (model_->canned().open() || model_->articles().open()) {  // Enter picks from the open picker (issue 9)
      picker_key(3);
      return;
    }
    if (model_->send_draft(now_ms())) fields_.composer.set_value("");
  }

 public:
  // issue 9: a key the composer's picker takes (inbox_dom.js): 1 up, 2 down, 3 pick, 4 close.
  void picker_key(int code) {
    if (model_->articles().open()) {
      if (code == 1) model_->articles().move(-1);
      if (code == 2) model_->articles().move(1);
      if (code == 3) model_->pick_article(-1);
      if (code == 4) model_->articles().close();
    } else {
      if (code == 1) model_->canned().move(-1);
      if (code == 2) model_->canned().move(1);
      if (code == 3) model_->pick_canned(-1);
      if (code == 4) model_->canned().close();
    }
    after_change();
  }

 private:
  // issue 9: the canned responses once in the inbox, the agents when the transfer dialog opens,
  // the draft into the DOM composer when a canned response filled it, the picker's key routing.
  void fetch_issue9() {
    if (model_->screen() == inbox::Screen::inbox && !canned_fetched_ && model_->session().ready()) {
      canned_fetched_ = true;
      http("GET", "/api/v1/canned", "", [this](const HttpAnswer& a) {
        model_->canned_answered(a);
        after_change();
      });
      http("GET", "/api/v1/kb", "", [this](const HttpAnswer& a) {
        model_->articles_answered(a);
        after_change();
      });
    }
    if (auto call = model_->take_assign_call()) {  // issue 9, sup2: a lead's reassignment
      http(call->method.c_str(), call->url, call->body, [this](const HttpAnswer& a) {
        model_->assign_answered(a);
        after_change();
      });
    }
    if (model_->take_agents_request()) {
      http("GET", "/api/live-chat/agents", "", [this](const HttpAnswer& a) {
        model_->agents_answered(a);
        after_change();
      });
    }
    if (model_->take_draft_replaced()) {
      fields_.composer.set_value(model_->draft());
      fields_.composer.focus();
    }
    if (model_->note_mode() != note_placeholder_) {
      note_placeholder_ = model_->note_mode();
      fields_.composer.set_attr("placeholder", note_placeholder_ ? "Write a private note (staff only)\u2026" : "Write a reply\u2026");
      fields_.composer.set_attr("aria-label", note_placeholder_ ? "Private note, staff only" : "Reply to the customer");
    }
    const bool open = model_->canned().open() || model_->articles().open();
    if (open != picker_open_) {
      picker_open_ = open;
      parley_inbox_set_picker(open ? 1 : 0);
    }
  }

  void resolve() {
    model_->set_resolution(fields_.note.value());
    if (model_->submit_resolve()) {
      fields_.note.set_value("");
      parley_inbox_blur();
    }
  }

  // ---- issue 9, supervise: the dashboard and conversations panels (supervise_model.hpp) ----
  void run_search() {
    const std::uint64_t n = model_->supervise().search_number() + 1;
    const std::string url = model_->supervise().begin_search();
    client::dom::fetch(url, [this, n](bool ok, std::string body) {
      model_->supervise().search_answered(n, ok, body);
      after_change();
    });
    after_change();
  }
  void close_supervise() {
    if (model_->supervise().panel() == inbox::SuperviseModel::Panel::dashboard) model_->show_dashboard(false);
    model_->supervise().close();
    parley_inbox_blur();
  }
  void apply_supervise(const inbox::Intents& in, Millis now) {
    inbox::SuperviseModel& sv = model_->supervise();
    if (in.open_dashboard) model_->show_dashboard(true);
    if (in.open_conversations) {
      sv.open(inbox::SuperviseModel::Panel::conversations);
      fields_.search.focus();
      if (!sv.searched()) run_search();
    }
    if (in.focus_search) fields_.search.focus();
    if (!in.status_filter.empty()) {
      sv.set_status_filter(in.status_filter == "all" ? "" : in.status_filter);
      run_search();
    }
    if (in.run_search) run_search();
    if (in.request_csat) model_->request_csat();
    if (!in.open_hit.empty()) {
      close_supervise();
      model_->open_at(in.open_hit, in.open_hit_seq, now);  // issue 9, sup2: at the matching message
    }
    if (in.close_supervise) close_supervise();
    if (in.open_dashboard || in.open_conversations || in.close_supervise || in.request_csat || !in.open_hit.empty() ||
        !in.status_filter.empty())
      after_change();
  }

  void apply(const inbox::Intents& in) {
    const Millis now = now_ms();
    bool changed = false;
    apply_supervise(in, now);
    if (in.login) parley_inbox_submit_login();
    if (in.focus_login) {
      if (fields_.user.value().empty())
        fields_.user.focus();
      else
        fields_.password.focus();
    }
    if (in.move_focus != 0) {
      model_->move_focus(in.move_focus);
      changed = true;
    }
    if (in.open_focused) {
      model_->open_focused(now);
      changed = true;
    }
    if (!in.open.empty()) {
      model_->open(in.open, now);
      changed = true;
    }
    if (in.close_conversation) {
      model_->close_conversation();
      changed = true;
    }
    if (!in.accept.empty()) {
      model_->accept(in.accept);
      accepted_ = in.accept;  // the keyboard goes to the composer once we may reply
      changed = true;
    }
    if (!in.take_over.empty()) {
      model_->take_over(in.take_over);
      changed = true;
    }
    if (in.send) {
      send();
      changed = true;
    }
    if (!in.retry.empty()) model_->retry(in.retry);
    if (!in.discard.empty()) model_->discard(in.discard);
    if (in.open_resolve) {
      model_->open_resolve();
      fields_.note.set_value("");
      changed = true;
    }
    if (!in.issue_type.empty()) model_->set_issue_type(in.issue_type);
    if (in.close_resolve) {
      model_->close_resolve();
      parley_inbox_blur();
      changed = true;
    }
    if (in.submit_resolve) {
      resolve();
      changed = true;
    }
    if (in.set_status) model_->choose_status(*in.set_status);
    if (in.toggle_mute) {
      model_->toggle_mute();
      changed = true;
    }
    if (!in.open_url.empty()) client::dom::open_url(in.open_url);
    if (!in.copy.empty()) {
      client::dom::copy_to_clipboard(in.copy);
      model_->copied(now);  // "Copied" for the eyes (flash) and for screen readers (alert)
      ++copies_;
      changed = true;
    }
    if (in.logout) {
      logout();
      changed = true;
    }
    // ---- issue 9 ----
    if (in.select_canned >= 0) {
      model_->canned().select(in.select_canned);
      changed = true;
    }
    if (in.pick_canned >= 0) {
      model_->pick_canned(in.pick_canned);
      changed = true;
    }
    if (in.select_article >= 0) {
      model_->articles().select(in.select_article);
      changed = true;
    }
    if (in.pick_article >= 0) {
      model_->pick_article(in.pick_article);
      changed = true;
    }
    if (in.toggle_note) {
      model_->toggle_note();
      changed = true;
    }
    if (in.open_reassign) {  // issue 9, sup2
      model_->open_reassign();
      parley_inbox_blur();
      changed = true;
    }
    if (in.open_transfer) {
      model_->open_transfer();
      parley_inbox_blur();
      changed = true;
    }
    if (in.transfer_choice >= 0) {
      model_->set_transfer_choice(in.transfer_choice);
      changed = true;
    }
    if (in.close_transfer) {
      model_->close_transfer();
      changed = true;
    }
    if (in.submit_transfer) {
      model_->submit_transfer();
      changed = true;
    }
    if (in.set_priority) {
      model_->change_priority(*in.set_priority);
      changed = true;
    }
    if (!in.set_issue_type.empty()) {
      model_->change_issue_type(in.set_issue_type);
      changed = true;
    }
    fetch_issue9();
    // A different conversation: its own (empty) draft; focus the composer when we may reply.
    if (model_->open_id() != last_open_) {
      last_open_ = model_->open_id();
      fields_.composer.set_value(model_->draft());
    }
    if (in.focus_composer) fields_.composer.focus();
    if (!accepted_.empty()) {
      if (model_->open_id() != accepted_) {
        accepted_.clear();
      } else if (model_->can_reply() && fields_.composer.visible()) {
        fields_.composer.focus();
        accepted_.clear();
      }
    }
    if (in.focus_note) fields_.note.focus();
    if (changed || !in.retry.empty() || !in.discard.empty() || !in.issue_type.empty()) after_change();
  }

  LinkTransport link_;
  BrowserStorage storage_;
  std::unique_ptr<InboxModel> model_;
  std::unique_ptr<client::Connection> conn_;
  inbox::InboxView view_;
  inbox::Fields fields_;
  std::string regular_url_, bold_url_;
  std::string title_;
  std::string last_open_;
  bool opened_ = false;
  bool checking_ = false;
  std::string accepted_;
  std::string login_error_;
  Millis flash_at_ = 0;
  bool was_ready_ = false, had_ready_ = false;
  std::string announced_id_;
  int announced_status_ = -1;
  std::string spoken_id_;  // the open conversation whose new messages are read out
  Seq spoken_seq_ = 0;
  int beeps_ = 0;
  int alerts_seen_ = 0;
  int copies_ = 0;
  bool canned_fetched_ = false;  // issue 9
  bool picker_open_ = false;
  bool note_placeholder_ = false;
};

InboxApp* g_app = nullptr;
GLFWkeyfun g_next_key = nullptr;

void on_key(GLFWwindow* w, int key, int scancode, int action, int mods) {
  if (g_app) g_app->key(key, action);
  if (g_next_key) g_next_key(w, key, scancode, action, mods);
}

void hook_keys() { g_next_key = glfwSetKeyCallback(glfwGetCurrentContext(), on_key); }

}  // namespace

extern "C" {
EMSCRIPTEN_KEEPALIVE void parley_inbox_form_submitted() {
  if (g_app) g_app->form_submitted();
}
EMSCRIPTEN_KEEPALIVE void parley_inbox_picker_key(int code) {
  if (g_app) g_app->picker_key(code);
}
EMSCRIPTEN_KEEPALIVE void parley_inbox_http_done(void* ctx, int status, const char* body, int retry_after_s) {
  HttpAnswer a{status, body ? body : "", retry_after_s};
  if (g_app) {
    g_app->http_done(static_cast<HttpDone*>(ctx), a);
  } else {
    delete static_cast<HttpDone*>(ctx);
  }
}
}

int main() {
  g_app = new InboxApp();  // lives as long as the page
  if (!g_app->start()) {
    std::puts("parley: WebGL 2 is not available");
    return 1;
  }
  return 0;
}
