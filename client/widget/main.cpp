// The customer widget (browser): wires the WidgetModel to the WebSocket, the DOM fields and the
// WidgetView. Runs inside web/widget.html (an iframe on the host site, or a page of its own).
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>

#include <cstdio>
#include <string>

#include "common/a11y_mirror.hpp"
#include "common/app_shell.hpp"
#include "common/form_text.hpp"
#include "common/connection.hpp"
#include "common/dom.hpp"
#include "common/script.hpp"
#include "common/text.hpp"
#include "common/thumbs.hpp"
#include "common/ui.hpp"
#include "widget/widget_model.hpp"
#include "widget/widget_view.hpp"

namespace {

using namespace parley;
using client::AppShell;
using widget::WidgetModel;

Millis now_ms() { return static_cast<Millis>(emscripten_date_now()); }

std::string random_id() {
  char buf[40];
  auto part = [] { return static_cast<unsigned>(emscripten_random() * 16777216.0f) & 0xFFFFFF; };
  std::snprintf(buf, sizeof buf, "w%06x%06x%06x%06x", part(), part(), part(), part());
  return buf;
}

struct BrowserStorage : widget::Storage {
  std::string get(const std::string& key) override { return client::dom::storage_get(key); }
  void set(const std::string& key, const std::string& value) override {
    client::dom::storage_set(key, value);
  }
};

Json parse_object(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  return j.is_object() ? j : Json::object();
}

std::string string_member(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void hook_keys();

class WidgetApp : public client::dom::Handler, public client::Connection::Listener {
 public:
  WidgetApp()
      : embedded_(client::dom::query_param("embed") == "1"),
        connection_(client::dom::websocket_url("/ws"), *this),
        model_(connection_, storage_, random_id, client::dom::query_param("tenant")),
        view_(embedded_) {}

  bool start() {
    AppShell& shell = AppShell::get();
    regular_url_ = client::dom::module_string("parleyFontRegular");
    bold_url_ = client::dom::module_string("parleyFontBold");
    if (!shell.init(*this, {regular_url_.c_str(), bold_url_.c_str()})) return false;
    hook_keys();
    int offset = 0;
    bool hour12 = false;
    client::dom::clock_info(offset, hour12);
    model_.set_clock({offset, hour12});
    // The visitor's language: Han text in its regional forms, and a mirrored layout when it is
    // written right to left (?dir=rtl forces it, for a host page in such a language).
    const std::string lang = client::text::browser_language();
    client::text::set_preferred_lang(lang);
    view_.set_page_rtl(client::script::is_rtl_language(lang) || client::dom::query_param("dir") == "rtl");
    // Standalone (the widget page opened directly) it is always open; embedded, the loader
    // opened it, and tells us when it closes.
    model_.set_panel_open(true);

    const std::string tenant = model_.tenant().slug;
    client::dom::fetch("/api/config?tenant=" + tenant, [this](bool ok, std::string body) {
      if (ok) model_.set_tenant_config(widget::tenant_config_from_json(parse_object(body), model_.tenant()));
      AppShell::get().invalidate();
    });
    connection_.set_network(client::dom::network_online());
    connection_.start();
    shell.run([this](double now) { return frame(now); });
    // The loader answers with the panel's state and the host page's address.
    if (embedded_) client::dom::post_to_host("{\"type\":\"parley:ready\"}");
    return true;
  }

  // ---- client::dom::Handler ----
  void on_input(std::string_view field, std::string_view value) override {
    if (field == "composer") {
      model_.set_draft(std::string(value), now_ms());
      view_.close_menu();  // typing closes the "..." menu
    } else if (field == "prechat-name") {
      name_ = value;
    } else if (field == "prechat-email") {
      email_ = value;
    } else if (field == "prechat-topic") {
      topic_ = value;
    } else if (field == "csat-comment") {
      csat_comment_ = value;
    } else if (field == "offline-email") {
      offline_email_ = value;
    } else if (field == "offline-text") {
      offline_text_ = value;
    }
    AppShell::get().invalidate();
  }
  void on_submit(std::string_view field) override {
    if (field == "composer") {
      send();
    } else if (field == "csat-comment") {
      submit_survey();
    } else if (field == "offline-email") {
      fields_.offline_text.focus();  // Enter in the email field moves on to the message
    } else if (field == "offline-text") {
      // Enter sends, as in the composer (Shift+Enter: a new line)
      submit_offline();
    } else {
      submit_prechat();
    }
  }
  void on_escape(std::string_view) override { escape(); }
  void on_focus(std::string_view field, bool focused) override {
    view_.set_focused(std::string(field), focused);
    if (focused) view_.close_menu();  // a click (or Tab) into a field is a click outside the menu
    AppShell::get().invalidate();
  }
  void on_field_height(std::string_view field, float css_px) override {
    if (field == "composer") view_.set_composer_height(css_px);
    AppShell::get().invalidate();
  }
  void on_host_message(std::string_view json) override {
    const Json msg = parse_object(json);
    const std::string type = string_member(msg, "type");
    if (type == "parley:open") {
      const auto page = msg.find("page");
      if (page != msg.end() && page->is_object()) {
        model_.set_page(PageInfo{string_member(*page, "url"), string_member(*page, "title"),
                                 string_member(*page, "referrer")});
      }
      model_.set_panel_open(true);
      focus_on_open_ = true;  // the keyboard lands in the composer (or the pre-chat form)
    } else if (type == "parley:close") {
      model_.set_panel_open(false);
    }
    after_model_change();
  }
  void on_visibility(bool visible) override {
    if (!visible) return;
    connection_.retry_now();  // back on the page after an outage: no waiting out the backoff
    AppShell::get().invalidate();
  }
  void on_network(bool online) override { connection_.set_network(online); }
  // issue 9: a file chosen in the picker "Attach a file" opened.
  void on_file_chosen(std::string_view, int handle, std::string_view name, double size) override {
    model_.attach(handle, std::string(name), size > 0 ? static_cast<std::uint64_t>(size) : 0);
    pump_uploads();
    after_model_change();
  }
  std::string state_json() override {
    Json j = model_.snapshot(now_ms());
    j["embedded"] = embedded_;
    j["text"] = client::text::stats_json();
    j["mirrored"] = view_.is_mirrored();
    j["menu_open"] = view_.menu_open();
    j["last_open_reason"] = connection_.last_open_reason();
    j["retry_at"] = connection_.state() == client::Connection::State::waiting ? connection_.retry_at() : 0.0;
    j["copies"] = copies_;
    j["downloads"] = Json{{"done", downloads_}, {"failed", download_failures_}};
    j["thumbnails"] = Json{{"shown", client::thumbs::ready_count()}, {"failed", client::thumbs::failed_count()}};
    // Where the named controls were drawn (CSS px): end-to-end tests click them by name.
    j["controls"] = Json::parse(client::ui::exposed_json(AppShell::get().scale()), nullptr, false);
    return client::json_text(j);
  }

  // ---- client::Connection::Listener ----
  void on_open() override {
    model_.connected(now_ms());
    after_model_change();
  }
  void on_text(std::string_view frame) override {
    model_.received(frame, now_ms());
    if (model_.session().ready()) connection_.reset_backoff();
    after_model_change();
  }
  void on_closed() override {
    model_.disconnected();
    after_model_change();
  }
  void on_state(client::Connection::State state, double retry_at) override {
    using S = client::Connection::State;
    const widget::LinkState link = state == S::open      ? widget::LinkState::online
                                   : state == S::waiting ? widget::LinkState::retrying
                                   : state == S::offline ? widget::LinkState::offline
                                                         : widget::LinkState::connecting;
    model_.set_link(link, static_cast<Millis>(retry_at));
    after_model_change();
  }
  void on_tick() override { model_.tick(now_ms()); }

 private:
  // Work that must happen even when no frame is drawn (background tab): screen reader
  // announcements and the unread count on the host page's launcher.
  void after_model_change() {
    for (const std::string& text : model_.take_announcements()) client::dom::announce(text);
    announce_changes();
    // Whether a conversation is going on: the loader keeps it on the host site, so the next page
    // of the site reconnects (a small live page badges new replies) and reopens the panel.
    if (const Conversation* c = model_.conversation()) {
      const int active = c->status != Status::resolved ? 1 : 0;
      if (active != active_posted_) {
        active_posted_ = active;
        client::dom::post_to_host(std::string("{\"type\":\"parley:active\",\"active\":") +
                                  (active ? "true" : "false") + "}");
      }
    }
    if (model_.unread() != unread_posted_) {
      unread_posted_ = model_.unread();
      client::dom::post_to_host("{\"type\":\"parley:unread\",\"count\":" + std::to_string(unread_posted_) +
                                "}");
    }
    AppShell::get().invalidate();
  }

  bool frame(double now) {
    widget::Intents intents;
    client::a11y::begin_frame();
    const bool animating = view_.draw(model_, fields_, now, intents);
    client::a11y::end_frame();
    if (client::a11y::take_escape()) escape();
    if (client::a11y::take_window_blur()) view_.close_menu();
    apply(intents);
    // The bottom panel switched (the tenant's pre-chat form arrived, or was sent) while the
    // keyboard was in the one now hidden: follow it into the new one.
    if (model_.show_prechat() != prechat_shown_) {
      prechat_shown_ = model_.show_prechat();
      if (client::a11y::focused() == 0) focus_on_open_ = true;
    }
    if (model_.show_offline() != offline_shown_) {  // issue 9: the offline form came or went
      offline_shown_ = model_.show_offline();
      if (client::a11y::focused() == 0) focus_on_open_ = true;
    }
    if (focus_on_open_) {  // once a frame has placed the field (a hidden field takes no focus)
      client::dom::Field& target = model_.show_offline() && model_.offline().state() == widget::OfflineForm::State::editing
                                       ? fields_.offline_email
                                   : model_.show_prechat() ? fields_.name
                                                           : fields_.composer;
      if (target.visible()) {
        focus_on_open_ = false;
        target.focus();
      } else {
        AppShell::get().invalidate();
      }
    }
    return animating;
  }

  // A key on the canvas (DOM fields and mirror nodes keep theirs: parley_dom.js's guard).
  // Handled on the event: ImGui 1.86 would miss a press and release between two frames.
 public:
  void key(int key, int action) {
    if (key == GLFW_KEY_ESCAPE && action == GLFW_PRESS) escape();
  }

 private:

  // Esc: closes the "..." menu when it is open, else the panel (embedded); the loader then gives
  // the focus back to the launcher.
  void escape() {
    if (view_.menu_open()) {
      view_.close_menu();
      AppShell::get().invalidate();
    } else if (embedded_) {
      close();
    }
  }

  // State changes and errors for screen readers (messages come from the model).
  void announce_changes() {
    const Millis now = now_ms();
    const widget::Banner banner = model_.banner(now);
    const bool down = banner.kind == widget::Banner::Kind::offline || banner.kind == widget::Banner::Kind::retrying;
    if (down && !link_down_) client::dom::announce(banner.text);
    if (down) link_down_ = true;
    if (banner.kind == widget::Banner::Kind::none && link_down_) {
      link_down_ = false;
      client::dom::announce("Connected again.");
    }
    if (model_.offline().error() != offline_error_) {
      offline_error_ = model_.offline().error();
      if (!offline_error_.empty()) client::dom::announce(offline_error_);
    }
    if (model_.prechat_error() != prechat_error_) {
      prechat_error_ = model_.prechat_error();
      if (!prechat_error_.empty()) client::dom::announce(prechat_error_);
    }
    int failed = 0;
    for (const widget::DisplayItem& item : model_.items(now)) {
      if (item.own && !item.stored && !item.upload && item.delivery == Delivery::failed) ++failed;
    }
    if (failed > failed_) client::dom::announce("Your message was not delivered. Retry or delete it.");
    failed_ = failed;
  }

  // Starts the next queued upload (one at a time) and lets the page release files the model
  // no longer holds. The visitor's token goes in a header, never in the URL.
  void pump_uploads() {
    for (const int handle : model_.take_released_files()) client::dom::release_file(handle);
    const client::files::Upload* u = model_.uploads().start_next();
    if (!u) return;
    const Json headers{{"X-Visitor-Token", model_.visitor_token()},
                       {"X-File-Name", client::files::percent_encode(u->name)},
                       {"Idempotency-Key", u->idempotency_key}};
    const int id = u->id, handle = u->handle;
    client::dom::upload_file(handle, "/api/v1/conversations/" + u->conversation_id + "/attachments", headers.dump(),
                             [this, id, handle](int status, std::string body) {
                               if (model_.uploads().finished(id, status, body)) client::dom::release_file(handle);
                               pump_uploads();
                               after_model_change();
                             });
  }

  // A file message's link: fetch with the token, save from a blob: URL.
  void download(const std::string& attachment_id) {
    const AttachmentRef* a = model_.find_attachment(attachment_id);
    if (!a) return;
    const std::string name = a->name;
    const Json headers{{"X-Visitor-Token", model_.visitor_token()}};
    client::dom::download("/api/v1/attachments/" + attachment_id, headers.dump(), name, [this, name](int status) {
      ++downloads_;
      if (status != 200) {
        ++download_failures_;
        client::dom::announce("Could not download " + name + (status == 0 ? ": no connection." : "."));
      } else {
        client::dom::announce("Downloaded " + name);
      }
    });
  }

  void send() {
    if (model_.send_draft(now_ms())) fields_.composer.set_value("");
    after_model_change();
  }

  void submit_prechat() {
    // The composer is placed by the next frame; focus it then.
    if (model_.submit_prechat(name_, email_, topic_, now_ms())) focus_on_open_ = true;
    after_model_change();
  }

  void submit_survey() {
    if (model_.submit_survey(csat_comment_)) {
      fields_.csat_comment.set_value("");
      csat_comment_.clear();
    }
    after_model_change();
  }

  void submit_offline() {
    model_.submit_offline(offline_email_, offline_text_);
    after_model_change();
  }

  void close() {
    model_.set_panel_open(false);
    client::dom::post_to_host("{\"type\":\"parley:close\"}");
    after_model_change();
  }

  void apply(const widget::Intents& in) {
    if (in.send) send();
    if (in.focus_composer) fields_.composer.focus();
    if (in.submit_prechat) submit_prechat();
    if (in.rate > 0) {
      model_.survey().choose(in.rate);
      AppShell::get().invalidate();
    }
    if (in.submit_survey) submit_survey();
    if (in.submit_offline) submit_offline();
    if (in.dismiss_offline) {
      model_.dismiss_offline();
      focus_on_open_ = true;
    }
    if (in.request_human) model_.request_human();
    if (in.end_chat) model_.end_chat();
    if (in.new_conversation) model_.start_new_conversation();
    if (!in.retry.empty()) model_.retry(in.retry);
    if (!in.discard.empty()) model_.discard(in.discard);
    if (!in.copy.empty()) {
      client::dom::copy_to_clipboard(in.copy);
      if (in.announce.empty()) client::dom::announce("Copied to the clipboard");
      ++copies_;
    }
    if (!in.announce.empty()) client::dom::announce(in.announce);
    if (!in.open_url.empty()) {
      if (const std::string att = client::files::link_attachment_id(in.open_url); !att.empty())
        download(att);
      else
        client::dom::open_url(in.open_url);
    }
    if (in.attach) client::dom::pick_file("file-input");
    if (!in.retry.empty() || !in.discard.empty()) pump_uploads();
    if (in.close) close();
    if (in.request_human || in.end_chat || in.new_conversation || !in.retry.empty() || !in.discard.empty()) {
      after_model_change();
    }
  }

  bool embedded_;
  BrowserStorage storage_;
  client::Connection connection_;
  WidgetModel model_;
  widget::WidgetView view_;
  widget::Fields fields_;
  std::string regular_url_, bold_url_;
  std::string name_, email_, topic_;
  std::string csat_comment_;
  int unread_posted_ = 0;
  int downloads_ = 0, download_failures_ = 0;  // issue 9: finished downloads (state_json, tests)
  bool focus_on_open_ = true;  // standalone, the page opens with the app
  bool link_down_ = false;  // an outage was announced
  bool prechat_shown_ = false;
  bool offline_shown_ = false;
  std::string offline_email_, offline_text_;
  std::string prechat_error_;
  std::string offline_error_;
  int failed_ = 0;
  int active_posted_ = -1;  // -1: not said yet
  int copies_ = 0;
};

WidgetApp* g_app = nullptr;
GLFWkeyfun g_next_key = nullptr;

void on_key(GLFWwindow* w, int key, int scancode, int action, int mods) {
  if (g_app) g_app->key(key, action);
  if (g_next_key) g_next_key(w, key, scancode, action, mods);
}

void hook_keys() { g_next_key = glfwSetKeyCallback(glfwGetCurrentContext(), on_key); }

}  // namespace

int main() {
  static WidgetApp* app = new WidgetApp();  // lives as long as the page
  g_app = app;
  if (!app->start()) {
    std::puts("parley: WebGL 2 is not available");
    return 1;
  }
  return 0;
}
