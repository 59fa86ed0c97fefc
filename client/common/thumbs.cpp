#include "common/thumbs.hpp"

#include <GLES3/gl3.h>
#include <emscripten/emscripten.h>

#include <map>

#include "common/app_shell.hpp"

extern "C" {
void parley_image_load(const char* url, const char* headers, unsigned tex, int max_w, int max_h, void* ctx);
}

namespace parley::client::thumbs {
namespace {

struct Entry {
  enum class State { loading, ready, failed } state = State::loading;
  Thumb thumb;
};

std::map<std::string, Entry>& entries() {
  static std::map<std::string, Entry> e;
  return e;
}
std::uint64_t g_version = 0;

}  // namespace

const Thumb* get(const std::string& attachment_id, const std::string& headers_json, int max_w, int max_h) {
  auto [it, fresh] = entries().try_emplace(attachment_id);
  Entry& e = it->second;
  if (fresh) {
    GLint prev = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &prev);
    GLuint tex = 0;
    glGenTextures(1, &tex);
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(prev));
    e.thumb.texture = tex;
    // The map's nodes are stable: the key's address identifies the entry for the callback.
    parley_image_load(("/api/v1/attachments/" + attachment_id).c_str(), headers_json.c_str(), tex, max_w, max_h,
                      const_cast<std::string*>(&it->first));
  }
  return e.state == Entry::State::ready ? &e.thumb : nullptr;
}

std::uint64_t version() { return g_version; }

int ready_count() {
  int n = 0;
  for (const auto& [id, e] : entries()) n += e.state == Entry::State::ready ? 1 : 0;
  return n;
}
int failed_count() {
  int n = 0;
  for (const auto& [id, e] : entries()) n += e.state == Entry::State::failed ? 1 : 0;
  return n;
}

}  // namespace parley::client::thumbs

extern "C" EMSCRIPTEN_KEEPALIVE void parley_on_image(void* ctx, int w, int h) {
  auto& all = parley::client::thumbs::entries();
  const auto it = all.find(*static_cast<const std::string*>(ctx));
  if (it == all.end()) return;
  auto& e = it->second;
  if (w > 0 && h > 0) {
    e.state = decltype(e.state)::ready;
    e.thumb.w = w;
    e.thumb.h = h;
  } else {
    e.state = decltype(e.state)::failed;
  }
  ++parley::client::thumbs::g_version;
  parley::client::AppShell::get().invalidate();
}
