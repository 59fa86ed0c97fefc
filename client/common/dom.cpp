#include "common/dom.hpp"

#include <emscripten/emscripten.h>

#include <cstdlib>
#include <memory>
#include <utility>

extern "C" {
void parley_dom_init();
void parley_dom_place(const char* id, float x, float y, float w, float h, int visible);
void parley_dom_set_value(const char* id, const char* value);
char* parley_dom_get_value(const char* id);
void parley_dom_focus(const char* id);
void parley_dom_set_attr(const char* id, const char* name, const char* value);
void parley_dom_set_css_var(const char* name, const char* value);
void parley_dom_cursor(int kind);
void parley_dom_announce(const char* text);
void parley_dom_ready();
void parley_clipboard_write(const char* text);
void parley_open_url(const char* url);
void parley_post_parent(const char* json);
char* parley_storage_get(const char* key);
void parley_storage_set(const char* key, const char* value);
void parley_fetch(const char* url, void* ctx);
char* parley_ws_url(const char* path);
void parley_file_pick(const char* id);
void parley_file_release(int handle);
void parley_file_upload(int handle, const char* url, const char* headers, void* ctx);
void parley_file_download(const char* url, const char* headers, const char* name, void* ctx);
char* parley_query_param(const char* name);
char* parley_module_string(const char* name);
void parley_clock_info(int* offset, int* hour12);
int parley_network_online();
int parley_document_visible();
}

namespace parley::client::dom {
namespace {

Handler* g_handler = nullptr;

// Takes a malloc'd C string from JS.
std::string take(char* s) {
  std::string out = s ? s : "";
  std::free(s);
  return out;
}

using FetchDone = std::function<void(bool, std::string)>;
using UploadDone = std::function<void(int, std::string)>;
using DownloadDone = std::function<void(int)>;

}  // namespace

void init(Handler& handler) {
  g_handler = &handler;
  parley_dom_init();
}

void Field::place(const Rect& r) {
  if (placed_ && visible_ && r == rect_) return;
  rect_ = r;
  visible_ = true;
  placed_ = true;
  parley_dom_place(id_, r.x, r.y, r.w, r.h, 1);
}

void Field::hide() {
  if (placed_ && !visible_) return;
  visible_ = false;
  placed_ = true;
  parley_dom_place(id_, 0, 0, 0, 0, 0);
}

void Field::set_value(const std::string& value) { parley_dom_set_value(id_, value.c_str()); }
std::string Field::value() const { return take(parley_dom_get_value(id_)); }
void Field::focus() const { parley_dom_focus(id_); }
void Field::set_attr(const char* name, const std::string& value) const {
  parley_dom_set_attr(id_, name, value.c_str());
}

void announce(const std::string& text) { parley_dom_announce(text.c_str()); }
void copy_to_clipboard(const std::string& text) { parley_clipboard_write(text.c_str()); }
void open_url(const std::string& url) { parley_open_url(url.c_str()); }
void post_to_host(const std::string& json) { parley_post_parent(json.c_str()); }
void set_css_var(const char* name, const std::string& value) { parley_dom_set_css_var(name, value.c_str()); }
void set_cursor(Cursor c) {
  static Cursor current = Cursor::arrow;
  if (c == current) return;
  current = c;
  parley_dom_cursor(static_cast<int>(c));
}
void mark_ready() { parley_dom_ready(); }

std::string storage_get(const std::string& key) { return take(parley_storage_get(key.c_str())); }
void storage_set(const std::string& key, const std::string& value) {
  parley_storage_set(key.c_str(), value.c_str());
}

void fetch(const std::string& url, std::function<void(bool ok, std::string body)> done) {
  parley_fetch(url.c_str(), new FetchDone(std::move(done)));
}

void pick_file(const char* input_id) { parley_file_pick(input_id); }
void upload_file(int handle, const std::string& url, const std::string& headers_json,
                 std::function<void(int status, std::string body)> done) {
  parley_file_upload(handle, url.c_str(), headers_json.c_str(), new UploadDone(std::move(done)));
}
void release_file(int handle) { parley_file_release(handle); }
void download(const std::string& url, const std::string& headers_json, const std::string& name,
              std::function<void(int status)> done) {
  parley_file_download(url.c_str(), headers_json.c_str(), name.c_str(), new DownloadDone(std::move(done)));
}

std::string websocket_url(const char* path) { return take(parley_ws_url(path)); }
std::string query_param(const char* name) { return take(parley_query_param(name)); }
std::string module_string(const char* name) { return take(parley_module_string(name)); }
void clock_info(int& utc_offset_minutes, bool& hour12) {
  int h12 = 0;
  parley_clock_info(&utc_offset_minutes, &h12);
  hour12 = h12 != 0;
}
bool network_online() { return parley_network_online() != 0; }
bool document_visible() { return parley_document_visible() != 0; }

}  // namespace parley::client::dom

// ---- Entry points called from parley_dom.js ----
using parley::client::dom::g_handler;

extern "C" {
EMSCRIPTEN_KEEPALIVE void parley_on_input(const char* id, const char* value) {
  if (g_handler) g_handler->on_input(id, value);
}
EMSCRIPTEN_KEEPALIVE void parley_on_submit(const char* id) {
  if (g_handler) g_handler->on_submit(id);
}
EMSCRIPTEN_KEEPALIVE void parley_on_escape(const char* id) {
  if (g_handler) g_handler->on_escape(id);
}
EMSCRIPTEN_KEEPALIVE void parley_on_focus(const char* id, int focused) {
  if (g_handler) g_handler->on_focus(id, focused != 0);
}
EMSCRIPTEN_KEEPALIVE void parley_on_field_height(const char* id, float css_px) {
  if (g_handler) g_handler->on_field_height(id, css_px);
}
EMSCRIPTEN_KEEPALIVE void parley_on_host_message(const char* json) {
  if (g_handler) g_handler->on_host_message(json);
}
EMSCRIPTEN_KEEPALIVE void parley_on_visibility(int visible) {
  if (g_handler) g_handler->on_visibility(visible != 0);
}
EMSCRIPTEN_KEEPALIVE void parley_on_network(int online) {
  if (g_handler) g_handler->on_network(online != 0);
}
EMSCRIPTEN_KEEPALIVE const char* parley_state_json() {
  static std::string snapshot;
  snapshot = g_handler ? g_handler->state_json() : std::string("{}");
  return snapshot.c_str();
}
EMSCRIPTEN_KEEPALIVE void parley_on_file(const char* id, int handle, const char* name, double size) {
  if (g_handler) g_handler->on_file_chosen(id, handle, name, size);
}
EMSCRIPTEN_KEEPALIVE void parley_on_uploaded(void* ctx, int status, const char* body) {
  std::unique_ptr<parley::client::dom::UploadDone> done(static_cast<parley::client::dom::UploadDone*>(ctx));
  (*done)(status, body ? std::string(body) : std::string());
}
EMSCRIPTEN_KEEPALIVE void parley_on_downloaded(void* ctx, int status) {
  std::unique_ptr<parley::client::dom::DownloadDone> done(static_cast<parley::client::dom::DownloadDone*>(ctx));
  (*done)(status);
}
EMSCRIPTEN_KEEPALIVE void parley_on_fetched(void* ctx, char* bytes, int length) {
  std::unique_ptr<parley::client::dom::FetchDone> done(static_cast<parley::client::dom::FetchDone*>(ctx));
  std::string body;
  if (bytes && length >= 0) body.assign(bytes, static_cast<std::size_t>(length));
  std::free(bytes);
  (*done)(bytes != nullptr, std::move(body));
}
}
