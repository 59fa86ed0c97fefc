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
#include "common/form_text.hpp"
#include "common/text.hpp"
#include "common/thumbs.hpp"
#include "common/ui.hpp"
#include "inbox/inbox_model.hpp"
#include "inbox/inbox_view.hpp"
#include "inbox/admin_view.hpp"
#include "inbox/customer_view.hpp"
#include "inbox/tickets_view.hpp"
#include "inbox/kb_admin_view.hpp"

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
    http("POST", "/api/login", client::json_text(body),
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
    } else if (field.starts_with("admin-")) {
      admin_input(field, std::string(value));
    } else if (field == "ticket-title") {  // issue 9, the Customer panel
      customer_.title = std::string(value);
    } else if (field == "block-reason") {
      customer_.reason = std::string(value);
    } else if (field.starts_with("kb-")) {
      kb_input(field, std::string(value));  // issue 10
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
    } else if (field.starts_with("admin-")) {
      admin_submit(field);
    } else if (field == "ticket-title" || field == "block-reason") {  // issue 9
      inbox::CustomerIntents ci;
      (field == "ticket-title" ? ci.submit_convert : ci.ask_block) = true;
      apply_customer(ci);
    } else if (field.starts_with("kb-") && field != "kb-search" && field != "kb-body") {
      inbox::KbAdminIntents ki;  // Enter in an editor's one-line field saves (the body's Enter is a new line)
      ki.save = true;
      apply_kb(ki);
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
    } else if (field.starts_with("admin-") || field.starts_with("kb-")) {
      admin_.close();
    } else if (field == "ticket-title" || field == "block-reason") {  // issue 9: the form closes
      customer_.cancel_form();
      customer_fields_.hide_all();
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
  // issue 9: a file chosen in the picker "Attach a file" opened.
  void on_file_chosen(std::string_view, int handle, std::string_view name, double size) override {
    model_->attach(handle, std::string(name), size > 0 ? static_cast<std::uint64_t>(size) : 0);
    pump_uploads();
    after_change();
  }
  std::string state_json() override {
    Json j = model_->snapshot(now_ms());
    j["beeps"] = beeps_;
    j["alerts"] = alerts_seen_;
    j["focused_field"] = view_.focused_field();
    j["text"] = client::text::stats_json();
    j["copies"] = copies_;
    j["downloads"] = Json{{"done", downloads_}, {"failed", download_failures_}};
    j["thumbnails"] = Json{{"shown", client::thumbs::ready_count()}, {"failed", client::thumbs::failed_count()}};
    j["admin"] = admin_.snapshot();  // issue 9
    j["tickets_ui"] = tickets_.snapshot();  // issue 9, the Tickets area
    j["customer"] = customer_.snapshot();   // issue 9, the Customer panel
    j["kb_admin"] = kb_snapshot();     // issue 10
    j["layout"] = view_.narrow() ? "narrow" : "wide";
    j["transcript"] = Json{{"at_bottom", view_.transcript_at_bottom()}, {"new_below", view_.transcript_new_below()}};
    // Where the named controls were drawn (CSS px): end-to-end tests click them by name.
    j["controls"] = Json::parse(client::ui::exposed_json(AppShell::get().scale()), nullptr, false);
    return client::json_text(j);
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
    if (tickets_.is_open() || customer_.is_open()) {  // issue 9: the card has the keys; Esc closes
      if (action == GLFW_PRESS && key == GLFW_KEY_ESCAPE) {
        if (customer_.is_open()) {
          inbox::CustomerIntents ci;
          ci.escape = true;
          apply_customer(ci);
        } else {
          inbox::TicketsIntents ti;
          ti.close = true;
          apply_tickets(ti);
        }
      }
      return;
    }
    if (admin_.is_open()) {  // issue 9: the Admin card has the keys; Esc closes it
      if (action == GLFW_PRESS && key == GLFW_KEY_ESCAPE) {
        inbox::AdminIntents ai;
        ai.close = true;
        apply_admin(ai);
      }
      return;
    }
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
    admin_ = inbox::AdminModel();
    tickets_ = inbox::TicketsModel();  // issue 9
    customer_ = inbox::CustomerModel();
    clock_ = {offset, hour12};
    kb_admin_ = inbox::KbAdminModel();
    kb_shown_ = false;
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

  // Starts the next queued upload (one at a time; the session cookie and the page's Origin go
  // with the same-origin POST: the REST CSRF rule) and releases files the model let go.
  void pump_uploads() {
    for (const int handle : model_->take_released_files()) client::dom::release_file(handle);
    const client::files::Upload* u = model_->uploads().start_next();
    if (!u) return;
    const Json headers{{"X-File-Name", client::files::percent_encode(u->name)},
                       {"Idempotency-Key", u->idempotency_key}};
    const int id = u->id, handle = u->handle;
    client::dom::upload_file(handle, "/api/v1/conversations/" + u->conversation_id + "/attachments", headers.dump(),
                             [this, id, handle](int status, std::string body) {
                               if (model_->uploads().finished(id, status, body)) client::dom::release_file(handle);
                               pump_uploads();
                               after_change();
                             });
  }

  // A file message's link: staff download with their session (fetch, then a blob: URL).
  void download(const std::string& attachment_id) {
    const AttachmentRef* a = model_->find_attachment(attachment_id);
    if (!a) return;
    const std::string name = a->name;
    client::dom::download("/api/v1/attachments/" + attachment_id, "{}", name, [this, name](int status) {
      ++downloads_;
      if (status != 200) {
        ++download_failures_;
        client::dom::announce("Could not download " + name + (status == 0 ? ": no connection." : "."));
      } else {
        client::dom::announce("Downloaded " + name);
      }
    });
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
    inbox::AdminIntents ai;  // issue 9: the Admin area, over everything
    inbox::CustomerIntents ci;  // issue 9: the Customer panel and the Tickets area
    inbox::TicketsIntents ti;
    inbox::KbAdminIntents ki;  // issue 10: its Knowledge base tab
    if (model_->screen() == inbox::Screen::inbox) {
      if (customer_.is_open() && model_->open_id() != customer_.conversation_id()) customer_.close();
      inbox::draw_customer(customer_, customer_fields_, view_.focused_field(), clock_, AppShell::get().scale(),
                           view_.customer_button(), ci);
      inbox::draw_tickets(tickets_, AppShell::get().scale(), ti);
      inbox::draw_admin(admin_, admin_fields_, model_->user().id, view_.focused_field(), origin(),
                        AppShell::get().scale(), ai, &kb_admin_, &kb_fields_, &ki);
    } else {
      admin_fields_.hide_all();
      customer_fields_.hide_all();
      kb_fields_.hide_all();
    }
    client::a11y::end_frame();
    if (client::a11y::take_escape()) escape();
    client::a11y::take_window_blur();
    apply(in);
    if (in.open_admin) ai.open = true;
    apply_admin(ai);
    if (in.open_tickets) ti.open = true;
    apply_tickets(ti);
    if (in.open_customer) open_customer();
    apply_customer(ci);
    // A form's field gets the keyboard once it is placed (the frame after the form opened).
    if (!pending_focus_.empty()) {
      for (client::dom::Field* f : {&customer_fields_.title, &customer_fields_.reason})
        if (pending_focus_ == f->id() && f->visible()) f->focus(), pending_focus_.clear();
      if (!customer_.is_open()) pending_focus_.clear();
    }
    apply_kb(ki);
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

  // ---- issue 9, the Admin area (admin_model.hpp, admin_view.hpp) ----
  static std::string origin() {
    std::string u = client::dom::websocket_url("");
    if (u.starts_with("wss://")) return "https://" + u.substr(6);
    if (u.starts_with("ws://")) return "http://" + u.substr(5);
    return u;
  }
  void admin_input(std::string_view field, std::string value) {
    inbox::AdminModel& m = admin_;
    if (field == "admin-username") m.new_username = std::move(value);
    else if (field == "admin-display") m.new_display_name = std::move(value);
    else if (field == "admin-password") m.new_password = std::move(value);
    else if (field == "admin-title") m.draft.title = std::move(value);
    else if (field == "admin-welcome") m.draft.welcome = std::move(value);
    else if (field == "admin-color") m.draft.brand_color = std::move(value);
    else if (field == "admin-sites") m.draft.allowed_sites = std::move(value);
    else if (field == "admin-keyname") m.new_key_name = std::move(value);
    else if (field == "admin-capacity") m.routing_draft.default_capacity = std::move(value);
    else if (field == "admin-threshold") m.routing_draft.wait_threshold_s = std::move(value);
    else if (field == "admin-unanswered") m.routing_draft.unanswered_s = std::move(value);
    else if (field == "admin-idle") m.routing_draft.idle_away_s = std::move(value);
    else if (field == "admin-csat") m.service_draft.csat_question = std::move(value);
    else if (field == "admin-offline") m.service_draft.offline_message = std::move(value);
    else if (field == "admin-issues") m.service_draft.issue_types = std::move(value);
    else if (field == "admin-skills") m.profile_draft.skills = std::move(value);
    else if (field == "admin-teams") m.profile_draft.teams = std::move(value);
    else if (field == "admin-user-capacity") m.profile_draft.capacity = std::move(value);
    else if (field == "admin-team-id") m.team_draft.id = std::move(value);
    else if (field == "admin-team-name") m.team_draft.name = std::move(value);
    else if (field == "admin-invite-email") m.invite_email = std::move(value);  // issue 9
  }
  void admin_submit(std::string_view field) {
    inbox::AdminIntents ai;
    if (field == "admin-username" || field == "admin-display" || field == "admin-password") ai.create_user = true;
    else if (field == "admin-keyname") ai.create_key = true;
    else if (field == "admin-capacity" || field == "admin-threshold" || field == "admin-unanswered" ||
             field == "admin-idle")
      ai.save_routing = true;
    else if (field == "admin-csat" || field == "admin-offline" || field == "admin-issues") ai.save_service = true;
    else if (field == "admin-skills" || field == "admin-teams" || field == "admin-user-capacity") ai.save_profile = true;
    else if (field == "admin-team-id" || field == "admin-team-name") ai.save_team = true;
    else if (field == "admin-invite-email") ai.send_invite = true;  // issue 9
    else ai.save_look = true;
    apply_admin(ai);
  }
  void admin_look_to_fields() {
    admin_fields_.title.set_value(admin_.draft.title);
    admin_fields_.welcome.set_value(admin_.draft.welcome);
    admin_fields_.color.set_value(admin_.draft.brand_color);
    admin_fields_.sites.set_value(admin_.draft.allowed_sites);
  }
  void admin_service_to_fields() {
    admin_fields_.csat.set_value(admin_.service_draft.csat_question);
    admin_fields_.offline.set_value(admin_.service_draft.offline_message);
    admin_fields_.issues.set_value(admin_.service_draft.issue_types);
  }
  void admin_profile_to_fields() {
    admin_fields_.skills.set_value(admin_.profile_draft.skills);
    admin_fields_.teams.set_value(admin_.profile_draft.teams);
    admin_fields_.user_capacity.set_value(admin_.profile_draft.capacity);
  }
  void admin_team_to_fields() {
    admin_fields_.team_id.set_value(admin_.team_draft.id);
    admin_fields_.team_name.set_value(admin_.team_draft.name);
  }
  void admin_routing_to_fields() {
    admin_fields_.capacity.set_value(admin_.routing_draft.default_capacity);
    admin_fields_.threshold.set_value(admin_.routing_draft.wait_threshold_s);
    admin_fields_.unanswered.set_value(admin_.routing_draft.unanswered_s);
    admin_fields_.idle.set_value(admin_.routing_draft.idle_away_s);
  }
  // ---- issue 10, the Admin area's Knowledge base tab (kb_admin_model.hpp, kb_admin_view.hpp) ----
  void kb_input(std::string_view field, std::string value) {
    inbox::KbAdminModel& m = kb_admin_;
    if (field == "kb-search") {
      m.set_query(value);
      kb_send();
      return;
    }
    inbox::KbAdminModel::Draft& d = m.draft();
    if (field == "kb-title") d.title = std::move(value);
    else if (field == "kb-category") d.category = std::move(value);
    else if (field == "kb-keywords") d.keywords = std::move(value);
    else if (field == "kb-language") d.language = std::move(value);
    else if (field == "kb-body") d.body = std::move(value);
  }
  void kb_draft_to_fields() {
    const inbox::KbAdminModel::Draft& d = kb_admin_.draft();
    kb_fields_.title.set_value(d.title);
    kb_fields_.category.set_value(d.category);
    kb_fields_.keywords.set_value(d.keywords);
    kb_fields_.language.set_value(d.language);
    kb_fields_.body.set_value(d.body);
  }
  void kb_send() {
    for (inbox::KbAdminModel::Request& r : kb_admin_.take_requests()) {
      auto req = std::make_shared<inbox::KbAdminModel::Request>(std::move(r));
      http(req->method.c_str(), req->url, req->body, [this, req](const HttpAnswer& a) {
        using W = inbox::KbAdminModel::What;
        kb_admin_.answered(*req, a.status, a.body);
        const bool ok = a.status >= 200 && a.status < 300;
        if (ok && (req->what == W::open_article || req->what == W::create || req->what == W::save)) kb_draft_to_fields();
        if (a.status == 401) check_session();
        kb_after();
      });
    }
  }
  void kb_after() {
    kb_send();
    const std::string line = !kb_admin_.problem().empty() ? kb_admin_.problem() : kb_admin_.notice();
    if (kb_admin_.version() != kb_announced_version_ && line != kb_announced_) {
      kb_announced_ = line;
      if (!line.empty()) client::dom::announce(line);
    }
    kb_announced_version_ = kb_admin_.version();
    after_change();
  }
  void apply_kb(const inbox::KbAdminIntents& ki) {
    inbox::KbAdminModel& m = kb_admin_;
    const bool shown = admin_.is_open() && admin_.tab() == inbox::AdminModel::Tab::kb;
    bool changed = false;
    if (shown && !kb_shown_) {
      m.set_can_edit(model_->user().role == "admin");
      m.opened();
      changed = true;
    }
    kb_shown_ = shown;
    if (!shown) {
      if (changed) kb_after();
      return;
    }
    if (!ki.focus_field.empty()) {
      for (client::dom::Field* f : kb_fields_.all())
        if (ki.focus_field == f->id()) f->focus();
    }
    if (!ki.open.empty()) {
      m.select(ki.open);
      kb_draft_to_fields();
      changed = true;
    }
    if (ki.new_article) {
      m.new_article();
      kb_draft_to_fields();
      kb_fields_.title.focus();
      changed = true;
    }
    if (ki.close_editor) {
      m.close_editor();
      changed = true;
    }
    if (ki.toggle_active && m.can_edit() && m.draft_loaded()) {
      m.draft().active = !m.draft().active;
      changed = true;
    }
    if (ki.save) {
      // The fields' values are the truth (paste or autofill may not raise input events).
      inbox::KbAdminModel::Draft& d = m.draft();
      d.title = kb_fields_.title.value();
      d.category = kb_fields_.category.value();
      d.keywords = kb_fields_.keywords.value();
      d.language = kb_fields_.language.value();
      d.body = kb_fields_.body.value();
      m.save();
      changed = true;
    }
    if (ki.ask_delete) m.ask_delete(), changed = true;
    if (ki.cancel_delete) m.cancel_delete(), changed = true;
    if (ki.confirm_delete) m.confirm_delete(), changed = true;
    if (changed) kb_after();
  }
  Json kb_snapshot() const {
    const inbox::KbAdminModel& m = kb_admin_;
    Json rows = Json::array();
    for (const inbox::KbAdminModel::Row& r : m.rows()) {
      rows.push_back({{"id", r.id}, {"title", r.title}, {"active", r.active}, {"usage_count", r.usage_count},
                      {"passage", r.passage}});
    }
    return Json{{"shown", kb_shown_},           {"can_edit", m.can_edit()},   {"query", m.query()},
                {"rows", std::move(rows)},      {"loading", m.loading()},     {"editing", m.editing()},
                {"selected", m.selected()},     {"is_new", m.is_new()},       {"draft_loaded", m.draft_loaded()},
                {"dirty", m.dirty()},           {"active", m.draft().active}, {"title", m.draft().title},
                {"confirming_delete", m.confirming_delete()}, {"problem", m.problem()},
                {"problem_field", m.problem_field()},         {"notice", m.notice()}};
  }

  void admin_send() {
    for (inbox::AdminModel::Request& r : admin_.take_requests()) {
      auto req = std::make_shared<inbox::AdminModel::Request>(std::move(r));
      http(req->method.c_str(), req->url, req->body, [this, req](const HttpAnswer& a) {
        using W = inbox::AdminModel::What;
        // A reload while someone types keeps the fields (the model keeps its draft then).
        const bool look_typing = admin_.look_dirty(), service_typing = admin_.service_dirty();
        const bool routing_typing = admin_.routing_dirty();
        admin_.answered(*req, a.status, a.body);
        const bool ok = a.status >= 200 && a.status < 300;
        if (ok && ((req->what == W::settings && !look_typing) || req->what == W::save_settings))
          admin_look_to_fields();
        if (ok && ((req->what == W::settings && !service_typing) || req->what == W::save_service))
          admin_service_to_fields();
        if (ok && ((req->what == W::routing && !routing_typing) || req->what == W::save_routing))
          admin_routing_to_fields();
        if (ok && req->what == W::save_profile) admin_profile_to_fields();
        if (ok && req->what == W::save_team) admin_team_to_fields();
        if (req->what == W::create_user && admin_.new_password.empty()) {
          admin_fields_.username.set_value("");
          admin_fields_.display.set_value("");
          admin_fields_.password.set_value("");
        }
        if (req->what == W::create_key && admin_.new_key_name.empty()) admin_fields_.keyname.set_value("");
        if (req->what == W::invite && admin_.invite_email.empty()) admin_fields_.invite_email.set_value("");
        if (a.status == 401) check_session();
        admin_after();
      });
    }
  }
  // Sends what the model queued, reads its outcome out to screen readers.
  void admin_after() {
    admin_send();
    if (admin_.status_number() != admin_status_no_) {
      admin_status_no_ = admin_.status_number();
      if (!admin_.status_line().empty()) client::dom::announce(admin_.status_line());
    }
    after_change();
  }
  void apply_admin(const inbox::AdminIntents& ai) {
    inbox::AdminModel& m = admin_;
    bool changed = false;
    if (ai.open && !m.is_open()) {
      m.set_role(model_->user().role);
      if (m.open()) {
        parley_inbox_blur();
        model_->supervise().close();
      }
      changed = true;
    }
    if (!m.is_open()) {
      if (changed) admin_after();
      return;
    }
    if (ai.close) {
      m.close();
      admin_fields_.hide_all();
      parley_inbox_blur();
      admin_after();
      return;
    }
    if (ai.tab >= 0) {
      m.set_tab(static_cast<inbox::AdminModel::Tab>(ai.tab));
      changed = true;
    }
    if (!ai.focus_field.empty()) {
      for (client::dom::Field* f : admin_fields_.all())
        if (ai.focus_field == f->id()) f->focus();
    }
    if (!ai.new_role.empty()) {
      m.new_role = ai.new_role;
      changed = true;
    }
    // issue 9: invitations by e-mail and roles
    if (!ai.invite_role.empty()) {
      m.invite_role = ai.invite_role;
      changed = true;
    }
    if (ai.send_invite) {
      m.invite_email = admin_fields_.invite_email.value();
      m.send_invite();
      changed = true;
    }
    if (!ai.revoke_invite.empty()) {
      m.revoke_invite(ai.revoke_invite);
      changed = true;
    }
    if (!ai.set_user_role.empty() && !m.selected_user().empty()) {
      m.change_role(m.selected_user(), ai.set_user_role, model_->user().id);
      changed = true;
    }
    if (ai.create_user) {
      // The fields' values are the truth (a password manager may fill them without input events).
      m.new_username = admin_fields_.username.value();
      m.new_display_name = admin_fields_.display.value();
      m.new_password = admin_fields_.password.value();
      m.create_user();
      changed = true;
    }
    if (!ai.select_user.empty()) {
      m.select_user(ai.select_user == "-" ? std::string() : ai.select_user);
      admin_profile_to_fields();
      changed = true;
    }
    if (!ai.edit_team.empty()) {
      m.edit_team(ai.edit_team == "-" ? std::string() : ai.edit_team);
      admin_team_to_fields();
      changed = true;
    }
    if (!ai.team_mode.empty()) {
      m.team_draft.mode = ai.team_mode == "default" ? std::string() : ai.team_mode;
      changed = true;
    }
    if (ai.toggle_owns_queue) {
      m.team_draft.owns_queue = !m.team_draft.owns_queue;
      changed = true;
    }
    if (ai.save_team) {
      m.team_draft.id = admin_fields_.team_id.value();
      m.team_draft.name = admin_fields_.team_name.value();
      m.save_team();
      changed = true;
    }
    if (ai.save_profile) {
      m.save_profile();
      changed = true;
    }
    if (!ai.toggle_user.empty()) {
      m.toggle_user(ai.toggle_user, model_->user().id);
      changed = true;
    }
    if (!ai.set_position.empty()) {
      m.draft.position = ai.set_position;
      changed = true;
    }
    if (ai.toggle_prechat) {
      m.draft.prechat_form = !m.draft.prechat_form;
      changed = true;
    }
    if (ai.save_look) {
      m.save_look();
      changed = true;
    }
    if (!ai.set_mode.empty()) {
      m.routing_draft.mode = ai.set_mode;
      changed = true;
    }
    if (ai.save_routing) {
      m.save_routing();
      changed = true;
    }
    if (ai.save_service) {
      m.save_service();
      changed = true;
    }
    if (ai.revert_look) {
      m.revert_look();
      admin_look_to_fields();
      changed = true;
    }
    if (ai.copy_snippet || ai.copy_secret) {
      client::dom::copy_to_clipboard(ai.copy_snippet ? m.embed_snippet(origin()) : m.new_secret());
      model_->copied(now_ms());
      ++copies_;
      changed = true;
    }
    if (ai.forget_secret) {
      m.forget_secret();
      changed = true;
    }
    if (ai.toggle_scope >= 0 && ai.toggle_scope < 4) {
      m.new_key_scope[ai.toggle_scope] = !m.new_key_scope[ai.toggle_scope];
      changed = true;
    }
    if (ai.create_key) {
      m.new_key_name = admin_fields_.keyname.value();
      m.create_key();
      changed = true;
    }
    if (!ai.revoke_key.empty()) {
      m.revoke_key(ai.revoke_key);
      changed = true;
    }
    if (changed) admin_after();
  }

  // ---- issue 9, the Tickets area and the Customer panel (tickets_view.hpp, customer_view.hpp) ----
  // Sends what the models queued and reads their outcomes out to screen readers.
  void tickets_after() {
    for (inbox::TicketsModel::Request& r : tickets_.take_requests()) {
      auto req = std::make_shared<inbox::TicketsModel::Request>(std::move(r));
      http(req->method.c_str(), req->url, req->body, [this, req](const HttpAnswer& a) {
        tickets_.answered(*req, a.status, a.body);
        if (a.status == 401) check_session();
        tickets_after();
      });
    }
    for (inbox::CustomerModel::Request& r : customer_.take_requests()) {
      auto req = std::make_shared<inbox::CustomerModel::Request>(std::move(r));
      http(req->method.c_str(), req->url, req->body, [this, req](const HttpAnswer& a) {
        customer_.answered(*req, a.status, a.body);
        if (a.status == 401) check_session();
        tickets_after();
      });
    }
    if (tickets_.status_number() != tickets_status_no_) {
      tickets_status_no_ = tickets_.status_number();
      if (!tickets_.status_line().empty()) client::dom::announce(tickets_.status_line());
    }
    if (customer_.status_number() != customer_status_no_) {
      customer_status_no_ = customer_.status_number();
      if (!customer_.status_line().empty()) client::dom::announce(customer_.status_line());
    }
    after_change();
  }
  void close_other_panels() {
    if (admin_.is_open()) admin_.close(), admin_fields_.hide_all();
    if (model_->supervise().panel() == inbox::SuperviseModel::Panel::dashboard) model_->show_dashboard(false);
    model_->supervise().close();
  }
  void open_customer() {
    const Conversation* c = model_->open_conversation();
    if (!c) return;
    close_other_panels();
    tickets_.close();
    const inbox::ListItem* li = model_->open_item();
    std::string name = li ? li->contact_name : std::string();
    if (const inbox::ContactDetails* k = model_->open_contact(); name.empty() && k) name = k->name;
    customer_.open(c->id, name, c->topic, std::string(to_string(c->priority)));
    parley_inbox_blur();
    tickets_after();
  }
  void apply_tickets(const inbox::TicketsIntents& ti) {
    inbox::TicketsModel& m = tickets_;
    bool changed = false;
    if (ti.open && !m.is_open()) {
      close_other_panels();
      customer_.close();
      m.set_role(model_->user().role);
      m.set_self(model_->user().id);
      m.open();
      parley_inbox_blur();
      changed = true;
    }
    if (!m.is_open()) {
      if (changed) tickets_after();
      return;
    }
    if (ti.close) {
      m.close();
      tickets_after();
      return;
    }
    if (ti.tab >= 0) m.set_tab(static_cast<inbox::TicketsModel::Tab>(ti.tab)), changed = true;
    if (ti.refresh) m.refresh(), changed = true;
    if (!ti.status_filter.empty()) m.set_status_filter(ti.status_filter == "any" ? "" : ti.status_filter), changed = true;
    if (!ti.priority_filter.empty())
      m.set_priority_filter(ti.priority_filter == "any" ? "" : ti.priority_filter), changed = true;
    if (!ti.select.empty()) m.select_ticket(ti.select == "-" ? std::string() : ti.select), changed = true;
    if (!ti.set_status.empty()) m.set_status(ti.set_status), changed = true;
    if (!ti.set_priority.empty()) m.set_priority(ti.set_priority), changed = true;
    if (!ti.set_assignee.empty()) m.set_assignee(ti.set_assignee == "-" ? std::string() : ti.set_assignee), changed = true;
    if (!ti.lift.empty()) m.lift(ti.lift), changed = true;
    if (!ti.open_conversation.empty()) {  // a ticket's chat, or listening in to an agent's
      m.close();
      model_->open(ti.open_conversation, now_ms());
      changed = true;
    }
    if (changed) tickets_after();
  }
  void apply_customer(const inbox::CustomerIntents& ci) {
    inbox::CustomerModel& m = customer_;
    if (!m.is_open()) return;
    bool changed = false;
    using Form = inbox::CustomerModel::Form;
    if (ci.close || (ci.escape && m.form() == Form::none)) {
      m.close();
      customer_fields_.hide_all();
      parley_inbox_blur();
      tickets_after();
      return;
    }
    if (ci.escape || ci.cancel_form) {
      m.cancel_form();
      parley_inbox_blur();
      changed = true;
    }
    if (!ci.focus_field.empty()) {
      for (client::dom::Field* f : {&customer_fields_.title, &customer_fields_.reason})
        if (ci.focus_field == f->id()) f->focus();
    }
    if (ci.open_convert) {
      m.open_convert();
      customer_fields_.title.set_value(m.title);
      pending_focus_ = customer_fields_.title.id();
      changed = true;
    }
    if (!ci.priority.empty()) m.priority = ci.priority, changed = true;
    if (ci.submit_convert) {
      m.title = customer_fields_.title.value();
      if (m.submit_convert()) parley_inbox_blur();
      changed = true;
    }
    if (ci.open_block) {
      m.open_block();
      customer_fields_.reason.set_value("");
      pending_focus_ = customer_fields_.reason.id();
      changed = true;
    }
    if (!ci.block_kind.empty()) m.set_block_kind(ci.block_kind), changed = true;
    if (!ci.duration.empty()) m.duration = ci.duration, changed = true;
    if (ci.ask_block) {
      m.reason = customer_fields_.reason.value();
      if (m.ask_block()) parley_inbox_blur();
      changed = true;
    }
    if (ci.confirm_block) m.confirm_block(), changed = true;
    if (!ci.open_conversation.empty()) {  // a previous conversation, read-only
      m.close();
      customer_fields_.hide_all();
      model_->open(ci.open_conversation, now_ms());
      changed = true;
    }
    if (!ci.open_ticket.empty()) {
      m.close();
      customer_fields_.hide_all();
      tickets_.set_role(model_->user().role);
      tickets_.set_self(model_->user().id);
      tickets_.open();
      tickets_.select_ticket(ci.open_ticket);
      changed = true;
    }
    if (changed) tickets_after();
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
    if (!in.open_url.empty()) {
      if (const std::string att = client::files::link_attachment_id(in.open_url); !att.empty())
        download(att);
      else
        client::dom::open_url(in.open_url);
    }
    if (in.attach) client::dom::pick_file("file-input");
    if (!in.retry.empty() || !in.discard.empty()) pump_uploads();
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
  int downloads_ = 0, download_failures_ = 0;  // issue 9: finished downloads (state_json, tests)
  bool canned_fetched_ = false;  // issue 9
  bool picker_open_ = false;
  bool note_placeholder_ = false;
  inbox::TicketsModel tickets_;  // issue 9, the Tickets area
  inbox::CustomerModel customer_;  // issue 9, the Customer panel
  inbox::CustomerFields customer_fields_;
  inbox::InboxModel::Clock clock_{};
  std::string pending_focus_;
  std::uint64_t tickets_status_no_ = 0, customer_status_no_ = 0;
  inbox::AdminModel admin_;  // issue 9
  inbox::AdminFields admin_fields_;
  inbox::KbAdminModel kb_admin_;  // issue 10
  inbox::KbAdminFields kb_fields_;
  bool kb_shown_ = false;
  std::string kb_announced_;
  std::uint64_t kb_announced_version_ = 0;
  std::uint64_t admin_status_no_ = 0;
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
