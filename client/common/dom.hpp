// dom.hpp: the C++ face of parley_dom.js: DOM fields over the canvas, clipboard, links, the
// screen-reader live region, storage, fetch, and messages to the host page.
//
// Browser only (Emscripten). Call init() once, before glfwInit (its keyboard guard must be the
// first capture listener on window). All calls are on the main thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace parley::client::dom {

// Events from the DOM, delivered to the app. Default: ignore.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void on_input(std::string_view /*field*/, std::string_view /*value*/) {}
  virtual void on_submit(std::string_view /*field*/) {}  // Enter (not Shift+Enter in a textarea)
  virtual void on_escape(std::string_view /*field*/) {}
  virtual void on_focus(std::string_view /*field*/, bool /*focused*/) {}
  virtual void on_field_height(std::string_view /*field*/, float /*css_px*/) {}
  virtual void on_host_message(std::string_view /*json*/) {}  // postMessage from the parent page
  virtual void on_visibility(bool /*visible*/) {}
  virtual void on_network(bool /*online*/) {}
  // A file was chosen in the hidden file input `input` (issue 9): `handle` names it for
  // upload_file() until release_file().
  virtual void on_file_chosen(std::string_view /*input*/, int /*handle*/, std::string_view /*name*/,
                              double /*size*/) {}
  // window.parley.state(): the app's read-only JSON snapshot.
  virtual std::string state_json() { return "{}"; }
};

void init(Handler& handler);

// A rectangle in CSS pixels relative to the canvas (= the page: the canvas fills it).
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
  bool operator==(const Rect&) const = default;
};

// A DOM field (element with data-parley-field) placed over the ImGui layout. Placing is cheap to
// call every frame: the DOM is touched only when the rectangle or visibility changed.
class Field {
 public:
  explicit Field(const char* element_id) : id_(element_id) {}
  void place(const Rect& r);
  void hide();
  void set_value(const std::string& value);
  std::string value() const;
  void focus() const;
  void set_attr(const char* name, const std::string& value) const;
  const char* id() const { return id_; }
  bool visible() const { return visible_; }

 private:
  const char* id_;
  Rect rect_;
  bool visible_ = false;
  bool placed_ = false;
};

void announce(const std::string& text);  // appended to the aria-live region
void copy_to_clipboard(const std::string& text);
void open_url(const std::string& url);  // new tab, noopener; http(s) only
void post_to_host(const std::string& json);
void set_css_var(const char* name, const std::string& value);
enum class Cursor { arrow = 0, hand = 1, text = 2 };
void set_cursor(Cursor c);  // changes the canvas cursor only when it differs
void mark_ready();          // the app drew its first frame: the page hides its placeholder

std::string storage_get(const std::string& key);
void storage_set(const std::string& key, const std::string& value);

// GET `url` (same origin). `done` receives the body, or ok=false.
void fetch(const std::string& url, std::function<void(bool ok, std::string body)> done);

// Files (issue 9). pick_file opens the browser's picker of a hidden <input type=file
// data-parley-file> (call it while handling the person's click or key); chosen files arrive at
// Handler::on_file_chosen. upload_file POSTs the file (same origin, with the given headers, a JSON
// object of strings) and `done` gets the HTTP status (0: no answer) and the body. download GETs
// `url` with the headers and saves the bytes as `name` (blob: URL; no token in any URL); `done`
// gets the status (200 saved, 0 no answer).
void pick_file(const char* input_id);
void upload_file(int handle, const std::string& url, const std::string& headers_json,
                 std::function<void(int status, std::string body)> done);
void release_file(int handle);
void download(const std::string& url, const std::string& headers_json, const std::string& name,
              std::function<void(int status)> done);

// ws(s)://<this page's host><path>: "/ws" for the widget (visitors), "/ws/inbox" for staff.
std::string websocket_url(const char* path);
std::string query_param(const char* name);
// Module[name] when the page set it to a string (e.g. hashed asset URLs), else "".
std::string module_string(const char* name);
void clock_info(int& utc_offset_minutes, bool& hour12);
bool network_online();
bool document_visible();

}  // namespace parley::client::dom
